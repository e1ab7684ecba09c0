"""What a host sends with the files: each page's Content-Security-Policy, and cache lifetimes.

Every page carries its policy in a ``<meta>`` tag (:func:`meta_csp`), which works on any host. A
policy in a ``<meta>`` tag cannot say who may frame the page, so hosts should also send it as an
HTTP header with ``frame-ancestors`` (:func:`header_csp`): no one may frame the site's pages, anyone
may frame the embeds (``embed/<lang>/…``). The build writes these headers as a ``_headers`` file
(read by Netlify, Cloudflare Pages and others, see :func:`headers_file`); ``docs/deploy.md`` has
the same for nginx. Hashed static files (see :mod:`~explainer.assets`) may be kept for a year,
pages for five minutes.
"""

from __future__ import annotations

from collections.abc import Iterable

from .plan import Page

SEARCH_SCRIPT = "'self' 'wasm-unsafe-eval'"
"""The search page runs the site's own search script and Pagefind's WebAssembly; nothing else runs scripts."""

LONG_CACHE = "public, max-age=31536000, immutable"
"""For files whose name carries a hash of their content (``static/``)."""

STATIC_CSP = "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; sandbox"
"""For ``static/``: its files are data, so one opened as a document (an HTML or SVG file put there)
runs no script and reaches nothing; the pages that load the stylesheet, fonts and search script
are governed by their own policy, not by this one."""

SHORT_CACHE = "public, max-age=300"
"""For pages and everything else: five minutes."""


def _policy(search: bool = False, preview: bool = False) -> dict[str, str]:
    from .render import _CSP

    policy = dict(_CSP)
    if search:
        policy["script-src"] = SEARCH_SCRIPT
    if preview:  # livereload's script and websocket (local only)
        script = policy.get("script-src", "'self'").replace("'self'", "'self' 'unsafe-inline'")
        policy.update({"script-src": script, "connect-src": "'self' ws: http:"})
    return policy


def _join(policy: dict[str, str]) -> str:
    return "; ".join(f"{k} {v}" for k, v in policy.items())


def is_search(page: Page) -> bool:
    return page.key == "search"


def is_embed(page: Page) -> bool:
    return page.key.startswith("embed/")


def meta_csp(page: Page, preview: bool = False) -> str:
    """The policy in the page's ``<meta http-equiv>``: no script, except on the search page."""
    return _join(_policy(search=is_search(page), preview=preview))


def header_csp(page: Page) -> str:
    """The same policy as an HTTP header, which can also say who may frame the page."""
    return _join({**_policy(search=is_search(page)), "frame-ancestors": "*" if is_embed(page) else "'none'"})


def _rule(page: Page) -> str:
    """The ``_headers`` path pattern that covers ``page`` (relative to the site's root): a page of a
    section with all the other pages of its section, an embed with the other embeds."""
    parts = [p for p in page.path.split("/") if p]
    if is_embed(page):
        return "embed/*"
    if page.lang is not None and len(parts) >= 2:
        return f"{parts[0]}/{parts[1]}/*"
    return page.path


def headers_file(pages: Iterable[Page], site_root: str) -> bytes:
    """``_headers``: the header policy of every page, as a few path patterns.

    ``site_root`` is the base URL's path (``/iraq-coalition/``). A host that reads this file may
    combine every rule that matches a path, or let the last one win: so no header is set by two
    rules that match the same path (the general ``/*`` rule sets only headers no other rule sets).
    """
    rules: dict[str, str] = {}
    for page in pages:
        if page.key == "404":  # served in place of a missing page, at any depth: the pages' own policy
            rules.setdefault(page.path, header_csp(page))
            continue
        pattern, policy = _rule(page), header_csp(page)
        if rules.setdefault(pattern, policy) != policy:
            raise ValueError(f"pages under {pattern} need different policies")  # a new kind of page needs a rule of its own
    out = [
        "# Response headers for hosts that read a _headers file (Netlify, Cloudflare Pages, ...); made by the build.",
        "# See docs/deploy.md (the same for nginx). No header is set by two rules that match the same path.",
        "/*",
        "  X-Content-Type-Options: nosniff",
        "  Referrer-Policy: strict-origin-when-cross-origin",
        "",
        f"{site_root}static/*",
        f"  Content-Security-Policy: {STATIC_CSP}",
        f"  Cache-Control: {LONG_CACHE}",
    ]
    for pattern, policy in sorted(rules.items()):
        out += ["", f"{site_root}{pattern}", f"  Content-Security-Policy: {policy}", f"  Cache-Control: {SHORT_CACHE}"]
    return ("\n".join(out) + "\n").encode("utf-8")
