"""The marts the analysis reads, from a warehouse file, for commands outside the pipeline
(`heyrick evaluate`, benchmarks/capture_ceiling.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.analysis.indicators import OPTIONAL_TABLES, TABLES

MARTS_PRESENT = "select table_name from information_schema.tables where table_schema = 'marts'"


def read_marts(path: Path) -> dict[str, pl.DataFrame]:
    """The marts of indicators.TABLES, each in one order (`order by all`: DuckDB returns
    rows in any order, and float sums taken in another order differ in their last bits).
    The PSC and rating-history marts come from optional sources and are left out when
    absent, as in the pipeline's analysis: the indicators resting on them are unknown."""
    present = set(warehouse.query(path, MARTS_PRESENT)["table_name"])
    return {
        table: warehouse.query(path, f"select * from marts.{table} order by all")
        for table in TABLES
        if table in present or table not in OPTIONAL_TABLES
    }
