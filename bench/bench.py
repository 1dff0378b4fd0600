"""`make bench`: build N copies of the sample document in its own language and every published translation, and time it.

`--site N` measures a site of N distinct documents instead (bench/corpus.py): the samples of source/
and generated variants of them, half written in English and half in Chinese, each with its own
wording and its approved translation. It times every step through the command line: extract,
update, check, a cold build, a no-op build, and a build after one sentence of one document and its
translation changed; and it weighs the catalogs and the output.

For each N it reports the cold build (no cache), a no-op rebuild, and a rebuild after one document
changed, all through the real command line. Then, per leaflet, this pipeline's PDF step beside
plain WeasyPrint rendering the same leaflet HTML with the same system font, in the same run.
A benchmark, not a test: it prints figures and checks them against the targets, nothing more.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import re
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

SAMPLE = "exosome-therapy"
TODAY = "2026-11-29"  # review dates are judged as on this day (HEALTHPUB_TODAY)


def make_project(root: Path, copies: int) -> Path:
    for name in ("locales", "templates", "site.toml", "babel.cfg"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    (root / "source").mkdir()
    text = (REPO / "source" / f"{SAMPLE}.md").read_text(encoding="utf-8")
    for i in range(copies):  # a leaflet code names one document: each copy gets its own
        copy = re.sub(r"(?m)^(code: [A-Z0-9-]+)$", rf"\1-{i:03d}", text)
        (root / "source" / f"{SAMPLE}-{i:03d}.md").write_text(copy, encoding="utf-8")
    return root


def timed_build(root: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "pipeline.py"), "build"], cwd=root,
                            capture_output=True, text=True, env=_env())
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed in {root}:\n{result.stderr}")
    return elapsed, result.stdout.strip()


def _env() -> dict[str, str]:
    return {**os.environ, "HEALTHPUB_TODAY": TODAY}


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


class StepFailed(Exception):
    pass


def pipeline(root: Path, *args: str) -> tuple[float, str]:
    """`pipeline.py ARGS` in the project at root, timed; StepFailed with its output if it fails."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "pipeline.py"), *args], cwd=root,
                            capture_output=True, text=True, env=_env())
    elapsed = time.perf_counter() - start
    print(f"  pipeline.py {' '.join(args)}: {elapsed:.2f} s, exit {result.returncode}", file=sys.stderr, flush=True)
    if result.returncode != 0:
        raise StepFailed(f"pipeline.py {' '.join(args)} exited {result.returncode} after {elapsed:.1f} s:\n"
                         + _tail(result.stderr or result.stdout))
    return elapsed, result.stdout


def _tail(text: str, lines: int = 40) -> str:
    kept = text.strip().splitlines()
    return "\n".join((["…"] if len(kept) > lines else []) + kept[-lines:])


def _size(folder: Path) -> tuple[int, int]:
    """Bytes and files under a folder; (0, 0) if there is none."""
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return sum(p.stat().st_size for p in files), len(files)


def site(documents: int, keep: bool) -> dict:
    """A site of `documents` distinct documents: the samples of source/ and generated variants."""
    tmp = tempfile.mkdtemp(prefix=f"healthpub-site{documents}-")
    root = Path(tmp)
    r: dict = {"docs": documents, "root": root, "times": {}}
    times = r["times"]
    try:
        corpus.copy_project(REPO, root)
        real = len(list((root / "source").glob("*.md")))
        start = time.perf_counter()
        made = corpus.generate(REPO, root, max(documents - real, 0))
        times["generate"] = time.perf_counter() - start
        r["docs"] = len(list((root / "source").glob("*.md")))
        times["extract"], _ = pipeline(root, "extract")
        times["update"], _ = pipeline(root, "update")
        start = time.perf_counter()
        left = corpus.approve(made.translations)
        times["approve"] = time.perf_counter() - start
        r["unapproved"] = sum(left.values())
        r["messages"] = corpus.message_counts(root)
        times["check"], said = pipeline(root, "check")
        r["check"] = said
        r["findings"] = {kind: len(re.findall(rf"^\s+\S.*?:\d+: {kind}: ", said, re.M)) for kind in ("error", "warning")}
        r["locales"] = re.findall(r"^\S+ \((?:not )?published\): .*$", said, re.M)
        times["cold"], said = pipeline(root, "build")
        r["cold_said"] = said.strip()
        r["leaflets"] = len(list((root / "output/print").glob("*.pdf")))
        times["noop"], said = pipeline(root, "build")
        if "nothing rewritten" not in said:
            raise StepFailed(f"the no-op build rewrote files: {said.strip()}")
        if made.edit is None:
            raise StepFailed("no generated document to edit: ask for more documents than source/ has")
        translations = corpus.edit_one(made)
        times["edit_extract"], _ = pipeline(root, "extract")
        times["edit_update"], _ = pipeline(root, "update")
        corpus.approve(translations)
        times["one"], said = pipeline(root, "build")
        r["one_said"] = said.strip()
        if "leaflets of 1 documents rendered" not in said:
            raise StepFailed(f"the one-document build rendered another number of documents: {said.strip()}")
    except StepFailed as err:
        r["failed"] = str(err)
    finally:
        out = root / "output"
        r["sizes"] = {name: _size(out / name) for name in ("site", "print", "site/pagefind")}
        r["catalog_bytes"] = _size(root / "locales")
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return r


def print_sites(results: list[dict]) -> None:
    def s(r: dict, key: str) -> str:
        return f"{r['times'][key]:.2f}" if key in r["times"] else "-"

    def mb(r: dict, key: str) -> str:
        size, files = r["sizes"][key]
        return f"{size / 1e6:.1f}" if files else "absent"

    print(f"{'docs':>5} {'leaflets':>9} {'extract s':>10} {'update s':>9} {'check s':>8} {'cold s':>8} "
          f"{'no-op s':>8} {'one-doc s':>10} {'s/doc':>6} {'site MB':>8} {'print MB':>9} {'pagefind MB':>12}")
    for r in results:
        per_doc = f"{r['times']['cold'] / r['docs']:.2f}" if "cold" in r["times"] else "-"
        print(f"{r['docs']:>5} {r.get('leaflets', '-'):>9} {s(r, 'extract'):>10} {s(r, 'update'):>9} "
              f"{s(r, 'check'):>8} {s(r, 'cold'):>8} {s(r, 'noop'):>8} {s(r, 'one'):>10} {per_doc:>6} "
              f"{mb(r, 'site'):>8} {mb(r, 'print'):>9} {mb(r, 'site/pagefind'):>12}")
    for r in results:
        t = r["times"]
        print(f"\n{r['docs']} documents ({r['root']}{'' if r.get('keep') else ', removed'}):")
        if "generate" in t:
            print(f"  generated in {t['generate']:.1f} s; translations filled and approved (polib) in "
                  f"{t.get('approve', 0):.1f} s, {r.get('unapproved', '?')} entries left unapproved")
        for name, count in r.get("messages", {}).items():
            print(f"  {name:<40} {count:>6} messages")
        if "catalog_bytes" in r:
            print(f"  locales/ {r['catalog_bytes'][0] / 1e6:.1f} MB")
        if "findings" in r:
            print(f"  check: {r['findings']['error']} errors, {r['findings']['warning']} warnings listed")
            for line in r["locales"]:
                print(f"    {line}")
        if "edit_extract" in t:
            print(f"  one sentence edited: extract {t['edit_extract']:.2f} s, update {t['edit_update']:.2f} s, "
                  f"then the build {t['one']:.2f} s ({r['one_said']})")
        for key in ("site", "print", "site/pagefind"):
            size, files = r["sizes"][key]
            print(f"  output/{key}: " + (f"{files} files, {size / 1e6:.1f} MB" if files else "absent"))
        if "failed" in r:
            print(f"  FAILED: {r['failed']}")


KINDS = {  # how plain WeasyPrint renders the leaflet
    "harfbuzz": "HarfBuzz subsetting (median of {repeats})",
    "fonttools": "fontTools subsetting (1 run)",
    "command": "a process per leaflet (median of {repeats})",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,30,50", help="numbers of documents (default 1,10,30,50)")
    parser.add_argument("--repeats", type=int, default=3, help="renders per leaflet for the medians")
    parser.add_argument("--site", metavar="N[,N…]",
                        help="instead: a site of N distinct documents (the samples and generated variants), "
                             "each step timed: extract, update, check, cold, no-op and one-document builds")
    parser.add_argument("--keep", action="store_true", help="with --site: keep the generated project, and say where")
    args = parser.parse_args()
    if args.site:
        results = []
        for n in (int(n) for n in args.site.split(",")):
            results.append(site(n, args.keep) | {"keep": args.keep})
        print_sites(results)
        sys.exit(1 if any("failed" in r for r in results) else 0)
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
