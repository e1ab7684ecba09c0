"""The whole pipeline: load → validate → plan → render → write, for ``build`` and ``check``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from gettext import NullTranslations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .assets import css_problem, name_problem
from .catalogs import Coverage as CatalogCoverage
from .catalogs import check_catalogs, translations
from .errors import BuildError, Problem
from .graphics import Geo, load_geo
from .graphics import install as install_graphics
from .markdown import Markdown
from .model import Language, Model
from .outputs import atom_feed, open_data_files, redirects, robots, sitemap
from .plan import EXTRA_PAGES, SECTIONS, Page, menu_pages, plan
from .project import InputError, Project
from .render import TOO_LONG, Renderer, compile_all, make_environment, make_markdown, overlay_files, render_all
from .reuse import Reuse
from .validate import load_model
from .write import put_below, read_manifest, staging, unwritable, write_files

if TYPE_CHECKING:
    from .incremental import Memo


@dataclass(frozen=True)
class Result:
    """What a build produced: the model, the pages, every output file, and the files other than
    pages (path → bytes) when they were made in memory rather than written into a folder."""

    model: Model
    pages: tuple[Page, ...]
    files: dict[str, bytes]
    others: tuple[str, ...] = ()
    catalogs: tuple[CatalogCoverage, ...] = ()
    """Each language's UI catalog (what ``check`` reports)."""
    kept: tuple[str, ...] = ()
    """What the output folder held that no build wrote, taken along into the new site (a folder ends in ``/``)."""

    @property
    def outputs(self) -> tuple[str, ...]:
        """Every file of the site (pages and other files), relative to the output folder."""
        return tuple(sorted([p.output for p in self.pages] + list(self.others or self.files)))


def _templates(project: Project) -> list[Path]:
    """The project's page templates and partials (``*.html``) that can be read (the others are reported by compile_all)."""
    return [p for p in project.files_below(project.templates)[0] if p.suffix == ".html"]


PAGE_KINDS: tuple[str, ...] = ("landing", "404", *(key for key, _slug in SECTIONS + EXTRA_PAGES), "source", "event", "embed", "prose")
"""Every kind of page, each made by ``templates/<kind>.html``; a site builds them all unless its
``content/site.yaml`` lists the ones it builds (``page_kinds``, as the benchmark's project does)."""

MAP_KINDS = frozenset({"home", "plan", "embed"})
"""The kinds of page that draw the map, which needs ``content/geo.json``."""


def _page_templates(project: Project, model: Model) -> tuple[set[str], list[Problem]]:
    """The templates of the kinds of page the site builds (those that exist: only their pages are
    planned), and a problem for each one that is missing although the content calls for its pages:
    a missing template is an error, not a site without those pages."""
    kinds = model.site.page_kinds or PAGE_KINDS
    wanted = {f"{kind}.html" for kind in kinds}
    missing = ("the templates folder is missing", "restore templates/ from the repository")
    refused = project.refusal(project.templates, folder=True, missing=missing)
    if refused is not None:
        return set(), [refused]
    have = {p.relative_to(project.templates).as_posix() for p in _templates(project)}
    problems = []
    for kind in kinds:
        many = {"source": len(model.sources), "event": len(model.events), "prose": len(menu_pages(model))}.get(kind)
        if f"{kind}.html" in have or many == 0:
            continue
        what = {"landing": "the landing page", "404": "the page for addresses not found"}.get(kind, f"the {kind} pages")
        if many:
            what += f" (the site has {many} {'source documents' if kind == 'source' else 'events'})"
        hint = "restore it from the repository, or list the kinds of page this site builds in content/site.yaml (page_kinds)"
        problems.append(Problem(project.show(project.templates / f"{kind}.html"), 1, 1, f"the template of {what} is missing", hint))
    return wanted & have, problems


def catalog_languages(project: Project) -> tuple[Language, ...]:
    """The languages that have a UI catalog (``locales/<code>/LC_MESSAGES``): those the templates are
    checked in when the content, and so the site's list of languages, cannot be read."""
    try:
        codes = sorted(p.name for p in project.locales.iterdir() if (p / "LC_MESSAGES").is_dir())
    except OSError:
        codes = []
    return tuple(Language(code, code, "ltr", "latn", code) for code in codes)


def _presentation_problems(project: Project) -> list[Problem]:
    """Template and catalog problems, found without the content (which has problems of its own)."""
    languages = catalog_languages(project)
    catalogs, problems = translations(project, languages)
    if not languages:  # no catalog can be found: the templates are still compiled, and the folder's problem said
        missing = ("the UI catalogs' folder is missing", "restore locales/ from the repository")
        problems += [p for p in [project.refusal(project.locales, folder=True, missing=missing)] if p is not None]
        languages = (Language("und", "und", "ltr", "latn", "und"),)
        catalogs = {"und": NullTranslations()}
    md = make_markdown()
    envs = {lang.code: make_environment(project, lang, catalogs[lang.code], None, md) for lang in languages}  # type: ignore[arg-type]
    problems += compile_all(envs, project)
    problems += _geo(project, needed=False)[1]
    problems += project.files_below(project.static)[1]
    missing = ("the templates folder is missing", "restore templates/ from the repository")
    problems += [p for p in [project.refusal(project.templates, folder=True, missing=missing)] if p is not None]
    return problems


def render_site(
    project: Project,
    *,
    preview: bool = False,
    into: Path | None = None,
    before: Callable[[Renderer, tuple[Page, ...]], None] | None = None,
    translation: bool = True,
    cancel: threading.Event | None = None,
    catalog_sources: bool = False,
    reads: dict[str, frozenset[str]] | None = None,
    memo: Memo | None = None,
) -> Result:
    """Everything up to writing the other files; raises :class:`BuildError` with every problem.

    The pages are rendered and, with ``into``, written into that folder as they are rendered
    (see :func:`~explainer.render.render_all`); the other files are returned in ``files``.
    ``before`` is called with the renderer and the pages when everything is ready to render
    and no problem has been found yet. ``translation=False`` skips the translation status.
    ``cancel``: once set, rendering stops (see :func:`~explainer.render.render_all`).
    ``catalog_sources``: check the UI catalogs' ``.po`` files too (see :func:`~explainer.catalogs.check_catalogs`).
    ``reads``: record what each page reads of the model (see :attr:`~explainer.render.Renderer.reads`).
    ``memo``: the live preview's (see :func:`~explainer.validate.load_model`).
    """
    try:
        model = load_model(project, translation=translation, drafts=preview, memo=memo, coverage=catalog_sources)
        templates, problems = _page_templates(project, model)
        pages = plan(model, templates)
    except BuildError as exc:  # report the templates' and catalogs' problems in the same run
        more = _presentation_problems(project) + (check_catalogs(project, catalog_languages(project))[0] if catalog_sources else [])
        raise BuildError([*exc.problems, *more]) from None
    fixed = read_fixed(project, model)
    problems += fixed.problems
    md = make_markdown()
    envs, reuse, found = _environments(project, model, pages, fixed, md, publish=into is not None and not preview)
    problems += found
    ui: tuple[CatalogCoverage, ...] = ()
    if catalog_sources:
        found, covered = check_catalogs(project, model.site.languages)
        problems += found
        ui = tuple(covered)
    renderer = Renderer(model, envs, md, preview, reads=reads)
    if before is not None and not problems:
        before(renderer, pages)
    made = _OtherFiles(model, pages, md, fixed.catalogs, reuse, preview, into)
    try:  # the other files are made while worker processes render the pages, if they do
        render_all(renderer, pages, project, into=into, meanwhile=None if problems else made.make, cancel=cancel)
    except BuildError as exc:
        problems += exc.problems
    if problems:
        raise BuildError(problems)
    if not made.others:
        made.make()
    return Result(model, pages, made.files, tuple(made.others), ui)


@dataclass(frozen=True)
class Fixed:
    """What a build reads besides the content's YAML and the templates: each language's UI catalog, the map's
    outlines and the static files, with the problems found in them. It depends on the content only through
    :attr:`key` (the live preview keeps it while neither that nor the files change)."""

    key: tuple[Any, ...]
    catalogs: Mapping[str, Any]
    geo: Geo | None
    static: Mapping[str, bytes]
    problems: tuple[Problem, ...]


def fixed_key(model: Model) -> tuple[Any, ...]:
    """What :class:`Fixed` depends on in the content: the site's languages, and whether a page shows the map."""
    return (model.site.languages, bool(MAP_KINDS & set(model.site.page_kinds or PAGE_KINDS)))


def read_fixed(project: Project, model: Model) -> Fixed:
    """The UI catalogs of the site's languages, the map's outlines (an error if a page needs them) and the static files."""
    key = fixed_key(model)
    catalogs, problems = translations(project, model.site.languages)
    geo, found = _geo(project, needed=key[1])
    static, static_problems = _static_files(project)
    return Fixed(key, catalogs, geo, static, (*problems, *found, *static_problems))


def _environments(
    project: Project, model: Model, pages: tuple[Page, ...], fixed: Fixed, md: Markdown, *, publish: bool, compiled: bool = False
) -> tuple[dict[str, Any], Reuse, list[Problem]]:
    """Each language's template environment, with the graphics and the reuse hooks installed, and the problems of the
    templates (unless ``compiled``: every template is known to compile, as the live preview knows while none changes)."""
    envs = {lang.code: make_environment(project, lang, fixed.catalogs[lang.code], model, md) for lang in model.site.languages}
    reuse = Reuse.prepare(project, model, pages, fixed.static, publish=publish)  # cards, search, open data, hosting
    for lang in model.site.languages:
        install_graphics(envs[lang.code], model, lang, fixed.geo)
        reuse.install(envs[lang.code], lang)
    return envs, reuse, [] if compiled else compile_all(envs, project)


@dataclass
class _OtherFiles:
    """The files other than pages: sitemap, redirects, feeds, open data, what readers reuse, the preview's overlay.
    Kept in memory, or written into ``into`` at once (large sites' open data is large)."""

    model: Model
    pages: tuple[Page, ...]
    md: Markdown
    catalogs: Mapping[str, Any]
    reuse: Reuse
    preview: bool
    into: Path | None
    files: dict[str, bytes] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)

    def put(self, made: Mapping[str, bytes]) -> None:
        self.others.extend(made)
        if self.into is None:
            self.files.update(made)
        else:
            write_files(dict(made), self.into)

    def make(self) -> None:
        for _label, making in self.makers():
            for path, data in making():  # one at a time: a large site's open data is tens of megabytes a file
                self.put({path: data})

    def makers(self) -> list[tuple[str, Callable[[], Iterable[tuple[str, bytes]]]]]:
        """What makes the files, in order, each with a name (the live preview makes again only those whose inputs changed)."""
        model, pages, md, reuse = self.model, self.pages, self.md, self.reuse
        gettexts = {lang.code: self.catalogs[lang.code].gettext for lang in model.site.languages}
        out: list[tuple[str, Callable[[], Iterable[tuple[str, bytes]]]]] = [
            ("sitemap", lambda: {"sitemap.xml": sitemap(model, pages), "robots.txt": robots(model)}.items()),
            ("redirects", lambda: redirects(model, pages, gettexts).items()),
            ("shared", lambda: reuse.shared_files(md, gettexts).items()),  # static files too
        ]

        def feed(lang: Language, get: Callable[[str], str]) -> Iterable[tuple[str, bytes]]:
            return [(f"{lang.code}/feed.xml", atom_feed(model, lang, md, get))]

        def cards(lang: Language, get: Callable[[str], str]) -> Iterable[tuple[str, bytes]]:
            return reuse.language_files(lang, get).items()

        def overlay() -> Iterable[tuple[str, bytes]]:
            return [(f"__preview/{published}", data) for published, data in overlay_files().values()]

        for lang in model.site.languages:
            out.append((f"feed {lang.code}", partial(feed, lang, gettexts[lang.code])))
            out.append((f"data {lang.code}", partial(open_data_files, model, lang)))
            out.append((f"cards {lang.code}", partial(cards, lang, gettexts[lang.code])))
        out.append(("search", lambda: reuse.finish().items()))  # the search index, made meanwhile
        if self.preview:  # the live preview's error overlay; never part of the published site
            out.append(("overlay", overlay))
        return out


def _static_files(project: Project) -> tuple[dict[str, bytes], list[Problem]]:
    """The bytes of every file below ``static/`` by its path there, read by the project's rules for inputs."""
    found, problems = project.files_below(project.static)
    data: dict[str, bytes] = {}
    for asset in found:
        own = asset.relative_to(project.static).as_posix()
        try:
            data[own] = project.read_bytes(asset)
        except InputError as exc:
            problems.append(exc.problem)
            continue
        bad = name_problem(own, project.show(asset)) or css_problem(own, data[own], project.show(asset))
        if bad is not None:  # the file stays, so that pages that name it are not errors too
            problems.append(bad)
    return data, problems


def build(
    project: Project,
    out: Path,
    *,
    preview: bool = False,
    first: Collection[str] = (),
    shown: Callable[[Model], None] | None = None,
    also: Callable[[Model], Mapping[str, bytes]] | None = None,
    cancel: threading.Event | None = None,
    reads: dict[str, frozenset[str]] | None = None,
    ready: Callable[[Renderer], None] | None = None,
    memo: Memo | None = None,
) -> Result:
    """Render the site and swap it into ``out``; on any error ``out`` is left as it was.

    For the live preview, ``first`` names the outputs of the pages open in a browser: they are
    rendered before all others and written straight into ``out``, then ``shown(model)`` is called
    (the preview reloads them), so a save is on screen before the rest of the site is rebuilt.
    They are left unchanged if rendering them fails, and if the rest of the build then fails,
    ``out`` keeps the new open pages with the rest as it was (the preview overlays the errors).
    ``also(model)``: more files (path → bytes) for the new site, made once it is built (the preview's status).
    ``cancel``: once set, the build stops (with :class:`~explainer.workers.Cancelled`) and ``out`` is left as it was.
    ``memo``, ``reads`` and ``ready``: for the live preview (:mod:`~explainer.incremental`): its memo, what
    each page read of the model, and the renderer, prepared, before the pages are rendered.
    """
    refused = project.output_problems(out)  # (after what interrupted builds left beside it is handled)
    if refused:  # a build replaces the files of the previous build in the output folder
        raise BuildError(refused)
    opened = _render_first(project, out, first, shown, cancel) if first and shown is not None else None

    def before(renderer: Renderer, pages: tuple[Page, ...]) -> None:
        if ready is not None:
            renderer.prepare()
            ready(renderer)
        if opened is not None:
            opened(renderer, pages)

    kept: list[str] = []
    with staging(out, kept) as tmp:
        result = render_site(project, preview=preview, into=tmp, before=before, translation=preview, cancel=cancel, reads=reads, memo=memo)
        if also is not None:
            write_files(also(result.model), tmp)
    return replace(result, kept=tuple(kept))


def _geo(project: Project, needed: bool) -> tuple[Geo | None, list[Problem]]:
    """The map's outlines from ``content/geo.json``, read from inside the project; missing is an error when ``needed``."""
    file = project.content / "geo.json"
    missing = ("the map's outlines are missing", "restore content/geo.json from the repository (see docs/content-format.md)")
    try:
        raw = project.read_bytes(file, missing=missing)
    except InputError as exc:
        return None, [exc.problem] if needed or not exc.missing else []
    return load_geo(raw, project.show(file))


def _render_first(
    project: Project, out: Path, first: Collection[str], shown: Callable[[Model], None], cancel: threading.Event | None
) -> Callable[[Renderer, tuple[Page, ...]], None]:
    """Render the open pages and write them into ``out`` at once: only pages that the last build wrote there.

    They are rendered as every page is (:func:`~explainer.render.render_all`): a page that runs past
    the time limit stops the build here; any other problem is left for the full render to report."""
    built = read_manifest(out) or frozenset()

    def before(renderer: Renderer, pages: tuple[Page, ...]) -> None:
        try:
            files = render_all(renderer, [p for p in pages if p.output in first and p.output in built], project, cancel=cancel)
        except BuildError as exc:
            if any(TOO_LONG in p.message for p in exc.problems):
                raise
            return
        try:
            for rel, data in files.items():
                put_below(out, rel, data)  # whole (the server never sends half a page), and never through a link
        except OSError as exc:
            raise BuildError([unwritable(out, exc)]) from None
        if files:
            shown(renderer.model)

    return before


def check(project: Project) -> Result:
    """Validate everything (the UI catalogs' sources too) and render in memory; write nothing."""
    return render_site(project, catalog_sources=True)


__all__ = ["BuildError", "Project", "Result", "build", "check", "render_site"]
