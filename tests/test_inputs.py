"""Bad input is refused with exit 2 and one line naming the file and line; good new input needs no code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EN_PO, REPO, ZH_PO, ZH_UI, copy_document, run

DOC = "source/exosome-therapy.md"
ZH_DOC = "source/hand-washing.md"  # written in Traditional Chinese


def replace(project, path, old, new):
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_one_line_error(result, where: str, words: str):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {where}"), lines[0]
    assert words in lines[0], lines[0]


BAD_SOURCES = [
    ("title: What is", "title: [What is", f"{DOC}:2:", "not valid YAML"),
    ("last_reviewed: 2026-11-27", "last_reviewed: 2026-11-27\nreviewd_by: Dr. X", f"{DOC}:7:",
     "unknown front-matter field 'reviewd_by'"),
    ("last_reviewed: 2026-11-27", "last_reviewed: next week", f"{DOC}:6:", "must be a date"),
    ("    tokens: [FDA, 2019]", "    tokens: [FDA, 2018]", f"{DOC}:23:", "token '2018' is not in its text"),
    ("## Are exosomes legal in Taiwan?", "#### Are exosomes legal in Taiwan?", f"{DOC}:108:", "level-4 heading"),
    ("## Neutral consumer perspective", "<div>Neutral</div>", f"{DOC}:123:", "raw HTML is not allowed"),
    ("Taiwan manages exosomes under two tracks", "Taiwan <b>manages</b> exosomes under two tracks", f"{DOC}:110:",
     "raw HTML '<b>' is not allowed"),
    ("### What are exosomes?\n\nExosomes are nanoscale", "### What are exosomes?\n\n```\ncode\n```\n\nExosomes are nanoscale",
     f"{DOC}:141:", "unsupported Markdown: fence"),
    # A field given twice: YAML lets the later win, and a second next_review would hide an overdue review.
    ("code: HE-0042", "code: HE-0042\nnext_review: 2030-01-01", f"{DOC}:9:",
     "front-matter field 'next_review' is given twice; it is first given at line 7"),
    ("    tokens: [FDA]\n", "    tokens: [FDA]\n    text: The FDA approved them.\n", f"{DOC}:22:",
     "front-matter field 'text' is given twice; it is first given at line 20"),
    # Invisible characters that change what a reader sees: shown as 051–03, or a number split.
    ("about 30–150 nm", "about \u202e30–150\u202c nm", f"{DOC}:15:", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("Taiwan manages exosomes", "Taiwan man\u200bages exosomes", f"{DOC}:110:", "U+200B (ZERO WIDTH SPACE)"),
    ("Taiwan manages exosomes", "Taiwan \u2066manages\u2069 exosomes", f"{DOC}:110:", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("Taiwan manages exosomes", "Taiwan ma\u200dnages exosomes", f"{DOC}:110:", "U+200D (ZERO WIDTH JOINER)"),
    ("Taiwan manages exosomes", "Taiwan \ufeffmanages exosomes", f"{DOC}:110:", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
]


@pytest.mark.parametrize("old, new, where, words", BAD_SOURCES, ids=[b[3].split("'")[0][:20] for b in BAD_SOURCES])
def test_a_bad_source_is_refused_in_one_line(project, old, new, where, words):
    replace(project, DOC, old, new)
    for command in ("extract", "check", "build"):
        assert_one_line_error(run(project, command), where, words)
    assert not (project / "output").exists()


@pytest.mark.parametrize("old, new, words", [
    ("next_review: 2027-11-29", "next_review: 2027-11-29\nnext_review: 2020-01-01",
     "front-matter field 'next_review' is given twice; it is first given at line 6"),
    ("請儘速就醫。", "請儘速\u202e就醫\u202c。", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("請儘速就醫。", "請儘速\u200b就醫。", "U+200B (ZERO WIDTH SPACE)"),
])
def test_a_bad_chinese_source_is_refused_in_one_line(project, old, new, words):
    replace(project, ZH_DOC, old, new)
    lines = (project / ZH_DOC).read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if new.split("\n")[-1] in text)
    for command in ("extract", "check", "build"):
        assert_one_line_error(run(project, command), f"{ZH_DOC}:{line}:", words)
    assert not (project / "output").exists()


def test_the_joiners_a_script_needs_are_not_refused():
    from healthpub.source import hidden_characters

    # Persian "I want" needs a zero-width non-joiner; Sinhala's yansaya, a zero-width joiner; an emoji
    # sequence (health worker), a joiner too.
    for text in ("می\u200cخواهم", "ශ්\u200dරී", "👩\u200d⚕\ufe0f", "🧑🏽\u200d⚕"):
        assert hidden_characters(text) == [], text
    # Between Latin letters, Thai letters or digits, or at the start, a joiner only hides itself.
    for text, joiner in (("ma\u200dnages", "\u200d"), ("ล้าง\u200cมือ", "\u200c"), ("30\u200d150", "\u200d"),
                         ("\u200dstart", "\u200d")):
        assert hidden_characters(text) == [(text.index(joiner), joiner)], text


@pytest.mark.parametrize("name", ["hand washing", "洗手", "a#b", "why?", "50%", ".draft", "-x"])
def test_a_document_whose_file_name_cannot_be_its_address_is_refused(project, name):
    # The stem is the pages' address and the leaflets' names: a space, "#", "?" or "%" would break
    # them, and a name outside ASCII would differ from one tool's escaping to the next.
    copy_document(project, "hand-washing", name)
    for command in ("extract", "check", "build"):
        assert_one_line_error(run(project, command), f"source/{name}.md:", f"the file name {name!r}")
    assert not (project / "output").exists()


def test_a_document_file_name_of_letters_digits_hyphens_and_underscores_is_taken():
    from healthpub import source
    from healthpub.locales import parse_lang

    text = (REPO / "source/hand-washing.md").read_text(encoding="utf-8")
    for name in ("HE-0042", "hand_washing_2", "7-steps"):
        assert source.parse(text, Path(f"source/{name}.md"), parse_lang("en", "test")).slug == name


def test_a_missing_disclaimer_is_refused(project):
    replace(project, DOC, "disclaimer: >-\n  This page is a neutral compilation of information for reference only, not "
                          "medical advice, and does not constitute any treatment commitment.\n", "")
    assert_one_line_error(run(project, "build"), f"{DOC}:2:", "front matter has no 'disclaimer'")


@pytest.mark.parametrize("po, msgid", [(ZH_UI, "At a glance"), (ZH_PO, "Cosmetic Hygiene and Safety Act"),
                                       (EN_PO, "正確洗手：濕、搓、沖、捧、擦，保護自己也保護家人")],
                         ids=["zh_TW-interface", "zh_TW-documents-en", "en-documents-zh_TW"])
def test_a_broken_catalog_is_refused_with_its_line(project, po, msgid):
    replace(project, po, f'msgid "{msgid}"', f'msgid "{msgid}')
    line = (project / po).read_text(encoding="utf-8").splitlines().index(f'msgid "{msgid}') + 1
    for command in ("check", "build", "update"):
        result = run(project, command)
        assert_one_line_error(result, str(po) + ":", "not a valid PO file")
        assert re.match(rf"error: {re.escape(str(po))}:(\d+):", result.stderr)
        assert abs(int(re.match(rf"error: {re.escape(str(po))}:(\d+):", result.stderr)[1]) - line) <= 1, result.stderr
    assert not (project / "output").exists()


def test_a_broken_template_is_refused_with_its_line(project):
    replace(project, "templates/page.html", "{{ content.key_facts(doc) }}", "{{ content.key_facts(doc) }")
    assert_one_line_error(run(project, "build"), "templates/page.html:", "template error")


def test_bad_config_and_locales_are_refused(project):
    assert_one_line_error(run(project, "init", "xx_YY"), "command line:", "unknown locale 'xx_YY'")
    (project / "locales/LINGUAS").write_text("zh_TW\nfr\n")
    assert_one_line_error(run(project, "build"), "locales/LINGUAS:2:", "fr is listed but")
    replace(project, "site.toml", 'site_url = "https://', 'site_url = "ftp://')
    assert_one_line_error(run(project, "build"), "site.toml:2:", "site_url must be an absolute http(s) URL")
    replace(project, "site.toml", 'site_url = "ftp://', 'site_url = "https://')
    replace(project, "site.toml", "\nzh_TW = ", "\nzh-TW = ")  # BCP 47, not a gettext locale name
    line = (project / "site.toml").read_text().splitlines().index('zh-TW = "範例診所衛教資訊"') + 1
    assert_one_line_error(run(project, "build"), f"site.toml:{line}:", "unknown locale 'zh-TW'")


TOP = 'templates_locale = "en"'  # a line before site.toml's tables
PLAIN = ("[plain_language]\nmax_sentence_words = 25\nmax_sentence_chars = 45\n\n"
         "# Thai: a sentence ends at a space; its segmenter counts short words (ล้าง มือ), so more of them.\n"
         "[plain_language.th]\nmax_sentence_words = 35")
FONTS = ('[fonts]\ndefault = "Noto Sans CJK TC"\nvi = ["Noto Sans", "Noto Sans CJK TC"]\n'
         'id = ["Noto Sans", "Noto Sans CJK TC"]\n'
         "# Looped letterforms, which ordinary Thai readers find easiest in body text; Latin and digits from Noto Sans.\n"
         'th = ["Noto Looped Thai", "Noto Sans", "Noto Sans CJK TC"]\n')


@pytest.mark.parametrize("edits, words", [
    ([(PLAIN, ""), (TOP, TOP + "\nplain_language = 25")], "[plain_language] has max_sentence_words"),
    ([("max_sentence_chars = 45", "max_sentence_chars = 0")], "[plain_language] has max_sentence_words"),
    ([("max_sentence_words = 35", "max_sentence_words = 0")], "[plain_language] has max_sentence_words"),
    ([("max_sentence_words = 35", "longest = 35")], "[plain_language] has max_sentence_words"),
    ([(FONTS, ""), (TOP, TOP + '\nfonts = "Noto Sans"')],
     "[fonts] maps a language code"),
    ([('vi = "zh_TW"', 'vi = 7')], "[bilingual_partners] maps a locale code"),
    ([('vi = "zh_TW"', 'vi = "zh-TW"')], "unknown locale 'zh-TW'"),
    ([('id = "Bahasa Indonesia"', 'id = ""')], "[language_names] maps a locale code to its name in itself"),
    ([('hand-hygiene = "Hand hygiene"', 'Hand_Hygiene = "Hand hygiene"')], "topic key 'Hand_Hygiene' must be"),
    ([('hand-hygiene = "Hand hygiene"', 'hand-hygiene = 7')], "[topics] maps a topic's key to its name"),
], ids=["plain-not-a-table", "plain-zero", "plain-th-zero", "plain-th-unknown", "fonts-not-a-table",
        "partner-not-text", "partner-unknown", "language-name-empty", "topic-key", "topic-name"])
def test_bad_tables_of_site_toml_are_refused_in_one_line(project, edits, words):
    for old, new in edits:
        replace(project, "site.toml", old, new)
    result = run(project, "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert_one_line_error(result, "site.toml", words)


def test_usage_errors_exit_2(project):
    assert run(project).returncode == 2
    assert run(project, "publish").returncode == 2
    assert run(project, "init").returncode == 2
    help_text = run(project, "--help").stdout
    for command in ("extract", "update", "init", "check", "build"):
        assert command in help_text


def test_a_leaflet_over_its_page_budget_fails_clearly(project):
    replace(project, DOC, "page_budget: 3", "page_budget: 1")
    # The document's own language is measured first.
    assert_one_line_error(run(project, "build"), f"{DOC}:", "the en leaflet needs 2 pages; its budget is 1")
    assert not (project / "output").exists()


def test_a_second_document_becomes_a_second_set_of_pages_and_leaflets(project):
    copy_document(project, "exosome-therapy", "exosomes-again",
                  lambda text: text.replace("title: What is Exosome Therapy?", "title: Exosomes, a second leaflet?"))
    assert run(project, "extract").returncode == 0
    assert run(project, "update").returncode == 0
    check = run(project, "check")
    # msgmerge offers the first document's title as a fuzzy match: not published until reviewed.
    assert check.returncode == 1 and "[fuzzy] 'Exosomes, a second leaflet?" in check.stdout
    draft = run(project, "build", "--draft")
    assert draft.returncode == 0, draft.stderr
    for lang in ("en", "zh-tw"):
        assert (project / f"output/site/{lang}/exosomes-again.html").exists()
        assert (project / f"output/print/exosomes-again.{lang}.pdf").exists()
    index = (project / "output/site/index.html").read_text(encoding="utf-8")
    assert "Exosomes, a second leaflet?" in index and "exosome-therapy.html" in index


def test_a_second_chinese_document_is_published_in_chinese_and_its_translations(project):
    # A document written in Traditional Chinese joins the others' domain: zh_TW's own pages, and
    # translations to be reviewed in every other language.
    title = "正確洗手：濕、搓、沖、捧、擦，保護自己也保護家人"
    new_title = "洗手第二篇：正確洗手的方法"
    copy_document(project, "hand-washing", "hand-washing-again",
                  lambda text: text.replace(f"title: {title}", f"title: {new_title}"))
    assert run(project, "extract").returncode == 0
    assert run(project, "update").returncode == 0
    pot = (project / "locales/documents-zh_TW.pot").read_text(encoding="utf-8")
    assert f'msgid "{new_title}"' in pot and "source/hand-washing-again.md" in pot
    assert "hand-washing-again" not in (project / "locales/documents-en.pot").read_text(encoding="utf-8")
    check = run(project, "check")
    assert check.returncode == 1 and new_title in check.stdout
    found = {line.split(":", 1)[0].strip() for line in check.stdout.splitlines() if new_title in line}
    assert found == {f"locales/{code}/LC_MESSAGES/documents-zh_TW.po" for code in ("en", "vi", "id", "th")}
    draft = run(project, "build", "--draft")
    assert draft.returncode == 0, draft.stderr
    for lang in ("zh-tw", "en"):
        assert (project / f"output/site/{lang}/hand-washing-again.html").exists()
        assert (project / f"output/print/hand-washing-again.{lang}.pdf").exists()
    assert (project / "output/print/hand-washing-again.en.zh-tw.pdf").exists()  # the translation, then its source
    zh_page = (project / "output/site/zh-tw/hand-washing-again.html").read_text(encoding="utf-8")
    assert new_title in zh_page


def test_a_longer_tag_for_the_same_language_is_not_a_translation(project):
    # zh-Hant-TW is zh-TW with its script spelt out (as XLIFF import already counts it): a document
    # tagged so is written in zh_TW, whose readers need no translation of it.
    replace(project, ZH_DOC, "lang: zh-TW", "lang: zh-Hant-TW")
    extract = run(project, "extract")
    assert extract.returncode == 0, extract.stderr
    assert run(project, "update").returncode == 0
    assert sorted(p.name for p in (project / "locales/zh_TW/LC_MESSAGES").glob("*.po")) == \
        ["documents-en.po", "interface.po"]
    assert run(project, "check").returncode == 0
