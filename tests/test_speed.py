"""The benchmark corpus stays valid for the real pipeline, and the fast paths agree with the slow ones."""

from __future__ import annotations

import copy
import random
import re
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_project, run_cli, snapshot

from explainer import render
from explainer.errors import BuildError
from explainer.load import load_file
from explainer.quotes import _normalise_with_map, normalise
from explainer.schemacheck import quick_valid
from explainer.site import build
from explainer.validate import CONTENT_FILES, Project, _validators

sys.path.insert(0, str(REPO / "benchmarks"))
import corpus


def test_benchmark_corpus_builds_with_the_real_pipeline(tmp_path: Path) -> None:
    ours, hugo = corpus.write_both(tmp_path, 20)
    result = run_cli(ours, "build", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "(42 pages)" in result.stdout
    pages = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.html"))
    assert len(pages) == corpus.pages_for(20) == 42
    assert pages[:2] == ["ar/timeline/e000001/index.html", "ar/timeline/e000002/index.html"]
    assert "ar/timeline/index.html" in pages and "en/timeline/index.html" in pages
    html = (tmp_path / "out/ar/timeline/e000002/index.html").read_text("utf-8")
    assert '<html lang="ar" dir="rtl">' in html and "<strong>" in html and 'href="https://example.org/events/2/0"' in html
    assert len(list((hugo / "content/ar").glob("e*.md"))) == 20


def test_parallel_build_is_byte_identical_to_a_serial_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, _ = corpus.write_both(tmp_path, 250)  # 502 pages: rendered by worker processes
    assert run_cli(ours, "build", "--out", str(tmp_path / "parallel")).returncode == 0
    monkeypatch.setattr(render, "PARALLEL_FROM", 10**9)
    build(Project(ours), tmp_path / "serial")
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def _build_one_way(project: Path, out: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(render, "PARALLEL_FROM", 2 if parallel else 10**9)
        build(Project(project), out)


def test_the_workers_find_the_problems_one_process_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, _ = corpus.write_both(tmp_path, 20)  # 42 pages, rendered by the workers when the threshold is 2
    _build_one_way(ours, tmp_path / "parallel", True, monkeypatch)
    _build_one_way(ours, tmp_path / "serial", False, monkeypatch)
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")
    assert (tmp_path / "parallel/en/timeline/e000001/index.html").is_file() and (tmp_path / "parallel/sitemap.xml").is_file()

    # a template error on every event page, so in every worker: the same problems either way
    event = ours / "templates/event.html"
    event.write_text(event.read_text("utf-8").replace("{{ e.title|t }}", "{{ e.title|t }}{{ e.no_such_field }}"), "utf-8")
    with pytest.raises(BuildError) as serial:
        _build_one_way(ours, tmp_path / "serial", False, monkeypatch)
    with pytest.raises(BuildError) as parallel:
        _build_one_way(ours, tmp_path / "parallel", True, monkeypatch)
    assert "no_such_field" in parallel.value.report()
    assert parallel.value.problems == serial.value.problems
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")  # the last good output, left as it was

    # an error on the English pages only (the last pages, in the last worker's chunks): it reaches the report
    english_only = "{{ e.title|t }}{% if lang.code == 'en' %}{{ 1 / 0 }}{% endif %}"
    event.write_text(event.read_text("utf-8").replace("{{ e.title|t }}{{ e.no_such_field }}", english_only), "utf-8")
    with pytest.raises(BuildError) as failed:
        _build_one_way(ours, tmp_path / "parallel", True, monkeypatch)
    assert "ZeroDivisionError" in failed.value.report()
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def test_quick_schema_check_never_accepts_what_jsonschema_rejects() -> None:
    schemas = {file.name: file.read_bytes() for file in sorted((REPO / "schemas").glob("*.schema.json"))}
    validators = _validators(schemas)
    rng = random.Random(8)
    junk = [None, 1, 1.5, True, "", " ", "x", [], {}, "2024-13", "Ab", -5, 10**6, ["a", "a"]]

    def mutate(value: object) -> object:
        if isinstance(value, dict) and value:
            key = rng.choice(list(value))
            roll = rng.random()
            if roll < 0.15:
                del value[key]
            elif roll < 0.25:
                value[key + "x"] = "v"
            else:
                value[key] = mutate(value[key]) if roll < 0.6 else rng.choice(junk)
            return value
        if isinstance(value, list) and value:
            i = rng.randrange(len(value))
            value[i] = mutate(value[i])
            return value
        return rng.choice(junk)

    for name in CONTENT_FILES:
        doc, _ = load_file(REPO / "content" / f"{name}.yaml", name)
        assert doc is not None
        assert quick_valid(schemas, name, doc.data), name  # the real content takes the fast path
        for _ in range(40):
            data = mutate(copy.deepcopy(doc.data))
            if quick_valid(schemas, name, data):
                assert not list(validators[name].iter_errors(data)), (name, data)


def test_fast_quote_normalisation_matches_the_mapped_one() -> None:
    chars = ' \t\n\u00a0\u2003ab«»"“”ـأإآٱىئؤ\u064b\u0670\u200c\u200f\ufeffابت12'
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        assert normalise(text) == _normalise_with_map(text)[0], repr(text)


def test_open_data_written_piecewise_is_what_json_and_csv_write() -> None:
    import csv
    import io
    import json

    from explainer import outputs
    from explainer.validate import load_model as load

    model = load(Project(REPO), translation=False)
    for lang in model.site.languages:
        files = outputs.open_data(model, lang)
        for name in outputs.COLLECTIONS:
            items = outputs.records(model, lang, name)
            data = files[f"data/{lang.code}/{name}.json"]
            assert json.loads(data) == items
            records = data.decode("utf-8").split("\n")[1:-2]  # one per line, between "[" and "]"
            assert [json.loads(r.removesuffix(",")) for r in records] == items
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(items[0]) if items else ["id"], lineterminator="\n")
            writer.writeheader()
            for item in items:
                writer.writerow({k: outputs._cell(outputs._flat(v)) for k, v in item.items()})
            assert files[f"data/{lang.code}/{name}.csv"] == outputs.BOM + buf.getvalue().encode()  # Excel needs the mark


def test_a_template_compiled_in_another_folder_is_located_in_its_own(tmp_path: Path) -> None:
    """Compiled templates are cached by name and source, whichever folder holds them (the suite's fixture
    sites, a second checkout): an error in a template whose code came from another folder's copy is
    located in this project's file, never the other's."""
    problems = []
    for name in ("first", "second"):
        (tmp_path / name / "templates").mkdir(parents=True)
        (tmp_path / name / "templates" / "x.html").write_text("line one\n{{ 1 // n }}\n", "utf-8")
        project = Project(tmp_path / name)
        template = render._strict_environment(project).get_template("x.html")
        assert template.filename == str(tmp_path / name / "templates" / "x.html")
        with pytest.raises(ZeroDivisionError) as raised:
            template.render(n=0)
        problems.append(render.template_problem(raised.value, project.templates, project.show))
    assert [(p.path, p.line) for p in problems] == [("templates/x.html", 2)] * 2, problems
    key = render._SharedCache(directory=str(tmp_path)).get_cache_key
    assert key("x.html", str(tmp_path / "first")) == key("x.html", str(tmp_path / "second"))


def test_a_filter_of_a_constant_is_worked_out_for_each_language_and_project(tmp_path: Path) -> None:
    """Jinja works a filter of a constant out once, into the compiled template, which the cache keeps by the template's
    source alone: the site's own filters are never worked out so (review, 6 Dec: another copy of the project with other
    digits set the digits of this one's ``{{ 1234567|num }}``; within one project, the first language did so for the others)."""
    fold = '<p id="fold">{{ 1234567|num }} {{ "2026"|digits }}</p>\n'
    shown = {}
    for name, ar_digits in (("other", "arab"), ("this", "latn"), ("again", "arab")):
        project = make_project(tmp_path / name)
        site = project / "content/site.yaml"
        ar = "{code: ar, locale: ar_IQ, dir: rtl, digits: "
        site.write_text(site.read_text("utf-8").replace(ar + "latn", ar + ar_digits), "utf-8")
        home = project / "templates/home.html"
        home.write_text(home.read_text("utf-8").replace("{% block main %}\n", "{% block main %}\n" + fold, 1), "utf-8")
        done = run_cli(project, "build")
        assert done.returncode == 0, done.stderr
        for code in ("ar", "en"):
            found = re.search(r'<p id="fold">([^<]*)</p>', (project / f"_site/{code}/index.html").read_text("utf-8"))
            assert found, code
            shown[name, code] = found.group(1)
    assert shown["this", "ar"] == shown["this", "en"] == shown["again", "en"] == shown["other", "en"] == "1,234,567 2026", shown
    arabic = shown["again", "ar"]
    assert shown["other", "ar"] == arabic and set(arabic) <= set("٠١٢٣٤٥٦٧٨٩٬ ") and "٢٠٢٦" in arabic, shown
