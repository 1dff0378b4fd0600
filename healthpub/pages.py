"""Web pages: one HTML page per document and language, plus the language-chooser index."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment

from . import render
from .locales import Lang
from .source import Document


@dataclass(frozen=True)
class Link:
    lang: Lang
    href: str  # relative to the page that links
    url: str  # absolute, for canonical, hreflang and QR codes


def page_path(lang: Lang, slug: str) -> str:
    return f"{lang.url}/{slug}.html"


def leaflet_name(lang: Lang, slug: str) -> str:
    return f"{slug}.{lang.url}.pdf"


def page_url(site_url: str, lang: Lang, slug: str) -> str:
    return site_url + page_path(lang, slug)


def render_page(env: Environment, doc: Document, lang: Lang, langs: list[Lang], site_url: str, **context) -> str:
    alternates = [Link(other, f"../{page_path(other, doc.slug)}", page_url(site_url, other, doc.slug))
                  for other in langs]
    page = {"url": page_url(site_url, lang, doc.slug), "root": "../", "alternates": alternates,
            "leaflet": leaflet_name(lang, doc.slug)}
    return render.render_template(env, "page.html", doc=doc, lang=lang, page=page, site_url=site_url, **context)


def render_index(env: Environment, lang: Lang, groups: list[dict], **context) -> str:
    return render.render_template(env, "index.html", lang=lang, groups=groups, **context)
