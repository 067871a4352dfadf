"""The embedded DuckDB store: atomic table replacement, atomic publishing of audited
candidates (`publish_table`, `publish_tables`: write-audit-publish) with the data versions
they were computed at (`AssetVersion`, heyrick_dagster/fingerprints.py), and reads.

DuckDB allows one writing process, so every connection here is short-lived:
opened for one write or read and closed, leaving the file free for dbt. A whole
run holds `run_lock` so that a second run cannot interleave its writes with the
first one's between those connections.

Faults (tests/integration/test_faults.py): a write that fails (a full disk) is rolled
back and raised as `WarehouseWriteError` naming the table; a file held by another
process is `WarehouseLocked` naming the lock. Both subclass duckdb.IOException, so
callers that already catch DuckDB's errors still do.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

# Schema and table names come from code, never from data; still, check them,
# because they are spliced into SQL.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


class WarehouseLocked(duckdb.IOException):
    """Another process holds the warehouse (or the run lock); the message names the lock."""


class WarehouseWriteError(duckdb.IOException):
    """A table could not be written (typically: no space left on the device). The
    transaction was rolled back, so the previous table still serves."""


# DuckDB configuration of every connection opened here; `configure` sets it for a run.
_config: dict[str, str] = {}


def configure(memory_limit: str) -> None:
    """Give every later connection of this process DuckDB's `memory_limit` (settings.py's
    duckdb_memory_limit) instead of DuckDB's default of 80% of the machine's memory."""
    _config["memory_limit"] = memory_limit


@contextmanager
def connect(path: Path, read_only: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only and path.exists(), config=dict(_config))
    except duckdb.IOException as exc:
        # DuckDB says 'Could not set lock on file ...: Conflicting lock is held in <program>
        # (PID n)'; say what that means for Heyrick instead of leaving a bare IO Error.
        if "lock" not in str(exc).lower():
            raise
        raise WarehouseLocked(
            f"the warehouse {path} is locked by another process ({exc}). DuckDB allows one "
            "writer: wait for the other Heyrick run to finish, or close the program that "
            "holds the file, then run again"
        ) from exc
    try:
        yield con
    finally:
        con.close()


# Locks this process holds, by lock file, and how many times: `heyrick run` takes the lock
# before the run starts and the run's own resource takes it again (definitions.py). A second
# flock from the same process would conflict with the first (flock is per open file).
_held: dict[Path, int] = {}


@contextmanager
def run_lock(path: Path):
    """Hold `<warehouse>.run.lock` for a whole run: a second run started meanwhile gets
    `WarehouseLocked` at once, naming the lock and the run that holds it. The lock is an
    flock, so the kernel drops it when its process dies, even by kill -9: it can never
    be left stale. The file itself stays (deleting it would race the next locker).
    Re-entrant within one process."""
    lock_path = path.with_name(path.name + ".run.lock")
    if lock_path in _held:
        _held[lock_path] += 1
        try:
            yield lock_path
        finally:
            _held[lock_path] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseLocked(
                f"another Heyrick run ({holder}) is writing the warehouse {path}: the lock "
                f"{lock_path} is held. Wait for that run to finish, then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()} on {os.uname().nodename}, started {started}")
        handle.flush()
        _held[lock_path] = 1
        try:
            yield lock_path
        finally:
            del _held[lock_path]
    finally:
        handle.close()  # releases the flock


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # After an IO error DuckDB may already have aborted the transaction; the error worth
    # reporting is the first one, and closing the connection discards the rest anyway.
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _write_error(path: Path, qualified: str, exc: duckdb.Error) -> WarehouseWriteError:
    return WarehouseWriteError(
        f"could not write {qualified} to the warehouse {path}: {exc}. The write was rolled "
        f"back: the previous {qualified} (if any) still serves"
    )


def replace_table(path: Path, schema: str, table: str, frame: pl.DataFrame) -> int:
    """Replace `schema.table` with `frame` in one transaction: readers see the old
    table or the new one, never a half-written one."""
    qualified = f"{_ident(schema)}.{_ident(table)}"
    with connect(path) as con:
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
            # Polars' own string layout (Arrow string views), which DuckDB reads as it is:
            # the default conversion copied every string (~0.6 GB per 3M rows of two
            # 64-character hashes, measured) while the table was written.
            con.register("incoming", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"CREATE OR REPLACE TABLE {qualified} AS SELECT * FROM incoming")
                con.execute("COMMIT")
            except Exception:
                _rollback(con)
                raise
        except duckdb.IOException as exc:
            raise _write_error(path, qualified, exc) from exc
        return con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0]


def publish_table(
    path: Path,
    from_schema: str,
    to_schema: str,
    table: str,
    versions: Sequence[AssetVersion] = (),
) -> int:
    """Move `from_schema.table` to `to_schema.table` in one transaction (the publish step of
    write-audit-publish): readers see the previous table or the new one, never neither.
    `versions` are recorded in the same transaction (see AssetVersion)."""
    return publish_tables(path, [(from_schema, to_schema, table)], versions)[0]


def publish_tables(
    path: Path,
    moves: Sequence[tuple[str, str, str]],
    versions: Sequence[AssetVersion] = (),
) -> list[int]:
    """Move each `(from_schema, to_schema, table)` candidate over its published table, all in
    one transaction: every table is the previous one or the new one, never a mix of a half
    publish. Returns the rows of each published table."""
    targets = [f"{_ident(to)}.{_ident(table)}" for _, to, table in moves]
    with connect(path) as con:
        try:
            for schema in sorted({to for _, to, _ in moves}):
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
            _ensure_versions_table(con)
            con.execute("BEGIN TRANSACTION")
            try:
                for (source_schema, _, table), target in zip(moves, targets, strict=True):
                    source = f"{_ident(source_schema)}.{_ident(table)}"
                    con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {source}")
                    con.execute(f"DROP TABLE {source}")
                _write_versions(con, versions)
                con.execute("COMMIT")
            except Exception:
                _rollback(con)
                raise
        except duckdb.IOException as exc:
            raise _write_error(path, ", ".join(targets) or VERSIONS_TABLE, exc) from exc
        return [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in targets]


# Each published asset's data version: what its content was computed from (heyrick_dagster/
# fingerprints.py). Kept in the warehouse itself, beside the tables it describes and written
# in the same transaction as them, so that it can never describe another warehouse's tables.
VERSIONS_SCHEMA = "pipeline"
VERSIONS_TABLE = f"{VERSIONS_SCHEMA}.asset_versions"


@dataclass(frozen=True)
class AssetVersion:
    """The data version an asset was published at, by which run, and its checks' results
    then (JSON: a list of {check_name, passed, severity, description})."""

    asset_key: str
    data_version: str
    run_id: str
    checks: str = "[]"
    recorded_at: str = ""


def _ensure_versions_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {VERSIONS_SCHEMA}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (asset_key VARCHAR PRIMARY KEY, "
        "data_version VARCHAR NOT NULL, run_id VARCHAR, checks VARCHAR, "
        "recorded_at TIMESTAMPTZ NOT NULL)"
    )


def _write_versions(con: duckdb.DuckDBPyConnection, versions: Sequence[AssetVersion]) -> None:
    now = datetime.now(UTC)
    for v in versions:
        con.execute(
            f"INSERT OR REPLACE INTO {VERSIONS_TABLE} VALUES (?, ?, ?, ?, ?)",
            [v.asset_key, v.data_version, v.run_id, v.checks, now],
        )


def record_versions(path: Path, versions: Sequence[AssetVersion]) -> None:
    """Record assets' data versions once their tables (or files) are written."""
    with connect(path) as con:
        try:
            _ensure_versions_table(con)
            con.execute("BEGIN TRANSACTION")
            _write_versions(con, versions)
            con.execute("COMMIT")
        except duckdb.IOException as exc:
            _rollback(con)
            raise _write_error(path, VERSIONS_TABLE, exc) from exc


def forget_versions(path: Path, asset_keys: Sequence[str]) -> None:
    """Forget assets' data versions before they are recomputed: a step killed half-way
    must never leave a version describing tables it had already begun to replace."""
    if not asset_keys:
        return
    with connect(path) as con:
        _ensure_versions_table(con)
        con.execute(
            f"DELETE FROM {VERSIONS_TABLE} WHERE asset_key IN (SELECT unnest(?::VARCHAR[]))",
            [list(asset_keys)],
        )


def read_versions(path: Path, asset_keys: Sequence[str]) -> dict[str, AssetVersion]:
    """The recorded versions of these assets (those never recorded are absent)."""
    if not path.exists() or not asset_keys:
        return {}
    with connect(path, read_only=True) as con:
        if not _has_table(con, VERSIONS_SCHEMA, "asset_versions"):
            return {}
        rows = con.execute(
            f"SELECT asset_key, data_version, run_id, checks, recorded_at::VARCHAR "
            f"FROM {VERSIONS_TABLE} WHERE asset_key IN (SELECT unnest(?::VARCHAR[]))",
            [list(asset_keys)],
        ).fetchall()
    return {row[0]: AssetVersion(*row) for row in rows}


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def tables_exist(path: Path, names: Sequence[str]) -> bool:
    """Whether every `schema.table` (or view) of `names` is in the warehouse."""
    if not path.exists():
        return not names
    with connect(path, read_only=True) as con:
        return all(_has_table(con, *name.split(".", 1)) for name in names)


def row_counts(path: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    """Rows of every table and view in the given schemas, as {"schema.table": n}, in order."""
    if not path.exists():
        return {}
    counts: dict[str, int] = {}
    with connect(path, read_only=True) as con:
        for schema in schemas:
            names = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                "ORDER BY table_name",
                [schema],
            ).fetchall()
            for (table,) in names:
                qualified = f"{_ident(schema)}.{_ident(table)}"
                counts[qualified] = con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0]
    return counts


def read_pandas(path: Path, schema: str, table: str) -> pd.DataFrame:
    """Great Expectations reads pandas, not DuckDB directly."""
    with connect(path, read_only=True) as con:
        return con.execute(f"SELECT * FROM {_ident(schema)}.{_ident(table)}").df()


def query(path: Path, sql: str, params: list | None = None) -> pl.DataFrame:
    with connect(path, read_only=True) as con:
        # DuckDB 2.0: execute() results have no .pl(); relations from sql() do.
        return con.sql(sql, params=params or None).pl()
