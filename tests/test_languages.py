"""Documents in any language: a document written in Traditional Chinese beside one written in
English, each published in its own language and every translation, with interface text in the
page's language only; catalogs that follow new source languages; and a language in another script
(Thai) whose leaflet font is checked before anything renders."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polib
import pytest
from pypdf import PdfReader

from conftest import (DOCS, PROJECT, REPO, copy_document, doc_langs, edit_locale, pdf_pages, run, squash, translate,
                      visible_text)

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# The templates' English strings, without their placeholders: those with a word in them.
INTERFACE = [text for e in polib.pofile(str(REPO / "locales/interface.pot"))
             if re.search("[A-Za-z]{3}", text := re.sub(r"%\(\w+\)s", "", e.msgid).strip())]
CASES = [pytest.param(doc, lang, id=f"{doc.slug}-{lang.code}") for doc in DOCS for lang in doc_langs(doc)]


class _OutsideChinese(HTMLParser):
    """The visible text of a page outside elements marked as Chinese (lang="zh-…")."""

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []  # per open element: inside Chinese or a non-visible element
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "link", "br", "img", "input"):
            return
        lang = dict(attrs).get("lang") or ""
        hidden = tag in ("head", "script", "style") or lang.lower().startswith("zh")
        self.stack.append(hidden or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def test_both_documents_are_published_in_their_own_language_and_every_translation():
    langs = {doc.slug: [lang.code for lang in doc_langs(doc)] for doc in DOCS}
    assert langs == {"exosome-therapy": ["en", "zh_TW", "vi", "id", "th"],
                     "hand-washing": ["zh_TW", "en", "vi", "id", "th"]}


@pytest.mark.parametrize("doc, lang", CASES)
def test_no_page_or_leaflet_shows_interface_text_of_another_language(built, doc, lang):
    page = (built / "output/site" / lang.url / f"{doc.slug}.html").read_text(encoding="utf-8")
    leaflet = " ".join(pdf_pages(built / "output/print" / f"{doc.slug}.{lang.url}.pdf"))
    text = squash(visible_text(page) + " " + leaflet)
    if lang != PROJECT.templates_lang:
        assert [s for s in INTERFACE if squash(s) in text] == [], "English interface text"
    for msgid in ("At a glance", "Please note"):  # in the page's language, on both
        assert squash(interface(lang, msgid)) in squash(visible_text(page))
        assert squash(interface(lang, msgid)) in squash(leaflet)
    if not lang.writes_han:
        outside = _OutsideChinese()
        outside.feed(page)
        assert HAN.findall(" ".join(outside.parts)) == [], "Chinese outside an element marked lang=zh-…"
        assert HAN.findall(leaflet) == []


def interface(lang, msgid: str) -> str:
    """The interface text as the language's catalog translates it (the msgid in the templates' language)."""
    if lang == PROJECT.templates_lang:
        return msgid
    entry = polib.pofile(str(REPO / PROJECT.po_path(lang.code, "interface").relative_to(REPO))).find(msgid)
    assert entry is not None and entry.msgstr, f"{lang.code} has no translation of {msgid!r}"
    return entry.msgstr


def test_the_chinese_document_has_its_own_bilingual_edition_and_alternates(built):
    doc = next(d for d in DOCS if d.slug == "hand-washing")
    path = built / "output/print/hand-washing.en.zh-tw.pdf"  # the translation's sheet, then the source's
    pages = [squash(p) for p in pdf_pages(path)]
    english = squash(translate(built, next(l for l in doc_langs(doc) if l.code == "en"), doc, doc.disclaimer.text))
    chinese = squash(doc.disclaimer.text)
    assert english.startswith("Thisinformationisforhealtheducationonly")
    split = next(i for i, text in enumerate(pages) if chinese in text)
    assert split >= 1 and all(english in text for text in pages[:split])
    assert PdfReader(path).trailer["/Root"]["/Lang"] == "en"
    sitemap = (built / "output/site/sitemap.xml").read_text(encoding="utf-8")
    for tag, url in (("zh-TW", "zh-tw"), ("en", "en")):
        assert f'hreflang="{tag}" href="{PROJECT.site_url}{url}/hand-washing.html"' in sitemap
    page = (built / "output/site/en/hand-washing.html").read_text(encoding="utf-8")
    assert f'<link rel="alternate" hreflang="zh-TW" href="{PROJECT.site_url}zh-tw/hand-washing.html">' in page


def test_a_document_names_its_language_as_a_bcp47_tag(project):
    md = project / "source/hand-washing.md"
    for bad, message in (("Chinese", "'Chinese' is not a BCP 47 language tag"),
                         ("xx-TW", "unknown language 'xx-TW'")):
        md.write_text(md.read_text(encoding="utf-8").replace("lang: zh-TW", f"lang: {bad}", 1), encoding="utf-8")
        result = run(project, "check")
        assert result.returncode == 2
        assert result.stderr.strip().startswith(f"error: source/hand-washing.md:2: {message}"), result.stderr
        md.write_text(md.read_text(encoding="utf-8").replace(f"lang: {bad}", "lang: zh-TW", 1), encoding="utf-8")


def test_a_new_source_language_gets_catalogs_and_blocks_until_translated(project):
    # A document written in Japanese: its pages need the interface in Japanese, and translations.
    copy_document(project, "hand-washing", "te-arai", lambda text: text.replace("lang: zh-TW", "lang: ja", 1))
    assert run(project, "extract").returncode == 0
    assert (project / "locales/documents-ja.pot").exists()
    check = run(project, "check")
    assert check.returncode == 1
    assert "locales/ja/LC_MESSAGES/interface.po:0: error: [catalog]" in check.stdout
    assert "no such catalog (run: pipeline.py init ja)" in check.stdout

    update = run(project, "update")
    assert update.returncode == 0
    for code in ("en", "zh_TW"):  # every locale gets a catalog for the new language's documents
        assert f"locales/{code}/LC_MESSAGES/documents-ja.po: updated" in update.stdout
    init = run(project, "init", "ja")
    assert init.returncode == 0, init.stderr
    assert sorted(p.name for p in (project / "locales/ja/LC_MESSAGES").glob("*.po")) == [
        "documents-en.po", "documents-zh_TW.po", "interface.po"]
    assert run(project, "build").returncode == 1  # shown on the site, so its interface must be translated
    assert "refused" in run(project, "build").stderr


def test_a_thai_leaflet_needs_a_thai_font_and_renders_with_one(project):
    config = project / "site.toml"
    thai_fonts = re.search(r"(?m)^th = \[.*\]\n", config.read_text(encoding="utf-8"))[0]
    config.write_text(config.read_text(encoding="utf-8").replace(thai_fonts, ""), encoding="utf-8")
    refused = run(project, "build")
    assert refused.returncode == 2 and not (project / "output").exists()
    assert refused.stderr.startswith("error: site.toml: font 'Noto Sans CJK TC' has no glyphs for Thai (ไทย): ")
    assert 'set th = ["Noto Sans Thai", "Noto Sans CJK TC"] in site.toml [fonts]' in refused.stderr

    config.write_text(config.read_text(encoding="utf-8").replace("[fonts]\n", "[fonts]\n" + thai_fonts),
                      encoding="utf-8")
    result = run(project, "build")
    assert result.returncode == 0, result.stderr
    leaflet = project / "output/print/hand-washing.th.pdf"
    assert PdfReader(leaflet).trailer["/Root"]["/Lang"] == "th"
    text = squash(" ".join(pdf_pages(leaflet)))
    assert squash("ล้างมือ") in text and "20" in text
    fonts = {str(font["/BaseFont"]) for page in PdfReader(leaflet).pages
             for font in page["/Resources"]["/Font"].values()}
    # Looped letterforms for Thai body text, Latin letters and digits from the matching Noto Sans.
    assert any("Noto-Looped-Thai" in name for name in fonts) and any("Noto-Sans-subset" in name for name in fonts), fonts
