"""The monthly analytics over 2.5 million orders (DESIGN.md section 9), on DuckDB on this machine.

    make bench        (or: .venv/bin/python -m tests.benchmarks.analytics, from the repo root)

The history generator (infra/local/history.py) writes 2.5 million orders created from August to
October 2026 as the stream export would have: newline-delimited JSON, one object per day of the
last change. The daily compaction query (statemachines/queries/compact.sql) merges each order's
latest change into the facts, one row per order in Parquet partitioned by month (the data files of
the Iceberg table in AWS), on the same engine the local stack uses (infra/local/athena.py: sqlglot
to DuckDB, two threads). Then the monthly run for October: every query of the monthly
state machine with the parameters its plan gives (domain/insights.py), one after another, as
the store step would read them.

Two figures against their budgets:

- the monthly run's wall time (≤ 10 s): the seven queries, end to end, the median of five runs
  (the machine is shared: each query's process CPU time and the load average are printed too);
- the bytes a monthly query scans against the raw JSON of the same months (≤ 5 %). Athena bills
  the Parquet column chunks a query reads: the columns the query names, in the partitions its
  month parameters select. Both are read off the files (DuckDB's parquet_metadata), per query;
  the raw JSON is what the same query would scan over the JSON table for those months' days.

Prints a table; exits 1 if a figure is over its budget. Needs about 2 GB of free disk in the
temporary directory, and a minute or two for the generation.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlglot
from chalicelib import names
from sqlglot import exp

from infra.local.athena import LocalAthena, compact, query_text
from infra.local.history import HistoryPlan, write_directory

ORDERS = 2_500_000
MONTHS = ("2026-08", "2026-10")
MONTH = "2026-10"
BUDGET_SECONDS = 10.0
BUDGET_SCANNED = 0.05
RUNS = 5
MONTHLY = ("rates", "summons", "topics", "streets", "examples", "trend", "recurrence")


def _months_read(parameters: list[str]) -> list[str]:
    """The months a query's partition filter selects: the month literals among its parameters,
    and every month between the first and the last when it reads a span."""
    from chalicelib.domain.insights import shift

    found = sorted({p.strip("'") for p in parameters if re.fullmatch(r"'\d{4}-\d{2}'", p)})
    if not found:
        return []
    months = [found[0]]
    while months[-1] < found[-1]:
        months.append(shift(months[-1], 1))
    return months


def _columns(sql: str) -> set[str]:
    return {c.name for c in sqlglot.parse_one(sql, read="athena").find_all(exp.Column)}


def _scanned(engine: LocalAthena, root: Path, sql: str, months: list[str]) -> int:
    """Compressed bytes of the named columns' chunks in the months' Parquet files."""
    wanted = _columns(sql)
    files = [
        str(p) for m in months for p in (root / names.ORDER_FACTS.prefix / f"month={m}").glob("*.parquet")
    ]
    if not files:
        return 0
    return sum(size for column, size in engine.column_chunks(files) if column in wanted)


def _raw_bytes(root: Path, months: list[str]) -> int:
    folder = root / names.ORDER_CHANGES.prefix
    return sum(p.stat().st_size for m in months for p in folder.glob(f"day={m}-*/*.json"))


def main() -> int:
    from chalicelib.domain.insights import AnalyticsPolicy, monthly_plan

    with tempfile.TemporaryDirectory(prefix="jiesu-bench-") as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        rows = write_directory(HistoryPlan(MONTHS[0], MONTHS[1], ORDERS, seed=2026), root, progress=True)
        generated = time.perf_counter() - started
        raw_total = _raw_bytes(root, _months_read([f"'{m}'" for m in MONTHS]))
        engine = LocalAthena(root, threads=2)
        started = time.perf_counter()
        compact(engine, "2026-08-01", "2026-11-30")
        compacted = time.perf_counter() - started
        parquet = sum(p.stat().st_size for p in (root / names.ORDER_FACTS.prefix).rglob("*.parquet"))

        plan = monthly_plan(MONTH, datetime(2026, 11, 1, tzinfo=UTC), AnalyticsPolicy())
        load_before = os.getloadavg()[0]
        walls: dict[str, list[float]] = {name: [] for name in MONTHLY}
        cpus: dict[str, list[float]] = {name: [] for name in MONTHLY}
        totals: list[float] = []
        found: dict[str, int] = {}
        for _ in range(RUNS):
            for name in MONTHLY:
                cpu, started = time.process_time(), time.perf_counter()
                result = engine.execute(query_text(name), plan.parameters[name])
                walls[name].append(time.perf_counter() - started)
                cpus[name].append(time.process_time() - cpu)
                found[name] = len(result.rows)
            totals.append(sum(walls[name][-1] for name in MONTHLY))
        load_after = os.getloadavg()[0]
        lines, worst = [], 0.0
        for name in MONTHLY:
            sql, parameters = query_text(name), plan.parameters[name]
            took, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            head = f"  {name:<11} {took:6.2f} s (cpu {cpu:5.2f} s) {found[name]:>8} rows"
            months = _months_read(parameters)
            if name == "summons":
                lines.append(f"{head}   (summons: raw JSON)")
                continue
            share = _scanned(engine, root, sql, months) / max(_raw_bytes(root, months), 1)
            worst = max(worst, share)
            lines.append(f"{head}   scans {100 * share:5.2f} % of the raw JSON of {', '.join(months)}")
        total = statistics.median(totals)
        engine.close()

    print(f"Analytics over {rows:,} orders ({MONTHS[0]} to {MONTHS[1]}), DuckDB, 2 threads")
    print(f"  generated in {generated:.1f} s: raw JSON {raw_total / 2**20:,.0f} MiB")
    print(f"  compacted in {compacted:.1f} s: Parquet {parquet / 2**20:,.0f} MiB")
    print(
        f"Monthly run for {MONTH}, median of {RUNS} runs (load average {load_before:.1f} before, "
        f"{load_after:.1f} after, {os.cpu_count()} cores):"
    )
    print("\n".join(lines))
    ok_time, ok_scan = total <= BUDGET_SECONDS, worst <= BUDGET_SCANNED
    spread = f"runs {min(totals):.2f}–{max(totals):.2f} s, budget ≤ {BUDGET_SECONDS:.0f} s"
    print(f"  {'ok ' if ok_time else 'OVER'} monthly run {total:.2f} s ({spread})")
    print(f"  {'ok ' if ok_scan else 'OVER'} most scanned {100 * worst:.2f} % of raw JSON (budget ≤ 5 %)")
    return 0 if ok_time and ok_scan else 1


if __name__ == "__main__":
    sys.exit(main())
