"""The review report a medical reviewer reads before signing off: counts per locale and document,
the QA findings, and each document side by side, with a word diff where the English changed.

The HTML is parsed as a browser parses it (tinyhtml5, WeasyPrint's parser), so "escaped" means
the browser builds no element from a translation."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from xml.etree.ElementTree import Element

import polib
import pytest
import tinyhtml5

from conftest import REPO, ZH_PO, edit_po, run
from healthpub import publish, report, source
from healthpub.config import load_project

DOC = "source/exosome-therapy.md"
CONSULT = "Consult a qualified physician before considering any injection treatment."
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def render(project: Path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(project)
    loaded = load_project(Path("."))
    return report.render(loaded, publish.gather(loaded))


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


def documents(project: Path) -> list[source.Document]:
    return [source.load(path) for path in sorted((project / "source").glob("*.md"))]


def test_the_real_catalog_is_complete_with_no_findings(project, monkeypatch):
    files = render(project, monkeypatch)
    assert sorted(files) == ["index.html", "zh_TW.html"]
    total = len([m for m in polib.pofile(str(project / "locales/messages.pot")) if m.msgid])

    index = parse(files["index.html"])
    assert index.get("lang") == "en"
    row = locale_row(index, "zh_TW")
    assert counts(row) == {"translated": f"{total} (100%)", "fuzzy": "0 (0%)", "untranslated": "0 (0%)"}
    assert "published" in text(row) and "not published" not in text(row)
    assert [a.get("href") for a in row.iter("a")] == ["zh_TW.html"]
    assert [text(td) for td in row.iter("td")][-2:] == ["0", "0"]  # errors, warnings
    bar = next(div for div in row.iter("div") if "bar" in classes(div))
    assert [(classes(s), s.get("style")) for s in bar] == [({"translated"}, "width: 100.00%")]

    page = parse(files["zh_TW.html"])
    assert page.get("lang") == "en"
    assert "Ready for sign-off" in text(page)
    assert "No findings." in text(page)
    assert not any("findings" in classes(t) for t in page.iter("table"))
    whole = next(tr for tr in page.iter("tr") if "total" in classes(tr))
    assert counts(whole)["translated"] == f"{total} (100%)"

    doc = documents(project)[0]
    segments = list(doc.segments())
    rows = segment_rows(page)
    assert len(rows) == len(segments)  # one row per segment, in reading order
    catalog = polib.pofile(str(project / ZH_PO))
    for row, segment in zip(rows, segments):
        assert "translated" in classes(row)
        assert text(cell(row, "source")) == segment.text
        translation = cell(row, "translation")
        assert translation.get("lang") == "zh-TW"
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
    total = len([m for m in polib.pofile(str(project / "locales/messages.pot")) if m.msgid])
    page = parse(files["zh_TW.html"])
    [row] = [r for r in segment_rows(page) if "fuzzy" in classes(r)]
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
    findings = [tr for tr in page.iter("tr") if "finding" in classes(tr)]
    assert len(findings) == 1
    where, severity, kind, message, problem = (text(td) for td in findings[0].iter("td"))
    assert where == f"{ZH_PO}:{entry.linenum}"
    assert (severity, kind) == ("error", "required")
    assert message == "Consult a licensed physician before considering any …"
    assert [a.get("href") for a in findings[0].iter("a")] == [f"#{row.get('id')}"]

    document = next(tr for tr in page.iter("tr") if tr.get("id") == "progress/doc-exosome-therapy")
    assert counts(document)["fuzzy"].startswith("1 (")
    assert "1 of 9 not approved" in text(document)
    index_row = locale_row(parse(files["index.html"]), "zh_TW")
    assert counts(index_row)["translated"] == f"{total - 1} ({round(100 * (total - 1) / total)}%)"
    assert counts(index_row)["fuzzy"] == "1 (1%)"
    assert "blocks publishing" in text(index_row)


def test_a_translation_cannot_inject_markup(project, monkeypatch):
    attack = '資料來源<script>alert(1)</script><img src=x onerror="alert(2)"></td></tr></table><b>'

    def change(entry):
        if entry.msgid == "Sources":
            entry.msgstr = attack
            entry.tcomment = "<script>alert(3)</script>"
    edit_po(project / ZH_PO, change)

    files = render(project, monkeypatch)
    html = files["zh_TW.html"]
    page = parse(html)
    assert not list(page.iter("script")) and not list(page.iter("img")) and not list(page.iter("b"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    [row] = [r for r in segment_rows(page, "page-text") if text(cell(r, "source")) == "Sources"]
    assert text(cell(row, "translation")).startswith(" ".join(attack.split()))
    assert "alert(3)" in text(cell(row, "translation"))
    assert any(text(tr.findall("td")[2]) == "markup" for tr in page.iter("tr") if "finding" in classes(tr))


def test_a_new_locale_is_shown_untranslated_and_not_published(project, monkeypatch):
    assert run(project, "init", "ja").returncode == 0
    files = render(project, monkeypatch)
    assert sorted(files) == ["index.html", "ja.html", "zh_TW.html"]
    total = len([m for m in polib.pofile(str(project / "locales/messages.pot")) if m.msgid])

    row = locale_row(parse(files["index.html"]), "ja")
    assert counts(row) == {"translated": "0 (0%)", "fuzzy": "0 (0%)", "untranslated": f"{total} (100%)"}
    assert "not published" in text(row)
    assert "blocks publishing" not in text(row)

    page = parse(files["ja.html"])
    assert "Not published" in text(page)
    whole = next(tr for tr in page.iter("tr") if "total" in classes(tr))
    assert counts(whole)["translated"] == "0 (0%)"
    rows = segment_rows(page)
    assert rows and all("untranslated" in classes(r) for r in rows)
    assert all(cell(r, "translation").get("lang") == "ja" for r in rows)
    assert "Not translated" in text(cell(rows[0], "translation"))


def test_report_strings_stay_out_of_the_translators_catalog(project):
    assert run(project, "extract").returncode == 0
    pot = (project / "locales/messages.pot").read_bytes()
    assert b"report.html" not in pot and b"Translation review" not in pot
    (project / "templates/report.html").unlink()
    assert run(project, "extract").returncode == 0
    assert (project / "locales/messages.pot").read_bytes() == pot


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
        for args in (("extract",), ("update",), ("init", "ja")):
            assert run(project, *args).returncode == 0
    files = render(project, monkeypatch)
    for name, html in files.items():
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), name
        parser = _Nesting()
        parser.feed(html)
        parser.close()
        assert parser.problems == [] and parser.stack == [], name
        page = parse(html)
        assert not [e for e in page.iter() if e.tag in ("link", "script", "iframe", "img")], name  # nothing fetched
        assert any(text(style) for style in page.iter("style")), name
        ids = [e.get("id") for e in page.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), name
        for a in page.iter("a"):
            href = a.get("href")
            target, _, fragment = href.partition("#")
            assert not target or target in files, href
            assert not fragment or fragment in ids or target, href

    vnu = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
    if vnu.exists() and shutil.which("java"):
        out = project / "report"
        out.mkdir()
        for name, html in files.items():
            (out / name).write_text(html, encoding="utf-8")
        result = subprocess.run(["java", "-jar", str(vnu), "--errors-only", *map(str, sorted(out.iterdir()))],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
