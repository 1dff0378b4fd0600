"""Clinic-ready leaflets: A4, within their page budget, tagged, small, with a QR code to their page,
the disclaimer in the right language on every page, and no character the font cannot print."""

from __future__ import annotations

import io
import subprocess
from collections import Counter, defaultdict

import polib
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from conftest import DOCS, PROJECT, ZH_UI, doc_langs, pdf_pages, run, squash, translate
from healthpub import pdf

A4 = (595.28, 841.89)  # points
SINGLE = [pytest.param(doc, lang, id=f"{doc.slug}-{lang.code}") for doc in DOCS for lang in doc_langs(doc)]
# A bilingual edition per language with a partner: site.toml's, else the document's own language.
BILINGUAL = [pytest.param(doc, lang, partner, id=f"{doc.slug}-{lang.code}-{partner.code}")
             for doc in DOCS for lang in doc_langs(doc)
             if (partner := PROJECT.partner(lang, doc.lang)) != lang and partner in doc_langs(doc)]


def disclaimer(built, lang, doc) -> str:
    return translate(built, lang, doc, doc.disclaimer.text)


def qr_codes(pdf_path, page: int = 1) -> list[str]:
    png = subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(pdf_path)],
                         capture_output=True, check=True).stdout
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("doc, lang", SINGLE)
def test_single_language_leaflet_is_a4_tagged_small_and_leads_to_its_page(built, doc, lang):
    path = built / "output/print" / f"{doc.slug}.{lang.url}.pdf"
    reader = PdfReader(path)
    assert 1 <= len(reader.pages) <= doc.page_budget
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang.bcp47
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # a tagged PDF
    info = reader.metadata
    assert info.title and info.author == PROJECT.publisher_name(lang) and info.subject and info.get("/Keywords")
    assert path.stat().st_size <= 150_000, f"{path.name} is {path.stat().st_size} bytes"
    url = f"{PROJECT.site_url}{lang.url}/{doc.slug}.html"
    assert qr_codes(path) == [url]
    assert squash(url) in squash(pdf_pages(path)[0])  # printed beneath the code too
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout


def test_the_sample_site_pairs_migrant_workers_languages_with_the_chinese_staff_read():
    pairs = {(param.values[0].slug, param.values[1].code): param.values[2].code for param in BILINGUAL}
    for doc in DOCS:
        for code in ("vi", "id", "th"):
            assert pairs[(doc.slug, code)] == "zh_TW"
        assert pairs[(doc.slug, "zh_TW")] == "en"
    assert pairs[("hand-washing", "en")] == "zh_TW"  # no partner named: the document's own language
    assert ("exosome-therapy", "en") not in pairs  # its own language has no other half


@pytest.mark.parametrize("doc, lang, partner", BILINGUAL)
def test_bilingual_edition_has_both_languages_each_with_its_disclaimer_and_code(built, doc, lang, partner):
    path = built / "output/print" / f"{doc.slug}.{lang.url}.{partner.url}.pdf"
    reader = PdfReader(path)
    assert len(reader.pages) <= 2 * doc.page_budget
    assert reader.trailer["/Root"]["/Lang"] == lang.bcp47
    pages = [squash(text) for text in pdf_pages(path)]
    first, second = squash(disclaimer(built, lang, doc)), squash(disclaimer(built, partner, doc))
    split = next(i for i, text in enumerate(pages) if second in text)
    assert split >= 1 and all(first in text for text in pages[:split])
    assert all(second in text for text in pages[split:])
    assert qr_codes(path, 1) == [f"{PROJECT.site_url}{lang.url}/{doc.slug}.html"]
    assert qr_codes(path, split + 1) == [f"{PROJECT.site_url}{partner.url}/{doc.slug}.html"]
    # Each part's structure elements carry its language, for screen readers.
    assert struct_langs(reader) == {lang.bcp47, partner.bcp47}
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("doc, lang", SINGLE)
def test_body_text_is_11_pt_or_more_with_open_lines_in_chinese(built, doc, lang):
    # Read from the PDF itself: the size carrying most of the text is the body's, and the commonest
    # step between baselines of body text in one column is its line pitch.
    runs = text_runs(built / "output/print" / f"{doc.slug}.{lang.url}.pdf")
    chars = Counter()
    for _, size, _, _, text in runs:
        chars[size] += len(text.strip())
    body = chars.most_common(1)[0][0]
    assert body >= 11
    columns = defaultdict(set)
    for page, size, x, baseline, _ in runs:
        if size == body:
            columns[(page, x)].add(baseline)
    steps = Counter(round(a - b, 1) for lines in columns.values()
                    for a, b in zip(sorted(lines, reverse=True), sorted(lines, reverse=True)[1:]))
    pitch = steps.most_common(1)[0][0] / body
    if lang.locale.language == "zh":
        assert 1.55 <= pitch <= 1.65, pitch
    else:
        assert pitch >= 1.2, pitch


def text_runs(path) -> list[tuple[int, float, float, float, str]]:
    """(page, size in pt, x, baseline y, text) of every run of text, as the content streams draw it
    (WeasyPrint draws unrotated text, so scales multiply)."""
    runs = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                runs.append((number, round(size * abs(cm[0] * tm[0]), 2), round(cm[0] * tm[4] + cm[4], 1),
                             round(cm[3] * tm[5] + cm[5], 1), text))
        page.extract_text(visitor_text=visit)
    return runs


def struct_langs(reader: PdfReader) -> set[str]:
    found, todo = set(), [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        node = todo.pop().get_object()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            if "/Lang" in node:
                found.add(str(node["/Lang"]))
            if "/K" in node:
                todo.append(node["/K"])
    return found


def test_subset_fonts_are_embedded_and_nothing_else(built):
    for path in (built / "output/print").glob("*.pdf"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        names = [line.split()[0] for line in fonts.splitlines()[2:]]
        assert names and all("subset" in name for name in names), (path.name, names)


def test_a_character_the_font_cannot_print_fails_the_build(project):
    po = project / ZH_UI
    catalog = polib.pofile(str(po))
    catalog.find("Sources").msgstr = "資料來源 🧪"
    catalog.save(str(po))
    subprocess.run(["msgcat", "-o", str(po), str(po)], check=True)
    result = run(project, "build")
    assert result.returncode == 2
    assert "cannot print: '🧪' U+1F9EA" in result.stderr
    assert not (project / "output").exists()


def test_leaflets_only_read_their_templates_and_fonts(project):
    # An image outside the project's templates, linked by a file URL and through a symlink inside
    # templates/: WeasyPrint would embed either; the fetcher refuses both, and every network URL.
    secret = project / "secret.png"
    Image.new("RGB", (40, 40), "red").save(secret)
    (project / "templates/link.png").symlink_to(secret)
    leaflet = project / "templates/leaflet.html"
    leaflet.write_text(leaflet.read_text().replace(
        "<main>", f'<main><img src="file://{secret}" alt="a"><img src="link.png" alt="b">'))
    assert run(project, "build").returncode == 0
    for path in (project / "output/print").glob("*.pdf"):
        assert b"/Subtype /Image" not in path.read_bytes() and b"/Image" not in path.read_bytes()
    fetcher = pdf.ProjectFetcher((project / "templates",))
    for url in ("https://example.org/x.css", "http://127.0.0.1/x.css", f"file://{secret}"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch((project / "templates/leaflet.css").as_uri())
