"""The pseudo-locale: every message of every catalog pseudo-translated and built into output/pseudo/.
Text outside the pseudo-translation's brackets did not come through gettext; the build must leave
output/site/ alone and say which leaflets would outgrow their page budget."""

from __future__ import annotations

import re

import polib
from pypdf import PdfReader

from conftest import pdf_pages, run, visible_text
from healthpub.pseudo import pseudo_translate

WORD = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]+|[\u3400-\u9fff]")  # a Latin word, or one Han character


def words(text: str) -> tuple[list[str], list[str]]:
    """All the words of a text, and those outside any [pseudo-translated] span."""
    outside = text
    while (inner := re.sub(r"\[[^\[\]]*\]", " ", outside)) != outside:  # innermost spans first
        outside = inner
    return WORD.findall(text), WORD.findall(outside)


def test_pseudo_translation_accents_expands_brackets_and_keeps_placeholders_and_links():
    assert pseudo_translate("Page last reviewed: %(date)s").startswith("[Pågé låst révîéwéd: %(date)s ")
    link = pseudo_translate("See [the notice](https://www.fda.gov/notice).")
    assert "(https://www.fda.gov/notice)" in link and "[thé ñötîçé]" in link
    text = "Exosomes are extracellular vesicles."
    assert len(pseudo_translate(text)) >= 1.35 * len(text) and pseudo_translate(text).endswith("·]")
    assert pseudo_translate("正確洗手").startswith("[正確洗手 ")  # Han text is bracketed and padded


def test_every_string_goes_through_gettext_and_site_output_is_untouched(project):
    assert run(project, "build").returncode == 0
    site = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project / "output/site").rglob("*") if p.is_file()}

    result = run(project, "pseudo")
    assert result.returncode == 0, result.stderr
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in (project / "output/site").rglob("*") if p.is_file()} == site

    folder = project / "output/pseudo"
    pages = sorted(folder.glob("site/**/*.html"))
    leaflets = sorted(folder.glob("print/*.pdf"))
    # Two documents, each a leaflet and a large-print one; their pages, their four topics' pages, the
    # home, the search page, the leaflet shelf, a 404 page, the chooser and the root 404 page.
    assert len(leaflets) == 4 and len(pages) == 2 + 4 + 3 + 1 + 2
    total = left = 0
    for path in pages + leaflets:
        text = (visible_text(path.read_text(encoding="utf-8")) if path.suffix == ".html"
                else " ".join(pdf_pages(path)))
        # A leaflet's code (HE-0042) and revision stamp (its date and hash, which has letters) are
        # names, not text.
        text = re.sub(r"\d{4}-\d\d-\d\d-[0-9a-f]{7}", " ", re.sub(r"\b[A-Z]{2}-\d{4}\b", " ", text))
        every, untransformed = words(text)
        total, left = total + len(every), left + len(untransformed)
        # What is left is not the pipeline's text: the language's own name (CLDR), the page's
        # address under the QR code (in pieces where it wraps).
        url = f"https://clinic.example.org/health/en-xa/{path.name.split('.')[0]}.html"
        assert all(word == "English" or word in url for word in untransformed), (
            path.name, untransformed)
    assert left / total <= 0.02, f"{left} of {total} words untransformed"

    # Not en, not zh_TW: a language of its own, with its own tag, pages and PDF /Lang.
    assert all('<html lang="en-XA">' in p.read_text(encoding="utf-8") for p in pages)
    assert all(PdfReader(p).trailer["/Root"]["/Lang"] == "en-XA" for p in leaflets)
    # No page holds an interface string as written (placeholders aside).
    interface = [re.sub(r"%\(\w+\)s", "", e.msgid).strip()
                 for e in polib.pofile(str(project / "locales/interface.pot")) if e.msgid]
    for path in pages:
        html = path.read_text(encoding="utf-8").replace("&#39;", "'")
        assert not [text for text in interface if re.search("[A-Za-z]", text) and text in html], path.name


def test_leaflets_over_their_page_budget_are_listed_not_refused(project):
    # A tighter budget than the expanded text needs, as a longer language would.
    md = project / "source/hand-washing.md"
    md.write_text(md.read_text(encoding="utf-8").replace("next_review: 2027-11-29\n",
                                                         "next_review: 2027-11-29\npage_budget: 1\n"), encoding="utf-8")
    result = run(project, "pseudo")
    assert result.returncode == 0, result.stderr
    assert "source/hand-washing.md: the en_XA leaflet needs 2 pages; its budget is 1" in result.stdout
    assert (project / "output/pseudo/print/hand-washing.en-xa.pdf").exists()
