"""The one locale model: gettext folder name ↔ BCP 47 tag ↔ URL segment, with CLDR data from Babel."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale

from .errors import InputError

# Scripts written with Han characters (ISO 15924): Chinese, Japanese, and Korean's hanja.
HAN_SCRIPTS = {"Hani", "Hans", "Hant", "Jpan", "Kore"}
# A Han character, as a regular expression: the CJK unified ideographs, extension A, and the
# compatibility ideographs.
HAN = "[\u3400-\u9fff\uf900-\ufaff]"


@dataclass(frozen=True)
class Lang:
    code: str  # gettext's folder name: zh_TW
    locale: Locale  # CLDR data; its script is filled in from likely subtags (zh_TW → Hant)

    @property
    def bcp47(self) -> str:
        """The tag for <html lang>, hreflang and the PDF's /Lang: zh-TW."""
        return self.code.replace("_", "-")

    @property
    def url(self) -> str:
        """The path segment of this language's pages: zh-tw."""
        return self.bcp47.lower()

    @property
    def label(self) -> str:
        """The language's name in itself, as a reader looks for it in a language switcher: 繁體中文."""
        loc = self.locale
        names = loc.languages
        for key in (str(loc), f"{loc.language}_{loc.script}", loc.language):
            if key in names:
                return names[key]
        return loc.get_display_name() or self.code

    @functools.cached_property  # asked of every message the checks read
    def script(self) -> str:
        """The ISO 15924 script the language is written in, from CLDR's likely subtags: vi → Latn."""
        if self.locale.script:
            return self.locale.script
        likely = get_global("likely_subtags")
        for key in (f"{self.locale.language}_{self.locale.territory}", self.locale.language):
            if key in likely:
                return parse_locale(likely[key])[2] or ""
        return ""

    @property
    def writes_han(self) -> bool:
        """Written with Han characters, and with their full-width punctuation."""
        return self.script in HAN_SCRIPTS


def words(text: str) -> list[str]:
    """Thai text cut into words, with spaces and everything else kept (Thai writes no spaces
    between words): PyThaiNLP's dictionary segmenter (newmm), which ships its dictionary."""
    from pythainlp.tokenize import word_tokenize  # 0.4 s: imported only for Thai text

    return word_tokenize(text, engine="newmm", keep_whitespace=True)


def parse_lang(code: str, path: Path | str, line: int | None = None) -> Lang:
    """A gettext locale name: zh_TW, ja, sr_Latn."""
    try:
        parts = parse_locale(code)
        if len(parts) > 4 and parts[4]:
            raise InputError(path, line, f"locale {code!r}: @modifiers are not supported", "use a script subtag such as sr_Latn")
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise InputError(path, line, f"unknown locale {code!r}", "use a gettext locale name such as zh_TW or ja") from None
    return Lang(code=code, locale=locale)


def parse_tag(tag: str, path: Path | str, line: int | None = None) -> Lang:
    """A BCP 47 language tag, as documents declare their language: zh-TW, en, sr-Latn. The same
    language as its gettext name: zh-TW is zh_TW."""
    subtags = tag.split("-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?", tag):
        raise InputError(path, line, f"{tag!r} is not a BCP 47 language tag", "write it as zh-TW, en or vi")
    language = subtags[0].lower()
    script = next((s.title() for s in subtags[1:] if len(s) == 4), None)
    region = next((s.upper() for s in subtags[1:] if len(s) != 4), None)
    try:
        lang = parse_lang("_".join(filter(None, [language, script, region])), path, line)
        # A script the language and region are written in anyway is no other language: zh-Hant-TW is zh_TW.
        if script and (plain := parse_lang("_".join(filter(None, [language, region])), path, line)).script == script:
            return plain
        return lang
    except InputError:
        raise InputError(path, line, f"unknown language {tag!r}", "write it as zh-TW, en or vi") from None
