"""`make bench`: build N copies of the sample document in every published locale and time it.

For each N it reports the cold build (no cache), a no-op rebuild, and a rebuild after one document
changed, all through the real command line. Then, per leaflet, this pipeline's PDF step beside
plain WeasyPrint rendering the same leaflet HTML with the same system font, in the same run.
A benchmark, not a test: it prints figures and checks them against the targets, nothing more.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from healthpub import config, fonts, leaflets, pdf, publish  # noqa: E402

SAMPLE = "exosome-therapy"


def make_project(root: Path, copies: int) -> Path:
    for name in ("locales", "templates", "site.toml", "babel.cfg"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    (root / "source").mkdir()
    text = (REPO / "source" / f"{SAMPLE}.md").read_text(encoding="utf-8")
    for i in range(copies):
        (root / "source" / f"{SAMPLE}-{i:03d}.md").write_text(text, encoding="utf-8")
    return root


def timed_build(root: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "pipeline.py"), "build"], cwd=root,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed in {root}:\n{result.stderr}")
    return elapsed, result.stdout.strip()


def builds(copies: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), copies)
        cold, _ = timed_build(root)
        noop, said = timed_build(root)
        assert "nothing rewritten" in said, said
        # Change one document without touching its translations: its review dates.
        first = root / "source" / f"{SAMPLE}-000.md"
        first.write_text(first.read_text(encoding="utf-8").replace("next_review: 2027-11-27",
                                                                    "next_review: 2027-11-28"), encoding="utf-8")
        one, said = timed_build(root)
        assert "leaflets of 1 documents rendered" in said, said
        leaflets_made = len(list((root / "output/print").glob("*.pdf")))
    return {"cold": cold, "noop": noop, "one": one, "leaflets": leaflets_made}


def per_leaflet(repeats: int) -> list[dict]:
    """This pipeline's PDF step (subset fonts made once per build) beside plain WeasyPrint, which
    embeds the same system font through its own subsetting."""
    from weasyprint import HTML

    project = config.load_project(REPO)
    state = publish.gather(project)
    langs = [project.source_lang] + project.published_langs()
    _, html = publish._render_html(project, state, langs, set())
    with tempfile.TemporaryDirectory() as tmp:
        font_cache = Path(tmp)
        rows = []
        start = time.perf_counter()
        faces = fonts.prepare(project.font_family(langs[0]),
                              "".join(leaflets.visible_text(h) for h in html.values()), font_cache)
        subset_time = time.perf_counter() - start
        for lang in langs:
            page = html[(SAMPLE, lang.code)]
            job = leaflets.Job(source=Path("bench"), budget=9, htmls=(page,), labels=("bench",),
                               editions=((f"{lang.code}.pdf", (0,)),), base=project.templates_dir,
                               fonts=fonts.faces_css(faces), allowed=(project.templates_dir, font_cache))
            ours, plain = [], []
            for _ in range(repeats):
                start = time.perf_counter()
                [ours_pdf] = pdf.write_pdfs(job)
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                plain_pdf = HTML(string=page, base_url=project.templates_dir.as_uri() + "/").write_pdf()
                plain.append(time.perf_counter() - start)
            rows.append({"lang": lang.code, "ours": statistics.median(ours), "plain": statistics.median(plain),
                         "ours_size": len(ours_pdf), "plain_size": len(plain_pdf)})
    return rows, subset_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,30,50", help="numbers of documents (default 1,10,30,50)")
    parser.add_argument("--repeats", type=int, default=3, help="renders per leaflet for the medians")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]

    print(f"{'docs':>5} {'leaflets':>9} {'cold s':>8} {'no-op s':>8} {'one-file s':>11} {'s/doc':>7} {'no-op/cold':>11}")
    results = {}
    for n in sizes:
        r = builds(n)
        results[n] = r
        print(f"{n:>5} {r['leaflets']:>9} {r['cold']:>8.2f} {r['noop']:>8.2f} {r['one']:>11.2f} "
              f"{r['cold'] / n:>7.2f} {r['noop'] / r['cold']:>10.1%}")

    rows, subset_time = per_leaflet(args.repeats)
    print(f"\nper leaflet (median of {args.repeats}); font subsets made once per build in {subset_time:.2f} s")
    print(f"{'locale':>7} {'ours s':>7} {'plain s':>8} {'speed-up':>9} {'ours KB':>8} {'plain KB':>9} {'size':>6}")
    for row in rows:
        print(f"{row['lang']:>7} {row['ours']:>7.2f} {row['plain']:>8.2f} {row['plain'] / row['ours']:>8.1f}x "
              f"{row['ours_size'] / 1000:>8.0f} {row['plain_size'] / 1000:>9.0f} "
              f"{row['ours_size'] / row['plain_size']:>6.0%}")

    print("\ntargets (2 cores):")
    if 50 in results:
        print(f"  50 documents cold <= 60 s: {results[50]['cold']:.1f} s")
    if 1 in results and 30 in results:
        ratio = (results[30]["cold"] / 30) / results[1]["cold"]
        print(f"  per-document cost at 30 <= 1/3 of a 1-document build: {ratio:.2f}")
    worst = max(r["noop"] / r["cold"] for r in results.values())
    print(f"  no-op rebuild <= 5 % of cold: worst {worst:.1%}")
    print("  leaflet >= 3x faster than plain WeasyPrint: "
          + ", ".join(f"{r['lang']} {r['plain'] / r['ours']:.1f}x" for r in rows))


if __name__ == "__main__":
    main()
