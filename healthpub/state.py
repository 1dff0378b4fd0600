"""The build state: what a check or a build reads, gathered once. The documents, the catalog
templates they and the templates make now, and each locale's catalogs with their QA report."""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field

import polib
from babel.messages.catalog import Catalog

from . import catalogs, checks, extract, source
from .config import Project
from .errors import InputError
from .locales import Lang


@dataclass
class State:
    documents: list[source.Document]
    templates: dict[str, Catalog]  # by domain: the messages the sources and templates need now
    langs: list[Lang]  # every language the site shows: documents' own and the published translations
    published: list[Lang]  # the translations of locales/LINGUAS
    reports: list[checks.Report] = field(default_factory=list)  # per locale
    catalogs: dict[tuple[str, str], polib.POFile] = field(default_factory=dict)  # by (locale, domain)
    translations: dict[tuple[str, str], gettext.NullTranslations] = field(default_factory=dict)

    def blocking(self) -> list[checks.Report]:
        return [r for r in self.reports if r.published and r.errors]

    def doc_langs(self, doc: source.Document) -> list[Lang]:
        """The languages a document is published in: its own first, then every published
        translation; of those, the ones this build shows."""
        return [lang for lang in dict.fromkeys([doc.lang, *self.published]) if lang in self.langs]

    def translation(self, lang: Lang, domain: str) -> gettext.NullTranslations:
        """A domain's messages in a language; the messages themselves where it is their own language."""
        return self.translations.get((lang.code, domain)) or gettext.NullTranslations()


def gather(project: Project) -> State:
    paths = project.documents()
    if not paths:
        raise InputError(project.source_dir, None, "no documents", "add a Markdown file such as source/<slug>.md")
    documents = [source.load(path, project.source_lang) for path in paths]
    templates = extract.build_templates(project, documents)
    glossary = checks.load_glossary(project.glossary_path)
    published = project.published_langs()
    langs = list(dict.fromkeys([project.source_lang, *(doc.lang for doc in documents), *published]))
    state = State(documents, templates, langs, published)
    for lang in list(dict.fromkeys(langs + project.catalog_langs())):
        report = checks.new_report(lang, published=lang in langs)
        for domain in project.domains_for(lang, list(templates)):
            path = project.po_path(lang.code, domain)
            catalog = catalogs.load(path) if path.exists() else polib.POFile()
            checks.check(report, catalog, path, templates[domain], project.written_in(domain), documents, glossary)
            state.catalogs[(lang.code, domain)] = catalog
            state.translations[(lang.code, domain)] = catalogs.translations(catalog)
        if report.paths:
            state.reports.append(report)
    return state
