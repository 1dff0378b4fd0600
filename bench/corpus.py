"""A generated site for `bench.py --site N`: variants of the sample documents, each with its own
wording in every segment, and their approved translations.

Copies of one document share their messages, so a site of copies hides how the catalogs grow. A
variant here is one of the samples in source/ (one per language a document is written in) with a
numbered phrase of its own woven into every translatable segment — a consulting room of the clinic,
numbered as Taiwan's clinics number them: "(Room 142)" in English, "（第142診）" in Chinese — and
one of a few titles. Its translation is the sample's approved translation of the same segment with
the same phrase in the target language, so numbers, key-fact tokens, markup and glossary terms
survive as the QA checks want. Source publishers are names, not sentences: they stay as the
sample has them, shared by every variant, as real leaflets citing the same agencies share them.

A variant is not longer than its sample: FAQ questions are dropped, a different few in each
variant, until its text, estimated in lines, is no longer than the sample's in every language,
so that each leaflet keeps to its page budget.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polib
import yaml

from healthpub import catalogs, config, source
from healthpub.locales import Lang

PROJECT_FILES = ("source", "locales", "templates", "site.toml", "babel.cfg")

# The numbered phrase, by whether the text is written in Han characters; rotated over a document's segments.
PHRASES = {
    False: ("(Room {n})", "(see Room {n})", "(ask at Room {n})"),
    True: ("（第{n}診）", "（見第{n}診）", "（洽第{n}診）"),
}
# The one-document edit, then the same sentence saved again in the preview.
EDITED = {False: "(Room {n}, revised)", True: "（第{n}診，已修訂）"}
RESAVED = {False: "(Room {n}, revised again)", True: "（第{n}診，再次修訂）"}
SAMPLE_ROOM = 100  # the edit's room on a site of the samples alone: no variant's (they start at 101)

# More titles per sample, (in its own language, in the other): a variant takes the sample's or one of these.
TITLES = {
    "exosome-therapy": [
        ("Exosome Therapy for Anti-Aging and Beauty: Does It Work? Is It Legal in Taiwan?",
         "外泌體療法用於抗老與美容：有效嗎？在臺灣合法嗎？"),
        ("Exosomes for Anti-Aging and Beauty: The Evidence and Taiwan's Rules",
         "外泌體用於抗老與美容：實證與臺灣法規"),
        ("Exosome Treatments: What the Evidence and the Law in Taiwan Say",
         "外泌體治療：實證與臺灣法規怎麼說"),
    ],
    "hand-washing": [
        ("勤洗手，保護全家：正確洗手五步驟與洗手時機",
         "Wash Your Hands Often to Protect Your Family: Five Steps and When to Wash"),
        ("肥皂洗手還是乾洗手液？正確洗手的方法與時機",
         "Soap or Hand Sanitizer? How and When to Wash Your Hands"),
        ("預防腸病毒與諾羅病毒，從正確洗手開始",
         "Preventing Enterovirus and Norovirus Starts with Washing Your Hands Properly"),
    ],
}

LINE_WIDTH = 50  # display columns of a leaflet line, to estimate a text's length in lines (CJK counts 2)
LARGE_PRINT_BUDGET = 8
_TRAILING = re.compile(r"[.?!:;。？！：；]*$")
_FRONT = re.compile(r"---\n(.*?\n)---[ \t]*\n", re.S)

Key = tuple  # (msgctxt, msgid)


@dataclass
class Sample:
    path: Path
    doc: source.Document
    front: dict  # the front matter as YAML data: fields the generator does not know are kept as they are
    code_prefix: str
    targets: list[Lang]
    translations: dict[str, dict[Key, polib.POEntry]]  # by target locale: the approved entries
    po_paths: dict[str, Path]  # by target locale: the catalog its translations are in


@dataclass
class Site:
    documents: list[Path] = field(default_factory=list)
    # What each catalog (relative to the project's root) must say: key → (msgstr, translator comment).
    translations: dict[Path, dict[Key, tuple[str, str]]] = field(default_factory=dict)
    edit: dict | None = None  # one sentence of one document, and its translation, to change


def copy_project(repo: Path, root: Path, langs: list[str]) -> None:
    """The project's files, publishing the translations `langs` (gettext codes) alone: LINGUAS lists
    them (its comment lines kept), and the other languages' catalogs are left out, since update
    and check read every catalog, published or not."""
    for name in PROJECT_FILES:
        src = repo / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    linguas = root / "locales" / "LINGUAS"
    comments = [line for line in linguas.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    linguas.write_text("\n".join(comments + langs) + "\n", encoding="utf-8")
    for messages in (root / "locales").glob("*/LC_MESSAGES"):
        if messages.parent.name not in langs:
            shutil.rmtree(messages.parent)


def load_samples(root: Path) -> list[Sample]:
    """One sample per language documents are written in (the first document of each in source/),
    with its approved translation into every language the project at root publishes."""
    project = config.load_project(root)
    samples, langs = [], set()
    for path in project.documents():
        doc = source.load(path, project.source_lang)
        if doc.lang in langs:
            continue
        langs.add(doc.lang)
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(_FRONT.match(text)[1])
        targets = [lang for lang in project.published_langs() if lang != doc.lang]
        translations, po_paths = {}, {}
        for lang in targets:
            po_path = project.po_path(lang.code, project.domain(doc.lang))
            entries = {(e.msgctxt, e.msgid): e for e in catalogs.load(po_path)
                       if not e.obsolete and e.msgstr and not e.fuzzy}
            missing = [s.text for s in doc.segments() if (s.context, s.text) not in entries]
            if missing:
                raise SystemExit(f"{po_path}: the sample {path.name} is not fully approved: {missing[0]!r}")
            translations[lang.code] = entries
            po_paths[lang.code] = po_path
        code_prefix = (doc.code or "DOC-0").split("-")[0]
        samples.append(Sample(path, doc, front, code_prefix, targets, translations, po_paths))
    return samples


def generate(root: Path, count: int, first: int = 101) -> Site:
    """Write `count` variants into root/source/, alternating between the samples (so, with the two
    samples, half written in English and half in Chinese), numbered from `first`. The edit is of
    the first variant; with none, of the first sample itself."""
    samples = load_samples(root)
    site = Site()
    for i in range(count):
        sample = samples[i % len(samples)]
        path, translations, edit = _variant(sample, root, i, first + i, len(samples))
        site.documents.append(path)
        for po_path, entries in translations.items():
            site.translations.setdefault(po_path, {}).update(entries)
        if site.edit is None:
            site.edit = edit
    if site.edit is None:
        first_sample = samples[0]
        site.edit = _edit(first_sample, first_sample.path, {s: s.text for s in first_sample.doc.segments()},
                          SAMPLE_ROOM)
    return site


def _variant(sample: Sample, root: Path, i: int, n: int, period: int):
    doc, own_han = sample.doc, sample.doc.lang.writes_han
    round_ = i // period  # the how-many-th variant of this sample
    titles = [(doc.title.text, {lang.code: sample.translations[lang.code][(doc.title.context, doc.title.text)].msgstr
                                for lang in sample.targets})]
    titles += [(title, {lang.code: other for lang in sample.targets})
               for title, other in TITLES.get(doc.slug, [])]
    title, title_targets = titles[round_ % len(titles)]

    segments = [s for s in doc.segments() if s.kind != "source-publisher"]
    index = {s: (j + round_) % len(PHRASES[False]) for j, s in enumerate(segments)}

    def own(seg: source.Segment) -> str:
        if seg.kind == "source-publisher":
            return seg.text
        text = title if seg is doc.title else seg.text
        return weave(text, PHRASES[own_han][index[seg]].format(n=n), own_han)

    def translated(seg: source.Segment, lang: Lang) -> str:
        entry = sample.translations[lang.code][(seg.context, seg.text)]
        if seg.kind == "source-publisher":
            return entry.msgstr
        text = title_targets[lang.code] if seg is doc.title else entry.msgstr
        return weave(text, PHRASES[lang.writes_han][index[seg]].format(n=n), lang.writes_han)

    # Drop FAQ questions, from a different one in each variant, until no language's text is longer.
    questions = list(doc.faq.questions) if doc.faq else []
    dropped: set[int] = set()
    start = round_ % len(questions) if questions else 0

    def kept() -> list[source.Segment]:
        return [s for s in doc.segments()
                if not any(k in dropped and (s == q.question or s in _blocks(q.answer))
                           for k, q in enumerate(questions))]

    def fits() -> bool:
        segs = kept()
        if _lines(own(s) for s in segs) > _lines(s.text for s in doc.segments()):
            return False
        for lang in sample.targets:
            entries = sample.translations[lang.code]
            if _lines(translated(s, lang) for s in segs) > _lines(entries[(s.context, s.text)].msgstr
                                                                   for s in doc.segments()):
                return False
        return True

    for k in range(len(questions) - 1):
        if fits():
            break
        dropped.add((start + k) % len(questions))
    if not fits():
        raise SystemExit(f"a variant of {sample.path.name} cannot be made as short as the sample")

    new = {s: own(s) for s in kept()}
    slug = f"{doc.slug}-{n}"
    path = root / "source" / f"{slug}.md"
    front = _front_matter(sample, new, n, i)
    body = _body(doc, new, dropped)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")

    # The document must say exactly what was meant: parse it as the pipeline does.
    parsed = source.load(path, doc.lang)
    expected = {(s.context, new[s]) for s in new}
    got = {(s.context, s.text) for s in parsed.segments()}
    if got != expected:
        raise SystemExit(f"{path}: the generated document does not parse as meant: {sorted(got ^ expected)[:3]}")

    translations = {}
    for lang in sample.targets:
        entries = sample.translations[lang.code]
        translations[sample.po_paths[lang.code]] = {
            (s.context, new[s]): (translated(s, lang), entries[(s.context, s.text)].tcomment or "")
            for s in new}

    return path, translations, _edit(sample, path, new, n)


def _edit(sample: Sample, path: Path, texts: dict, n: int) -> dict:
    """The edit for the one-document rebuild of the document at path, made from the sample (`texts`:
    each kept segment's text in it): its first lead paragraph (else its first segment in the body)
    becomes the sample's with the EDITED phrase, and so does its translation; RESAVED is its next save."""
    doc, han = sample.doc, sample.doc.lang.writes_han
    seg = next((s for s in _blocks(doc.lead) if s.kind == "paragraph"), None) or next(
        s for s in texts if s.kind not in ("title", "description", "disclaimer", "fact"))
    entries = {lang: sample.translations[lang.code][(seg.context, seg.text)] for lang in sample.targets}
    return {"path": path, "lang": doc.lang, "old": texts[seg], "context": seg.context,
            "new": weave(seg.text, EDITED[han].format(n=n), han),
            "resaved": weave(seg.text, RESAVED[han].format(n=n), han),
            "translations": {sample.po_paths[lang.code]: weave(entry.msgstr, EDITED[lang.writes_han].format(n=n),
                                                                lang.writes_han)
                             for lang, entry in entries.items()},
            "tcomments": {sample.po_paths[lang.code]: entry.tcomment or "" for lang, entry in entries.items()}}


def weave(text: str, phrase: str, han: bool) -> str:
    """The phrase at the end of the text, before its closing punctuation: "… released by cells
    (Room 142)." or "……釋放的細胞外囊泡（第142診）。"."""
    cut = _TRAILING.search(text).start()
    return text[:cut] + ("" if han else " ") + phrase + text[cut:]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _lines(texts) -> int:
    return sum(math.ceil(_width(text) / LINE_WIDTH) for text in texts)


def _blocks(blocks) -> list[source.Segment]:
    return [s for b in blocks for s in (b.items if isinstance(b, source.BulletList) else (b,))]


def _front_matter(sample: Sample, new: dict, n: int, i: int) -> str:
    doc, front = sample.doc, dict(sample.front)
    front["title"] = new[doc.title]
    front["description"] = new[doc.description]
    front["disclaimer"] = new[doc.disclaimer]
    # Reviewed on different days, a year's review cycle as the sample's, never due within 30 days of 2026-11-29.
    cycle = doc.next_review - doc.last_reviewed
    last = doc.last_reviewed - dt.timedelta(days=(7 * i) % 300)
    front["last_reviewed"], front["next_review"] = last, last + cycle
    front["code"] = f"{sample.code_prefix}-{n:04d}"
    front["large_print_budget"] = max(LARGE_PRINT_BUDGET, doc.large_print_budget)
    facts = []
    for fact, data in zip(doc.key_facts, front["key_facts"]):
        facts.append(dict(data, text=new[fact.segment]))
    front["key_facts"] = facts
    front["sources"] = [dict(data, title=new[ref.title]) for ref, data in zip(doc.sources, front.get("sources") or [])]
    if not front["sources"]:
        del front["sources"]
    return yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1_000_000)


def _comments(seg: source.Segment) -> list[str]:
    return ([f"<!-- context: {seg.context} -->"] if seg.context else []) + \
           ([f"<!-- translators: {seg.note} -->"] if seg.note else [])


def _markdown(blocks, new: dict) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, source.BulletList):
            lines = []
            for k, item in enumerate(block.items, 1):
                lines += _comments(item)
                lines.append(f"{k}. {new[item]}" if block.ordered else f"- {new[item]}")
            out.append("\n".join(lines))
        else:
            out.append("\n".join(_comments(block) + [new[block]]))
    return out


def _body(doc: source.Document, new: dict, dropped: set[int]) -> str:
    parts = _markdown(doc.lead, new)
    for section in doc.sections:
        parts.append("\n".join(_comments(section.heading) + [f"## {new[section.heading]}"]))
        parts += _markdown(section.blocks, new)
    if doc.faq:
        faq = ["::: faq\n" + "\n".join(_comments(doc.faq.heading) + [f"## {new[doc.faq.heading]}"])]
        for k, q in enumerate(doc.faq.questions):
            if k in dropped:
                continue
            faq.append("\n".join(_comments(q.question) + [f"### {new[q.question]}"]))
            faq += _markdown(q.answer, new)
        parts.append("\n\n".join(faq) + "\n:::")
    return "\n\n".join(parts) + "\n"


def approve(translations: dict[Path, dict[Key, tuple[str, str]]]) -> dict[Path, int]:
    """Fill the catalogs as a translator and a reviewer would: each generated entry gets its
    translation, loses its fuzzy flag and previous msgid (approved), and keeps the sample's
    translator comment (a qa-ignore). Saved in GNU gettext's layout. Returns, per catalog, how many
    entries are still not approved (0 when every entry is)."""
    left = {}
    for path, wanted in translations.items():
        catalog = polib.pofile(str(path), wrapwidth=79)
        missing = 0
        for entry in catalog:
            if entry.obsolete:
                continue
            found = wanted.get((entry.msgctxt, entry.msgid))
            if found:
                entry.msgstr, tcomment = found
                if tcomment:
                    entry.tcomment = tcomment
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
            elif not entry.msgstr or entry.fuzzy:
                missing += 1
        catalogs.save(catalog, path)
        left[path] = missing
    return left


def edit_one(site: Site) -> dict[Path, dict[Key, tuple[str, str]]]:
    """Change one sentence of one document; returns its translation, for `approve` after `update`."""
    edit = site.edit
    _rewrite(edit["path"], edit["old"], edit["new"])
    return {path: {(edit["context"], edit["new"]): (msgstr, edit["tcomments"][path])}
            for path, msgstr in edit["translations"].items()}


def resave(site: Site) -> str:
    """After `edit_one`, change the same sentence again, in the document alone (an author's save in
    the preview); returns the sentence as it is now, which no other text of the site has."""
    edit = site.edit
    _rewrite(edit["path"], edit["new"], edit["resaved"])
    return edit["resaved"]


def _rewrite(path: Path, old: str, new: str) -> None:
    """Replace the paragraph whose text is `old`; in the file it may be wrapped over lines, as the samples' are."""
    text = path.read_text(encoding="utf-8")
    paragraph = re.compile(r"(?m)^" + r"\s+".join(map(re.escape, old.split())) + "$")
    if len(paragraph.findall(text)) != 1:
        raise SystemExit(f"{path}: cannot find the sentence to edit")
    path.write_text(paragraph.sub(lambda _: new, text), encoding="utf-8")


def message_counts(root: Path) -> dict[str, int]:
    """Entries (not obsolete) per catalog template and catalog."""
    locales = root / "locales"
    counts = {}
    for path in sorted(locales.glob("*.pot")) + sorted(locales.glob("*/LC_MESSAGES/*.po")):
        counts[path.relative_to(locales).as_posix()] = sum(
            1 for e in polib.pofile(str(path)) if not e.obsolete)
    return counts
