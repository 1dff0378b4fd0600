"""The build's stamp: a hash of everything a build reads, kept with the listing of the output/ it
made. A build whose inputs hash the same, while output/ still lists the same files, has nothing to
do: it stops here, before the pipeline's stages are even imported."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path

from . import fonts, output
from .config import CONFIG_NAME, Project

PACKAGE = Path(__file__).parent


def fingerprint(project: Project, draft: bool, shard: tuple[int, int], today: dt.date, pages_only: bool = False) -> str:
    """A hash of everything a build reads: the project's files, the pipeline's code, the installed
    packages, the fonts, the options and the date (a review falls due). Taken before the build reads
    anything, so that an edit made while it runs is seen by the next one."""
    digest = hashlib.sha256()
    folders = (project.source_dir, project.locales_dir, project.templates_dir)
    files = [project.root / CONFIG_NAME, *sorted(PACKAGE.glob("*.py")),
             *sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())]
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    installed = sorted(p.name for folder in sys.path if os.path.isdir(folder) for p in Path(folder).glob("*.dist-info"))
    families = {family for lang in project.catalog_langs() + [project.source_lang]
                for family in project.font_families(lang)}
    fonts_used = [fonts.find(family, weight) for family in sorted(families) for weight in fonts.WEIGHTS]
    digest.update(repr([sys.version, installed, fonts_used, os.environ.get("SOURCE_DATE_EPOCH"), draft, shard,
                        today, pages_only]).encode())
    return digest.hexdigest()


def current(project: Project, inputs: str) -> int | None:
    """How many files output/ holds, if a build from these very inputs made it and nothing has
    touched it since; None otherwise."""
    try:
        stamp = json.loads(_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("inputs") != inputs:
        return None  # something changed: listing output/ would tell nothing more (20 ms at 200 documents)
    listing = output.listing(project.output_dir)
    if stamp != {"inputs": inputs, "output": listing}:
        return None
    return len(listing)


def clear(project: Project) -> None:
    """output/ is about to change: no stamp until it has."""
    _path(project).unlink(missing_ok=True)


def record(project: Project, inputs: str) -> None:
    """output/ is what a build of `inputs` made."""
    listing = output.listing(project.output_dir)
    output.write_atomic(_path(project), json.dumps({"inputs": inputs, "output": listing}).encode())


def _path(project: Project) -> Path:
    return project.cache_dir / "build.json"
