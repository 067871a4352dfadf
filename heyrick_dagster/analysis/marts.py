"""The marts the analysis reads, from a warehouse file: by the pipeline's analysis assets,
`heyrick evaluate` and benchmarks/capture_ceiling.py alike."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.analysis.indicators import OPTIONAL_TABLES, TABLES

MARTS_PRESENT = "select table_name from information_schema.tables where table_schema = 'marts'"

# The controller indicators (analysis/controllers.py) start from the people who control a
# company of a premises' business, so only their controls are read: nationally 0.45M of
# the 5.4M in the mart (the whole PSC snapshot), which took 3 s per indicator date to
# narrow down in polars and ~1 GB to hold.
CONTROLS_OF_PREMISES_COMPANIES = """
select * from marts.fct_company_controls
where controller_id in (
    select controls.controller_id
    from marts.fct_company_controls as controls
    join marts.dim_companies as companies on companies.company_number = controls.company_number
    where companies.business_id in (select business_id from marts.dim_premises)
)
order by all
"""


def read_marts(path: Path) -> dict[str, pl.DataFrame]:
    """The marts of indicators.TABLES, each in one order (`order by all`: DuckDB returns
    rows in any order, and float sums taken in another order differ in their last bits).
    The PSC and rating-history marts come from optional sources and are left out when
    absent, as the indicators resting on them are then unknown."""
    present = set(warehouse.query(path, MARTS_PRESENT)["table_name"])
    return {
        table: warehouse.query(
            path,
            CONTROLS_OF_PREMISES_COMPANIES
            if table == "fct_company_controls"
            else f"select * from marts.{table} order by all",
        )
        for table in TABLES
        if table in present or table not in OPTIONAL_TABLES
    }
