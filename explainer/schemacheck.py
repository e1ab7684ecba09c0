"""A fast yes/no JSON Schema check for the content files, compiled once per set of schemas.

``jsonschema`` explains every error with its path, which :mod:`explainer.validate` turns into
located messages; but it walks the schema afresh for every value and resolves every ``$ref``
through its registry each time (see benchmarks/ for what that costs at 10,000 events). This module
compiles the schemas (only the keywords the project's schemas use) into plain Python checks that
answer one question: is this document valid? When it is (the usual case) the build goes on;
when it is not, or a schema uses a keyword this module does not know, ``jsonschema`` runs as
before and reports every error. A "no" here is never an error message, so the check only has to
be exact about saying "yes": wherever the semantics are subtle (``uniqueItems`` over non-strings,
``enum`` over mixed types) it says "no" and leaves the answer to ``jsonschema``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "markdownDescription"})


class Unsupported(Exception):
    """A schema uses a keyword (or form) this module does not compile."""


def _is_type(name: str) -> Check:
    if name == "string":
        return lambda v: isinstance(v, str)
    if name == "object":
        return lambda v: isinstance(v, dict)
    if name == "array":
        return lambda v: isinstance(v, list)
    if name == "boolean":
        return lambda v: isinstance(v, bool)
    if name == "null":
        return lambda v: v is None
    if name == "number":
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if name == "integer":
        return lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    raise Unsupported(f"type {name!r}")


def _items(item: Check) -> Check:
    def check(v: Any) -> bool:
        if not isinstance(v, list):
            return True
        for x in v:  # noqa: SIM110 - a plain loop: every list of a document goes through here
            if not item(x):
                return False
        return True

    return check


_OBJECT_KEYWORDS = ("properties", "additionalProperties", "required")
_STRING_KEYWORDS = ("type", "minLength", "maxLength", "pattern")


def _string(shortest: int, longest: int, pattern: str | None) -> Check:
    """A string schema (the most common kind: ids, texts, dates) as one function rather than one per keyword."""
    if pattern is None:
        return lambda v: isinstance(v, str) and shortest <= len(v) <= longest
    search = re.compile(pattern).search
    return lambda v: isinstance(v, str) and shortest <= len(v) <= longest and search(v) is not None


def _all(checks: list[Check]) -> Check:
    """All of ``checks``, as one function (up to three of them without a loop over them)."""
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda v: a(v) and b(v)
    if len(checks) == 3:
        a, b, c = checks
        return lambda v: a(v) and b(v) and c(v)
    return lambda v: all(one(v) for one in checks)


class _Compiler:
    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas  # file name ($id) → schema
        self.done: dict[tuple[str, str], Check] = {}

    def ref(self, base: str, ref: str) -> Check:
        doc, _, pointer = ref.partition("#")
        doc = doc or base
        key = (doc, pointer)
        if key not in self.done:
            if doc not in self.schemas:
                raise Unsupported(f"$ref to {ref!r}")
            target: Any = self.schemas[doc]
            for part in [p for p in pointer.split("/") if p]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            slot: list[Check] = []
            self.done[key] = lambda v: slot[0](v)  # a recursive $ref finds this stand-in
            slot.append(self.compile(target, doc))
            self.done[key] = slot[0]
        return self.done[key]

    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return lambda v: True
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        if schema.get("type") == "string" and all(k in _ANNOTATIONS or k in _STRING_KEYWORDS for k in schema):
            return _string(schema.get("minLength", 0), schema.get("maxLength", sys.maxsize), schema.get("pattern"))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in _OBJECT_KEYWORDS:
                continue
            checks.append(self.keyword(keyword, value, schema, base))
        if any(k in schema for k in _OBJECT_KEYWORDS):
            checks.append(self.object(schema, base))
        return _all(checks)

    def keyword(self, keyword: str, value: Any, schema: dict[str, Any], base: str) -> Check:
        if keyword == "$ref":
            return self.ref(base, value)
        if keyword == "type":
            names = value if isinstance(value, list) else [value]
            tests = [_is_type(n) for n in names]
            return tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests)
        if keyword == "enum":
            if all(type(x) is str for x in value):  # the usual enum: a set look-up
                words = frozenset(value)
                return lambda v: type(v) is str and v in words
            allowed = [(type(x), x) for x in value]
            return lambda v: any(type(v) is t and v == x for t, x in allowed)
        if keyword == "pattern":
            search = re.compile(value).search
            return lambda v: not isinstance(v, str) or search(v) is not None
        if keyword == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= value
        if keyword == "maxLength":
            return lambda v: not isinstance(v, str) or len(v) <= value
        if keyword == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= value
        if keyword == "maxItems":
            return lambda v: not isinstance(v, list) or len(v) <= value
        if keyword == "uniqueItems":
            if not value:
                return lambda v: True
            return lambda v: not isinstance(v, list) or (all(isinstance(x, str) for x in v) and len(set(v)) == len(v))
        if keyword in ("minimum", "maximum"):
            bound = value
            cmp: Callable[[Any], bool] = (lambda v: v >= bound) if keyword == "minimum" else (lambda v: v <= bound)
            return lambda v: isinstance(v, bool) or not isinstance(v, int | float) or cmp(v)
        if keyword == "items":
            return _items(self.compile(value, base))
        raise Unsupported(f"keyword {keyword!r}")

    def object(self, schema: dict[str, Any], base: str) -> Check:
        """``properties``, ``additionalProperties`` and ``required``, checked in one pass over a mapping."""
        props = {k: self.compile(s, base) for k, s in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        other: Check | None = None if extra is False else self.compile(extra, base)
        required = frozenset(schema.get("required", ()))

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            if not v.keys() >= required:
                return False
            for key, sub in v.items():
                prop = props.get(key)
                if prop is not None:
                    if not prop(sub):
                        return False
                elif other is None or not other(sub):
                    return False
            return True

        return check


@lru_cache(maxsize=4)
def _compiled(files: tuple[tuple[str, bytes], ...]) -> Mapping[str, Check | None]:
    schemas = {name: json.loads(data) for name, data in files}
    compiler = _Compiler(schemas)
    out: dict[str, Check | None] = {}
    for name, body in schemas.items():
        try:
            out[name.removesuffix(".schema.json")] = compiler.compile(body, name)
        except (Unsupported, LookupError, TypeError, ValueError, AttributeError, RecursionError, re.error):
            out[name.removesuffix(".schema.json")] = None  # jsonschema decides for this file
    return out


def quick_valid(schemas: Mapping[str, bytes], name: str, data: Any) -> bool:
    """True if ``data`` is certainly valid against the schema ``<name>.schema.json`` of ``schemas`` (file name → its
    bytes, as the build read them); False means "ask jsonschema"."""
    try:
        check = _compiled(tuple(sorted(schemas.items()))).get(name)
    except (ValueError, RecursionError):
        return False
    if check is None:
        return False
    try:
        return check(data)
    except Exception:  # a schema this check cannot apply (a $ref to itself, a keyword of the wrong type): jsonschema says why
        return False
