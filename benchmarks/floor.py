"""How fast a build of N events could be at best with this stack, against Hugo's whole build.

    python3 benchmarks/floor.py --events N [--runs R]

The build's target at 10,000 events is 0.8 × Hugo's time (issue 17). Two lower bounds, each paired
with a run of Hugo (timed as :mod:`bench` times it: a whole process, on every core), on the corpus
of :mod:`corpus`:

1. The work no build of this site can leave out, each part measured on its own in one process:
   ``start`` (starting Python and importing the libraries a build needs: a whole process), ``yaml``
   (reading the events file and parsing it with ``explainer.load.load_bytes``, as the build does), ``markdown`` (every event's body in
   both languages through the site's Markdown renderer, markdown-it-py) and ``write`` (writing the pages
   the build made, each into its own folder). The floor is ``start + (yaml + markdown + write) / cores``:
   as if all of it were split over every core at no cost, and nothing else were done (no validation,
   no quote proofs, no templates, no feeds, open data or search).
2. The build as it is, if its work were split over every core at no cost: the CPU time of a whole
   build (every process, user and system, from ``wait4``) divided by the cores.

The last line printed is one JSON object: {"events": N, "floor_s": …, "hugo_s": …, "floor_ratio":
floor/hugo, "start_s": …, "yaml_s": …, "markdown_s": …, "write_s": …, "build_cpu_s": …, "cpu_ratio":
build_cpu/cores/hugo, "cores": C}.

Figures (2026-12-06, 10,000 events, 2-core VM, three paired runs): floor 3.36-3.49 s against Hugo's
5.95-6.32 s, a ratio of 0.54-0.56 (start 0.10 s; of one core: YAML 1.23-1.25 s, Markdown 4.06-4.11 s, writing
1.20-1.42 s). The whole build took 18.2-18.7 s of CPU: split over the 2 cores at no cost, 1.44-1.54 × Hugo's time.
The target, 0.8 ×, would leave the rest of the build (everything but Markdown, YAML and writing: 11.7 s of CPU)
about 3.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import IMPORTS, PYTHON_DEFAULTS, run
from corpus import REPO, events, hugo_binary, write_both

from explainer.load import load_file
from explainer.markdown import Markdown
from explainer.model import Language

LANGUAGES = {"ar": Language("ar", "ar_IQ", "rtl", "latn", "العربية"), "en": Language("en", "en_GB", "ltr", "latn", "English")}


def markdown_seconds(n: int) -> float:
    """One core's time to render every event body of the corpus, in both languages."""
    md = Markdown()
    bodies = [(e["body"][code], lang) for e in events(n) for code, lang in LANGUAGES.items()]
    started = time.perf_counter()
    for text, lang in bodies:
        md.render(text, lang)
    return time.perf_counter() - started


def yaml_seconds(site: Path) -> float:
    """The time to read and parse the events file as a build does."""
    started = time.perf_counter()
    doc, problems = load_file(site / "content" / "events.yaml", "content/events.yaml")
    if doc is None or problems:
        raise SystemExit(f"the corpus's events file did not load: {problems}")
    return time.perf_counter() - started


def write_seconds(built: Path, into: Path) -> float:
    """The time to write every page of ``built`` into ``into``, each into its folder."""
    pages = {str(p.relative_to(built)): p.read_bytes() for p in built.rglob("*.html")}
    os.sync()
    started = time.perf_counter()
    for rel, data in pages.items():
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return time.perf_counter() - started


def build_cpu(cmd: list[str], cwd: Path) -> float:
    """The CPU time (user and system) of ``cmd`` and every process it waited for, in seconds."""
    os.sync()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=PYTHON_DEFAULTS)
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="explainer-floor-"))
    try:
        ours, hugo_site = write_both(work, args.events)
        hugo = str(hugo_binary())
        built = work / "built"
        run([sys.executable, str(REPO / "build.py"), "build", "--out", str(built)], ours)
        run([hugo, "--source", str(hugo_site), "--destination", str(work / "hugo-warm"), "--quiet"], hugo_site)
        floors, hugos, parts = [], [], []
        for i in range(1, args.runs + 1):
            start, _ = run([sys.executable, "-c", IMPORTS], REPO, PYTHON_DEFAULTS)
            part = {"start": start, "yaml": yaml_seconds(ours), "markdown": markdown_seconds(args.events)}
            part["write"] = write_seconds(built, work / f"write-{i}")
            part["build_cpu"] = build_cpu([sys.executable, str(REPO / "build.py"), "build", "--out", str(work / f"ours-{i}")], ours)
            floor = part["start"] + (part["yaml"] + part["markdown"] + part["write"]) / cores
            hugo_s, _ = run([hugo, "--source", str(hugo_site), "--destination", str(work / f"hugo-{i}"), "--quiet"], hugo_site)
            floors.append(floor)
            hugos.append(hugo_s)
            parts.append(part)
            shown = ", ".join(f"{k} {v:.2f} s" for k, v in part.items())
            print(
                f"run {i}: floor {floor:.2f} s ({shown}; {cores} cores)  hugo {hugo_s:.2f} s  ratio {floor / hugo_s:.2f}"
                f"  build CPU / cores / hugo {part['build_cpu'] / cores / hugo_s:.2f}",
                flush=True,
            )
        result: dict[str, float] = {
            "events": args.events,
            "floor_s": round(statistics.median(floors), 3),
            "hugo_s": round(statistics.median(hugos), 3),
            "floor_ratio": round(statistics.median(f / h for f, h in zip(floors, hugos, strict=True)), 3),
            "cpu_ratio": round(statistics.median(p["build_cpu"] / cores / h for p, h in zip(parts, hugos, strict=True)), 3),
        }
        for key in parts[0]:
            result[f"{key}_s"] = round(statistics.median(p[key] for p in parts), 3)
        result["cores"] = cores
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
