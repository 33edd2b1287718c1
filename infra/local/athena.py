"""Athena on this machine: the project's query files, written in Athena's dialect, run by DuckDB.

The SQL is translated by sqlglot (read "athena", write "duckdb") and executed over the analytics
objects as they lie in a directory that mirrors the bucket's keys: newline-delimited JSON and
Parquet in Hive-style partitions (`day=2026-10-01/`, `month=2026-10/`), the layout the Glue tables
in the CDK app describe. Parameters are bound the way Athena's execution parameters are — each one
a SQL literal (`'2026-10'`, `42`, `true`) for one `?` — never formatted into the text.

The facts table is Iceberg in AWS; here it is its data files, Parquet in the month partitions.
`INSERT INTO <table> SELECT ...` (the daily compaction) writes the select's rows as new Parquet
files into the table's partitions, as Athena does. `MERGE INTO <table> USING (...)` (the prune
after it) runs as DuckDB's own MERGE over the rows of the partitions the source touches, and
writes those partitions afresh (copy-on-write, where Athena writes delete files that the
catalogue's compaction later folds in). The files written and the files replaced are returned so
the local stack can mirror both in its bucket.

Where the engines differ the local side adapts to Athena's meaning, or the SQL avoids the
construct: Trino's `count_if` over no true rows is 0, DuckDB's over only NULLs is NULL, so it is
rewritten as `count(CASE WHEN ... THEN 1 END)` here; Trino's `date_diff` counts complete units and
DuckDB's counts boundaries (DESIGN.md section 8), so the queries compute durations from epoch
seconds instead.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from chalicelib import names
from sqlglot import exp

QUERIES = Path(__file__).resolve().parents[2] / "statemachines" / "queries"

_DUCK_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
}
# What Athena calls DuckDB's result types (GetQueryResults' ColumnInfo.Type).
_ATHENA_TYPES = {
    "VARCHAR": "varchar",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "bigint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double",
    "FLOAT": "double",
}


def query_text(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def compact(engine: LocalAthena, first: str, last: str) -> tuple[QueryResult, QueryResult]:
    """The daily machine's two compaction steps over the days first to last ('YYYY-MM-DD'): the
    days' latest changes added, then the versions they superseded pruned."""
    added = engine.execute(query_text("compact"), [f"'{first}'", f"'{last}'"])
    return added, engine.execute(query_text("prune"))


def literal(parameter: str) -> Any:
    """An execution parameter's value: Athena reads each as a SQL literal."""
    parsed = sqlglot.parse_one(parameter, read="athena")
    if isinstance(parsed, exp.Boolean):
        return parsed.this
    if isinstance(parsed, exp.Null):
        return None
    if isinstance(parsed, exp.Neg) and isinstance(parsed.this, exp.Literal):
        return -literal(parsed.this.sql())
    if isinstance(parsed, exp.Literal):
        if parsed.is_string:
            return parsed.this
        number = parsed.this
        return int(number) if number.lstrip("-").isdigit() else float(number)
    raise ValueError(f"not a literal: {parameter!r}")


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[tuple[str, str], ...]  # (name, Athena type)
    rows: list[tuple[Any, ...]]
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        names_ = [c for c, _ in self.columns]
        return [dict(zip(names_, row, strict=True)) for row in self.rows]


def _trino_count_if(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.CountIf):
        return exp.Count(this=exp.If(this=node.this, true=exp.Literal.number(1)))
    return node


def _athena_type(duck_type: str) -> str:
    base = duck_type.split("(")[0].upper()
    return _ATHENA_TYPES.get(base, "decimal" if base == "DECIMAL" else base.lower())


class LocalAthena:
    """One DuckDB connection over `root`, where the analytics bucket's keys are files."""

    def __init__(self, root: Path, threads: int = 2) -> None:
        self.root = root
        self._db = duckdb.connect(config={"threads": threads})
        # A Parquet file is never rewritten (a MERGE writes new files and removes the old), so its
        # footer is read once.
        self._db.execute("SET parquet_metadata_cache = true")
        self._lock = threading.Lock()
        self._views: dict[str, tuple[Path, ...]] = {}  # the files each view was last defined over
        self._translated: dict[str, tuple[exp.Expression, str]] = {}  # query text -> DuckDB's

    def close(self) -> None:
        self._db.close()

    def _files(self, table: names.AnalyticsTable) -> list[Path]:
        suffix = ".json" if table.format == "json" else ".parquet"  # an Iceberg table's data files
        return sorted((self.root / table.prefix).glob(f"{table.partition}=*/*{suffix}"))

    def _define(self, table: names.AnalyticsTable) -> None:
        """The table as a view over its files now (an empty, typed one before the first file)."""
        from chalicelib.domain.facts import TABLE_COLUMNS

        files = tuple(self._files(table))
        if self._views.get(table.name) == files:
            return
        self._views[table.name] = files
        columns = TABLE_COLUMNS[table.name]
        if not files:
            typed = ", ".join(f"CAST(NULL AS {_DUCK_TYPES[t]}) AS {c}" for c, t in columns)
            self._db.execute(
                f"CREATE OR REPLACE VIEW {table.name} AS SELECT {typed}, "
                f"CAST(NULL AS VARCHAR) AS {table.partition} WHERE false"
            )
            return
        where = str(self.root / table.prefix / f"{table.partition}=*" / "*")
        partitioning = f"hive_partitioning = true, hive_types = {{'{table.partition}': 'VARCHAR'}}"
        if table.format == "json":
            declared = ", ".join(f"'{c}': '{_DUCK_TYPES[t]}'" for c, t in columns)
            source = (
                f"read_json('{where}.json', format = 'newline_delimited', columns = {{{declared}}}, "
                f"{partitioning})"
            )
        else:
            source = f"read_parquet('{where}.parquet', {partitioning})"
        self._db.execute(f"CREATE OR REPLACE VIEW {table.name} AS SELECT * FROM {source}")

    def execute(self, sql: str, parameters: Sequence[str] = ()) -> QueryResult:
        values = [literal(p) for p in parameters]
        with self._lock:
            if sql not in self._translated:
                parsed = sqlglot.parse_one(sql, read="athena").transform(_trino_count_if)
                self._translated[sql] = (parsed, parsed.sql(dialect="duckdb"))
            statement, text = self._translated[sql]
            for table in names.ANALYTICS_TABLES:
                self._define(table)
            if isinstance(statement, exp.Insert):
                return self._insert(statement, values)
            if isinstance(statement, exp.Merge):
                return self._merge(statement, values)
            cursor = self._db.execute(text, values)
            description = cursor.description or []
            rows = cursor.fetchall()
        return QueryResult(tuple((d[0], _athena_type(str(d[1]))) for d in description), rows)

    def column_chunks(self, files: list[str]) -> list[tuple[str, int]]:
        """(column, compressed bytes) of every column chunk of the Parquet files: what Athena
        reads of a column in a row group."""
        with self._lock:
            found = self._db.execute(
                "SELECT path_in_schema, total_compressed_size FROM parquet_metadata(?)", [files]
            ).fetchall()
        return [(str(column), int(size)) for column, size in found]

    def _target(self, target: exp.Expression | None, statement: str) -> names.AnalyticsTable:
        """The Iceberg table a statement writes (the only kind a query may write)."""
        if isinstance(target, exp.Schema):  # INSERT INTO t (columns)
            target = target.this
        name = target.name if isinstance(target, exp.Table) else ""
        table = next((t for t in names.ANALYTICS_TABLES if t.name == name), None)
        if table is None or table.format != "iceberg":
            raise ValueError(f"{statement} only into an Iceberg analytics table, not {target}")
        return table

    def _write(self, rows: str, table: names.AnalyticsTable) -> list[Path]:
        """A temporary table's rows as new Parquet files in the table's partitions."""
        directory = self.root / table.prefix
        directory.mkdir(parents=True, exist_ok=True)
        before = set(self._files(table))
        self._db.execute(
            f"COPY {rows} TO '{directory}' (FORMAT parquet, COMPRESSION zstd, "
            f"PARTITION_BY ({table.partition}), APPEND, FILENAME_PATTERN 'part-{{uuid}}')"
        )
        return sorted(set(self._files(table)) - before)

    def _insert(self, statement: exp.Insert, values: list[Any]) -> QueryResult:
        table = self._target(statement.this, "INSERT INTO")
        batch = f"batch_{uuid.uuid4().hex}"
        self._db.execute(f"CREATE TEMP TABLE {batch} AS {statement.expression.sql(dialect='duckdb')}", values)
        try:
            count = self._db.execute(f"SELECT count(*) FROM {batch}").fetchone()
            rows = int(count[0]) if count else 0
            written = self._write(batch, table) if rows else []
        finally:
            self._db.execute(f"DROP TABLE {batch}")
        return QueryResult((("rows", "bigint"),), [(rows,)], written)

    def _merge(self, statement: exp.Merge, values: list[Any]) -> QueryResult:
        """DuckDB's MERGE over a table of the partitions the source rows fall in, then those
        partitions written afresh from it: every other partition is left as it lies."""
        table, source = self._target(statement.this, "MERGE INTO"), statement.args.get("using")
        if not isinstance(source, exp.Subquery):
            raise ValueError(f"MERGE INTO only USING a query, not {source}")
        batch = uuid.uuid4().hex
        incoming, merged = f"incoming_{batch}", f"merged_{batch}"
        column = table.partition
        self._db.execute(f"CREATE TEMP TABLE {incoming} AS {source.this.sql(dialect='duckdb')}", values)
        try:
            found = self._db.execute(f"SELECT DISTINCT {column} FROM {incoming}").fetchall()
            touched = {str(row[0]) for row in found}
            replaced = [f for f in self._files(table) if f.parent.name.split("=", 1)[1] in touched]
            self._db.execute(
                f"CREATE TEMP TABLE {merged} AS SELECT * FROM {table.name} WHERE {column} IN "
                f"(SELECT {column} FROM {incoming})"
            )
            rewritten = statement.copy()
            rewritten.set("this", exp.to_table(merged).as_(statement.this.alias or table.name))
            rewritten.set(
                "using", exp.to_table(incoming).as_(source.alias) if source.alias else exp.to_table(incoming)
            )
            found_changed = self._db.execute(rewritten.sql(dialect="duckdb")).fetchone()
            changed = int(found_changed[0]) if found_changed else 0
            # Nothing changed: no partition is written again, as Iceberg commits nothing.
            written = self._write(merged, table) if changed else []
        finally:
            self._db.execute(f"DROP TABLE IF EXISTS {incoming}")
            self._db.execute(f"DROP TABLE IF EXISTS {merged}")
        replaced = replaced if changed else []
        for path in replaced:
            path.unlink()
        return QueryResult((("rows", "bigint"),), [(changed,)], written, replaced)


# --- moto: Athena that runs the SQL ----------------------------------------------------------------


class BucketMirror:
    """The analytics bucket of moto's S3 as files under `root`: new and changed objects are copied
    before each query; files a query writes (INSERT INTO, MERGE INTO) are put back as objects,
    and the files a MERGE replaced are deleted."""

    def __init__(self, account: str, bucket: str, root: Path) -> None:
        self.account = account
        self.bucket = bucket
        self.root = root
        self._seen: dict[str, str] = {}

    def _backend(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self.account]["aws"]

    def pull(self) -> None:
        bucket = self._backend().get_bucket(self.bucket)
        current: dict[str, str] = {}
        for key in list(bucket.keys.keys()):
            if not key.startswith("facts/"):
                continue
            stored = bucket.keys.get(key)
            if stored is None:
                continue
            current[key] = stored.etag
            if self._seen.get(key) != stored.etag:
                path = self.root / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(stored.value)
        for gone in set(self._seen) - set(current):
            (self.root / gone).unlink(missing_ok=True)
        self._seen = current

    def push(self, files: Sequence[Path], removed: Sequence[Path] = ()) -> None:
        backend = self._backend()
        for path in files:
            key = path.relative_to(self.root).as_posix()
            stored = backend.put_object(self.bucket, key, path.read_bytes())
            self._seen[key] = stored.etag
        for path in removed:
            key = path.relative_to(self.root).as_posix()
            backend.delete_object(self.bucket, key)
            self._seen.pop(key, None)


def _cell(value: Any) -> dict[str, str]:
    """A value as Athena's GetQueryResults renders it (no VarCharValue for NULL)."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"VarCharValue": "true" if value else "false"}
    return {"VarCharValue": str(value)}


_moto: dict[str, Any] = {}


def install(bucket: str, root: Path) -> None:
    """moto's Athena records queries but runs none: here every StartQueryExecution runs the SQL on
    DuckDB over the analytics bucket and keeps the rows for GetQueryResults (a header row first, as
    Athena's), or marks the execution FAILED. A later call (a new local stack) starts afresh."""
    from moto.athena.models import AthenaBackend, QueryResults

    _moto.update(bucket=bucket, root=root, engines={})
    if _moto.get("installed"):
        return
    original = AthenaBackend.start_query_execution
    lock = threading.Lock()

    def engine_for(account: str) -> tuple[LocalAthena, BucketMirror]:
        engines: dict[str, tuple[LocalAthena, BucketMirror]] = _moto["engines"]
        if account not in engines:
            folder = Path(_moto["root"]) / account
            engines[account] = (LocalAthena(folder), BucketMirror(account, _moto["bucket"], folder))
        return engines[account]

    def start_query_execution(
        self: Any, query: str, context: Any, config: Any, workgroup: Any, execution_parameters: Any
    ) -> str:
        execution_id: str = original(self, query, context, config, workgroup, execution_parameters)
        with lock:
            engine, mirror = engine_for(self.account_id)
            try:
                mirror.pull()
                result = engine.execute(query, execution_parameters or [])
                mirror.push(result.written, result.removed)
            except Exception as error:  # the query's own failure: Athena reports it as FAILED
                self.executions[execution_id].status = "FAILED"
                logging.getLogger(__name__).warning("local Athena query failed: %s", error)
                return execution_id
        header = {"Data": [{"VarCharValue": name} for name, _ in result.columns]}
        rows = [{"Data": [_cell(v) for v in row]} for row in result.rows]
        columns = [{"Name": name, "Label": name, "Type": kind} for name, kind in result.columns]
        self.query_results[execution_id] = QueryResults(rows=[header, *rows], column_info=columns)
        return execution_id

    AthenaBackend.start_query_execution = start_query_execution
    _moto["installed"] = True
