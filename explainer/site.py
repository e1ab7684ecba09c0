"""The whole pipeline: load → validate → plan → render → write, for ``build`` and ``check``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .assets import css_problem
from .errors import BuildError, Problem
from .graphics import Geo, load_geo
from .graphics import install as install_graphics
from .i18n import Catalog, load_catalog
from .load import load_file
from .model import Language, Model
from .outputs import atom_feed, open_data_files, robots, sitemap
from .plan import EXTRA_PAGES, SECTIONS, Page, plan
from .project import InputError, Project
from .render import TOO_LONG, Renderer, compile_all, make_environment, make_markdown, render_all, template_cache_dir
from .reuse import Reuse
from .validate import load_model
from .write import read_manifest, replace_file, staging, write_files

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
        refused = project.refusal(po)
        if refused is not None and "does not exist" not in refused.message:  # a missing catalog: load_catalog says what to run
            catalogs[lang.code] = None
            problems.append(refused)
            continue
        key = ("catalog", lang, _stamp(po))
        if key not in _unchanged or key[2] is None:
            _unchanged[key] = load_catalog(project.locales, lang, project.show(po), template_cache_dir())
        catalog, found = _unchanged[key]
        catalogs[lang.code] = catalog
        problems += found
    return catalogs, problems


def _ui_strings(project: Project, tpl: Path) -> list[tuple[int, str]]:
    """The UI strings of one template with their lines (none for a template with a syntax error, or
    one that cannot be read: :func:`~explainer.render.compile_all` reports those).

    Extracting them parses the template again (a tenth of a build of the real site), so they are
    kept by a hash of the template's source beside the compiled templates (see
    :func:`~explainer.render.template_cache_dir`), and in memory for the preview's rebuilds.
    """
    key = ("ui", _stamp(tpl))
    if key in _unchanged:
        return _unchanged[key]  # type: ignore[no-any-return]
    try:
        source = project.read_bytes(tpl)
    except InputError:
        return []
    kept = _kept_ui_strings(source)
    if kept is not None and kept.is_file():
        try:
            strings = [(int(line), str(msgid)) for line, msgid in json.loads(kept.read_text("utf-8"))]
        except (OSError, ValueError, TypeError):
            strings = None
        if strings is not None:
            _unchanged[key] = strings
            return strings
    from babel.messages.extract import extract

    try:
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
        found = list(extract("jinja2", io.BytesIO(source), keywords=keywords(), options=options))
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


def _kept_ui_strings(source: bytes) -> Path | None:
    """Where the UI strings of a template are kept: named by a hash of its source and of what extracts them."""
    folder = template_cache_dir()
    if folder is None:
        return None
    import babel

    made_by = (sorted(EXTRA_KEYWORDS.items()), jinja2.__version__, babel.__version__)  # Babel's own keywords come with its version
    digest = hashlib.sha256(repr(made_by).encode() + source).hexdigest()
    return folder / f"__explainer_ui_{digest[:40]}.json"


def _templates(project: Project) -> list[Path]:
    """The project's page templates and partials (``*.html``) that can be read (the others are reported by compile_all)."""
    return [p for p in project.files_below(project.templates)[0] if p.suffix == ".html"]


def _untranslated(project: Project, catalogs: dict[str, Catalog | None]) -> list[Problem]:
    """UI strings used in templates but absent from a catalog, located in the template."""
    problems = []
    for tpl in sorted(_templates(project)):
        for lineno, msgid in _ui_strings(project, tpl):
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


PAGE_KINDS: tuple[str, ...] = ("landing", "404", *(key for key, _slug in SECTIONS + EXTRA_PAGES), "source", "event", "embed")
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
        many = {"source": len(model.sources), "event": len(model.events)}.get(kind)
        if f"{kind}.html" in have or many == 0:
            continue
        what = {"landing": "the landing page", "404": "the page for addresses not found"}.get(kind, f"the {kind} pages")
        if many:
            what += f" (the site has {many} {'source documents' if kind == 'source' else 'events'})"
        hint = "restore it from the repository, or list the kinds of page this site builds in content/site.yaml (page_kinds)"
        problems.append(Problem(project.show(project.templates / f"{kind}.html"), 1, 1, f"the template of {what} is missing", hint))
    return wanted & have, problems


FALLBACK_LANGUAGES = (Language("ar", "ar_IQ", "rtl", "latn", "العربية"), Language("en", "en_GB", "ltr", "latn", "English"))
"""The languages every content file must have, for checking templates when the content itself fails."""


def _presentation_problems(project: Project) -> list[Problem]:
    """Template and catalog problems, found without the content (which has problems of its own)."""
    catalogs, problems = _catalogs(project, FALLBACK_LANGUAGES)
    md = make_markdown()
    envs = {lang.code: make_environment(project, lang, catalogs[lang.code], None, md) for lang in FALLBACK_LANGUAGES}  # type: ignore[arg-type]
    problems += compile_all(envs, project)
    problems += _untranslated(project, catalogs)
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
) -> Result:
    """Everything up to writing the other files; raises :class:`BuildError` with every problem.

    The pages are rendered and, with ``into``, written into that folder as they are rendered
    (see :func:`~explainer.render.render_all`); the other files are returned in ``files``.
    ``before`` is called with the renderer and the pages when everything is ready to render
    and no problem has been found yet. ``translation=False`` skips the translation status.
    ``cancel``: once set, rendering stops (see :func:`~explainer.render.render_all`).
    """
    try:
        load = _preview_content().load_file if preview else load_file
        model = load_model(project, load, translation=translation, remember=preview)
        templates, problems = _page_templates(project, model)
        pages = plan(model, templates)
    except BuildError as exc:  # report the templates' and catalogs' problems in the same run
        raise BuildError([*exc.problems, *_presentation_problems(project)]) from None
    catalogs, found = _catalogs(project, model.site.languages)
    problems += found
    md = make_markdown()
    envs = {lang.code: make_environment(project, lang, catalogs[lang.code], model, md) for lang in model.site.languages}
    geo, geo_problems = _geo(project, needed=bool(MAP_KINDS & set(model.site.page_kinds or PAGE_KINDS)))
    problems += geo_problems
    static, static_problems = _static_files(project)
    problems += static_problems
    reuse = Reuse.prepare(project, model, pages, static, publish=into is not None and not preview)  # cards, search, open data, hosting
    for lang in model.site.languages:
        install_graphics(envs[lang.code], model, lang, geo)
        reuse.install(envs[lang.code], lang)
    problems += compile_all(envs, project)
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
        put({"sitemap.xml": sitemap(model, pages), "robots.txt": robots(model)})
        put(reuse.shared_files(md, {lang.code: gettext_of(lang.code) for lang in model.site.languages}))  # static files too
        for lang in model.site.languages:
            title_of = gettext_of(lang.code)
            put({f"{lang.code}/feed.xml": atom_feed(model, lang, md, title_of)})
            for path, data in open_data_files(model, lang):
                put({path: data})
            put(reuse.language_files(lang, title_of))
        put(reuse.finish())  # the search index, made meanwhile
        if preview:  # the live preview's error overlay; never part of the published site
            for name in ("overlay.js", "overlay.css"):
                put({f"__preview/{name}": (Path(__file__).parent / "preview" / name).read_bytes()})

    try:  # the other files are made while worker processes render the pages, if they do
        render_all(renderer, pages, project, into=into, meanwhile=None if problems else other_files, cancel=cancel)
    except BuildError as exc:
        problems += exc.problems
    if problems:
        raise BuildError(problems)
    if not others:
        other_files()
    return Result(model, pages, files, tuple(others))


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
        bad = css_problem(own, data[own], project.show(asset))
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
) -> Result:
    """Render the site and swap it into ``out``; on any error ``out`` is left as it was.

    For the live preview, ``first`` names the outputs of the pages open in a browser: they are
    rendered before all others and written straight into ``out``, then ``shown(model)`` is called
    (the preview reloads them), so a save is on screen before the rest of the site is rebuilt.
    They are left unchanged if rendering them fails, and if the rest of the build then fails,
    ``out`` keeps the new open pages with the rest as it was (the preview overlays the errors).
    ``also(model)``: more files (path → bytes) for the new site, made once it is built (the preview's status).
    ``cancel``: once set, the build stops (with :class:`~explainer.workers.Cancelled`) and ``out`` is left as it was.
    """
    refused = project.output_problems(out)
    if refused:  # a build replaces the files of the previous build in the output folder
        raise BuildError(refused)
    before = _render_first(project, out, first, shown, cancel) if first and shown is not None else None
    with staging(out) as tmp:
        result = render_site(project, preview=preview, into=tmp, before=before, translation=preview, cancel=cancel)
        if also is not None:
            write_files(also(result.model), tmp)
        return result


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
        for rel, data in files.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_file(target, data)  # the server never sends half a page
        if files:
            shown(renderer.model)

    return before


def check(project: Project) -> Result:
    """Validate everything and render in memory; write nothing."""
    return render_site(project)


__all__ = ["BuildError", "Project", "Result", "build", "check", "render_site"]
