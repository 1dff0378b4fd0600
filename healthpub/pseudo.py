"""The pseudo-locale: every message of every catalog, pseudo-translated, built into output/pseudo/.

Like Android's en-XA or Windows' qps-ploc, a pseudo-translation keeps the text readable but marks
it: letters accented (translate-toolkit's podebug, placeholders and links kept), about 35 % longer,
and bracketed. A page built from it shows at a glance any text that did not come through gettext,
and any layout that breaks with longer text; its leaflets show which would outgrow their page
budget. It is a language of its own (en-XA), neither a document's language nor a published one,
so it also shows what assumes a particular language. output/site/ is never touched.
"""

from __future__ import annotations

import dataclasses
import math

import polib
from babel import Locale
from translate.tools.podebug import podebug

from . import publish
from .config import Project
from .locales import Lang
from .state import State

# Letters with accents that the default leaflet font (Noto Sans CJK) has in both weights: podebug's
# own set (ȧƀƈḓ…) is mostly missing from it, and a leaflet with a character its font lacks is refused.
_ACCENTED = dict(zip("ACEIMNOUYaceimnouy", "ÅÇÉÎḾÑÖÛÝåçéîḿñöûý"))
PSEUDO = Lang(code="en_XA", locale=Locale.parse("en"))  # en-XA: a private-use region, as Android's
EXPANSION = 0.35


class _Accents(podebug):
    REWRITE_UNICODE_MAP = "".join(_ACCENTED.get(chr(c), chr(c)) for c in range(65, 123))


_podebug = _Accents(rewritestyle="unicode", preserveplaceholders=True)


def pseudo_translate(text: str) -> str:
    """[Påddéd åççéñtéd téxt ·····]: placeholders such as %(date)s and link targets stay as they are."""
    padding = "·" * math.ceil(EXPANSION * len(text))
    return f"[{_podebug.rewrite_unicode(text)} {padding}]"


def pseudo_state(state: State) -> State:
    """The build state with the pseudo-locale as its only language, translating every domain."""
    pseudo = State(state.documents, state.templates, langs=[PSEUDO], published=[PSEUDO])
    for domain, template in state.templates.items():
        catalog = polib.POFile()
        catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
        for message in template:
            if isinstance(message.id, tuple):
                forms = {i: pseudo_translate(text) for i, text in enumerate(message.id)}
                catalog.append(polib.POEntry(msgctxt=message.context, msgid=message.id[0], msgid_plural=message.id[1],
                                             msgstr_plural=forms))
            elif message.id:
                catalog.append(polib.POEntry(msgctxt=message.context, msgid=message.id,
                                             msgstr=pseudo_translate(message.id)))
        pseudo.compiled[(PSEUDO.code, domain)] = catalog.to_binary()
    return pseudo


def build(project: Project, state: State) -> publish.Result:
    """Pages and leaflets in the pseudo-locale, into output/pseudo/; leaflets over their page budget
    are listed in the result, not refused. The publisher's name, which site.toml gives per language,
    is pseudo-translated too."""
    names = {**project.publisher_names, PSEUDO.code: pseudo_translate(project.publisher)}
    return publish.build(dataclasses.replace(project, publisher_names=names), pseudo_state(state),
                         into=project.output_dir / "pseudo", allow_over_budget=True, report=False)
