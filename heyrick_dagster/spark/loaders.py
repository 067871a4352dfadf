"""The DuckDB tables dbt reads as sources, put into Spark's catalog through parquet.

dbt's sources are the `raw` tables the connectors write and the `intermediate` tables of
the Python linkage assets (int_links__cascade, int_business_clusters). On Spark they are
external parquet tables of the same schema and name, so the dbt models read them
unchanged: `export_sources` copies each DuckDB table to `<folder>/<schema>/<table>/`,
`register_sources` declares those folders in a Spark session's catalog (a session from
`session.local_spark(..., catalog=True)`, whose metastore dbt-spark then reads).

    python -m heyrick_dagster.spark.loaders <warehouse.duckdb> <spark work folder>

does both in a process of its own (see dbt_build.load_sources for why).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from heyrick_dagster import warehouse
from heyrick_dagster.spark.session import local_spark

SOURCE_SCHEMAS = ("raw", "intermediate")

# Names are spliced into DuckDB and Spark SQL: only the names Heyrick gives its tables.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _checked(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a Heyrick table or schema name: {name!r}")
    return name


def _literal(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


def export_sources(
    duckdb_path: Path, folder: Path, schemas: tuple[str, ...] = SOURCE_SCHEMAS
) -> list[tuple[str, str]]:
    """Every table of `schemas` as parquet under `folder`; returns (schema, table) pairs."""
    with warehouse.connect(duckdb_path, read_only=True) as con:
        tables = con.sql(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and list_contains(?, table_schema)"
            " order by table_schema, table_name",
            params=[list(schemas)],
        ).fetchall()
        for schema, table in tables:
            target = folder / _checked(schema) / _checked(table)
            target.mkdir(parents=True, exist_ok=True)
            con.execute(f"copy {schema}.{table} to {_literal(target / 'part-0.parquet')}")
    return tables


def register_sources(spark: SparkSession, folder: Path, tables: list[tuple[str, str]]) -> None:
    """Each exported table as an external parquet table of the same schema and name."""
    for schema, table in tables:
        name = f"{_checked(schema)}.{_checked(table)}"
        spark.sql(f"create database if not exists {schema}")
        spark.sql(f"drop table if exists {name}")
        spark.catalog.createTable(name, path=str(folder / schema / table), source="parquet")


def main(argv: list[str]) -> None:
    duckdb_path, work_dir = Path(argv[0]), Path(argv[1])
    tables = export_sources(duckdb_path, work_dir / "sources")
    with local_spark(work_dir, catalog=True) as spark:
        register_sources(spark, work_dir / "sources", tables)
    print(f"{len(tables)} tables in the Spark catalog under {work_dir}")


if __name__ == "__main__":
    main(sys.argv[1:])
