"""QA of translations: what is translated, and what a translation changed that it must not.

Counts follow gettext: a fuzzy entry is not translated. Each finding names the .po file and line,
the start of the msgid and what is wrong. Errors block publishing; warnings do not. A reviewer
silences one kind of finding on one entry with a translator comment, which every PO tool keeps:

    # qa-ignore: numbers
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from markdown_it import MarkdownIt
from opencc import OpenCC

from . import catalogs, render
from .errors import InputError
from .locales import Lang
from .source import Document

ERROR, WARNING = "error", "warning"
TRANSLATED, FUZZY, UNTRANSLATED = "translated", "fuzzy", "untranslated"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:\s?[–-]\s?\d+(?:[.,]\d+)*)?(?:\s?(?:nm|µm|mm|cm|kg|mg|ml|mL|%))?")
_ACRONYM = re.compile(r"\b(?:[A-Z][A-Z0-9]+|nm|µm|mg|mL)\b")
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
_ASCII_PUNCT = re.compile(rf"(?<={_HAN})[,;:?!()]|[,;:?!()](?={_HAN})")
_IGNORE = re.compile(r"qa-ignore:\s*([\w\s,-]+)")
_markdown = MarkdownIt("commonmark", {"html": True})
_markdown.validateLink = lambda url: True  # see every link, and judge it with render.safe_link


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    severity: str
    kind: str
    msgid: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: [{self.kind}] {shorten(self.msgid)!r}: {self.message}"


def shorten(text: str, width: int = 40) -> str:
    """The start of a message, cut at a word, to name it on one line."""
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


@dataclass
class Report:
    """One locale's catalog, measured against the current sources and templates."""

    lang: Lang
    path: Path
    published: bool
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    required_ok: bool = True
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def as_dict(self) -> dict:
        return {"locale": self.lang.code, "bcp47": self.lang.bcp47, "catalog": str(self.path),
                "published": self.published, "total": self.total, "translated": self.translated,
                "fuzzy": self.fuzzy, "untranslated": self.untranslated, "required_translated": self.required_ok,
                "findings": [asdict(f) for f in self.findings]}


@dataclass(frozen=True)
class Term:
    term: str
    translation: str
    pattern: re.Pattern


def load_glossary(path: Path) -> dict[str, list[Term]]:
    """locales/glossary.csv: one row per term and locale (term, locale, translation, note)."""
    if not path.exists():
        return {}
    glossary: dict[str, list[Term]] = {}
    with path.open(encoding="utf-8", newline="") as fileobj:
        reader = csv.DictReader(fileobj)
        if not reader.fieldnames or not {"term", "locale", "translation"} <= set(reader.fieldnames):
            raise InputError(path, 1, "the header must name the columns term,locale,translation,note")
        for row in reader:
            term, locale, translation = (row.get(k) or "" for k in ("term", "locale", "translation"))
            if not (term.strip() and locale.strip() and translation.strip()):
                raise InputError(path, reader.line_num, "each row needs a term, a locale and a translation")
            pattern = re.compile(rf"\b{re.escape(term.strip())}", re.IGNORECASE)
            glossary.setdefault(locale.strip(), []).append(Term(term.strip(), translation.strip(), pattern))
    return glossary


def check(catalog: polib.POFile, path: Path, lang: Lang, template: Catalog, documents: list[Document],
          glossary: dict[str, list[Term]], published: bool) -> Report:
    report = Report(lang=lang, path=path, published=published)
    entries = {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
    required = {(s.context, s.text) for d in documents for s in d.required()}
    tokens = {(f.segment.context, f.segment.text): f.tokens for d in documents for f in d.key_facts}
    terms = glossary.get(lang.code, [])
    converter = OpenCC("s2twp") if lang.is_hant else None

    for message in template:
        if not message.id:
            continue
        key = (message.context, message.id)
        report.total += 1
        entry = entries.get(key)
        is_required = key in required
        status = status_of(entry)
        if status != TRANSLATED:
            if status == FUZZY:
                report.fuzzy += 1
                what = "fuzzy: a reviewer has not approved it"
            else:
                report.untranslated += 1
                what = "missing from the catalog (run: pipeline.py update)" if entry is None else "untranslated"
            report.required_ok &= not is_required
            _add(report, entry, path, message.id, "required" if is_required else status,
                 ("required entry " if is_required else "") + what)
            continue
        report.translated += 1
        for kind, severity, problem in _qa(entry.msgid, entry.msgstr, tokens.get(key, ()), terms, converter):
            _add(report, entry, path, message.id, kind, problem, severity)
    report.findings.extend(Finding(file, line, ERROR, "msgfmt", "", problem)
                           for file, line, problem in catalogs.format_problems(path))
    return report


def status_of(entry: polib.POEntry | None) -> str:
    """As gettext counts it: an empty entry is untranslated even if flagged fuzzy, and a fuzzy
    entry is not translated."""
    if entry is None or not entry.msgstr:
        return UNTRANSLATED
    return FUZZY if entry.fuzzy else TRANSLATED


def _qa(source: str, target: str, tokens: tuple[str, ...], terms: list[Term], converter) -> list[tuple]:
    found = []
    # Glossary terms are checked as wholes, then left out of the number and name checks.
    rest = source
    for term in terms:
        if term.pattern.search(source):
            rest = term.pattern.sub(" ", rest)
            if term.translation not in target:
                found.append(("glossary", ERROR, f"{term.term!r} must be translated as {term.translation!r}"))
    for token in tokens:
        if token not in target:
            found.append(("tokens", ERROR, f"key-fact token {token!r} is missing"))
    for number in dict.fromkeys(_NUMBER.findall(rest)):
        if number not in target and number not in tokens:
            found.append(("numbers", ERROR, f"number {number!r} of the source is missing or changed"))
    for name in dict.fromkeys(_ACRONYM.findall(rest)):
        if name not in target:
            found.append(("names", ERROR, f"{name!r} of the source is missing"))
    found.extend(("markup", ERROR, problem) for problem in _markup(source, target))
    if converter is not None:
        converted = converter.convert(target)
        if converted != target:
            changes = [f"{target[a:b]!r}→{converted[c:d]!r}" for op, a, b, c, d in
                       difflib.SequenceMatcher(None, target, converted).get_opcodes() if op != "equal"]
            found.append(("hant", ERROR, "Simplified characters or mainland vocabulary: " + ", ".join(changes[:5])))
        if _ASCII_PUNCT.search(target):
            found.append(("punctuation", WARNING, "half-width punctuation next to Chinese text; use ，；：？！（）"))
    return found


def _markup(source: str, target: str) -> list[str]:
    """Inline markup must survive translation: the same emphasis and links, with safe link targets."""
    def shape(text: str) -> tuple[list[str], list[str]]:
        tokens = _markdown.parseInline(text)[0].children or []
        tags = sorted(t.type for t in tokens if t.type.endswith("_open") or t.type == "html_inline")
        return tags, [t.attrs.get("href", "") for t in tokens if t.type == "link_open"]
    problems = []
    source_tags, _ = shape(source)
    target_tags, links = shape(target)
    if "html_inline" in target_tags:
        problems.append("raw HTML is not allowed in a translation")
    if source_tags != [t for t in target_tags if t != "html_inline"]:
        problems.append("emphasis or links differ from the source")
    for href in links:
        if not render.safe_link(href):
            problems.append(f"link {href!r} uses a scheme that is not allowed")
    return problems


def _add(report: Report, entry: polib.POEntry | None, path: Path, msgid: str, kind: str, message: str,
         severity: str = ERROR) -> None:
    if entry is not None and kind in _ignored(entry):
        return
    report.findings.append(Finding(str(path), entry.linenum if entry else 0, severity, kind, msgid, message))


def _ignored(entry: polib.POEntry) -> set[str]:
    return {kind.strip() for match in _IGNORE.finditer(entry.tcomment or "") for kind in match[1].split(",")}
