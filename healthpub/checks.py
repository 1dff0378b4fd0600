"""QA of translations: what is translated, and what a translation changed that it must not.

Counts follow gettext: a fuzzy entry is not translated. Each finding names the .po file and line,
the start of the msgid and what is wrong. Errors block publishing; warnings do not. A reviewer
silences one kind of finding on one entry with a translator comment, which every PO tool keeps:

    # qa-ignore: numbers

The checks hold for any pair of languages, in either direction: glossary terms (locales/glossary.csv),
key-fact tokens, numbers, Latin acronyms, inline markup and links; then the target's script:
no Chinese characters left in a language that does not write them, no Simplified characters in
Traditional Chinese, and punctuation of the script's width.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import opencc
import polib
from babel.messages.catalog import Catalog
from babel.numbers import NumberFormatError, parse_decimal
from markdown_it import MarkdownIt
from opencc import OpenCC

from . import render
from .cache import digest
from .errors import InputError
from .locales import HAN, Lang, parse_lang
from .source import Document, describe_hidden, hidden_characters

ERROR, WARNING = "error", "warning"
TRANSLATED, FUZZY, UNTRANSLATED = "translated", "fuzzy", "untranslated"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # full-width digits count as the same number
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][A-Z0-9]+|nm|µm|mg|mL)(?![A-Za-z0-9])")
_HAN_CHAR = re.compile(HAN)
_ASCII_PUNCT = re.compile(rf"(?<={HAN})[,;:?!()]|[,;:?!()](?={HAN})")
_FULL_WIDTH_PUNCT = re.compile(r"[，。、；：？！（）「」『』【】《》〈〉]")
_MARKUP_CHARS = re.compile(r"[*_`\[\]<>&!\\]|https?:")  # whatever inline Markdown or HTML needs
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
    paths: list[Path]  # its catalogs, one per domain
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
        return {"locale": self.lang.code, "bcp47": self.lang.bcp47, "catalogs": [str(p) for p in self.paths],
                "published": self.published, "total": self.total, "translated": self.translated,
                "fuzzy": self.fuzzy, "untranslated": self.untranslated, "required_translated": self.required_ok,
                "findings": [asdict(f) for f in self.findings]}


@dataclass(frozen=True)
class Term:
    term: str  # as the glossary writes it: "Taiwan CDC|Taiwan Centers for Disease Control"
    translations: tuple[str, ...]  # any one of them will do
    pattern: re.Pattern  # finds any form of the term
    lowered: tuple[str, ...] = ()  # its forms in lower case, where all are ASCII: see find()

    def find(self, text: str, lowered: str | None) -> re.Match | None:
        """The term's first match in `text`. The pattern (a word start, any case) is slow to search,
        and most messages hold few terms: an ASCII form matches only where its lower case is in the
        text's (`lowered`, which _lowered() gives), so a substring test rules most messages out."""
        if self.lowered and lowered is not None and not any(form in lowered for form in self.lowered):
            return None
        return self.pattern.search(text)


# The characters that case-insensitive matching takes for an ASCII letter (İ ı ſ K, from a scan of
# every code point, which a test repeats): where a text holds none, an ASCII form's match in it is
# ASCII, and equal to the form in lower case.
_ASCII_LOOKALIKES = frozenset("\u0130\u0131\u017f\u212a")


def _lowered(text: str) -> str | None:
    return text.lower() if text.isascii() or not _ASCII_LOOKALIKES.intersection(text) else None


Glossary = list[dict[str, str]]  # a row per concept: its term per locale code


def load_glossary(path: Path) -> Glossary:
    """locales/glossary.csv: a column per locale (en, zh_TW, …) and an optional note; a row per
    concept, with its official term in each language that has one, and its other accepted forms
    after a "|" (FAQ|Frequently asked questions). Rows are read in every direction."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fileobj:
        reader = csv.DictReader(fileobj)
        codes = [name for name in reader.fieldnames or [] if name != "note"]
        for code in codes:
            parse_lang(code, path, 1)
        if len(codes) < 2:
            raise InputError(path, 1, "the header must name a column per locale, such as en,zh_TW,note")
        rows = []
        for row in reader:
            terms = {code: (row.get(code) or "").strip() for code in codes}
            if sum(bool(term) for term in terms.values()) < 2:
                raise InputError(path, reader.line_num, "each row needs the term in at least two languages")
            rows.append({code: term for code, term in terms.items() if term})
    return rows


def terms(glossary: Glossary, source: Lang, target: Lang) -> tuple[Term, ...]:
    """The glossary from one language into another, longest terms first, so that a term inside a
    longer one is not checked on its own."""
    found = [Term(row[source.code], _forms(row[target.code]), _term_pattern(forms),
                  tuple(form.lower() for form in forms) if all(map(str.isascii, forms)) else ())
             for row in glossary if source.code in row and target.code in row for forms in [_forms(row[source.code])]]
    return tuple(sorted(found, key=lambda term: -max(map(len, _forms(term.term)))))


def _forms(cell: str) -> tuple[str, ...]:
    return tuple(form.strip() for form in cell.split("|") if form.strip())


def _term_pattern(forms: tuple[str, ...]) -> re.Pattern:
    """Any of the forms, longest first. A Latin word starts at a word boundary ("act" is not in
    "fact"); Han text has no spaces to mark one. Case does not matter, but in acronyms ("WHO", not "who")."""
    def one(form: str) -> str:
        start = r"(?<![^\W\d_])" if form[0].isascii() and form[0].isalnum() else ""
        return start + (re.escape(form) if form.isupper() else f"(?i:{re.escape(form)})")
    return re.compile("|".join(one(form) for form in sorted(forms, key=len, reverse=True)))


def new_report(lang: Lang, published: bool) -> Report:
    return Report(lang=lang, paths=[], published=published)


def check(report: Report, catalog: polib.POFile, path: Path, template: Catalog, source: Lang,
          documents: list[Document], glossary: Glossary, further: functools.partial | None,
          problems: list[tuple[str, int, str]], judged) -> None:
    """Add one catalog of the report's locale, translating `template` from `source`, to its counts
    and findings; `problems` are msgfmt's (catalogs.read). `further(msgid, msgstr)` gives
    more (kind, severity, message) of a translated entry; it is a partial of plain data, which,
    with the entry, its key-fact tokens and the glossary, is all an entry's findings depend on: so
    they are taken from `judged` (a cache.Table) while those are unchanged."""
    report.paths.append(path)
    lang = report.lang
    required = {(s.context, s.text) for d in documents for s in d.required()}
    if not path.exists():
        keys = [key_of(message) for message in template if message.id]
        report.total += len(keys)
        report.untranslated += len(keys)
        report.required_ok &= not required & set(keys)
        command = "update" if path.parent.exists() else f"init {lang.code}"
        report.findings.append(Finding(str(path), 0, ERROR, "catalog", "", f"no such catalog (run: pipeline.py {command})"))
        return
    entries = {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
    tokens = {(f.segment.context, f.segment.text): f.tokens for d in documents for f in d.key_facts}
    pair = terms(glossary, source, lang)
    # Hashed once for the catalog, not once in every entry's key.
    inputs = digest(source.code, lang.code, repr([(term.term, term.translations) for term in pair]),
                    repr(further.args if further else None))

    for message in template:
        if not message.id:
            continue
        key = key_of(message)
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
            _add(report, entry, path, key[1], "required" if is_required else status,
                 ("required entry " if is_required else "") + what)
            continue
        report.translated += 1
        text, translated = entry.msgid_plural or entry.msgid, translation(entry)
        facts = tokens.get(key, ())
        found = judged(lambda: _qa(text, translated, source, lang, facts, pair) +
                       (further(text, translated) if further else []), inputs, text, translated, "\0".join(facts))
        for kind, severity, problem in found:
            _add(report, entry, path, key[1], kind, problem, severity)
    report.findings.extend(Finding(file, line, ERROR, "msgfmt", "", problem) for file, line, problem in problems)


def key_of(message) -> tuple[str | None, str]:
    """A template message's (msgctxt, msgid) as polib keys a catalog's entries: a plural by its singular."""
    return message.context, message.id[0] if isinstance(message.id, tuple) else message.id


def translation(entry: polib.POEntry) -> str:
    """An entry's translation; a plural's forms, one after the other."""
    return entry.msgstr or " ".join(form for _, form in sorted(entry.msgstr_plural.items()) if form)


def status_of(entry: polib.POEntry | None) -> str:
    """As gettext counts it: an empty entry is untranslated even if flagged fuzzy, and a fuzzy
    entry is not translated."""
    if entry is None or not translation(entry):
        return UNTRANSLATED
    return FUZZY if entry.fuzzy else TRANSLATED


def _qa(source: str, target: str, source_lang: Lang, target_lang: Lang, tokens: tuple[str, ...],
        terms: tuple[Term, ...]) -> list[tuple]:
    found = []
    # Glossary terms are checked as wholes, then left out of the number and name checks.
    rest, lowered = source, _lowered(source)
    for term in terms:
        if match := term.find(rest, lowered):
            rest = term.pattern.sub(" ", rest)
            lowered = _lowered(rest)
            if not any(form.casefold() in target.casefold() for form in term.translations):
                wanted = " or ".join(repr(form) for form in term.translations)
                found.append(("glossary", ERROR, f"{match[0]!r} must be translated as {wanted}"))
    for token in tokens:
        if token not in target:
            found.append(("tokens", ERROR, f"key-fact token {token!r} is missing"))
    target_numbers = _numbers(target, target_lang)
    for number, value in _numbers(rest, source_lang).items():
        if value not in target_numbers.values():
            found.append(("numbers", ERROR, f"number {number!r} of the source is missing or changed"))
    # A Latin acronym stays in a language written in Latin letters; another script may translate it (US → 美國).
    severity = ERROR if target_lang.script == "Latn" else WARNING
    for name in dict.fromkeys(_ACRONYM.findall(rest)):
        if name not in target:
            found.append(("names", severity, f"{name!r} of the source is missing"))
    found.extend(("markup", ERROR, problem) for problem in _markup(source, target))
    found.extend(("invisible", ERROR, describe_hidden(char)) for char in dict.fromkeys(c for _, c in hidden_characters(target)))
    if not unicodedata.is_normalized("NFC", target):
        found.append(("nfc", ERROR, "decomposed letters (not Unicode NFC), which search and comparisons miss; "
                      "`pipeline.py update` composes them"))
    if not target_lang.writes_han:
        if left := _HAN_CHAR.findall(target):
            found.append(("han", ERROR, f"Chinese characters left in the translation: {''.join(left[:10])!r}"))
        if _FULL_WIDTH_PUNCT.search(target):
            found.append(("punctuation", WARNING, "full-width punctuation; use , . ; : ? ! ( ) and quotes"))
    else:
        found.extend(_han_script(target, target_lang.script))
        if _ASCII_PUNCT.search(target):
            found.append(("punctuation", WARNING, "half-width punctuation next to Chinese text; use ，；：？！（）"))
    return found


def _numbers(text: str, lang: Lang) -> dict[str, object]:
    """Each number of a text with its value, read as the language writes numbers (1,000.5 in
    English is 1.000,5 in Vietnamese); a number it cannot read stands for itself."""
    return {number: _value(number, lang) for number in (found.translate(_DIGITS) for found in _NUMBER.findall(text))}


@functools.lru_cache(maxsize=4096)  # a site's messages repeat the same few numbers
def _value(number: str, lang: Lang) -> object:
    try:
        return parse_decimal(number, locale=lang.locale)
    except NumberFormatError:
        return number


def _han_script(target: str, script: str) -> list[tuple]:
    """Traditional Chinese: a Simplified-only character is an error, judged character by
    character; a phrase OpenCC's Taiwan conversion would change is only a warning, because it also
    changes correct Taiwan usage (項目 → 專案, 公布 → 公佈). Simplified Chinese: a Traditional-only
    character is an error."""
    if script not in ("Hant", "Hans"):
        return []
    foreign = [c for c in dict.fromkeys(target) if c in _one_way_characters(script)]
    found = []
    if foreign:
        other = "Simplified" if script == "Hant" else "Traditional"
        found.append(("simplified" if script == "Hant" else "traditional", ERROR,
                      f"{other} characters: {' '.join(foreign[:10])}"))
    if script == "Hant":
        converted = _taiwan().convert(target)
        edits = difflib.SequenceMatcher(None, target, converted, autojunk=False).get_opcodes() \
            if converted != target else []
        changes = [f"{target[a:b]!r}→{converted[c:d]!r}" for op, a, b, c, d in edits
                   if op != "equal" and not set(target[a:b]) & set(foreign)]
        if changes:
            found.append(("vocabulary", WARNING, "OpenCC reads these as mainland usage; keep them if they are "
                          "Taiwan usage: " + ", ".join(changes[:5])))
    return found


@functools.cache
def _taiwan() -> OpenCC:
    return OpenCC("s2twp")


@functools.cache
def _one_way_characters(script: str) -> frozenset[str]:
    """Characters OpenCC's character table always converts into the other script: their every
    candidate is another character (发 → 發 髮), unlike those the script shares (后 → 後 后). For
    Taiwan, a candidate counts in its Taiwan form (床 → 牀, which Taiwan writes 床)."""
    folder = Path(opencc.__file__).parent / "clib"
    table = folder / "share/opencc" / ("STCharacters.ocd2" if script == "Hant" else "TSCharacters.ocd2")
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "table.txt"
        subprocess.run([str(folder / "bin/opencc_dict"), "-i", str(table), "-o", str(text), "-f", "ocd2",
                        "-t", "text"], check=True, capture_output=True)
        lines = text.read_text(encoding="utf-8").splitlines()
    variants = OpenCC("t2tw").convert if script == "Hant" else str
    return frozenset(char for char, _, candidates in (line.partition("\t") for line in lines)
                     if char not in candidates.split() and char not in variants(candidates).split())


def _markup(source: str, target: str) -> list[str]:
    """Inline markup must survive translation: the same emphasis and links, with safe link targets."""
    def shape(text: str) -> tuple[list[str], list[str]]:
        tokens = _markdown.parseInline(text)[0].children or []
        tags = sorted(t.type for t in tokens if t.type.endswith("_open") or t.type == "html_inline")
        return tags, [t.attrs.get("href", "") for t in tokens if t.type == "link_open"]
    if not _MARKUP_CHARS.search(source + target):
        return []  # plain text on both sides: the parser has nothing to find (most entries)
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
