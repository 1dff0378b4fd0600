"""Rendering shared by pages and leaflets: one Jinja2 environment for every language, with the
translated segments turned into safe HTML.

Translations are untrusted text. A segment's msgstr is parsed as Markdown inline markup with raw
HTML and images disabled, so it can carry emphasis and links and nothing else; markdown-it refuses
javascript:, vbscript:, file: and data: links. Everything else is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import functools
import gettext
import re

from babel.dates import format_date
from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateNotFound, TemplateSyntaxError, pass_context)
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup, escape

from .cache import digest
from .config import Project
from .errors import InputError
from .locales import Lang
from .source import Segment

LINK_SCHEMES = ("http", "https", "mailto", "tel")  # and paths within the site, which have none
_SCHEME = re.compile(r"\s*<?\s*([A-Za-z][A-Za-z0-9+.-]*):")


def safe_link(url: str) -> bool:
    """Whether a link may be published: web, mail, phone, or a path within the site."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme[1].lower() in LINK_SCHEMES


_inline = MarkdownIt("commonmark", {"html": False}).disable("image")
_inline.validateLink = safe_link  # markdown-it's own would let data:image/… links through
# A range or a measure ("30–150 nm", "2025–2026") must not break across lines: a reader could take
# "30–" and "150 nm" for two things.
_NUMBER = r"\d+(?:[.,]\d+)*"
_UNIT = r"(?:nm|µm|mm|cm|kg|mg|mL|ml|%)"
_UNBREAKABLE = re.compile(rf"{_NUMBER}\s?[–-]\s?{_NUMBER}(?:\s?{_UNIT})?|{_NUMBER}\s?{_UNIT}")


def _text(renderer, tokens, index, options, env) -> str:
    return _UNBREAKABLE.sub(r'<span class="nobr">\g<0></span>', escapeHtml(tokens[index].content))


_inline.add_render_rule("text", _text)


# Each text is rendered for a page and a leaflet, and a disclaimer or heading in every document.
@functools.lru_cache(maxsize=4096)
def _html(text: str) -> Markup:
    return Markup(_inline.renderInline(text))


@functools.lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    tokens = _inline.parseInline(text)[0].children or []
    return "".join(t.content if t.type in ("text", "code_inline") else " " if "break" in t.type else ""
                   for t in tokens)


class Localizer:
    """A language's translations, as the templates use them: of the templates' own strings, and of
    the document being rendered (none where it is written in this language)."""

    def __init__(self, lang: Lang, interface: gettext.NullTranslations,
                 document: gettext.NullTranslations | None = None):
        self.lang = lang
        self.interface = interface
        self.document = document or gettext.NullTranslations()

    def for_document(self, document: gettext.NullTranslations) -> Localizer:
        return Localizer(self.lang, self.interface, document)

    def text(self, segment: Segment) -> str:
        if segment.context:
            return self.document.pgettext(segment.context, segment.text)
        return self.document.gettext(segment.text)

    def html(self, segment: Segment) -> Markup:
        return _html(self.text(segment))

    def plain(self, segment: Segment) -> str:
        """The words alone, for <title>, meta tags, PDF metadata and running footers."""
        return _plain(self.text(segment))

    def date(self, value) -> str:
        return format_date(value, "long", locale=self.lang.locale)

    def context(self) -> dict:
        """What a template rendered in this language gets: jinja2.ext.i18n's newstyle gettext
        functions (found in the context, so one environment serves every language), and this."""
        t = self.interface
        return {
            "localizer": self,
            # Jinja2 would mark a translation as safe HTML; it is untrusted, so it is escaped, and
            # the variables with it (Markup's % escapes them).
            "gettext": pass_context(lambda _, m, **v: _format(t.gettext(m), m, v)),
            "pgettext": pass_context(lambda _, c, m, **v: _format(t.pgettext(c, m), m, v)),
            "ngettext": pass_context(lambda _, s, p, n, **v: _format(t.ngettext(s, p, n), s if n == 1 else p,
                                                                     {"num": n, **v})),
            "npgettext": pass_context(lambda _, c, s, p, n, **v: _format(t.npgettext(c, s, p, n),
                                                                         s if n == 1 else p, {"num": n, **v})),
        }


def _format(translated: str, source: str, variables: dict) -> Markup:
    """A translated template string, escaped, with its variables filled in. Only strings with
    variables are formatted, so "100%" needs no "%%"; a translation whose placeholders do not fit
    (msgfmt -c refuses it, but a draft may still show it) falls back to the source text."""
    if not variables:
        return escape(translated)
    try:
        return escape(translated) % variables
    except (KeyError, ValueError, TypeError):
        return escape(source) % variables


def compiled_templates(project: Project, kind: str) -> FileSystemBytecodeCache:
    """Templates compiled by an earlier run, used while their source is unchanged: compiling them
    is a third of a build with nothing to render. A folder per kind of environment, as each
    compiles the same file differently."""
    folder = project.cache_dir / "templates" / kind
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def environment(project: Project) -> Environment:
    """The templates, compiled once per build for every language: the language comes with the
    context (`Localizer.context()`), through these filters."""
    env = Environment(
        loader=FileSystemLoader(project.templates_dir),
        bytecode_cache=compiled_templates(project, "pages"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_null_translations(newstyle=True)  # replaced by each render's context
    env.globals["language_name"] = project.language_name
    env.filters.update(
        t=pass_context(lambda context, segment: context["localizer"].html(segment)),
        plain=pass_context(lambda context, value: context["localizer"].plain(value)
                           if isinstance(value, Segment) else str(value)),
        date=pass_context(lambda context, value: context["localizer"].date(value)),
        css_string=css_string,
        css_counters=css_counters,
    )
    return env


def templates_digest(project: Project) -> bytes:
    """A hash of every file of templates/, by name and content: what is rendered from one template
    may include, extend or import others."""
    folder = project.templates_dir
    return digest(*(f"{path.relative_to(folder)}".encode() + b"\0" + path.read_bytes()
                    for path in sorted(p for p in folder.rglob("*") if p.is_file())))


def render_template(env: Environment, name: str, localizer: Localizer | None = None, **context) -> str:
    """Render a template (in the localizer's language); a missing or broken template is bad input,
    named by file and line."""
    folder = env.loader.searchpath[0]
    try:
        return env.get_template(name).render(**(localizer.context() if localizer else {}), **context)
    except TemplateNotFound as err:
        raise InputError(f"{folder}/{err.name}", None, "template not found") from None
    except TemplateSyntaxError as err:
        raise InputError(f"{folder}/{err.name or name}", err.lineno, f"template error: {err.message}") from None
    except TemplateError as err:
        raise InputError(f"{folder}/{name}", None, f"template error: {err.message}") from None


def css_string(text: str) -> Markup:
    """Text made safe inside a double-quoted CSS string in a <style> element (translations are
    untrusted): quotes, backslashes and angle brackets become CSS escapes, so HTML escaping is moot."""
    return Markup("".join(c if c.isprintable() and c not in '"\\<>&' else f"\\{ord(c):06x}" for c in str(text)))


def css_counters(text: str) -> Markup:
    """A translated "Page [[page]] of [[pages]]" as a CSS `content` value with live page counters."""
    parts = re.split(r"\[\[(page|pages)\]\]", str(text))
    value = " ".join(f"counter({p})" if i % 2 else f'"{css_string(p)}"' for i, p in enumerate(parts) if p)
    return Markup(value)
