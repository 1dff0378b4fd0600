"""Catalogs: a POT per domain, and a PO file per locale and domain it translates.

    locales/interface.pot                        the templates' strings
    locales/documents-<source locale>.pot        the documents written in that language
    locales/<locale>/LC_MESSAGES/<domain>.po     a locale's translation of one domain

Every file the pipeline writes is laid out by GNU gettext itself (msgcat, msgmerge): 79 columns by
display width, CJK counting 2, so that Poedit, Weblate and `msgcat` leave it unchanged. Babel
builds and initialises catalogs; polib reads them back with the line numbers findings need.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import hashlib
import io
import pickle
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from . import output
from .cache import Table
from .config import Project
from .errors import InputError
from .locales import Lang


def write_template(catalog: Catalog, path: Path, written: Table) -> bool:
    """Write the POT; returns whether it changed. Laid out by Babel and msgcat only if the catalog
    differs from the one written before (`written` holds the hash of what each made), or the file
    does since: an edit changes one domain's POT."""
    inputs = (gettext_version(), pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
    made = written.get(*inputs)
    if made is not None and path.exists() and hashlib.sha256(path.read_bytes()).digest() == made:
        return False
    data = _canonical(_babel_bytes(catalog))
    written.put(hashlib.sha256(data).digest(), *inputs)
    return _write(path, data)


def init(project: Project, lang: Lang, today: dt.date) -> list[Path]:
    """Start a new locale: a catalog for each domain it translates, dated `today`."""
    folder = project.locales_dir / lang.code
    if lang in project.catalog_langs():
        raise InputError(folder, None, "already exists", "use 'pipeline.py update' to merge new messages into it")
    domains = project.domains_for(lang, _domains(project))
    if not domains:
        raise InputError(folder, None, f"nothing to translate: the documents and the templates are all in {lang.code}")
    return [_init(project, lang, domain, today) for domain in domains]


def update(project: Project, lang: Lang, today: dt.date, merges: Table, keep_obsolete: bool = True
           ) -> list[tuple[Path, bool]]:
    """Merge each POT into the locale's catalog of its domain the way msgmerge does, because it is
    msgmerge: changed text turns fuzzy with `#|` previous msgid and its old translation; removed text
    turns obsolete (`#~`) and comes back when its text does. A domain new to the locale (documents
    in a new language) gets its catalog. Returns each catalog with whether it changed. A catalog
    that merged with its POT into itself before, both unchanged since (`merges` holds those), is
    left as it is without merging again: an edit changes one POT."""
    changes = []
    for domain in project.domains_for(lang, _domains(project)):
        po_path, pot_path = project.po_path(lang.code, domain), project.pot_path(domain)
        if not po_path.exists():
            changes.append((_init(project, lang, domain, today), True))
            continue
        inputs = (gettext_version(), po_path.read_bytes(), pot_path.read_bytes(), repr(keep_obsolete))
        if merges.get(*inputs):
            changes.append((po_path, False))
            continue
        validate(po_path)
        merged = _gettext("msgmerge", "--quiet", "--previous", "--output-file=-", str(po_path), str(pot_path))
        if not keep_obsolete:
            merged = _gettext("msgattrib", "--no-obsolete", "--output-file=-", "-", data=merged)
        # msgmerge lays the catalog out as msgcat would: only decomposed letters need _canonical (0.25 s on 2 MB).
        text = merged.decode("utf-8")
        changed = _write(po_path, merged if unicodedata.is_normalized("NFC", text) else _canonical(merged))
        if not changed:
            merges.put(True, *inputs)
        changes.append((po_path, changed))
    return changes


@functools.cache
def gettext_version() -> str:
    """GNU gettext's version: what its tools make of a catalog is theirs, so it is part of the key
    of whatever the cache keeps of them."""
    return _gettext("msgfmt", "--version").decode().splitlines()[0]


def _init(project: Project, lang: Lang, domain: str, today: dt.date) -> Path:
    """A domain's catalog for a locale, from its POT, with Language and CLDR's Plural-Forms."""
    po_path = project.po_path(lang.code, domain)
    catalog = read_po(io.BytesIO(project.pot_path(domain).read_bytes()), locale=lang.code)
    catalog.locale = lang.code  # the gettext name (zh_TW), as the folder says, not CLDR's zh_Hant_TW
    catalog.last_translator = project.publisher
    catalog.language_team = f"{lang.locale.english_name} ({lang.code})"
    catalog.revision_date = dt.datetime.combine(today, dt.time(), dt.timezone.utc)
    catalog.fuzzy = False
    written_in = project.written_in(domain)
    catalog.header_comment = (f"# {lang.locale.english_name} translations for {project.publisher}, from "
                              f"{written_in.locale.english_name} ({domain}).\n"
                              "# Edit with Poedit, Weblate or any PO editor; `pipeline.py check` reviews it.")
    po_path.parent.mkdir(parents=True, exist_ok=True)
    _write(po_path, _canonical(_babel_bytes(catalog)))
    # msgmerge orders the header its own way: so the next update changes nothing.
    _write(po_path, _gettext("msgmerge", "--quiet", "--previous", "--output-file=-", str(po_path),
                             str(project.pot_path(domain))))
    return po_path


def _domains(project: Project) -> list[str]:
    domains = project.domains()
    if not domains:
        raise InputError(project.locales_dir, None, "no catalog templates", "run: pipeline.py extract")
    return domains


def save(catalog: polib.POFile, path: Path) -> bool:
    """Write a catalog changed through polib in GNU gettext's layout; returns whether it changed."""
    return _write(path, _canonical(str(catalog).encode("utf-8")))


def load(path: Path) -> polib.POFile:
    validate(path)  # GNU's parser is strict where polib is lenient
    return _parse(path)


def validate(path: Path) -> None:
    """A clear error, with its line, for a missing or broken catalog."""
    _exists(path)
    _msgfmt("-o", "/dev/null", str(path))


def read(path: Path) -> tuple[polib.POFile, bytes, list[tuple[str, int, str]]]:
    """All that a check and a build need of a catalog: its entries, the same compiled as the gettext
    runtime reads them (.mo: `translations`), and msgfmt's findings (format strings, headers). The
    reference tool has the last word, and compiles it: one msgfmt run does both."""
    _exists(path)
    # msgfmt runs while polib parses: on a large catalog they take about as long.
    checking = subprocess.Popen([_tool("msgfmt"), "--check-format", "--check-domain", "-o", "-", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        catalog, failed = _parse(path), None
    except InputError as err:
        catalog, failed = None, err
    compiled, stderr = checking.communicate()
    located = (_located(line) for line in stderr.decode("utf-8", "replace").splitlines())
    problems = [place for place in located if place and "warning" not in place[2]]
    if checking.returncode != 0:  # bad input, or format problems, which are findings: compiled without the checks
        compiled = _msgfmt("-o", "-", str(path))  # bad input is refused here, as GNU's parser says it
    if failed:
        raise failed
    return catalog, compiled, problems


def _exists(path: Path) -> None:
    if not path.exists():
        raise InputError(path, None, "no such catalog", f"start it with: pipeline.py init {path.parent.parent.name}")


def _msgfmt(*args: str) -> bytes:
    """msgfmt's output; its first complaint as bad input, about the catalog."""
    try:
        return _gettext("msgfmt", *args)
    except InputError as err:
        raise InputError(err.path, err.line, f"not a valid PO file: {err.message}") from None


def _parse(path: Path) -> polib.POFile:
    try:
        # msgfmt has refused duplicate entries already: polib's own check is quadratic (2.5 s for
        # 5,000 entries).
        return polib.pofile(str(path), wrapwidth=79)
    except (OSError, ValueError) as err:
        match = re.search(r"line (\d+)", str(err))
        message = re.sub(r"\s*\(?line \d+\)?|\s*in po file \S+", "", str(err)).strip(" :")
        raise InputError(path, int(match[1]) if match else None, f"not a valid PO file: {message}") from None


def translations(compiled: bytes) -> gettext.GNUTranslations:
    """A compiled catalog (.mo) as the gettext runtime sees it: translated entries only; fuzzy ones
    fall back to the source."""
    return gettext.GNUTranslations(io.BytesIO(compiled))


def _babel_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, include_previous=True)
    return out.getvalue()


def _canonical(data: bytes) -> bytes:
    """GNU gettext's layout, with composed letters (Unicode NFC) whatever the translator's tool
    wrote: some write Vietnamese decomposed, which breaks search and comparisons."""
    text = data.decode("utf-8")
    return _gettext("msgcat", "--output-file=-", "-", data=unicodedata.normalize("NFC", text).encode("utf-8"))


def _gettext(tool: str, *args: str, data: bytes | None = None) -> bytes:
    result = _run(tool, *args, data=data)
    if result.returncode != 0:
        # gettext tools report "file:line: problem"; the first line is the one that matters.
        first = result.stderr.decode("utf-8", "replace").strip().splitlines()[:1] or ["failed"]
        if place := _located(first[0]):
            raise InputError(*place)
        raise InputError(tool, None, first[0])
    return result.stdout


def _run(tool: str, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([_tool(tool), *args], input=data, capture_output=True)


def _tool(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise InputError(tool, None, "GNU gettext is not installed", "sudo apt-get install gettext")
    return found


def _located(line: str) -> tuple[str, int, str] | None:
    """(file, line, problem) from a gettext tool's "[tool: ]file:line[:column]: problem"."""
    match = re.match(r"(?:\w+: )?(.+?):(\d+):(?:\d+:)? (.*)", line)
    return (match[1], int(match[2]), match[3]) if match else None


def _write(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False  # no rewrite, so an unchanged catalog keeps its mtime and makes no churn
    output.write_atomic(path, data)  # a build reading it meanwhile sees the old file or the new one
    return True
