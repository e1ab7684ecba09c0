"""Stage 4 — render pages with Jinja2 (StrictUndefined, autoescape) and markdown-it-py."""

from __future__ import annotations

import json
import posixpath
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .errors import BuildError, Problem
from .i18n import Catalog, digits, format_date, format_number
from .model import Citation, FuzzyDate, Language, Model, Text
from .plan import NAV, Page, section_path, source_path

SOURCE_LANGUAGE = "ar"
"""The language the source documents (and so every quote) are written in."""

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9'’&.\-]*(?:[ ][A-Za-z0-9][A-Za-z0-9'’&.\-]*)*")


def _validate_link(url: str) -> bool:
    """Only web, mail and same-site links; never javascript:, data:, vbscript: or file:."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url)
    scheme = _SCHEME.match(cleaned)
    return scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES


def _isolate_latin(html_text: str) -> str:
    """Wrap runs of Latin script inside right-to-left text in ``<bdi>`` so punctuation stays put."""
    return _LATIN_RUN.sub(lambda m: f'<bdi lang="en" dir="ltr">{m.group(0)}</bdi>', html_text)


def make_markdown() -> MarkdownIt:
    """The one Markdown renderer: CommonMark, raw HTML shown as text, unsafe links refused."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.disable(["image"])  # no images from elsewhere; the site makes no third-party requests

    def text_rule(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: dict[str, Any]) -> str:
        out = str(escape(tokens[idx].content))
        lang: Language = env["lang"]
        out = digits(out, lang.digits)
        return _isolate_latin(out) if lang.dir == "rtl" else out

    md.add_render_rule("text", text_rule)
    return md


@dataclass(frozen=True)
class Renderer:
    """Renders planned pages to bytes; one Jinja environment per language."""

    model: Model
    envs: Mapping[str, jinja2.Environment]
    md: MarkdownIt
    preview: bool = False

    def render(self, page: Page) -> bytes:
        """One page as UTF-8 HTML."""
        code = page.lang or self.model.site.languages[0].code
        env = self.envs[code]
        template = env.get_template(page.template)
        view = _view(self.model, page, code)
        view.update(_meta(self.model, page, code, self.md, self.preview))
        view["translators"] = MappingProxyType({c: e.globals["gettext"] for c, e in self.envs.items()})
        return template.render(view).encode("utf-8")


_CSP = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",  # same-origin only: lets crawlers' tools read robots.txt
    "base-uri": "'none'",
    "form-action": "'none'",
}
CSP = "; ".join(f"{k} {v}" for k, v in _CSP.items())
"""The published site's Content-Security-Policy: nothing from elsewhere, no script at all."""

PREVIEW_CSP = "; ".join(
    f"{k} {v}" for k, v in {**_CSP, "script-src": "'self' 'unsafe-inline'", "connect-src": "'self' ws: http:"}.items()
)
"""The preview also runs livereload's script and its websocket (local only)."""


def _plain(md: MarkdownIt, text: str, lang: Language) -> str:
    """Markdown as one line of plain text (for meta descriptions)."""
    html_text = md.render(text.strip().split("\n\n")[0], {"lang": Language(lang.code, lang.locale, "ltr", lang.digits, lang.name)})
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html_text)).split())


def _meta(model: Model, page: Page, code: str, md: MarkdownIt, preview: bool) -> dict[str, Any]:
    """Per-page metadata: description, JSON-LD, CSP, feed."""
    site = model.site
    lang = next(lng for lng in site.languages if lng.code == code)
    prose = model.pages.get(page.key)
    source = page.context.get("source")
    if prose is not None:
        title = prose.title[code]
        description = _plain(md, prose.intro[code], lang)
    elif source is not None:
        title, description = source.label[code], site.description[code]
    else:
        title, description = site.title[code], site.description[code]
    if len(description) > 300:
        description = description[:299].rsplit(" ", 1)[0] + "…"
    published = min((u.date for u in model.updates), default=None, key=lambda d: d.sort_key)
    modified = max((u.date for u in model.updates), default=None, key=lambda d: d.sort_key)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title[:110],
        "description": description,
        "inLanguage": code,
        "url": site.base_url + page.path,
        "isPartOf": {"@type": "WebSite", "name": site.title[code], "url": site.base_url},
        "citation": [_source_ld(s, code) for s in model.sources],
    }
    if published is not None and modified is not None:
        data["datePublished"], data["dateModified"] = published.iso, modified.iso
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return {
        "meta_title": digits(title, lang.digits),
        "meta_description": digits(description, lang.digits),
        "jsonld": Markup(text),
        "csp": PREVIEW_CSP if preview else CSP,
        "preview": preview,
    }


def _source_ld(source: Any, code: str) -> dict[str, Any]:
    """A source document as schema.org CreativeWork, with only what its text shows."""
    out: dict[str, Any] = {"@type": "CreativeWork", "name": (source.headline or source.label)[code], "inLanguage": "ar"}
    if source.publisher is not None:
        out["publisher"] = {"@type": "Organization", "name": source.publisher[code]}
    if source.date is not None:
        out["datePublished"] = source.date.iso
    return out


def make_environment(
    templates: Path, lang: Language, catalog: Catalog | None, model: Model, md: MarkdownIt
) -> jinja2.Environment:
    """A strict, autoescaping environment with the language's catalog and filters installed."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if catalog is not None:
        env.install_gettext_translations(catalog.translations, newstyle=True)  # type: ignore[attr-defined]
    else:
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]

    def t(text: Text | None) -> Markup:
        """Plain text in this language: escaped, digits applied, Latin isolated in RTL."""
        if text is None:
            return Markup("")
        out = digits(str(escape(text[lang.code])), lang.digits)
        return Markup(_isolate_latin(out) if lang.dir == "rtl" else out)

    def md_filter(text: Text | None) -> Markup:
        if text is None:
            return Markup("")
        return Markup(md.render(text[lang.code], {"lang": lang}))

    def md_inline(text: Text | None) -> Markup:
        if text is None:
            return Markup("")
        return Markup(md.renderInline(text[lang.code], {"lang": lang}))

    def quote_filter(value: str) -> Markup:
        """A quote in the source language, with this page's digit policy."""
        return Markup(digits(str(escape(value)), lang.digits if lang.code == SOURCE_LANGUAGE else "latn"))

    def date_filter(date: FuzzyDate | None) -> str:
        return "" if date is None else format_date(date, lang)

    env.filters.update(
        t=t,
        md=md_filter,
        md_inline=md_inline,
        quote=quote_filter,
        date=date_filter,
        num=lambda v: format_number(v, lang),
        digits=lambda s: digits(str(s), lang.digits),
        by_source=by_source,
    )
    return env


def by_source(cites: Sequence[Citation]) -> list[tuple[str, list[Citation]]]:
    """Citations grouped by document, in order of first appearance (one label per document)."""
    groups: dict[str, list[Citation]] = {}
    for cite in cites:
        groups.setdefault(cite.source, []).append(cite)
    return list(groups.items())


def _relative(from_path: str, to_path: str) -> str:
    """A relative URL from the page at ``from_path`` to ``to_path`` (both site-relative)."""
    from_dir = from_path if from_path.endswith("/") or not from_path else posixpath.dirname(from_path) + "/"
    rel = posixpath.relpath(to_path or ".", from_dir or ".")
    if to_path.endswith("/") or not to_path:
        rel = "./" if rel == "." else rel + "/"
    return rel


def _view(model: Model, page: Page, code: str) -> dict[str, Any]:
    """The narrow, read-only view a template receives."""
    site = model.site
    lang = next(lang for lang in site.languages if lang.code == code)
    sources = {s.id: s for s in model.sources}
    entities = {e.id: e for e in model.entities}
    places = {p.id: p for p in model.places}

    def url(key: str, anchor: str = "", to_lang: str | None = None) -> str:
        target_lang = to_lang or code
        path = source_path(target_lang, key[len("sources/") :]) if key.startswith("sources/") else section_path(target_lang, key)
        return _relative(page.path, path) + (f"#{anchor}" if anchor else "")

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
            problems.append(Problem(show(templates / name), exc.lineno or 1, 1, f"template syntax error: {exc.message}", "fix the Jinja tag on this line (matching {% %} / {{ }}, end tags)"))
    return problems


def template_problem(exc: Exception, templates: Path, show: Callable[[Path], str]) -> Problem:
    """Locate a render-time error in the template that raised it."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename and Path(f.filename).suffix == ".html"]
    if frames:
        frame = frames[-1]
        path, line = show(Path(frame.filename)), frame.lineno or 1
    else:
        path, line = show(templates), 1
    if isinstance(exc, jinja2.UndefinedError):
        return Problem(path, line, 1, f"template error: {exc.message}", "check the variable's name, or define it before use")
    return Problem(path, line, 1, f"template error: {type(exc).__name__}: {exc}", "check this template line")


def render_all(renderer: Renderer, pages: Sequence[Page], templates: Path, show: Callable[[Path], str]) -> dict[str, bytes]:
    """Render every page; template errors are collected and raised together."""
    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    for page in pages:
        try:
            out[page.output] = renderer.render(page)
        except jinja2.TemplateSyntaxError:
            continue  # reported once, with its line, by compile_all
        except jinja2.TemplateError as exc:
            problems.append(template_problem(exc, templates, show))
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            problems.append(template_problem(exc, templates, show))
    if problems:
        raise BuildError(problems)
    return out
