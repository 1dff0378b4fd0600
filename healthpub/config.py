"""The project: where its files live and what `site.toml` says about the publisher."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .locales import Lang, parse_lang

CONFIG_NAME = "site.toml"
# Catalog domains: the templates' strings, and one domain per language documents are written in
# ("documents-zh_TW"), because a catalog has one source language (as Weblate and Poedit expect).
INTERFACE = "interface"
DOCUMENTS = "documents-"


@dataclass(frozen=True)
class Project:
    root: Path
    site_url: str
    publisher: str
    source_lang: Lang  # what documents are written in unless their front matter says `lang:`
    templates_lang: Lang  # what the templates' strings are written in
    # The publisher's name per language code, where its readers know it by another name.
    publisher_names: dict[str, str] = field(default_factory=dict)
    # Plain language: a longer sentence is pointed out (a warning), in words, or in Chinese characters.
    max_sentence_words: int = 25
    max_sentence_chars: int = 45
    # Topics: key → (name in the templates' language, its line in site.toml); names are translated.
    topics: dict[str, tuple[str, int]] = field(default_factory=dict)
    # Leaflet font families per language code ("" is the default), first to last, checked before rendering.
    fonts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The language each language's bilingual edition is printed beside, by locale code (the
    # document's own language where none is named): clinic staff in Taiwan read Chinese.
    partners: dict[str, Lang] = field(default_factory=dict)
    # A language's name in itself, by locale code, where readers look for another than CLDR's.
    language_names: dict[str, str] = field(default_factory=dict)
    # Plain-language limits of a language, by locale code, where they differ from the site's.
    sentence_limits: dict[str, dict[str, int]] = field(default_factory=dict)

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

    def pot_path(self, domain: str) -> Path:
        return self.locales_dir / f"{domain}.pot"

    @property
    def linguas_path(self) -> Path:
        return self.locales_dir / "LINGUAS"

    @property
    def glossary_path(self) -> Path:
        return self.locales_dir / "glossary.csv"

    def po_path(self, code: str, domain: str) -> Path:
        return self.locales_dir / code / "LC_MESSAGES" / f"{domain}.po"

    def domain(self, written_in: Lang | None = None) -> str:
        """The domain of documents written in a language; of the templates' strings without one."""
        return INTERFACE if written_in is None else DOCUMENTS + written_in.code

    def written_in(self, domain: str) -> Lang:
        """The language a domain's messages are written in: its source language."""
        if domain == INTERFACE:
            return self.templates_lang
        if not domain.startswith(DOCUMENTS):
            raise InputError(self.pot_path(domain), None, f"unknown catalog domain {domain!r}",
                             f"catalogs are {INTERFACE} and {DOCUMENTS}<locale>; remove the file")
        return parse_lang(domain.removeprefix(DOCUMENTS), self.pot_path(domain))

    def domains(self) -> list[str]:
        """The domains extracted into locales/*.pot."""
        return sorted(path.stem for path in self.locales_dir.glob("*.pot"))

    def domains_for(self, lang: Lang, domains: list[str]) -> list[str]:
        """Of these domains, those a language translates: all but those written in it."""
        return [domain for domain in domains if self.written_in(domain) != lang]

    def documents(self) -> list[Path]:
        """Every document: one Markdown file in source/, its stem the slug."""
        return sorted(self.source_dir.glob("*.md"))

    def catalog_langs(self) -> list[Lang]:
        """Every locale with a catalog, published or not."""
        found = sorted({p.parent.parent.name for p in self.locales_dir.glob("*/LC_MESSAGES/*.po")})
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
                if lang not in self.catalog_langs():
                    raise InputError(path, number, f"{code} is listed but {self.locales_dir / code} has no catalogs",
                                     f"run: pipeline.py init {code}")
                langs.append(lang)
        return langs

    def publisher_name(self, lang: Lang) -> str:
        """What pages and leaflets in this language call the publisher: a clinic in Taiwan has a
        Chinese name, which its Chinese leaflets print."""
        return self.publisher_names.get(lang.code, self.publisher)

    def partner(self, lang: Lang, doc_lang: Lang) -> Lang:
        """The language printed beside `lang` in a bilingual edition of a document written in `doc_lang`."""
        return self.partners.get(lang.code, doc_lang)

    def language_name(self, lang: Lang) -> str:
        """What a language switcher calls a language: its name in itself."""
        return self.language_names.get(lang.code, lang.label)

    def sentence_limit(self, lang: Lang, unit: str) -> int:
        """The longest plain sentence in a language: `max_sentence_words` or `max_sentence_chars`."""
        return self.sentence_limits.get(lang.code, {}).get(unit, getattr(self, unit))

    def font_families(self, lang: Lang) -> tuple[str, ...]:
        return self.fonts.get(lang.locale.language, self.fonts.get("", ("Noto Sans CJK TC",)))


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

    unknown = set(data) - {"site_url", "publisher", "publisher_names", "source_locale", "templates_locale", "fonts",
                           "plain_language", "topics", "bilingual_partners", "language_names"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(path, _line_of(path, key), f"unknown setting '{key}'")
    site_url = text("site_url")
    if not re.match(r"https?://[^/\s]+(/\S*)?$", site_url):
        raise InputError(path, _line_of(path, "site_url"), f"site_url must be an absolute http(s) URL, not {site_url!r}")
    fonts = data.get("fonts", {})
    fonts = {k: [v] if isinstance(v, str) else v for k, v in fonts.items()} if isinstance(fonts, dict) else None
    if fonts is None or not all(isinstance(v, list) and v and all(isinstance(f, str) and f.strip() for f in v)
                                for v in fonts.values()):
        raise InputError(path, _line_of(path, "fonts"),
                         "[fonts] maps a language code to a font family, or a list of them (first to last)")
    plain = data.get("plain_language", {})
    plain = plain if isinstance(plain, dict) else {"": plain}  # not a table: refused below
    limits = {key: plain.get(key, default) for key, default in (("max_sentence_words", 25), ("max_sentence_chars", 45))}
    # A language's own limits, as a table of its code: [plain_language.th].
    per_lang = {code: value for code, value in plain.items() if code not in limits}

    def whole(values) -> bool:
        return all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values)
    if not whole(limits.values()) or not all(isinstance(v, dict) and v and set(v) <= set(limits) and whole(v.values())
                                             for v in per_lang.values()):
        raise InputError(path, _line_of(path, "plain_language"),
                         "[plain_language] has max_sentence_words and max_sentence_chars, whole numbers, and may "
                         "set them for one language in a table of its own, such as [plain_language.th]")
    for code in per_lang:
        parse_lang(code, path, _line_of(path, f"[plain_language.{code}]"))
    topics = data.get("topics", {})
    if not isinstance(topics, dict) or not all(isinstance(v, str) and v.strip() for v in topics.values()):
        raise InputError(path, _line_of(path, "topics"), "[topics] maps a topic's key to its name, such as "
                         'hand-hygiene = "Hand hygiene"')
    for key in topics:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key):
            raise InputError(path, _line_of(path, key), f"topic key {key!r} must be lower-case words joined by hyphens",
                             "it is the topic page's file name")

    def locale_table(key: str, meaning: str) -> dict[str, str]:
        """A table of site.toml from locale codes to non-empty text, each code checked."""
        table = data.get(key, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
            raise InputError(path, _line_of(path, key), f"[{key}] maps a locale code to {meaning}")
        for code in table:
            parse_lang(code, path, _line_of(path, code, key))
        return {code: value.strip() for code, value in table.items()}
    names = locale_table("publisher_names", "the publisher's name in it")
    partners = locale_table("bilingual_partners", 'the one its bilingual edition is printed beside, such as vi = "zh_TW"')
    language_names = locale_table("language_names", 'its name in itself, such as id = "Bahasa Indonesia"')
    return Project(
        root=root,
        site_url=site_url.rstrip("/") + "/",
        publisher=text("publisher"),
        publisher_names=names,
        source_lang=parse_lang(text("source_locale", "en"), path, _line_of(path, "source_locale")),
        templates_lang=parse_lang(text("templates_locale", "en"), path, _line_of(path, "templates_locale")),
        fonts={("" if k == "default" else k): tuple(f.strip() for f in v) for k, v in fonts.items()},
        topics={key: (" ".join(name.split()), _line_of(path, key) or 0) for key, name in topics.items()},
        partners={code: parse_lang(value, path, _line_of(path, code, "bilingual_partners"))
                  for code, value in partners.items()},
        language_names=language_names,
        sentence_limits=per_lang,
        **limits,
    )


def _line_of(path: Path, key: str, table: str | None = None) -> int | None:
    """The line of a key (or a table) in site.toml; with `table`, of the key in that table."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = (_line_of(path, f"[{table}]") or 0) if table else 0
    for number, line in enumerate(lines[start:], start + 1):
        if re.match(rf"\s*\[?{re.escape(key)}\b", line) or (key.startswith("[") and line.strip() == key):
            return number
    return None
