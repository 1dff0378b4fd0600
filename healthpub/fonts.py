"""Fonts for leaflets: found through fontconfig, checked for a language's script as soon as the
language is known and for every character before rendering, and cut down to the characters a
document's leaflets use.

A Noto CJK collection is about 19 MB a weight. HarfBuzz cuts it down to a few hundred characters in
about 20 ms, so each document gets its own subset when its leaflets are rendered: its PDFs depend
on nothing but its own text, and WeasyPrint, handed the small file under the family's name, writes
PDFs 3 to 7 times smaller than from the whole font (`make bench`)."""

from __future__ import annotations

import ctypes.util
import functools
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from .errors import InputError
from .locales import Lang

INSTALL_HINT = "sudo apt-get install fonts-noto-cjk"
WEIGHTS = {400: "regular", 700: "bold"}
# Characters CSS may draw that are not in the text: list markers, counters, the no-break space.
GENERATED = {chr(c) for c in range(0x20, 0x7F)} | set("\u00a0•◦▪–—…·")
# ISO 15924 scripts whose Noto fonts Debian ships in fonts-noto-cjk; every other script's are in fonts-noto-core.
CJK_SCRIPTS = frozenset({"Bopo", "Hang", "Hani", "Hans", "Hant", "Hira", "Jpan", "Kana", "Kore"})


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


def missing(families: tuple[str, ...], text: str, weight: int = 400) -> list[str]:
    """Characters of `text` that no font of the stack has a glyph for (they would print as empty
    boxes): a Thai leaflet's URLs and digits come from the Latin font after the Thai one."""
    covered = frozenset().union(*(_coverage(find(family, weight)) for family in families))
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})


def require_script(lang: Lang, families: tuple[str, ...]) -> None:
    """Refuses a language whose letters its fonts lack as soon as the language is known, before any
    text is translated or rendered. The letters are words CLDR has in the language itself, which its
    text certainly uses: its own name, its script's, its months and days."""
    if refusal := _refusal(lang, families):
        raise InputError("site.toml", None, *refusal)


@functools.cache
def _refusal(lang: Lang, families: tuple[str, ...]) -> tuple[str, str] | None:
    """The message and hint refusing the fonts for the language, or None; cached, as builds ask for
    every language."""
    locale, script = lang.locale, lang.script
    # Month and day names as dates print them; not the stand-alone ones, which most locales inherit
    # through an alias that Babel resolves into data other locales share (python-babel/babel#1234:
    # after zh_TW, Thai's are "1月" …).
    words = [locale.languages.get(locale.language, ""), locale.scripts.get(script, ""),
             *locale.months["format"]["wide"].values(), *locale.days["format"]["wide"].values()]
    # Letters and marks only: digits, spaces and punctuation say nothing of the script.
    letters = "".join(sorted({c for c in "".join(words) if unicodedata.category(c)[0] in "LM"}))
    gaps = sorted({c for weight in WEIGHTS for c in missing(families, letters, weight)})
    if not gaps:
        return None
    shown = " ".join("\u25cc" + c if unicodedata.category(c)[0] == "M" else c for c in gaps[:12])
    name = locale.languages.get(locale.language, locale.language)
    message = (f"font {' + '.join(map(repr, families))} has no glyphs for {locale.get_language_name('en')} "
               f"({name}): {shown}{' …' if len(gaps) > 12 else ''}")
    package = "fonts-noto-cjk" if script in CJK_SCRIPTS else "fonts-noto-core"
    tag = f"{locale.language}-{locale.territory.lower()}" if locale.territory else locale.language
    if installed := _noto_family(tag, letters):
        # Before the fonts it has: they still print what the new one lacks (digits, Latin, Han).
        stack = ", ".join(f'"{family}"' for family in (installed, *families))
        return message, (f"set {locale.language} = [{stack}] in site.toml [fonts] "
                         f"(installed here; elsewhere: sudo apt-get install {package})")
    return message, (f"install a font for it (sudo apt-get install {package}) and set {locale.language} = "
                     f"the family that `fc-list :lang={tag} family` then lists, in site.toml [fonts]")


def _noto_family(tag: str, letters: str) -> str | None:
    """The installed Noto family for a language: among those fontconfig's orth files say cover it, a
    sans-serif one (Noto Sans Arabic, not Noto Kufi Arabic) in fontconfig's order of preference,
    with every letter in both weights."""
    def families(*args: str) -> list[str]:
        lines = subprocess.run(args, capture_output=True, text=True).stdout.splitlines()
        return list(dict.fromkeys(line.split(",")[0] for line in lines if line))

    covering = set(families("fc-list", f":lang={tag}", "family"))
    preferred = sorted(families("fc-match", "--sort", f"sans-serif:lang={tag}", "--format=%{family}\n"),
                       key=lambda name: not name.startswith("Noto Sans"))
    return next((name for name in preferred if name.startswith("Noto ") and name in covering
                 and _covers(name, letters)), None)


def _covers(family: str, letters: str) -> bool:
    try:
        return not any(missing((family,), letters, weight) for weight in WEIGHTS)
    except InputError:  # fontconfig answers with another family for this name and weight
        return False


def subsets(family: str, text: str) -> tuple[Subset, ...]:
    """The family's regular and bold fonts, to be cut down to the characters of `text`, those
    their shaping may draw instead (Pango draws Thai ำ as ํ + า: its compatibility decomposition),
    and those CSS may draw."""
    chars = "".join(sorted(set(text) | set(unicodedata.normalize("NFKD", text)) | GENERATED))
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
    name would win over a rule that reused it. Leaflets list the subsets first, then the families."""
    return "".join(f'@font-face {{ font-family: "{s.font.family} subset"; font-weight: {s.font.weight}; '
                   f'src: url("{path.resolve().as_uri()}"); }}\n' for s, path in faces.items())
