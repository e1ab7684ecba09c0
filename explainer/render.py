"""Stage 4 — render pages with Jinja2 (StrictUndefined, autoescape) and Markdown (see :mod:`~explainer.markdown`)."""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import tempfile
import threading
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial, wraps
from gettext import GNUTranslations, NullTranslations
from html import unescape
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import jinja2
from markupsafe import Markup, escape

from .assets import hashed_name
from .errors import BuildError, Problem
from .i18n import digits, format_date, format_number
from .markdown import Markdown, isolate_latin, resolve_links
from .model import READING, Citation, FuzzyDate, Language, Model, Text
from .plan import NAV, Page, menu_pages, page_path
from .project import InputError, Project, universal_newlines
from .reuse import page_meta, shared_state
from .structured import page_title
from .typography import place_names, quoted, smart, smart_html, typeset_text, whole_dates, whole_names
from .uitext import has_markup
from .workers import LIMIT_VARIABLE, TimedOut, Watch, WorkerDied, in_workers, render_limit
from .write import write_files


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

    reads: dict[str, frozenset[str]] | None = None
    """If given: for each page rendered (by its output), what it read of the model (see :data:`~explainer.model.READING`)."""

    shared: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Per language, what every page's metadata shares (computed once, not once per page)."""

    def render(self, page: Page) -> bytes:
        """One page as UTF-8 HTML."""
        if self.reads is None:
            return self._render(page)
        READING.append(set())
        try:
            html = self._render(page)
        finally:
            self.reads[page.output] = frozenset(READING.pop())
        return html

    def prepare(self) -> None:
        """Make what the pages of every language share now, not while the first page is rendered
        (what a page reads of it is then never recorded as that page's own, see :attr:`reads`)."""
        state = None
        for code in self.envs:
            if state is not None:
                self._shared(code)["reuse"] = state  # the same in every language
            state = shared_state(self.model, self._shared(code))

    def _shared(self, code: str) -> dict[str, Any]:
        if code not in self.shared:
            env = self.envs[code]
            self.shared[code] = _shared_meta(self.model, code)
            self.shared[code]["translators"] = MappingProxyType({c: e.globals["gettext"] for c, e in self.envs.items()})
            self.shared[code]["source_labels"] = {s.id: env.filters["t"].__wrapped__(s.label) for s in self.model.sources}
        return self.shared[code]

    def _render(self, page: Page) -> bytes:
        code = page.lang or self.model.site.languages[0].code
        env = self.envs[code]
        template = env.get_template(page.template)
        self._shared(code)
        view = _view(self.model, page, code)
        view.update(_meta(self.model, page, code, self.md, self.preview, self.shared[code]))
        view["translators"] = self.shared[code]["translators"]
        view["cite_view"] = partial(cite_view, cite_url=view["cite_url"], labels=self.shared[code]["source_labels"], lang=view["lang"])
        fallbacks = cast(list[Text], env.globals["untranslated"])
        fallbacks.clear()
        html = template.render(view)
        if UNTRANSLATED in html:  # the notice, where the template wants it, if any text was not yet translated
            notice = env.get_template("_untranslated.html").render(view) if fallbacks else ""
            html = html.replace(UNTRANSLATED, notice, 1)
        return html.encode("utf-8")


UNTRANSLATED = "<!--untranslated-->"
"""Where a template wants the notice that parts of the page are not yet translated: replaced by
``_untranslated.html`` if any text of the page was shown in the source language, else removed."""


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
        "overlay": {name: f"__preview/{published}" for name, (published, _data) in overlay_files().items()} if preview else {},
        # reuse (issue 18): JSON-LD by kind of page, the share card, this page's CSP, correction notices
        **page_meta(model, page, code, title=title, description=description, preview=preview, shared=shared),
    }


@lru_cache(maxsize=1)
def overlay_files() -> dict[str, tuple[str, bytes]]:
    """The live preview's error overlay (never part of the published site): by its own name, its published name below
    ``__preview/`` and its bytes. The published name carries a hash of the bytes, so a page reloaded after a save takes
    the overlay from the browser's cache without asking again (see :mod:`~explainer.serve`)."""
    folder = Path(__file__).parent / "preview"
    return {name: (hashed_name(name, data), data) for name in ("overlay.js", "overlay.css") for data in [(folder / name).read_bytes()]}


def _bytecode_cache(project: Project) -> jinja2.BytecodeCache | None:
    """Compiled templates, kept between builds and processes (Jinja's cache in the system's temporary
    folder, private to the user); an entry is used only while its template's source is unchanged (Jinja checks a hash of it).

    None (compile every time) where the temporary folder is inside the project (``TMPDIR=$PWD/static``): the cache
    would be published, and a repository could ship a cache file there, which Jinja loads as compiled code (review s9, D02)."""
    try:
        folder = tempfile.gettempdir()
    except OSError:  # (no temporary folder at all)
        return None
    return None if project.holds(folder) else _cache_in(folder)


@lru_cache(maxsize=4)
def _cache_in(_folder: str) -> jinja2.BytecodeCache | None:
    """Jinja's bytecode cache in the temporary folder ``_folder`` (which Jinja finds itself, and checks is the user's)."""
    try:  # compiled code depends on the filters' signatures too: entries are kept per version of this code
        return _SharedCache(pattern=f"__explainer_{_code_fingerprint()}_%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile every time
        return None


class _SharedCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache with an entry per template name rather than per name and folder: a copy of the project
    elsewhere (a second checkout, the tests' fixture sites) uses what the first compiled. An entry is used only
    while the source is the same (Jinja compares a hash of it); :class:`ProjectLoader` names the loaded template
    by its own path."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(name)


def _code_fingerprint() -> str:
    """A hash of the generator's own modules and Jinja's version."""
    import hashlib

    digest = hashlib.sha256(jinja2.__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def ui_gettext(translations: GNUTranslations | NullTranslations) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
    """``gettext`` and ``ngettext`` for templates that do what Jinja's "newstyle" ones do (the
    translation %-formatted with the escaped keyword arguments; ``ngettext`` also gets ``num``) without
    their context calls, and each string without arguments is translated once. A translation is text
    (escaped), unless its msgid carries markup: then the catalog's check has made sure the translation
    holds the msgid's tags and no others (see :mod:`explainer.uitext`)."""
    get, nget = translations.gettext, translations.ngettext
    done: dict[str, Markup] = {}

    def markup(source: str, translated: str) -> Markup:
        return Markup(translated) if has_markup(source) else escape(translated)

    def gettext(message: str, /, **variables: Any) -> Markup:
        if variables:
            return markup(message, get(message)) % variables
        found = done.get(message)
        if found is None:
            found = done[message] = markup(message, get(message)) % {}
        return found

    def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        return markup(singular + plural, nget(singular, plural, num)) % variables

    return gettext, ngettext


class RefusedTemplate(jinja2.TemplateError):
    """A template that cannot be read (unreadable, or resolving outside the project), with its located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class ProjectLoader(jinja2.BaseLoader):
    """Templates from the project's ``templates/``, read as the project reads every input
    (:meth:`~explainer.project.Project.read_bytes`): a template, or a folder on the way to one, that
    resolves outside the project is refused, whether it is rendered, included or imported."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.folder = project.templates

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        try:
            raw = self.project.read_bytes(path)
        except InputError as exc:
            if exc.missing:
                raise jinja2.TemplateNotFound(template) from None
            raise RefusedTemplate(exc.problem) from None
        return universal_newlines(raw.decode("utf-8")), str(path), lambda: False

    def load(self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """The template ``name``, named by its path in this project (its compiled code may have been cached
        from a copy in another folder, see :class:`_SharedCache`): errors in it are located here."""
        template = super().load(environment, name, globals)
        template.filename = str(self.folder.joinpath(*jinja2.loaders.split_template_path(name)))
        return template

    def list_templates(self) -> list[str]:
        files, _problems = self.project.files_below(self.folder)  # what cannot be read is refused when loaded
        return sorted(p.relative_to(self.folder).as_posix() for p in files)


def _strict_environment(project: Project) -> jinja2.Environment:
    """The project's templates, strict (undefined names fail) and autoescaping, with gettext."""
    return jinja2.Environment(
        loader=ProjectLoader(project),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build makes its environments afresh: no need to check every template's mtime per page
        bytecode_cache=_bytecode_cache(project),
    )


def make_environment(project: Project, lang: Language, translations: NullTranslations, model: Model, md: Markdown) -> jinja2.Environment:
    """A strict, autoescaping environment with the language's catalog and filters installed."""
    env = _strict_environment(project)
    first = model.site.languages[0] if model is not None else lang  # the source language: of the documents, and of every text
    source = first.code
    fallbacks = env.globals["untranslated"] = []  # this page's texts shown in the source language (see Renderer.render)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    gettext, ngettext = ui_gettext(typeset_catalog(translations, lang))
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)

    by_code = {other.code: other for other in model.site.languages} if model is not None else {lang.code: lang}
    units = place_names(model, lang.code) if model is not None else ()

    def plain(text: str) -> str:
        """The site's own words in this language as shown: dates and place names kept whole, marks in the language's style."""
        return whole_names(typeset_text(text, lang), units, hyphens=True)

    def t(text: Text | None) -> Markup:
        """Plain text in this language: escaped, digits applied, Latin isolated in RTL. A text not yet
        translated into it is shown in the source language, marked with that language (and counted)."""
        if text is None:
            return Markup("")
        shown = lang if not isinstance(text, Text) or text.has(lang.code) else first
        words = digits(text[lang.code], shown.digits)
        out = str(escape(plain(words) if shown is lang else typeset_text(words, shown)))
        out = isolate_latin(out) if shown.dir == "rtl" else out
        if shown is lang:
            return Markup(out)
        fallbacks.append(text)
        return Markup(f'<span class="untranslated" lang="{shown.code}" dir="{shown.dir}">{out}</span>')

    @jinja2.pass_context
    def md_filter(context: jinja2.runtime.Context, text: Text | None) -> Markup:
        """Markdown in this language; links to the site's pages (by page key) made relative to this page
        (in this language). A text not yet translated is shown in the source language, marked, as by ``t``."""
        if text is None:
            return Markup("")
        page = context["page"]
        shown = lang if not isinstance(text, Text) or text.has(lang.code) else first
        html_text = typeset_html(render_markdown(md, text[lang.code], shown), shown, units if shown is lang else ())
        out = resolve_links(html_text, partial(_page_url, page.path, lang.code))
        if shown is lang:
            return Markup(out)
        fallbacks.append(text)
        return Markup(f'<div class="untranslated" lang="{shown.code}" dir="{shown.dir}">{out}</div>')

    def quote_filter(value: str) -> Markup:
        """A quote in the source language, with this page's digit policy and its straight marks as the source language shows them."""
        return escape(typeset_text(digits(value, lang.digits if lang.code == source else "latn"), first, dates=False))

    def quoted_filter(value: str, code: str) -> Markup:
        """A quote or translation (plain text) in the quotation marks of its language ``code``, nested by its rule."""
        return escape(quoted(value, by_code[code].dir == "rtl"))

    def date_filter(date: FuzzyDate | None) -> str:
        return "" if date is None else format_date(date, lang)

    filters: dict[str, Callable[..., Any]] = dict(
        t=t,
        md=md_filter,
        quote=quote_filter,
        quoted=quoted_filter,
        plain=lambda v: plain(str(v)),
        curly=lambda v: smart(str(v)),  # English in a page of another language (the landing page)
        dates=lambda v, locale: whole_dates(str(v), locale),  # dates kept whole in text of another language
        latin=lambda v: Markup(latin_runs(str(escape(v)))) if lang.dir == "rtl" else escape(v),
        short=short_label,
        date=date_filter,
        num=lambda v: format_number(v, lang),
        digits=lambda s: digits(str(s), lang.digits),
    )
    env.filters.update({name: _when_rendered(f) for name, f in filters.items()})
    return env


def _when_rendered(func: Callable[..., Any]) -> Callable[..., Any]:
    """The filter ``func``, called when a page is rendered and never while its template is compiled: Jinja works a filter
    of a constant (``{{ 1234|num }}``) out once, into the compiled code, which is kept by the template's source alone
    (:class:`_SharedCache`) and so shared by the languages and by other copies of the project, whose filters differ."""
    if getattr(func, "jinja_pass_arg", None) is not None:  # it takes the context already: never worked out early
        return func

    @jinja2.pass_context
    @wraps(func)  # (the function itself stays at ``__wrapped__``, for code outside templates)
    def at_render(_context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return at_render


_BDI_RUN = re.compile(r'(<bdi dir="ltr">)([^<]*)(</bdi>)')


def latin_runs(html_text: str) -> str:
    """Latin runs in right-to-left text isolated (:func:`isolate_latin`); a name
    of up to three words (Natural Earth) is kept on one line."""

    def whole(m: re.Match[str]) -> str:
        words = m.group(2)
        return m.group(1) + (words.replace(" ", "\u00a0") if words.count(" ") <= 2 else words) + m.group(3)

    return _BDI_RUN.sub(whole, isolate_latin(html_text))


def typeset_catalog(translations: GNUTranslations | NullTranslations, lang: Language) -> GNUTranslations | NullTranslations:
    """The UI catalog of a left-to-right language with its apostrophes and quotation marks curled as they are looked up."""
    if lang.dir == "rtl":
        return translations

    class Curled(NullTranslations):
        def gettext(self, message: str) -> str:
            return (smart_html if has_markup(message) else smart)(translations.gettext(message))

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return (smart_html if has_markup(singular + plural) else smart)(translations.ngettext(singular, plural, n))

    return Curled()


@lru_cache(maxsize=512)
def typeset_html(html_text: str, lang: Language, units: tuple[str, ...] = ()) -> str:
    """Rendered Markdown as shown: dates and the place names ``units`` kept whole in the text; a left-to-right language's marks curled."""
    parts = re.split(r"(<[^>]*>)", smart_html(html_text) if lang.dir == "ltr" else html_text)
    return "".join(p if i % 2 else whole_names(whole_dates(p, lang.locale), units, hyphens=True) for i, p in enumerate(parts))


_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def short_label(label: str) -> Markup:
    """A source's label without its parenthesised date or "undated" (for citations: the sources page has them)."""
    text = str(label)
    short = _TRAILING_NOTE.sub("", text)
    return Markup(short or text)


def by_source(cites: Sequence[Citation]) -> list[tuple[str, list[Citation]]]:
    """Citations grouped by document, in order of first appearance (one label per document)."""
    groups: dict[str, list[Citation]] = {}
    for cite in cites:
        groups.setdefault(cite.source, []).append(cite)
    return list(groups.items())


CiteGroup = tuple[Markup, str, list[tuple[str, str]]]
"""A document's label, the link to its first quote, and the number and link of each other quote."""

CiteQuote = tuple[str, str, str, Markup, str, str]
"""A quote in the page's digits, its translation, its link, its document's label, its paragraph number and its document's id."""


def cite_view(
    cites: Sequence[Citation], *, cite_url: Callable[[Citation], str], labels: Mapping[str, Markup], lang: Language
) -> tuple[list[CiteGroup], list[CiteQuote]]:
    """What the ``cites`` macro of the templates shows (labels, links, quotes, numbers), worked out in one call."""
    groups = []
    for source, group in by_source(cites):
        links = [cite_url(cite) for cite in group]
        groups.append((labels[source], links[0], [(format_number(n, lang), link) for n, link in enumerate(links[1:], 2)]))
    quotes = []
    for c in cites:
        policy = lang.digits if c.translation.source == lang.code else "latn"  # a quote is in the source language
        translation = c.translation[lang.code] if c.translation.has(lang.code) else ""  # (not yet translated: the quote alone)
        quotes.append((digits(c.quote, policy), translation, cite_url(c), labels[c.source], format_number(c.number, lang), c.source))
    return groups, quotes


@lru_cache(maxsize=4096)
def _relative(from_path: str, to_path: str) -> str:
    """A relative URL from the page at ``from_path`` to ``to_path`` (both site-relative)."""
    from_dir = from_path if from_path.endswith("/") or not from_path else posixpath.dirname(from_path) + "/"
    rel = _relpath(to_path or ".", from_dir or ".")
    if to_path.endswith("/") or not to_path:
        rel = "./" if rel == "." else rel + "/"
    return rel


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)`` without its two calls of ``getcwd``, for paths without ``.`` or ``..``
    parts and not absolute (the site's own); others are left to ``relpath``."""
    to, base = [p for p in path.split("/") if p], [p for p in start.split("/") if p]
    if path.startswith("/") or start.startswith("/") or {".", ".."} & {*to, *base}:
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(base, to, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."


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
        "source_language": site.languages[0],
        "page": page,
        "model": model,
        "prose": model.pages.get(page.key),
        "nav": NAV,
        "menu": {where: menu_pages(model, where) for where in ("nav", "footer")},
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


def compile_all(envs: Mapping[str, jinja2.Environment], project: Project) -> list[Problem]:
    """Compile every template (used or not) and report syntax errors with file and line, and every
    template that cannot be read."""
    templates, show = project.templates, project.show
    problems = project.files_below(templates)[1]
    env = next(iter(envs.values()))
    for name in env.list_templates(extensions=["html", "xml", "txt"]):
        try:
            env.get_template(name)
        except RefusedTemplate as exc:
            problems.append(exc.problem)
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
"""A site with this many pages or more is rendered by a pool of worker processes, one per core (see
:func:`~explainer.workers.in_workers`); a smaller one in this process (starting the workers would
cost more than they save)."""


def render_all(
    renderer: Renderer,
    pages: Sequence[Page],
    project: Project,
    *,
    into: Path | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, bytes]:
    """Render every page; template errors are collected and raised together.

    Without ``into`` the pages are returned (output path → bytes). With ``into`` each page is
    written to ``into/<output>`` as soon as it is rendered and nothing is returned, so a large site
    never has to sit in memory. A site of :data:`PARALLEL_FROM` pages or more is rendered by
    ``jobs`` worker processes (default: one per core), see :func:`_render_in_workers`.
    ``meanwhile`` is called in this process while the workers render (else before rendering).
    A page that renders longer than :func:`~explainer.workers.render_limit` is an error; once
    ``cancel`` is set, the render stops with :class:`~explainer.workers.Cancelled`.
    """
    limit = render_limit()
    jobs = jobs or os.cpu_count() or 1
    made: set[str] = set()  # the output folders this process has made
    if jobs > 1 and len(pages) >= PARALLEL_FROM and can_fork() and renderer.reads is None:  # (what workers read is not recorded)
        out, problems = _render_in_workers(renderer, pages, project, into, jobs, meanwhile, limit, made)
    else:
        if meanwhile is not None:
            meanwhile()
        out, problems = _render_range(renderer, pages, project, into, 0, len(pages), limit, made, cancel)
    if problems:
        raise BuildError(problems)
    return out


def _render_range(
    renderer: Renderer,
    pages: Sequence[Page],
    project: Project,
    into: Path | None,
    start: int,
    stop: int,
    limit: float,
    made: set[str],
    cancel: threading.Event | None = None,
) -> tuple[dict[str, bytes], list[Problem]]:
    """Render ``pages[start:stop]``: their files (none if written ``into`` a folder) and problems.

    Whatever a page raises is a problem located in its template (the innermost template line). A
    page that runs past ``limit`` seconds stops the range, with a problem that names the template
    line it was on and the page.
    """
    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    watch = Watch(limit, cancel)
    try:
        with watch:
            for page in pages[start:stop]:
                watch.begin(page)
                try:
                    out[page.output] = renderer.render(page)
                except jinja2.TemplateSyntaxError:
                    pass  # reported once, with its line, by compile_all
                except RefusedTemplate as exc:  # an included template that cannot be read
                    problems.append(exc.problem)
                except Exception as exc:  # the template's mistake (an undefined name, 1/0, a bad call), or the generator's
                    problems.append(page_problem(exc, page, project))
                watch.end()
    except TimedOut as exc:
        problems.append(_too_long(exc, watch.stopped, project, limit))
    if into is not None:
        write_files(out, into, made)
        out = {}
    return out, problems


def page_problem(exc: BaseException, page: Page, project: Project) -> Problem:
    """What ``exc``, raised while rendering ``page``, says, located at the template line that raised it."""
    if isinstance(exc, jinja2.TemplateError | TypeError | KeyError | AttributeError | ValueError) or _in_template(exc):
        return template_problem(exc, project.templates, project.show)  # type: ignore[arg-type]
    path, line = _where(exc, page, project)
    code = [(file, n) for file, n in _frames(exc) if Path(file).suffix == ".py"]
    at = f" ({Path(code[-1][0]).name}:{code[-1][1]})" if code else ""
    message = f"the generator failed while rendering {page.output}: {type(exc).__name__}: {exc}{at}"
    return Problem(path, line, 1, message, "this is the generator's mistake, not the content's: report it with this message")


def _where(exc: BaseException, page: Page, project: Project) -> tuple[str, int]:
    """The innermost template line of ``exc``'s traceback, or the first line of the page's template.

    A template's compiled code knows its template's lines (Jinja puts them into the traceback of the
    errors it sees; :class:`~explainer.workers.TimedOut` it does not see, so they are looked up here)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        elif tb.tb_frame.f_code.co_filename.endswith(".html"):
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is not None:
        return project.show(Path(found[0])), found[1]
    return project.show(project.templates / page.template), 1


TOO_LONG = "took longer than"
"""In the message of a page that ran past the time limit."""


def _too_long(exc: BaseException, page: Page, project: Project, limit: float) -> Problem:
    path, line = _where(exc, page, project)
    message = f"rendering {page.output} {TOO_LONG} {limit:g} s"
    hint = f"look for a loop that does not end, or a very large range, at this line (the limit: {LIMIT_VARIABLE}, {limit:g} s)"
    return Problem(path, line, 1, message, hint)


def can_fork() -> bool:
    """Workers are forked, and forking is safe only from a single-threaded process on a POSIX system.

    (The live preview rebuilds from a thread of its own: it renders in its own process.)
    """
    return hasattr(os, "fork") and threading.active_count() == 1


def _render_in_workers(
    renderer: Renderer,
    pages: Sequence[Page],
    project: Project,
    into: Path | None,
    jobs: int,
    meanwhile: Callable[[], None] | None,
    limit: float,
    made: set[str],
) -> tuple[dict[str, bytes], list[Problem]]:
    """Render ``pages`` in ``jobs`` forked processes, in chunks, and gather their files and problems.

    The workers are forked after the model, the environments and the compiled templates exist, so
    they inherit them instead of loading or pickling anything; each chunk sends back only its
    problems (and its pages when they are not written in place). A worker that stops without its
    result (killed for want of memory, say) is a problem located at its first page's template.
    """
    size = max(20, min(400, len(pages) // (jobs * 8)))
    chunks = [(i, min(i + size, len(pages))) for i in range(0, len(pages), size)]

    def chunk(k: int) -> tuple[dict[str, bytes], list[Problem]]:
        return _render_range(renderer, pages, project, into, *chunks[k], limit, made)

    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    try:
        with contextlib.closing(in_workers(len(chunks), chunk, jobs, meanwhile)) as results:
            for _k, (files, found) in results:
                out.update(files)
                problems += found
    except WorkerDied as exc:
        start, stop = chunks[exc.task]
        page = pages[start]
        message = f"a worker process of the build stopped ({exc.how}) while rendering {stop - start} pages from {page.output} on"
        hint = "run the build again; if it stops again, close other programs (it may have run out of memory)"
        problems.append(Problem(project.show(project.templates / page.template), 1, 1, message, hint))
    return out, problems
