"""Publishing: check every catalog, render what may be published, and swap it into output/ at once."""

from __future__ import annotations

import gettext
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import catalogs, checks, extract, fonts, leaflets, pages, render, source
from .config import Project
from .errors import InputError
from .locales import Lang


@dataclass
class State:
    """Everything a check or a build reads: documents, the current template, each catalog's report."""

    documents: list[source.Document]
    reports: list[checks.Report]
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
    (staging / "site").mkdir(parents=True)
    (staging / "print").mkdir()
    shutil.copyfile(project.templates_dir / "site.css", staging / "site" / "site.css")
    groups = []
    for lang in langs:
        translations = state.translations.get(lang.code, gettext.NullTranslations())
        env = render.environment(project, lang, translations)
        font = fonts.find(project.font_family(lang))
        localizer = render.Localizer(translations)
        items = []
        for doc in state.documents:
            context = {"publisher": project.publisher, "draft": draft}
            html = pages.render_page(env, doc, lang, langs, project.site_url, **context)
            _write(staging / "site" / pages.page_path(lang, doc.slug), html.encode("utf-8"))
            url = pages.page_url(project.site_url, lang, doc.slug)
            leaflet = leaflets.render_leaflet(env, doc, lang, font, project.templates_dir, page_url=url,
                                      qr_svg=leaflets.qr_svg(url), keywords=localizer.plain(doc.title),
                                      **context)
            _write(staging / "print" / pages.leaflet_name(lang, doc.slug), leaflet.pdf)
            _write(staging / "site" / lang.url / pages.leaflet_name(lang, doc.slug), leaflet.pdf)
            items.append({"href": pages.page_path(lang, doc.slug), "title": localizer.plain(doc.title)})
        groups.append({"lang": lang, "pages": items})
    source_env = render.environment(project, project.source_lang, gettext.NullTranslations())
    index = pages.render_index(source_env, project.source_lang, groups, publisher=project.publisher)
    _write(staging / "site" / "index.html", index.encode("utf-8"))


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
