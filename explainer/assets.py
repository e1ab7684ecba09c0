"""Static files under names that carry a hash of their content: ``style.css`` is published as
``static/style.3f2a9c1b0d.css``, so a host can tell browsers to keep it for a year (see
``docs/deploy.md``) and a changed stylesheet is a new URL, never a stale copy.

Files that pages or stylesheets refer to (:data:`HASHED`: stylesheets, scripts, fonts, images) are
renamed; the stylesheet's ``url(...)`` references to other static files are rewritten first, so a
new font makes a new stylesheet name too. Anything else (the font licence) keeps its name.
Templates ask for a file by its own name: ``static_name("style.css")``.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .errors import Problem

HASHED = frozenset({".css", ".js", ".woff2", ".woff", ".ttf", ".svg", ".png", ".jpg", ".webp", ".ico"})
"""The suffixes of files published under a content-hashed name."""

HASH_LENGTH = 10
"""Hex digits of SHA-256 in a hashed name (40 bits: no two versions of a file will share one)."""

_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""")


@dataclass(frozen=True)
class Assets:
    """The published static files: their names (own name → published name, both relative to
    ``static/``) and their bytes (by output path, ``static/…``)."""

    names: Mapping[str, str]
    files: Mapping[str, bytes]

    def name(self, own: str) -> str:
        """The published name of ``static/<own>`` (a ``KeyError`` for a file that is not there)."""
        return self.names[own]


def hashed_name(own: str, data: bytes) -> str:
    """``fonts/a.woff2`` → ``fonts/a.<hash>.woff2``."""
    folder, _, base = own.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return f"{folder + '/' if folder else ''}{stem}.{digest}{dot}{suffix}"


MAX_NAME_BYTES = 255
"""The longest file name (in bytes) that Linux, macOS and Windows file systems hold: a published name must fit."""

MAX_PATH_BYTES = 1024
"""The longest published path of a static file (``static/`` and its folders included), in bytes: the whole path of
a file, the output folder's (and its staging folder's) included, may have 4,095 on Linux."""


def name_problem(own: str, shown: str) -> Problem | None:
    """Whether ``static/<own>``'s published name (its hash added) is longer than a file system allows (review s5, attack 12),
    or its published path longer than :data:`MAX_PATH_BYTES` (review s7, attack A12)."""
    extra = HASH_LENGTH + 1 if Path(own).suffix in HASHED else 0
    base = own.rpartition("/")[2]
    size = len(base.encode("utf-8", "surrogateescape")) + extra
    if size > MAX_NAME_BYTES:
        message = (
            f"the file's published name would be {size} bytes long (its name and a {HASH_LENGTH}-character hash); "
            f"a file name may have {MAX_NAME_BYTES}"
        )
        return Problem(shown, 1, 1, message, f"rename it to at most {MAX_NAME_BYTES - HASH_LENGTH - 1} bytes (and the references to it)")
    path = len(f"static/{own}".encode("utf-8", "surrogateescape")) + extra
    if path > MAX_PATH_BYTES:
        message = f"the file's published path would be {path:,} bytes long (static/, its folders and its name); at most {MAX_PATH_BYTES:,}"
        hint = "shorten the names of the folders it is in, or keep it fewer folders deep (and change the references to it)"
        return Problem(shown, 1, 1, message, hint)
    return None


def static_assets(raw: Mapping[str, bytes]) -> Assets:
    """The static files (their bytes by their path below ``static/``, read by the project's rules for
    inputs) under their published names; stylesheets last, their references rewritten."""
    names: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for own in sorted(raw, key=lambda o: (o.endswith(".css"), o)):
        data = raw[own]
        if own.endswith(".css"):
            data = _rewrite_css(own, data, names)
        published = hashed_name(own, data) if Path(own).suffix in HASHED else own
        names[own] = published
        files[f"static/{published}"] = data
    return Assets(MappingProxyType(names), MappingProxyType(files))


def css_problem(own: str, data: bytes, shown: str) -> Problem | None:
    """The problem of ``static/<own>`` if it is a stylesheet that is not UTF-8 (its references could not be rewritten)."""
    if not own.endswith(".css"):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        message = f"stylesheet is not valid UTF-8 (byte 0x{data[exc.start]:02x})"
        return Problem(shown, line, col, message, "save it as UTF-8 (write other characters as CSS escapes, such as \\201c)")
    return None


def _rewrite_css(own: str, data: bytes, names: Mapping[str, str]) -> bytes:
    """``url(fonts/a.woff2)`` → ``url(fonts/a.<hash>.woff2)`` for each static file the stylesheet names."""
    folder = posixpath.dirname(own)

    def one(found: re.Match[str]) -> str:
        quote, target = found.group(1), found.group(2)
        if ":" in target or target.startswith(("/", "#")):
            return found.group(0)  # another site, data:, or the root: left as it is
        path, _, rest = target.partition("?")
        key = posixpath.normpath(posixpath.join(folder, path))
        if key not in names:
            return found.group(0)
        new = posixpath.relpath(names[key], folder or ".")
        return f"url({quote}{new}{'?' + rest if rest else ''}{quote})"

    # a stylesheet that is not UTF-8 is an error (css_problem); its bytes pass through unchanged meanwhile
    return _URL.sub(one, data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
