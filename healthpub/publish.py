"""Publishing: check every catalog, render what may be published, and swap it into output/ at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from . import fonts, leaflets, pages, render, report, source
from .config import CONFIG_NAME, Project
from .errors import InputError
from .locales import Lang
from .state import State

RENDER_TIMEOUT = 120  # seconds one leaflet may take
PACKAGE = Path(__file__).parent
# Anything that changes how the same HTML becomes a PDF invalidates the cached PDFs: the code that
# runs in the rendering process (WeasyPrint, the font cut, the QR codes) and its libraries' versions.
VERSIONS = b"".join([*((PACKAGE / name).read_bytes() for name in ("pdf.py", "fonts.py", "leaflets.py")),
                     *(importlib.metadata.version(name).encode() for name in ("weasyprint", "uharfbuzz", "segno"))])


def fingerprint(project: Project, draft: bool, shard: tuple[int, int], today: dt.date) -> str:
    """A hash of everything a build reads: the project's files, the pipeline's code, the installed
    packages, the fonts, the options and the date (a review falls due). Taken before the build reads
    anything, so that an edit made while it runs is seen by the next one."""
    digest = hashlib.sha256()
    folders = (project.source_dir, project.locales_dir, project.templates_dir)
    files = [project.root / CONFIG_NAME, *sorted(PACKAGE.glob("*.py")),
             *sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())]
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    installed = sorted(p.name for folder in sys.path if os.path.isdir(folder) for p in Path(folder).glob("*.dist-info"))
    families = {family for lang in project.catalog_langs() + [project.source_lang]
                for family in project.font_families(lang)}
    fonts_used = [fonts.find(family, weight) for family in sorted(families) for weight in fonts.WEIGHTS]
    digest.update(repr([sys.version, installed, fonts_used, os.environ.get("SOURCE_DATE_EPOCH"), draft, shard,
                        today]).encode())
    return digest.hexdigest()


def current(project: Project, inputs: str) -> int | None:
    """How many files output/ holds, if a build from these very inputs made it and nothing has
    touched it since; None otherwise. A build with nothing to do stops here, in milliseconds."""
    try:
        stamp = json.loads((project.cache_dir / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    listing = _listing(project.output_dir)
    if stamp != {"inputs": inputs, "output": listing}:
        return None
    return len(listing)


def _listing(output: Path) -> list[list]:
    """Every file of output/ with what a rewrite or an edit changes: size, inode, modification time."""
    files = sorted(p for p in output.rglob("*") if p.is_file()) if output.exists() else []
    return [[str(p.relative_to(output)), p.stat().st_size, p.stat().st_ino, p.stat().st_mtime_ns] for p in files]


@dataclass(frozen=True)
class Result:
    files: list[str]  # every file of the output folder, relative to it
    written: list[str]  # those this build changed
    rendered: int  # documents whose leaflets were rendered (not taken from the cache)
    over_budget: list[str]  # "source/x.md: the vi leaflet needs 3 pages; its budget is 2", where allowed


def build(project: Project, state: State, draft: bool = False, force: bool = False,
          workers: int | None = None, progress=None, shard: tuple[int, int] = (1, 1),
          timeout: float = RENDER_TIMEOUT, inputs: str | None = None, output: Path | None = None,
          allow_over_budget: bool = False, report: bool = True) -> Result:
    """Render every document's pages and leaflets in each of its languages, then publish them into
    `output` (output/) at once. Leaflets whose inputs did not change come from the cache. Shard i of
    n renders the leaflets of every n-th document from the i-th (the pages, all of them, are cheap);
    the shards' output/ folders merge by copying one over the other. `inputs`, the fingerprint
    taken before `state` was gathered, is recorded for `current`. A leaflet over its page budget
    fails the build, unless `allow_over_budget` (the pseudo-locale's trial), which lists it. The
    review report goes along into output/report/ unless `report` is false."""
    output = output or project.output_dir
    for lang in state.langs:  # a language the leaflet font cannot print is refused before anything renders
        fonts.require_script(lang, project.font_families(lang))
    # Only the locales that failed their check, and the documents past their review date, are
    # marked as drafts.
    drafts = {report.lang.code for report in state.blocking()} | {r.doc.slug for r in state.overdue()} \
        if draft else set()
    files, leaflet_html = _render_html(project, state, drafts)
    index, count = shard
    documents = state.documents[index - 1::count]
    jobs = _leaflet_jobs(project, state, documents, leaflet_html)
    rendered, over_budget = 0, []
    cache = project.cache_dir / "pdf" / output.name
    for doc, (job, pdfs, pages, fresh) in zip(documents, _render_pdfs(cache, jobs, force, workers, progress, timeout)):
        rendered += fresh
        langs = state.doc_langs(doc)
        budgets = [("leaflet", "page_budget", doc.page_budget)] * len(langs) + \
            [("large-print leaflet", "large_print_budget", doc.large_print_budget)] * len(langs)
        for lang, count, (what, key, budget) in zip(langs + langs, pages, budgets):
            if count > budget:
                problem = InputError(doc.path, None, f"the {lang.code} {what} needs {count} pages; its budget is "
                                     f"{budget}", f"shorten the text or raise {key} in the front matter")
                if not allow_over_budget:
                    raise problem
                over_budget.append(str(problem))
        for (name, parts), pdf in zip(job.editions, pdfs):
            files[f"print/{name}"] = pdf
            if len(parts) == 1:  # a single-language leaflet is also offered beside its page
                files[f"site/{(langs + langs)[parts[0]].url}/{name}"] = pdf
    if report:
        files.update(_report_files(project, state))
    stamp = project.cache_dir / "build.json"
    if inputs:
        stamp.unlink(missing_ok=True)  # output/ is about to change: no stamp until it has
    written = _publish(files, output)
    if inputs:
        stamp.write_text(json.dumps({"inputs": inputs, "output": _listing(output)}), encoding="utf-8")
    return Result(sorted(files), written, rendered, over_budget)


def write_report(project: Project, state: State) -> Path:
    """Only the review report, into output/report/ (for `check`, and for a build that was refused:
    the reviewer needs it most then). The rest of output/ stays as it was."""
    folder = project.output_dir / "report"
    _publish(_report_files(project, state, prefix=""), folder)
    return folder


def _report_files(project: Project, state: State, prefix: str = "report/") -> dict[str, bytes]:
    return {prefix + name: html.encode("utf-8") for name, html in report.render(project, state).items()}


def _render_html(project: Project, state: State, drafts: set[str]):
    """Every page and every leaflet's HTML: cheap, so always done; the PDFs are what costs. `drafts`
    holds the locales and the documents (slugs) to mark as drafts."""
    files: dict[str, bytes] = {}
    css = _asset(project.templates_dir / "site.css", files)
    common = {"site_url": project.site_url}
    env = render.environment(project)
    leaflet_html: dict[tuple[str, str, bool], str] = {}  # by slug, locale and large print
    groups = []
    root = state.langs[0]  # the site's own language: the language chooser and the root 404 speak it
    for lang in state.langs:
        localizer = render.Localizer(lang, state.translation(lang, project.domain()))
        context = {**common, "publisher": project.publisher_name(lang), "draft": lang.code in drafts}
        items = []
        for doc in state.documents:
            doc_langs = state.doc_langs(doc)
            if lang not in doc_langs:
                continue
            doc_localizer = localizer.for_document(state.translation(lang, project.domain(doc.lang)))
            doc_context = {**context, "draft": context["draft"] or doc.slug in drafts}
            html = pages.render_page(env, doc_localizer, doc, doc_langs, css=css, **doc_context)
            files[f"site/{pages.page_path(lang, doc.slug)}"] = html.encode("utf-8")
            items.append({"href": pages.page_path(lang, doc.slug), "title": doc_localizer.plain(doc.title)})
            for large in (False, True):
                leaflet_html[(doc.slug, lang.code, large)] = leaflets.render_html(
                    env, doc_localizer, doc, project.site_url + pages.page_path(lang, doc.slug),
                    project.font_families(lang), large=large, **doc_context)
        groups.append({"lang": lang, "pages": items})
        not_found = pages.render_404(env, localizer, css=css, **context).encode("utf-8")
        files[f"site/{lang.url}/404.html"] = not_found
        if lang == root:
            files["site/404.html"] = not_found
            chooser = localizer
    files["site/index.html"] = pages.render_index(env, chooser, groups, css=css, **common,
                                                  publisher=project.publisher_name(root)).encode("utf-8")
    files["site/sitemap.xml"] = pages.sitemap(project.site_url, {doc.slug: state.doc_langs(doc)
                                                                  for doc in state.documents}).encode("utf-8")
    files["site/robots.txt"] = pages.robots(project.site_url).encode("utf-8")
    return files, leaflet_html


def _leaflet_jobs(project: Project, state: State, documents: list[source.Document],
                  leaflet_html: dict[tuple[str, str, bool], str]) -> list[leaflets.Job]:
    """A job per document: a leaflet per language, a bilingual edition (translation, then the
    document's own language) per translation, and a large-print leaflet per language. Each font is
    cut down to what the document's leaflets use, so that its PDFs depend on nothing but the
    document. Every character is checked against its font first: no empty boxes."""
    jobs = []
    for doc in documents:
        langs = state.doc_langs(doc)  # its own language first
        n = len(langs)
        htmls = tuple(leaflet_html[(doc.slug, lang.code, large)] for large in (False, True) for lang in langs)
        names = [f"{doc.slug}.{lang.url}.pdf" for lang in langs] + \
            [f"{doc.slug}.{lang.url}.{langs[0].url}.pdf" for lang in langs[1:]] + \
            [f"{doc.slug}.{lang.url}.large.pdf" for lang in langs]
        parts = [(i,) for i in range(n)] + [(i, 0) for i in range(1, n)] + [(n + i,) for i in range(n)]
        texts: dict[str, str] = {}
        for html, lang in zip(htmls, langs):
            families = project.font_families(lang)
            text = leaflets.visible_text(html)
            if gaps := fonts.missing(families, text):
                shown = " ".join(f"{c!r} U+{ord(c):04X}" for c in gaps[:5])
                raise InputError(doc.path, None, f"the {lang.code} leaflet has characters {' + '.join(families)} "
                                 f"cannot print: {shown}", "change the text or set another font in site.toml [fonts]")
            for family in families:
                texts[family] = texts.get(family, "") + text
        jobs.append(leaflets.Job(
            source=doc.path, htmls=htmls,
            editions=tuple(zip(names, parts)),
            base=project.templates_dir,
            fonts=tuple(subset for family, text in texts.items() for subset in fonts.subsets(family, text)),
        ))
    return jobs


def _render_pdfs(cache: Path, jobs: list[leaflets.Job], force: bool, workers: int | None, progress,
                 timeout: float):
    """Yields (job, its PDFs, the page count of each language, whether they were rendered now):
    from the cache when the job's inputs are unchanged, otherwise rendered across processes, one
    document per process at a time."""
    cache.mkdir(parents=True, exist_ok=True)
    stylesheet = (jobs[0].base / "leaflet.css").read_bytes() if jobs else b""
    keys = [hashlib.sha256(b"\0".join([*(html.encode() for html in job.htmls), repr(job.editions).encode(),
                                        repr(job.fonts).encode(), stylesheet, VERSIONS])
                           ).hexdigest() for job in jobs]
    todo = [(job, key) for job, key in zip(jobs, keys) if force or not (cache / key).is_dir()]
    if todo:
        fonts.require_harfbuzz_subset()
        from . import pdf  # WeasyPrint is imported only when there is something to render

        # multiprocessing's Pool, for terminate(): a render past its time limit is killed, not awaited.
        with multiprocessing.Pool(min(workers or os.cpu_count() or 1, len(todo)), initializer=pdf.limit_memory) as pool:
            pending = [(job, key, pool.apply_async(pdf.write_pdfs, (job,))) for job, key in todo]
            for done, (job, key, result) in enumerate(pending, 1):
                try:
                    pdfs, pages = result.get(timeout=timeout)
                except multiprocessing.TimeoutError:
                    raise InputError(job.source, None, f"its leaflets took over {timeout:g} s to render") from None
                except MemoryError:
                    raise InputError(job.source, None, f"its leaflets need over {pdf.MEMORY_LIMIT >> 20} MB "
                                     "to render") from None
                _store(cache / key, pdfs, pages)
                if progress:
                    progress(done, len(todo))
    for stale in {p for p in cache.iterdir()} - {cache / key for key in keys}:
        shutil.rmtree(stale, ignore_errors=True)  # the cache holds what the current output is made of
    fresh = {key for _, key in todo}
    for job, key in zip(jobs, keys):
        pdfs = [(cache / key / str(i)).read_bytes() for i in range(len(job.editions))]
        yield job, pdfs, json.loads((cache / key / "pages.json").read_text()), key in fresh


def _store(folder: Path, pdfs: list[bytes], pages: list[int]) -> None:
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    for i, pdf in enumerate(pdfs):
        (partial / str(i)).write_bytes(pdf)
    (partial / "pages.json").write_text(json.dumps(pages))
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(partial, folder)  # never a half-written entry in the cache


def _asset(path: Path, files: dict[str, bytes]) -> str:
    """A file under a content-hashed name in site/assets/, so that browsers may cache it forever."""
    data = path.read_bytes()
    name = f"assets/{path.stem}.{hashlib.sha256(data).hexdigest()[:12]}{path.suffix}"
    files[f"site/{name}"] = data
    return name


def _publish(files: dict[str, bytes], output: Path) -> list[str]:
    """Make output/ hold exactly `files`, swapped in whole: a build killed at any moment leaves the
    previous output as it was. Unchanged files are hard-linked, not rewritten; if nothing changed,
    nothing is touched. Returns the files that changed."""
    current = {str(p.relative_to(output)): p for p in output.rglob("*") if p.is_file()} if output.exists() else {}
    changed = [name for name, data in files.items()
               if name not in current or current[name].stat().st_size != len(data) or current[name].read_bytes() != data]
    if not changed and set(current) == set(files):
        return []
    staging = output.with_name(output.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for name, data in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name in changed:
                target.write_bytes(data)
            else:
                os.link(current[name], target)
        old = output.with_name(output.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if output.exists():
            os.rename(output, old)
        os.rename(staging, output)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(changed)


