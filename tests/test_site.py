"""A site for hundreds of leaflets: a home page per language, topics, and a leaflet shelf for staff;
a document added to source/ appears in all of them with no code change."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import DOCS, PROJECT, copy_document, doc_langs, run, translate, visible_text

LANGS = list(dict.fromkeys(lang for doc in DOCS for lang in doc_langs(doc)))


def html(root, path: str) -> str:
    return (root / "output/site" / path).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS, ids=[lang.code for lang in LANGS])
def test_each_language_has_a_home_listing_its_documents(built, lang):
    home = html(built, f"{lang.url}/index.html")
    assert f'<html lang="{lang.bcp47}">' in home
    text = visible_text(home)
    for doc in DOCS:
        title = translate(built, lang, doc, doc.title.text)
        assert f'href="{doc.slug}.html"' in home and title in text
        assert translate(built, lang, doc, doc.description.text).split()[0] in text
        assert f'href="{doc.slug}.{lang.url}.pdf"' in home and f'href="{doc.slug}.{lang.url}.large.pdf"' in home
    # The homes link to each other with hreflang, and the chooser at the root links to them.
    for other in LANGS:
        assert f'<link rel="alternate" hreflang="{other.bcp47}" href="{PROJECT.site_url}{other.url}/">' in home
    assert f'<a href="{lang.url}/index.html" hreflang="{lang.bcp47}">' in html(built, "index.html")
    # Every page's header leads to its language's home and searches it.
    page = html(built, f"{lang.url}/{DOCS[0].slug}.html")
    assert f'<a class="publisher" href="../{lang.url}/index.html">' in page
    assert f'<form class="search" role="search" action="../{lang.url}/search.html">' in page


@pytest.mark.parametrize("lang", LANGS, ids=[lang.code for lang in LANGS])
def test_topics_have_a_page_in_each_language_and_documents_show_theirs(built, lang):
    for doc in DOCS:
        assert doc.topics
        page = html(built, f"{lang.url}/{doc.slug}.html")
        for key in doc.topics:
            assert f'href="topics/{key}.html"' in page
            topic = html(built, f"{lang.url}/topics/{key}.html")
            assert f'href="../{doc.slug}.html"' in topic
            assert translate(built, lang, doc, doc.title.text) in visible_text(topic)
            others = [d for d in DOCS if key not in d.topics]
            assert all(f'href="../{d.slug}.html"' not in topic for d in others)
    if lang.code == "zh_TW":  # the topics' names are translated through the catalogs
        assert "手部衛生" in visible_text(html(built, "zh-tw/topics/hand-hygiene.html"))


@pytest.mark.parametrize("lang", LANGS, ids=[lang.code for lang in LANGS])
def test_the_leaflet_shelf_shows_every_leaflet_with_its_first_page_and_page_count(built, lang):
    shelf = html(built, f"{lang.url}/leaflets.html")
    site = built / "output/site" / lang.url
    expected = sorted(p.name for p in site.glob("*.pdf"))
    # A leaflet and a large print per document; a bilingual edition of each document where the
    # language has a partner (site.toml's, or the document's own language).
    assert len(expected) == 2 * len(DOCS) + sum(
        1 for doc in DOCS if (partner := PROJECT.partner(lang, doc.lang)) != lang and partner in doc_langs(doc))
    items = re.findall(r'<li>\s*<a href="([^"]+\.pdf)" type="application/pdf">\s*<img src="([^"]+)" width="(\d+)" '
                       r'height="(\d+)" alt="([^"]+)">.*?<span class="pages">([^<]+)</span>', shelf, re.S)
    assert sorted(item[0] for item in items) == expected
    for pdf, picture, width, height, alt, pages in items:
        image = Image.open(site / picture)
        assert image.format == "WEBP" and image.size == (int(width), int(height)) and int(height) > int(width)
        assert (site / picture).stat().st_size < 40_000
        count = len(PdfReader(site / pdf).pages)
        assert str(count) in pages
        doc = next(d for d in DOCS if pdf.startswith(d.slug + "."))
        assert translate(built, lang, doc, doc.title.text).replace("'", "&#39;") in alt
        assert doc.code in shelf


def test_an_unknown_topic_is_refused_with_its_line(project):
    md = project / "source/hand-washing.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("topics: [infection-prevention, hand-hygiene]", "topics: [infection-prevention, handwash]"),
                  encoding="utf-8")
    line = text.splitlines().index("topics: [infection-prevention, hand-hygiene]") + 1
    result = run(project, "check")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: source/hand-washing.md:{line}: unknown topic 'handwash' "
                                    "(topics are defined in site.toml [topics]: ")


def test_a_second_document_appears_in_homes_topics_and_shelves_with_no_code_change(project):
    copy_document(project, "hand-washing", "hand-washing-2", lambda text: text.replace(
        "title: 正確洗手：", "title: 洗手第二篇：").replace("code: IC-0007", "code: IC-0008"))
    assert run(project, "extract").returncode == 0 and run(project, "update").returncode == 0
    assert run(project, "build", "--draft").returncode == 0
    for lang in ("zh-tw", "en"):
        assert 'href="hand-washing-2.html"' in html(project, f"{lang}/index.html")
        assert 'href="../hand-washing-2.html"' in html(project, f"{lang}/topics/hand-hygiene.html")
        assert f'href="hand-washing-2.{lang}.pdf"' in html(project, f"{lang}/leaflets.html")
    assert "洗手第二篇" in visible_text(html(project, "zh-tw/index.html"))
