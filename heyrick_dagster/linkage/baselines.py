"""The two baselines the cascade is measured against, so the gain of each step shows.

- `exact_only`: the cascade's exact tiers alone (the same normalised name at the same
  postcode) -- what a careful analyst's spreadsheet join gets.
- `fuzzy_name_only`: names alike (Jaro-Winkler of the full forms >= 0.92, the cascade's
  own "alike" level), wherever the records are: what a name search gets. Pairs are
  blocked on the first word of the name so the comparison count stays bounded.
"""

from __future__ import annotations

import duckdb
import polars as pl

from heyrick_dagster.linkage import exact

FUZZY_THRESHOLD = 0.92


def exact_only(
    frames: dict[str, pl.DataFrame], left_source: str, right_source: str
) -> pl.DataFrame:
    """left_record_id, right_record_id of the exact tiers for one link type."""
    enforcement = {s: frames[s] for s in ("illegal_working", "nmw_naming") if s in frames}
    links = exact.exact_links(frames["fhrs"], frames["companies_house"], enforcement)
    return links.filter(
        (pl.col("left_source") == left_source) & (pl.col("right_source") == right_source)
    ).select("left_record_id", "right_record_id")


def fuzzy_name_only(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """left_record_id, right_record_id whose full names are alike; `left`/`right` are
    feature frames (features.FEATURE_SCHEMA)."""
    names_left = left.select("unique_id", "name_full").drop_nulls()
    names_right = right.select("unique_id", "name_full").drop_nulls()
    with duckdb.connect() as con:
        con.register("l", names_left.to_arrow())
        con.register("r", names_right.to_arrow())
        return con.sql(
            """
            select l.unique_id as left_record_id, r.unique_id as right_record_id
            from l join r
              on split_part(l.name_full, ' ', 1) = split_part(r.name_full, ' ', 1)
            where jaro_winkler_similarity(l.name_full, r.name_full) >= ?
            """,
            params=[FUZZY_THRESHOLD],
        ).pl()
