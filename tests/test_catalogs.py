"""Extraction and catalogs, checked against GNU gettext, the reference tools."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib

from conftest import REPO, ZH_PO, run


def catalogs(root: Path) -> list[Path]:
    return [*sorted((root / "locales").glob("*.pot")), *sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))]


def test_extract_is_deterministic_and_the_committed_templates_are_current(project):
    templates = sorted((project / "locales").glob("*.pot"))
    assert [p.name for p in templates] == ["documents-en.pot", "documents-zh_TW.pot", "interface.pot"]
    committed = {p.name: p.read_bytes() for p in templates}
    for path in templates:
        path.unlink()
    assert run(project, "extract").returncode == 0
    first = {p.name: p.read_bytes() for p in (project / "locales").glob("*.pot")}
    assert run(project, "extract").returncode == 0
    assert {p.name: p.read_bytes() for p in (project / "locales").glob("*.pot")} == first
    assert first == committed, "locales/*.pot are stale: run pipeline.py extract"


def test_each_domain_holds_the_messages_of_one_source_language(project):
    interface = polib.pofile(str(project / "locales/interface.pot"))
    english = polib.pofile(str(project / "locales/documents-en.pot"))
    chinese = polib.pofile(str(project / "locales/documents-zh_TW.pot"))
    assert interface.find("At a glance") and not english.find("At a glance")
    templates = {f"templates/{p.name}" for p in (project / "templates").glob("*.html")}
    assert {p for e in interface for p, _ in e.occurrences} <= templates | {"site.toml"}  # and its topics' names
    assert {p for e in english for p, _ in e.occurrences} == {"source/exosome-therapy.md"}
    assert {p for e in chinese for p, _ in e.occurrences} == {"source/hand-washing.md"}
    assert "documents written in Chinese (Traditional, Taiwan) (zh-TW)" in chinese.header
    # A locale translates every domain but its own language's: English needs no interface catalog.
    assert sorted(p.name for p in (project / "locales/en/LC_MESSAGES").glob("*.po")) == ["documents-zh_TW.po"]
    assert sorted(p.name for p in (project / "locales/zh_TW/LC_MESSAGES").glob("*.po")) == ["documents-en.po",
                                                                                          "interface.po"]


def test_template_has_one_message_per_block_with_references_and_translator_comments(project):
    pot = polib.pofile(str(project / "locales/documents-en.pot"))
    disclaimer = next(e for e in pot if e.msgid.startswith("This page is a neutral compilation"))
    lines = (project / "source/exosome-therapy.md").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("disclaimer:")) + 1  # a folded value
    assert disclaimer.occurrences == [("source/exosome-therapy.md", str(line))]
    assert "REQUIRED" in disclaimer.comment
    fact = next(e for e in pot if e.msgid.startswith("Exosomes are extracellular vesicles about"))
    assert "Keep exactly: 30–150, nm" in fact.comment
    note = next(e for e in pot if e.msgid.startswith("Unregulated biologic injections carry risks")
                and "unapproved" in e.msgid)
    assert "keep the parenthesis" in note.comment  # an author's note from the source
    interface = polib.pofile(str(project / "locales/interface.pot"))
    assert interface.find("At a glance") is not None  # template strings, through Babel's Jinja2 extractor
    assert interface.find("Page %(page)s of %(pages)s").flags == ["python-format"]


def test_pybabel_extract_sees_the_messages_of_every_domain(project):
    out = project / "pybabel.pot"
    subprocess.run([str(REPO / ".venv/bin/pybabel"), "--quiet", "extract", "-F", "babel.cfg", "-o", str(out), "."],
                   cwd=project, check=True)
    ours = {(e.msgctxt, e.msgid) for pot in (project / "locales").glob("*.pot") for e in polib.pofile(str(pot))}
    theirs = {(e.msgctxt, e.msgid) for e in polib.pofile(str(out))}
    assert ours == theirs


def test_extract_leaves_out_what_babel_cfg_ignores_and_takes_in_what_it_maps(project):
    """Templates elsewhere than templates/, mapped in babel.cfg, are extracted; a folder babel.cfg
    ignores is not, as pybabel has it, whether or not the cache has seen the files."""
    for folder, text in (("widgets", "Opening hours of the clinic"), ("vendor", "A vendor's own string")):
        (project / folder).mkdir()
        (project / folder / "part.html").write_text(f'<p>{{{{ _("{text}") }}}}</p>\n')
    with (project / "babel.cfg").open("a") as config:
        config.write("\n[ignore: vendor/**]\n\n[jinja2: **/part.html]\nextensions = jinja2.ext.i18n\n")
    for _ in range(2):  # without, then with, the cache
        assert run(project, "extract").returncode == 0
        interface = (project / "locales/interface.pot").read_text()
        assert "Opening hours of the clinic" in interface
        assert "vendor" not in interface
    test_pybabel_extract_sees_the_messages_of_every_domain(project)


def test_catalogs_are_a_fixed_point_of_msgcat(project):
    for path in catalogs(project):
        layout = subprocess.run(["msgcat", str(path)], capture_output=True, check=True).stdout
        assert layout == path.read_bytes(), f"{path.name} is not laid out as GNU gettext writes it"


def test_published_catalogs_are_complete_for_msgfmt(project):
    published = (project / "locales/LINGUAS").read_text().split()
    paths = [p for code in published for p in (project / "locales" / code / "LC_MESSAGES").glob("*.po")]
    # en translates the Chinese documents; zh_TW the English ones and the interface; every other
    # locale the documents of both languages and the interface.
    assert len(paths) == 1 + 2 + 3 * (len(published) - 2)
    for path in paths:
        result = subprocess.run(["msgfmt", "-c", "--statistics", "-o", "/dev/null", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "translated messages." in result.stderr
        assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr


def test_a_changed_sentence_turns_fuzzy_keeping_its_translation_and_blocks_publishing(project):
    md = project / "source/exosome-therapy.md"
    old = "In recent years, authorities have penalized exosome products with exaggerated\n  claims."
    assert old in md.read_text(encoding="utf-8")
    md.write_text(md.read_text(encoding="utf-8").replace(old, old.replace("In recent years", "Recently")),
                  encoding="utf-8")
    before = {e.msgid: e.msgstr for e in polib.pofile(str(project / ZH_PO))}
    assert run(project, "extract").returncode == 0
    assert run(project, "update").returncode == 0

    catalog = polib.pofile(str(project / ZH_PO))
    fuzzy = catalog.fuzzy_entries()
    assert len(fuzzy) == 1
    entry = fuzzy[0]
    assert entry.msgid == "Recently, authorities have penalized exosome products with exaggerated claims."
    assert entry.previous_msgid == "In recent years, authorities have penalized exosome products with exaggerated claims."
    assert entry.msgstr == before[entry.previous_msgid]
    assert len(catalog.translated_entries()) == len(before) - 1  # all but the fuzzy one

    check = run(project, "check")
    assert check.returncode == 1
    assert "1 fuzzy" in check.stdout and "[fuzzy] 'Recently, authorities" in check.stdout
    build = run(project, "build")
    assert build.returncode == 1 and "refused" in build.stderr
    assert not (project / "output/site").exists() and not (project / "output/print").exists()
    draft = run(project, "build", "--draft")
    assert draft.returncode == 0, draft.stderr
    zh_page = (project / "output/site/zh-tw/exosome-therapy.html").read_text(encoding="utf-8")
    assert 'class="draft"' in zh_page
    en_page = (project / "output/site/en/exosome-therapy.html").read_text(encoding="utf-8")
    assert 'class="draft"' not in en_page  # only the failing locale is marked
    # An unreviewed translation is never shown: the page falls back to the source text.
    assert "Recently, authorities have penalized" in zh_page


def test_removed_text_becomes_obsolete_and_returns_with_its_text(project):
    md = project / "source/exosome-therapy.md"
    original = md.read_text(encoding="utf-8")
    removed = "- In recent years, authorities have penalized exosome products with exaggerated\n  claims.\n"
    md.write_text(original.replace(removed, ""), encoding="utf-8")
    run(project, "extract"), run(project, "update")
    text = (project / ZH_PO).read_text(encoding="utf-8")
    assert '#~ msgid ""\n#~ "In recent years, authorities have penalized' in text

    md.write_text(original, encoding="utf-8")
    run(project, "extract"), run(project, "update")
    assert (project / ZH_PO).read_bytes() == (REPO / ZH_PO).read_bytes()

    md.write_text(original.replace(removed, ""), encoding="utf-8")
    run(project, "extract"), run(project, "update", "--no-obsolete")
    assert "#~" not in (project / ZH_PO).read_text(encoding="utf-8")


def test_init_starts_a_valid_catalog_that_neither_blocks_nor_is_published(project):
    result = run(project, "init", "ja")
    assert result.returncode == 0, result.stderr
    folder = project / "locales/ja/LC_MESSAGES"
    assert sorted(p.name for p in folder.glob("*.po")) == ["documents-en.po", "documents-zh_TW.po", "interface.po"]
    started = {}
    for ja in folder.glob("*.po"):
        header = polib.pofile(str(ja)).metadata
        assert header["Language"] == "ja" and header["Plural-Forms"] == "nplurals=1; plural=0;"
        msgfmt = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(ja)], capture_output=True, text=True)
        assert msgfmt.returncode == 0, msgfmt.stderr
        started[ja] = ja.read_bytes()
    assert run(project, "update").returncode == 0
    assert {ja: ja.read_bytes() for ja in started} == started  # no churn: init writes what update would

    check = run(project, "check")
    assert check.returncode == 0, check.stdout
    assert "ja (not published): 0 translated, 0 fuzzy" in check.stdout
    assert run(project, "build").returncode == 0
    assert not (project / "output/site/ja").exists()
    assert not list((project / "output/print").glob("*.ja.pdf"))

    again = run(project, "init", "ja")
    assert again.returncode == 2 and "already exists" in again.stderr
