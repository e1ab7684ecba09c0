"""The live preview's loader: only changed list items are parsed again, and positions are found when asked."""

from __future__ import annotations

from pathlib import Path

from explainer.incremental import ContentCache
from explainer.load import load_file

TEXT = "# events\nevents:\n" + "".join(f"  - id: e{i}\n    title: {{ar: 'ع {i}', en: t {i}}}\n" for i in range(50))


def test_positions_of_unchanged_and_edited_items_are_found_when_asked(tmp_path: Path) -> None:
    file = tmp_path / "events.yaml"
    file.write_text(TEXT, "utf-8")
    cache = ContentCache()
    cache.load_file(file, "content/events.yaml")
    state = cache.files["content/events.yaml"]
    assert all(item._tables is None for item in state.items.values())  # nothing located yet
    edited = TEXT.replace("  - id: e10\n", "  - id: e10\n    extra: [1, 2]\n")
    file.write_text(edited, "utf-8")
    doc, problems = cache.load_file(file, "content/events.yaml")
    assert doc is not None and not problems
    assert doc.data["events"][10]["extra"] == [1, 2]
    assert sum(item._tables is not None for item in state.items.values()) == 0
    full, _ = load_file(file, "content/events.yaml")
    assert full is not None
    for path in [("events", 10, "extra", 1), ("events", 40, "title", "en"), ("events",), ()]:
        assert doc.where(path) == full.where(path), path
        assert doc.where(path, key=True) == full.where(path, key=True), path
    assert sum(item._tables is not None for item in state.items.values()) == 2  # only the two items asked about
    assert dict(doc.positions) == dict(full.positions) and dict(doc.key_positions) == dict(full.key_positions)
