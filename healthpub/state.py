"""The build state: what a check or a build reads, gathered once. The documents with their
editorial review (schedule, plain language), the catalog templates they and the templates make
now, and each locale's catalogs with their QA report."""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.catalog import Catalog

from . import catalogs, checks, editorial, extract, source
from .cache import Table
from .config import Project
from .errors import InputError
from .locales import Lang


@dataclass
class State:
    documents: list[source.Document]
    templates: dict[str, Catalog]  # by domain: the messages the sources and templates need now
    langs: list[Lang]  # every language the site shows: documents' own and the published translations
    published: list[Lang]  # the translations of locales/LINGUAS
    today: dt.date | None = None  # the day review dates are judged as on
    reviews: list[editorial.DocumentReview] = field(default_factory=list)  # per document
    reports: list[checks.Report] = field(default_factory=list)  # per locale
    catalogs: dict[tuple[str, str], polib.POFile] = field(default_factory=dict)  # by (locale, domain)
    compiled: dict[tuple[str, str], bytes] = field(default_factory=dict)  # the catalogs as .mo, by (locale, domain)

    def blocking(self) -> list[checks.Report]:
        """The published locales whose catalogs have errors."""
        return [r for r in self.reports if r.published and r.errors]

    def overdue(self) -> list[editorial.DocumentReview]:
        """The documents whose editorial review has errors (past their review date)."""
        return [r for r in self.reviews if r.errors]

    def publishable(self) -> bool:
        return not self.blocking() and not self.overdue()

    def doc_langs(self, doc: source.Document) -> list[Lang]:
        """The languages a document is published in: its own first, then every published
        translation; of those, the ones this build shows."""
        return [lang for lang in dict.fromkeys([doc.lang, *self.published]) if lang in self.langs]

    def translation(self, lang: Lang, domain: str) -> gettext.NullTranslations:
        """A domain's messages in a language; the messages themselves where it is their own language."""
        compiled = self.compiled.get((lang.code, domain))
        return _runtime(compiled) if compiled else gettext.NullTranslations()


@functools.lru_cache(maxsize=16)  # the catalogs of one build's languages
def _runtime(compiled: bytes) -> gettext.NullTranslations:
    return catalogs.translations(compiled)


def gather(project: Project, today: dt.date) -> State:
    """Everything a check or a build reads; `today` decides which reviews are due. What was made of
    unchanged inputs before (a document's review, a catalog's entries, an entry's QA) is taken from
    .cache/ (see cache.py)."""
    paths = project.documents()
    if not paths:
        raise InputError(project.source_dir, None, "no documents", "add a Markdown file such as source/<slug>.md")
    documents = load_documents(project, paths)
    _unique_codes(documents)
    _known_topics(project, documents)
    folder = project.cache_dir
    with Table(folder / "extracted.pickle") as made:
        templates = extract.build_templates(project, documents, made)
    glossary = checks.load_glossary(project.glossary_path)
    published = project.published_langs()
    langs = list(dict.fromkeys([project.source_lang, *(doc.lang for doc in documents), *published]))
    with Table(folder / "reviews.pickle") as reviewed:
        reviews = [editorial.review(project, doc, today, reviewed) for doc in documents]
    state = State(documents, templates, langs, published, today=today, reviews=reviews)
    with Table(folder / "catalogs.pickle") as loaded, Table(folder / "qa.pickle") as judged:
        for lang in list(dict.fromkeys(langs + project.catalog_langs())):
            report = checks.new_report(lang, published=lang in langs)
            for domain in project.domains_for(lang, list(templates)):
                path = project.po_path(lang.code, domain)
                catalog, compiled, problems = polib.POFile(), polib.POFile().to_binary(), []
                if path.exists():
                    catalog, compiled, problems = loaded(functools.partial(catalogs.read, path), str(path),
                                                         catalogs.gettext_version(), path.read_bytes())
                source_lang = project.written_in(domain)
                further = (None if domain == project.domain() else functools.partial(
                    editorial.translation_findings, editorial.translation_units(project, source_lang, lang),
                    source_lang, lang))
                checks.check(report, catalog, path, templates[domain], source_lang, documents, glossary, further,
                             problems, judged)
                state.catalogs[(lang.code, domain)] = catalog
                state.compiled[(lang.code, domain)] = compiled
            if report.paths:
                state.reports.append(report)
    return state


def load_documents(project: Project, paths: list[Path]) -> list[source.Document]:
    """The documents at `paths`, each parsed, or taken from .cache/ while its file and the site's
    source language are unchanged: parsing (YAML, Markdown) is most of what a check of a large
    site costs."""
    with Table(project.cache_dir / "documents.pickle") as parsed:
        return [parsed(functools.partial(_parse, path, data, project.source_lang), str(path),
                       project.source_lang.code, data) for path in paths for data in [path.read_bytes()]]


def _parse(path: Path, data: bytes, source_lang: Lang) -> source.Document:
    return source.parse(source.decode(data, path), path, source_lang)


def _unique_codes(documents: list[source.Document]) -> None:
    """A leaflet code names one document: two leaflets on a rack must not share it."""
    seen: dict[str, source.Document] = {}
    for doc in documents:
        if doc.code is None:
            continue
        if doc.code in seen:
            first = seen[doc.code]
            raise InputError(doc.path, doc.code_line, f"code {doc.code} is already the code of "
                             f"{first.path}:{first.code_line}", "give each document its own code")
        seen[doc.code] = doc


def _known_topics(project: Project, documents: list[source.Document]) -> None:
    for doc in documents:
        for key in doc.topics:
            if key not in project.topics:
                raise InputError(doc.path, doc.topics_line, f"unknown topic {key!r}",
                                 "topics are defined in site.toml [topics]: " + (", ".join(project.topics) or "none yet"))
