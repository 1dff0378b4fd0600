"""Rendering shared by pages and leaflets: a Jinja2 environment per language, with the translated
segments turned into safe HTML.

Translations are untrusted text. A segment's msgstr is parsed as Markdown inline markup with raw
HTML and images disabled, so it can carry emphasis and links and nothing else; markdown-it refuses
javascript:, vbscript:, file: and data: links. Everything else is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import gettext
import re

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .config import Project
from .errors import InputError
from .locales import Lang
from .source import Segment

_inline = MarkdownIt("commonmark", {"html": False}).disable("image")


class Localizer:
    """Looks a segment up in a language's translations."""

    def __init__(self, translations: gettext.NullTranslations):
        self.translations = translations

    def text(self, segment: Segment) -> str:
        if segment.context:
            return self.translations.pgettext(segment.context, segment.text)
        return self.translations.gettext(segment.text)

    def html(self, segment: Segment) -> Markup:
        return Markup(_inline.renderInline(self.text(segment)))

    def plain(self, segment: Segment) -> str:
        """The words alone, for <title>, meta tags, PDF metadata and running footers."""
        tokens = _inline.parseInline(self.text(segment))[0].children or []
        return "".join(t.content if t.type in ("text", "code_inline") else " " if "break" in t.type else ""
                       for t in tokens)


def environment(project: Project, lang: Lang, translations: gettext.NullTranslations) -> Environment:
    env = Environment(
        loader=FileSystemLoader(project.templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    # Jinja2 marks what gettext returns as safe HTML; a translation is untrusted, so escape it first.
    env.install_gettext_callables(
        gettext=_escaped(translations.gettext), ngettext=_escaped(translations.ngettext),
        pgettext=_escaped(translations.pgettext), npgettext=_escaped(translations.npgettext), newstyle=True)
    localizer = Localizer(translations)
    env.filters.update(
        t=localizer.html,
        plain=lambda value: localizer.plain(value) if isinstance(value, Segment) else str(value),
        date=lambda value: format_date(value, "long", locale=lang.locale),
        css_string=css_string,
        css_counters=css_counters,
    )
    return env


def _escaped(lookup):
    return lambda *args: escape(lookup(*args))


def render_template(env: Environment, name: str, **context) -> str:
    """Render a template; a missing or broken one is bad input, named by file and line."""
    folder = env.loader.searchpath[0]
    try:
        return env.get_template(name).render(**context)
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
