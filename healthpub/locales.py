"""The one locale model: gettext folder name ↔ BCP 47 tag ↔ URL segment, with CLDR data from Babel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import parse_locale

from .errors import InputError


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

    @property
    def is_hant(self) -> bool:
        """Written in Traditional Chinese characters."""
        return self.locale.language == "zh" and self.locale.script == "Hant"


def parse_lang(code: str, path: Path | str, line: int | None = None) -> Lang:
    try:
        parts = parse_locale(code)
        if len(parts) > 4 and parts[4]:
            raise InputError(path, line, f"locale {code!r}: @modifiers are not supported", "use a script subtag such as sr_Latn")
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise InputError(path, line, f"unknown locale {code!r}", "use a gettext locale name such as zh_TW or ja") from None
    return Lang(code=code, locale=locale)
