"""Publishing: check every catalog, render what may be published, and swap it into output/ at once."""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import functools
import hashlib
import io
import importlib.metadata
import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import tempfile
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

from . import extract, fonts, leaflets, output, pages, render, search, source, stamp
from .config import Project
from .errors import InputError
from .report import publish as publish_report, stage as stage_report
from .locales import Lang
from .cache import Table, digest
from .state import State

RENDER_TIMEOUT = 120  # seconds one leaflet may take
JOBS_PER_PROCESS = 10  # then a rendering process is replaced: about 0.4 MB it cannot free per job
PACKAGE = Path(__file__).parent
# Anything that changes how the same HTML becomes a PDF invalidates the cached PDFs: the code that
# runs in the rendering process (WeasyPrint, the font cut, the QR codes) and its libraries' versions.
VERSIONS = b"".join([*((PACKAGE / name).read_bytes() for name in ("pdf.py", "fonts.py", "leaflets.py")),
                     *(importlib.metadata.version(name).encode() for name in ("weasyprint", "uharfbuzz", "segno", "pypdfium2", "pillow"))])


@dataclass(frozen=True)
class Result:
    files: list[str]  # every file of the output folder, relative to it
    written: list[str]  # those this build changed
    rendered: int  # documents whose leaflets were rendered (not taken from the cache)
    over_budget: list[str]  # "source/x.md: the vi leaflet needs 3 pages; its budget is 2", where allowed


def build(project: Project, state: State, draft: bool = False, force: bool = False,
          workers: int | None = None, progress=None, shard: tuple[int, int] = (1, 1),
          timeout: float = RENDER_TIMEOUT, inputs: str | None = None, into: Path | None = None,
          allow_over_budget: bool = False, report: bool = True, with_leaflets: bool = True,
          scheduler: str | None = None) -> Result:
    """Render every document's pages and leaflets in each of its languages, then publish them into
    `into` (output/) at once. Each file goes to the staging build as it is made, so memory does not
    grow with the site. Leaflets whose inputs did not change come from the cache; the others are
    rendered by local processes, or by the Dask cluster at `scheduler` (tcp://host:8786). Shard i
    of n renders the leaflets of every n-th document from the i-th (the pages, all of them, are
    cheap); the shards' output/ folders merge by copying one over the other. `inputs`, the
    fingerprint taken before `state` was gathered (stamp.fingerprint), is recorded with the output. A leaflet over its
    page budget fails the build, unless `allow_over_budget` (the pseudo-locale's trial), which lists
    it. The review report goes along into output/report/ unless `report` is false. Without
    `with_leaflets` (the preview's first pass), the leaflets and the search index are left out and
    the leaflets' cache left as it is; the pages are switched in as soon as they are made, with the
    report before, and the new report follows them, switched in on its own."""
    into = into or project.output_dir
    for lang in state.langs:  # a language the leaflet font cannot print is refused before anything renders
        fonts.require_script(lang, project.font_families(lang))
    drafts = _drafts(project, state) if draft else set()
    units = Table(project.cache_dir / "units" / f"{into.name}.pickle")
    if with_leaflets and not scheduler:
        forkserver()  # if not yet started (cli.cmd_build starts it before gathering the state)
    index, count = shard
    documents = state.documents[index - 1::count]
    with output.Staging(into) as staging, concurrent.futures.ThreadPoolExecutor(2) as background:
        site = _Site(project, state, drafts, staging, units)

        def pages_and_report():
            site.pages()
            # Search covers the documents' pages (the homes and lists would only repeat their titles):
            # Pagefind, another process, indexes them while the leaflets render. The preview's first
            # pass shows the pages at once; search follows with the leaflets.
            searching = background.submit(search.index, {name: staging.folder / "site" / name
                                                         for name in site.document_pages},
                                          project.cache_dir / "search" / into.name) if with_leaflets else None
            if report and with_leaflets:
                stage_report(project, state, staging)
            elif report:  # the author looks at a page: it goes first, beside the report before
                staging.carry(name for name in staging.shown if name.startswith("report/"))
            return searching

        def plans():
            for doc in documents:
                if making.done() and making.exception():
                    making.result()  # the pages failed: their error, and no further leaflet
                yield site.leaflets(doc)

        # The pages and the report are made on a thread while the leaflets render, so that an edited
        # document's leaflets are on their way at once.
        making = background.submit(pages_and_report)
        renders, over_budget = _within_budgets(documents, state, allow_over_budget, _render_pdfs(
            project.cache_dir / "pdf" / into.name, plans(), len(documents), force, workers, progress, timeout,
            scheduler)) if with_leaflets else ([], [])
        searching = making.result()
        for doc, (editions, folder, meta, fresh) in zip(documents, renders):
            langs = state.doc_langs(doc)
            by_html = langs + langs  # the language of each of the job's HTML: the leaflets, then the large prints
            for number, (name, parts) in enumerate(editions):
                staging.add(f"print/{name}", folder / str(number), cached=True)
                # Every edition is also offered beside the pages of its first language, with a picture
                # of its first page for the leaflet shelf.
                first = by_html[parts[0]]
                staging.add(f"site/{first.url}/{name}", folder / str(number), cached=True)
                staging.add(f"site/{first.url}/{name.removesuffix('.pdf')}.webp", folder / f"t{number}", cached=True)
                site.shelve(doc, first, name, [by_html[i] for i in parts], parts[0] >= len(langs),
                            sum(meta["pages"][i] for i in parts), meta["sizes"][number])
        site.shelves()
        if searching:
            for name, data in searching.result().items():
                staging.add(f"site/{name}", data)
        rendered = sum(fresh for *_, fresh in renders)
        if inputs:
            stamp.clear(project)
        written = staging.commit()
    files = sorted(staging.names)
    if report and not with_leaflets:
        written = sorted({*written, *publish_report(project, state, into)})
        files = sorted(output.files(into))
    units.save(prune=with_leaflets and shard == (1, 1))  # a part of a build keeps what the rest needs
    if inputs:
        stamp.record(project, inputs)
    return Result(files, written, rendered, over_budget)


def _within_budgets(documents: list[source.Document], state: State, allow_over_budget: bool,
                    renders: Iterable[tuple[tuple, Path, dict, bool]]) -> tuple[list, list[str]]:
    """The renders (`_render_pdfs`), each document's held to its page budgets as it comes: one
    over its budget stops the build, unless `allow_over_budget`; with the list of those over it."""
    kept, over_budget = [], []
    for doc, render_ in zip(documents, renders):
        langs = state.doc_langs(doc)
        budgets = [("leaflet", "page_budget", doc.page_budget)] * len(langs) + \
            [("large-print leaflet", "large_print_budget", doc.large_print_budget)] * len(langs)
        for lang, pages_, (what, key, budget) in zip(langs + langs, render_[2]["pages"], budgets):
            if pages_ > budget:
                problem = InputError(doc.path, None, f"the {lang.code} {what} needs {pages_} pages; its budget "
                                     f"is {budget}", f"shorten the text or raise {key} in the front matter")
                if not allow_over_budget:
                    raise problem
                over_budget.append(str(problem))
        kept.append(render_)
    return kept, over_budget


def _drafts(project: Project, state: State) -> set[str]:
    """What a draft build marks as a draft: each document past its review date (its slug); in a
    locale that fails its check, each document holding a failing message ("zh_TW/slug"), or the
    whole locale (its code) where a failing message is in no document (the interface's). The lists
    of a locale with a draft in it (homes, topics, shelves) are marked too. So an edit in a preview
    marks, and renders again, the leaflets of its document alone."""
    marks = {review.doc.slug for review in state.overdue()}
    texts = {doc.slug: {segment.text for segment in doc.segments()} for doc in state.documents}
    for report in state.blocking():
        for finding in report.errors:
            interface = Path(finding.path).stem == project.domain()
            holders = [] if interface else [slug for slug, held in texts.items() if finding.msgid in held]
            marks |= {f"{report.lang.code}/{slug}" for slug in holders} or {report.lang.code}
    return marks


class _Site:
    """The web pages of a build, in every language, staged as they are made: each document's page,
    the homes, topics, search pages, 404 pages, the language chooser and the sitemap (cheap, so
    always made); each document's leaflet job; then, once the leaflets are rendered, the leaflet
    shelves. `drafts` holds what to mark as drafts (see `_drafts`)."""

    def __init__(self, project: Project, state: State, drafts: set[str], staging: output.Staging | None = None,
                 units: Table | None = None):
        self.project, self.state, self.drafts, self.staging = project, state, drafts, staging
        self.units = units or Table(Path(os.devnull))  # what each document's page and leaflets were made of
        self.env = render.environment(project)
        # Files under content-hashed names in site/assets/, so that browsers may cache them forever.
        self.assets = {f"assets/{path.stem}.{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}{path.suffix}": path
                       for path in (project.templates_dir / "site.css", project.templates_dir / "search.js")}
        self.css, self.search_js = self.assets
        self.stylesheet = (project.templates_dir / "leaflet.css").read_bytes()
        self.shared = self._shared()
        self.titles: dict[tuple[str, str], str] = {}  # a document's title, by slug and locale
        self.shelf: dict[str, list[dict]] = {lang.code: [] for lang in state.langs}
        self.document_pages: list[str] = []  # under site/

    def _shared(self) -> bytes:
        """A hash of what every document's page and leaflets are made of, beside the document and
        its translations: the project's settings, the templates, the languages shown and their
        interface catalogs, the fonts, and the code that renders (cache.CODE, VERSIONS)."""
        project, state = self.project, self.state
        families = {family for lang in state.langs for family in project.font_families(lang)}
        return digest(repr(project), VERSIONS, repr([lang.code for lang in state.langs]),
                      repr([lang.code for lang in state.published]),
                      *(state.compiled.get((lang.code, project.domain()), b"") for lang in state.langs),
                      repr([fonts.find(family, weight) for family in sorted(families) for weight in fonts.WEIGHTS]),
                      render.templates_digest(project))

    def _inputs(self, doc: source.Document, lang: Lang) -> tuple[bytes | str, ...]:
        """What a document's page and leaflet in a language are made of, with `shared`: the
        document, its translation into the language, and whether it is marked as a draft."""
        doc_localizer, context = self._for_document(self.localizer(lang), self.context(lang), doc)
        return (self.shared, str(doc.path), doc.lang.code, "\n".join(doc.lines), lang.code, repr(context["draft"]),
                "\0".join(doc_localizer.text(segment) for segment in doc.segments()))

    def localizer(self, lang: Lang) -> render.Localizer:
        return render.Localizer(lang, self.state.translation(lang, self.project.domain()))

    def context(self, lang: Lang) -> dict:
        return {"publisher": self.project.publisher_name(lang),
                "draft": any(mark == lang.code or mark.startswith(f"{lang.code}/") for mark in self.drafts),
                "css": self.css}

    def pages(self) -> None:
        project, state, env = self.project, self.state, self.env
        for name, path in self.assets.items():
            self.staging.add(f"site/{name}", path)
        named: dict[str, list[Lang]] = {}  # every page name with its languages, for hreflang and the sitemap
        for doc in state.documents:
            named[pages.doc_page(doc.slug)] = state.doc_langs(doc)
        for key in project.topics:
            langs = [lang for lang in state.langs if any(key in doc.topics and lang in state.doc_langs(doc)
                                                         for doc in state.documents)]
            if langs:
                named[pages.topic_page(key)] = langs
        for name in ("index.html", "leaflets.html", "search.html"):
            named[name] = state.langs
        groups = []
        for lang in state.langs:
            localizer, context = self.localizer(lang), self.context(lang)
            items = []
            for doc in state.documents:
                doc_langs = state.doc_langs(doc)
                if lang not in doc_langs:
                    continue
                doc_localizer, doc_context = self._for_document(localizer, context, doc)
                path = pages.page_path(lang, pages.doc_page(doc.slug))
                self.staging.stage(f"site/{path}", self.units, ("page", *self._inputs(doc, lang)),
                                   lambda: pages.render_page(env, doc_localizer, doc, doc_langs, project.site_url,
                                                             topics=[self._topic(localizer, key) for key in doc.topics],
                                                             **doc_context))
                self.document_pages.append(path)
                self.titles[(doc.slug, lang.code)] = doc_localizer.plain(doc.title)
                items.append({"doc": doc, "href": pages.doc_page(doc.slug), "lang": lang,
                              "title": doc_localizer.plain(doc.title), "description": doc_localizer.plain(doc.description),
                              "last_reviewed": doc.last_reviewed, "leaflet": pages.leaflet_name(lang, doc.slug),
                              "large_print": pages.leaflet_name(lang, doc.slug, large=True)})
            items.sort(key=lambda item: (-item["last_reviewed"].toordinal(), item["title"]))
            groups.append({"lang": lang, "pages": [{"href": pages.page_path(lang, item["href"]), "title": item["title"]}
                                                   for item in items]})
            topics = [{**self._topic(localizer, key), "count": sum(key in item["doc"].topics for item in items)}
                      for key in project.topics]
            topics = [topic for topic in topics if topic["count"]]
            self._named(named, "home.html", lang, "index.html", documents=items, topics=topics)
            for topic in topics:
                listed = [{**item, "href": "../" + item["href"], "leaflet": "../" + item["leaflet"],
                           "large_print": "../" + item["large_print"]}
                          for item in items if topic["key"] in item["doc"].topics]
                self._named(named, "topic.html", lang, pages.topic_page(topic["key"]), topic=topic, documents=listed)
            self._named(named, "search.html", lang, "search.html", search_js=self.search_js)
            root = urlsplit(project.site_url).path  # the 404 page answers missing URLs at any depth
            not_found = pages.render_404(env, localizer, root, **context).encode("utf-8")
            self.staging.add(f"site/{lang.url}/404.html", not_found)
            if lang == state.langs[0]:  # the site's own language answers outside the language folders
                self.staging.add("site/404.html", not_found)
        chooser = self.localizer(state.langs[0])
        self.staging.add("site/index.html", pages.render_index(
            env, chooser, groups, css=self.css, site_url=project.site_url,
            publisher=project.publisher_name(state.langs[0])).encode("utf-8"))
        listed = {name: langs for name, langs in named.items() if name != "search.html"}  # noindex
        self.staging.add("site/sitemap.xml", pages.sitemap(project.site_url, listed).encode("utf-8"))
        self.staging.add("site/robots.txt", pages.robots(project.site_url).encode("utf-8"))
        self.named = named

    def _for_document(self, localizer: render.Localizer, context: dict,
                      doc: source.Document) -> tuple[render.Localizer, dict]:
        """A language's localizer and context, for one document: its messages, and its draft mark."""
        lang = localizer.lang
        doc_localizer = localizer.for_document(self.state.translation(lang, self.project.domain(doc.lang)))
        marked = {lang.code, doc.slug, f"{lang.code}/{doc.slug}"} & self.drafts
        return doc_localizer, {**context, "draft": bool(marked)}

    def leaflets(self, doc: source.Document) -> tuple[str, tuple, Callable[[], leaflets.Job]]:
        """The document's leaflets, planned: the key of their PDFs in the cache, their editions,
        and a function making their job. Making it (the HTML of every leaflet) is most of a build
        whose leaflets are cached, so the key and editions are kept by what the job is made of."""
        job = functools.cache(lambda: self.job(doc))  # made once, if at all
        inputs = ("leaflets", *(part for lang in self.state.doc_langs(doc) for part in self._inputs(doc, lang)))
        key, editions = self.units(lambda: (_pdf_key(job()), job().editions), *inputs)
        return key, editions, job

    def job(self, doc: source.Document) -> leaflets.Job:
        """The document's leaflets, as a job: a leaflet per language, a bilingual edition per
        language that has a partner (site.toml [bilingual_partners], else the document's own
        language): its sheet, then the partner's; and a large-print leaflet per language. Each font
        is cut down to what the document's leaflets use, so that its PDFs depend on nothing but the
        document. Every character is checked against its font first: no empty boxes."""
        project = self.project
        langs = self.state.doc_langs(doc)  # its own language first
        n = len(langs)
        htmls = []
        for large in (False, True):
            for lang in langs:
                doc_localizer, doc_context = self._for_document(self.localizer(lang), self.context(lang), doc)
                htmls.append(leaflets.render_html(
                    self.env, doc_localizer, doc, pages.page_url(project.site_url, lang, pages.doc_page(doc.slug)),
                    project.font_families(lang), large=large, **doc_context))
        pairs = [(i, langs.index(partner)) for i, lang in enumerate(langs)
                 if (partner := project.partner(lang, doc.lang)) != lang and partner in langs]
        names = [f"{doc.slug}.{lang.url}.pdf" for lang in langs] + \
            [f"{doc.slug}.{langs[i].url}.{langs[j].url}.pdf" for i, j in pairs] + \
            [f"{doc.slug}.{lang.url}.large.pdf" for lang in langs]
        parts = [(i,) for i in range(n)] + pairs + [(n + i,) for i in range(n)]
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
        return leaflets.Job(
            source=doc.path, htmls=tuple(htmls),
            editions=tuple(zip(names, parts)),
            stylesheet=self.stylesheet,
            fonts=tuple(subset for family, text in texts.items() for subset in fonts.subsets(family, text)),
        )

    def _named(self, named: dict[str, list[Lang]], template: str, lang: Lang, name: str, **context) -> None:
        html = pages.render_named(self.env, template, self.localizer(lang), name, named[name], self.project.site_url,
                                  **{**self.context(lang), **context})
        self.staging.add(f"site/{pages.page_path(lang, name)}", html.encode("utf-8"))

    def _topic(self, localizer: render.Localizer, key: str) -> dict:
        name = self.project.topics[key][0]
        return {"key": key, "label": localizer.interface.pgettext(extract.TOPIC, name)}

    def shelve(self, doc: source.Document, lang: Lang, name: str, langs: list[Lang], large: bool, pages_: int,
               size: list[int]) -> None:
        """A leaflet rendered for the shelf of its first language."""
        self.shelf[lang.code].append({"doc": doc, "href": name, "thumbnail": f"{name.removesuffix('.pdf')}.webp",
                                      "width": size[0], "height": size[1], "langs": langs, "large": large,
                                      "pages": pages_, "title": self.titles[(doc.slug, lang.code)], "title_lang": lang})

    def shelves(self) -> None:
        """Each language's leaflet shelf, rack order: by code, then title; each document's editions together."""
        for lang in self.state.langs:
            items = sorted(self.shelf[lang.code], key=lambda item: (item["doc"].code or "~", item["title"],
                                                                     item["large"], len(item["langs"])))
            html = pages.render_named(self.env, "leaflets.html", self.localizer(lang), "leaflets.html",
                                      self.named["leaflets.html"], self.project.site_url, leaflets=items,
                                      **self.context(lang))
            self.staging.add(f"site/{pages.page_path(lang, 'leaflets.html')}", html.encode("utf-8"))


def _pdf_key(job: leaflets.Job) -> str:
    """The name of a job's PDFs in the cache: a hash of all they are made of."""
    return hashlib.sha256(b"\0".join([*(html.encode() for html in job.htmls), repr(job.editions).encode(),
                                      repr(job.fonts).encode(), job.stylesheet, VERSIONS])).hexdigest()


def _render_pdfs(cache: Path, plans: Iterable[tuple[str, tuple, Callable[[], leaflets.Job]]], count: int,
                 force: bool, workers: int | None, progress, timeout: float,
                 scheduler: str | None) -> Iterator[tuple[tuple, Path, dict, bool]]:
    """Yields, in order, each planned document's editions (`_Site.leaflets`) with the cache folder
    of its PDFs, what the cache says of them, and whether they were rendered now: from the cache
    when their key is there, otherwise rendered, a document's layouts spread over the processes
    (leaflets.split). Only a few documents are in flight at once,
    so that memory does not grow with the site. The cache keeps, beside the PDFs (0, 1, …), a
    picture of each one's first page (t0, t1, …), and meta.json: its key, each language's page
    count and each picture's size."""
    cache.mkdir(parents=True, exist_ok=True)
    keys: set[str] = set()
    with contextlib.ExitStack() as stack:
        submit = None
        pending: collections.deque = collections.deque()  # (editions, key, a wait for its PDFs, or None if cached)
        window = 2 * (workers or os.cpu_count() or 1)
        done = 0

        def finish():
            nonlocal done
            editions, key, job, wait = pending.popleft()
            if wait is not None:
                try:
                    pdfs, pages, thumbnails = wait(timeout)
                except (multiprocessing.TimeoutError, TimeoutError):
                    raise InputError(job().source, None, f"its leaflets took over {timeout:g} s to render") from None
                except MemoryError:
                    raise InputError(job().source, None, f"its leaflets need over {leaflets.MEMORY_LIMIT >> 20} MB "
                                     "to render") from None
                _store(cache / key, pdfs, pages, thumbnails)
            done += 1
            if progress:
                progress(done, count)
            return editions, cache / key, json.loads((cache / key / "meta.json").read_text()), wait is not None

        for key, editions, job in plans:
            keys.add(key)
            wait = None
            if force or not (cache / key).is_dir():
                if submit is None:
                    submit = stack.enter_context(_engine(workers, scheduler))
                wait = _submit_parts(submit, job())
            pending.append((editions, key, job, wait))
            while pending and (pending[0][3] is None or sum(w is not None for *_, w in pending) > window):
                yield finish()
        while pending:
            yield finish()
    for stale in {p for p in cache.iterdir()} - {cache / key for key in keys}:
        shutil.rmtree(stale, ignore_errors=True)  # the cache holds what the current output is made of


def _submit_parts(submit, job: leaflets.Job):
    """Starts the job's parts (leaflets.split), so that its layouts spread over the workers; returns
    a wait for the whole job's PDFs."""
    parts = leaflets.split(job)
    waits = [submit(part.job) for part in parts]
    return lambda timeout: leaflets.join(job, parts, [wait(timeout) for wait in waits])


@contextlib.contextmanager
def _engine(workers: int | None, scheduler: str | None):
    """Where leaflets render: `submit(job)` starts one and returns a wait for its PDFs, which takes
    a timeout in seconds. Local processes (multiprocessing's Pool, for terminate(): a render past
    its time limit is killed, not awaited), or the workers of a Dask cluster, which need this
    package, its dependencies and the same fonts installed (README, "Rendering on a cluster").
    The local processes are forked from a server process that has imported WeasyPrint and nothing
    else, not from this one, whose memory grows with the site; and each is replaced after a few
    jobs, as the libraries under WeasyPrint keep some memory after every layout. Their temporary
    files (each job's fonts) go in a folder of this build's, removed with it: a process killed
    past its time limit cannot clean up after itself."""
    fonts.require_harfbuzz_subset()
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except OSError as err:
            raise InputError("--scheduler", None, f"cannot reach the Dask scheduler: {err}",
                             "start one (dask scheduler) or build without --scheduler") from None
        with client:
            yield lambda job: client.submit(leaflets.render_pdfs, job, pure=False).result
    else:
        with tempfile.TemporaryDirectory(prefix="healthpub-render-") as scratch, \
                forkserver().Pool(workers or os.cpu_count() or 1, initializer=_start_worker, initargs=(scratch,),
                                  maxtasksperchild=JOBS_PER_PROCESS) as pool:
            yield lambda job: pool.apply_async(leaflets.render_pdfs, (job,)).get


def _start_worker(scratch: str) -> None:
    """Run in each local rendering process before its first job."""
    leaflets.limit_memory()
    tempfile.tempdir = scratch


def forkserver() -> multiprocessing.context.ForkServerContext:
    """Where local rendering processes come from: a server process started in the background the
    first time, which imports WeasyPrint once and forks each of them."""
    context = multiprocessing.get_context("forkserver")
    # Each process imports the main script, as under spawn; the server has, once, for all.
    context.set_forkserver_preload(["__main__", f"{__package__}.pdf"])
    multiprocessing.forkserver.ensure_running()
    return context


def _store(folder: Path, pdfs: list[bytes], pages: list[int], thumbnails: list[bytes]) -> None:
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir()
        for i, (pdf, picture) in enumerate(zip(pdfs, thumbnails)):
            output.write(partial / str(i), pdf)
            output.write(partial / f"t{i}", picture)
        sizes = [list(Image.open(io.BytesIO(picture)).size) for picture in thumbnails]
        output.write(partial / "meta.json", json.dumps({"key": folder.name, "pages": pages, "sizes": sizes}).encode())
        for path in partial.iterdir():  # output/ links them: a tool writing a published file in place must fail
            path.chmod(0o444)
        shutil.rmtree(folder, ignore_errors=True)
        os.rename(partial, folder)  # never a half-written entry in the cache
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # what a full disk left of it
