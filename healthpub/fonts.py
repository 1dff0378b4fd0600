"""Fonts for leaflets: found through fontconfig, checked for every character before rendering."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont

from .errors import InputError

INSTALL_HINT = "sudo apt-get install fonts-noto-cjk"


@dataclass(frozen=True)
class Font:
    family: str
    path: Path
    index: int


@functools.cache
def find(family: str) -> Font:
    """The font file fontconfig uses for a family; fontconfig substitutes silently, so the
    family it answers with must be the one asked for."""
    if shutil.which("fc-match") is None:
        raise InputError("fc-match", None, "fontconfig is not installed", "sudo apt-get install fontconfig")
    answer = subprocess.run(["fc-match", "--format=%{file}\n%{index}\n%{family}", family],
                            capture_output=True, text=True).stdout.split("\n")
    if len(answer) < 3 or family not in answer[2].split(","):
        raise InputError("site.toml", None, f"font {family!r} is not installed", INSTALL_HINT)
    return Font(family, Path(answer[0]), int(answer[1] or 0))


@functools.cache
def _coverage(font: Font) -> frozenset[int]:
    with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def missing(font: Font, text: str) -> list[str]:
    """Characters of `text` the font has no glyph for (they would print as empty boxes)."""
    covered = _coverage(font)
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})
