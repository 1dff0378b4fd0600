"""The heart of it: every published page and leaflet, in every language, carries the disclaimer and
every key fact (its translated text and its language-neutral tokens)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DOCS, PROJECT, REPO, doc_langs, pdf_pages, squash, translate, visible_text

CASES = [pytest.param(lang, doc, id=f"{doc.slug}-{lang.code}") for doc in DOCS for lang in doc_langs(doc)]


def page_text(built: Path, lang, doc) -> str:
    return visible_text((built / "output/site" / lang.url / f"{doc.slug}.html").read_text(encoding="utf-8"))


def leaflet(built: Path, lang, doc) -> Path:
    return built / "output/print" / f"{doc.slug}.{lang.url}.pdf"


@pytest.mark.parametrize("lang, doc", CASES)
def test_page_has_disclaimer_at_top_and_end_and_every_key_fact(built, lang, doc):
    text = squash(page_text(built, lang, doc))
    disclaimer = squash(translate(built, lang, doc, doc.disclaimer.text))
    assert text.count(disclaimer) >= 2, "the disclaimer must stand near the top and at the end"
    top = text.index(disclaimer)
    assert top < text.index(squash(translate(built, lang, doc, doc.key_facts[0].segment.text)))
    for fact in doc.key_facts:
        translated = translate(built, lang, doc, fact.segment.text)
        assert squash(translated) in text
        for token in fact.tokens:
            assert token in translated, f"{token!r} lost in {lang.code}"


@pytest.mark.parametrize("lang, doc", CASES)
def test_leaflet_has_disclaimer_on_every_page_and_every_key_fact(built, lang, doc):
    pages = [squash(page) for page in pdf_pages(leaflet(built, lang, doc))]
    disclaimer = squash(translate(built, lang, doc, doc.disclaimer.text))
    assert 1 <= len(pages) <= doc.page_budget
    for number, page in enumerate(pages, 1):
        assert disclaimer in page, f"page {number} has no disclaimer"
    everything = "".join(pages)
    for fact in doc.key_facts:
        assert squash(translate(built, lang, doc, fact.segment.text)) in everything
        for token in fact.tokens:
            assert squash(token) in everything
    # The key facts are on page 1.
    assert squash(translate(built, lang, doc, doc.key_facts[-1].segment.text)) in pages[0]


@pytest.mark.parametrize("lang, doc", CASES)
def test_pages_and_leaflets_name_the_publisher_as_their_readers_know_it(built, lang, doc):
    name = PROJECT.publisher_name(lang)
    for other in {PROJECT.publisher_name(o) for o in doc_langs(doc)} - {name}:
        assert other not in page_text(built, lang, doc)
        assert other not in "".join(pdf_pages(leaflet(built, lang, doc)))
    assert name in page_text(built, lang, doc)
    assert all(squash(name) in squash(page) for page in pdf_pages(leaflet(built, lang, doc)))  # the footer
    assert PdfReader(leaflet(built, lang, doc)).metadata.author == name


@pytest.mark.parametrize("lang, doc", CASES)
def test_pages_and_leaflets_declare_their_language(built, lang, doc):
    html = (built / "output/site" / lang.url / f"{doc.slug}.html").read_text(encoding="utf-8")
    assert re.search(rf'<html lang="{re.escape(lang.bcp47)}">', html)
    reader = PdfReader(leaflet(built, lang, doc))
    assert reader.trailer["/Root"]["/Lang"] == lang.bcp47
    assert reader.metadata.title == re.sub(r"\s+", " ", translate(built, lang, doc, doc.title.text))


def test_every_html_file_has_a_bcp47_lang_and_every_pdf_a_lang(built):
    html_files = list((built / "output/site").rglob("*.html"))
    pdf_files = list((built / "output/print").glob("*.pdf"))
    langs = {lang for doc in DOCS for lang in doc_langs(doc)}
    # A page per document and language; per language a home, a search page, a leaflet shelf, a 404
    # page and a page per topic of its documents; the chooser and the root 404 page.
    topics = sum(len({key for doc in DOCS if lang in doc_langs(doc) for key in doc.topics}) for lang in langs)
    assert len(html_files) == sum(len(doc_langs(doc)) for doc in DOCS) + 4 * len(langs) + topics + 2
    # A leaflet and a large-print one per document and language, and a bilingual edition per
    # document and language with a partner (site.toml's, else the document's own language).
    pairs = sum(1 for doc in DOCS for lang in doc_langs(doc)
                if (partner := PROJECT.partner(lang, doc.lang)) != lang and partner in doc_langs(doc))
    assert len(pdf_files) == sum(2 * len(doc_langs(doc)) for doc in DOCS) + pairs
    for path in html_files:
        assert re.search(r'<html lang="[a-z]{2,3}(-[A-Za-z0-9]{2,8})*">', path.read_text(encoding="utf-8")), path
    for path in pdf_files:
        assert PdfReader(path).trailer["/Root"].get("/Lang"), path


def test_every_line_of_the_seed_is_in_the_english_page(built):
    seed = (REPO / "tests/fixtures/exosome-therapy.seed.txt").read_text(encoding="utf-8")
    doc = next(d for d in DOCS if d.slug == "exosome-therapy")
    text = squash(page_text(built, doc.lang, doc))
    missing = [line for line in seed.splitlines() if line.strip() and squash(line.lstrip("- ")) not in text]
    assert not missing


def test_chinese_page_and_leaflet_use_the_official_terms(built):
    doc = next(d for d in DOCS if d.slug == "exosome-therapy")
    zh = next(lang for lang in doc_langs(doc) if lang.code == "zh_TW")
    terms = ["外泌體", "細胞外囊泡", "美國食品藥物管理局（FDA）", "衛生福利部食品藥物管理署", "再生醫療法",
             "再生醫療製劑條例", "再生醫療雙法", "化粧品衛生安全管理法", "幹細胞", "血小板", "臨床前研究",
             "臨床試驗", "生物製劑", "不良事件", "醫療建議", "30–150 nm", "2019", "2024", "2025–2026"]
    page = squash(page_text(built, zh, doc))
    pdf = "".join(squash(p) for p in pdf_pages(leaflet(built, zh, doc)))
    for term in terms:
        assert squash(term) in page, term
        assert squash(term) in pdf, term
    assert "化妝品衛生安全管理法" not in page  # the law's name is written with 粧


def test_review_dates_are_formatted_for_each_locale(built):
    doc = next(d for d in DOCS if d.slug == "exosome-therapy")
    assert "November 27, 2026" in page_text(built, doc.lang, doc)
    zh = next(lang for lang in doc_langs(doc) if lang.code == "zh_TW")
    text = page_text(built, zh, doc)
    assert "2026年11月27日" in text and "2027年11月27日" in text


def test_language_switcher_links_each_version_to_the_others(built):
    for doc in DOCS:
        for lang in doc_langs(doc):
            html = (built / "output/site" / lang.url / f"{doc.slug}.html").read_text(encoding="utf-8")
            for other in doc_langs(doc):
                href = f"../{other.url}/{doc.slug}.html"
                assert f'href="{href}"' in html and f'hreflang="{other.bcp47}"' in html
                assert (built / "output/site" / lang.url / href).resolve().exists()
                assert f">{PROJECT.language_name(other)}</a>" in html
            assert (built / "output/site" / lang.url / f"{doc.slug}.{lang.url}.pdf").exists()


def test_each_language_is_named_in_itself():
    names = {lang.code: PROJECT.language_name(lang) for doc in DOCS for lang in doc_langs(doc)}
    assert names == {"en": "English", "zh_TW": "繁體中文", "vi": "Tiếng Việt", "id": "Bahasa Indonesia", "th": "ภาษาไทย"}
