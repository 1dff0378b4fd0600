"""Editorial checks of the source documents themselves, before any translation: the review
schedule, and plain language.

Health content must be reviewed on schedule: a document whose `next_review` is within 30 days is a
warning, one whose date has passed an error that blocks publishing (a draft build still makes it,
marked). Plain language (Taiwan's Health Promotion Administration, the NHS content standard, the CDC
Clear Communication Index) asks for short sentences: each sentence over the threshold (English
words, or Chinese characters) is a warning at its source line, never an error. Translations are
held to it where it means something: a translation that makes a long sentence of a short one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import statistics
from dataclasses import asdict, dataclass, field

import pyphen

from .checks import ERROR, WARNING, Finding, shorten
from .config import Project
from . import locales
from .locales import HAN, Lang
from .source import Document, Segment

DUE_SOON = dt.timedelta(days=30)
TRANSLATION_SLACK = 1.2
# Body text: the title, headings, questions and source titles are not sentences to read through.
PROSE = {"description", "disclaimer", "fact", "paragraph", "item", "answer"}
_HAN = re.compile(HAN)
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|\d+(?:[.,–-]\d+)*")
# A sentence ends at . ! ? and a space before a capital or a digit in any alphabet (not in 30.5 or
# "e.g. the"; Vietnamese starts sentences with Đ and Ở), or at 。！？；; Thai ends one with a space
# between two Thai letters (a space beside a number or a Latin word is no end).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?(?:[^\W_]))|(?<=[。！？；])|(?<=[\u0e01-\u0e4e])\s+(?=[\u0e01-\u0e4e])")
# Where a sentence can end (the characters _SENTENCE_END looks behind at): it is tried only there,
# which is a fraction of the time of trying it at every character.
_SENTENCE_CANDIDATE = re.compile(r"[.!?\u0e01-\u0e4e](?=\s)|[。！？；]")
_MARKUP = re.compile(r"\*\*|__|[*_`]|\[([^\]]*)\]\([^)]*\)")


@dataclass
class Figures:
    """A document's sentences, measured in its own language's unit."""

    unit: str  # "words" or "characters"
    limit: int
    lengths: list[int] = field(default_factory=list)
    grade: float | None = None  # Flesch–Kincaid grade level, for English

    @property
    def long(self) -> int:
        return sum(length > self.limit for length in self.lengths)

    @property
    def share_long(self) -> float:
        return self.long / len(self.lengths) if self.lengths else 0.0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.lengths) if self.lengths else 0.0


@dataclass
class DocumentReview:
    doc: Document
    figures: Figures
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def as_dict(self) -> dict:
        figures = self.figures
        return {"document": str(self.doc.path), "lang": self.doc.lang.bcp47,
                "next_review": self.doc.next_review.isoformat(), "sentences": len(figures.lengths),
                "unit": figures.unit, "limit": figures.limit, "long": figures.long, "grade": figures.grade,
                "findings": [asdict(f) for f in self.findings]}


def review(project: Project, doc: Document, today: dt.date, reviewed) -> DocumentReview:
    """A document's review: its schedule as of `today`, and its sentences, measured (taken from
    `reviewed`, a cache.Table, while the document and its language's limit are unchanged)."""
    unit = _unit(project, doc.lang)
    figures, findings = reviewed(lambda: _sentences(doc, unit), str(doc.path), doc.lang.code,
                                 "\n".join(doc.lines), repr(unit))
    return DocumentReview(doc, figures, _schedule(doc, today) + findings)


def _sentences(doc: Document, unit: tuple[str, int]) -> tuple[Figures, list[Finding]]:
    figures, findings = Figures(*unit), []
    english = doc.lang.locale.language == "en"
    words = syllables = 0
    for segment in doc.segments():
        if segment.kind not in PROSE:
            continue
        for start, sentence in sentences(segment.text):
            length = measure(sentence, doc.lang)
            figures.lengths.append(length)
            if length > figures.limit:
                findings.append(Finding(str(doc.path), _line(doc, segment, start), WARNING, "long-sentence",
                                        segment.text, f"a sentence of {length} {figures.unit} (over "
                                        f"{figures.limit}): {shorten(sentence, 60)!r}"))
            if english:
                found = _WORD.findall(_plain(sentence))
                words += len(found)
                syllables += sum(_syllables(word) for word in found if not word[0].isdigit())
    if english and figures.lengths and words:
        figures.grade = round(0.39 * words / len(figures.lengths) + 11.8 * syllables / words - 15.59, 1)
    return figures, findings


@functools.lru_cache(maxsize=1 << 16)  # a site's documents share most of their words
def _syllables(word: str) -> int:
    """An English word's syllables, as its hyphenation points tell."""
    return len(_hyphenator().positions(word)) + 1


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en")


def translation_units(project: Project, source: Lang, target: Lang) -> tuple[int, str, int]:
    """What `translation_findings` measures by: the source's sentence limit, the target's unit and limit."""
    return (_unit(project, source)[1], *_unit(project, target))


def translation_findings(units: tuple[int, str, int], source: Lang, target: Lang, msgid: str,
                         msgstr: str) -> list[tuple[str, str, str]]:
    """A long sentence the translation made, as checks.check's further findings: over its limit, and
    a fifth longer for its language than the source's longest sentence for the source's (a
    translator can hardly shorten the author's sentences, and the limits only roughly match)."""
    source_limit, unit, limit = units
    longest = max((measure(s, source) for _, s in sentences(msgid)), default=0) / source_limit
    return [("long-sentence", WARNING, f"a sentence of {length} {unit} (over {limit}), longer for its language "
             f"than any of the source's: {shorten(sentence, 60)!r}")
            for _, sentence in sentences(msgstr)
            if (length := measure(sentence, target)) > limit and length / limit > TRANSLATION_SLACK * max(longest, 1)]


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a segment's text, each with where it starts."""
    found, start = [], 0
    for match in _ends(text):
        following = text[match.end():].lstrip("\"“(")[:1]
        if following.islower():  # "e.g. the", "approx. three": no sentence starts in lower case
            continue
        if text[start:match.start()].strip():
            found.append((start, text[start:match.start()].strip()))
        start = match.end()
    if text[start:].strip():
        found.append((start, text[start:].strip()))
    return found


def _ends(text: str):
    """What `_SENTENCE_END.finditer(text)` finds."""
    end = 0
    for candidate in _SENTENCE_CANDIDATE.finditer(text):
        if candidate.end() >= end and (match := _SENTENCE_END.match(text, candidate.end())):
            end = match.end()
            yield match


def measure(sentence: str, lang: Lang) -> int:
    """Chinese characters in a language written in Han characters (a Latin word or number among
    them counts as one), words elsewhere: Thai words as its segmenter finds them."""
    plain = _plain(sentence)
    if lang.writes_han:
        rest, han = _HAN.subn(" ", plain)  # one pass: each character replaced is one counted
        return han + len(_WORD.findall(rest))
    if lang.script == "Thai":
        return sum(1 for word in locales.words(plain) if any(c.isalnum() for c in word))
    return len(_WORD.findall(plain))


def _unit(project: Project, lang: Lang) -> tuple[str, int]:
    unit = "characters" if lang.writes_han else "words"
    return unit, project.sentence_limit(lang, f"max_sentence_{'chars' if lang.writes_han else 'words'}")


def _plain(text: str) -> str:
    return _MARKUP.sub(lambda m: m[1] or "", text)


def _schedule(doc: Document, today: dt.date) -> list[Finding]:
    due = doc.next_review
    if due < today:
        return [Finding(str(doc.path), doc.next_review_line, ERROR, "review-overdue", doc.title.text,
                        f"{doc.slug} was due for review on {due.isoformat()}, {_days((today - due).days)} ago: "
                        "review it, then set last_reviewed and next_review")]
    if due - today <= DUE_SOON:
        return [Finding(str(doc.path), doc.next_review_line, WARNING, "review-due", doc.title.text,
                        f"{doc.slug} is due for review on {due.isoformat()}, in {_days((due - today).days)}")]
    return []


def _line(doc: Document, segment: Segment, start: int) -> int:
    """The source line a sentence starts on: its segment's line, moved on by as many lines as the
    paragraph's text before it fills (white space aside, the text is the file's). A front-matter
    value is named by its first line."""
    if segment.kind not in ("paragraph", "item", "answer"):
        return segment.line
    before = len(re.sub(r"\s", "", segment.text[:start]))
    line = segment.line
    for raw in doc.lines[segment.line - 1:]:
        if line == segment.line and segment.kind == "item":
            raw = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", raw)  # the list marker is not text
        count = len(re.sub(r"\s", "", raw))
        if before < count:
            return line
        before -= count
        line += 1
    return segment.line


def _days(count: int) -> str:
    return f"{count} day{'s' * (count != 1)}"
