"""`make bench`: build N copies of the sample document in its own language and every published translation, and time it.

For each N it reports the cold build (no cache), a no-op rebuild, and a rebuild after one document
changed, all through the real command line. Then, per leaflet, this pipeline's PDF step beside
plain WeasyPrint rendering the same leaflet HTML with the same system font, in the same run.
A benchmark, not a test: it prints figures and checks them against the targets, nothing more.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
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
from healthpub.state import gather  # noqa: E402

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


def per_leaflet(repeats: int) -> tuple[list[dict], float]:
    """This pipeline's PDF step (fonts cut to the document's characters) beside plain WeasyPrint,
    which embeds the same system font through its own subsetting: with HarfBuzz, as installed
    here; with fontTools, what WeasyPrint falls back to without libharfbuzz-subset0; and as the
    `weasyprint` command, which also pays for starting Python and WeasyPrint each time."""
    import weasyprint.pdf.fonts
    from weasyprint import HTML

    project = config.load_project(REPO)
    state = gather(project, datetime.date.today())
    doc = next(d for d in state.documents if d.slug == SAMPLE)
    langs = state.doc_langs(doc)  # the job's leaflets: its own language first
    _, html = publish._render_html(project, state, set())
    [job] = publish._leaflet_jobs(project, state, [doc], html)
    start = time.perf_counter()
    for subset in job.fonts:
        fonts.cut(subset)
    cut_time = time.perf_counter() - start
    base_url = project.templates_dir.as_uri() + "/"

    def timed(render, runs):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = render()
            times.append(time.perf_counter() - start)
        return statistics.median(times), len(result)

    rows = []
    harfbuzz = weasyprint.pdf.fonts.harfbuzz_subset
    for i, lang in enumerate(langs):
        single = dataclasses.replace(job, htmls=(job.htmls[i],), editions=((f"{lang.code}.pdf", (0,)),))
        page = leaflets.with_qr_codes(job.htmls[i])
        row = {"lang": lang.code}
        for subsetter, runs in (("harfbuzz", repeats), ("fonttools", 1)):
            weasyprint.pdf.fonts.harfbuzz_subset = harfbuzz if subsetter == "harfbuzz" else None
            # write_pdfs gives (the PDFs, their page counts): the one PDF is what is timed and weighed.
            row[subsetter] = (timed(lambda: pdf.write_pdfs(single)[0][0], runs),
                              timed(lambda: HTML(string=page, base_url=base_url).write_pdf(), runs))
        weasyprint.pdf.fonts.harfbuzz_subset = harfbuzz
        # What a naive script does: the `weasyprint` command, a new process per leaflet.
        command = [str(Path(sys.executable).with_name("weasyprint")), "--base-url", base_url, "-", "-"]
        row["command"] = (row["harfbuzz"][0], timed(lambda: subprocess.run(
            command, input=page.encode(), capture_output=True, check=True).stdout, repeats))
        rows.append(row)
    return rows, cut_time


KINDS = {  # how plain WeasyPrint renders the leaflet
    "harfbuzz": "HarfBuzz subsetting (median of {repeats})",
    "fonttools": "fontTools subsetting (1 run)",
    "command": "a process per leaflet (median of {repeats})",
}


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

    rows, cut_time = per_leaflet(args.repeats)
    print(f"\nper leaflet: this pipeline beside plain WeasyPrint on the same HTML and system font; "
          f"cutting one document's fonts takes {cut_time * 1000:.0f} ms")
    print(f"{'locale':>7} {'plain WeasyPrint':>36} {'ours s':>7} {'plain s':>8} {'speed-up':>9} "
          f"{'ours KB':>8} {'plain KB':>9}")
    for row in rows:
        for kind, label in KINDS.items():
            (ours, ours_size), (plain, plain_size) = row[kind]
            print(f"{row['lang']:>7} {label.format(repeats=args.repeats):>36} {ours:>7.2f} {plain:>8.2f} {plain / ours:>8.1f}x "
                  f"{ours_size / 1000:>8.0f} {plain_size / 1000:>9.0f}")

    print("\ntargets (2 cores):")
    if 50 in results:
        print(f"  50 documents cold <= 60 s: {results[50]['cold']:.1f} s")
    if 1 in results and 30 in results:
        ratio = (results[30]["cold"] / 30) / results[1]["cold"]
        print(f"  per-document cost at 30 <= 1/3 of a 1-document build: {ratio:.2f}")
    worst = max(r["noop"] / r["cold"] for r in results.values())
    print(f"  no-op rebuild <= 5 % of cold: worst {worst:.1%}")
    for kind, label in KINDS.items():
        print(f"  leaflet >= 3x faster than plain WeasyPrint, {label.split(' (')[0]}: "
              + ", ".join(f"{r['lang']} {r[kind][1][0] / r[kind][0][0]:.1f}x" for r in rows))
    print(f"  single-language leaflet <= 150 KB: " + ", ".join(f"{r['lang']} {r['harfbuzz'][0][1] / 1000:.0f} KB"
                                                            for r in rows))


if __name__ == "__main__":
    main()
