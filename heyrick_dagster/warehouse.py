"""The embedded DuckDB store: atomic table replacement and reads.

DuckDB allows one writing process, so every connection here is short-lived:
opened for one write or read and closed, leaving the file free for dbt.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
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


@contextmanager
def connect(path: Path, read_only: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only and path.exists())
    try:
        yield con
    finally:
        con.close()


def replace_table(path: Path, schema: str, table: str, frame: pl.DataFrame) -> int:
    """Replace `schema.table` with `frame` in one transaction: readers see the old
    table or the new one, never a half-written one."""
    qualified = f"{_ident(schema)}.{_ident(table)}"
    with connect(path) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
        con.register("incoming", frame.to_arrow())
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE OR REPLACE TABLE {qualified} AS SELECT * FROM incoming")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0]


def publish_table(path: Path, from_schema: str, to_schema: str, table: str) -> int:
    """Move `from_schema.table` to `to_schema.table` in one transaction (the publish step of
    write-audit-publish): readers see the previous table or the new one, never neither."""
    source = f"{_ident(from_schema)}.{_ident(table)}"
    target = f"{_ident(to_schema)}.{_ident(table)}"
    with connect(path) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(to_schema)}")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {source}")
            con.execute(f"DROP TABLE {source}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]


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
