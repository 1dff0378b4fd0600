"""The review report a medical reviewer reads before signing off: counts per locale and document,
the QA findings, and each document side by side, with a word diff where the source text changed.
Every locale translates the documents not written in it: zh_TW the English document and the page
text, en the document written in Traditional Chinese.

The HTML is parsed as a browser parses it (tinyhtml5, WeasyPrint's parser), so "escaped" means
the browser builds no element from a translation."""

from __future__ import annotations

import datetime
import posixpath
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from xml.etree.ElementTree import Element

import polib
import pytest
import tinyhtml5

from conftest import EN_PO, REPO, ZH_PO, ZH_UI, edit_po, run
from healthpub import report, source
from healthpub.config import load_project
from healthpub.state import gather

DOC = "source/exosome-therapy.md"
CONSULT = "Consult a qualified physician before considering any injection treatment."
ZH_DOC = "source/hand-washing.md"  # written in Traditional Chinese: translated into English
SCRUB = "正確洗手五步驟是「濕、搓、沖、捧、擦」，抹上肥皂後至少搓洗20秒。"
# Each published locale: the catalogs it has, and the document it translates (the other is its own).
LOCALES = {
    "zh_TW": {"catalogs": [ZH_PO, ZH_UI], "doc": "exosome-therapy", "po": ZH_PO, "own": "hand-washing"},
    "en": {"catalogs": [EN_PO], "doc": "hand-washing", "po": EN_PO, "own": "exosome-therapy"},
}
# A page per locale of the site, and the index; a page per part a locale translates: a document
# not written in its language, and the page text (written in English).
PAGES = ["index.html", *(f"{code}.html" for code in ("en", "zh_TW", "vi", "id", "th")),
         "en/doc-hand-washing.html", "zh_TW/doc-exosome-therapy.html", "zh_TW/page-text.html",
         *(f"{code}/{part}.html" for code in ("vi", "id", "th")
           for part in ("doc-exosome-therapy", "doc-hand-washing", "page-text"))]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def render(project: Path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(project)
    loaded = load_project(Path("."))
    return {name: make() for name, _, make in report.render(loaded, gather(loaded, datetime.date(2026, 11, 29)))}


def findings_of(project: Path, code: str) -> list[str]:
    """The lines `pipeline.py check` prints for a locale's findings."""
    lines = run(project, "check").stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{code} ("))
    found = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        found.append(line)
    return found


def parse(html: str) -> Element:
    return tinyhtml5.parse(html, namespace_html_elements=False)


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def classes(element: Element) -> set[str]:
    return set(element.get("class", "").split())


def segment_rows(page: Element, part: str = "doc-exosome-therapy") -> list[Element]:
    return [tr for tr in page.iter("tr") if re.fullmatch(rf"{part}/\d+", tr.get("id", ""))]


def cell(row: Element, name: str) -> Element:
    return next(td for td in row.iter("td") if name in classes(td))


def locale_row(index: Element, code: str) -> Element:
    return next(tr for tr in index.iter("tr") if tr.get("id") == f"locale-{code}")


def counts(row: Element) -> dict[str, str]:
    """"72 (100%)" per status column of a progress row."""
    return {status: text(cell(row, status)) for status in ("translated", "fuzzy", "untranslated")}


def documents(project: Path) -> dict[str, source.Document]:
    default = load_project(project).source_lang
    return {path.stem: source.load(path, default) for path in sorted((project / "source").glob("*.md"))}


def total(project: Path, code: str) -> int:
    """The messages of every domain a locale translates: those of the POTs not written in it."""
    loaded = load_project(project)
    lang = next(lang for lang in loaded.catalog_langs() if lang.code == code)
    return sum(len([m for m in polib.pofile(str(loaded.pot_path(domain).resolve())) if m.msgid])
               for domain in loaded.domains_for(lang, loaded.domains()))


@pytest.mark.parametrize("code", LOCALES)
def test_the_real_catalogs_are_complete_with_no_findings(project, monkeypatch, code):
    files = render(project, monkeypatch)
    assert sorted(files) == sorted(PAGES)
    expected = LOCALES[code]
    count = total(project, code)
    assert count == sum(len([e for e in polib.pofile(str(project / po)) if not e.obsolete])
                        for po in expected["catalogs"])

    index = parse(files["index.html"])
    assert index.get("lang") == "en"
    row = locale_row(index, code)
    assert counts(row) == {"translated": f"{count} (100%)", "fuzzy": "0 (0%)", "untranslated": "0 (0%)"}
    assert "published" in text(row) and "not published" not in text(row)
    assert [a.get("href") for a in row.iter("a")] == [f"{code}.html"]
    # No errors; a warning only where a translation made a sentence longer than its source's.
    errors, warnings = [text(td) for td in row.iter("td")][-2:]
    assert errors == "0" and int(warnings) == sum("[long-sentence]" in line for line in findings_of(project, code))
    bar = next(div for div in row.iter("div") if "bar" in classes(div))
    assert [(classes(s), s.get("style")) for s in bar] == [({"translated"}, "width: 100.00%")]

    page = parse(files[f"{code}.html"])
    assert page.get("lang") == "en"
    assert "Ready for sign-off" in text(page)
    if not int(warnings):
        assert "No findings." in text(page)
        assert not any("findings" in classes(t) for t in page.iter("table"))
    whole = next(tr for tr in page.iter("tr") if "total" in classes(tr))
    assert counts(whole)["translated"] == f"{count} (100%)"
    listed = next(dd for dt, dd in zip(page.iter("dt"), page.iter("dd")) if text(dt) == "Catalogs")
    assert [text(c) for c in listed.iter("code")] == [str(po) for po in expected["catalogs"]]

    docs = documents(project)
    doc = docs[expected["doc"]]
    assert doc.lang.code != code
    segments = list(doc.segments())
    progress = next(tr for tr in page.iter("tr") if tr.get("id") == f"progress/doc-{doc.slug}")
    assert [a.get("href") for a in progress.iter("a")] == [f"{code}/doc-{doc.slug}.html"]
    part = parse(files[f"{code}/doc-{doc.slug}.html"])
    assert part.get("lang") == "en" and doc.title.text in text(part.find(".//h1"))
    assert [a.get("href") for a in part.find(".//header").iter("a")] == ["../index.html", f"../{code}.html"]
    assert f"all {len({(s.context, s.text) for s in doc.required()})} approved" in text(part)
    rows = segment_rows(part, f"doc-{doc.slug}")
    assert len(rows) == len(segments)  # one row per segment, in reading order
    assert f"{code}/doc-{expected['own']}.html" not in files  # its own language's document: nothing to translate
    # The page text is written in English: zh_TW translates it, English does not.
    assert (f"{code}/page-text.html" in files) == (ZH_UI in expected["catalogs"])
    bcp47 = next(lang.bcp47 for lang in load_project(project).catalog_langs() if lang.code == code)
    catalog = polib.pofile(str(project / expected["po"]))
    for row, segment in zip(rows, segments):
        assert "translated" in classes(row)
        assert text(cell(row, "source")) == segment.text
        assert cell(row, "source").get("lang") == doc.lang.bcp47
        translation = cell(row, "translation")
        assert translation.get("lang") == bcp47
        assert text(translation).startswith(" ".join(catalog.find(segment.text, msgctxt=segment.context).msgstr.split()))
    kinds = [text(next(s for s in cell(row, "kind").iter("span") if "kind-name" in classes(s))) for row in rows]
    assert kinds[:3] == ["title", "description", "disclaimer"] and kinds[3] == "key fact"
    assert {"heading", "paragraph", "list item", "question", "answer"} <= set(kinds)
    required = [text(cell(row, "source")) for row in rows if "required" in classes(row)]
    assert required == [doc.disclaimer.text] + [fact.segment.text for fact in doc.key_facts]
    assert all("required" in text(cell(row, "kind")) for row in rows if "required" in classes(row))


def test_a_changed_sentence_shows_as_fuzzy_with_a_word_diff(project, monkeypatch):
    doc = project / DOC
    doc.write_text(doc.read_text(encoding="utf-8").replace(CONSULT, CONSULT.replace("qualified", "licensed")),
                   encoding="utf-8")
    assert run(project, "extract").returncode == 0
    assert run(project, "update").returncode == 0
    changed = CONSULT.replace("qualified", "licensed")
    entry = polib.pofile(str(project / ZH_PO)).find(changed)
    assert entry.fuzzy and entry.previous_msgid == CONSULT  # msgmerge's doing, as a translator's tool shows it

    files = render(project, monkeypatch)
    count = total(project, "zh_TW")
    page = parse(files["zh_TW.html"])
    part = parse(files["zh_TW/doc-exosome-therapy.html"])
    [row] = [r for r in segment_rows(part) if "fuzzy" in classes(r)]
    assert "required" in classes(row)
    assert "fuzzy" in text(cell(row, "status"))
    source_cell = cell(row, "source")
    assert [text(d) for d in source_cell.iter("del")] == ["qualified"]
    assert [text(i) for i in source_cell.iter("ins")] == ["licensed"]
    diff = next(p for p in source_cell.iter("p") if "diff" in classes(p))
    assert "".join(diff.itertext()) == "Consult a qualifiedlicensed physician before considering any injection treatment."
    assert entry.msgstr in text(cell(row, "translation"))  # the old translation, to check against the new English
    assert "Not approved" in text(cell(row, "translation"))

    assert "Blocks publishing" in text(page)
    # Besides the plain-language warnings the catalog has anyway (long-sentence), this one.
    findings = [tr for tr in page.iter("tr") if "finding" in classes(tr) and "long-sentence" not in text(tr)]
    assert len(findings) == 1
    where, severity, kind, message, problem = (text(td) for td in findings[0].iter("td"))
    assert where == f"{ZH_PO}:{entry.linenum}"
    assert (severity, kind) == ("error", "required")
    assert message == "Consult a licensed physician before considering any …"
    assert [a.get("href") for a in findings[0].iter("a")] == [f"zh_TW/doc-exosome-therapy.html#{row.get('id')}"]

    document = next(tr for tr in page.iter("tr") if tr.get("id") == "progress/doc-exosome-therapy")
    assert counts(document)["fuzzy"].startswith("1 (")
    assert "1 of 9 not approved" in text(document)
    assert "1 of 9 not approved" in text(part) and "55 translated, 1 fuzzy, 0 untranslated" in text(part)
    index_row = locale_row(parse(files["index.html"]), "zh_TW")
    assert counts(index_row)["translated"] == f"{count - 1} ({round(100 * (count - 1) / count)}%)"
    assert counts(index_row)["fuzzy"] == "1 (1%)"
    assert "blocks publishing" in text(index_row)
    # The other locale does not translate the English document: its report is unchanged.
    assert "Ready for sign-off" in text(parse(files["en.html"]))
    assert "blocks publishing" not in text(locale_row(parse(files["index.html"]), "en"))


def test_a_changed_chinese_sentence_shows_as_fuzzy_in_the_english_report(project, monkeypatch):
    # The same review, the other way: a document written in Traditional Chinese, translated into English.
    changed = SCRUB.replace("20秒", "30秒")
    doc = project / ZH_DOC
    doc.write_text(doc.read_text(encoding="utf-8").replace(SCRUB, changed).replace('tokens: ["20"]', 'tokens: ["30"]'),
                   encoding="utf-8")
    assert run(project, "extract").returncode == 0
    assert run(project, "update").returncode == 0
    entry = polib.pofile(str(project / EN_PO)).find(changed)
    assert entry.fuzzy and entry.previous_msgid == SCRUB

    files = render(project, monkeypatch)
    page = parse(files["en.html"])
    [row] = [r for r in segment_rows(parse(files["en/doc-hand-washing.html"]), "doc-hand-washing")
             if "fuzzy" in classes(r)]
    assert "required" in classes(row)
    source_cell = cell(row, "source")
    assert source_cell.get("lang") == "zh-TW" and cell(row, "translation").get("lang") == "en"
    removed = "".join(text(d) for d in source_cell.iter("del"))
    added = "".join(text(i) for i in source_cell.iter("ins"))
    assert "20" in removed and "30" not in removed and "30" in added and "20" not in added
    diff = next(p for p in source_cell.iter("p") if "diff" in classes(p))
    # Without its insertions the diff reads as the text that was translated; without its deletions, as today's.
    kept = [(child.tag, child.text or "", child.tail or "") for child in diff]
    before = (diff.text or "") + "".join((t if tag == "del" else "") + tail for tag, t, tail in kept)
    after = (diff.text or "") + "".join((t if tag == "ins" else "") + tail for tag, t, tail in kept)
    assert (before, after) == (SCRUB, changed)
    assert entry.msgstr in text(cell(row, "translation"))
    assert "Not approved" in text(cell(row, "translation"))

    # Besides the plain-language warnings the catalog has anyway (long-sentence), this one.
    findings = [tr for tr in page.iter("tr") if "finding" in classes(tr) and "long-sentence" not in text(tr)]
    assert len(findings) == 1
    where, severity, kind, _, _ = (text(td) for td in findings[0].iter("td"))
    assert where == f"{EN_PO}:{entry.linenum}"
    assert (severity, kind) == ("error", "required")
    assert "blocks publishing" in text(locale_row(parse(files["index.html"]), "en"))
    assert "Ready for sign-off" in text(parse(files["zh_TW.html"]))


def test_the_word_diff_of_chinese_text_shows_only_what_changed():
    pieces = report.word_diff("抹上肥皂後至少搓洗20秒。", "抹上肥皂後至少搓洗30秒。")
    assert [(op, text) for op, text in pieces if op] == [("del", "20"), ("ins", "30")]
    pieces = report.word_diff("不能取代醫師的診斷", "不能取代專業醫師的診斷")
    assert [(op, text) for op, text in pieces if op] == [("ins", "專業")]


def test_a_translation_cannot_inject_markup(project, monkeypatch):
    attack = '資料來源<script>alert(1)</script><img src=x onerror="alert(2)"></td></tr></table><b>'

    def change(entry):
        if entry.msgid == "Sources":
            entry.msgstr = attack
            entry.tcomment = "<script>alert(3)</script>"
    edit_po(project / ZH_UI, change)  # a page text: "Sources" is in the interface catalog

    files = render(project, monkeypatch)
    for name in ("zh_TW.html", "zh_TW/page-text.html"):  # the findings, and the rows
        page = parse(files[name])
        assert not list(page.iter("script")) and not list(page.iter("img")) and not list(page.iter("b")), name
        assert "<script>" not in files[name], name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in files["zh_TW/page-text.html"]
    page = parse(files["zh_TW.html"])
    [row] = [r for r in segment_rows(parse(files["zh_TW/page-text.html"]), "page-text")
             if text(cell(r, "source")) == "Sources"]
    assert text(cell(row, "translation")).startswith(" ".join(attack.split()))
    assert "alert(3)" in text(cell(row, "translation"))
    assert any(text(tr.findall("td")[2]) == "markup" for tr in page.iter("tr") if "finding" in classes(tr))


def test_a_new_locale_is_shown_untranslated_and_not_published(project, monkeypatch):
    assert run(project, "init", "ja").returncode == 0
    files = render(project, monkeypatch)
    parts = ("doc-exosome-therapy", "doc-hand-washing", "page-text")
    assert sorted(files) == sorted([*PAGES, "ja.html", *(f"ja/{part}.html" for part in parts)])
    # Japanese translates everything: both documents' domains and the page text.
    count = total(project, "ja")
    assert count == sum(len([m for m in polib.pofile(str(pot)) if m.msgid])
                        for pot in sorted((project / "locales").glob("*.pot")))

    row = locale_row(parse(files["index.html"]), "ja")
    assert counts(row) == {"translated": "0 (0%)", "fuzzy": "0 (0%)", "untranslated": f"{count} (100%)"}
    assert "not published" in text(row)
    assert "blocks publishing" not in text(row)

    page = parse(files["ja.html"])
    assert "Not published" in text(page)
    whole = next(tr for tr in page.iter("tr") if "total" in classes(tr))
    assert counts(whole)["translated"] == "0 (0%)"
    for part in parts:
        rows = segment_rows(parse(files[f"ja/{part}.html"]), part)
        assert rows and all("untranslated" in classes(r) for r in rows), part
        assert all(cell(r, "translation").get("lang") == "ja" for r in rows), part
        assert "Not translated" in text(cell(rows[0], "translation")), part
    hand_washing, exosome = (parse(files[f"ja/{part}.html"]) for part in parts[1::-1])
    assert {cell(r, "source").get("lang") for r in segment_rows(hand_washing, "doc-hand-washing")} == {"zh-TW"}
    assert {cell(r, "source").get("lang") for r in segment_rows(exosome, "doc-exosome-therapy")} == {"en"}


def test_report_strings_stay_out_of_the_translators_catalogs(project):
    assert run(project, "extract").returncode == 0
    pots = {path.name: path.read_bytes() for path in sorted((project / "locales").glob("*.pot"))}
    assert sorted(pots) == ["documents-en.pot", "documents-zh_TW.pot", "interface.pot"]
    for name, pot in pots.items():
        assert b"report.html" not in pot and b"Translation review" not in pot, name
    (project / "templates/report.html").unlink()
    assert run(project, "extract").returncode == 0
    assert {path.name: path.read_bytes() for path in sorted((project / "locales").glob("*.pot"))} == pots


class _Nesting(HTMLParser):
    """Every element the report opens, it closes, in order; no script anywhere."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" or any(name.startswith("on") for name, _ in attrs):
            self.problems.append(f"script at {self.getpos()}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} does not close the open element")


@pytest.mark.parametrize("setup", ["real", "fuzzy-and-ja"])
def test_the_report_is_self_contained_well_formed_html(project, monkeypatch, setup):
    if setup != "real":
        doc = project / DOC
        doc.write_text(doc.read_text(encoding="utf-8").replace("qualified physician before", "licensed doctor before"),
                       encoding="utf-8")
        zh_doc = project / ZH_DOC
        zh_doc.write_text(zh_doc.read_text(encoding="utf-8").replace("20秒。", "20秒以上。", 1), encoding="utf-8")
        for args in (("extract",), ("update",), ("init", "ja")):
            assert run(project, *args).returncode == 0
    files = render(project, monkeypatch)
    ids = {name: [e.get("id") for e in parse(html).iter() if e.get("id")] for name, html in files.items()}
    for name, html in files.items():
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), name
        parser = _Nesting()
        parser.feed(html)
        parser.close()
        assert parser.problems == [] and parser.stack == [], name
        page = parse(html)
        assert not [e for e in page.iter() if e.tag in ("link", "script", "iframe", "img")], name  # nothing fetched
        assert any(text(style) for style in page.iter("style")), name
        assert len(ids[name]) == len(set(ids[name])), name
        for a in page.iter("a"):
            href = a.get("href")
            target, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
            assert target in files, (name, href)
            assert not fragment or fragment in ids[target], (name, href)

    vnu = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
    if vnu.exists() and shutil.which("java"):
        out = project / "report"
        out.mkdir()
        for name, html in files.items():
            (out / name).parent.mkdir(exist_ok=True)
            (out / name).write_text(html, encoding="utf-8")
        result = subprocess.run(["java", "-jar", str(vnu), "--errors-only", *map(str, sorted(out.rglob("*.html")))],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
