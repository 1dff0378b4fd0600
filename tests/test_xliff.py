"""XLIFF for translation agencies: export a catalog, import their translations as fuzzy entries."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import polib

from conftest import ZH_PO, edit_po, run

NS = "urn:oasis:names:tc:xliff:document:1.2"
X = f"{{{NS}}}"
DISCLAIMER = "This page is a neutral compilation"
FACT = "Exosomes are extracellular vesicles about"
ET.register_namespace("", NS)


def export(project: Path, *args: str) -> ET.ElementTree:
    result = run(project, "export-xliff", "zh_TW", *args)
    assert result.returncode == 0, result.stderr
    path = project / (args[1] if args else "xliff/zh_TW.xlf")
    assert str(path.relative_to(project)) in result.stdout
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

    again = project / "again.xlf"
    export(project, "-o", str(again))
    assert again.read_bytes() == (project / "xliff/zh_TW.xlf").read_bytes()  # deterministic


def test_round_trip_without_changes_leaves_the_catalog_byte_identical(project):
    before = (project / ZH_PO).read_bytes()
    export(project)
    result = run(project, "import-xliff", "xliff/zh_TW.xlf", "zh_TW")
    assert result.returncode == 0, result.stderr
    assert "0 updated and marked fuzzy" in result.stdout and "0 unknown" in result.stdout
    assert (project / ZH_PO).read_bytes() == before
    assert run(project, "check").returncode == 0


def test_an_edited_translation_comes_back_fuzzy_and_blocks_publishing(project):
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


def test_msgctxt_and_plurals_survive_the_round_trip(project):
    add_entries(project / ZH_PO,
                polib.POEntry(msgctxt="button", msgid="Print", msgstr="列印", comment="a button"),
                polib.POEntry(msgctxt="menu", msgid="Print", msgstr=""),
                polib.POEntry(msgid="%(n)s page", msgid_plural="%(n)s pages", msgstr_plural={0: "%(n)s 頁"},
                              flags=["python-format"]))
    tree = export(project)
    prints = [u for u in tree.iter(f"{X}trans-unit") if u.findtext(f"{X}source") == "Print"]
    contexts = [u.find(f".//{X}context[@context-type='x-po-msgctxt']").text for u in prints]
    assert contexts == ["button", "menu"]
    prints[1].find(f"{X}target").text = "列印選單"
    group = next(g for g in tree.iter(f"{X}group") if g.get("restype") == "x-gettext-plurals")
    group.find(f"{X}trans-unit/{X}target").text = "共 %(n)s 頁"
    tree.write(project / "returned.xlf", encoding="utf-8", xml_declaration=True)

    result = run(project, "import-xliff", "returned.xlf", "zh_TW")
    assert result.returncode == 0, result.stderr
    assert "2 updated and marked fuzzy" in result.stdout and "0 unknown" in result.stdout, result.stdout
    catalog = polib.pofile(str(project / ZH_PO))
    button, menu = catalog.find("Print", msgctxt="button"), catalog.find("Print", msgctxt="menu")
    assert (button.msgstr, button.fuzzy) == ("列印", False)
    assert (menu.msgstr, menu.fuzzy) == ("列印選單", True)
    plural = catalog.find("%(n)s page")
    assert plural.msgstr_plural == {0: "共 %(n)s 頁"} and plural.flags == ["fuzzy", "python-format"]


def test_malformed_xml_is_one_line_with_the_file_and_line(project):
    export(project)
    text = (project / "xliff/zh_TW.xlf").read_text(encoding="utf-8")
    (project / "broken.xlf").write_text(text.replace("</target>", "", 1), encoding="utf-8")
    before = (project / ZH_PO).read_bytes()
    line = one_error_line(run(project, "import-xliff", "broken.xlf", "zh_TW"), "broken.xlf")
    assert line.startswith("error: broken.xlf:") and "not well-formed XML" in line
    assert (project / ZH_PO).read_bytes() == before


def test_a_file_for_another_language_is_refused(project):
    export(project)
    text = (project / "xliff/zh_TW.xlf").read_text(encoding="utf-8")
    (project / "zh_CN.xlf").write_text(text.replace('target-language="zh-TW"', 'target-language="zh-CN"'),
                                       encoding="utf-8")
    before = (project / ZH_PO).read_bytes()
    line = one_error_line(run(project, "import-xliff", "zh_CN.xlf", "zh_TW"), "zh_CN.xlf")
    assert "zh-CN" in line and "zh-TW" in line
    assert (project / ZH_PO).read_bytes() == before


def test_unknown_locales_and_missing_files_are_one_line(project):
    one_error_line(run(project, "export-xliff", "xx_YY"), "command line")
    one_error_line(run(project, "export-xliff", "ja"), "locales/ja/LC_MESSAGES/messages.po")
    one_error_line(run(project, "import-xliff", "nowhere.xlf", "zh_TW"), "nowhere.xlf")
