"""Fonts for leaflets: found through fontconfig, checked for every character, and cut down to the
characters a document's leaflets use.

A Noto CJK collection is about 19 MB a weight. HarfBuzz cuts it down to a few hundred characters in
about 20 ms, so each document gets its own subset when its leaflets are rendered: its PDFs depend
on nothing but its own text, and WeasyPrint, handed the small file under the family's name, writes
PDFs 3 to 7 times smaller than from the whole font (`make bench`)."""

from __future__ import annotations

import ctypes.util
import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

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
    stamp: str = ""  # the file's size and time: an updated font renders the leaflets again


@dataclass(frozen=True)
class Subset:
    """A font cut down to some characters, standing in for its family and weight."""

    font: Font
    chars: str


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
    path = Path(answer[0])
    stat = path.stat()
    return Font(family, weight, path, int(answer[1] or 0), f"{stat.st_size} {stat.st_mtime_ns}")


def _face(font: Font) -> hb.Face:
    try:
        face = hb.Face(hb.Blob.from_file_path(str(font.path)), font.index)
    except hb.HarfBuzzError:
        face = None
    if face is None or face.glyph_count == 0:  # HarfBuzz reads a damaged file as an empty font
        raise InputError(font.path, None, f"the {font.family} font cannot be read",
                         "reinstall it: sudo apt-get install --reinstall fonts-noto-cjk")
    return face


@functools.cache
def _coverage(font: Font) -> frozenset[int]:
    return frozenset(_face(font).unicodes)


def missing(font: Font, text: str) -> list[str]:
    """Characters of `text` the font has no glyph for (they would print as empty boxes)."""
    covered = _coverage(font)
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})


def subsets(family: str, text: str) -> tuple[Subset, ...]:
    """The family's regular and bold fonts, to be cut down to the characters of `text` and those
    CSS may draw."""
    chars = "".join(sorted(set(text) | GENERATED))
    return tuple(Subset(find(family, weight), chars) for weight in WEIGHTS)


def cut(subset: Subset) -> bytes:
    """The subset as an OpenType file. HarfBuzz keeps the layout features text needs by default,
    `palt` (proportional Latin punctuation in a CJK font) among them."""
    request = hb.SubsetInput()
    request.unicode_set.update(ord(c) for c in subset.chars)
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE  # print needs no hinting
    result = hb.subset(_face(subset.font), request)
    if result is None:
        raise InputError(subset.font.path, None, f"the {subset.font.family} font cannot be subset",
                         "reinstall it: sudo apt-get install --reinstall fonts-noto-cjk")
    return result.blob.data


def require_harfbuzz_subset() -> None:
    """WeasyPrint subsets every embedded font again, with the system's libharfbuzz-subset0; without
    it, with fontTools, which WeasyPrint has deprecated: ~0.4 s more a leaflet from our subsets,
    ~10 s from a whole CJK font. A build refuses rather than fall back."""
    if ctypes.util.find_library("harfbuzz-subset") is None:
        raise InputError("libharfbuzz-subset", None, "HarfBuzz's font subsetting library is not installed",
                         "sudo apt-get install libharfbuzz-subset0")


def faces_css(faces: dict[Subset, Path]) -> str:
    """@font-face rules for subset files, as "<family> subset": fontconfig's own font of the same
    name would win over a rule that reused it. Leaflets list the subset first, then the family."""
    return "".join(f'@font-face {{ font-family: "{s.font.family} subset"; font-weight: {s.font.weight}; '
                   f'src: url("{path.resolve().as_uri()}"); }}\n' for s, path in faces.items())
