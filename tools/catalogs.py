#!/usr/bin/env python3
"""Update the UI catalogs from the templates.

    python3 tools/catalogs.py            extract, merge into every locales/*/LC_MESSAGES/messages.po
    python3 tools/catalogs.py --check    exit 1 if a catalog lacks a string the templates use

New strings are added untranslated (the build then names each one with its template line);
strings no longer used are dropped; existing translations are kept; nothing is fuzzy-matched.
English msgstr defaults to the msgid.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explainer.site import keywords  # noqa: E402

LOCALES = {"ar": "ar_IQ", "en": "en_GB"}


def extract() -> Catalog:
    template = Catalog(project="explainer")
    method_map = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options, keywords=keywords()):
        template.add(message, None, [(filename, lineno)], context=context)
    return template


def main(argv: list[str]) -> int:
    template = extract()
    with (ROOT / "locales/messages.pot").open("wb") as fh:
        write_po(fh, template, omit_header=True, no_location=True, sort_output=True)
    missing = 0
    for code, locale in LOCALES.items():
        po = ROOT / "locales" / code / "LC_MESSAGES" / "messages.po"
        old = read_po(po.open("rb"), locale=locale) if po.exists() else Catalog(locale=locale)
        new = Catalog(locale=locale, project="explainer", fuzzy=False)
        for message in template:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            existing = old.get(key)
            string = existing.string if existing is not None else None
            if not string and code == "en":
                string = message.id
            if not string or (isinstance(string, tuple) and not all(string)):
                missing += 1
                print(f"untranslated in {po.relative_to(ROOT)}: {key!r}")
            new.add(message.id, string)
        if "--check" not in argv:
            with po.open("wb") as fh:
                write_po(fh, new, sort_output=True, width=0, no_location=True)
    return 1 if missing and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
