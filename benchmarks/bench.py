"""Build time and peak memory of this generator and of Hugo, on the same synthetic site, in the same run.

    python3 benchmarks/bench.py --events N [--runs R]
    python3 benchmarks/bench.py --real [--runs R]     the real site's cold build against importing its libraries

Writes the corpus of :mod:`corpus` (N events in Arabic and English, 2N + 2 pages) into a temporary
folder, then times both generators as whole processes: each run is a new process building into
a new, empty output folder. After one warm-up build each, the runs are interleaved (ours, Hugo,
ours, Hugo, ...) so that both see the same state of a machine whose speed drifts, and the ratio
is the median of the per-pair ratios. Hugo uses every core (its default). Peak memory is the
largest resident set of any process of the build (for ours, the parent or a worker; from
``wait4``'s resource usage). Outputs are kept until the end (deleting thousands of files right
before a build slows its writes), and the file system is synced before each timed build. Every
command runs in Python's default environment (see :data:`PYTHON_DEFAULTS`).

The last line printed is one JSON object:
{"events": N, "pages": P, "ours_s": …, "hugo_s": …, "ratio": ours/hugo, "ours_peak_mib": …, "hugo_peak_mib": …}
and with ``--real``: {"real_build_s": …, "imports_s": …, "ratio": …}, plus the same three figures
with ``_no_bytecode`` on machines that set PYTHONDONTWRITEBYTECODE.

Figures (10,000 events, 2026-12-05, load 2-8 from other users: whole-process times varied 2× between
runs): before skipping unused translation notes and the render changes, ratio 2.40 (ours 15.8 s, 283 MiB);
after, 1.83 (ours 17.0 s, 276 MiB). In process, the parent's serial load took 4.6 s of CPU, then 2.7 s,
and the workers 15.6-17.7 s, then 14.4-15.2 s.
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
from corpus import REPO, hugo_binary, pages_for, write_both

PYTHON_DEFAULTS = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The environment the generators run in: Python's default, which keeps compiled modules
(``__pycache__``). Some machines set PYTHONDONTWRITEBYTECODE, which makes every process compile
the generator's own modules again; ``--real`` also reports the build in that environment."""


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd`` to completion; return (seconds, peak RSS in MiB of its largest process)."""
    os.sync()  # flush the previous run's writes and deletions before the clock starts
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or PYTHON_DEFAULTS)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    if proc.stderr:
        proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def count_pages(folder: Path) -> int:
    """HTML pages in a build, without Hugo's root redirect to the default language."""
    pages = sum(1 for _ in folder.rglob("*.html"))
    root = folder / "index.html"
    if root.is_file() and b'http-equiv="refresh"' in root.read_bytes():
        pages -= 1
    return pages


IMPORTS = "import jinja2, markdown_it, yaml, babel.dates"
"""The libraries a build needs: the real site's cold build is compared with importing them."""


def real_site(runs: int) -> int:
    """The real site's whole-process build (into a new folder) against ``python -c IMPORTS``, paired."""
    repo = REPO
    work = Path(tempfile.mkdtemp(prefix="explainer-real-"))
    envs = {"python": PYTHON_DEFAULTS}
    if "PYTHONDONTWRITEBYTECODE" in os.environ:
        envs["no_bytecode"] = dict(os.environ)
    try:
        figures: dict[str, dict[str, float]] = {}
        for label, env in envs.items():
            builds, imports, ratios = [], [], []
            for i in range(runs + 1):  # the first pair warms up
                a, _ = run([sys.executable, "-c", IMPORTS], repo, env)
                b, _ = run([sys.executable, "build.py", "build", "--out", str(work / f"out-{label}-{i}")], repo, env)
                if i == 0:
                    print(f"[{label}] warm-up: imports {a:.3f} s, build {b:.3f} s", flush=True)
                    continue
                imports.append(a)
                builds.append(b)
                ratios.append(b / a)
                print(f"[{label}] run {i}: imports {a:.3f} s, real site build {b:.3f} s, ratio {b / a:.2f}", flush=True)
            figures[label] = {
                "real_build_s": round(statistics.median(builds), 3),
                "imports_s": round(statistics.median(imports), 3),
                "ratio": round(statistics.median(ratios), 3),
            }
            f = figures[label]
            print(f"[{label}] median: build {f['real_build_s']} s, imports {f['imports_s']} s; median ratio of pairs {f['ratio']}")
        result: dict[str, float] = dict(figures["python"])
        if "no_bytecode" in figures:  # this machine's setting, for comparison
            result |= {f"{k}_no_bytecode": v for k, v in figures["no_bytecode"].items()}
        print(json.dumps(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Time this generator against Hugo on the same synthetic site.")
    parser.add_argument("--events", type=int, help="number of events (pages: 2N + 2)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each generator (default: 5)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it (default: a temporary folder)")
    parser.add_argument("--real", action="store_true", help=f"instead: the real site's cold build against `python -c {IMPORTS!r}`")
    args = parser.parse_args(argv)
    if args.real:
        return real_site(args.runs)
    if args.events is None:
        parser.error("--events is required (or --real)")

    work = args.keep or Path(tempfile.mkdtemp(prefix="explainer-bench-"))
    try:
        started = time.perf_counter()
        ours_site, hugo_site = write_both(work, args.events)
        pages = pages_for(args.events)
        print(f"corpus: {args.events} events, {pages} pages, written to {work} in {time.perf_counter() - started:.1f} s", flush=True)
        hugo = str(hugo_binary())
        version = subprocess.run([hugo, "version"], capture_output=True, text=True, check=True).stdout.strip()
        print(f"hugo: {version}", flush=True)

        def ours_cmd(out: Path) -> list[str]:
            return [sys.executable, str(REPO / "build.py"), "build", "--out", str(out)]

        def hugo_cmd(out: Path) -> list[str]:
            return [hugo, "--source", str(hugo_site), "--destination", str(out), "--quiet"]

        outs = work / "out"
        outs.mkdir(exist_ok=True)
        # warm-up (not counted): also checks that both built the same pages
        for name, cmd, cwd in (("ours", ours_cmd, ours_site), ("hugo", hugo_cmd, hugo_site)):
            out = outs / f"warm-{name}"
            seconds, peak = run(cmd(out), cwd)
            found = count_pages(out)
            print(f"warm-up {name}: {seconds:.2f} s, {peak:.0f} MiB, {found} pages", flush=True)
            if found != pages:
                raise SystemExit(f"{name} built {found} pages, expected {pages}")

        ours_t, hugo_t, ours_m, hugo_m, ratios = [], [], [], [], []
        for i in range(1, args.runs + 1):
            a, am = run(ours_cmd(outs / f"ours-{i}"), ours_site)
            b, bm = run(hugo_cmd(outs / f"hugo-{i}"), hugo_site)
            ours_t.append(a)
            hugo_t.append(b)
            ours_m.append(am)
            hugo_m.append(bm)
            ratios.append(a / b)
            print(
                f"run {i}: ours {a:.2f} s ({am:.0f} MiB, {a / pages * 1000:.3f} ms/page)  hugo {b:.2f} s ({bm:.0f} MiB)  ratio {a / b:.2f}",
                flush=True,
            )

        ours_s, hugo_s, ratio = statistics.median(ours_t), statistics.median(hugo_t), statistics.median(ratios)
        print(f"median: ours {ours_s:.2f} s ({ours_s / pages * 1000:.3f} ms/page), hugo {hugo_s:.2f} s; median ratio of pairs {ratio:.2f}")
        print(f"peak memory (largest process): ours {max(ours_m):.0f} MiB, hugo {max(hugo_m):.0f} MiB")
        result = {
            "events": args.events,
            "pages": pages,
            "ours_s": round(ours_s, 3),
            "hugo_s": round(hugo_s, 3),
            "ratio": round(ratio, 3),
            "ours_peak_mib": round(max(ours_m), 1),
            "hugo_peak_mib": round(max(hugo_m), 1),
        }
        print(json.dumps(result))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
