"""Web pages: a page per document and language; per language a home page, a page per topic, the
leaflet shelf, the search page and a 404 page; the language chooser (the x-default), the sitemap and
robots.txt. Every URL given to search engines is absolute."""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from jinja2 import Environment
from markupsafe import Markup

from . import render
from .locales import Lang
from .source import BulletList, Document


@dataclass(frozen=True)
class Link:
    lang: Lang
    href: str  # relative to the page that links
    url: str  # absolute, for canonical, hreflang, the sitemap and QR codes


def page_path(lang: Lang, name: str) -> str:
    """A page's path in the site: its language's folder, then its name ("x.html", "topics/y.html")."""
    return f"{lang.url}/{name}"


def page_url(site_url: str, lang: Lang, name: str) -> str:
    """A page's address for search engines: a folder's index.html is the folder's own."""
    return site_url + page_path(lang, name).removesuffix("index.html")


def doc_page(slug: str) -> str:
    return f"{slug}.html"


def topic_page(key: str) -> str:
    return f"topics/{key}.html"


def leaflet_name(lang: Lang, slug: str, large: bool = False) -> str:
    return f"{slug}.{lang.url}.large.pdf" if large else f"{slug}.{lang.url}.pdf"


def root_of(name: str) -> str:
    """The way up from a page to the site's root."""
    return "../" * (name.count("/") + 1)


def alternates(site_url: str, langs: list[Lang], name: str) -> list[Link]:
    """A page's versions in each language, linked from any of them."""
    return [Link(lang, root_of(name) + page_path(lang, name), page_url(site_url, lang, name)) for lang in langs]


def render_named(env: Environment, template: str, localizer: render.Localizer, name: str, langs: list[Lang],
                 site_url: str, **context) -> str:
    """A page of one language's folder, with its versions in the others."""
    return render.render_template(env, template, localizer, lang=localizer.lang, root=root_of(name),
                                  alternates=alternates(site_url, langs, name), site_url=site_url,
                                  page_url=page_url(site_url, localizer.lang, name), **context)


def render_page(env: Environment, localizer: render.Localizer, doc: Document, langs: list[Lang], site_url: str,
                **context) -> str:
    lang = localizer.lang
    url = page_url(site_url, lang, doc_page(doc.slug))
    page = {"url": url, "leaflet": leaflet_name(lang, doc.slug), "large_print": leaflet_name(lang, doc.slug, large=True)}
    data = structured_data(localizer, doc, lang, url, context["publisher"])
    return render_named(env, "page.html", localizer, doc_page(doc.slug), langs, site_url, doc=doc, page=page,
                        structured_data=data, **context)


def structured_data(localizer: render.Localizer, doc: Document, lang: Lang, url: str, publisher: str) -> Markup:
    """JSON-LD: the page as a MedicalWebPage, its FAQ as a FAQPage, in the page's language."""
    def answer(blocks) -> str:
        return " ".join(localizer.plain(item) for block in blocks
                        for item in (block.items if isinstance(block, BulletList) else (block,)))
    page = {
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "inLanguage": lang.bcp47,
        "name": localizer.plain(doc.title),
        "description": localizer.plain(doc.description),
        "lastReviewed": doc.last_reviewed.isoformat(),
        "about": {"@type": "Thing", "name": localizer.plain(doc.title)},
        "publisher": {"@type": "Organization", "name": publisher},
        "citation": [ref.url for ref in doc.sources if ref.url],
    }
    if doc.reviewed_by:
        page["reviewedBy"] = {"@type": "Person", "name": doc.reviewed_by}
    graph = [page]
    if doc.faq:
        graph.append({
            "@type": "FAQPage",
            "@id": url + "#faq",
            "inLanguage": lang.bcp47,
            "mainEntity": [{"@type": "Question", "name": localizer.plain(q.question),
                            "acceptedAnswer": {"@type": "Answer", "text": answer(q.answer)}}
                           for q in doc.faq.questions],
        })
    text = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False, indent=1)
    # Inside <script>, only "</" could end the element early; translations are untrusted.
    return Markup(text.replace("</", "<\\/"))


def render_index(env: Environment, localizer: render.Localizer, groups: list[dict], **context) -> str:
    return render.render_template(env, "index.html", localizer, lang=localizer.lang, groups=groups, **context)


def render_404(env: Environment, localizer: render.Localizer, root: str, **context) -> str:
    """"Page not found", with links from the site's root (`root` is an absolute path): it answers
    for missing URLs at any depth."""
    return render.render_template(env, "404.html", localizer, lang=localizer.lang, root=root, alternates=[],
                                  **context)


def sitemap(site_url: str, pages: dict[str, list[Lang]]) -> str:
    """Every page with its alternates (hreflang), sorted, so the file is stable; `pages` gives each
    page name's languages."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    entries = sorted((link.url, name) for name, langs in pages.items() for link in alternates(site_url, langs, name))
    lines.append(f"  <url>\n    <loc>{escape(site_url)}</loc>\n  </url>")  # the language chooser
    for url, name in entries:
        lines.append(f"  <url>\n    <loc>{escape(url)}</loc>")
        for link in alternates(site_url, pages[name], name):
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{link.lang.bcp47}" href={quoteattr(link.url)}/>')
        lines.append(f'    <xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(site_url)}/>\n  </url>')
    lines.append("</urlset>\n")
    return "\n".join(lines)


def robots(site_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site_url}sitemap.xml\n"
