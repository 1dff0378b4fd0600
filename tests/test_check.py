"""The QA check, in both directions: each kind of error planted in a copy of the zh_TW catalogs (of
a document written in English) or of the en catalog (of a document written in Chinese) is named,
with file and line; none fires on the real catalogs, and correct usage that a naive check would
flag passes."""

from __future__ import annotations

import json
import re

import polib
import pytest

from conftest import EN_PO, REPO, ZH_PO, ZH_UI, edit_locale, edit_po, run, where
from healthpub import checks
from healthpub.locales import parse_lang

DISCLAIMER = "This page is a neutral compilation of information for reference only, not medical advice, and does not constitute any treatment commitment."
FDA_FACT = "The FDA issued a safety alert on exosome products in 2019 after patients experienced serious adverse events."
FDA_ITEM = "The FDA issued a “Safety Alert on Exosome Products” in 2019 after patients experienced serious adverse events from unapproved products."


def line_of(project, msgid: str) -> int:
    return polib.pofile(str(project / ZH_PO)).find(msgid).linenum


def count(project, *pots: str) -> int:
    return sum(len(polib.pofile(str(project / "locales" / pot))) for pot in pots)


def test_the_real_catalogs_pass_both_ways_with_counts_and_no_findings(project):
    result = run(project, "check")
    assert result.returncode == 0, result.stdout
    zh = count(project, "documents-en.pot", "interface.pot")
    en = count(project, "documents-zh_TW.pot")
    every = count(project, "documents-en.pot", "documents-zh_TW.pot", "interface.pot")
    assert f"zh_TW (published): {zh} translated, 0 fuzzy, 0 untranslated of {zh}" in result.stdout
    assert f"en (published): {en} translated, 0 fuzzy, 0 untranslated of {en}" in result.stdout
    for code in ("vi", "id", "th"):  # both ways: from the English document and from the Chinese one
        assert f"{code} (published): {every} translated, 0 fuzzy, 0 untranslated of {every}" in result.stdout
    assert result.stdout.count("disclaimer and key facts translated; 0 errors, ") == 5
    report = json.loads(run(project, "check", "--format", "json").stdout)
    assert report["publishable"] is True
    # No finding but plain-language warnings: a sentence a translation made longer than the source's.
    assert {(f["severity"], f["kind"]) for locale in report["locales"] for f in locale["findings"]} <= {
        ("warning", "long-sentence")}
    assert [d["document"] for d in report["documents"]] == ["source/exosome-therapy.md", "source/hand-washing.md"]
    assert {locale["locale"]: len(locale["catalogs"]) for locale in report["locales"]} == {
        "en": 1, "zh_TW": 2, "vi": 3, "id": 3, "th": 3}


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
    assert f"{where(project, 'zh_TW', DISCLAIMER)}: error: [required] 'This page is a neutral" in check.stdout
    build = run(project, "build")
    assert build.returncode == 1
    assert "[required]" in build.stderr and "refused: nothing was published" in build.stderr
    # The previous output is untouched; only the review report is written, to show why.
    assert sorted(p.name for p in (project / "output").iterdir() if not p.name.startswith(".")) == ["keep.txt", "report"]
    assert "Blocks publishing" in (project / "output/report/zh_TW.html").read_text(encoding="utf-8")


# Each kind of error a translator's slip can make, planted in one entry.
PLANTED = [
    ("numbers", FDA_ITEM, lambda s: s.replace("2019", "2018"), "number '2019'"),
    ("tokens", "Exosomes are extracellular vesicles about 30–150 nm in size, released by cells.",
     lambda s: s.replace("30–150 nm", "30至150奈米"), "key-fact token '30–150' is missing"),
    ("glossary", "The US FDA has not approved any exosome products for these uses.",
     lambda s: s.replace("美國食品藥物管理局", "美國藥監局"), "'US FDA' must be translated as '美國食品藥物管理局'"),
    ("glossary", "Cosmetic Hygiene and Safety Act", lambda s: s.replace("化粧品", "化妝品"),
     "must be translated as '化粧品衛生安全管理法'"),
    ("simplified", FDA_FACT, lambda s: s.replace("發布", "发布"), "Simplified characters: 发"),
    ("simplified", "Sources", lambda s: "资料来源", "Simplified characters: 资 来"),
    ("markup", "Sources", lambda s: s + "<script>alert(1)</script>", "raw HTML"),
    ("markup", "Sources", lambda s: f"[{s}](javascript:alert(1))", "scheme that is not allowed"),
    ("markup", "Sources", lambda s: f"[{s}](data:image/png;base64,iVBORw0KGgo=)", "scheme that is not allowed"),
    ("msgfmt", "Page last reviewed: %(date)s", lambda s: s.replace("%(date)s", "%(dat)s"), "format"),
    # Every character of the token is still there, but a right-to-left override shows "051–03".
    ("invisible", "Exosomes are extracellular vesicles about 30–150 nm in size, released by cells.",
     lambda s: s.replace("30–150", "\u202e30–150\u202c"), "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("invisible", "Sources", lambda s: s[:1] + "\u200b" + s[1:], "U+200B (ZERO WIDTH SPACE)"),
]


@pytest.mark.parametrize("kind, msgid, plant, message", PLANTED, ids=[f"{p[0]}-{i}" for i, p in enumerate(PLANTED)])
def test_a_planted_error_is_named_with_file_and_line(project, kind, msgid, plant, message):
    def change(entry):
        if entry.msgid == msgid:
            entry.msgstr = plant(entry.msgstr)
    edit_locale(project, "zh_TW", change)
    result = run(project, "check")
    assert result.returncode == 1
    finding = next((line for line in result.stdout.splitlines() if f"[{kind}]" in line and message in line), None)
    assert finding is not None, result.stdout
    if kind != "msgfmt":  # msgfmt names the msgstr line itself
        assert f"{where(project, 'zh_TW', msgid)}: error:" in finding


# The other direction: a document written in Chinese, translated into English.
HANDS_FACT = "正確洗手五步驟是「濕、搓、沖、捧、擦」，抹上肥皂後至少搓洗20秒。"
SANITIZER = "使用乾洗手液時，請選擇酒精含量60%至95%的產品，每次取至少2至3毫升，搓遍手心、手背和每根手指，持續20至30秒，直到雙手完全乾燥。"
WHO_ANSWER = ("進出醫院、探病前後都要洗手。手上沒有明顯髒污時，可以使用院內的乾洗手液；病人有腹瀉、嘔吐時，或手弄髒了，"
              "請到洗手台用肥皂和水洗手。醫護人員則依世界衛生組織（WHO）的「手部衛生五時機」落實手部衛生。")
PLANTED_IN_ENGLISH = [
    ("numbers", SANITIZER, lambda s: s.replace("2 to 3 ml", "3 to 4 ml"), "number '2' of the source"),
    ("tokens", HANDS_FACT, lambda s: s.replace("20 seconds", "twenty seconds"), "key-fact token '20' is missing"),
    ("han", SANITIZER, lambda s: s.replace("hand sanitizer", "hand sanitizer (乾洗手液)"), "Chinese characters left"),
    ("glossary", "常見問題", lambda s: "Questions", "must be translated as 'FAQ' or 'Frequently asked questions'"),
    ("names", WHO_ANSWER, lambda s: s.replace(" (WHO)", ""), "'WHO' of the source is missing"),
    ("invisible", HANDS_FACT, lambda s: s.replace("20 seconds", "\u206620\u2069 seconds"), "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("invisible", SANITIZER, lambda s: s.replace("60%", "6\u20600%"), "U+2060 (WORD JOINER)"),
]


@pytest.mark.parametrize("kind, msgid, plant, message", PLANTED_IN_ENGLISH, ids=[p[0] for p in PLANTED_IN_ENGLISH])
def test_a_planted_error_in_an_english_translation_is_named_with_file_and_line(project, kind, msgid, plant, message):
    def change(entry):
        if entry.msgid == msgid:
            entry.msgstr = plant(entry.msgstr)
    edit_po(project / EN_PO, change)
    result = run(project, "check")
    assert result.returncode == 1, result.stdout
    finding = next((line for line in result.stdout.splitlines() if f"[{kind}]" in line and message in line), None)
    assert finding is not None, result.stdout
    assert finding.startswith(f"  {where(project, 'en', msgid)}: error:")
    assert run(project, "build").returncode == 1


# Correct translations that a naive check refuses: Taiwan usage that OpenCC's phrase table reads as
# mainland vocabulary (項目 as "project"), characters Traditional Chinese shares with Simplified or
# writes in its Taiwan form (后, 台, 里, 床), and an acronym the target language translates (US → 美國).
def test_taiwan_usage_is_at_most_a_warning_and_publishes(project):
    edit_locale(project, "zh_TW", lambda e: setattr(e, "msgstr", "檢查項目") if e.msgid == "Sources" else None)
    result = run(project, "check")
    assert result.returncode == 0, result.stdout
    assert re.search(r"zh_TW \(published\).* 0 errors, \d+ warnings", result.stdout)
    assert "warning: [vocabulary] 'Sources': OpenCC reads these as mainland usage" in result.stdout
    assert run(project, "build").returncode == 0


ZH_TW = parse_lang("zh_TW", "test")
EN = parse_lang("en", "test")
VI = parse_lang("vi", "test")


@pytest.mark.parametrize("source, target, text, translation", [
    (EN, ZH_TW, "The US National Library of Medicine lists 2 trials.", "美國國家醫學圖書館列出2項試驗。"),
    (EN, ZH_TW, "Queen, stage, village, bed: a 2019 list.", "皇后、舞台、鄰里、病床：2019年的清單。"),
    (EN, ZH_TW, "Wash hands for 20 seconds.", "洗手至少20秒。"),
    (ZH_TW, EN, "美國食品藥物管理局於2019年發布警訊。", "The US FDA issued a safety alert in 2019."),
    (ZH_TW, EN, "每次取2至3毫升，約1,000人。", "Use 2 to 3 ml each time; about 1,000 people."),
    (EN, VI, "About 1,000 people took 1.5 ml.", "Khoảng 1.000 người đã dùng 1,5 ml."),
], ids=["acronym-translated", "shared-characters", "plain", "into-english", "numbers-into-english",
        "numbers-as-vietnamese-writes-them"])
def test_correct_translations_have_no_errors_in_either_direction(source, target, text, translation):
    glossary = checks.load_glossary(REPO / "locales/glossary.csv")
    found = checks._qa(text, translation, source, target, (), checks.terms(glossary, source, target))
    assert [f for f in found if f[1] == checks.ERROR] == []


def test_the_letters_case_insensitive_matching_takes_for_ascii_ones_are_all_known():
    # Term.find rules a message out by a plain substring test unless it holds one of these.
    every = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    assert set(re.findall(r"[\x00-\x7f]", every, re.IGNORECASE)) == checks._ASCII_LOOKALIKES


@pytest.mark.parametrize("text", [
    "Ask about a stem cell product.", "STEM CELL products", "A ſtem cell clinic", "a Stem Cell’s use",
    "No clinıcal trial yet; see the FAQ.", "İt is a CLİNİCAL TRİAL.", "the FAQs", "aFAQ and faq", "Taiwan CDC",
    "Taiwan CDC’s “advice”", "Taiwan  CDC", "幹細胞與臨床試驗", "美國食品藥物管理局（FDA）", "Kelvin: a platelet count",
    "", "no term at all — only dashes",
])
def test_a_glossary_term_is_found_exactly_where_its_pattern_finds_it(text):
    glossary = checks.load_glossary(REPO / "locales/glossary.csv")
    for source, target in ((EN, ZH_TW), (ZH_TW, EN), (EN, VI)):
        for term in checks.terms(glossary, source, target):
            found, wanted = term.find(text, checks._lowered(text)), term.pattern.search(text)
            assert (found and found.span()) == (wanted and wanted.span()), (term.term, text)


def test_a_term_written_with_a_letter_that_matches_an_ascii_one_is_still_checked():
    glossary = checks.load_glossary(REPO / "locales/glossary.csv")
    found = checks._qa("A ſtem cell clinic.", "一家診所。", EN, ZH_TW, (), checks.terms(glossary, EN, ZH_TW))
    assert ("glossary", checks.ERROR, "'ſtem cell' must be translated as '幹細胞'") in found


def test_an_acronym_a_latin_script_keeps_is_an_error_when_dropped():
    found = checks._qa("Ask the FDA.", "Hãy hỏi cơ quan.", EN, VI, (), [])
    assert ("names", checks.ERROR, "'FDA' of the source is missing") in found


def test_a_reviewer_can_silence_one_kind_of_finding_on_one_entry(project):
    def change(entry):
        if entry.msgid == FDA_ITEM:
            entry.msgstr = entry.msgstr.replace("2019", "2018")
            entry.tcomment = "qa-ignore: numbers"
    edit_po(project / ZH_PO, change)
    assert run(project, "check").returncode == 0


def test_half_width_punctuation_is_a_warning_that_does_not_block(project):
    edit_po(project / ZH_UI, lambda e: setattr(e, "msgstr", "資料來源(2)") if e.msgid == "Sources" else None)
    result = run(project, "check")
    assert result.returncode == 0
    assert "warning: [punctuation] 'Sources'" in result.stdout


def test_injected_html_comes_out_escaped_in_a_draft(project):
    edit_po(project / ZH_UI, lambda e: setattr(e, "msgstr", '<script>alert("x")</script><b>粗</b>')
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
    edit_po(project / ZH_UI, change)
    assert run(project, "check").returncode == 1  # msgfmt -c names the broken placeholder
    assert run(project, "build", "--draft").returncode == 0
    page = (project / "output/site/zh-tw/exosome-therapy.html").read_text(encoding="utf-8")
    assert "重點摘要（100%）" in page
    assert "Page last reviewed: 2026年11月27日" in page  # the source text, with the date filled in
