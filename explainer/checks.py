"""Checking one content item: its texts, dates and citations, built into its model object.

What an item check finds depends only on the item and on a :class:`Context` (the site's languages,
the source documents, the house style): it is a :class:`Checked` whose problems and references
carry paths relative to the item. The checks across items (unique ids, references, links, the
timeline's order) are :mod:`~explainer.validate`'s, run over these results; so the live preview
checks again only the items that changed.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import MAX_SHOWN_PER_FILE, Hints, Problem, closest
from .load import MAX_TEXT_LENGTH, JsonPath
from .model import Chrome, Citation, Cites, FuzzyDate, Language, Paragraph, Source, Text
from .project import InputError, Project, universal_newlines
from .quotes import MIN_QUOTE_LETTERS, MIN_QUOTE_WORDS, QuoteIndex, TooCostly, normalise, too_short
from .style import Rule, breaks, own_words
from .translations import english_name, notes

if TYPE_CHECKING:
    from .kinds import Kind

Path_ = JsonPath | str


@dataclass(frozen=True)
class Found:
    """A problem of an item, at ``path`` below it (at its key with ``key``)."""

    path: JsonPath
    message: str
    hint: str
    key: bool = False


@dataclass(frozen=True)
class Placed:
    """A problem about words in a text of an item: located at the words in the file (see :meth:`~explainer.style.FileText.place`)."""

    path: JsonPath
    words: str
    nth: int
    message: str
    hint: str


@dataclass
class Checked:
    """What checking one item found (paths relative to the item)."""

    value: Any = None
    problems: list[Found] = field(default_factory=list)
    elsewhere: list[Problem] = field(default_factory=list)
    """Problems located in another file (a source document that cannot be read)."""
    placed: list[Placed] = field(default_factory=list)
    refs: list[tuple[JsonPath, str, str, str]] = field(default_factory=list)
    """(path, kind, id, what it is called): ids of other items, resolved across the site."""
    cited: list[tuple[JsonPath, str]] = field(default_factory=list)
    """(path of the quote, source id) of every citation."""
    links: list[tuple[JsonPath, str, int]] = field(default_factory=list)
    """(path of the text, target, its occurrence in the text) of every Markdown link to the site's pages."""
    notes: list[tuple[JsonPath | None, str, str]] = field(default_factory=list)
    """Translation notes: (path, or None for the item itself; kind; message)."""


@dataclass(frozen=True)
class Seed:
    """A source document as the citations of every item use it."""

    index: QuoteIndex
    sha256: str
    paragraphs: tuple[Paragraph, ...]
    chrome: tuple[tuple[int, int, str], ...]
    """The lines left out of the published text: (their entry in ``chrome``, line, its text)."""
    numbers: Mapping[int, int]
    """Line → its number among the published paragraphs."""


@dataclass
class Context:
    """What the check of any item depends on besides the item itself."""

    project: Project
    languages: tuple[Language, ...]
    seeds: dict[str, Seed] = field(default_factory=dict)
    """By source id: the readable source documents."""
    seed_problems: dict[str, Checked] = field(default_factory=dict)
    source_ids: frozenset[str] = frozenset()
    """Every source's id (also of the sources that failed their checks: never an unknown source)."""
    datelines: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """By source id: its date evidence, normalised (a fact may quote it although it is short)."""
    rules: Mapping[str, list[Rule]] = field(default_factory=dict)
    """The house style, by language."""
    notes: bool = True
    """Whether items' translation notes are worked out (a published build does not show them)."""
    hints: Hints | None = field(default=None, repr=False)
    """The hints ("did you mean …?") for unknown source ids (made when first needed)."""

    def closest_source(self, word: str) -> str | None:
        """The source id most like ``word`` (bounded: see :class:`~explainer.errors.Hints`)."""
        if self.hints is None:
            self.hints = Hints(self.source_ids)
        return self.hints.closest(word)

    @property
    def source(self) -> str:
        """The source language: the first of the site ("" while the site's settings fail their checks)."""
        return self.languages[0].code if self.languages else ""

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(lang.code for lang in self.languages)


MAX_SEED_BYTES = 4 * 2**20
"""A source document (a seed) is at most this large: an article is a few KB, and each is indexed for quotes."""
MAX_SEEDS_BYTES = 32 * 2**20
"""All seeds together are at most this large (their quote indexes are held at once)."""
MAX_SEED_PARAGRAPHS = 10_000
"""A seed has at most this many paragraphs (non-empty lines): each is published numbered on its
source page, and 1.9 million one-letter lines made a 194 MB page in 99 s. A long report has a few thousand."""
MAX_SEEDS_PARAGRAPHS = 50_000
"""All seeds together have at most this many paragraphs."""
MAX_SOURCES = 200
"""At most this many sources are read (the site has five); more is an error of content/sources.yaml."""


def read_seeds(ctx: Context, sources: Sequence[dict[str, Any]]) -> None:
    """Read the source documents into ``ctx`` (their problems are their source items'): those of the
    first :data:`MAX_SOURCES` sources, each of at most :data:`MAX_SEED_BYTES`, until they hold
    :data:`MAX_SEEDS_BYTES` together."""
    ctx.source_ids |= {raw["id"] for raw in sources}
    ctx.hints = None
    dates: dict[str, frozenset[str]] = {}
    room, paragraphs = MAX_SEEDS_BYTES, MAX_SEEDS_PARAGRAPHS
    for raw in sources[:MAX_SOURCES]:
        seed, problems, size = _seed(ctx.project, raw, room, paragraphs)
        room -= size
        if seed is not None:
            ctx.seeds[raw["id"]] = seed
            paragraphs -= len(seed.paragraphs)
        ctx.seed_problems[raw["id"]] = problems
        if raw.get("date"):
            dates[raw["id"]] = frozenset(normalise(c["quote"]) for c in raw["date"]["cite"])
    ctx.datelines = dates


def _seed(project: Project, raw: dict[str, Any], room: int, paragraphs: int) -> tuple[Seed | None, Checked, int]:
    """The source document of ``raw``, its problems, and its size (it is not indexed if larger than
    ``room``, or with more paragraphs than ``paragraphs`` or :data:`MAX_SEED_PARAGRAPHS`)."""
    file = raw["file"]
    problems = Checked()
    try:
        data = project.read_bytes(project.seeds / file, limit=MAX_SEED_BYTES)
        if len(data) > room:
            message = f"the seeds read so far hold more than {MAX_SEEDS_BYTES // 2**20} MB together; this one is not read"
            problems.problems.append(Found(("file",), message, "cite fewer or shorter documents (the quotes are proved against them)"))
            return None, problems, len(data)
        text = universal_newlines(data.decode("utf-8"))
    except InputError as exc:
        if not exc.missing:  # unreadable, or a link out of the project: reported at the seed itself
            problems.elsewhere.append(exc.problem)
        else:
            hint = "copy the document into seeds/ or correct the file name"
            problems.problems.append(Found(("file",), f"source file seeds/{file} does not exist", hint))
        return None, problems, 0
    except UnicodeDecodeError:
        problems.problems.append(Found(("file",), f"seeds/{file} cannot be read as UTF-8 text", "save the document as UTF-8"))
        return None, problems, len(data)
    lines = text.split("\n")
    chrome = []
    for j, ch in enumerate(raw.get("chrome") or []):
        n = int(ch["line"])  # (the schema's "integer" is JSON Schema's: 4.0 is one)
        actual = lines[n - 1].strip() if n <= len(lines) else None
        if actual is None or actual != ch["text"].strip():
            shown = "past the end of the file" if actual is None else f"«{_short(actual, 50)}»"
            message = f"line {n} of seeds/{file} is {shown}, not this text"
            problems.problems.append(Found(("chrome", j, "text"), message, "give the exact line number and text of the left-out line"))
            continue
        chrome.append((j, n, actual))
    left_out = {n for _j, n, _text in chrome}
    published = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip() and n not in left_out]
    if len(published) > min(MAX_SEED_PARAGRAPHS, paragraphs):
        problems.problems.append(Found(("file",), *_too_many_paragraphs(file, len(published), paragraphs)))
        return None, problems, len(data)
    paragraphs_of = tuple(Paragraph(n, words, k) for k, (n, words) in enumerate(published, 1))
    digest = hashlib.sha256(data).hexdigest()
    index = QuoteIndex.of(text)
    index.searched = 0  # (the budget of whole-text searches is per check; what was found before is kept)
    return Seed(index, digest, paragraphs_of, tuple(chrome), {p.line: p.number for p in paragraphs_of}), problems, len(data)


def _too_many_paragraphs(file: str, count: int, room: int) -> tuple[str, str]:
    """The message and hint for a seed past :data:`MAX_SEED_PARAGRAPHS` (or the room left of :data:`MAX_SEEDS_PARAGRAPHS`)."""
    if count > MAX_SEED_PARAGRAPHS:
        message = f"seeds/{file} has {count:,} paragraphs (non-empty lines); a seed may have at most {MAX_SEED_PARAGRAPHS:,}"
    else:
        left = f"the {room:,} left of the {MAX_SEEDS_PARAGRAPHS:,} all seeds may have together"
        message = f"seeds/{file} has {count:,} paragraphs, more than {left}"
    return message, "keep the document's own paragraphs, one per line: join lines that are not paragraphs, or cite a shorter document"


_LATIN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
_MD_LINK = re.compile(r"\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))+)|^(?:[ ]{0,3}>)*[ ]{0,3}\[[^\]\n]+\]:[ \t]*\n?[ \t]*<?([^\s<>]+)", re.M)
"""The target of a Markdown link as written: ``[text](target)`` (with a pair of parentheses inside, as in ``alert(2)``),
or a reference's ``[label]: target`` on a line of its own (in a quote too)."""


def _path(path: Path_) -> JsonPath:
    return (path,) if isinstance(path, str) else path


class Item:
    """One content item being checked: its raw data, and the helpers the kinds' builders use
    (see :mod:`~explainer.kinds`); what they find is gathered in :attr:`found`."""

    def __init__(self, ctx: Context, raw: dict[str, Any]) -> None:
        self.ctx, self.raw = ctx, raw
        self.found = Checked()

    def err(self, path: Path_, message: str, hint: str, *, key: bool = False) -> None:
        self.found.problems.append(Found(_path(path), message, hint, key))

    def _at(self, path: JsonPath) -> Any:
        value: Any = self.raw
        for part in path:
            value = value[part]
        return value

    def text(self, path: Path_) -> Text:
        """The text at ``path``: the source language's and those of the translations there are (a
        language the site does not have, or a missing source language, is a problem)."""
        at = _path(path)
        value = self._at(at)
        self.languages(at, value)
        source = self.ctx.source if self.ctx.languages else next(iter(value), "")
        return Text({code: words.strip() for code, words in value.items()} or {source: ""}, source, lenient=True)

    def languages(self, at: JsonPath, value: dict[str, Any], *, quote: bool = False) -> None:
        """The keys of a text (or of a citation's translations, ``quote``) must be the site's languages, the source's among them."""
        if not self.ctx.languages:
            return  # (the site's settings failed their own checks)
        others = [lang.code for lang in self.ctx.languages[1:]]
        allowed = others if quote else [self.ctx.source, *others]
        for code in value:
            if code not in allowed and not (quote and code in ("source", "quote")):
                close = closest(code, allowed)
                hint = f"did you mean '{close}'?" if close else f"the languages here are {', '.join(allowed) or 'none'} (content/site.yaml)"
                what = "a translation of the quote" if quote and code == self.ctx.source else f"language '{_short(code)}'"
                self.err((*at, code), f"{what} is not one of the site's translations" if quote else f"unknown {what}", hint, key=True)
        if not quote and self.ctx.source not in value:
            name = english_name(self.ctx.languages[0])
            where = ".".join(str(p) for p in at)
            message = f"{where}: the {name} text ('{self.ctx.source}') is missing"
            self.err(
                at,
                message,
                f"add '{self.ctx.source}:' with the {name} text: the source language's text is required, translations may follow",
            )

    def optional_text(self, path: Path_) -> Text | None:
        """The text at ``path``, or None if there is none."""
        value: Any = self.raw
        for part in _path(path):
            value = value.get(str(part)) if isinstance(value, dict) else None
        return self.text(path) if value else None

    def date(self, path: Path_, qualifier: str | None = None) -> FuzzyDate | None:
        at = _path(path)
        raw = self._at(at)
        form = _DATE.match(str(raw))
        if form is None:  # e.g. a negative number: the schema checks the form of text only
            self.err(at, f"'{_short(raw)}' is not a date", 'write "2017", "2025-09" or "2024-01-27", in quotes')
            return None
        y, m, d = form.groups()
        year, month, day = int(y), int(m) if m else None, int(d) if d else None
        if month is not None and not 1 <= month <= 12:
            self.err(at, f"impossible date '{raw}': there is no month {month}", "write the month as 01–12")
            return None
        if day is not None and not (1 <= day <= 28 or _is_day(year, month or 1, day)):  # every month has a 28th
            self.err(at, f"impossible date '{raw}': that month has no day {day}", "check the day of the month")
            return None
        if not 1900 <= year <= 2100:
            self.err(at, f"implausible year '{year}'", "write the four-digit year, e.g. 2024")
            return None
        return FuzzyDate(year, month or None, day or None, qualifier)

    def refs(self, path: Path_, kind: str, what: str) -> tuple[str, ...]:
        """The ids of ``kind`` listed at ``path`` (each checked across the site)."""
        at = _path(path)
        ids = tuple(self.raw.get(str(at[0]), ())) if len(at) == 1 else tuple(self._at(at))
        for i, ident in enumerate(ids):
            self.ref((*at, i), kind, ident, what)
        return ids

    def ref(self, path: JsonPath, kind: str, ident: str, what: str) -> None:
        self.found.refs.append((path, kind, ident, what))

    def cites(self, path: Path_, proves: str | None = None) -> Cites:
        """The verified citations at ``path``. A fact's quote must be at least a clause (see
        :func:`~explainer.quotes.too_short`); a source's date or publisher evidence (``proves``:
        the year, or "" for a publisher's masthead) needs no length, and a date's must contain its year."""
        at = _path(path)
        out = []
        for i, raw in enumerate(self._at(at)):
            cite = self._cite((*at, i), raw, proves)
            if cite is not None:
                out.append(cite)
        return tuple(out)

    def _cite(self, at: JsonPath, raw: dict[str, str], proves: str | None) -> Citation | None:
        self.languages(at, raw, quote=True)
        src = raw["source"]
        if src not in self.ctx.source_ids:
            close = self.ctx.closest_source(src)
            hint = f"did you mean '{close}'?" if close else "use the id of a document in content/sources.yaml"
            self.err((*at, "source"), f"unknown source '{src}'", hint)
            return None
        self.found.cited.append(((*at, "quote"), src))
        seed = self.ctx.seeds.get(src)
        if seed is None or not self._strong_enough((*at, "quote"), raw["quote"], proves, src):
            return None  # (a seed that cannot be read is reported at its source)
        placed = self._placed(at, seed, src, raw["quote"])
        if placed is None:
            return None
        line, start, end, words = placed
        translations = {code: text.strip() for code, text in raw.items() if code in self.ctx.codes}
        translation = Text({**translations, self.ctx.source: words}, self.ctx.source)
        return Citation(src, words, translation, line, start, end, seed.numbers.get(line, 0))

    def _placed(self, at: JsonPath, seed: Seed, src: str, quote: str) -> tuple[int, int, int, str] | None:
        try:
            found = seed.index.find(quote)
        except TooCostly as exc:
            self.err((*at, "quote"), *_too_costly(src, exc.args[0]))
            return None
        if found is None:
            message = f"quote not found in source '{src}': «{_short(quote.strip(), 60)}»"
            hint = "copy the words exactly from the seed file (spacing, diacritics, alef forms and quotation marks may differ)"
            self.err((*at, "quote"), message, hint)
            return None
        found = seed.index.balanced(found, quote)
        placed = seed.index.place(found)
        if placed is None:
            self.err((*at, "quote"), "quote spans more than one paragraph of its source", "split it into two citations, one per paragraph")
            return None
        line, start, end = placed
        if any(line == n for _j, n, _text in seed.chrome):
            message = f"quote lies in line {line}, which is page chrome left out of the published text"
            self.err((*at, "quote"), message, "cite the article text, or remove that line from 'chrome' in sources.yaml")
            return None
        return line, start, end, seed.index.words(found)

    def _strong_enough(self, path: JsonPath, quote: str, proves: str | None, source: str) -> bool:
        """Whether ``quote`` can serve as evidence; reports it otherwise. A fact may quote its
        source's dateline (the evidence of the source's date) to date what the source says."""
        if proves is None and too_short(quote) and normalise(quote) not in self.ctx.datelines.get(source, ()):
            message = (
                f"quote too short to be evidence: «{_short(quote.strip(), 60)}» "
                f"(at least {MIN_QUOTE_WORDS} words and {MIN_QUOTE_LETTERS} letters)"
            )
            self.err(path, message, "quote the whole clause that supports the fact, as the source writes it")
            return False
        if proves and normalise(proves) not in normalise(quote.translate(_LATIN_DIGITS)):
            message = f"this quote does not contain what it proves ({proves})"
            self.err(path, message, "quote the words of the document that show it, such as its dateline or byline")
            return False
        return True

    def _headline(self, seed: Seed, headline: str) -> None:
        try:
            if seed.index.find(headline) is None:
                hint = "copy the headline exactly from the seed file"
                self.err(("headline", self.ctx.source), "headline not found in the document", hint)
        except TooCostly as exc:
            self.err(("headline", self.ctx.source), *_too_costly(self.raw["id"], exc.args[0]))

    def source(self) -> Source | None:
        """A source document (the builder of the ``sources`` kind)."""
        raw = self.raw
        read = self.ctx.seed_problems.get(raw["id"], Checked())
        self.found.problems += read.problems
        self.found.elsewhere += read.elsewhere
        seed = self.ctx.seeds.get(raw["id"])
        if seed is None:
            return None
        if raw.get("sha256") is None:  # (one that changed is reported across the site, with every citation of it)
            hint = f"after checking its citations, run: python build.py review seeds/{raw['file']}"
            self.err("id", f"seeds/{raw['file']} is not pinned", hint, key=True)
        headline = self.optional_text("headline")
        if headline is not None:
            self._headline(seed, headline[self.ctx.source])
        pub, date = raw.get("publisher"), raw.get("date")
        when = self.date(("date", "value")) if date else None
        if not date and not raw.get("dating"):
            self.err("id", "an undated document needs 'dating'", "add 'dating:' saying what in the text dates it", key=True)
        publisher_cite = self.cites(("publisher", "cite"), "") if pub else ()  # a masthead can be one word
        date_cite = self.cites(("date", "cite"), str(when.year)) if date and when is not None else ()
        chrome = tuple(Chrome(n, text, self.text(("chrome", j, "what"))) for j, n, text in seed.chrome)
        return Source(
            id=raw["id"],
            file=raw["file"],
            label=self.text("label"),
            headline=headline,
            publisher=self.text(("publisher", "name")) if pub else None,
            publisher_cite=publisher_cite,
            date=when,
            date_cite=date_cite,
            dating=self.optional_text("dating"),
            about=self.optional_text("about"),
            paragraphs=seed.paragraphs,
            chrome=chrome,
        )

    def own_words(self, value: Any) -> None:
        """The site's own words of ``value`` (the item): its links to the site's pages, and the house style
        (after :data:`~explainer.errors.MAX_SHOWN_PER_FILE` breaks, more than a report shows, the rest of
        the item is not checked for it, and a problem at the item says so)."""
        from .markdown import PAGE_LINK, link_address, scheme

        unchecked = 0
        for path, lang, text in own_words(value, self.ctx.codes):
            seen: Counter[str] = Counter()
            for target in (found.group(1) or found.group(2) for found in _MD_LINK.finditer(text)):
                seen[target] += 1
                if PAGE_LINK.fullmatch(target) is None and scheme(link_address(target)) is not None:
                    continue  # the web or mail; any other scheme is shown as text (see markdown.safe_link)
                self.found.links.append((path, target, seen[target] - 1))
            rules = self.ctx.rules.get(lang, ())
            if len(text) > MAX_TEXT_LENGTH:
                continue  # refused for its length (validate): not worth the house rules' time
            if rules and len(self.found.placed) >= MAX_SHOWN_PER_FILE:
                unchecked += 1
                continue
            for words, nth, message, hint in breaks(text, rules):
                self.found.placed.append(Placed(path, words, nth, message, hint))
        if unchecked:
            message = f"more than {MAX_SHOWN_PER_FILE} breaks of the house style here: {unchecked:,} more texts were not checked for it"
            self.err((), message, "fix the breaks listed (or the rule in content/style.yaml that finds them), then check again")

    def translation_notes(self, ident: str, file: str) -> None:
        if self.ctx.notes and self.ctx.languages:
            self.found.notes += notes(self.raw, ident, self.ctx.languages, file)


def check_item(ctx: Context, kind: Kind, raw: dict[str, Any]) -> Checked:
    """Check one item with its kind's builder: its value, problems, references and notes."""
    item = Item(ctx, raw)
    item.found.value = kind.build(item)
    item.own_words(raw)
    item.translation_notes(raw["id"], f"content/{kind.file}.yaml")
    return item.found


def check_texts(ctx: Context, raw: dict[str, Any], ident: str | None, file: str) -> Checked:
    """The own words of a text that is not an item's (the site's title, a page's prose), and their
    translation notes (``ident``: the page; None for the site's settings, which are not reviewed)."""
    item = Item(ctx, raw)
    for at in (("title",), ("description",), ("intro",), ("body",), ("licence", "name")):
        value = raw.get(at[0]) if len(at) == 1 else (raw.get(at[0]) or {}).get(at[1])
        if isinstance(value, dict):
            item.languages(at, value)
    item.own_words(raw)
    if ident is not None:
        item.translation_notes(ident, file)
    return item.found


def _too_costly(source: str, limit: int) -> tuple[str, str]:
    """The message and hint for a quote past the seed's search budget (:data:`~explainer.quotes.FULL_SEARCH_CHARS`)."""
    message = (
        f"quote not verified: the quotes of source '{source}' whose inner words are all common in it "
        f"need whole-document searches, and they passed the limit of {limit:,} characters read"
    )
    return message, "quote fewer or longer passages, each with a word that is rare in the document (a name, a number)"


def _is_day(year: int, month: int, day: int) -> bool:
    """Whether the month has that day (asked only for days outside 1–28)."""
    try:  # the calendar repeats every 400 years: the same date 2000 + year % 400 fits any year
        datetime.date(2000 + year % 400, month, day)
    except ValueError:
        return False
    return True


def _short(value: Any, n: int = 40) -> str:
    text = str(value)
    return text if len(text) <= n else text[: n - 1] + "…"
