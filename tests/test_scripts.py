"""What each script asks for, in the languages of Taiwan's migrant workers and new immigrants: Thai
lines that end between words and sentences that end at a space, Vietnamese stored composed (NFC),
and the QA holding every language to its numbers, tokens, names and markup."""

from __future__ import annotations

import datetime
import re
import unicodedata
from pathlib import Path

import polib
import pytest
from pythainlp.corpus import thai_words
from weasyprint.formatting_structure.boxes import LineBox, TextBox

from conftest import PROJECT, edit_po, run, where
from healthpub import editorial, locales, publish
from healthpub import pdf as pdf_module
from healthpub.config import load_project
from healthpub.state import gather

THAI = re.compile(r"[\u0e01-\u0e4e]")
DICTIONARY = thai_words()
HANDS_FACT = "正確洗手五步驟是「濕、搓、沖、捧、擦」，抹上肥皂後至少搓洗20秒。"
SIZE_FACT = "Exosomes are extracellular vesicles about 30–150 nm in size, released by cells."
FDA_FACT = "The FDA issued a safety alert on exosome products in 2019 after patients experienced serious adverse events."
FDA_ITEM = ("The FDA issued a “Safety Alert on Exosome Products” in 2019 after patients experienced serious adverse "
            "events from unapproved products.")  # a list item: FDA is no key-fact token there


def po(code: str, domain: str) -> Path:
    return PROJECT.po_path(code, domain).relative_to(PROJECT.root)


def paragraphs(document) -> list[list[str]]:
    """The text of each laid-out line, grouped by the block the lines belong to."""
    found = []

    def walk(box):
        lines = []
        for child in getattr(box, "children", []):
            if isinstance(child, LineBox):
                lines.append("".join(t.text for t in child.descendants() if isinstance(t, TextBox)))
            else:
                walk(child)
        if lines:
            found.append(lines)
    for page in document.pages:
        walk(page._page_box)
    return found


def breaks_inside_words(lines: list[str]) -> list[str]:
    """Line ends between two Thai letters that fall inside a word. The oracle is PyThaiNLP: a line
    may end where its segmenter ends a word, or inside a compound between dictionary words
    (การ|ศึกษา, เด็ก|เล็ก), never elsewhere (สุ|ขภาพ, พยา|บาล)."""
    text, allowed, position = "".join(lines), set(), 0
    for word in locales.words(text):
        for cut in range(1, len(word)):
            if all(part in DICTIONARY for side in (word[:cut], word[cut:]) for part in locales.words(side)):
                allowed.add(position + cut)
        position += len(word)
        allowed.add(position)
    wrong, position = [], 0
    for line, following in zip(lines, lines[1:]):
        position += len(line)
        if line and following and THAI.match(line[-1]) and THAI.match(following[0]) and position not in allowed:
            wrong.append(f"{line[-8:]}|{following[:8]}")
    return wrong


def thai_leaflets(project_root: Path):
    """Each document's Thai leaflet and large print, laid out by WeasyPrint as the build lays them
    out (the job's HTML and its cut fonts)."""
    project = load_project(project_root)
    state = gather(project, datetime.date(2026, 11, 29))
    site = publish._Site(project, state, set())
    for doc in state.documents:
        job = site.job(doc)
        langs = state.doc_langs(doc)
        thai = [i for i, html in enumerate(job.htmls) if langs[i % len(langs)].code == "th"]
        with pdf_module.laid_out(job) as documents:
            yield from ((doc.slug, documents[i]) for i in thai)


def test_thai_leaflet_lines_end_between_words(project):
    checked = shifted = caught = 0
    for slug, document in thai_leaflets(project):
        for lines in paragraphs(document):
            checked += sum(1 for a, b in zip(lines, lines[1:]) if a and b and THAI.match(a[-1]) and THAI.match(b[0]))
            assert breaks_inside_words(lines) == [], slug
            # The oracle can fail: each line end moved two letters back mostly falls inside a word.
            for i in range(len(lines) - 1):
                if len(lines[i]) > 2 and THAI.match(lines[i][-3]) and THAI.match(lines[i + 1][:1] or "x"):
                    moved = lines[:i] + [lines[i][:-2], lines[i][-2:] + lines[i + 1]] + lines[i + 2:]
                    shifted += 1
                    caught += bool(breaks_inside_words(moved[i:i + 2]))
    assert checked > 300  # line ends between Thai letters, in both documents and their large prints
    assert caught > shifted / 2, (caught, shifted)


def test_thai_sentences_end_at_a_space_and_count_words():
    th = locales.parse_lang("th", "test")
    text = "ล้างมือด้วยสบู่และน้ำอย่างน้อย 20 วินาที ถ้าไม่มีสบู่ ให้ใช้เจลล้างมือ"
    found = [sentence for _, sentence in editorial.sentences(text)]
    assert found == ["ล้างมือด้วยสบู่และน้ำอย่างน้อย 20 วินาที", "ถ้าไม่มีสบู่", "ให้ใช้เจลล้างมือ"]
    assert editorial.measure(found[0], th) == 9  # ล้างมือ ด้วย สบู่ และ น้ำ อย่าง น้อย 20 วินาที
    assert editorial.measure("ให้ใช้เจลล้างมือ", th) == 4


def test_a_long_thai_sentence_is_a_warning_at_its_line_and_publishes(project):
    # One sentence of 56 words: no space between two Thai letters ends it.
    long = "ล้างมือด้วยสบู่และน้ำสะอาดทุกครั้งก่อนกินอาหารและหลังเข้าห้องน้ำ" * 4

    def change(entry):
        if entry.msgid == HANDS_FACT:
            entry.msgstr = entry.msgstr + " " + long
    edit_po(project / po("th", "documents-zh_TW"), change)
    result = run(project, "check")
    assert result.returncode == 0, result.stdout
    limit = PROJECT.sentence_limit(locales.parse_lang("th", "test"), "max_sentence_words")
    finding = next(line for line in result.stdout.splitlines() if "[long-sentence]" in line and "th/" in line)
    assert finding.startswith(f"  {where(project, 'th', HANDS_FACT)}: warning:")
    assert f"(over {limit})" in finding


def test_a_decomposed_vietnamese_translation_is_refused_until_update_composes_it(project):
    catalog = project / po("vi", "documents-en")
    composed = polib.pofile(str(catalog)).find(SIZE_FACT).msgstr
    assert unicodedata.is_normalized("NFC", composed) and not unicodedata.is_normalized("NFD", composed)
    # A tool that writes decomposed letters (ử as u + ̛ + ̉): the same text to a reader, another to search.
    tool = polib.pofile(str(catalog))
    tool.find(SIZE_FACT).msgstr = unicodedata.normalize("NFD", composed)
    tool.save()
    check = run(project, "check")
    assert check.returncode == 1
    finding = next(line for line in check.stdout.splitlines() if "[nfc]" in line)
    assert finding.startswith(f"  {where(project, 'vi', SIZE_FACT)}: error:") and "`pipeline.py update`" in finding
    assert run(project, "update").returncode == 0
    assert polib.pofile(str(catalog)).find(SIZE_FACT).msgstr == composed
    assert run(project, "check").returncode == 0
    build = run(project, "build")
    assert build.returncode == 0, build.stderr
    page = (project / "output/site/vi/exosome-therapy.html").read_text(encoding="utf-8")
    word = next(word for word in composed.split() if not word.isascii())
    assert word in page and unicodedata.normalize("NFD", word) not in page


def test_a_decomposed_source_is_extracted_composed(project):
    md = project / "source/exosome-therapy.md"
    md.write_text(md.read_text(encoding="utf-8").replace("released by cells", "released by cells (café)"),
                  encoding="utf-8")
    md.write_text(unicodedata.normalize("NFD", md.read_text(encoding="utf-8")), encoding="utf-8")
    assert run(project, "extract").returncode == 0
    pot = (project / "locales/documents-en.pot").read_text(encoding="utf-8")
    assert "released by cells (caf\u00e9)" in pot and unicodedata.is_normalized("NFC", pot)


# Planted errors in each new language: (catalog domain, msgid, change, kind, words, severity).
PLANTED = [
    ("vi", "documents-en", SIZE_FACT, lambda s: s.replace("30–150", "30–50"), "tokens", "'30–150' is missing", "error"),
    ("vi", "documents-en", FDA_FACT, lambda s: s.replace("2019", "2018"), "numbers", "number '2019'", "error"),
    ("vi", "documents-en", FDA_ITEM, lambda s: s.replace("FDA", "Cục"), "names", "'FDA' of the source is missing",
     "error"),
    ("id", "documents-en", SIZE_FACT, lambda s: s + " 外泌體", "han", "Chinese characters left", "error"),
    ("id", "documents-zh_TW", HANDS_FACT, lambda s: s.replace("20", "30"), "tokens", "'20' is missing", "error"),
    ("id", "documents-en", SIZE_FACT, lambda s: s.replace("30–150", "\u202e30–150\u202c"), "invisible",
     "U+202E (RIGHT-TO-LEFT OVERRIDE)", "error"),
    ("th", "documents-en", SIZE_FACT, lambda s: s.replace("30–150", "30–15O"), "tokens", "'30–150' is missing", "error"),
    ("th", "documents-zh_TW", HANDS_FACT, lambda s: s.replace("ล้าง", "ล้\u200bาง", 1), "invisible",
     "U+200B (ZERO WIDTH SPACE)", "error"),
    ("th", "documents-en", FDA_ITEM, lambda s: s.replace("FDA", "อย."), "names", "'FDA' of the source is missing",
     "warning"),  # another script may translate an acronym
    ("th", "documents-en", SIZE_FACT, lambda s: s + "，", "punctuation", "full-width punctuation", "warning"),
]


@pytest.mark.parametrize("code, domain, msgid, plant, kind, words, severity", PLANTED,
                         ids=[f"{p[0]}-{p[4]}-{i}" for i, p in enumerate(PLANTED)])
def test_a_planted_error_in_a_new_language_is_named_with_file_and_line(project, code, domain, msgid, plant, kind,
                                                                         words, severity):
    def change(entry):
        if entry.msgid == msgid:
            entry.msgstr = plant(entry.msgstr)
    edit_po(project / po(code, domain), change)
    result = run(project, "check")
    assert result.returncode == (1 if severity == "error" else 0), result.stdout
    finding = next((line for line in result.stdout.splitlines() if f"[{kind}]" in line and words in line), None)
    assert finding is not None, result.stdout
    assert finding.startswith(f"  {where(project, code, msgid)}: {severity}:")
