"""The food-hygiene rating trend of a premises, as of a date, from the inspections seen.

Read from `marts.fct_premises_ratings`: one row per 0-5 inspection that the latest FHRS
file or an earlier kept copy of it showed. Only inspections dated on or before `as_of`
are read, so a later rating never explains an earlier event.
"""

from __future__ import annotations

from datetime import date

import polars as pl


def rating_decline(ratings: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """fhrsid -> `inspections_known` (dated by `as_of`) and `rating_decline`: the rating of
    the inspection before the latest one, minus that latest rating (2 when a 5 became a 3;
    negative when it rose); null with fewer than two inspections known."""
    known = ratings.filter(
        pl.col("rating_date").is_not_null()
        & pl.col("rating_numeric").is_not_null()
        & (pl.col("rating_date") <= as_of)
    )
    last_two = (
        known.sort("fhrsid", "rating_date")
        .group_by("fhrsid")
        .agg(
            pl.col("rating_numeric").tail(2).alias("_last_two"),
            pl.len().alias("inspections_known"),
        )
    )
    return last_two.select(
        "fhrsid",
        pl.when(pl.col("inspections_known") >= 2)
        .then(pl.col("_last_two").list.first() - pl.col("_last_two").list.last())
        .cast(pl.Float64)
        .alias("rating_decline"),
        "inspections_known",
    )
