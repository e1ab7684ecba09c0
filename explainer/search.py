"""Search: a Pagefind index of everything the site says, per language, made at build time.

Pagefind only lowercases and stems, and readers type Arabic in many ways. So the text is indexed
*normalised* (:func:`normalise`, after Lucene's ``ArabicNormalizer``) and ``static/search.js``
normalises the query by the same rules before it searches: the forms of alef (أ إ آ ٱ → ا),
alef maqsura (ى → ي), ta marbuta (ة → ه, as Lucene does: a word typed with either ending
matches), the Persian and Kurdish keyboards' kaf and ya (ک → ك, ی → ي), no diacritics, no
tatweel, and Arabic-Indic digits equal to Latin ones (٢٠٢٥ → 2025). The two normalisers are
tested against each other.

Each item the site shows is one record (an event's own page, a place, a statement, a question, a
side of the plan, a source document, an entry of the log, each page's introduction), in its
language, with its URL (``ar/plan/#erbil``), its title, the name of its page and its text as
published: the results show those, and the text the index holds is never shown.

Pagefind's Python package drives its binary through the binary's ``--service`` protocol (base64
JSON messages, each ended by a comma) and waits 0.1 s between reading two answers, which made a
few hundred records take 30 s; :class:`_Service` speaks the same protocol without the waits.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import IO, Any

from .errors import BuildError, Problem
from .i18n import digits, format_date
from .markdown import Markdown
from .model import Language, Model, Text
from .plan import Page, page_path

# --- the Arabic normaliser (static/search.js has the same rules) ---------------------------------

_DROP = (
    "\u064b-\u065f"  # harakat: tanween, fatha, damma, kasra, shadda, sukun, and the combining hamza and madda
    "\u0670"  # superscript alef
    "\u0640"  # tatweel
    "\u06d6-\u06ed"  # Quranic marks
    "\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"  # soft hyphen, direction marks and isolates, zero widths
)
_DROP_RE = re.compile(f"[{_DROP}]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian/Kurdish ya
        "ک": "ك",  # Persian/Kurdish kaf
        "ة": "ه",
        "ە": "ه",  # Kurdish ae, typed for a final ha or ta marbuta
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended (Persian) digits
    }
)


def normalise(text: str) -> str:
    """``text`` as the index holds it: compatibility forms composed (NFKC: presentation forms and
    ligatures become letters), lowercase, diacritics and invisible marks dropped, letters folded."""
    return _DROP_RE.sub("", unicodedata.normalize("NFKC", text).lower()).translate(_FOLD)


# --- what is indexed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One search result: where it is, what it is called, the page it is on, and its text."""

    url: str
    title: str
    page: str
    text: str


_TAG = re.compile(r"<[^>]+>")


def plain(md: Markdown, text: str, lang: Language) -> str:
    """Markdown as plain text, in the language's digits."""
    return " ".join(unescape(_TAG.sub(" ", md.render(text, lang))).split())


_QUALIFIED = {"about": "about %(date)s", "by": "by %(date)s", "no-later-than": "no later than %(date)s"}
"""A date's qualifier as the UI strings write it (the templates' ``when`` macro uses the same strings)."""


class _Words:
    """One language's texts as the index holds them: plain, in the language's digits."""

    def __init__(self, model: Model, lang: Language, md: Markdown, gettext: Callable[[str], str]) -> None:
        self.model, self.lang, self.md, self.gettext, self.code = model, lang, md, gettext, lang.code

    def t(self, text: Text | None) -> str:
        return "" if text is None else digits(" ".join(text[self.code].split()), self.lang.digits)

    def m(self, text: Text | None) -> str:
        return "" if text is None else plain(self.md, text[self.code], self.lang)

    def when(self, date: Any) -> str:
        """The date as the pages write it, with its qualifier ("no later than 23 July 2024")."""
        if date is None:
            return ""
        shown, form = format_date(date, self.lang), _QUALIFIED.get(date.qualifier or "")
        return self.gettext(form) % {"date": shown} if form else shown

    def section(self, key: str) -> str:
        prose = self.model.pages.get(key)
        return self.t(prose.title) if prose is not None else digits(str(self.gettext("Updates and corrections")), self.lang.digits)

    def path(self, key: str, anchor: str = "") -> str:
        return page_path(self.code, key) + (f"#{anchor}" if anchor else "")


def records(model: Model, lang: Language, md: Markdown, gettext: Callable[[str], str]) -> list[Record]:
    """Every record of one language (see the module's docstring)."""
    w = _Words(model, lang, md, gettext)
    out = [*_pages_and_events(model, w), *_plan_and_people(model, w), *_other_records(model, w)]
    return [r for r in out if r.text or r.title]


def _pages_and_events(model: Model, w: _Words) -> Iterator[Record]:
    places = {p.id: p for p in model.places}
    entities = {e.id: e for e in model.entities}
    for key, prose in model.pages.items():
        yield Record(w.path(key), w.t(prose.title), w.t(prose.title), w.m(prose.intro))
    for e in model.events:
        names = [w.t(places[p].name) for p in e.places if p in places] + [w.t(entities[a].name) for a in e.actors if a in entities]
        yield Record(w.path(f"timeline/{e.id}"), w.t(e.title), w.section("timeline"), " ".join([w.when(e.date), w.m(e.body), *names]))


def _plan_and_people(model: Model, w: _Words) -> Iterator[Record]:
    for p in model.phases:
        yield Record(w.path("plan", p.id), w.t(p.title), w.section("plan"), " ".join([w.when(p.ends), w.m(p.summary)]))
    for n in model.continues + model.unknowns:
        text = w.m(n.text)
        yield Record(w.path("plan", n.id), text[:100] + ("…" if len(text) > 100 else ""), w.section("plan"), text)
    for pl in model.places:
        yield Record(w.path("plan", pl.id), w.t(pl.name), w.section("plan"), w.m(pl.role))
    entities = {e.id: e for e in model.entities}
    for en in model.entities:
        yield Record(w.path("people", en.id), w.t(en.name), w.section("people"), w.t(en.role))
    for s in model.statements:
        speaker = entities.get(s.speaker)
        name = w.t(speaker.name) if speaker is not None else ""
        yield Record(w.path("people", s.id), name, w.section("people"), " ".join([w.when(s.date), w.t(s.said), w.t(s.context)]))


def _other_records(model: Model, w: _Words) -> Iterator[Record]:
    for f in model.figures:
        yield Record(w.path("home", f.id), w.t(f.label), w.section("home"), " ".join([str(f.value), w.t(f.label), w.m(f.note)]))
    for q in model.questions:
        yield Record(w.path("questions", q.id), w.t(q.question), w.section("questions"), w.m(q.answer))
    for d in model.disagreements:
        claims = " ".join(w.t(side.claim) for side in d.sides)
        yield Record(w.path("differences", d.id), w.t(d.topic), w.section("differences"), f"{w.m(d.summary)} {claims}")
    for src in model.sources:
        about = [w.t(src.headline), w.t(src.publisher), w.when(src.date), w.m(src.dating), w.m(src.about)]
        if w.code == model.site.languages[0].code:  # the documents' words are searched on the pages of their language
            about += [p.text for p in src.paragraphs]
        yield Record(w.path(f"sources/{src.id}"), w.t(src.label), w.section("sources"), " ".join(a for a in about if a))
    for u in model.updates:
        yield Record(w.path("updates", u.id), f"{w.section('updates')} · {w.when(u.date)}", w.section("updates"), w.m(u.text))


# --- the index ---------------------------------------------------------------------------------

KEEP = re.compile(
    r"pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\.(?!unknown)[a-z-]+\.pagefind|pagefind\..+\.pf_meta|(index|fragment|filter)/.+"
)
"""Pagefind's files that the search page uses (not its ready-made interfaces or playground)."""

FOLDER = "pagefind"


def search_files(model: Model, pages: Sequence[Page], md: Markdown, gettexts: Mapping[str, Callable[[str], str]]) -> dict[str, bytes]:
    """The search index of every language that has a search page, as ``pagefind/…`` files."""
    return Indexing(model, pages, md, gettexts).result()


class Indexing:
    """:func:`search_files` in a thread, so the build draws share cards while Pagefind builds the
    index in its own process (the thread mostly waits for Pagefind's answers). The records are
    made here, before the thread starts; :meth:`result` waits for the files (or raises what
    stopped the thread)."""

    def __init__(self, model: Model, pages: Sequence[Page], md: Markdown, gettexts: Mapping[str, Callable[[str], str]]) -> None:
        import threading

        languages = [lang for lang in model.site.languages if any(p.key == "search" and p.lang == lang.code for p in pages)]
        found = [(lang.code, r) for lang in languages for r in records(model, lang, md, gettexts[lang.code])]
        self._files: dict[str, bytes] = {}
        self._error: BaseException | None = None

        def work() -> None:
            try:
                self._files = {f"{FOLDER}/{path}": data for path, data in index(found).items()} if found else {}
            except BaseException as exc:  # raised again by result(), in the build's own thread
                self._error = exc

        self._thread = threading.Thread(target=work, name="pagefind", daemon=True)
        self._thread.start()

    def result(self) -> dict[str, bytes]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._files


def index(found: Sequence[tuple[str, Record]]) -> dict[str, bytes]:
    """Pagefind's bundle for ``(language, record)`` pairs, by path inside the bundle."""
    with _Service() as service:
        made = service.call({"type": "NewIndex", "config": None})
        index_id = made["index_id"]
        for code, record in found:
            content = normalise(f"{record.title}\n{record.text}")
            meta = {"title": record.title, "page": record.page, "text": record.text[:1500]}
            service.call(
                {
                    "type": "AddRecord",
                    "index_id": index_id,
                    "url": record.url,
                    "content": content,
                    "language": code,
                    "meta": meta,
                    "filters": None,
                    "sort": None,
                }
            )
        files = service.call({"type": "GetFiles", "index_id": index_id})["files"]
    out = {f["path"]: base64.b64decode(f["content"]) for f in files if KEEP.fullmatch(f["path"])}
    entry = json.loads(out["pagefind-entry.json"])  # its languages come in any order: the same every build
    out["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return dict(sorted(out.items()))


def executable() -> Path:
    """Pagefind's binary, from the ``pagefind[extended]`` package (found without importing it)."""
    import importlib.util

    for package, names in (("pagefind_bin_extended", ("pagefind_extended", "pagefind")), ("pagefind_bin", ("pagefind",))):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            for name in names:
                for suffix in ("", ".exe"):
                    candidate = Path(spec.origin).parent / f"{name}{suffix}"
                    if candidate.is_file():
                        return candidate
    raise BuildError(
        [Problem("pyproject.toml", 1, 1, "Pagefind's binary is not installed", "install the lock: pip install -r requirements/site.txt")]
    )


class _Service:
    """Pagefind's ``--service`` mode: one request, one answer, in order."""

    def __enter__(self) -> _Service:
        # Pagefind reads pagefind.yml/.yaml/.toml/.json from its working folder and PAGEFIND_* variables (a `logfile`
        # there replaces any file, a FIFO hangs it): it runs in an empty folder of its own, without them.
        self._folder = tempfile.TemporaryDirectory(prefix="explainer-pagefind-")
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND")}
        try:
            self._process = subprocess.Popen(
                [str(executable()), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self._folder.name,
                env=env,
            )
        except BaseException:
            self._folder.cleanup()
            raise
        self._next = 0
        self._buffer = b""
        return self

    def call(self, payload: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._next += 1
        message = {"message_id": self._next, "payload": payload}
        self._process.stdin.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
        self._process.stdin.flush()
        answer = json.loads(base64.b64decode(self._read(self._process.stdout)))
        result: dict[str, Any] = answer["payload"]
        if answer.get("message_id") != self._next or result.get("type") == "Error":
            raise RuntimeError(f"Pagefind refused {payload['type']}: {result.get('message', result)}")
        return result

    def _read(self, stdout: IO[bytes]) -> bytes:
        while b"," not in self._buffer:
            chunk = stdout.read1(1 << 16)  # type: ignore[attr-defined]
            if not chunk:
                raise RuntimeError(
                    "Pagefind stopped: " + (self._process.stderr.read().decode("utf-8", "replace") if self._process.stderr else "")
                )
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b",", 1)
        return message

    def __exit__(self, *exc: object) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        self._folder.cleanup()
