"""`make bench`: build N copies of the sample document in its own language and every published translation, and time it.

`--site N[,N…]` measures sites of N distinct documents instead (bench/corpus.py): the samples of
source/ and generated variants of them, half written in English and half in Chinese, each with its
own wording and its approved translation, published in the languages of `--langs` (zh_TW and en by
default). It times every step of an author's loop through the command line, with the peak memory of
its largest process: extract, update, check, a cold build, a no-op build, one sentence of one
document and its translation changed (extract, update, check, build), and the preview
(`pipeline.py serve`) showing that sentence saved once more; it weighs the catalogs and the output,
and checks the figures against the targets, beside the same edit on the site of the samples alone
(N=2).

For each N it reports the cold build (no cache), a no-op rebuild, and a rebuild after one document
changed, all through the real command line. Then, per leaflet, this pipeline's PDF step beside
plain WeasyPrint rendering the same leaflet HTML with the same system font, in the same run.
A benchmark, not a test: it prints figures and checks them against the targets, nothing more.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import html
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from healthpub import config, fonts, leaflets, pages, pdf, publish  # noqa: E402
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
    job = publish._Site(project, state, drafts=set()).job(doc)  # its leaflets, then its large prints
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


# Runs a command and writes its time and its peak resident set (KiB): the largest of the command
# and of every child it waited for (the render workers). Measured one process down, because a
# process started from this one inherits this one's peak: exec keeps ru_maxrss.
MEASURE = """import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[2:])
elapsed = time.perf_counter() - start
open(sys.argv[1], "w").write(json.dumps([elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
sys.exit(code)"""


def pipeline(root: Path, *args: str) -> tuple[float, float, str]:
    """`pipeline.py ARGS` in the project at root: its time, its peak memory (MB) and its output;
    StepFailed with its output if it fails."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder, "figures.json")
        result = subprocess.run([sys.executable, "-I", "-c", MEASURE, str(figures), sys.executable,
                                 str(REPO / "pipeline.py"), *args], cwd=root, capture_output=True, text=True,
                                env=_env())
        elapsed, peak = json.loads(figures.read_text())
    peak /= 1024
    print(f"  pipeline.py {' '.join(args)}: {elapsed:.2f} s, {peak:.0f} MB, exit {result.returncode}",
          file=sys.stderr, flush=True)
    if result.returncode != 0:
        raise StepFailed(f"pipeline.py {' '.join(args)} exited {result.returncode} after {elapsed:.1f} s:\n"
                         + _tail(result.stderr or result.stdout))
    return elapsed, peak, result.stdout


def _reap(process: subprocess.Popen, block: bool = True) -> float | None:
    """Wait for the process with os.wait4 and return its peak resident set in MB: ru_maxrss (KiB on
    Linux), the largest of the process and of every child it waited for (the render workers).
    None if `block` is false and it is still running."""
    pid, status, usage = os.wait4(process.pid, 0 if block else os.WNOHANG)
    if pid == 0:
        return None
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024


# serve.py's status messages after a pages-only build and after a full one, and while it builds
# the leaflets; any other is a failed build's.
PAGES_SHOWN = "pages rebuilt; leaflets to follow"
UP_TO_DATE = "pages and leaflets up to date"
BUILDING = "building leaflets"
# s, for each wait of the preview: after the save, a locale whose check fails (the new sentence is in no
# catalog yet) becomes a draft, and every leaflet in it is rendered again.
PREVIEW_TIMEOUT = 1800
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never through a proxy


def preview(root: Path, made: corpus.Site) -> tuple[dict[str, float], float]:
    """`pipeline.py serve` in the project: once its first build is up, the edited sentence is saved
    once more (the document alone); the time until the document's page, in its own language (the
    sentence has no translation yet), shows it, and until the status says the leaflets are up to
    date again. Returns those times (s) and the server's peak memory (MB)."""
    log = root / "serve.log"  # not among the files serve watches
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(REPO / "pipeline.py"), "serve", "--port", "0"], cwd=root,
                                   stdout=out, stderr=subprocess.STDOUT, env=_env())
    times: dict[str, float] = {}
    peak = None

    def wait(what: str, ready):
        """Poll every 50 ms until ready() gives something; StepFailed if the server stops or times out."""
        nonlocal peak
        deadline = time.perf_counter() + PREVIEW_TIMEOUT
        while not (found := ready()):
            if (peak := _reap(process, block=False)) is not None or time.perf_counter() > deadline:
                raise StepFailed(f"pipeline.py serve: {what}: "
                                 + (f"exited {process.returncode}" if peak is not None else
                                    f"not within {PREVIEW_TIMEOUT} s") + ":\n" + _tail(log.read_text(encoding="utf-8")))
            time.sleep(0.05)
        return found

    try:
        # serve.py prints this line once its first build is done, then serves.
        url = urlsplit(wait("the first build", lambda: re.search(r"^Serving (http://\S+)",
                                                                 log.read_text(encoding="utf-8"), re.M))[1])
        times["preview_first"] = time.perf_counter() - start
        status_url = f"{url.scheme}://{url.netloc}/__preview/status"
        first = wait("its status", lambda: _status(status_url))
        if first["message"] != UP_TO_DATE:
            raise StepFailed(f"pipeline.py serve: the first build: {first['message']}")
        edit = made.edit
        page = url.geturl() + pages.page_path(edit["lang"], pages.doc_page(edit["path"].stem))
        sentence = " ".join(corpus.resave(made).split())
        saved = time.perf_counter()

        def shown() -> bool:
            if "preview_page" not in times and sentence in _page_text(_fetch(page)):
                times["preview_page"] = time.perf_counter() - saved
            status = _status(status_url)
            if status and status["version"] > first["version"]:  # a build since the save
                if status["message"] not in (PAGES_SHOWN, UP_TO_DATE, BUILDING):
                    raise StepFailed(f"pipeline.py serve: the build after the save: {status['message']}")
                if status["message"] == UP_TO_DATE:
                    times.setdefault("preview_leaflets", time.perf_counter() - saved)
            return "preview_page" in times and "preview_leaflets" in times
        wait("the page and the leaflets after the save", shown)
    finally:
        if peak is None:  # still running: stopped as by Ctrl-C, killed if it does not stop
            process.send_signal(signal.SIGINT)
            deadline = time.perf_counter() + 10
            while (peak := _reap(process, block=False)) is None and time.perf_counter() < deadline:
                time.sleep(0.1)
            if peak is None:
                process.kill()
                peak = _reap(process)
    return times, peak


def _status(url: str) -> dict | None:
    """The preview's /__preview/status: its build's version and message."""
    answer = _fetch(url)
    return json.loads(answer) if answer else None


def _fetch(url: str) -> str:
    """A page of the preview; "" while it cannot answer (the server switching builds)."""
    try:
        with _LOCAL.open(url, timeout=10) as answer:
            return answer.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return ""


def _page_text(page: str) -> str:
    """A page's text, as a reader sees it: no tags (a range's no-break span), no entities, single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", page)).split())


def _tail(text: str, lines: int = 40) -> str:
    kept = text.strip().splitlines()
    return "\n".join((["…"] if len(kept) > lines else []) + kept[-lines:])


def _size(folder: Path) -> tuple[int, int]:
    """Bytes and files under a folder; (0, 0) if there is none."""
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return sum(p.stat().st_size for p in files), len(files)


def site(documents: int, langs: list[str], keep: bool) -> dict:
    """A site of `documents` distinct documents: the samples of source/ and generated variants,
    published in `langs`."""
    tmp = tempfile.mkdtemp(prefix=f"healthpub-site{documents}-")
    root = Path(tmp)
    r: dict = {"docs": documents, "root": root, "times": {}, "peaks": {}}
    times, peaks = r["times"], r["peaks"]

    def step(key: str, *args: str) -> str:
        times[key], peaks[key], said = pipeline(root, *args)
        return said

    try:
        corpus.copy_project(REPO, root, langs)
        real = len(list((root / "source").glob("*.md")))
        r["variants"] = max(documents - real, 0)
        start = time.perf_counter()
        made = corpus.generate(root, r["variants"])
        times["generate"] = time.perf_counter() - start
        r["docs"] = len(list((root / "source").glob("*.md")))
        step("extract", "extract")
        step("update", "update")
        start = time.perf_counter()
        left = corpus.approve(made.translations)
        times["approve"] = time.perf_counter() - start
        r["unapproved"] = sum(left.values())
        r["messages"] = corpus.message_counts(root)
        said = step("check", "check")
        r["check"] = said
        r["findings"] = {kind: len(re.findall(rf"^\s+\S.*?:\d+: {kind}: ", said, re.M)) for kind in ("error", "warning")}
        r["locales"] = re.findall(r"^\S+ \((?:not )?published\): .*$", said, re.M)
        r["cold_said"] = step("cold", "build").strip()
        r["leaflets"] = len(list((root / "output/print").glob("*.pdf")))
        said = step("noop", "build")
        if "nothing rewritten" not in said:
            raise StepFailed(f"the no-op build rewrote files: {said.strip()}")
        # The author's loop: one sentence edited, extracted, merged, translated (approve), checked, built.
        translations = corpus.edit_one(made)
        step("edit_extract", "extract")
        step("edit_update", "update")
        corpus.approve(translations)
        step("edit_check", "check")
        r["one_said"] = step("one", "build").strip()
        if "leaflets of 1 documents rendered" not in r["one_said"]:
            raise StepFailed(f"the one-document build rendered another number of documents: {r['one_said']}")
        preview_times, peaks["serve"] = preview(root, made)
        times.update(preview_times)
    except StepFailed as err:
        r["failed"] = str(err)
    finally:
        out = root / "output"
        r["sizes"] = {name: _size(out / name) for name in ("site", "print", "site/pagefind")}
        r["catalog_bytes"] = _size(root / "locales")
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return r


# The steps whose peak memory is reported, as the tables name them.
STEPS = {"extract": "extract", "update": "update", "check": "check", "cold": "cold build", "noop": "no-op build",
         "edit_extract": "edit: extract", "edit_update": "edit: update", "edit_check": "edit: check",
         "one": "edit: build", "serve": "preview server"}


def _edit_time(r: dict) -> float | None:
    """One sentence edited: extract + update + build (the approval stands for the translator)."""
    keys = ("edit_extract", "edit_update", "one")
    return sum(r["times"][k] for k in keys) if all(k in r["times"] for k in keys) else None


def _peak(r: dict) -> float | None:
    return max(r["peaks"].values()) if r["peaks"] else None


def _ratio(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def print_sites(results: list[dict], langs: list[str]) -> None:
    def s(r: dict, key: str) -> str:
        return f"{r['times'][key]:.2f}" if key in r["times"] else "-"

    def mb(r: dict, key: str) -> str:
        size, files = r["sizes"][key]
        return f"{size / 1e6:.1f}" if files else "absent"

    print(f"published: {' '.join(langs)}")
    print(f"{'docs':>5} {'leaflets':>9} {'extract s':>10} {'update s':>9} {'check s':>8} {'cold s':>8} "
          f"{'no-op s':>8} {'one-doc s':>10} {'s/doc':>6} {'site MB':>8} {'print MB':>9} {'pagefind MB':>12}")
    for r in results:
        per_doc = f"{r['times']['cold'] / r['docs']:.2f}" if "cold" in r["times"] else "-"
        print(f"{r['docs']:>5} {r.get('leaflets', '-'):>9} {s(r, 'extract'):>10} {s(r, 'update'):>9} "
              f"{s(r, 'check'):>8} {s(r, 'cold'):>8} {s(r, 'noop'):>8} {s(r, 'one'):>10} {per_doc:>6} "
              f"{mb(r, 'site'):>8} {mb(r, 'print'):>9} {mb(r, 'site/pagefind'):>12}")
    print("\npeak memory, MB (ru_maxrss of the largest process: the pipeline or a render worker)")
    print(f"{'docs':>5} " + " ".join(f"{name:>{max(len(name), 6)}}" for name in STEPS.values()))
    for r in results:
        print(f"{r['docs']:>5} " + " ".join(
            f"{r['peaks'][key]:>{max(len(name), 6)}.0f}" if key in r["peaks"] else f"{'-':>{max(len(name), 6)}}"
            for key, name in STEPS.items()))
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
                  f"check {t['edit_check']:.2f} s, then the build {t['one']:.2f} s ({r['one_said']})")
        if "preview_first" in t:
            print(f"  preview: first build {t['preview_first']:.2f} s; after a save, the page "
                  f"{t.get('preview_page', float('nan')):.2f} s, the leaflets {t.get('preview_leaflets', float('nan')):.2f} s")
        for key in ("site", "print", "site/pagefind"):
            size, files = r["sizes"][key]
            print(f"  output/{key}: " + (f"{files} files, {size / 1e6:.1f} MB" if files else "absent"))
        if "failed" in r:
            print(f"  FAILED: {r['failed']}")
    print_targets(results)


def print_targets(results: list[dict]) -> None:
    """Every figure of the targets, for each site, and whether it is met."""
    base = next((r for r in results if r.get("variants") == 0), None)  # the samples alone

    def time_of(key):
        return lambda r, previous: r["times"].get(key)

    def largest(r, previous):
        return _peak(r)

    def memory_change(r, previous):
        ratio = _ratio(_peak(r), previous and _peak(previous))
        return None if ratio is None else ratio - 1

    rows = [  # what, the target, its figure for a site (given the site before it), met, the figure's format
        ("check cold", "≤ 2 s", time_of("check"), lambda v: v <= 2, "{:.2f} s"),
        ("check after one document changed", "≤ 1 s", time_of("edit_check"), lambda v: v <= 1, "{:.2f} s"),
        ("one sentence edited: extract + update + build", "≤ 3 s", lambda r, p: _edit_time(r),
         lambda v: v <= 3, "{:.2f} s"),
        (f"  the same edit on the {base['docs'] if base else 2}-document site", "≤ 1.5×",
         lambda r, p: _ratio(_edit_time(r), base and _edit_time(base)), lambda v: v <= 1.5, "{:.2f}×"),
        ("preview: save → page shows it", "≤ 1 s", time_of("preview_page"), lambda v: v <= 1, "{:.2f} s"),
        ("preview: leaflets follow", "", time_of("preview_leaflets"), None, "{:.2f} s"),
        ("no-op build", "≤ 0.3 s", time_of("noop"), lambda v: v <= 0.3, "{:.2f} s"),
        ("cold build", "≤ 120 s", time_of("cold"), lambda v: v <= 120, "{:.1f} s"),
        ("peak memory (largest process)", "≤ 300 MB", largest, lambda v: v <= 300, "{:.0f} MB"),
        ("  beside the site before it", "within ±20 %", memory_change, lambda v: abs(v) <= 0.2, "{:+.0%}"),
    ]
    width = 24
    print(f"\ntargets (2 cores):\n{'':<46} {'target':>13} " + " ".join(f"{str(r['docs']) + ' docs':>{width}}"
                                                                    for r in results))
    for what, target, figure, met, form in rows:
        cells = []
        for i, r in enumerate(results):
            value = figure(r, results[i - 1] if i else None)
            verdict = "" if value is None or met is None else " met" if met(value) else " NOT MET"
            cells.append(f"{'-' if value is None else form.format(value)}{verdict:>8}")
        print(f"{what:<46} {target:>13} " + " ".join(f"{cell:>{width}}" for cell in cells))
    if base is None:
        print("(the same edit on the site of the samples alone: not measured; add 2 to --site)")


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
                        help="instead: sites of N distinct documents (the samples and generated variants; 2 is "
                             "the samples alone), each step timed with its peak memory: extract, update, check, "
                             "cold, no-op and one-document builds, the check after the edit, and the preview")
    parser.add_argument("--langs", default="zh_TW,en", metavar="CODE[,CODE…]",
                        help="with --site: the translations to publish, as locales/LINGUAS lists them (default "
                             "zh_TW,en, the targets' languages; zh_TW,en,vi,id,th for the sample's five)")
    parser.add_argument("--keep", action="store_true", help="with --site: keep the generated project, and say where")
    args = parser.parse_args()
    if args.site:
        langs = args.langs.split(",")
        if missing := [code for code in langs if not (REPO / "locales" / code / "LC_MESSAGES").is_dir()]:
            parser.error(f"--langs: no catalogs in locales/ for {', '.join(missing)}")
        results = []
        for n in (int(n) for n in args.site.split(",")):
            results.append(site(n, langs, args.keep) | {"keep": args.keep})
        print_sites(results, langs)
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
