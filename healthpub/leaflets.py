"""Leaflets: A4 PDFs, one per document and language, plus a bilingual edition.

Rendering happens in two steps, so that the expensive one can run in other processes: here the
leaflet's HTML is made from the templates (cheap), and a `Job` (plain data) is described; pdf.py
turns it into PDF files with WeasyPrint.
"""

from __future__ import annotations

import hashlib
import re
import resource
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import segno
from jinja2 import Environment
from markupsafe import Markup

from . import render
from .fonts import Subset
from .source import Document


MEMORY_LIMIT = 2 << 30  # bytes of address space a rendering process may use


@dataclass(frozen=True)
class Job:
    """One document's leaflets, as plain data, so that another process can render them: an HTML
    page per language, and the editions to write, each naming the languages it holds in order.
    A bilingual edition is the pages of two single-language layouts, so it costs no extra layout."""

    source: Path  # the document, for messages
    htmls: tuple[str, ...]
    editions: tuple[tuple[str, tuple[int, ...]], ...]  # (file name, indexes into htmls)
    stylesheet: bytes  # leaflet.css: the one file the leaflets link to, carried along for other machines
    fonts: tuple[Subset, ...]  # cut down to the characters of these leaflets when they are rendered


@dataclass(frozen=True)
class Part:
    """Some of a job's editions, with the layouts they need and nothing else, as a job of its own:
    which of the whole job's htmls and editions it holds, in order."""

    job: Job
    htmls: tuple[int, ...]
    editions: tuple[int, ...]


def split(job: Job) -> list[Part]:
    """The job as parts that share no layout, so that one document's leaflets render in several
    processes at once: a bilingual edition needs both its languages' layouts, a large print only
    its own. The part with the most layouts comes first."""
    groups: list[tuple[set[int], list[int]]] = []  # (htmls, editions)
    for number, (_, uses) in enumerate(job.editions):
        htmls, editions = set(uses), [number]
        for group in [g for g in groups if g[0] & htmls]:
            groups.remove(group)
            htmls |= group[0]
            editions += group[1]
        groups.append((htmls, sorted(editions)))
    parts = []
    for htmls, editions in sorted(groups, key=lambda g: (-len(g[0]), min(g[0]))):
        order = sorted(htmls)
        index = {old: new for new, old in enumerate(order)}
        part = Job(source=job.source, htmls=tuple(job.htmls[i] for i in order),
                   editions=tuple((job.editions[e][0], tuple(index[i] for i in job.editions[e][1])) for e in editions),
                   stylesheet=job.stylesheet, fonts=job.fonts)
        parts.append(Part(part, tuple(order), tuple(editions)))
    return parts


def join(job: Job, parts: list[Part], results: list[tuple[list, list, list]]) -> tuple[list, list, list]:
    """The parts' results (PDFs and pictures per edition, pages per layout) in the whole job's order."""
    pdfs, pictures, pages = [b""] * len(job.editions), [b""] * len(job.editions), [0] * len(job.htmls)
    for part, (part_pdfs, part_pages, part_pictures) in zip(parts, results):
        for edition, pdf, picture in zip(part.editions, part_pdfs, part_pictures):
            pdfs[edition], pictures[edition] = pdf, picture
        for html, count in zip(part.htmls, part_pages):
            pages[html] = count
    return pdfs, pages, pictures


def limit_memory() -> None:
    """Run in each rendering process: a runaway document fails instead of exhausting the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def render_pdfs(job: Job) -> tuple[list[bytes], list[int], list[bytes]]:
    """What a rendering process runs: the job's PDFs (pdf.write_pdfs). Named here, so that the
    process handing jobs out never imports WeasyPrint (half a second, 30 MB)."""
    from . import pdf

    return pdf.write_pdfs(job)


def qr_svg(url: str) -> Markup:
    """The page's address as a vector QR code, sized by CSS."""
    svg = segno.make(url, error="m", micro=False).svg_inline(omitsize=True, border=0, dark="#000",
                                                              title=f"QR code: {url}")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


# Leaflet HTML holds a placeholder for its QR code, which the rendering process fills in: the code is
# a function of the URL the placeholder names, so the HTML still says all the PDF depends on, and a
# build whose leaflets come from the cache does not spend ~7 ms a leaflet making codes.
_QR_PLACEHOLDER = re.compile(r'<svg data-qr="([^"]*)"></svg>')


def with_qr_codes(html: str) -> str:
    return _QR_PLACEHOLDER.sub(lambda match: qr_svg(unescape(match[1])), html)


def render_html(env: Environment, localizer: render.Localizer, doc: Document, page_url: str,
                font_families: tuple[str, ...], large: bool = False, **context) -> str:
    """A leaflet's HTML, regular or large print, stamped with its revision."""
    keywords = ", ".join(dict.fromkeys([doc.slug] + [token for fact in doc.key_facts for token in fact.tokens]))
    placeholder = Markup('<svg data-qr="{}"></svg>').format(page_url)
    html = render.render_template(env, "leaflet.html", localizer, doc=doc, lang=localizer.lang, page_url=page_url,
                                  qr_svg=placeholder, font_families=font_families, keywords=keywords, large=large,
                                  revision=_REVISION, **context)
    return html.replace(_REVISION, revision(doc, html))


# The revision stamp is a hash of the leaflet's text, so the text is hashed with this in its place.
_REVISION = "@@revision@@"


def revision(doc: Document, html: str) -> str:
    """What every page of a leaflet prints so that staff can tell one version from another: the
    document's code, its last review date and a short hash of the leaflet's own text. The same text
    gives the same stamp (the large print shares its leaflet's), and any change of text shows."""
    digest = hashlib.sha256(visible_text(html).encode()).hexdigest()[:7]
    return " · ".join(filter(None, [doc.code, f"{doc.last_reviewed.isoformat()}-{digest}"]))


def visible_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    return "".join(collector.parts)


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)  # style text too: the running footer's strings live there
