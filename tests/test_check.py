"""The QA check: each kind of error planted in a copy of the zh catalog is named, with file and line;
none fires on the real catalog."""

from __future__ import annotations

import json
import re

import polib
import pytest

from conftest import ZH_PO, edit_po, run

DISCLAIMER = "This page is a neutral compilation of information for reference only, not medical advice, and does not constitute any treatment commitment."
FDA_FACT = "The FDA issued a safety alert on exosome products in 2019 after patients experienced serious adverse events."
FDA_ITEM = "The FDA issued a “Safety Alert on Exosome Products” in 2019 after patients experienced serious adverse events from unapproved products."


def line_of(project, msgid: str) -> int:
    return polib.pofile(str(project / ZH_PO)).find(msgid).linenum


def test_the_real_catalogs_pass_with_counts_and_no_findings(project):
    result = run(project, "check")
    assert result.returncode == 0, result.stdout
    total = len(polib.pofile(str(project / "locales/messages.pot")))
    assert f"zh_TW (published): {total} translated, 0 fuzzy, 0 untranslated of {total}" in result.stdout
    assert "disclaimer and key facts translated; 0 errors, 0 warnings" in result.stdout
    report = json.loads(run(project, "check", "--format", "json").stdout)
    assert report["publishable"] is True
    assert report["locales"][0]["findings"] == []


@pytest.mark.parametrize("how", ["untranslated", "fuzzy"])
def test_unreviewed_disclaimer_blocks_check_and_build(project, how):
    def change(entry):
        if entry.msgid == DISCLAIMER:
            if how == "fuzzy":
                entry.flags.append("fuzzy")
            else:
                entry.msgstr = ""
    edit_po(project / ZH_PO, change)
    (project / "output").mkdir()
    (project / "output/keep.txt").write_text("previous build")

    check = run(project, "check")
    assert check.returncode == 1
    assert "disclaimer and key facts NOT translated" in check.stdout
    assert f"messages.po:{line_of(project, DISCLAIMER)}: error: [required] 'This page is a neutral" in check.stdout
    build = run(project, "build")
    assert build.returncode == 1
    assert "[required]" in build.stderr and "refused: nothing was published" in build.stderr
    # The previous output is untouched; only the review report is written, to show why.
    assert sorted(p.name for p in (project / "output").iterdir()) == ["keep.txt", "report"]
    assert "Blocks publishing" in (project / "output/report/zh_TW.html").read_text(encoding="utf-8")


# Each kind of error a translator's slip can make, planted in one entry.
PLANTED = [
    ("numbers", FDA_ITEM, lambda s: s.replace("2019", "2018"), "number '2019'"),
    ("tokens", "Exosomes are extracellular vesicles about 30–150 nm in size, released by cells.",
     lambda s: s.replace("30–150 nm", "30至150奈米"), "key-fact token '30–150' is missing"),
    ("names", FDA_FACT, lambda s: s.replace("FDA", "食藥局"), "'FDA' of the source is missing"),
    ("glossary", "The US FDA has not approved any exosome products for these uses.",
     lambda s: s.replace("美國食品藥物管理局", "美國藥監局"), "'US FDA' must be translated as '美國食品藥物管理局'"),
    ("glossary", "Cosmetic Hygiene and Safety Act", lambda s: s.replace("化粧品", "化妝品"),
     "must be translated as '化粧品衛生安全管理法'"),
    ("hant", FDA_FACT, lambda s: s.replace("發布", "发布"), "Simplified characters"),
    ("hant", "Sources", lambda s: "資料來源（信息）", "mainland vocabulary"),
    ("markup", "Sources", lambda s: s + "<script>alert(1)</script>", "raw HTML"),
    ("markup", "Sources", lambda s: f"[{s}](javascript:alert(1))", "scheme that is not allowed"),
    ("markup", "Sources", lambda s: f"[{s}](data:image/png;base64,iVBORw0KGgo=)", "scheme that is not allowed"),
    ("msgfmt", "Page last reviewed: %(date)s", lambda s: s.replace("%(date)s", "%(dat)s"), "format"),
]


@pytest.mark.parametrize("kind, msgid, plant, message", PLANTED, ids=[f"{p[0]}-{i}" for i, p in enumerate(PLANTED)])
def test_a_planted_error_is_named_with_file_and_line(project, kind, msgid, plant, message):
    def change(entry):
        if entry.msgid == msgid:
            entry.msgstr = plant(entry.msgstr)
    edit_po(project / ZH_PO, change)
    result = run(project, "check")
    assert result.returncode == 1
    finding = next((line for line in result.stdout.splitlines() if f"[{kind}]" in line and message in line), None)
    assert finding is not None, result.stdout
    if kind != "msgfmt":  # msgfmt names the msgstr line itself
        assert f"locales/zh_TW/LC_MESSAGES/messages.po:{line_of(project, msgid)}: error:" in finding


def test_a_reviewer_can_silence_one_kind_of_finding_on_one_entry(project):
    def change(entry):
        if entry.msgid == FDA_ITEM:
            entry.msgstr = entry.msgstr.replace("2019", "2018")
            entry.tcomment = "qa-ignore: numbers"
    edit_po(project / ZH_PO, change)
    assert run(project, "check").returncode == 0


def test_half_width_punctuation_is_a_warning_that_does_not_block(project):
    edit_po(project / ZH_PO, lambda e: setattr(e, "msgstr", "資料來源(2)") if e.msgid == "Sources" else None)
    result = run(project, "check")
    assert result.returncode == 0
    assert "warning: [punctuation] 'Sources'" in result.stdout


def test_injected_html_comes_out_escaped_in_a_draft(project):
    edit_po(project / ZH_PO, lambda e: setattr(e, "msgstr", '<script>alert("x")</script><b>粗</b>')
            if e.msgid == "Sources" else None)
    assert run(project, "build").returncode == 1
    assert run(project, "build", "--draft").returncode == 0
    page = (project / "output/site/zh-tw/exosome-therapy.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", page) == ['<script type="application/ld+json">']  # only our own
    assert "<b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;粗&lt;/b&gt;" in page


def test_percent_signs_and_broken_placeholders_in_template_strings_do_not_break_a_draft(project):
    def change(entry):
        if entry.msgid == "At a glance":
            entry.msgstr = "重點摘要（100%）"
        if entry.msgid == "Page last reviewed: %(date)s":
            entry.msgstr = "本頁最近審閱日期：%(dat)s"
    edit_po(project / ZH_PO, change)
    assert run(project, "check").returncode == 1  # msgfmt -c names the broken placeholder
    assert run(project, "build", "--draft").returncode == 0
    page = (project / "output/site/zh-tw/exosome-therapy.html").read_text(encoding="utf-8")
    assert "重點摘要（100%）" in page
    assert "Page last reviewed: 2026年11月27日" in page  # the source text, with the date filled in
