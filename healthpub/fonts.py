"""Fonts for leaflets: found through fontconfig, checked for every character, and cut down once per
build to the characters the leaflets use.

A Noto CJK collection is about 19 MB a weight. Subsetting it to a few hundred characters once, and
handing WeasyPrint the small file under the same family name, keeps each PDF small (CFF
subroutines and the glyphs of other locales stay out) and spares WeasyPrint the big font."""

from __future__ import annotations

import ctypes.util
import functools
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

INSTALL_HINT = "sudo apt-get install fonts-noto-cjk"
WEIGHTS = {400: "regular", 700: "bold"}
# Characters CSS may draw that are not in the text: list markers, counters, the no-break space.
GENERATED = {chr(c) for c in range(0x20, 0x7F)} | set("\u00a0•◦▪–—…·")


@dataclass(frozen=True)
class Font:
    family: str
    weight: int
    path: Path
    index: int


@dataclass(frozen=True)
class Face:
    """A subset font file standing in for a family and weight."""

    family: str
    weight: int
    path: Path


@functools.cache
def find(family: str, weight: int = 400) -> Font:
    """The font file fontconfig uses for a family and weight; fontconfig substitutes silently, so
    the family it answers with must be the one asked for."""
    if shutil.which("fc-match") is None:
        raise InputError("fc-match", None, "fontconfig is not installed", "sudo apt-get install fontconfig")
    pattern = f"{family}:weight={WEIGHTS[weight]}"
    answer = subprocess.run(["fc-match", "--format=%{file}\n%{index}\n%{family}", pattern],
                            capture_output=True, text=True).stdout.split("\n")
    if len(answer) < 3 or family not in answer[2].split(","):
        raise InputError("site.toml", None, f"font {family!r} is not installed", INSTALL_HINT)
    return Font(family, weight, Path(answer[0]), int(answer[1] or 0))


@functools.cache
def _coverage(font: Font) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # fontTools is imported only when a font is read: no-op builds skip it

    try:
        with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
            return frozenset(tt.getBestCmap())
    except Exception as err:  # fontTools raises many kinds on a damaged file
        raise InputError(font.path, None, f"the {font.family} font cannot be read: {err}",
                         "reinstall it: sudo apt-get install --reinstall fonts-noto-cjk") from None


def require_harfbuzz_subset(find_library=ctypes.util.find_library) -> None:
    """Without libharfbuzz-subset0, WeasyPrint subsets fonts with fontTools: about 10 s a Chinese
    leaflet instead of 0.2 s. A build refuses rather than crawl."""
    if find_library("harfbuzz-subset") is None:
        raise InputError("libharfbuzz-subset", None, "HarfBuzz's font subsetting library is not installed",
                         "sudo apt-get install libharfbuzz-subset0")


def missing(font: Font, text: str) -> list[str]:
    """Characters of `text` the font has no glyph for (they would print as empty boxes)."""
    covered = _coverage(font)
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})


def prepare(family: str, text: str, cache: Path) -> list[Face]:
    """Subsets of the family's regular and bold fonts holding the characters of `text` (and those
    CSS may generate), cached under `cache` by what they are made from."""
    chars = sorted(set(text) | GENERATED)
    faces = []
    for weight in WEIGHTS:
        font = find(family, weight)
        stat = font.path.stat()
        key = hashlib.sha256("\0".join([str(font.path), str(stat.st_size), str(stat.st_mtime_ns), str(font.index),
                                        importlib.metadata.version("fonttools"), "".join(chars)]).encode()).hexdigest()[:20]
        path = cache / f"{re.sub(r'[^A-Za-z0-9]+', '-', family)}-{weight}-{key}.otf"
        if not path.exists():
            _subset(font, chars, path)
        faces.append(Face(family, weight, path))
    return faces


def _subset(font: Font, chars: list[str], path: Path) -> None:
    from fontTools import subset

    options = subset.Options()
    options.font_number = font.index
    options.layout_features += ["palt"]  # proportional punctuation, for Latin text in a CJK font
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # print needs no hinting
    try:
        tt = subset.load_font(str(font.path), options, lazy=True)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(tt)
    except Exception as err:  # fontTools raises many kinds on a damaged file
        raise InputError(font.path, None, f"the {font.family} font cannot be subset: {err}",
                         "reinstall it: sudo apt-get install --reinstall fonts-noto-cjk") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    tt.save(str(partial))
    os.replace(partial, path)  # never a half-written font in the cache


def faces_css(faces: list[Face]) -> str:
    """@font-face rules for the subsets, as "<family> subset": fontconfig's own font of the same
    name would win over a rule that reused it. Leaflets list the subset first, then the family."""
    return "".join(f'@font-face {{ font-family: "{face.family} subset"; font-weight: {face.weight}; '
                   f'src: url("{face.path.resolve().as_uri()}"); }}\n' for face in faces)
