"""The build state: what a check or a build reads, gathered once. The documents with their
editorial review (schedule, plain language), the catalog templates they and the templates make
now, and each locale's catalogs with their QA report."""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import hashlib
import importlib.metadata
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.catalog import Catalog

from . import catalogs, checks, editorial, extract, output, source
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
    translations: dict[tuple[str, str], gettext.NullTranslations] = field(default_factory=dict)

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
        return self.translations.get((lang.code, domain)) or gettext.NullTranslations()


def gather(project: Project, today: dt.date) -> State:
    """Everything a check or a build reads; `today` decides which reviews are due."""
    paths = project.documents()
    if not paths:
        raise InputError(project.source_dir, None, "no documents", "add a Markdown file such as source/<slug>.md")
    documents = load_documents(project, paths)
    _unique_codes(documents)
    _known_topics(project, documents)
    templates = extract.build_templates(project, documents)
    glossary = checks.load_glossary(project.glossary_path)
    published = project.published_langs()
    langs = list(dict.fromkeys([project.source_lang, *(doc.lang for doc in documents), *published]))
    state = State(documents, templates, langs, published, today=today,
                  reviews=[editorial.review(project, doc, today) for doc in documents])
    for lang in list(dict.fromkeys(langs + project.catalog_langs())):
        report = checks.new_report(lang, published=lang in langs)
        for domain in project.domains_for(lang, list(templates)):
            path = project.po_path(lang.code, domain)
            catalog = catalogs.load(path) if path.exists() else polib.POFile()
            source_lang = project.written_in(domain)
            further = (None if domain == project.domain() else
                       functools.partial(editorial.translation_findings, project, source_lang, lang))
            checks.check(report, catalog, path, templates[domain], source_lang, documents, glossary, further)
            state.catalogs[(lang.code, domain)] = catalog
            state.translations[(lang.code, domain)] = catalogs.translations(catalog)
        if report.paths:
            state.reports.append(report)
    return state


# Parsed documents are reused while their file, the site's source language and the code that
# parses them are unchanged: parsing (YAML, Markdown) is most of what a check of a large site costs.
_PARSER = hashlib.sha256(b"".join([*(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py"))),
                                   *(importlib.metadata.version(name).encode()
                                     for name in ("markdown-it-py", "mdit-py-plugins", "PyYAML"))])).hexdigest()


def load_documents(project: Project, paths: list[Path]) -> list[source.Document]:
    """The documents at `paths`, each parsed or taken from .cache/documents/."""
    cache = project.cache_dir / "documents"
    documents, keys = [], set()
    for path in paths:
        data = path.read_bytes()
        key = hashlib.sha256(f"{_PARSER}\0{path}\0{project.source_lang.code}\0".encode() + data).hexdigest()
        keys.add(key)
        try:
            doc = pickle.loads((cache / key).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            doc = source.parse(source.decode(data, path), path, project.source_lang)
            output.write_atomic(cache / key, pickle.dumps(doc))
        documents.append(doc)
    for stale in set(cache.iterdir()) - {cache / key for key in keys}:  # only what the sources are now
        stale.unlink(missing_ok=True)
    return documents


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
