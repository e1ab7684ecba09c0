"""The validated content: frozen dataclasses, the only thing later stages see."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

READING: list[set[str]] = []
"""While a page is rendered for the live preview, the names of what it reads (``events``, ``plan``…) are
added to the last set here: the collections of the model read through ``model.<name>``, and the
pages of the plan read through a template helper (see :func:`read`)."""


def read(name: str) -> None:
    """Record that what is being made reads ``name`` (see :data:`READING`)."""
    if READING:
        READING[-1].add(name)


class Text(Mapping[str, str]):
    """Text in the site's languages, keyed by language code (read-only).

    It always has the source language (``source``); a language it lacks reads as the source
    language's text: :meth:`has` says whether it has its own, :meth:`lang` which language is shown.
    """

    __slots__ = ("_values", "source")

    def __init__(self, values: Mapping[str, str], source: str, *, lenient: bool = False) -> None:
        if source not in values and not lenient:
            raise ValueError(f"a text without its source language ({source})")
        self._values = dict(values) if source in values else {**values, source: ""}
        self.source = source

    def __getitem__(self, code: str) -> str:
        value = self._values.get(code)
        return value if value is not None else self._values[self.source]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, code: object) -> bool:
        return code in self._values

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self._values == other._values and self.source == other.source
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.source, tuple(sorted(self._values.items()))))

    def __repr__(self) -> str:
        return f"Text({self._values!r})"

    def has(self, code: str) -> bool:
        """Whether the text is written in ``code`` (else it reads as the source language's)."""
        return code in self._values

    def lang(self, code: str) -> str:
        """The language of the text shown in ``code``: ``code`` itself, or the source language."""
        return code if code in self._values else self.source

    def map(self, change: Callable[[str], str]) -> Text:
        return Text({code: change(value) for code, value in self._values.items()}, self.source)


@dataclass(frozen=True)
class Language:
    """A site language: its code (URL prefix, ``lang``), Babel locale, direction and digits."""

    code: str
    locale: str
    dir: str
    digits: str
    name: str
    grouping: bool = True
    """Whether numbers are written with the locale's thousands separator."""


@dataclass(frozen=True, order=True)
class FuzzyDate:
    """A date known to a year, a month or a day, with an optional qualifier."""

    year: int
    month: int | None = None
    day: int | None = None
    qualifier: str | None = None

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        return "day" if self.day else "month" if self.month else "year"

    @property
    def iso(self) -> str:
        """ISO 8601 at the date's precision, e.g. ``2025-09`` (for ``<time datetime>``)."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @property
    def latest(self) -> tuple[int, int, int]:
        """The last day the date can mean (``2024`` → 2024-12-31)."""
        return (self.year, self.month or 12, self.day or 31)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Orders dates chronologically, a year before the months within it."""
        return (self.year, self.month or 0, self.day or 0)


@dataclass(frozen=True)
class Citation:
    """A verified quote: where it is in its source and how to link to it."""

    source: str
    quote: str
    translation: Text
    """The quote in the site's languages: the quote itself in the source language, translated in the others."""
    line: int
    start: int
    end: int
    number: int = 0
    """The paragraph's number as the source page shows it (its place among the published paragraphs)."""

    @property
    def anchor(self) -> str:
        """The fragment id of the highlighted passage on the source page."""
        return f"q{self.line}-{self.start}-{self.end}"

    @property
    def paragraph(self) -> str:
        """The fragment id of the paragraph that holds the quote."""
        return f"p{self.line}"


Cites = tuple[Citation, ...]


@dataclass(frozen=True)
class Paragraph:
    """One line of a source document (its anchor is ``p<line>``)."""

    line: int
    text: str
    number: int = 0
    """Its place among the document's published paragraphs (1, 2, …), as the source page numbers them."""


@dataclass(frozen=True)
class Chrome:
    """A line of the original web page left out of the published text."""

    line: int
    text: str
    what: Text


@dataclass(frozen=True)
class Source:
    """One of the source documents, with what its text shows about itself."""

    id: str
    file: str
    label: Text
    headline: Text | None
    publisher: Text | None
    publisher_cite: Cites
    date: FuzzyDate | None
    date_cite: Cites
    dating: Text | None
    about: Text | None
    paragraphs: tuple[Paragraph, ...]
    chrome: tuple[Chrome, ...]


@dataclass(frozen=True)
class Entity:
    """A person or organisation named in the documents (the glossary entry)."""

    id: str
    kind: str
    side: str
    name: Text
    role: Text
    cite: Cites


@dataclass(frozen=True)
class Place:
    """A base, city, region or country, with coordinates and its role."""

    id: str
    kind: str
    name: Text
    lat: float
    lon: float
    phase: int | None
    role: Text
    cite: Cites


PLANNED = frozenset({"scheduled", "expected"})
"""Statuses of events that had not happened when reported."""


@dataclass(frozen=True)
class Event:
    """A dated entry on the timeline."""

    id: str
    date: FuzzyDate
    status: str
    title: Text
    body: Text | None
    places: tuple[str, ...]
    actors: tuple[str, ...]
    cite: Cites
    after: str | None = None
    key: bool = False
    """A key event: named on the timeline graphic and listed on the home page."""


@dataclass(frozen=True)
class Phase:
    """A phase of the withdrawal plan."""

    id: str
    number: int
    ends: FuzzyDate
    title: Text
    summary: Text
    places: tuple[str, ...]
    cite: Cites


@dataclass(frozen=True)
class Note:
    """A cited paragraph (what continues, what is unknown)."""

    id: str
    text: Text
    cite: Cites


@dataclass(frozen=True)
class Statement:
    """Something a person or organisation said."""

    id: str
    speaker: str
    date: FuzzyDate | None
    context: Text | None
    said: Text
    cite: Cites


@dataclass(frozen=True)
class Figure:
    """A key number."""

    id: str
    value: float
    approximate: bool
    label: Text
    note: Text | None
    cite: Cites


@dataclass(frozen=True)
class Question:
    """A question readers ask, answered from the documents."""

    id: str
    question: Text
    answer: Text
    cite: Cites


@dataclass(frozen=True)
class Side:
    """One side of a disagreement."""

    claim: Text
    cite: Cites


@dataclass(frozen=True)
class Disagreement:
    """Where the documents differ."""

    id: str
    topic: Text
    summary: Text
    sides: tuple[Side, ...]


@dataclass(frozen=True)
class Update:
    """An entry of the site's dated log of updates and corrections."""

    id: str
    date: FuzzyDate
    kind: str
    text: Text
    pages: tuple[str, ...] = ()
    """The pages the entry changed, by page key (``plan``, ``timeline/joint-statement``, ``plan#erbil``):
    a correction's notice is shown on each, and their last-modified dates come from it."""


@dataclass(frozen=True)
class Prose:
    """The editorial title and introduction of a built-in page, or a prose page of its own (About,
    Methodology…: an entry of ``pages.yaml`` that is not a built-in section, with a ``menu``)."""

    title: Text
    intro: Text
    """A section's introduction; a prose page's whole text (its ``body``)."""
    menu: str | None = None
    """Where a prose page is linked from: ``nav`` or ``footer`` (None: a built-in page)."""


@dataclass(frozen=True)
class Licence:
    """The licence of the site's own text and data (not of the source documents)."""

    id: str
    url: str
    name: Text


@dataclass(frozen=True)
class Site:
    """Site-wide settings."""

    title: Text
    description: Text
    base_url: str
    languages: tuple[Language, ...]
    page_kinds: tuple[str, ...] | None = None
    """The kinds of page the site builds (``content/site.yaml``'s ``page_kinds``); None: every kind."""
    licence: Licence | None = None


@dataclass(frozen=True, order=True)
class TranslationNote:
    """A translation problem of one item (stale, unreviewed, or numbers that differ), located at its id."""

    path: str
    line: int
    col: int
    file: str
    item: str
    kind: str
    message: str
    page: str = ""
    """The page that shows the item (its key)."""

    def format(self) -> str:
        """``path:line:col: kind: message``."""
        return f"{self.path}:{self.line}:{self.col}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class Coverage:
    """How many of the site's texts one language has (the source language has them all)."""

    lang: Language
    translated: int
    total: int


@dataclass(frozen=True, order=True)
class Draft:
    """An item or prose page marked ``draft: true``, located at its id."""

    path: str
    line: int
    col: int
    what: str
    """Its kind (``events``), or ``pages`` for a prose page."""
    id: str
    pages: tuple[tuple[str, str], ...]
    """Where it is shown: (page key, anchor on that page or "" for the whole page)."""

    def format(self) -> str:
        """``path:line:col: kind 'id'``."""
        return f"{self.path}:{self.line}:{self.col}: {self.what} '{self.id}'"


@dataclass(frozen=True)
class FactRef:
    """Where a cited fact is shown: page key, anchor, and a short title."""

    kind: str
    id: str
    page: str
    title: Text


@dataclass(frozen=True)
class Model:
    """Everything the site says: its settings, the editorial prose of its pages, and the items of
    every kind of content (:mod:`~explainer.kinds`), read as ``model.events``, ``model.sources``…"""

    site: Site
    collections: Mapping[str, tuple[Any, ...]]
    """The items of each kind, by the kind's name."""
    pages: Mapping[str, Prose]
    translation: tuple[TranslationNote, ...] = ()
    drafts: tuple[Draft, ...] = ()
    """Every draft, whether the model holds them (the live preview) or leaves them out (a build)."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Former page keys → the page key they now are (``timeline/old-id`` → ``timeline/new-id``)."""
    coverage: tuple[Coverage, ...] = ()
    """Each language's share of the texts (with the translation status; empty without it)."""

    def __getattr__(self, name: str) -> tuple[Any, ...]:
        try:
            found: tuple[Any, ...] = self.__dict__["collections"][name]
        except KeyError:
            raise AttributeError(name) from None
        if READING:
            READING[-1].add(name)
        return found

    @property
    def as_of(self) -> FuzzyDate | None:
        """The date the site's facts hold: that of its newest dated source (never the clock)."""
        dated = [s.date for s in self.sources if s.date is not None]
        return max(dated, key=lambda d: d.sort_key) if dated else None

    @property
    def last_updated(self) -> FuzzyDate | None:
        """The date of the newest entry of the log of updates and corrections."""
        return max((u.date for u in self.updates), key=lambda d: d.sort_key, default=None)

    @property
    def deadlines_after_as_of(self) -> tuple[Phase, ...]:
        """The phases whose deadline lies after :attr:`as_of`: the sources cannot say whether they were met."""
        as_of = self.as_of
        return tuple(p for p in self.phases if as_of is not None and p.ends.latest > as_of.sort_key)

    def shown_status(self, event: Event) -> str:
        """The status a reader is shown: a planned or expected event whose date had passed when the
        site was last updated is ``passed`` (a deadline whose outcome the sources do not report)."""
        updated = self.last_updated
        if event.status in PLANNED and updated is not None and event.date.latest < updated.sort_key:
            return "passed"
        return event.status
