"""The pandas frame a Great Expectations suite validates, read from a warehouse table.

Great Expectations validates pandas, and the suites of a large table need a second copy
of its strings (pandas' Arrow strings) beside the polars frame the table was parsed or
read into; for each expectation GX then copies that pandas frame once more (it drops the
rows where the column is null, `df[df[column].notnull()]`, copying every column). With
the polars frame held as well, a national PSC table (5.4M records) weighed ~2 GB of
polars, 1.2 GB of pandas and 1.8 GB of GX's copy at once. Read here, a suite's frame is
the columns it reads (`gx_runner.columns_read`) of the table as DuckDB holds it, through
polars as before (`.pl().to_pandas()`), so the caller can let its own polars frame go
before GX runs. Rows come back in the order they were written (DuckDB keeps insertion
order), so GX's examples of unexpected values are the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from heyrick_dagster import warehouse
from heyrick_dagster.quality import gx_runner

if TYPE_CHECKING:
    import pandas

    from heyrick_dagster.sources.base import CheckSpec


def read_suite_frame(
    duckdb_path: Path, schema: str, table: str, spec: CheckSpec
) -> pandas.DataFrame:
    """What `spec`'s suite validates of `schema.table`: the columns it reads, or for a
    derived frame (`spec.frame`, e.g. counts per authority) what that makes of the whole
    table."""
    qualified = f"{schema}.{table}"
    with warehouse.connect(duckdb_path, read_only=True) as con:
        columns = con.sql(f"select * from {qualified} limit 0").columns
        if spec.frame:
            return spec.frame(con.sql(f"select * from {qualified}").pl().to_pandas())
        wanted = gx_runner.columns_read([spec.suite], columns)
        listed = ", ".join(f'"{c}"' for c in wanted)
        table = con.sql(f"select {listed} from {qualified}").to_arrow_table()
    # As polars' to_pandas converts (dates as datetime64, not objects), without polars: the
    # memory its allocator frees is returned to the system only seconds later, while GX
    # has started. self_destruct lets each Arrow column go once converted.
    return table.to_pandas(date_as_object=False, self_destruct=True)
