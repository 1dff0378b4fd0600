"""The review report a medical reviewer reads before signing off a translation (output/report/).

`index.html` lists every locale with a catalog, published or not: how much is translated, fuzzy
(changed since it was translated, or not yet approved) and untranslated, and its QA errors and
warnings. `<locale>.html` shows one locale: progress per document and every QA finding with its
file and line. `<locale>/<part>.html` shows one document it translates (`doc-<slug>`), or the page
and leaflet text (`page-text`), side by side, source ∥ translation, one row per segment in reading
order; for a fuzzy entry, a word-level diff of the source text it was translated from against
today's. A page per document keeps each page small, whatever the size of the site, and lets an
edit change the page of its own document alone.

The report is internal and in English: its strings are not extracted for translators (no `_()` in
templates/report.html). Translations are untrusted text: they are shown as the translator wrote
them (Markdown inline source, so a reviewer sees link targets too) and escaped by Jinja2.
Counts follow `checks.check`: a fuzzy entry is not translated, an empty one is untranslated even
if flagged fuzzy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from dataclasses import dataclass, field
import polib
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .checks import (FUZZY, TRANSLATED, UNTRANSLATED, WARNING, Finding, Report, key_of, shorten, status_of,
                     translation)
from . import output
from .cache import Table
from .config import Project
from .editorial import DUE_SOON, DocumentReview, Figures
from .errors import InputError
from .locales import HAN, Lang
from .render import compiled_templates, render_template, templates_digest
from .source import Document
from .state import State

KIND_LABELS = {
    "title": "title",
    "description": "description",
    "disclaimer": "disclaimer",
    "fact": "key fact",
    "paragraph": "paragraph",
    "heading": "heading",
    "item": "list item",
    "question": "question",
    "answer": "answer",
    "source-title": "source title",
    "source-publisher": "source publisher",
    "interface": "page text",
}

# A word, or one Han character: Chinese has no spaces, and a changed number in a clause is all a
# reviewer should see changed.
_WORD = re.compile(rf"\s+|{HAN}|(?:(?!{HAN})\w)+|[^\w\s]")


@dataclass
class Progress:
    """Messages counted by status; each distinct message once."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    def percent(self, status: str) -> float:
        return 100 * getattr(self, status) / self.total if self.total else 0.0

    def label(self, status: str) -> str:
        """A percentage that never says 100% or 0% when it is not exactly so."""
        value = self.percent(status)
        if 0 < value < 1:
            return "<1%"
        if 99 < value < 100:
            return ">99%"
        return f"{round(value)}%"

    def width(self, status: str) -> str:
        return f"{self.percent(status):.2f}%"


@dataclass
class Row:
    """One segment (or page string) beside its translation."""

    anchor: str
    kind: str
    required: bool
    source: str
    where: list[str]
    status: str
    translation: str
    po_line: int | None
    comment: str
    diff: list[tuple[str, str]] | None = None
    diff_note: str = ""
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Part:
    """A document, or the page and leaflet strings of templates/. Its rows' ids are `anchor/N`: a
    slug, being a file name's stem, holds no "/"."""

    anchor: str
    title: str
    path: str
    lang: Lang  # what it is written in
    rows: list[Row]
    progress: Progress
    required: Progress


def publish(project: Project, state: State, into: Path | None = None) -> list[str]:
    """Only the review report, into output/report/ (for `check`, and for a build that was refused:
    the reviewer needs it most then), switched in on its own: the rest of output/ stays as it was.
    Returns the names that changed."""
    with output.Staging(into or project.output_dir, only="report/") as staging:
        stage(project, state, staging)
        return staging.commit()


def stage(project: Project, state: State, staging: output.Staging) -> None:
    """The report's pages, into a build being staged; a document's page is kept while what it shows
    is unchanged."""
    with Table(project.cache_dir / "report.pickle") as made:
        for name, inputs, make in render(project, state):
            staging.stage(f"report/{name}", made, inputs, make)


def render(project: Project, state: State) -> Iterator[tuple[str, tuple[bytes | str, ...] | None, Callable[[], str]]]:
    """The review report, page by page: its file name under output/report/, what it is made of (a
    part's page: the part, its locale and the templates; None for a page made every time) and a
    function making its HTML, called before the next page is planned. A part's rows are let go once
    its page is made, so memory holds one part's rows at a time."""
    env = Environment(loader=FileSystemLoader(project.templates_dir), autoescape=True,
                      bytecode_cache=compiled_templates(project, "report"), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    common = {"css": _stylesheet(project), "publisher": project.publisher, "statuses": (TRANSLATED, FUZZY, UNTRANSLATED)}
    templates = templates_digest(project)
    locales = []
    for report in state.reports:
        locale, parts, anchors = _summary(report), [], {}
        for part in _parts(project, state, report):
            name = f"{report.lang.code}/{part.anchor}.html"
            for row in part.rows:
                anchors.setdefault(row.source, f"{name}#{row.anchor}")
            yield name, (templates, project.publisher, repr(report.lang), repr(part)), \
                lambda part=part, lang=report.lang: render_template(env, "report.html", page="part", lang=lang,
                                                                    part=part, **common)
            parts.append(dataclasses.replace(part, rows=[]))
        findings = [{"finding": f, "start": shorten(f.msgid, 60), "href": anchors.get(f.msgid) if f.msgid else None}
                    for f in report.findings]
        page = {**locale, "parts": parts, "findings": findings}
        yield locale["file"], None, lambda page=page: render_template(env, "report.html", page="locale",
                                                                      locale=page, **common)
        locales.append(locale)
    reviews = [_review_view(review, state.today) for review in sorted(state.reviews, key=lambda r: r.doc.next_review)]
    yield "index.html", None, lambda: render_template(env, "report.html", page="index", locales=locales,
                                                      reviews=reviews, today=state.today, documents=state.documents,
                                                      blocking=not state.publishable(), **common)


def _summary(report: Report) -> dict:
    """What the index shows of a locale, and its pages' headings."""
    return {
        "lang": report.lang, "report": report, "file": f"{report.lang.code}.html",
        "progress": Progress(report.translated, report.fuzzy, report.untranslated),
        "errors": len(report.errors), "warnings": sum(f.severity == WARNING for f in report.findings),
        "blocking": report.published and bool(report.errors),
    }


def _parts(project: Project, state: State, report: Report) -> Iterator[Part]:
    """Every part a locale translates, one at a time: each document not written in its language,
    then the page text, if the locale translates it."""
    lang = report.lang
    entries = {domain: {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
               for (code, domain), catalog in state.catalogs.items() if code == lang.code}
    findings = _by_msgid(report)
    for doc in state.documents:
        if project.domain(doc.lang) in entries:
            yield _document_part(doc, entries[project.domain(doc.lang)], findings)
    if project.domain() in entries:
        yield _interface_part(project, state.templates[project.domain()], entries[project.domain()], findings)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """`old` → `new` word by word: pieces ("", text) kept, ("del", text) removed, ("ins", text) added.
    A space between two changed words joins them into one change, so "a b" → "c d" reads as one."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    groups = [[tag, "".join(a[i1:i2]), "".join(b[j1:j2])]
              for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]
    for i in range(1, len(groups) - 1):
        tag, text, _ = groups[i]
        if tag == "equal" and text.isspace() and groups[i - 1][0] != "equal" and groups[i + 1][0] != "equal":
            groups[i][0] = "replace"
    pieces: list[tuple[str, str]] = []
    removed = added = ""
    for tag, old_text, new_text in groups + [["equal", "", ""]]:
        if tag != "equal":
            removed, added = removed + old_text, added + new_text
            continue
        if removed and added:
            pieces += [("del", removed), ("ins", added)]
        elif removed or added:
            # A word added or removed alone: its neighbouring space is no change of its own.
            change = removed or added
            word = change.strip()
            start = change.index(word[0]) if word else len(change)
            pieces += [("", change[:start]), ("del" if removed else "ins", word), ("", change[start + len(word):])]
        removed = added = ""
        pieces.append(("", old_text))
    merged: list[tuple[str, str]] = []
    for op, piece in pieces:
        if not piece:
            continue
        if merged and merged[-1][0] == op == "":
            merged[-1] = ("", merged[-1][1] + piece)
        else:
            merged.append((op, piece))
    return merged


def _stylesheet(project: Project) -> Markup:
    path = project.templates_dir / "report.css"
    try:
        css = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Markup("")
    if "</" in css:
        raise InputError(path, None, "'</' would end the report's inline <style> element")
    return Markup(css)


def _row(anchor: str, segment_kind: str, required: bool, text: str, where: list[str],
         entry: polib.POEntry | None, findings: dict[str, list[Finding]]) -> Row:
    status = status_of(entry)
    row = Row(anchor=anchor, kind=KIND_LABELS.get(segment_kind, segment_kind), required=required, source=text,
              where=where, status=status, translation=translation(entry) if entry is not None else "",
              po_line=entry.linenum if entry is not None else None,
              comment=(entry.tcomment or "") if entry is not None else "",
              findings=findings.get(text, []))
    if status == FUZZY:
        previous = entry.previous_msgid
        if previous and previous != text:
            row.diff = word_diff(previous, text)
        elif previous:
            row.diff_note = "The source text is unchanged; the entry is marked fuzzy for review."
        else:
            row.diff_note = "No previous source text is recorded; the entry is marked fuzzy for review."
    return row


def _by_msgid(report: Report) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.msgid:
            found.setdefault(finding.msgid, []).append(finding)
    return found


def _document_part(doc: Document, entries: dict, findings: dict[str, list[Finding]]) -> Part:
    required_keys = {(s.context, s.text) for s in doc.required()}
    rows, progress, required, seen = [], Progress(), Progress(), set()
    for number, segment in enumerate(doc.segments(), 1):
        key = (segment.context, segment.text)
        entry = entries.get(key)
        row = _row(f"doc-{doc.slug}/{number}", segment.kind, key in required_keys, segment.text,
                   [f"source line {segment.line}"], entry, findings)
        rows.append(row)
        if key not in seen:
            seen.add(key)
            progress.add(row.status)
            if row.required:
                required.add(row.status)
    title = doc.title.text
    return Part(f"doc-{doc.slug}", title, doc.path.as_posix(), doc.lang, rows, progress, required)


def _interface_part(project: Project, template, entries: dict, findings: dict[str, list[Finding]]) -> Part:
    rows, progress = [], Progress()
    for number, message in enumerate((m for m in template if m.id), 1):
        key = key_of(message)
        where = [f"{path.removeprefix('templates/')}:{line}" for path, line in message.locations]
        row = _row(f"page-text/{number}", "interface", False, key[1], where, entries.get(key), findings)
        rows.append(row)
        progress.add(row.status)
    return Part("page-text", "Page and leaflet text", "templates/", project.templates_lang, rows, progress,
                Progress())


def _review_view(review: DocumentReview, today: dt.date) -> dict:
    due = review.doc.next_review
    status = "bad" if due < today else "warn" if due - today <= DUE_SOON else "ok"
    label = {"bad": "overdue", "warn": "due soon", "ok": f"in {(due - today).days} days"}[status]
    return {"review": review, "status": status, "status_label": label, "chart": sentence_chart(review.figures)}


def sentence_chart(figures: Figures) -> Markup:
    """A small histogram of sentence lengths as inline SVG: bars past the limit in the warning colour."""
    step = 5 if figures.unit == "words" else 10
    bins = [0] * (max(figures.lengths, default=0) // step + 1)
    for length in figures.lengths:
        bins[length // step] += 1
    top = max(bins) or 1
    bars = "".join(f'<rect x="{i * 8}" y="{40 - 38 * n / top:.1f}" width="7" height="{38 * n / top:.1f}" '
                   f'fill="{"#b45309" if i * step >= figures.limit else "#0b5d6b"}"/>' for i, n in enumerate(bins) if n)
    limit = figures.limit / step * 8
    label = (f"{len(figures.lengths)} sentences; {figures.long} longer than {figures.limit} {figures.unit}; "
             f"the longest has {max(figures.lengths, default=0)}")
    return Markup(f'<svg class="chart" role="img" aria-label="{label}" viewBox="0 0 {len(bins) * 8} 41" '
                  f'width="{len(bins) * 8}" height="41"><title>{label}</title>{bars}'
                  f'<line x1="{limit:.1f}" y1="0" x2="{limit:.1f}" y2="41" stroke="#111" stroke-dasharray="2 2"/></svg>')
