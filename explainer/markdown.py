"""Markdown to HTML: CommonMark, raw HTML shown as text, no images, only safe links, and the
page language's digits and bidi isolation applied to the words.

The parser is markdown-it-py with only the rules in :data:`RULES`. What is done here on its
output relies on the output being regular: every tag it writes is one ``<…>`` with its attribute
values escaped, and every ``<`` or ``&`` of the text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink

from .i18n import digits
from .model import Language

RULES = (
    # blocks
    "blockquote",
    "code",
    "fence",
    "heading",
    "hr",
    "lheading",
    "list",
    "paragraph",
    "reference",
    # inline
    "autolink",
    "backticks",
    "emphasis",
    "entity",
    "escape",
    "link",
    "newline",
)
"""CommonMark without ``html_block``/``html_inline`` (raw HTML stays text) and without ``image``
(the site loads nothing from elsewhere: ``![x](url)`` is shown as ``!`` and a link)."""

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_ENTITY = r"&#?[A-Za-z0-9]+;"
_LATIN_CHAR = rf"(?:[A-Za-z0-9'’.\-]|{_ENTITY})"
_LATIN_RUN = re.compile(rf"{_ENTITY}|[A-Za-z]{_LATIN_CHAR}*(?:[ ][A-Za-z0-9]{_LATIN_CHAR}*)*")
"""A run of Latin words in escaped text, or a character reference on its own (left whole)."""
_LINK = re.compile(r'<a href="([^"]*)"(?: title="[^"]*")?>(.*?)</a>', re.DOTALL)
"""A link as the renderer writes it (links cannot contain links)."""
_TAG = re.compile(r"(<[^>]*>)")
_DIGITS_OUTSIDE_REFERENCES = re.compile(rf"{_ENTITY}|[0-9]+")


PAGE_LINK = re.compile(r"(?P<key>[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?)(?:#(?P<anchor>[a-z0-9]+(?:-[a-z0-9]+)*))?")
"""A link to another page of the site, written by its page key: ``differences#what-ends``,
``timeline/joint-statement``, ``sources/s001-almasalla#p3``, a prose page's id ``corrections-policy``.
Resolved for each page it appears on."""

_HREF = re.compile(r'<a href="([^"]*)"')


def resolve_links(html_text: str, url: Callable[[str, str], str | None]) -> str:
    """``html_text`` with each page-key link replaced by ``url(key, anchor)`` (left as is when None)."""
    if "<a " not in html_text:
        return html_text

    def one(link: re.Match[str]) -> str:
        found = PAGE_LINK.fullmatch(link.group(1))
        target = url(found.group("key"), found.group("anchor") or "") if found else None
        return f'<a href="{target}"' if target is not None else link.group(0)

    return _HREF.sub(one, html_text)


def scheme(url: str) -> str | None:
    """The scheme of an address as a browser reads it (leaving out control characters and spaces), or None: a relative address."""
    found = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", url))
    return found.group(1).lower() if found else None


def safe_link(url: str) -> bool:
    """Only web, mail and same-site links; never javascript:, data:, vbscript:, file: or others."""
    found = scheme(url)
    return found is None or found in _SAFE_SCHEMES


_PLAIN_ADDRESS = re.compile(
    r"(?:https?://[A-Za-z0-9.\-]++)?[A-Za-z0-9\-._~/!$'()*+,;=]*(?:\?[A-Za-z0-9\-._~/!$'()*+,;=?]*)?(?:#[A-Za-z0-9\-._~/!$'()*+,;=?#]*)?"
)
"""An address that markdown-it's link normalisation leaves as it is: a web address with a plain host name and
no user, port or percent sign, or a relative one (tests/test_markdown.py checks this against markdown-it). The
host name is matched possessively: the path that follows takes the same characters, and a failing match
must not try every split of a long address between the two."""
PLAIN_ADDRESS_MAX = 255
"""Longer addresses always go through markdown-it's normalisation (which empties a host name over 255 characters)."""


def normalize_link(url: str) -> str:
    """markdown-it's normalisation of a link's address (host names in punycode, percent-encoding), skipped for
    the addresses it leaves as they are (most of them: it parses and rebuilds each, a large part of a page's render)."""
    return url if len(url) <= PLAIN_ADDRESS_MAX and _PLAIN_ADDRESS.fullmatch(url) else str(normalizeLink(url))


def link_address(target: str) -> str:
    """The address of a Markdown link written ``[text](target)``, as the parser puts it in the page: escapes and
    character references read, then percent-encoded (``jav&#x09;ascript:x`` becomes ``jav%09ascript:x``, a relative
    address, not a scheme)."""
    from markdown_it.common.utils import unescapeAll

    return normalize_link(unescapeAll(target))


def isolate_latin(html_text: str) -> str:
    """Wrap runs of Latin script inside right-to-left text in ``<bdi>`` so punctuation stays put (their
    language is not known: a name, an English or a French word)."""
    return _LATIN_RUN.sub(lambda m: m.group(0) if m.group(0)[0] == "&" else f'<bdi dir="ltr">{m.group(0)}</bdi>', html_text)


class _Parser(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        return normalize_link(url)


class Markdown:
    """The site's one Markdown renderer."""

    def __init__(self) -> None:
        self._md = _Parser("zero", {"xhtmlOut": True}).enable(list(RULES))

    def render(self, text: str, lang: Language) -> str:
        """``text`` as HTML for a page in ``lang``."""
        html_text = str(self._md.render(text))
        if "<a " in html_text:
            html_text = _LINK.sub(_refuse_unsafe, html_text)
        if lang.dir == "rtl" or lang.digits != "latn":
            html_text = _words(html_text, lang)
        return html_text


def _refuse_unsafe(link: re.Match[str]) -> str:
    """A link to an unsafe address becomes its text (the parser refuses only some schemes)."""
    return link.group(0) if safe_link(unescape(link.group(1))) else link.group(2)


def _words(html_text: str, lang: Language) -> str:
    """Apply the language's digits and, right to left, Latin isolation to the text between tags,
    except code (shown as written)."""
    parts = _TAG.split(html_text)  # text, tag, text, tag, …
    in_code = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            if part.startswith("<code"):
                in_code += 1
            elif part == "</code>":
                in_code -= 1
        elif part and not in_code:
            if lang.digits != "latn":
                part = _DIGITS_OUTSIDE_REFERENCES.sub(
                    lambda m: m.group(0) if m.group(0)[0] == "&" else digits(m.group(0), lang.digits), part
                )
            parts[i] = isolate_latin(part) if lang.dir == "rtl" else part
    return "".join(parts)


__all__ = ["PAGE_LINK", "RULES", "Markdown", "isolate_latin", "link_address", "resolve_links", "safe_link", "scheme"]
