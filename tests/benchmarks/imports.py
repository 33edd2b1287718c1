"""Import time of each Lambda entry module against boto3 + the Powertools Logger (issue 20, item 4).

    .venv/bin/python -m tests.benchmarks.imports        # 9 interleaved runs, about a minute
    .venv/bin/python -m tests.benchmarks.imports 25     # more runs on a busy machine

Each entry module (each API function's by audience, the staff authorizer's, app.py's) is imported
in a fresh interpreter under `python -X importtime`, right after the baseline
(`import boto3; from aws_lambda_powertools import Logger`) and an empty interpreter, run after run,
so a change of load touches both sides of a ratio alike. Two figures per module:

- wall: the cumulative import time of the top-level import lines, median over the runs, against the
  baseline's median: the budget's figure on a quiet machine;
- CPU: the subprocess's user + system time less the empty interpreter's, median over the runs, against
  the baseline's: what the load disturbs least, and what decides the budget when the load average
  exceeds the cores (wall times then measure the queue for a core more than the import).

`make bench` runs it as part of tests/benchmarks/lifecycle.py; docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from chalicelib import names

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
IMPORT_RUNS = 9

BUDGET_IMPORT_RATIO = 1.5  # app.py: the task, stream and analytics functions
BUDGET_API_IMPORT_RATIO = 1.25  # a function that answers an HTTP request (issue 20, item 4)

# Each function's entry module: (what the table calls it, module, its budget).
ENTRY_MODULES = (
    *(
        (f"{module} API", f"chalicelib.audiences.{module}", BUDGET_API_IMPORT_RATIO)
        for module in ("public", "staff", "clients")
    ),
    ("staff authorizer", "chalicelib.entrypoints.auth", BUDGET_API_IMPORT_RATIO),
    ("app (tasks, streams)", "app", BUDGET_IMPORT_RATIO),
)
BASELINE_IMPORT = (
    "import boto3; from aws_lambda_powertools import Logger",
    ("boto3", "aws_lambda_powertools"),
)
EMPTY = ("pass", ())


@dataclass(frozen=True)
class Imported:
    """One module's median import time, and its ratios to the baseline's."""

    wall_ms: float
    cpu_ms: float
    wall_ratio: float
    cpu_ratio: float


@dataclass(frozen=True)
class ImportRun:
    modules: dict[str, Imported]
    baseline_wall_ms: float
    baseline_cpu_ms: float
    runs: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def loaded(self) -> bool:
        """Whether more was waiting for a core than the machine has, at the start or the end."""
        cores = os.cpu_count() or 1
        return max(self.load_before[0], self.load_after[0]) > cores

    def ratio(self, module: str) -> float:
        """The ratio the budget is judged on: CPU time on a loaded machine, wall time otherwise."""
        found = self.modules[module]
        return found.cpu_ratio if self.loaded else found.wall_ratio


def import_us(code: str, modules: tuple[str, ...]) -> tuple[int, float]:
    """Cumulative microseconds of the top-level import lines of `modules` (python -X importtime),
    and the subprocess's CPU time in milliseconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AWS_", "JIESU_"))}
    env[names.ENV_PYDANTIC_PLUGINS] = names.NO_PYDANTIC_PLUGINS  # as every function runs (infra/aws/api.py)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=FUNCTIONS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    total, seen = 0, set()
    for line in done.stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if name[1:] in modules:  # top level: one space after the bar; nested imports are indented
            total += int(cumulative)
            seen.add(name[1:])
    if seen != set(modules):
        raise RuntimeError(f"`{code}` did not report {sorted(set(modules) - seen)}")
    return total, cpu_ms


def import_times(runs: int = IMPORT_RUNS) -> ImportRun:
    """Each entry module's import, each right after the baseline and an empty interpreter, `runs`
    times over; one unmeasured run of each first fills the bytecode caches."""
    load_before = os.getloadavg()
    import_us(*BASELINE_IMPORT)
    for _name, module, _budget in ENTRY_MODULES:
        import_us(f"import {module}", (module,))
    entries: dict[str, list[tuple[int, float]]] = {module: [] for _name, module, _budget in ENTRY_MODULES}
    baseline: list[tuple[int, float]] = []
    empty: list[float] = []
    for _ in range(runs):
        for module, found in entries.items():
            empty.append(import_us(*EMPTY)[1])
            baseline.append(import_us(*BASELINE_IMPORT))
            found.append(import_us(f"import {module}", (module,)))
    idle = statistics.median(empty)
    base_wall = statistics.median(w for w, _c in baseline) / 1000
    base_cpu = statistics.median(c for _w, c in baseline) - idle
    modules = {}
    for module, found in entries.items():
        wall = statistics.median(w for w, _c in found) / 1000
        cpu = statistics.median(c for _w, c in found) - idle
        modules[module] = Imported(wall, cpu, wall / base_wall, cpu / base_cpu)
    return ImportRun(modules, base_wall, base_cpu, runs, load_before, os.getloadavg())


def rows(found: ImportRun) -> list[tuple[str, str, str, bool]]:
    """The table's rows: what, measured, budget, within it."""
    judged = "CPU" if found.loaded else "wall"
    return [
        (
            f"import time, {name}",
            f"{m.wall_ms:.0f} ms = {m.wall_ratio:.2f}x wall, {m.cpu_ratio:.2f}x CPU",
            f"<= {budget:g}x {judged}",
            found.ratio(module) <= budget,
        )
        for name, module, budget in ENTRY_MODULES
        for m in (found.modules[module],)
    ]


def describe(found: ImportRun) -> str:
    load = " / ".join(f"{a:.1f}" for a in (found.load_before[0], found.load_after[0]))
    return (
        f"imports: baseline boto3 + Logger {found.baseline_wall_ms:.0f} ms wall, "
        f"{found.baseline_cpu_ms:.0f} ms CPU; median of {found.runs} interleaved runs; load average "
        f"{load} (start / end) on {os.cpu_count()} cores: judged on "
        f"{'CPU time (the machine is loaded)' if found.loaded else 'wall time'}"
    )


def main() -> int:
    found = import_times(int(sys.argv[1]) if len(sys.argv) > 1 else IMPORT_RUNS)
    table = rows(found)
    for what, measured, budget, ok in table:
        print(f"{what:<40}{measured:<40}{budget:<18}{'' if ok else 'OVER BUDGET'}".rstrip())
    print(describe(found))
    return 0 if all(ok for *_rest, ok in table) else 1


if __name__ == "__main__":
    sys.exit(main())
