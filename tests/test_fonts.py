"""A language's script is checked against its leaflet font as soon as the language is known: real
fontconfig, the real Noto fonts (fonts-noto-cjk, fonts-noto-core) and Babel's CLDR data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale

from healthpub import fonts
from healthpub.errors import InputError
from healthpub.locales import parse_lang

VIETNAMESE = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹơưđ"


def test_thai_with_a_cjk_font_is_refused_naming_a_font_that_has_it():
    with pytest.raises(InputError) as raised:
        fonts.require_script(parse_lang("th", "test"), ("Noto Sans CJK TC",))
    err = raised.value
    assert err.path == Path("site.toml") and err.line is None
    assert err.message.startswith("font 'Noto Sans CJK TC' has no glyphs for Thai (ไทย): ")
    assert "ก" in err.message
    assert "fonts-noto-core" in err.hint
    family = re.search(r'set th = \["([^"]+)", "Noto Sans CJK TC"\] in site.toml \[fonts\]', err.hint)[1]
    assert family.startswith("Noto Sans")
    for weight in fonts.WEIGHTS:
        assert fonts.find(family, weight).family == family
    fonts.require_script(parse_lang("th", "test"), (family, "Noto Sans CJK TC"))


@pytest.mark.parametrize("code, family", [
    ("th", "Noto Sans Thai"),
    ("vi", "Noto Sans"),
    ("zh_TW", "Noto Sans CJK TC"),
    ("en", "Noto Sans CJK TC"),
    ("id", "Noto Sans"),
    ("fil", "Noto Sans"),
])
def test_a_font_with_the_languages_letters_passes(code, family):
    fonts.require_script(parse_lang(code, "test"), (family,))


def test_vietnamese_passes_with_the_cjk_font_which_has_its_letters():
    # Noto Sans CJK has every precomposed Vietnamese letter in both weights (it lacks only the
    # combining tilde, hook and dot below, which is why fontconfig does not list it for vi).
    for weight in fonts.WEIGHTS:
        assert fonts.missing(("Noto Sans CJK TC",), VIETNAMESE + VIETNAMESE.upper(), weight) == []
    fonts.require_script(parse_lang("vi", "test"), ("Noto Sans CJK TC",))


def test_chinese_with_a_latin_font_is_refused_naming_the_cjk_package():
    with pytest.raises(InputError) as raised:
        fonts.require_script(parse_lang("zh_TW", "test"), ("Noto Sans",))
    assert "has no glyphs for Chinese (中文)" in raised.value.message
    assert "fonts-noto-cjk" in raised.value.hint and 'set zh = ["Noto Sans CJK TC", "Noto Sans"]' in raised.value.hint


def test_the_order_languages_are_checked_in_does_not_matter():
    # Babel resolves inherited stand-alone month names into data all locales share: after zh_TW,
    # Thai's and Indonesian's read "1月" (python-babel/babel#1234).
    fonts._refusal.cache_clear()
    fonts.require_script(parse_lang("zh_TW", "test"), ("Noto Sans CJK TC",))
    Locale.parse("zh_TW").months["stand-alone"]["wide"][1]
    fonts.require_script(parse_lang("th", "test"), ("Noto Sans Thai",))
    fonts.require_script(parse_lang("id", "test"), ("Noto Sans",))


def test_an_answer_is_cached_per_language_and_font():
    locale = parse_lang("th", "test")
    for _ in range(2):
        with pytest.raises(InputError):
            fonts.require_script(locale, ("Noto Sans CJK TC",))
    hits = fonts._refusal.cache_info().hits
    with pytest.raises(InputError):
        fonts.require_script(parse_lang("th", "test"), ("Noto Sans CJK TC",))
    assert fonts._refusal.cache_info().hits == hits + 1


def test_a_stack_covers_what_its_first_font_lacks():
    # Noto Sans Thai has no Latin letters nor digits: a Thai leaflet's URLs need the font after it.
    assert fonts.missing(("Noto Sans Thai",), "ไทย FDA 2019") == ["0", "1", "2", "9", "A", "D", "F"]
    assert fonts.missing(("Noto Sans Thai", "Noto Sans CJK TC"), "ไทย FDA 2019 外泌體") == []


def test_a_font_that_is_not_installed_is_refused():
    with pytest.raises(InputError, match="'No Such Font' is not installed"):
        fonts.require_script(parse_lang("th", "test"), ("No Such Font",))
