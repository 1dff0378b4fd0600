"""Publishing: check every catalog, render what may be published, and swap it into output/ at once."""

from __future__ import annotations

import gettext
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.catalog import Catalog

from . import catalogs, checks, extract, fonts, leaflets, pages, render, report, source
from .config import CONFIG_NAME, Project
from .errors import InputError
from .locales import Lang

RENDER_TIMEOUT = 120  # seconds one leaflet may take
PACKAGE = Path(__file__).parent
# Anything that changes how the same HTML becomes a PDF invalidates the cached PDFs: the code that
# runs in the rendering process (WeasyPrint, the font cut, the QR codes) and its libraries' versions.
VERSIONS = b"".join([*((PACKAGE / name).read_bytes() for name in ("pdf.py", "fonts.py", "leaflets.py")),
                     *(importlib.metadata.version(name).encode() for name in ("weasyprint", "uharfbuzz", "segno"))])


def fingerprint(project: Project, draft: bool, shard: tuple[int, int]) -> str:
    """A hash of everything a build reads: the project's files, the pipeline's code, the installed
    packages, the fonts and the options. Taken before the build reads anything, so that an edit
    made while it runs is seen by the next one."""
    digest = hashlib.sha256()
    folders = (project.source_dir, project.locales_dir, project.templates_dir)
    files = [project.root / CONFIG_NAME, *sorted(PACKAGE.glob("*.py")),
             *sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())]
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    installed = sorted(p.name for folder in sys.path if os.path.isdir(folder) for p in Path(folder).glob("*.dist-info"))
    families = {project.font_family(lang) for lang in [project.source_lang] + project.published_langs()}
    fonts_used = [fonts.find(family, weight) for family in sorted(families) for weight in fonts.WEIGHTS]
    digest.update(repr([sys.version, installed, fonts_used, os.environ.get("SOURCE_DATE_EPOCH"), draft, shard]).encode())
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


@dataclass
class State:
    """Everything a check or a build reads: documents, the current template, each catalog's report."""

    documents: list[source.Document]
    template: Catalog  # the messages the sources and templates need now
    reports: list[checks.Report]
    catalogs: dict[str, polib.POFile] = field(default_factory=dict)
    translations: dict[str, gettext.NullTranslations] = field(default_factory=dict)

    def blocking(self) -> list[checks.Report]:
        return [r for r in self.reports if r.published and r.errors]


def gather(project: Project) -> State:
    paths = project.documents()
    if not paths:
        raise InputError(project.source_dir, None, "no documents", "add a Markdown file such as source/<slug>.md")
    documents = [source.load(path) for path in paths]
    template = extract.build_template(project, documents)
    glossary = checks.load_glossary(project.glossary_path)
    published = {lang.code for lang in project.published_langs()}
    state = State(documents, template, [])
    for lang in project.catalog_langs():
        path = project.po_path(lang.code)
        catalog = catalogs.load(path)
        state.reports.append(checks.check(catalog, path, lang, template, documents, glossary,
                                          lang.code in published))
        state.catalogs[lang.code] = catalog
        state.translations[lang.code] = catalogs.translations(catalog)
    return state


@dataclass(frozen=True)
class Result:
    files: list[str]  # every file of output/, relative to it
    written: list[str]  # those this build changed
    rendered: int  # documents whose leaflets were rendered (not taken from the cache)


def build(project: Project, state: State, draft: bool = False, force: bool = False,
          workers: int | None = None, progress=None, shard: tuple[int, int] = (1, 1),
          timeout: float = RENDER_TIMEOUT, inputs: str | None = None) -> Result:
    """Render pages and leaflets for the source language and every published locale, then publish
    them into output/ at once. Leaflets whose inputs did not change come from the cache. Shard i of
    n renders the leaflets of every n-th document from the i-th (the pages, all of them, are cheap);
    the shards' output/ folders merge by copying one over the other. `inputs`, the fingerprint
    taken before `state` was gathered, is recorded for `current`."""
    langs = [project.source_lang] + project.published_langs()
    # Only the locales that failed their check are marked as drafts.
    drafts = {report.lang.code for report in state.blocking()} if draft else set()
    files, leaflet_html = _render_html(project, state, langs, drafts)
    index, count = shard
    jobs = _leaflet_jobs(project, state.documents[index - 1::count], langs, leaflet_html)
    rendered = 0
    for job, pdfs, fresh in _render_pdfs(project, jobs, langs, force, workers, progress, timeout):
        rendered += fresh
        for (name, parts), pdf in zip(job.editions, pdfs):
            files[f"print/{name}"] = pdf
            if len(parts) == 1:  # a single-language leaflet is also offered beside its page
                files[f"site/{langs[parts[0]].url}/{name}"] = pdf
    files.update(_report_files(project, state))
    stamp = project.cache_dir / "build.json"
    stamp.unlink(missing_ok=True)  # output/ is about to change: no stamp until it has
    written = _publish(files, project.output_dir)
    if inputs:
        stamp.write_text(json.dumps({"inputs": inputs, "output": _listing(project.output_dir)}), encoding="utf-8")
    return Result(sorted(files), written, rendered)


def write_report(project: Project, state: State) -> Path:
    """Only the review report, into output/report/ (for `check`, and for a build that was refused:
    the reviewer needs it most then). The rest of output/ stays as it was."""
    folder = project.output_dir / "report"
    _publish(_report_files(project, state, prefix=""), folder)
    return folder


def _report_files(project: Project, state: State, prefix: str = "report/") -> dict[str, bytes]:
    return {prefix + name: html.encode("utf-8") for name, html in report.render(project, state).items()}


def _render_html(project: Project, state: State, langs: list[Lang], drafts: set[str]):
    """Every page and every leaflet's HTML: cheap, so always done; the PDFs are what costs."""
    files: dict[str, bytes] = {}
    css = _asset(project.templates_dir / "site.css", files)
    common = {"publisher": project.publisher, "site_url": project.site_url}
    env = render.environment(project)
    localizers = {lang.code: render.Localizer(lang, state.translations.get(lang.code, gettext.NullTranslations()))
                  for lang in langs}
    leaflet_html: dict[tuple[str, str], str] = {}
    groups = []
    for lang in langs:
        localizer = localizers[lang.code]
        context = {**common, "publisher": project.publisher_name(lang), "draft": lang.code in drafts}
        items = []
        for doc in state.documents:
            html = pages.render_page(env, localizer, doc, langs, css=css, **context)
            files[f"site/{pages.page_path(lang, doc.slug)}"] = html.encode("utf-8")
            items.append({"href": pages.page_path(lang, doc.slug), "title": localizer.plain(doc.title)})
            leaflet_html[(doc.slug, lang.code)] = leaflets.render_html(
                env, localizer, doc, project.site_url + pages.page_path(lang, doc.slug), project.font_family(lang),
                **context)
        groups.append({"lang": lang, "pages": items})
        not_found = pages.render_404(env, localizer, css=css, **context).encode("utf-8")
        files[f"site/{lang.url}/404.html"] = not_found
        if lang == project.source_lang:
            files["site/404.html"] = not_found
    files["site/index.html"] = pages.render_index(env, localizers[project.source_lang.code], groups, css=css,
                                                  **common).encode("utf-8")
    slugs = [doc.slug for doc in state.documents]
    files["site/sitemap.xml"] = pages.sitemap(project.site_url, langs, slugs).encode("utf-8")
    files["site/robots.txt"] = pages.robots(project.site_url).encode("utf-8")

    return files, leaflet_html


def _leaflet_jobs(project: Project, documents: list[source.Document], langs: list[Lang],
                  leaflet_html: dict[tuple[str, str], str]) -> list[leaflets.Job]:
    """A job per document: a leaflet per language, and a bilingual edition (translation, then
    source) per translation. Each font is cut down to what the document's leaflets use, so that its
    PDFs depend on nothing but the document."""
    editions = [(i,) for i in range(len(langs))] + [(i, 0) for i in range(1, len(langs))]
    jobs = []
    for doc in documents:
        htmls = tuple(leaflet_html[(doc.slug, lang.code)] for lang in langs)
        texts: dict[str, str] = {}
        for html, lang in zip(htmls, langs):
            family = project.font_family(lang)
            texts[family] = texts.get(family, "") + leaflets.visible_text(html)
        jobs.append(leaflets.Job(
            source=doc.path, budget=doc.page_budget, htmls=htmls,
            labels=tuple(f"the {lang.code} leaflet" for lang in langs),
            editions=tuple((".".join([doc.slug, *(langs[i].url for i in parts), "pdf"]), parts) for parts in editions),
            base=project.templates_dir,
            fonts=tuple(subset for family, text in texts.items() for subset in fonts.subsets(family, text)),
        ))
    return jobs


def _check_glyphs(project: Project, job: leaflets.Job, langs: list[Lang]) -> None:
    """No empty boxes: every character of a leaflet must be in its font (a cached PDF passed already)."""
    for html, lang in zip(job.htmls, langs):
        family = project.font_family(lang)
        if gaps := fonts.missing(fonts.find(family), leaflets.visible_text(html)):
            shown = " ".join(f"{c!r} U+{ord(c):04X}" for c in gaps[:5])
            raise InputError(job.source, None, f"the {lang.code} leaflet has characters {family} cannot print: "
                             f"{shown}", "change the text or set another font in site.toml [fonts]")


def _render_pdfs(project: Project, jobs: list[leaflets.Job], langs: list[Lang], force: bool, workers: int | None,
                 progress, timeout: float):
    """Yields (job, its PDFs, whether they were rendered now): from the cache when the job's inputs
    are unchanged, otherwise rendered across processes, one document per process at a time."""
    cache = project.cache_dir / "pdf"
    cache.mkdir(parents=True, exist_ok=True)
    stylesheet = (project.templates_dir / "leaflet.css").read_bytes()
    keys = [hashlib.sha256(b"\0".join([*(html.encode() for html in job.htmls), repr(job.editions).encode(),
                                        repr(job.fonts).encode(), stylesheet, str(job.budget).encode(), VERSIONS])
                           ).hexdigest() for job in jobs]
    todo = [(job, key) for job, key in zip(jobs, keys) if force or not (cache / key).is_dir()]
    for job, _ in todo:
        _check_glyphs(project, job, langs)
    if todo:
        fonts.require_harfbuzz_subset()
        from . import pdf  # WeasyPrint is imported only when there is something to render

        # multiprocessing's Pool, for terminate(): a render past its time limit is killed, not awaited.
        with multiprocessing.Pool(min(workers or os.cpu_count() or 1, len(todo)), initializer=pdf.limit_memory) as pool:
            pending = [(job, key, pool.apply_async(pdf.write_pdfs, (job,))) for job, key in todo]
            for done, (job, key, result) in enumerate(pending, 1):
                try:
                    pdfs = result.get(timeout=timeout)
                except multiprocessing.TimeoutError:
                    raise InputError(job.source, None, f"its leaflets took over {timeout:g} s to render") from None
                except MemoryError:
                    raise InputError(job.source, None, f"its leaflets need over {pdf.MEMORY_LIMIT >> 20} MB "
                                     "to render") from None
                _store(cache / key, pdfs)
                if progress:
                    progress(done, len(todo))
    for stale in {p for p in cache.iterdir()} - {cache / key for key in keys}:
        shutil.rmtree(stale, ignore_errors=True)  # the cache holds what the current output is made of
    fresh = {key for _, key in todo}
    for job, key in zip(jobs, keys):
        yield job, [(cache / key / str(i)).read_bytes() for i in range(len(job.editions))], key in fresh


def _store(folder: Path, pdfs: list[bytes]) -> None:
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    for i, pdf in enumerate(pdfs):
        (partial / str(i)).write_bytes(pdf)
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


