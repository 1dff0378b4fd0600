"""The project: where its files live and what `site.toml` says about the publisher."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .locales import Lang, parse_lang

CONFIG_NAME = "site.toml"


@dataclass(frozen=True)
class Project:
    root: Path
    site_url: str
    publisher: str
    source_lang: Lang
    # The publisher's name per language code, where its readers know it by another name.
    publisher_names: dict[str, str] = field(default_factory=dict)
    # CSS font family per language code ("" is the default), checked before rendering.
    fonts: dict[str, str] = field(default_factory=dict)

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def cache_dir(self) -> Path:
        """Rendered PDFs and compiled templates, keyed by what they are made of; safe to delete."""
        return self.root / ".cache"

    @property
    def pot_path(self) -> Path:
        return self.locales_dir / "messages.pot"

    @property
    def linguas_path(self) -> Path:
        return self.locales_dir / "LINGUAS"

    @property
    def glossary_path(self) -> Path:
        return self.locales_dir / "glossary.csv"

    def po_path(self, code: str) -> Path:
        return self.locales_dir / code / "LC_MESSAGES" / "messages.po"

    def documents(self) -> list[Path]:
        """Every document: one Markdown file in source/, its stem the slug."""
        return sorted(self.source_dir.glob("*.md"))

    def catalog_langs(self) -> list[Lang]:
        """Every locale with a catalog, published or not."""
        found = sorted(p.parent.parent.name for p in self.locales_dir.glob("*/LC_MESSAGES/messages.po"))
        return [parse_lang(code, self.locales_dir / code) for code in found]

    def published_langs(self) -> list[Lang]:
        """The translations to publish, listed one per line in locales/LINGUAS (gettext's convention)."""
        path = self.linguas_path
        if not path.exists():
            return []
        langs = []
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for code in raw.split("#", 1)[0].split():
                lang = parse_lang(code, path, number)
                if not self.po_path(code).exists():
                    raise InputError(path, number, f"{code} is listed but {self.po_path(code)} does not exist",
                                     f"run: pipeline.py init {code}")
                langs.append(lang)
        return langs

    def publisher_name(self, lang: Lang) -> str:
        """What pages and leaflets in this language call the publisher: a clinic in Taiwan has a
        Chinese name, which its Chinese leaflets print."""
        return self.publisher_names.get(lang.code, self.publisher)

    def font_family(self, lang: Lang) -> str:
        return self.fonts.get(lang.locale.language, self.fonts.get("", "Noto Sans CJK TC"))


def load_project(root: Path) -> Project:
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, "no site configuration",
                         "run the pipeline from the project's root folder") from None
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"\(at line (\d+)", str(err))
        raise InputError(path, int(match[1]) if match else None, f"not valid TOML: {err}") from None

    def text(key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise InputError(path, _line_of(path, key), f"'{key}' must be a non-empty string")
        return value.strip()

    unknown = set(data) - {"site_url", "publisher", "publisher_names", "source_locale", "fonts"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(path, _line_of(path, key), f"unknown setting '{key}'")
    site_url = text("site_url")
    if not re.match(r"https?://[^/\s]+(/\S*)?$", site_url):
        raise InputError(path, _line_of(path, "site_url"), f"site_url must be an absolute http(s) URL, not {site_url!r}")
    fonts = data.get("fonts", {})
    if not isinstance(fonts, dict) or not all(isinstance(v, str) for v in fonts.values()):
        raise InputError(path, _line_of(path, "fonts"), "[fonts] maps a language code to a font family name")
    names = data.get("publisher_names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) and v.strip() for v in names.values()):
        raise InputError(path, _line_of(path, "publisher_names"),
                         "[publisher_names] maps a locale code to the publisher's name in it")
    for code in names:
        parse_lang(code, path, _line_of(path, code))
    return Project(
        root=root,
        site_url=site_url.rstrip("/") + "/",
        publisher=text("publisher"),
        publisher_names={code: name.strip() for code, name in names.items()},
        source_lang=parse_lang(text("source_locale", "en"), path, _line_of(path, "source_locale")),
        fonts={("" if k == "default" else k): v for k, v in fonts.items()},
    )


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.match(rf"\s*\[?{re.escape(key)}\b", line):
            return number
    return None
