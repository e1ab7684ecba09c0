"""Readers find, share and reuse the site (issue 18): the hooks the pipeline calls.

- :func:`page_meta` — from :func:`~explainer.render._meta`, per page: its JSON-LD
  (:mod:`~explainer.structured`), its share card's URL, its CSP (:mod:`~explainer.hosting`), the
  corrections that name it.
- :class:`Reuse` — from :func:`~explainer.site.render_site`: :meth:`Reuse.install` gives templates
  the static files' hashed names (:mod:`~explainer.assets`); :meth:`Reuse.shared_files` makes the
  files of no language (static files, ``_headers``, ``datapackage.json``, the landing page's card),
  starting the search index, which :meth:`Reuse.finish` waits for (Pagefind works in its own process
  meanwhile), and :meth:`Reuse.language_files` one language's share cards.

The search index and the cards are made for a build that is published (``build``), not by
``check`` (which writes nothing) or the live preview (which must stay quick); the preview's search
page says that its index is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import hosting, structured
from .assets import Assets, static_assets
from .model import Language, Model, Update, read
from .plan import Page

if TYPE_CHECKING:
    from .markdown import Markdown
    from .project import Project

Gettext = Callable[[str], str]

SHARE_TEMPLATE = "_share.html"
"""The template that shows a page's share card (``og:image``, ``twitter:image``)."""


def shared_state(model: Model, shared: Mapping[str, Any]) -> dict[str, Any]:
    """What every page of a language shares: the site's dates and each page's cited documents (once per language)."""
    state = shared.get("reuse")
    if state is None:
        state = {"dates": structured.dates(model), "cited": structured.cited_by_page(model)}
        if isinstance(shared, dict):
            shared["reuse"] = state
    return state


def page_meta(
    model: Model, page: Page, code: str, *, title: str, description: str, preview: bool, shared: Mapping[str, Any]
) -> dict[str, Any]:
    """The page's reuse metadata for its templates."""
    state = shared_state(model, shared)
    base = model.site.base_url
    data = structured.jsonld(model, page, code, title=title, description=description, dates=state["dates"], cited=state["cited"])
    corrections = state["dates"].corrections.get(page.key, ()) if structured.kind(page) not in ("landing", "404", "embed") else ()
    return {
        "jsonld": Markup(structured.script_text(data)) if data is not None else None,
        "csp": hosting.meta_csp(page, preview),
        "card_url": base + structured.card_path(page) if structured.has_card(page) else None,
        "corrections": tuple((u.date, u.id) for u in corrections),
        "page_dates": (state["dates"].published, state["dates"].modified(page)),  # first release, this page's last change
        "noindex": structured.kind(page) == "embed",
    }


@dataclass(frozen=True)
class Reuse:
    """One build's reuse outputs (see the module's docstring)."""

    project: Project
    model: Model
    pages: tuple[Page, ...]
    assets: Assets
    publish: bool
    cards: bool
    """Whether to draw share cards: for a published build whose templates show them (``_share.html``
    writes ``og:image``; a project without it, such as the benchmark's, draws none)."""
    pending: list[Any] = field(default_factory=list)
    """Work started by :meth:`shared_files` that :meth:`finish` waits for."""

    @classmethod
    def prepare(cls, project: Project, model: Model, pages: tuple[Page, ...], static: Mapping[str, bytes], *, publish: bool) -> Reuse:
        """``static``: the static files' bytes by their path below ``static/``."""
        cards = publish and (project.templates / SHARE_TEMPLATE).is_file()
        return cls(project, model, pages, static_assets(static), publish, cards)

    def install(self, env: Any, lang: Language) -> None:
        """Template globals: ``static_name`` (a static file's published name), ``embed_url`` (an
        embed's absolute URL) and ``changed_pages`` (what an entry of the log changed)."""
        base = self.model.site.base_url
        by_key: dict[str, Page] = {}  # (filled when first asked: only the pages of updates ask)

        def changed_pages(update: Update) -> list[tuple[str, str, str]]:
            """The pages an update names, as (page key, anchor, title)."""
            gettext = env.globals["gettext"]
            read("plan")  # the other pages' titles: the live preview makes this page again when the plan changes
            if not by_key:
                by_key.update((p.key, p) for p in self.pages if p.lang == lang.code)
            out = []
            for entry in update.pages:
                key, _, anchor = entry.partition("#")
                if key in by_key:
                    out.append((key, anchor, structured.page_title(self.model, by_key[key], lang.code, gettext)))
            return out

        env.globals.update(
            static_name=self.assets.name, embed_url=lambda name: f"{base}embed/{lang.code}/{name}/", changed_pages=changed_pages
        )

    def shared_files(self, md: Markdown, gettexts: Mapping[str, Gettext]) -> dict[str, bytes]:
        """The files of no language."""
        from .datapackage import datapackage

        site_root = "/" + self.model.site.base_url.split("://", 1)[1].split("/", 1)[1]
        files = dict(self.assets.files)
        files["_headers"] = hosting.headers_file(self.pages, site_root)
        files["datapackage.json"] = datapackage(self.model)
        if self.publish:  # Pagefind indexes in its own process while this one draws the cards: see finish()
            from .search import Indexing

            self.pending.append(Indexing(self.model, self.pages, md, gettexts))
        if self.cards:
            files.update(self._cards((p for p in self.pages if p.lang is None), gettexts))
        return files

    def finish(self) -> dict[str, bytes]:
        """The files made in the background: the search index (waits for it)."""
        files: dict[str, bytes] = {}
        while self.pending:
            files.update(self.pending.pop().result())
        return files

    def language_files(self, lang: Language, gettext: Gettext) -> dict[str, bytes]:
        """One language's share cards (for a published build)."""
        if not self.cards:
            return {}
        return self._cards((p for p in self.pages if p.lang == lang.code), {lang.code: gettext})

    def _cards(self, pages: Iterable[Page], gettexts: Mapping[str, Gettext]) -> dict[str, bytes]:
        """Each page's card: its title under the site's name; the site's title alone on the home
        page; every language's title on the bilingual landing page."""
        from . import cards
        from .graphics import shown
        from .i18n import digits
        from .typography import place_names

        site, languages = self.model.site, self.model.site.languages
        address = cards.address(site.base_url)
        out = {}
        for page in pages:
            if not structured.has_card(page):
                continue
            if page.lang is None:
                first, *others = languages
                second = shown(site.title[others[0].code], others[0]) if others and others[0].dir == "ltr" else None
                png = cards.draw(shown(site.title[first.code], first), "", address, first.dir == "rtl", second=second)
            else:
                lang = next(lng for lng in languages if lng.code == page.lang)
                if page.key == "home":
                    title, name = site.title[lang.code], ""
                else:
                    title, name = structured.page_title(self.model, page, lang.code, gettexts[lang.code]), site.title[lang.code]
                names = place_names(self.model, lang.code)  # "Ain al-Asad" kept on one line
                title, name = shown(title, lang, names), shown(name, lang, names)  # as the pages show them: marks curled, dates whole
                png = cards.draw(digits(title, lang.digits), digits(name, lang.digits), address, lang.dir == "rtl")
            out[structured.card_path(page)] = png
        return out
