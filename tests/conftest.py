"""Shared fixtures: a copy of the project in a temporary folder, and the real command line run in it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from pypdf import PdfReader

from healthpub import catalogs

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("source", "locales", "templates", "site.toml", "babel.cfg")
ZH_PO = Path("locales/zh_TW/LC_MESSAGES/messages.po")


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`pipeline.py ARGS` in the project, as a user runs it."""
    return subprocess.run([sys.executable, str(REPO / "pipeline.py"), *args], cwd=project,
                          capture_output=True, text=True, timeout=300)


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


def edit_po(path: Path, change) -> None:
    """Change a catalog as a translator's tool would: polib, then gettext's own layout."""
    catalog = polib.pofile(str(path))
    for entry in catalog:
        change(entry)
    catalogs.save(catalog, path)


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
    """Text without white space or quote style, for comparing what was laid out in lines."""
    text = re.sub(r"[“”‘’']", "'", text)
    return re.sub(r"\s+", "", text)
