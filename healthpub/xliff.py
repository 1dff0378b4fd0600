"""XLIFF 1.2 for translation agencies: a locale's catalog out, the agency's translations back in.

The files are the Translate Toolkit's PO-flavoured XLIFF (`translate.storage.poxliff`, what its
po2xliff writes and xliff2po reads), in the XLIFF 1.2 namespace: one trans-unit per entry (a plural
entry is an `x-gettext-plurals` group), the msgctxt in a `po-entry` context group, `#.` comments as
developer notes, `#` comments as translator notes, `#:` references as `po-reference` contexts, and
for a fuzzy entry with a `#|` previous msgid an `<alt-trans origin="previous">`. Approved entries are
`approved="yes"`, state signed-off; fuzzy ones `approved="no"`, state needs-review-translation.

Importing never approves anything: a translation that differs from the catalog's is written and
marked fuzzy, for a medical reviewer to approve as usual; an empty target keeps the catalog's.
Units are matched on msgctxt and msgid, never on their id; units the catalog does not have are
reported and ignored. A file whose target-language is not the locale's (zh-Hant-TW counts as zh-TW,
zh-CN or zh-Hant does not) is refused before anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale, UnknownLocaleError
from lxml import etree
from translate.misc.multistring import multistring
from translate.misc.xml_helpers import parse_xml
from translate.storage import poxliff

from . import catalogs, output
from .checks import shorten
from .config import Project
from .errors import InputError
from .locales import Lang

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
_MSGCTXT = "x-po-msgctxt"


class _Xliff12(poxliff.PoXliffFile):
    """The toolkit's PO-flavoured XLIFF, declared as 1.2 (its own skeleton says 1.1; the elements
    and attributes used here are the same in both)."""

    namespace = NAMESPACE
    XMLskeleton = f"""<?xml version="1.0" ?>
<xliff version='1.2' xmlns='{NAMESPACE}'>
<file original='NoName' source-language='en' datatype='po'>
<body>
</body>
</file>
</xliff>"""

    def serialize(self, out) -> None:
        # Units are made in the toolkit's 1.1 namespace and moved into 1.2 when added; drop the
        # declarations of 1.1 that are left over.
        etree.cleanup_namespaces(self.document)
        super().serialize(out)


@dataclass
class Imported:
    """What an import did to the catalog."""

    updated: list[tuple[int, str | None, str]] = field(default_factory=list)  # .po line, msgctxt, msgid
    unchanged: int = 0
    kept: int = 0  # empty in the XLIFF: the catalog's translation is kept
    unknown: list[tuple[int | None, str, str]] = field(default_factory=list)  # line in the XLIFF, id, source


def default_path(project: Project, lang: Lang, domain: str) -> Path:
    return project.root / "xliff" / f"{domain}.{lang.code}.xlf"  # not under output/, which every build replaces


def export(project: Project, lang: Lang, domain: str, out: Path) -> tuple[int, int, int]:
    """Write one of the locale's catalogs as XLIFF 1.2; returns (units, fuzzy, untranslated)."""
    po_path = project.po_path(lang.code, domain)
    catalog = catalogs.load(po_path)
    nplurals = _nplurals(catalog)
    store = _Xliff12(sourcelanguage=project.written_in(domain).bcp47, targetlanguage=lang.bcp47)
    original = _relative(po_path, project.root)
    units = fuzzy = untranslated = 0
    for entry in catalog:
        if entry.obsolete:
            continue
        units += 1
        if entry.msgid_plural:
            source = multistring([entry.msgid, entry.msgid_plural])
            target = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
        else:
            source, target = entry.msgid, [entry.msgstr]
        unit = store.addsourceunit(source, original, True)
        for part in unit.units:  # a plural group's trans-units, moved into 1.2 with it
            part.namespace = unit.namespace
        unit.setid(_unit_id(entry.msgctxt, entry.msgid))
        if entry.msgctxt is not None:
            unit.createcontextgroup("po-entry", [(_MSGCTXT, entry.msgctxt)], purpose="information")
        if any(target):
            unit.target = multistring(target) if entry.msgid_plural else target[0]
            if entry.fuzzy:
                fuzzy += 1
                _set_state(unit, unit.S_NEEDS_REVIEW)
                if entry.previous_msgid and not entry.msgid_plural:
                    unit.addalttrans(entry.msgstr, origin="previous", sourcetxt=entry.previous_msgid)
            else:
                _set_state(unit, unit.S_SIGNED_OFF)
        else:
            untranslated += 1
            unit.target = multistring([""] * len(target)) if entry.msgid_plural else ""
            _set_state(unit, unit.S_NEEDS_TRANSLATION)
        for occurrence in entry.occurrences:
            location = ":".join(part for part in occurrence if part)
            unit.createcontextgroup("po-reference", _location(location), purpose="location")
        if entry.comment:
            unit.addnote(entry.comment, origin="developer")
        if entry.tcomment:
            unit.addnote(entry.tcomment, origin="translator")
    data = bytes(store)
    if not (out.exists() and out.read_bytes() == data):
        output.write_atomic(out, data)
    return units, fuzzy, untranslated


def import_(project: Project, lang: Lang, path: Path) -> tuple[Path, Imported]:
    """Merge the translations of an XLIFF file into the locale's catalog it was exported from (its
    <file original>): a changed translation is written and marked fuzzy, an unchanged one keeps
    its state, an unknown unit is ignored. Returns the catalog and what changed."""
    store, domain = _read(path, project, lang)
    po_path = project.po_path(lang.code, domain)
    catalog = catalogs.load(po_path)
    nplurals = _nplurals(catalog)
    entries = {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
    result = Imported()
    seen: dict[tuple, int | None] = {}
    changed: list[polib.POEntry] = []
    for unit in store.units:
        if unit.isheader() or not unit.istranslatable():
            continue
        line = unit.xmlelement.sourceline
        sources = _strings(unit.source)
        key = (_msgctxt(unit), sources[0] if sources else "")
        if key in seen:
            raise InputError(path, line, f"a second unit for {shorten(key[1])!r}",
                             f"the first is on line {seen[key]}")
        seen[key] = line
        entry = entries.get(key)
        if entry is None or bool(entry.msgid_plural) != (len(sources) > 1):
            result.unknown.append((line, (unit.xmlelement.get("id") or ""), key[1]))
            continue
        targets = _strings(unit.target)
        if entry.msgid_plural:
            new = [(targets[i] if i < len(targets) else "") for i in range(nplurals)]
            current = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
        else:
            new, current = [targets[0] if targets else ""], [entry.msgstr]
        if not any(new):  # not translated there: an empty target never clears a translation
            result.kept += any(current)
            result.unchanged += not any(current)
            continue
        new = [text or old for text, old in zip(new, current)]  # nor does an empty plural form
        if new == current:
            result.unchanged += 1
        else:
            if entry.msgid_plural:
                entry.msgstr_plural = dict(enumerate(new))
            else:
                entry.msgstr = new[0]
            if "fuzzy" not in entry.flags:
                entry.flags.insert(0, "fuzzy")
            changed.append(entry)
    if changed:
        catalogs.save(catalog, po_path)
        lines = {(e.msgctxt, e.msgid): e.linenum for e in catalogs.load(po_path) if not e.obsolete}
        result.updated = [(lines[(e.msgctxt, e.msgid)], e.msgctxt, e.msgid) for e in changed]
    return po_path, result


def _read(path: Path, project: Project, lang: Lang) -> tuple[poxliff.PoXliffFile, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except OSError as err:
        raise InputError(path, None, f"cannot read it: {err.strerror}") from None
    try:
        root = parse_xml(data)  # the toolkit's parser for untrusted input: no entities, no network
    except etree.XMLSyntaxError as err:
        raise InputError(path, err.lineno or None, f"not well-formed XML: {err.msg.split(', line ')[0]}") from None
    qname = etree.QName(root)
    if qname.localname != "xliff" or not (qname.namespace or "").startswith("urn:oasis:names:tc:xliff:document:1."):
        what = (f"XLIFF {root.get('version') or qname.namespace or 'of no version'}" if qname.localname == "xliff"
                else f"its root element is <{qname.localname}>")
        raise InputError(path, root.sourceline, f"not an XLIFF 1.2 file: {what}",
                         "export one with: pipeline.py export-xliff LOCALE")
    files = list(root.iterchildren(f"{{{qname.namespace}}}file"))
    if not files:
        raise InputError(path, root.sourceline, "no <file> element: nothing to import")
    originals = {node.get("original") or "" for node in files}
    catalogs_of_lang = {_relative(project.po_path(lang.code, domain), project.root): domain
                        for domain in project.domains_for(lang, project.domains())}
    domain = catalogs_of_lang.get(originals.pop()) if len(originals) == 1 else None
    if domain is None:
        raise InputError(path, files[0].sourceline, f"<file original> names no catalog of {lang.code}",
                         "import a file made by: pipeline.py export-xliff " + lang.code)
    for node in files:
        _same_language(path, node, "target-language", lang, exact=True)
        _same_language(path, node, "source-language", project.written_in(domain), exact=False)
    try:
        return poxliff.PoXliffFile.parsestring(data), domain
    except (ValueError, AssertionError, StopIteration) as err:
        raise InputError(path, None, f"not a usable XLIFF 1.2 file: {err or type(err).__name__}") from None


def _same_language(path: Path, node, attribute: str, lang: Lang, exact: bool) -> None:
    """The file is for this language: the same language, script and region, so zh-Hant-TW is zh-TW
    but zh-Hant or zh-CN is not. The source language is checked on the language alone."""
    tag = node.get(attribute)
    if not tag:
        raise InputError(path, node.sourceline, f"<file> has no {attribute}; expected {lang.bcp47}")
    try:
        theirs = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        theirs = None
    ours = lang.locale
    same = theirs is not None and theirs.language == ours.language and (
        not exact or (theirs.script, theirs.territory) == (ours.script, ours.territory))
    if not same:
        raise InputError(path, node.sourceline, f"{attribute} is {tag!r}, not {lang.bcp47}",
                         f"this file is not for {lang.code}" if exact else "this file is not from this project")


def _nplurals(catalog: polib.POFile) -> int:
    forms = catalog.metadata.get("Plural-Forms", "")
    for part in forms.split(";"):
        name, _, value = part.strip().partition("=")
        if name.strip() == "nplurals" and value.strip().isdigit():
            return int(value)
    return 2


def _unit_id(msgctxt: str | None, msgid: str) -> str:
    """The same entry has the same id in every export, whatever else the catalog holds."""
    key = msgid if msgctxt is None else f"{msgctxt}\x04{msgid}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _msgctxt(unit) -> str | None:
    for group in unit.getcontextgroups("po-entry"):
        for kind, text in group:
            if kind == _MSGCTXT:
                return text or ""
    return None


def _set_state(unit, state: int) -> None:
    """The target's state; the toolkit sets approved="yes" above needs-review, "no" otherwise."""
    unit.set_state_n(state)
    for part in unit.units:  # each plural form; a language with one form leaves the second empty
        if part.target:
            part.set_state_n(state)


def _strings(text) -> list[str]:
    if text is None:
        return []
    return list(text.strings) if isinstance(text, multistring) else [str(text)]


def _location(location: str) -> list[tuple[str, str]]:
    head, _, tail = location.rpartition(":")
    return [("sourcefile", head), ("linenumber", tail)] if head and tail.isdigit() else [("sourcefile", location)]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()

