#!/usr/bin/env python3
"""Update the UI catalogs from the templates, and compile them.

    python3 tools/catalogs.py [--root DIR] [--fill LANG]   extract, merge into every language's
                                                           locales/<code>/LC_MESSAGES/messages.po, compile messages.mo
    python3 tools/catalogs.py --check                      change nothing; exit 1 if a catalog lacks a string the
                                                           templates use or a messages.mo is not its messages.po compiled

The languages are those of the project's content/site.yaml. New strings are added untranslated
(``check`` names each one with its template line); strings no longer used are dropped; existing
translations are kept; nothing is fuzzy-matched. ``--fill LANG``: new strings of LANG's catalog
start as their msgid (the language the templates' UI strings are written in, English here).
A build reads only the compiled ``messages.mo`` files (see explainer/catalogs.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's generator

from explainer.catalogs import compile_po, header_problems, keywords, mo_path, po_path
from explainer.load import load_bytes
from explainer.model import Language
from explainer.project import InputError, Project


def extract(project: Project) -> Catalog:
    template = Catalog(project="explainer")
    method_map = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, _comments, context in extract_from_dir(str(project.root), method_map, options, keywords=keywords()):
        template.add(message, None, [(filename, lineno)], context=context)
    return template


def languages(project: Project) -> list[Language]:
    """The languages of ``content/site.yaml`` (it must load)."""
    try:
        doc, problems = load_bytes(project.read_bytes(project.content / "site.yaml"), "content/site.yaml")
    except InputError as exc:
        raise SystemExit(exc.problem.format()) from None
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("languages"), list):
        raise SystemExit("\n".join(p.format() for p in problems) or "content/site.yaml lists no languages")
    return [
        Language(raw["code"], raw["locale"], raw.get("dir", "ltr"), raw.get("digits", "latn"), raw.get("name", ""))
        for raw in doc.data["languages"]
    ]


def merge(template: Catalog, po: Path, lang: Language, fill: bool) -> tuple[Catalog, list[str]]:
    """The catalog of ``lang`` with every string of ``template``: its existing translations, the rest untranslated."""
    old = Catalog(locale=lang.locale)
    if po.exists():
        with po.open("rb") as fh:
            old = read_po(fh, locale=lang.locale)
    new = Catalog(locale=lang.locale, project="explainer", fuzzy=False, creation_date=old.creation_date)  # unchanged: not rewritten
    untranslated = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        existing = old.get(key)
        string = existing.string if existing is not None else None
        if not string and fill:
            string = message.id
        if not string or (isinstance(string, tuple) and not all(string)):
            untranslated.append(key)
        new.add(message.id, string)
    return new, untranslated


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Update the UI catalogs from the templates, and compile them.")
    parser.add_argument("--root", type=Path, help="the project (default: the nearest folder holding content/, from here up)")
    parser.add_argument("--fill", metavar="LANG", help="new strings of this language's catalog start as their msgid")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything would change")
    args = parser.parse_args(argv)
    project = Project(args.root.absolute()) if args.root else Project.find(Path.cwd())
    template = extract(project)
    if not args.check:
        with (project.locales / "messages.pot").open("wb") as fh:
            write_po(fh, template, omit_header=True, no_location=True, sort_output=True)
    stale = 0
    for lang in languages(project):
        po, mo = po_path(project, lang.code), mo_path(project, lang.code)
        header = header_problems(po.read_bytes().decode("utf-8", "replace"), project.show(po)) if po.exists() else []
        if header:  # Babel would fail on it, or make nplurals slots for each plural entry
            raise SystemExit("\n".join(p.format() for p in header))
        catalog, untranslated = merge(template, po, lang, args.fill == lang.code)
        for key in untranslated:
            print(f"untranslated in {project.show(po)}: {key!r}")
        if args.check:
            compiled, _ids, problems = compile_po(po.read_bytes(), project.show(po), lang.locale) if po.exists() else (None, None, [])
            fresh = compiled is not None and mo.is_file() and mo.read_bytes() == compiled
            stale += bool(untranslated) + (not fresh)
            if not fresh:
                print(f"not compiled from its .po: {project.show(mo)}")
            continue
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, width=0, no_location=True)
        compiled, _ids, problems = compile_po(po.read_bytes(), project.show(po), lang.locale)
        for problem in problems:
            print(problem.format())
        if compiled is not None:
            mo.write_bytes(compiled)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
