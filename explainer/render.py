"""Stage 4 — render pages with Jinja2 (StrictUndefined, autoescape) and Markdown (see :mod:`~explainer.markdown`)."""

from __future__ import annotations

import gc
import os
import pickle
import posixpath
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from gettext import GNUTranslations, NullTranslations
from html import unescape
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import jinja2
from markupsafe import Markup, escape

from .errors import BuildError, Problem
from .i18n import Catalog, digits, format_date, format_number
from .markdown import Markdown, isolate_latin, resolve_links
from .model import Citation, FuzzyDate, Language, Model, Text
from .plan import NAV, Page, page_path
from .reuse import page_meta
from .structured import page_title
from .write import write_files

SOURCE_LANGUAGE = "ar"
"""The language the source documents (and so every quote) are written in."""


def make_markdown() -> Markdown:
    """The one Markdown renderer (see :mod:`~explainer.markdown`)."""
    return Markdown()


@dataclass(frozen=True)
class Renderer:
    """Renders planned pages to bytes; one Jinja environment per language."""

    model: Model
    envs: Mapping[str, jinja2.Environment]
    md: Markdown
    preview: bool = False

    shared: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Per language, what every page's metadata shares (computed once, not once per page)."""

    def render(self, page: Page) -> bytes:
        """One page as UTF-8 HTML."""
        code = page.lang or self.model.site.languages[0].code
        env = self.envs[code]
        template = env.get_template(page.template)
        if code not in self.shared:
            self.shared[code] = _shared_meta(self.model, code)
            self.shared[code]["translators"] = MappingProxyType({c: e.globals["gettext"] for c, e in self.envs.items()})
            self.shared[code]["source_labels"] = {s.id: env.filters["t"](s.label) for s in self.model.sources}
        view = _view(self.model, page, code)
        view.update(_meta(self.model, page, code, self.md, self.preview, self.shared[code]))
        view["translators"] = self.shared[code]["translators"]
        view["cite_view"] = partial(cite_view, cite_url=view["cite_url"], labels=self.shared[code]["source_labels"], lang=view["lang"])
        return template.render(view).encode("utf-8")


_CSP = {
    "default-src": "'none'",
    "style-src": "'self'",
    "font-src": "'self'",  # the Arabic family in static/fonts/
    "img-src": "'self'",
    "connect-src": "'self'",  # same-origin only: lets crawlers' tools read robots.txt
    "base-uri": "'none'",
    "form-action": "'none'",
}
CSP = "; ".join(f"{k} {v}" for k, v in _CSP.items())
"""The published site's Content-Security-Policy: nothing from elsewhere, no script at all."""

PREVIEW_CSP = "; ".join(f"{k} {v}" for k, v in {**_CSP, "script-src": "'self' 'unsafe-inline'", "connect-src": "'self' ws: http:"}.items())
"""The preview also runs livereload's script and its websocket (local only)."""


@lru_cache(maxsize=64)
def render_markdown(md: Markdown, text: str, lang: Language) -> str:
    """``text`` as HTML for ``lang``. Recent results are kept: an event page's description is
    taken from its body's HTML, which the page then shows."""
    return md.render(text, lang)


def _first_paragraph(html_text: str) -> str:
    """The text of the first paragraph of rendered Markdown, as one line (for meta descriptions)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html_text.split("</p>", 1)[0])).split())


def _plain(md: Markdown, text: str, lang: Language) -> str:
    """Markdown as one line of plain text (for meta descriptions)."""
    html_text = md.render(text.strip().split("\n\n")[0], Language(lang.code, lang.locale, "ltr", lang.digits, lang.name))
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html_text)).split())


def _shared_meta(model: Model, code: str) -> dict[str, Any]:
    """The metadata that is the same on every page of one language."""
    return {"lang": next(lng for lng in model.site.languages if lng.code == code)}


def _meta(model: Model, page: Page, code: str, md: Markdown, preview: bool, shared: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Per-page metadata: title, description, JSON-LD, share card, CSP, corrections (see :mod:`~explainer.reuse`)."""
    site = model.site
    shared = shared or _shared_meta(model, code)
    lang = shared["lang"]
    prose = model.pages.get(page.key)
    event = page.context.get("event")
    gettext = shared["translators"][code] if "translators" in shared else str
    title = page_title(model, page, code, gettext)
    if prose is not None:
        description = _plain(md, prose.intro[code], lang)
    elif event is not None:
        description = _first_paragraph(render_markdown(md, event.body[code], lang)) if event.body else site.description[code]
    else:
        description = site.description[code]
    if len(description) > 300:
        description = description[:299].rsplit(" ", 1)[0] + "…"
    return {
        "meta_title": digits(title, lang.digits),
        "meta_description": digits(description, lang.digits),
        "preview": preview,
        # reuse (issue 18): JSON-LD by kind of page, the share card, this page's CSP, correction notices
        **page_meta(model, page, code, title=title, description=description, preview=preview, shared=shared),
    }


@lru_cache(maxsize=1)
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept between builds and processes (Jinja's cache in the system's temporary
    folder, private to the user). Compiling the templates was a third of a build of the real site;
    an entry is used only while its template's source is unchanged (Jinja checks a hash of it)."""
    try:  # compiled code depends on the filters' signatures too: entries are kept per version of this code
        return jinja2.FileSystemBytecodeCache(pattern=f"__explainer_{_code_fingerprint()}_%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile every time
        return None


def _code_fingerprint() -> str:
    """A hash of the generator's own modules and Jinja's version."""
    import hashlib

    digest = hashlib.sha256(jinja2.__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def template_cache_dir() -> Path | None:
    """The private folder of the compiled templates (None without one)."""
    cache = _bytecode_cache()
    return Path(cache.directory) if isinstance(cache, jinja2.FileSystemBytecodeCache) else None


def ui_gettext(translations: GNUTranslations | NullTranslations) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
    """``gettext`` and ``ngettext`` for templates that do what Jinja's "newstyle" ones do (the
    translation is safe markup, %-formatted with the escaped keyword arguments; ``ngettext`` also
    gets ``num``) without their three context calls per string, and each string without arguments
    is translated once: UI strings were a quarter of the time of rendering the real site (9,000
    calls for 74 pages)."""
    get, nget = translations.gettext, translations.ngettext
    done: dict[str, Markup] = {}

    def gettext(message: str, /, **variables: Any) -> Markup:
        if variables:
            return Markup(get(message)) % variables
        found = done.get(message)
        if found is None:
            found = done[message] = Markup(get(message)) % {}
        return found

    def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        return Markup(nget(singular, plural, num)) % variables

    return gettext, ngettext


def make_environment(templates: Path, lang: Language, catalog: Catalog | None, model: Model, md: Markdown) -> jinja2.Environment:
    """A strict, autoescaping environment with the language's catalog and filters installed."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build makes its environments afresh: no need to check every template's mtime per page
        bytecode_cache=_bytecode_cache(),
    )
    translations = catalog.translations if catalog is not None else NullTranslations()
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    gettext, ngettext = ui_gettext(translations)  # type: ignore[arg-type]
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)

    def t(text: Text | None) -> Markup:
        """Plain text in this language: escaped, digits applied, Latin isolated in RTL."""
        if text is None:
            return Markup("")
        out = str(escape(digits(text[lang.code], lang.digits)))
        return Markup(isolate_latin(out) if lang.dir == "rtl" else out)

    @jinja2.pass_context
    def md_filter(context: jinja2.runtime.Context, text: Text | None) -> Markup:
        """Markdown in this language; links to the site's pages (by page key) made relative to this page."""
        if text is None:
            return Markup("")
        page = context["page"]
        return Markup(resolve_links(render_markdown(md, text[lang.code], lang), partial(_page_url, page.path, lang.code)))

    def quote_filter(value: str) -> Markup:
        """A quote in the source language, with this page's digit policy."""
        return escape(digits(value, lang.digits if lang.code == SOURCE_LANGUAGE else "latn"))

    def date_filter(date: FuzzyDate | None) -> str:
        return "" if date is None else format_date(date, lang)

    env.filters.update(
        t=t,
        md=md_filter,
        quote=quote_filter,
        date=date_filter,
        num=lambda v: format_number(v, lang),
        digits=lambda s: digits(str(s), lang.digits),
    )
    return env


def by_source(cites: Sequence[Citation]) -> list[tuple[str, list[Citation]]]:
    """Citations grouped by document, in order of first appearance (one label per document)."""
    groups: dict[str, list[Citation]] = {}
    for cite in cites:
        groups.setdefault(cite.source, []).append(cite)
    return list(groups.items())


CiteGroup = tuple[Markup, str, list[tuple[str, str]]]
"""A document's label, the link to its first quote, and the number and link of each other quote."""

CiteQuote = tuple[str, str, str, Markup, str]
"""A quote in the page's digits, its English, its link, its document's label and its paragraph number."""


def cite_view(
    cites: Sequence[Citation], *, cite_url: Callable[[Citation], str], labels: Mapping[str, Markup], lang: Language
) -> tuple[list[CiteGroup], list[CiteQuote]]:
    """What the ``cites`` macro of the templates shows, worked out here in one call: the macro
    looked up, filtered and escaped each of these itself, and took a third of a page's rendering."""
    groups = []
    for source, group in by_source(cites):
        links = [cite_url(cite) for cite in group]
        groups.append((labels[source], links[0], [(format_number(n, lang), link) for n, link in enumerate(links[1:], 2)]))
    policy = lang.digits if lang.code == SOURCE_LANGUAGE else "latn"
    quotes = [(digits(c.quote, policy), c.en, cite_url(c), labels[c.source], format_number(c.number, lang)) for c in cites]
    return groups, quotes


@lru_cache(maxsize=4096)
def _relative(from_path: str, to_path: str) -> str:
    """A relative URL from the page at ``from_path`` to ``to_path`` (both site-relative).

    Remembered: a page links to the same pages and sources many times."""
    from_dir = from_path if from_path.endswith("/") or not from_path else posixpath.dirname(from_path) + "/"
    if from_dir.startswith("/") or to_path.startswith("/") or "/." in f"/{from_dir}/{to_path}" or "//" in f"{from_dir}|{to_path}":
        rel = posixpath.relpath(to_path or ".", from_dir or ".")
    else:  # plain paths: what relpath gives, without its calls to os.getcwd() (pages make many links)
        here, there = from_dir.split("/")[:-1], [part for part in to_path.split("/") if part]
        common = 0
        while common < min(len(here), len(there)) and here[common] == there[common]:
            common += 1
        rel = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    if to_path.endswith("/") or not to_path:
        rel = "./" if rel == "." else rel + "/"
    return rel


def _page_url(from_path: str, code: str, key: str, anchor: str) -> str | None:
    """The URL, relative to the page at ``from_path``, of the page ``key`` in language ``code`` (None: no such kind of page)."""
    try:
        target = page_path(code, key)
    except KeyError:
        return None
    return _relative(from_path, target) + (f"#{anchor}" if anchor else "")


def _view(model: Model, page: Page, code: str) -> dict[str, Any]:
    """The narrow, read-only view a template receives."""
    site = model.site
    lang = next(lang for lang in site.languages if lang.code == code)
    sources = {s.id: s for s in model.sources}
    entities = {e.id: e for e in model.entities}
    places = {p.id: p for p in model.places}

    def url(key: str, anchor: str = "", to_lang: str | None = None) -> str:
        target_lang = to_lang or code
        return _relative(page.path, page_path(target_lang, key)) + (f"#{anchor}" if anchor else "")

    def cite_url(cite: Citation) -> str:
        return url(f"sources/{cite.source}", cite.anchor)

    def absolute(path: str) -> str:
        return site.base_url + path

    return {
        "site": site,
        "lang": lang,
        "languages": site.languages,
        "source_language": next(lng for lng in site.languages if lng.code == SOURCE_LANGUAGE),
        "page": page,
        "model": model,
        "prose": model.pages.get(page.key),
        "nav": NAV,
        "sources_by_id": MappingProxyType(sources),
        "entities": MappingProxyType(entities),
        "places_by_id": MappingProxyType(places),
        "url": url,
        "cite_url": cite_url,
        "absolute": absolute,
        "site_root": "/" + site.base_url.split("://", 1)[1].split("/", 1)[1],  # the base URL's path, for pages served at any depth
        "relative": lambda path: _relative(page.path, path),
        "asset": lambda name: _relative(page.path, f"static/{name}"),
    }


def compile_all(envs: Mapping[str, jinja2.Environment], templates: Path, show: Callable[[Path], str]) -> list[Problem]:
    """Compile every template (used or not) and report syntax errors with file and line."""
    problems = []
    env = next(iter(envs.values()))
    for name in env.list_templates(extensions=["html", "xml", "txt"]):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            hint = "fix the Jinja tag on this line (matching {% %} / {{ }}, end tags)"
            problems.append(Problem(show(templates / name), exc.lineno or 1, 1, f"template syntax error: {exc.message}", hint))
        except UnicodeDecodeError as exc:  # exc.object is the template's bytes
            raw, at = bytes(exc.object), exc.start
            line, col = raw.count(b"\n", 0, at) + 1, len(raw[raw.rfind(b"\n", 0, at) + 1 : at].decode("utf-8", "replace")) + 1
            message = f"template is not valid UTF-8 (byte 0x{raw[at]:02x})"
            problems.append(Problem(show(templates / name), line, col, message, "save it as UTF-8"))
    return problems


def template_problem(exc: Exception, templates: Path, show: Callable[[Path], str]) -> Problem:
    """Locate a render-time error in the template that raised it."""
    frames = [(file, line) for file, line in _frames(exc) if Path(file).suffix == ".html"]
    if frames:
        file, line = frames[-1]
        path = show(Path(file))
    else:
        path, line = show(templates), 1
    if isinstance(exc, jinja2.UndefinedError):
        return Problem(path, line, 1, f"template error: {exc.message}", "check the variable's name, or define it before use")
    return Problem(path, line, 1, f"template error: {type(exc).__name__}: {exc}", "check this template line")


def _in_template(exc: BaseException) -> bool:
    return any(Path(file).suffix == ".html" for file, _line in _frames(exc))


def _frames(exc: BaseException) -> list[tuple[str, int]]:
    """File and line of each frame of ``exc``'s traceback, innermost last (Jinja puts templates' own)."""
    import traceback  # only errors need it: not imported by every build

    return [(f.filename, f.lineno or 1) for f in traceback.extract_tb(exc.__traceback__) if f.filename]


PARALLEL_FROM = 400
"""Sites with this many pages render in a pool of worker processes (see :func:`_render_in_workers`)."""

SPLIT_FROM = 24
"""Smaller sites from this many pages are split in two (see :func:`_render_split`): starting a pool
would cost more than they take, one forked process does not. Smaller ones render in this process."""


def render_all(
    renderer: Renderer,
    pages: Sequence[Page],
    templates: Path,
    show: Callable[[Path], str],
    *,
    into: Path | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, bytes]:
    """Render every page; template errors are collected and raised together.

    Without ``into`` the pages are returned (output path → bytes). With ``into`` each page is
    written to ``into/<output>`` as soon as it is rendered and nothing is returned, so a large site
    never has to sit in memory. A site of :data:`PARALLEL_FROM` pages or more is rendered by
    ``jobs`` worker processes (default: one per core), see :func:`_render_in_workers`.
    ``meanwhile`` is called in this process while the workers render (else before rendering).
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(pages) >= PARALLEL_FROM and can_fork():
        out, problems = _render_in_workers(renderer, pages, templates, show, into, jobs, meanwhile)
    elif jobs > 1 and len(pages) >= SPLIT_FROM and can_fork():
        out, problems = _render_split(renderer, pages, templates, show, into, meanwhile)
    else:
        if meanwhile is not None:
            meanwhile()
        out, problems = _render_range(renderer, pages, templates, show, into, 0, len(pages))
    if problems:
        raise BuildError(problems)
    return out


def _render_range(
    renderer: Renderer, pages: Sequence[Page], templates: Path, show: Callable[[Path], str], into: Path | None, start: int, stop: int
) -> tuple[dict[str, bytes], list[Problem]]:
    """Render ``pages[start:stop]``: their files (none if written ``into`` a folder) and problems."""
    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    for page in pages[start:stop]:
        try:
            out[page.output] = renderer.render(page)
        except jinja2.TemplateSyntaxError:
            continue  # reported once, with its line, by compile_all
        except jinja2.TemplateError as exc:
            problems.append(template_problem(exc, templates, show))
        except Exception as exc:  # raised by a template's code (1/0, a bad call): located; anything else stays visible
            if not isinstance(exc, (TypeError, KeyError, AttributeError, ValueError)) and not _in_template(exc):
                raise
            problems.append(template_problem(exc, templates, show))
    if into is not None:
        write_files(out, into, _made_folders)
        out = {}
    return out, problems


_made_folders: set[str] = set()
"""Output folders this process has created (each worker writes its pages' folders once)."""

_work: tuple[Any, ...] = ()
"""What the workers render: set just before they are forked, so they inherit it instead of unpickling it."""


def can_fork() -> bool:
    """Workers are forked, and forking is safe only from a single-threaded process on a POSIX system.

    (The live preview rebuilds from a watcher thread: it renders in its own process.)
    """
    return hasattr(os, "fork") and threading.active_count() == 1


def _render_in_workers(
    renderer: Renderer,
    pages: Sequence[Page],
    templates: Path,
    show: Callable[[Path], str],
    into: Path | None,
    jobs: int,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[dict[str, bytes], list[Problem]]:
    """Render ``pages`` in ``jobs`` forked processes, in chunks, and gather their files and problems.

    The workers are forked after the model, the environments and the compiled templates exist,
    so they share them (copy-on-write) instead of loading or pickling anything; each chunk
    sends back only its problems (and its pages when they are not written in place).
    ``gc.freeze()`` keeps the cyclic GC from scanning (and so copying) the shared objects.
    """
    global _work
    size = max(20, min(400, len(pages) // (jobs * 8)))
    chunks = [(i, min(i + size, len(pages))) for i in range(0, len(pages), size)]
    _work = (renderer, pages, templates, show, into)
    gc.freeze()
    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    try:
        import multiprocessing  # only large sites start a pool; its modules are not imported otherwise

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.imap_unordered(_render_chunk, chunks)  # the workers start on them now
            if meanwhile is not None:
                meanwhile()
            for files, found in results:
                out.update(files)
                problems += found
    finally:
        _work = ()
        gc.unfreeze()
    return out, problems


def _render_split(
    renderer: Renderer,
    pages: Sequence[Page],
    templates: Path,
    show: Callable[[Path], str],
    into: Path | None,
    meanwhile: Callable[[], None] | None,
) -> tuple[dict[str, bytes], list[Problem]]:
    """Render every other page in one forked process, and the rest (and ``meanwhile``) in this one.

    Alternate pages, because a site's few long pages (the timeline, the plan) come in a row. The
    child writes its pages itself (or sends them) and sends its problems (see :func:`with_child`).
    """
    theirs, mine = list(pages[1::2]), list(pages[0::2])

    def here() -> tuple[dict[str, bytes], list[Problem]]:
        if meanwhile is not None:
            meanwhile()
        return _render_range(renderer, mine, templates, show, into, 0, len(mine))

    gc.freeze()  # the child shares every object: collections in it would copy them all
    try:
        (out, problems), (files, found) = with_child(lambda: _render_range(renderer, theirs, templates, show, into, 0, len(theirs)), here)
    finally:
        gc.unfreeze()
    return {**out, **files}, [*problems, *found]


T = TypeVar("T")


def with_child(there: Callable[[], Any], here: Callable[[], T]) -> tuple[T, Any]:
    """Run ``there`` in a forked child process while this one runs ``here``; return both results.

    The child sends its result, or the exception that stopped it, through a pipe (pickled), then
    exits at once, without running this process's clean-up. The child is waited for even if
    ``here`` raises; an exception raised by ``there`` is raised again here, as in one process.
    """
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(reading)
            try:
                result: tuple[bool, Any] = (True, there())
            except BaseException as exc:
                result = (False, exc)
            with os.fdopen(writing, "wb") as pipe:
                pickle.dump(result, pipe)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    try:
        mine = here()
    finally:
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("a forked process of the build stopped without a result")
    done, theirs = pickle.loads(data)
    if not done:
        raise theirs
    return mine, theirs


def _render_chunk(bounds: tuple[int, int]) -> tuple[dict[str, bytes], list[Problem]]:
    renderer, pages, templates, show, into = _work
    return _render_range(renderer, pages, templates, show, into, *bounds)
