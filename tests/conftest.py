"""Shared fixtures: a copy of the project in a temporary folder, and the real command line run in it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from pypdf import PdfReader

from healthpub import catalogs, source
from healthpub.config import load_project

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("source", "locales", "templates", "site.toml", "babel.cfg")
# The zh_TW catalogs: the exosome document (written in English) and the page and leaflet text.
ZH_PO = Path("locales/zh_TW/LC_MESSAGES/documents-en.po")
ZH_UI = Path("locales/zh_TW/LC_MESSAGES/interface.po")
# The English catalog of the documents written in Traditional Chinese.
EN_PO = Path("locales/en/LC_MESSAGES/documents-zh_TW.po")


PROJECT = load_project(REPO)
DOCS = [source.load(path, PROJECT.source_lang) for path in PROJECT.documents()]


def doc_langs(doc: source.Document) -> list:
    """The languages a document is published in: its own first, then the published translations."""
    return [doc.lang] + [lang for lang in PROJECT.published_langs() if lang != doc.lang]


def translate(root: Path, lang, doc: source.Document, text: str) -> str:
    """A document's text in a language: its own, or the reviewed translation in the project at `root`."""
    if lang == doc.lang:
        return text
    path = root / PROJECT.po_path(lang.code, PROJECT.domain(doc.lang)).relative_to(REPO)
    entry = polib.pofile(str(path)).find(text)
    assert entry is not None and entry.translated(), f"{lang.code} has no reviewed translation of {text!r}"
    return entry.msgstr


def copy_document(project: Path, slug: str, new_slug: str, change=lambda text: text) -> Path:
    """A second document made from one of the project's: its leaflet code, unique in a site, left out."""
    text = re.sub(r"(?m)^code: .*\n", "", (project / f"source/{slug}.md").read_text(encoding="utf-8"))
    path = project / f"source/{new_slug}.md"
    path.write_text(change(text), encoding="utf-8")
    return path


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


# Review dates are judged as on this day, never the real clock's, so that the tests pass on any day;
# the command line run in-process (cli.main) reads it too.
TODAY = "2026-11-29"
os.environ["HEALTHPUB_TODAY"] = TODAY


def run(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`pipeline.py ARGS` in the project, as a user runs it, on TODAY unless `env` says otherwise."""
    return subprocess.run([sys.executable, str(REPO / "pipeline.py"), *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HEALTHPUB_TODAY": TODAY, **(env or {})})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The real project, built once for the whole session."""
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    result = run(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def output_files(project: Path) -> dict[str, Path]:
    """Every file output/ shows its readers (site/…, print/…, report/…), followed through its links
    as a web server or rsync follows them; the builds behind them (dot folders) left out."""
    found = {}
    top = project / "output"
    for folder, dirs, names in os.walk(top, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                path = Path(folder, name)
                found[path.relative_to(top).as_posix()] = path
    return found


def edit_po(path: Path, change) -> None:
    """Change a catalog as a translator's tool would: polib, then gettext's own layout."""
    catalog = polib.pofile(str(path))
    for entry in catalog:
        change(entry)
    catalogs.save(catalog, path)


def edit_locale(project: Path, code: str, change) -> None:
    """Change every catalog of a locale, entry by entry."""
    for path in sorted((project / "locales" / code / "LC_MESSAGES").glob("*.po")):
        edit_po(path, change)


def where(project: Path, code: str, msgid: str) -> str:
    """"locales/<code>/LC_MESSAGES/<domain>.po:<line>" of a message, as findings name it."""
    for path in sorted((project / "locales" / code / "LC_MESSAGES").glob("*.po")):
        if entry := polib.pofile(str(path)).find(msgid):
            return f"{path.relative_to(project).as_posix()}:{entry.linenum}"
    raise AssertionError(f"{msgid!r} is in no {code} catalog")


class _Visible(HTMLParser):
    """The text a reader sees: no tags, no <head>, no <style>."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("head", "style", "script")

    def handle_endtag(self, tag):
        self.skip -= tag in ("head", "style", "script")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def squash(text: str) -> str:
    """Text without white space or quote style, for comparing what was laid out in lines. Thai ำ
    is compared as า: HarfBuzz draws it as two glyphs (ํ + า), and the PDF maps only the second
    back to text, so text read out of a PDF has lost the ํ (a known gap of WeasyPrint's ToUnicode)."""
    text = re.sub(r"[“”‘’']", "'", text).replace("\u0e33", "\u0e32").replace("\u0e4d", "")
    return re.sub(r"\s+", "", text)
