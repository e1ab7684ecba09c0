"""The whole pipeline: load → validate → plan → render → write, for ``build`` and ``check``."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .errors import BuildError, Problem
from .graphics import install as install_graphics
from .graphics import load_geo
from .i18n import Catalog, load_catalog
from .load import load_file
from .model import Language, Model
from .outputs import atom_feed, open_data_files, robots, sitemap
from .plan import Page, plan
from .render import Renderer, can_fork, compile_all, make_environment, make_markdown, render_all, template_cache_dir, with_child
from .reuse import Reuse
from .validate import Project, load_model
from .write import replace_file, staging, write_files

if TYPE_CHECKING:
    from .incremental import ContentCache


@dataclass(frozen=True)
class Result:
    """What a build produced: the model, the pages, every output file, and the files other than
    pages (path → bytes) when they were made in memory rather than written into a folder."""

    model: Model
    pages: tuple[Page, ...]
    files: dict[str, bytes]
    others: tuple[str, ...] = ()

    @property
    def outputs(self) -> tuple[str, ...]:
        """Every file of the site (pages and other files), relative to the output folder."""
        return tuple(sorted([p.output for p in self.pages] + list(self.others or self.files)))


EXTRA_KEYWORDS = {"tr": None}
"""``tr`` is another language's gettext on bilingual pages."""


def keywords() -> dict[str, Any]:
    """Gettext keywords in templates: Babel's and :data:`EXTRA_KEYWORDS` (Babel's catalog modules
    are imported only when strings are extracted, not on every build)."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    return {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}


_unchanged: dict[tuple[Any, ...], Any] = {}
"""Results that depend on one file only, by (what, path, mtime, size): the live preview's rebuilds
read again only the catalogs and templates that changed since the last build."""


def _stamp(file: Path) -> tuple[str, int, int] | None:
    try:
        st = file.stat()
    except OSError:
        return None
    return (str(file), st.st_mtime_ns, st.st_size)


def _catalogs(project: Project, languages: Iterable[Language]) -> tuple[dict[str, Catalog | None], list[Problem]]:
    catalogs: dict[str, Catalog | None] = {}
    problems: list[Problem] = []
    for lang in languages:
        po = project.locales / lang.code / "LC_MESSAGES" / "messages.po"
        key = ("catalog", lang, _stamp(po))
        if key not in _unchanged or key[2] is None:
            _unchanged[key] = load_catalog(project.locales, lang, project.show(po), template_cache_dir())
        catalog, found = _unchanged[key]
        catalogs[lang.code] = catalog
        problems += found
    return catalogs, problems


def _ui_strings(tpl: Path) -> list[tuple[int, str]]:
    """The UI strings of one template with their lines (none for a template with a syntax error).

    Extracting them parses the template again (a tenth of a build of the real site), so they are
    kept by a hash of the template's source beside the compiled templates (see
    :func:`~explainer.render.template_cache_dir`), and in memory for the preview's rebuilds.
    """
    key = ("ui", _stamp(tpl))
    if key in _unchanged:
        return _unchanged[key]  # type: ignore[no-any-return]
    kept = _kept_ui_strings(tpl)
    if kept is not None and kept.is_file():
        try:
            strings = [(int(line), str(msgid)) for line, msgid in json.loads(kept.read_text("utf-8"))]
        except (OSError, ValueError, TypeError):
            strings = None
        if strings is not None:
            _unchanged[key] = strings
            return strings
    from babel.messages.extract import extract_from_file

    try:
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
        found = list(extract_from_file("jinja2", str(tpl), keywords=keywords(), options=options))
    except Exception as exc:  # a syntax error: reported by compile_all with its line
        if "TemplateSyntaxError" in type(exc).__name__ or isinstance(exc, UnicodeDecodeError):  # reported by compile_all
            return []
        raise
    strings = [(lineno, message if isinstance(message, str) else message[0]) for lineno, message, _comments, _context in found]
    _unchanged[key] = strings
    if kept is not None:
        with contextlib.suppress(OSError):
            replace_file(kept, json.dumps(strings, ensure_ascii=False).encode("utf-8"))
    return strings


def _kept_ui_strings(tpl: Path) -> Path | None:
    """Where the UI strings of ``tpl`` are kept: named by a hash of its source and of what extracts them."""
    folder = template_cache_dir()
    try:
        source = tpl.read_bytes()
    except OSError:
        return None
    if folder is None:
        return None
    import babel

    made_by = (sorted(EXTRA_KEYWORDS.items()), jinja2.__version__, babel.__version__)  # Babel's own keywords come with its version
    digest = hashlib.sha256(repr(made_by).encode() + source).hexdigest()
    return folder / f"__explainer_ui_{digest[:40]}.json"


def _untranslated(project: Project, catalogs: dict[str, Catalog | None]) -> list[Problem]:
    """UI strings used in templates but absent from a catalog, located in the template."""
    problems = []
    for tpl in sorted(project.templates.rglob("*.html")):
        for lineno, msgid in _ui_strings(tpl):
            for catalog in catalogs.values():
                if catalog is not None and msgid not in catalog.messages:
                    po = project.show(catalog.path)
                    message = f"UI string {msgid!r} has no translation in {po}"
                    hint = f"run: python3 tools/catalogs.py, then translate it in {po}"
                    problems.append(Problem(project.show(tpl), lineno, 1, message, hint))
    return problems


@lru_cache(maxsize=1)
def _preview_content() -> ContentCache:
    """The preview's rebuilds parse again only the list items that changed (see :mod:`~explainer.incremental`).

    Made on the first preview build: a build for publishing does not import that module."""
    from .incremental import ContentCache

    return ContentCache()


def _template_names(project: Project) -> set[str]:
    """The project's templates: the plan makes the kinds of page that have one."""
    folder = project.templates
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")} if folder.is_dir() else set()


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic GC while the model is built: it is all long-lived objects, and scanning them
    over and over made large loads superlinear (10× the events took 25× the time). Then freeze
    them (until the build ends, see :func:`build`): the first collection after re-enabling would
    scan them all for nothing, 30 ms of every preview rebuild of 1,000 events."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


FALLBACK_LANGUAGES = (Language("ar", "ar_IQ", "rtl", "latn", "العربية"), Language("en", "en_GB", "ltr", "latn", "English"))
"""The languages every content file must have, for checking templates when the content itself fails."""


def _presentation_problems(project: Project) -> list[Problem]:
    """Template and catalog problems, found without the content (which has problems of its own)."""
    catalogs, problems = _catalogs(project, FALLBACK_LANGUAGES)
    md = make_markdown()
    envs = {lang.code: make_environment(project.templates, lang, catalogs[lang.code], None, md) for lang in FALLBACK_LANGUAGES}  # type: ignore[arg-type]
    problems += compile_all(envs, project.templates, project.show)
    problems += _untranslated(project, catalogs)
    return problems


@dataclass(frozen=True)
class Part:
    """The share of a site that one process makes when several make it (see :func:`build`): the
    languages at positions ``index``, ``index + count``, … of the site's languages, and, in part 0,
    what belongs to no language (the root pages, sitemap, robots.txt, static files)."""

    index: int = 0
    count: int = 1

    def codes(self, languages: Iterable[Language]) -> list[str]:
        """The codes of this part's languages."""
        return [lang.code for lang in list(languages)[self.index :: self.count]]


WHOLE = Part()


def render_site(
    project: Project,
    *,
    preview: bool = False,
    into: Path | None = None,
    before: Callable[[Renderer, tuple[Page, ...]], None] | None = None,
    translation: bool = True,
    part: Part = WHOLE,
) -> Result:
    """Everything up to writing the other files; raises :class:`BuildError` with every problem.

    The pages are rendered and, with ``into``, written into that folder as they are rendered
    (see :func:`~explainer.render.render_all`); the other files are returned in ``files``.
    ``before`` is called with the renderer and the pages when everything is ready to render
    and no problem has been found yet. ``translation=False`` skips the translation status.
    With a ``part``, only that part's pages and files are made (in this process, without
    workers); ``pages`` in the result is still every page of the site.
    """
    try:
        with _no_cyclic_gc():
            load = _preview_content().load_file if preview else load_file
            model = load_model(project, load, translation=translation, remember=preview)
            pages = plan(model, _template_names(project))
    except BuildError as exc:  # report the templates' and catalogs' problems in the same run
        raise BuildError([*exc.problems, *_presentation_problems(project)]) from None
    codes, shared = part.codes(model.site.languages), part.index == 0
    catalogs, problems = _catalogs(project, model.site.languages)
    md = make_markdown()
    envs = {lang.code: make_environment(project.templates, lang, catalogs[lang.code], model, md) for lang in model.site.languages}
    geo, geo_problems = load_geo(project.content / "geo.json", project.show(project.content / "geo.json"))
    problems += geo_problems
    reuse = Reuse.prepare(project, model, pages, publish=into is not None and not preview)  # issue 18: cards, search, open data, hosting
    for lang in model.site.languages:
        install_graphics(envs[lang.code], model, lang, geo)
        reuse.install(envs[lang.code], lang)
    own_first = {code: envs[code] for code in codes} | envs  # templates are compiled where this part renders them
    problems += compile_all(own_first, project.templates, project.show)
    problems += _untranslated(project, catalogs)
    renderer = Renderer(model, envs, md, preview)
    if before is not None and not problems:
        before(renderer, pages)
    files: dict[str, bytes] = {}
    others: list[str] = []

    def put(made: dict[str, bytes]) -> None:
        """Keep the other files, or write them into ``into`` at once (large sites' open data is large)."""
        others.extend(made)
        if into is None:
            files.update(made)
        else:
            write_files(made, into)

    def gettext_of(code: str) -> Callable[[str], str]:
        catalog = catalogs[code]
        return catalog.translations.gettext if catalog is not None else str  # type: ignore[attr-defined]

    def other_files() -> None:
        if shared:
            put({"sitemap.xml": sitemap(model, pages), "robots.txt": robots(model)})
            put(reuse.shared_files(md, {lang.code: gettext_of(lang.code) for lang in model.site.languages}))  # static files too
        for lang in (lang for lang in model.site.languages if lang.code in codes):
            title_of = gettext_of(lang.code)
            put({f"{lang.code}/feed.xml": atom_feed(model, lang, md, title_of)})
            for path, data in open_data_files(model, lang):
                put({path: data})
            put(reuse.language_files(lang, title_of))
        put(reuse.finish())  # the search index, made meanwhile
        if preview:  # the live preview's error overlay; never part of the published site
            for name in ("overlay.js", "overlay.css"):
                put({f"__preview/{name}": (Path(__file__).parent / "preview" / name).read_bytes()})

    own = pages if part == WHOLE else tuple(page for page in pages if (page.lang in codes if page.lang else shared))
    try:  # the other files are made while worker processes render the pages, if they do
        jobs = None if part == WHOLE else 1  # the processes that make the parts are all there is
        render_all(renderer, own, project.templates, project.show, into=into, jobs=jobs, meanwhile=None if problems else other_files)
    except BuildError as exc:
        problems += exc.problems
    if problems:
        raise BuildError(problems)
    if not others:
        other_files()
    return Result(model, pages, files, tuple(others))


TWO_PROCESSES_UP_TO = 1_000_000
"""A site whose content files hold at most this many bytes is built by two processes from the
start, each making half of its languages (see :func:`_build_in_two`). A larger site is loaded
once, then rendered by a pool of workers (:func:`~explainer.render.render_all`), which share its
model: loading it in two processes would double the memory the build takes."""


def build(
    project: Project, out: Path, *, preview: bool = False, first: Collection[str] = (), shown: Callable[[Model], None] | None = None
) -> Result:
    """Render the site and swap it into ``out``; on any error ``out`` is left as it was.

    For the live preview, ``first`` names the outputs of the pages open in a browser: they are
    rendered before all others and written straight into ``out``, then ``shown(model)`` is called
    (the preview reloads them), so a save is on screen before the rest of the site is rebuilt.
    They are left unchanged if rendering them fails, and if the rest of the build then fails,
    ``out`` keeps the new open pages with the rest as it was (the preview overlays the errors).
    """
    refused = project.output_problems(out)
    if refused:  # a build replaces the output folder and everything in it
        raise BuildError(refused)
    before = _render_first(out, first, shown) if first and shown is not None else None
    try:
        with staging(out) as tmp:
            if not preview and _in_two(project):
                return _build_in_two(project, tmp)
            return render_site(project, preview=preview, into=tmp, before=before, translation=preview)
    finally:
        gc.unfreeze()  # what the build froze can be collected again


def _in_two(project: Project) -> bool:
    """Whether to build in two processes: a small site, two cores, and a process that may fork."""
    if (os.cpu_count() or 1) < 2 or not can_fork():
        return False
    files = project.content.glob("*.yaml") if project.content.is_dir() else ()
    return sum(_size(file) for file in files) <= TWO_PROCESSES_UP_TO


def _size(file: Path) -> int:
    """The size of ``file`` (0 if it cannot be read: loading it reports that)."""
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _build_in_two(project: Project, into: Path) -> Result:
    """Build into ``into`` with a forked process: it makes part 1 of 2 (:class:`Part`), this one part 0.

    The fork comes before anything is loaded: each process loads and checks the content and
    compiles the templates itself. That costs no time (the two do it at the same time, and it has
    to come before rendering either way) and it buys two things: each process loads the locale
    data and templates of its own languages only (about 7 ms of the real site's build), and
    nothing but file names and problems passes between them. Both find the same content and
    template problems; :class:`BuildError` keeps each once. The child writes its files and sends
    the names of its other files, or its problems, or the exception that stopped it, through a
    pipe (see :func:`~explainer.render.with_child`).
    """

    def there() -> tuple[tuple[str, ...], tuple[Problem, ...]]:
        made, problems = _part(project, into, 1)
        return (made.others if made is not None else ()), problems

    (mine, my_problems), (their_others, their_problems) = with_child(there, lambda: _part(project, into, 0))
    if my_problems or their_problems or mine is None:
        raise BuildError([*my_problems, *their_problems])
    return Result(mine.model, mine.pages, mine.files, (*mine.others, *their_others))


def _part(project: Project, into: Path, index: int) -> tuple[Result | None, tuple[Problem, ...]]:
    """Make part ``index`` of 2: the result, or the problems (a BuildError itself does not pickle)."""
    try:
        return render_site(project, into=into, translation=False, part=Part(index, 2)), ()
    except BuildError as exc:
        return None, exc.problems


def _render_first(out: Path, first: Collection[str], shown: Callable[[Model], None]) -> Callable[[Renderer, tuple[Page, ...]], None]:
    def before(renderer: Renderer, pages: tuple[Page, ...]) -> None:
        files = {}
        for page in pages:
            if page.output in first:
                try:
                    files[page.output] = renderer.render(page)
                except Exception:  # the full render below reports it with its template line
                    return
        for rel, data in files.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_file(target, data)  # the server never sends half a page
        if files:
            shown(renderer.model)

    return before


def check(project: Project) -> Result:
    """Validate everything and render in memory; write nothing."""
    try:
        return render_site(project)
    finally:
        gc.unfreeze()


__all__ = ["BuildError", "Project", "Result", "build", "check", "render_site"]
