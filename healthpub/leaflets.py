"""Leaflets: an A4 PDF per document and language, rendered by WeasyPrint from templates/leaflet.html."""

from __future__ import annotations

import logging
from html.parser import HTMLParser
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import segno
from jinja2 import Environment
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from . import fonts, render
from .errors import InputError
from .locales import Lang
from .source import Document

logging.getLogger("weasyprint").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Leaflet:
    pdf: bytes
    pages: int


class ProjectFetcher(URLFetcher):
    """WeasyPrint may read files under one folder (the templates) and nothing else: no network,
    no other local file, symlinks resolved before the check."""

    def __init__(self, allowed: Path):
        super().__init__(allowed_protocols={"file"})
        self.allowed = allowed.resolve()

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file" and Path(url2pathname(parsed.path)).resolve().is_relative_to(self.allowed):
            return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url}: leaflets may only use files under {self.allowed}")


def qr_svg(url: str) -> Markup:
    """The page's address as a vector QR code, sized by CSS."""
    svg = segno.make(url, error="m", micro=False).svg_inline(omitsize=True, border=0, dark="#000")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code" ', 1))


def render_leaflet(env: Environment, doc: Document, lang: Lang, font: fonts.Font, templates: Path,
                   **context) -> Leaflet:
    html = render.render_template(env, "leaflet.html", doc=doc, lang=lang, font_family=font.family, **context)
    if gaps := fonts.missing(font, visible_text(html)):
        shown = " ".join(f"{c!r} U+{ord(c):04X}" for c in gaps[:5])
        raise InputError(doc.path, None, f"the {lang.code} leaflet has characters {font.family} cannot print: {shown}",
                         "change the text or set another font in site.toml [fonts]")
    document = HTML(string=html, base_url=templates.resolve().as_uri() + "/",
                    url_fetcher=ProjectFetcher(templates)).render()
    if len(document.pages) > doc.page_budget:
        raise InputError(doc.path, None, f"the {lang.code} leaflet needs {len(document.pages)} pages; its budget "
                         f"is {doc.page_budget}", "shorten the text or raise page_budget in the front matter")
    return Leaflet(pdf=document.write_pdf(pdf_variant="pdf/ua-1"), pages=len(document.pages))


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)  # style text too: the running footer's strings live there


def visible_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    return "".join(collector.parts)
