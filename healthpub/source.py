"""Source documents: Markdown with YAML front matter, parsed into segments, the units of translation.

Layout of a document (source/<slug>.md):

    ---
    lang: zh-TW                   # optional, BCP 47: the language it is written in (site.toml's source_locale)
    title: …                      # translated
    description: …                # translated; the meta description
    last_reviewed: 2026-11-27
    next_review: 2027-11-27
    reviewed_by: …                # optional, a name (not translated)
    code: HE-0042                 # optional, the leaflet's code on the rack, unique in the site
    topics: [hand-hygiene]        # optional, keys of site.toml [topics]
    page_budget: 2                # optional, pages per single-language leaflet
    large_print_budget: 4         # optional, pages per large-print leaflet
    disclaimer: …                 # translated; required on every page and leaflet
    key_facts:                    # the "at a glance" box; each fact lists the
      - text: …                   # language-neutral tokens every translation keeps
        tokens: [30–150, nm]
    sources:
      - {title: …, publisher: …, url: https://…}
    ---
    Lead paragraphs, then `## Section` headings with paragraphs and lists.
    An FAQ is a `::: faq` block holding `## FAQ`, then `### Question` and its answer.
    `<!-- translators: … -->` before a block is a note for the translator;
    `<!-- context: … -->` gives the block a msgctxt.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from .errors import InputError
from .locales import Lang, parse_tag


@dataclass(frozen=True)
class Segment:
    """One translatable block: one message in the catalogs. `text` is Markdown inline source, in the
    document's language."""

    kind: str
    text: str
    line: int
    context: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class KeyFact:
    segment: Segment
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[Segment, ...]
    ordered: bool = False


Block = Segment | BulletList


@dataclass(frozen=True)
class Section:
    heading: Segment
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Question:
    question: Segment
    answer: tuple[Block, ...]


@dataclass(frozen=True)
class Faq:
    heading: Segment
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Reference:
    title: Segment
    publisher: Segment | None
    url: str | None


@dataclass(frozen=True)
class Document:
    slug: str
    path: Path
    lang: Lang  # the language it is written in
    title: Segment
    description: Segment
    last_reviewed: dt.date
    next_review: dt.date
    next_review_line: int
    reviewed_by: str | None
    code: str | None  # the leaflet's code, printed with its revision on every page
    code_line: int | None
    topics: tuple[str, ...]  # keys of site.toml [topics]
    topics_line: int | None
    page_budget: int
    large_print_budget: int
    disclaimer: Segment
    key_facts: tuple[KeyFact, ...]
    lead: tuple[Block, ...]
    sections: tuple[Section, ...]
    faq: Faq | None
    sources: tuple[Reference, ...]
    lines: tuple[str, ...]  # the file's lines, for checks that point into a paragraph

    def segments(self) -> Iterator[Segment]:
        """Every translatable segment, in reading order."""
        yield self.title
        yield self.description
        yield self.disclaimer
        for fact in self.key_facts:
            yield fact.segment
        yield from _block_segments(self.lead)
        for section in self.sections:
            yield section.heading
            yield from _block_segments(section.blocks)
        if self.faq:
            yield self.faq.heading
            for q in self.faq.questions:
                yield q.question
                yield from _block_segments(q.answer)
        for ref in self.sources:
            yield ref.title
            if ref.publisher:
                yield ref.publisher

    def required(self) -> Iterator[Segment]:
        """Segments no translation may leave out: the disclaimer and the key facts."""
        yield self.disclaimer
        for fact in self.key_facts:
            yield fact.segment


def _block_segments(blocks: tuple[Block, ...]) -> Iterator[Segment]:
    for block in blocks:
        if isinstance(block, BulletList):
            yield from block.items
        else:
            yield block


# What the translator is told about each kind of segment (a `#.` comment in the catalog).
KIND_NOTES = {
    "title": "Document title: the page's heading and <title>.",
    "description": "Meta description: shown by search engines; keep it under about 160 characters.",
    "disclaimer": "Disclaimer: REQUIRED, shown at the top and the end of every page and leaflet.",
    "fact": "Key fact in the “At a glance” box: REQUIRED.",
    "paragraph": "Paragraph.",
    "heading": "Section heading.",
    "item": "List item.",
    "question": "FAQ question.",
    "answer": "FAQ answer.",
    "source-title": "Title of a source the document cites.",
    "source-publisher": "Publisher of a source the document cites.",
}

_FRONT_KEYS = {"lang", "title", "description", "last_reviewed", "next_review", "reviewed_by", "code", "topics", "page_budget",
               "large_print_budget", "disclaimer", "key_facts", "sources"}
_REQUIRED_KEYS = ("title", "description", "last_reviewed", "next_review", "disclaimer", "key_facts")
_COMMENT = re.compile(r"<!--\s*(translators|context)\s*:\s*(.*?)\s*-->\s*$", re.S)

_markdown = MarkdownIt("commonmark", {"html": True}).use(container_plugin, "faq")


def load(path: Path, default_lang: Lang) -> Document:
    return parse(decode(path.read_bytes(), path), path, default_lang)


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """The invisible format characters of a text (Unicode category Cf), with where they are:
    bidirectional controls (a right-to-left override shows "30–150" as "051–03"), zero-width spaces
    and joiners, byte-order marks, soft hyphens, tags. None is seen, all can change what is seen or
    found. Excepted: a zero-width joiner or non-joiner between two letters of a script that
    needs them (Persian, Devanagari, Sinhala, …), or a joiner inside an emoji sequence."""
    if text.isprintable():  # no Cf, nor any other control: most texts, at C speed
        return []
    return [(i, c) for i, c in enumerate(text)
            if unicodedata.category(c) == "Cf" and not (c in "\u200c\u200d" and _joins(text, i))]


def describe_hidden(char: str) -> str:
    name = unicodedata.name(char, "a format character")
    return f"invisible character U+{ord(char):04X} ({name}) can change what readers see; remove it"


def _joins(text: str, i: int) -> bool:
    if not 0 < i < len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    if text[i] == "\u200d" and unicodedata.category(after) == "So" and (
            unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f"):
        return True  # 👩‍⚕️: an emoji sequence
    script = _script(before)
    return script is not None and script == _script(after)


def _script(char: str) -> str | None:
    """A letter's or mark's script as its Unicode name begins (ARABIC, DEVANAGARI); None for
    anything else, and for the Latin, Han, Thai and other scripts that need no joiners."""
    if unicodedata.category(char)[0] not in "LM":
        return None
    script = unicodedata.name(char, "").split(" ", 1)[0]
    return None if script in ("LATIN", "CJK", "THAI", "HIRAGANA", "KATAKANA", "HANGUL", "") else script


def decode(data: bytes, path: Path) -> str:
    """A source file's text; shared with the Babel extractor so that both report bad bytes alike."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, line, "not valid UTF-8") from None


# A document's slug, its file's stem, is part of the address of its pages and the names of its
# leaflets: it must read the same in a URL, a sitemap and a file name, unescaped.
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def parse(text: str, path: Path, default_lang: Lang) -> Document:
    if not SLUG.fullmatch(path.stem):
        raise InputError(path, None, f"the file name {path.stem!r} becomes the address of the document's pages "
                         "and the names of its leaflets", "name the file with ASCII letters, digits, '-' and '_' "
                         "only, starting with a letter or digit (hand-washing.md)")
    # A BOM (some Windows editors save one) is not text; every line ending becomes "\n", because
    # markdown-it counts a lone "\r" as one too and the body's line numbers must agree.
    text = re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff"))
    # Composed letters (Unicode NFC), whatever the editor wrote: a decomposed ử is another string
    # to search, to compare and to translate.
    text = unicodedata.normalize("NFC", text)
    if found := hidden_characters(text):
        index, char = found[0]
        raise InputError(path, text.count("\n", 0, index) + 1, describe_hidden(char))
    match = re.match(r"---\n(.*?\n)---[ \t]*\n", text, re.S)
    if not match:
        raise InputError(path, 1, "no front matter", "start the file with a '---' line, the YAML fields, and '---'")
    front = _front_matter(match[1], path)
    body_offset = match[1].count("\n") + 2  # the lines before the body, both "---" included
    body = _Body(path, body_offset)
    body.parse(text[match.end():])

    title = front.segment("title", "title")
    return Document(
        slug=path.stem,
        path=path,
        lang=front.lang(default_lang),
        title=title,
        description=front.segment("description", "description"),
        last_reviewed=front.date("last_reviewed"),
        next_review=front.date("next_review"),
        next_review_line=_line(front.fields["next_review"]),
        reviewed_by=front.optional_text("reviewed_by"),
        code=front.code(),
        code_line=_line(front.fields["code"]) if "code" in front.fields else None,
        topics=front.topics(),
        topics_line=_line(front.fields["topics"]) if "topics" in front.fields else None,
        page_budget=front.pages("page_budget", 2),
        large_print_budget=front.pages("large_print_budget", 4),
        disclaimer=front.segment("disclaimer", "disclaimer"),
        key_facts=front.key_facts(),
        lead=tuple(body.lead),
        sections=tuple(body.sections),
        faq=body.faq,
        sources=front.sources(),
        lines=tuple(text.split("\n")),
    )


class _FrontMatter:
    """The YAML front matter, read as nodes so that every value and error has its line."""

    def __init__(self, node: yaml.MappingNode, path: Path):
        self.path = path
        self.node = node
        self.fields = {}
        for key, value in _pairs(node, path).items():
            if key not in _FRONT_KEYS:
                raise InputError(path, _line(value[0]), f"unknown front-matter field {_name(value[0])}",
                                 "fields are: " + ", ".join(sorted(_FRONT_KEYS)))
            self.fields[key] = value[1]
        for key in _REQUIRED_KEYS:
            if key not in self.fields:
                raise InputError(path, _line(node), f"front matter has no '{key}'")

    def _scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise InputError(self.path, _line(node), f"{what} must be non-empty text")
        return " ".join(node.value.split())

    def optional_text(self, key: str) -> str | None:
        node = self.fields.get(key)
        return None if node is None else self._scalar(node, key)

    def segment(self, key: str, kind: str, node: yaml.Node | None = None, **extra) -> Segment:
        node = node if node is not None else self.fields[key]
        text = self._scalar(node, key)
        _check_inline(text, self.path, _line(node))
        return Segment(kind=kind, text=text, line=_line(node), **extra)

    def lang(self, default: Lang) -> Lang:
        node = self.fields.get("lang")
        return default if node is None else parse_tag(self._scalar(node, "lang"), self.path, _line(node))

    def date(self, key: str) -> dt.date:
        node = self.fields[key]
        try:
            if isinstance(node, yaml.ScalarNode):
                return dt.date.fromisoformat(node.value)
        except ValueError:
            pass
        raise InputError(self.path, _line(node), f"{key} must be a date such as 2026-11-27, not {_name(node)}")

    def pages(self, key: str, default: int) -> int:
        node = self.fields.get(key)
        if node is None:
            return default
        # ASCII digits, and not thousands of them: str.isdigit() accepts "²", which int() refuses,
        # and int() refuses more than 4300 digits.
        if not (isinstance(node, yaml.ScalarNode) and re.fullmatch(r"[0-9]{1,4}", node.value)
                and int(node.value) > 0):
            raise InputError(self.path, _line(node), f"{key} must be a whole number of pages")
        return int(node.value)

    def topics(self) -> tuple[str, ...]:
        node = self.fields.get("topics")
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise InputError(self.path, _line(node), "topics must be a list of keys, such as [hand-hygiene]")
        return tuple(dict.fromkeys(self._scalar(item, "a topic") for item in node.value))

    def code(self) -> str | None:
        """Capital letters or digits in parts joined by hyphens, starting with a letter: HE-0042."""
        code = self.optional_text("code")
        if code is not None and (len(code) > 20 or not re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", code)):
            raise InputError(self.path, _line(self.fields["code"]), f"code must look like HE-0042, not {code!r}",
                             "capital letters and digits in parts joined by hyphens, at most 20 characters")
        return code

    def _items(self, key: str) -> list[dict[str, yaml.Node]]:
        node = self.fields.get(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise InputError(self.path, _line(node), f"{key} must be a list")
        items = []
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                raise InputError(self.path, _line(item), f"each entry of {key} must be a mapping")
            items.append({key: value for key, (_, value) in _pairs(item, self.path).items()} | {"": item})
        return items

    def key_facts(self) -> tuple[KeyFact, ...]:
        facts = []
        for item in self._items("key_facts"):
            unknown = set(item) - {"", "text", "tokens", "context", "note"}
            if unknown or "text" not in item:
                raise InputError(self.path, _line(item[""]),
                                 "a key fact has 'text' and optionally 'tokens', 'context' and 'note'")
            context = self._scalar(item["context"], "context") if "context" in item else None
            note = self._scalar(item["note"], "note") if "note" in item else None
            segment = self.segment("key_facts", "fact", item["text"], context=context, note=note)
            tokens_node = item.get("tokens")
            tokens: tuple[str, ...] = ()
            if tokens_node is not None:
                if not isinstance(tokens_node, yaml.SequenceNode):
                    raise InputError(self.path, _line(tokens_node), "tokens must be a list, such as [FDA, 2019]")
                tokens = tuple(self._scalar(t, "a token") for t in tokens_node.value)
            for token in tokens:
                if token not in segment.text:
                    raise InputError(self.path, segment.line, f"key fact token {token!r} is not in its text")
            facts.append(KeyFact(segment=segment, tokens=tokens))
        if not facts:
            raise InputError(self.path, _line(self.fields["key_facts"]), "key_facts must list at least one fact")
        return tuple(facts)

    def sources(self) -> tuple[Reference, ...]:
        refs = []
        for item in self._items("sources"):
            if set(item) - {"", "title", "publisher", "url"} or "title" not in item:
                raise InputError(self.path, _line(item[""]), "a source has 'title' and optionally 'publisher' and 'url'")
            url = self._scalar(item["url"], "url") if "url" in item else None
            if url and not re.match(r"https?://\S+$", url):
                raise InputError(self.path, _line(item["url"]), f"a source's url must be http(s), not {url!r}")
            publisher = item.get("publisher")
            refs.append(Reference(
                title=self.segment("sources", "source-title", item["title"]),
                publisher=self.segment("sources", "source-publisher", publisher) if publisher else None,
                url=url,
            ))
        return tuple(refs)


def _front_matter(text: str, path: Path) -> _FrontMatter:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise InputError(path, _mark_line(mark) if mark else 1, f"front matter is not valid YAML: {err.problem}") from None
    except yaml.reader.ReaderError as err:  # a control character: YAML allows none, not even quoted
        raise InputError(path, text.count("\n", 0, err.position) + 2,
                         f"front matter is not valid YAML: character U+{err.character:04X} is not allowed") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise InputError(path, 2, "front matter is not valid YAML: nested too deeply") from None
    if not isinstance(node, yaml.MappingNode):
        raise InputError(path, 2, "front matter must be YAML fields such as 'title: …'")
    return _FrontMatter(node, path)


def _pairs(node: yaml.MappingNode, path: Path) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping's fields by name, with their key nodes. A field given twice is refused at the
    second, naming the first: YAML would let the later one win, and a second `next_review` could
    hide an overdue review. A complex key (`? [a]`) names no field: "?" keeps it unknown."""
    pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) and key.value else "?"
        if name in pairs and name != "?":
            raise InputError(path, _line(key), f"front-matter field '{name}' is given twice; "
                             f"it is first given at line {_line(pairs[name][0])}", "keep one of them")
        pairs.setdefault(name, (key, value))
    return pairs


def _line(node: yaml.Node) -> int:
    # A folded scalar's text starts on the next line.
    line = _mark_line(node.start_mark)
    if isinstance(node, yaml.ScalarNode) and node.style in (">", "|"):
        line += 1
    return line


def _mark_line(mark: yaml.Mark) -> int:
    # Counted in "\n"s, as editors and the body count: YAML's own `mark.line` also ends a line at
    # U+0085, U+2028 and U+2029, which pasted text may hold. +1 for 1-based numbering, +1 for the
    # opening '---'.
    return mark.buffer.count("\n", 0, mark.index) + 2


def _name(node: yaml.Node) -> str:
    """A node as messages name it: a scalar's text, quoted, else its kind."""
    return repr(node.value) if isinstance(node, yaml.ScalarNode) else f"a YAML {node.id}"


def _check_inline(text: str, path: Path, line: int) -> None:
    """Only Markdown's own inline markup: no raw HTML, no images (translations get the same rules)."""
    for token in _markdown.parseInline(text)[0].children or []:
        if token.type == "html_inline":
            raise InputError(path, line, f"raw HTML {token.content!r} is not allowed", "use Markdown emphasis or links")
        if token.type == "image":
            raise InputError(path, line, "images are not supported in the text")


class _Body:
    """Walks markdown-it's block tokens and collects the lead, the sections and the FAQ."""

    def __init__(self, path: Path, offset: int):
        self.path = path
        self.offset = offset
        self.lead: list[Block] = []
        self.sections: list[Section] = []
        self.faq: Faq | None = None

    def parse(self, body: str) -> None:
        tokens = _markdown.parse(body)
        lines = body.split("\n")
        pending: dict[str, str] = {}
        pending_line: int | None = None  # of the first comment still waiting for its block
        blocks: list[Block] | None = self.lead  # where the next block goes; None after the FAQ
        heading: Segment | None = None  # of the section being collected
        in_faq = False
        faq_heading: Segment | None = None
        questions: list[Question] = []
        items: list[Segment] | None = None
        ordered = False

        def close_section() -> None:
            if heading is not None and not in_faq:
                self.sections.append(Section(heading, tuple(blocks)))

        def close_question() -> None:
            if questions:
                if not blocks:
                    raise InputError(self.path, questions[-1].question.line, "this FAQ question has no answer")
                questions[-1] = Question(questions[-1].question, tuple(blocks))

        i = 0
        while i < len(tokens):
            token = tokens[i]
            line = self.offset + token.map[0] + 1 if token.map else None
            kind = token.type
            if kind == "html_block":
                match = _COMMENT.match(token.content.strip())
                if not match:
                    raise InputError(self.path, line, "raw HTML is not allowed",
                                     "use <!-- translators: … --> or <!-- context: … --> comments only")
                pending_line = line if not pending else pending_line
                pending[match[1]] = " ".join(match[2].split())
            elif kind == "container_faq_open":
                if in_faq or self.faq:
                    raise InputError(self.path, line, "only one '::: faq' block per document")
                # markdown-it closes an unclosed container at the end of the document (or of a list
                # item) without telling; the block's map ends on its closing line if it has one.
                end = token.map[1]
                if end >= len(lines) or not re.fullmatch(r"\s*:{3,}\s*", lines[end]):
                    raise InputError(self.path, line, "the '::: faq' block is not closed with ':::'")
                close_section()
                in_faq, heading, blocks = True, None, []
            elif kind == "container_faq_close":
                close_question()
                if faq_heading is None or not questions:
                    raise InputError(self.path, line, "the '::: faq' block needs a '## …' heading and '### …' questions")
                self.faq = Faq(faq_heading, tuple(questions))
                in_faq, heading, blocks = False, None, None
            elif kind == "heading_open":
                level = int(token.tag[1])
                segment = self._segment(tokens[i + 1], line, pending, "heading")
                if level == 2 and not in_faq:
                    close_section()
                    heading, blocks = segment, []
                elif level == 2 and faq_heading is None:
                    faq_heading = segment
                elif level == 3 and in_faq:
                    close_question()
                    questions.append(Question(Segment("question", segment.text, segment.line,
                                                      segment.context, segment.note), ()))
                    blocks = []
                else:
                    raise InputError(self.path, line, f"a level-{level} heading is not supported here",
                                     "use '## ' for sections, and '### ' for questions inside '::: faq'")
                i += 2
            elif kind in ("bullet_list_open", "ordered_list_open"):
                if blocks is None or (in_faq and not questions):
                    raise InputError(self.path, line, "this list belongs to no section",
                                     "put it under a '## ' heading, or an FAQ answer under a '### ' question")
                if items is not None:
                    raise InputError(self.path, line, "nested lists are not supported")
                items, ordered = [], kind == "ordered_list_open"
            elif kind in ("bullet_list_close", "ordered_list_close"):
                blocks.append(BulletList(tuple(items), ordered))
                items = None
            elif kind == "paragraph_open":
                if items is not None:
                    if tokens[i - 1].type != "list_item_open":
                        raise InputError(self.path, line, "a list item must be a single paragraph")
                    items.append(self._segment(tokens[i + 1], line, pending, "item"))
                else:
                    if blocks is None or (in_faq and not questions):
                        raise InputError(self.path, line, "this text belongs to no section",
                                         "put it under a '## ' heading, or an FAQ answer under a '### ' question")
                    kind_name = "answer" if in_faq else "paragraph"
                    blocks.append(self._segment(tokens[i + 1], line, pending, kind_name))
                i += 2
            elif kind in ("list_item_open", "list_item_close", "paragraph_close", "heading_close"):
                pass
            else:
                name = kind.removesuffix("_open").replace("_", " ")
                raise InputError(self.path, line, f"unsupported Markdown: {name}",
                                 "use paragraphs, '- ' lists, '## ' headings and '::: faq'")
            i += 1
        close_section()
        if pending:
            raise InputError(self.path, pending_line, "a translators/context comment is not followed by any text")

    def _segment(self, inline, line: int, pending: dict[str, str], kind: str) -> Segment:
        text = " ".join(inline.content.split())
        if not text:
            raise InputError(self.path, line, f"empty {kind}")
        _check_inline(text, self.path, line)
        return Segment(kind, text, line, context=pending.pop("context", None), note=pending.pop("translators", None))
