"""Publishing: check every catalog, render what may be published, and swap it into output/ at once."""

from __future__ import annotations

import gettext
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import polib

from . import catalogs, checks, extract, fonts, leaflets, pages, render, source
from .config import Project
from .errors import InputError
from .locales import Lang


@dataclass
class State:
    """Everything a check or a build reads: documents, the current template, each catalog's report."""

    documents: list[source.Document]
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
    state = State(documents, [])
    for lang in project.catalog_langs():
        path = project.po_path(lang.code)
        catalog = catalogs.load(path)
        state.reports.append(checks.check(catalog, path, lang, template, documents, glossary,
                                          lang.code in published))
        state.catalogs[lang.code] = catalog
        state.translations[lang.code] = catalogs.translations(catalog)
    return state


def build(project: Project, state: State, draft: bool = False) -> list[Path]:
    """Render pages and leaflets for the source language and every published locale into a staging
    folder beside output/, then swap it in: output/ is never half-written."""
    langs = [project.source_lang] + project.published_langs()
    staging = project.root / "output.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _render_all(project, state, langs, staging, draft)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, project.output_dir)
    return sorted(p.relative_to(project.root) for p in project.output_dir.rglob("*") if p.is_file())


def _render_all(project: Project, state: State, langs: list[Lang], staging: Path, draft: bool) -> None:
    site, prints = staging / "site", staging / "print"
    css = _asset(project.templates_dir / "site.css", site)
    # Only the locales that failed their check are marked as drafts.
    drafts = {report.lang.code for report in state.blocking()} if draft else set()
    common = {"publisher": project.publisher, "site_url": project.site_url}
    groups = []
    for lang in langs:
        context = {**common, "draft": lang.code in drafts}
        translations = state.translations.get(lang.code, gettext.NullTranslations())
        env = render.environment(project, lang, translations)
        font = fonts.find(project.font_family(lang))
        localizer = render.Localizer(translations)
        items = []
        for doc in state.documents:
            html = pages.render_page(env, localizer, doc, lang, langs, css=css, **context)
            _write(site / pages.page_path(lang, doc.slug), html.encode("utf-8"))
            url = project.site_url + pages.page_path(lang, doc.slug)
            leaflet = leaflets.render_leaflet(env, doc, lang, font, project.templates_dir, page_url=url,
                                              qr_svg=leaflets.qr_svg(url), keywords=localizer.plain(doc.title),
                                              **context)
            _write(prints / pages.leaflet_name(lang, doc.slug), leaflet.pdf)
            _write(site / lang.url / pages.leaflet_name(lang, doc.slug), leaflet.pdf)
            items.append({"href": pages.page_path(lang, doc.slug), "title": localizer.plain(doc.title)})
        groups.append({"lang": lang, "pages": items})
        not_found = pages.render_404(env, lang, css=css, **context).encode("utf-8")
        _write(site / lang.url / "404.html", not_found)
        if lang == project.source_lang:
            _write(site / "404.html", not_found)
    source_env = render.environment(project, project.source_lang, gettext.NullTranslations())
    index = pages.render_index(source_env, project.source_lang, groups, css=css, **common)
    _write(site / "index.html", index.encode("utf-8"))
    slugs = [doc.slug for doc in state.documents]
    _write(site / "sitemap.xml", pages.sitemap(project.site_url, langs, slugs).encode("utf-8"))
    _write(site / "robots.txt", pages.robots(project.site_url).encode("utf-8"))


def _asset(path: Path, site: Path) -> str:
    """Copy a file into site/assets/ under a content-hashed name, so it can be cached forever."""
    data = path.read_bytes()
    name = f"assets/{path.stem}.{hashlib.sha256(data).hexdigest()[:12]}{path.suffix}"
    _write(site / name, data)
    return name


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _swap(staging: Path, output: Path) -> None:
    old = output.with_name(output.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    shutil.rmtree(old, ignore_errors=True)
