"""XLIFF for translation agencies: export a locale's catalogs, one file per domain, and import their
translations as fuzzy entries into the catalog each file was exported from."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest

from conftest import EN_PO, ZH_PO, ZH_UI, edit_po, run

NS = "urn:oasis:names:tc:xliff:document:1.2"
X = f"{{{NS}}}"
DISCLAIMER = "This page is a neutral compilation"
FACT = "Exosomes are extracellular vesicles about"
DOMAIN = "documents-en"  # zh_TW's catalog of the English document: ZH_PO
XLF = f"xliff/{DOMAIN}.zh_TW.xlf"  # where it is exported by default
ET.register_namespace("", NS)


def export(project: Path, *args: str, domain: str = DOMAIN, locale: str = "zh_TW") -> ET.ElementTree:
    """One of the locale's catalogs as XLIFF: to its default path, or to `-o FILE`."""
    result = run(project, "export-xliff", locale, "--domain", domain, *args)
    assert result.returncode == 0, result.stderr
    path = project / (args[1] if args else f"xliff/{domain}.{locale}.xlf")
    [line] = result.stdout.splitlines()  # one catalog, one file
    assert str(path.relative_to(project)) in line.split(": ")[0], line
    return ET.parse(path)


def units(tree: ET.ElementTree) -> dict[str, ET.Element]:
    return {unit.findtext(f"{X}source"): unit for unit in tree.iter(f"{X}trans-unit")}


def unit_starting(tree: ET.ElementTree, start: str) -> ET.Element:
    return next(unit for source, unit in units(tree).items() if source.startswith(start))


def one_error_line(result: subprocess.CompletedProcess, name: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"error: {name}"), lines[0]
    return lines[0]


def add_entries(path: Path, *entries: polib.POEntry) -> None:
    """Entries the sample has no such thing as: a msgctxt, a plural."""
    catalog = polib.pofile(str(path))
    for entry in entries:
        catalog.append(entry)
    catalog.save(str(path))
    subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)


def test_export_has_every_entry_with_languages_states_and_notes(project):
    edit_po(project / ZH_PO, lambda e: e.msgid.startswith(FACT) and e.flags.append("fuzzy"))
    tree = export(project)
    catalog = polib.pofile(str(project / ZH_PO))
    live = [e for e in catalog if not e.obsolete]
    assert len(units(tree)) == len(live) == len(list(tree.iter(f"{X}trans-unit")))
    assert tree.getroot().get("version") == "1.2"
    (file,) = tree.getroot().iter(f"{X}file")
    assert (file.get("source-language"), file.get("target-language")) == ("en", "zh-TW")

    fuzzy = unit_starting(tree, FACT)
    assert fuzzy.get("approved") != "yes"
    assert fuzzy.find(f"{X}target").get("state") == "needs-review-translation"
    approved = unit_starting(tree, DISCLAIMER)
    assert approved.get("approved") == "yes"
    assert approved.findtext(f"{X}target") == catalog.find(approved.findtext(f"{X}source")).msgstr
    notes = [n.text for n in fuzzy.iter(f"{X}note") if n.get("from") == "developer"]
    assert any("Keep exactly: 30–150, nm" in note for note in notes)  # the `#.` comments

    assert file.get("original") == str(ZH_PO)  # what an import finds its catalog by

    again = project / "again.xlf"
    export(project, "-o", str(again))
    assert again.read_bytes() == (project / XLF).read_bytes()  # deterministic


def test_export_without_a_domain_writes_every_catalog_of_the_locale(project):
    result = run(project, "export-xliff", "zh_TW")
    assert result.returncode == 0, result.stderr
    written = {"xliff/documents-en.zh_TW.xlf": ZH_PO, "xliff/interface.zh_TW.xlf": ZH_UI}
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == list(written)
    assert sorted(p.relative_to(project).as_posix() for p in (project / "xliff").iterdir()) == sorted(written)
    for name, po in written.items():
        tree = ET.parse(project / name)
        (file,) = tree.getroot().iter(f"{X}file")
        assert file.get("original") == str(po)
        assert (file.get("source-language"), file.get("target-language")) == ("en", "zh-TW")
        live = [e for e in polib.pofile(str(project / po)) if not e.obsolete]
        # A plural entry is a group of a unit per form, each with its source text.
        assert sorted(units(tree)) == sorted(text for e in live for text in filter(None, [e.msgid, e.msgid_plural])), name
        assert f"{name}: {len(live)} units (en → zh-TW): {len(live)} approved" in result.stdout
    assert "Sources" in units(ET.parse(project / "xliff/interface.zh_TW.xlf"))
    assert "Sources" not in units(ET.parse(project / "xliff/documents-en.zh_TW.xlf"))


def test_the_english_catalog_exports_from_traditional_chinese_and_comes_back(project):
    # English translates the document written in Traditional Chinese, and nothing else.
    live = [e for e in polib.pofile(str(project / EN_PO)) if not e.obsolete]
    result = run(project, "export-xliff", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"xliff/documents-zh_TW.en.xlf: {len(live)} units (zh-TW → en): "
                                          f"{len(live)} approved, 0 fuzzy, 0 untranslated"]
    tree = ET.parse(project / "xliff/documents-zh_TW.en.xlf")
    (file,) = tree.getroot().iter(f"{X}file")
    assert (file.get("source-language"), file.get("target-language"), file.get("original")) == ("zh-TW", "en", str(EN_PO))
    assert len(units(tree)) == len(live) == len(list(tree.iter(f"{X}trans-unit")))
    unit = next(u for s, u in units(tree).items() if s.startswith("正確洗手五步驟"))
    unit.find(f"{X}target").text = "Wash your hands in five steps, and scrub for at least 20 seconds."
    tree.write(project / "returned.xlf", encoding="utf-8", xml_declaration=True)
    before = {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI)}

    result = run(project, "import-xliff", "returned.xlf", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{EN_PO}: 1 updated and marked fuzzy"), result.stdout
    entry = polib.pofile(str(project / EN_PO)).find(unit.findtext(f"{X}source"))
    assert entry.fuzzy and entry.msgstr == unit.findtext(f"{X}target")
    assert {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI)} == before
    check = run(project, "check")
    assert check.returncode == 1 and f"{EN_PO}:{entry.linenum}" in check.stdout


def test_round_trip_without_changes_leaves_the_catalogs_byte_identical(project):
    before = {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI, EN_PO)}
    for locale in ("zh_TW", "en"):
        assert run(project, "export-xliff", locale).returncode == 0
    for name, locale, po in (("documents-en.zh_TW", "zh_TW", ZH_PO), ("interface.zh_TW", "zh_TW", ZH_UI),
                             ("documents-zh_TW.en", "en", EN_PO)):
        result = run(project, "import-xliff", f"xliff/{name}.xlf", locale)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{po}: 0 updated and marked fuzzy"), result.stdout
        assert "0 unknown" in result.stdout
    assert {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI, EN_PO)} == before
    assert run(project, "check").returncode == 0


def test_an_edited_translation_comes_back_fuzzy_and_blocks_publishing(project):
    interface = (project / ZH_UI).read_bytes()
    tree = export(project)
    target = unit_starting(tree, DISCLAIMER).find(f"{X}target")
    target.text = "本頁內容僅供參考，並非醫療建議，亦不構成任何治療承諾。"
    unit_starting(tree, FACT).find(f"{X}target").text = ""  # left empty: never clears a translation
    returned = project / "returned.xlf"
    tree.write(returned, encoding="utf-8", xml_declaration=True)

    result = run(project, "import-xliff", "returned.xlf", "zh_TW")
    assert result.returncode == 0, result.stderr
    assert "1 updated and marked fuzzy" in result.stdout and "1 empty in returned.xlf (kept)" in result.stdout
    catalog = polib.pofile(str(project / ZH_PO))
    assert catalog.find(unit_starting(tree, FACT).findtext(f"{X}source")).msgstr
    changed = [e for e in catalog if e.fuzzy]
    assert [e.msgid[:len(DISCLAIMER)] for e in changed] == [DISCLAIMER]
    assert changed[0].msgstr == target.text
    assert f"{ZH_PO}:{changed[0].linenum}" in result.stdout
    layout = subprocess.run(["msgcat", str(project / ZH_PO)], capture_output=True, check=True).stdout
    assert layout == (project / ZH_PO).read_bytes(), "not laid out as GNU gettext writes it"
    assert (project / ZH_UI).read_bytes() == interface  # the locale's other catalog is not touched

    check = run(project, "check")
    assert check.returncode == 1
    assert f"{ZH_PO}:{changed[0].linenum}" in check.stdout and DISCLAIMER[:30] in check.stdout


def test_units_the_catalog_does_not_have_are_reported_and_ignored(project):
    before = (project / ZH_PO).read_bytes()
    tree = export(project)
    body = next(tree.iter(f"{X}body"))
    extra = ET.SubElement(body, f"{X}trans-unit", id="agency-42")
    ET.SubElement(extra, f"{X}source").text = "A sentence this project never had."
    ET.SubElement(extra, f"{X}target").text = "本專案從未有過的句子。"
    tree.write(project / "returned.xlf", encoding="utf-8", xml_declaration=True)

    result = run(project, "import-xliff", "returned.xlf", "zh_TW")
    assert result.returncode == 0, result.stderr
    assert "0 updated and marked fuzzy" in result.stdout and "1 unknown" in result.stdout
    assert "'agency-42'" in result.stdout and "A sentence this project never had." in result.stdout
    assert (project / ZH_PO).read_bytes() == before


@pytest.mark.parametrize("domain, po", [(DOMAIN, ZH_PO), ("interface", ZH_UI)])
def test_msgctxt_and_plurals_survive_the_round_trip(project, domain, po):
    add_entries(project / po,
                polib.POEntry(msgctxt="button", msgid="Print", msgstr="列印", comment="a button"),
                polib.POEntry(msgctxt="menu", msgid="Print", msgstr=""),
                polib.POEntry(msgid="%(n)s page", msgid_plural="%(n)s pages", msgstr_plural={0: "%(n)s 頁"},
                              flags=["python-format"]))
    tree = export(project, domain=domain)
    prints = [u for u in tree.iter(f"{X}trans-unit") if u.findtext(f"{X}source") == "Print"]
    contexts = [u.find(f".//{X}context[@context-type='x-po-msgctxt']").text for u in prints]
    assert contexts == ["button", "menu"]
    prints[1].find(f"{X}target").text = "列印選單"
    group = next(g for g in tree.iter(f"{X}group") if g.get("restype") == "x-gettext-plurals"
                 and g.findtext(f"{X}trans-unit/{X}source") == "%(n)s page")
    group.find(f"{X}trans-unit/{X}target").text = "共 %(n)s 頁"
    tree.write(project / "returned.xlf", encoding="utf-8", xml_declaration=True)

    result = run(project, "import-xliff", "returned.xlf", "zh_TW")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{po}: 2 updated and marked fuzzy"), result.stdout
    assert "0 unknown" in result.stdout, result.stdout
    catalog = polib.pofile(str(project / po))
    button, menu = catalog.find("Print", msgctxt="button"), catalog.find("Print", msgctxt="menu")
    assert (button.msgstr, button.fuzzy) == ("列印", False)
    assert (menu.msgstr, menu.fuzzy) == ("列印選單", True)
    plural = catalog.find("%(n)s page")
    assert plural.msgstr_plural == {0: "共 %(n)s 頁"} and plural.flags == ["fuzzy", "python-format"]


def test_malformed_xml_is_one_line_with_the_file_and_line(project):
    export(project)
    text = (project / XLF).read_text(encoding="utf-8")
    (project / "broken.xlf").write_text(text.replace("</target>", "", 1), encoding="utf-8")
    before = (project / ZH_PO).read_bytes()
    line = one_error_line(run(project, "import-xliff", "broken.xlf", "zh_TW"), "broken.xlf")
    assert line.startswith("error: broken.xlf:") and "not well-formed XML" in line
    assert (project / ZH_PO).read_bytes() == before


def test_a_file_for_another_language_is_refused(project):
    export(project)
    text = (project / XLF).read_text(encoding="utf-8")
    (project / "zh_CN.xlf").write_text(text.replace('target-language="zh-TW"', 'target-language="zh-CN"'),
                                       encoding="utf-8")
    before = (project / ZH_PO).read_bytes()
    line = one_error_line(run(project, "import-xliff", "zh_CN.xlf", "zh_TW"), "zh_CN.xlf")
    assert "zh-CN" in line and "zh-TW" in line
    assert (project / ZH_PO).read_bytes() == before


def test_unknown_locales_and_missing_files_are_one_line(project):
    one_error_line(run(project, "export-xliff", "xx_YY"), "command line")
    one_error_line(run(project, "export-xliff", "ja"), "locales/ja/LC_MESSAGES/documents-en.po")
    one_error_line(run(project, "export-xliff", "ja", "--domain", "interface"), "locales/ja/LC_MESSAGES/interface.po")
    one_error_line(run(project, "import-xliff", "nowhere.xlf", "zh_TW"), "nowhere.xlf")
    assert not (project / "xliff").exists()


def test_a_domain_the_locale_does_not_translate_is_refused(project):
    # zh_TW does not translate the documents written in it; nothing is exported.
    line = one_error_line(run(project, "export-xliff", "zh_TW", "--domain", "documents-zh_TW"), "--domain")
    assert "documents-en, interface" in line
    one_error_line(run(project, "export-xliff", "en", "--domain", "interface"), "--domain")
    one_error_line(run(project, "export-xliff", "zh_TW", "--domain", "messages"), "--domain")
    assert not (project / "xliff").exists()


def test_one_output_file_for_several_catalogs_is_refused(project):
    line = one_error_line(run(project, "export-xliff", "zh_TW", "-o", "x.xlf"), "--output")
    assert "zh_TW has 2 catalogs" in line and "--domain" in line
    assert not (project / "x.xlf").exists() and not (project / "xliff").exists()
    # English has one catalog: -o needs no --domain.
    result = run(project, "export-xliff", "en", "-o", "x.xlf")
    assert result.returncode == 0, result.stderr
    (file,) = ET.parse(project / "x.xlf").getroot().iter(f"{X}file")
    assert file.get("original") == str(EN_PO)


@pytest.mark.parametrize("original", [str(EN_PO), "locales/zh_TW/LC_MESSAGES/messages.po", ""])
def test_a_file_from_no_catalog_of_the_locale_is_refused(project, original):
    # Each file names the catalog it was exported from; one the locale does not have is refused
    # before anything is written: another locale's, the catalog before domains, or none.
    export(project)
    text = (project / XLF).read_text(encoding="utf-8")
    assert f'original="{ZH_PO}"' in text
    (project / "returned.xlf").write_text(text.replace(f'original="{ZH_PO}"', f'original="{original}"'),
                                          encoding="utf-8")
    before = {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI, EN_PO)}
    line = one_error_line(run(project, "import-xliff", "returned.xlf", "zh_TW"), "returned.xlf:")
    assert "<file original> names no catalog of zh_TW" in line
    assert {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI, EN_PO)} == before


def test_the_other_locales_export_is_refused(project):
    assert run(project, "export-xliff", "en").returncode == 0
    before = {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI, EN_PO)}
    line = one_error_line(run(project, "import-xliff", "xliff/documents-zh_TW.en.xlf", "zh_TW"),
                          "xliff/documents-zh_TW.en.xlf:")
    assert "names no catalog of zh_TW" in line
    assert {po: (project / po).read_bytes() for po in (ZH_PO, ZH_UI, EN_PO)} == before
