"""Editors' tooling stays wired: every content file has its schema for VS Code, and the schemas are valid."""

from __future__ import annotations

import json
import re

import yaml
from conftest import REPO
from jsonschema import Draft202012Validator

from explainer.quotes import QuoteIndex
from explainer.validate import CONTENT_FILES


def test_every_content_file_is_wired_to_its_schema() -> None:
    settings = json.loads((REPO / ".vscode/settings.json").read_text())
    mapped = {v: k for k, v in settings["yaml.schemas"].items()}
    for name in CONTENT_FILES:
        schema = REPO / "schemas" / f"{name}.schema.json"
        Draft202012Validator.check_schema(json.loads(schema.read_text()))
        assert mapped[f"content/{name}.yaml"] == f"./schemas/{name}.schema.json"
        first = (REPO / "content" / f"{name}.yaml").read_text("utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../schemas/{name}.schema.json"


def test_every_field_the_schemas_offer_is_described() -> None:
    """Hover help in the editor: each property of each item has a description (or a described $ref)."""
    common = json.loads((REPO / "schemas/common.schema.json").read_text())["$defs"]
    for name in CONTENT_FILES:
        schema = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text())
        stack = [schema]
        while stack:
            node = stack.pop()
            for key, prop in node.get("properties", {}).items():
                ref = prop.get("$ref", "").rsplit("/", 1)[-1]
                described = "description" in prop or "description" in common.get(ref, {}) or "properties" in prop or "items" in prop
                assert described, f"{name}.schema.json: '{key}' has no description"
                stack.append(prop)
                if isinstance(prop.get("items"), dict):
                    stack.append(prop["items"])


def test_the_guides_examples_quote_the_seeds_verbatim() -> None:
    seeds = {p.name: QuoteIndex(p.read_text("utf-8")) for p in (REPO / "seeds").glob("*.txt")}
    by_id = {s["id"]: s["file"] for s in yaml.safe_load((REPO / "content/sources.yaml").read_text("utf-8"))["sources"]}
    assert len(by_id) == 5
    for guide in ("docs/editors-guide.md", "docs/editors-guide.ar.md"):
        text = (REPO / guide).read_text("utf-8")
        examples = re.findall(r'source: (\S+)\n\s+quote: "([^"]+)"', text)
        assert examples, f"{guide}: no example of a quote found (the pattern no longer matches the guide)"
        for source, quote in examples:
            assert seeds[by_id[source]].find(quote) is not None, (guide, quote)
