"""A premises' food-hygiene inspections as of a date: the latest one, and means over all seen.

Read from `marts.fct_premises_ratings`: one row per 0-5 inspection that the latest FHRS
file or an earlier kept copy of it showed, with the points lost it was published with.
Only inspections dated on or before `as_of` are read, so a later inspection never
explains an earlier event.

Why means: one inspection is a noisy measurement of how a premises is run (an officer,
a day). The mean over the inspections seen measures it more surely, and the
confidence-in-management points lost, beside the hygiene and structural points lost of
the same inspections, separate management that is neglected (records, training, staff
systems: what exploitative employers skimp on) from a kitchen that is merely run down.
"""

from __future__ import annotations

from datetime import date

import polars as pl

SCORES = ("score_hygiene", "score_structural", "score_confidence_in_management")


def _dated_by(ratings: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return ratings.filter(
        pl.col("rating_date").is_not_null()
        & pl.col("rating_numeric").is_not_null()
        & (pl.col("rating_date") <= as_of)
    )


def history_means(ratings: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """fhrsid -> `inspections_scored` (inspections dated by `as_of` with all three scores),
    `management_points_lost_mean` (mean confidence-in-management points lost, per 10) and
    `hygiene_structural_points_lost_mean` (mean hygiene + structural points lost, per 10)
    over them; premises with no scored inspection have no row."""
    scored = _dated_by(ratings, as_of).filter(
        pl.all_horizontal(pl.col(c).is_not_null() for c in SCORES)
    )
    return scored.group_by("fhrsid").agg(
        pl.len().alias("inspections_scored"),
        (pl.col("score_confidence_in_management").mean() / 10.0).alias(
            "management_points_lost_mean"
        ),
        ((pl.col("score_hygiene") + pl.col("score_structural")).mean() / 10.0).alias(
            "hygiene_structural_points_lost_mean"
        ),
    )


def latest_by(ratings: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """fhrsid -> the latest inspection dated by `as_of`: `rating_numeric`, `rating_date`,
    `score_confidence_in_management` (what the FHRS file published on `as_of` showed, as
    far as the kept copies tell)."""
    return (
        _dated_by(ratings, as_of)
        .sort("fhrsid", "rating_date")
        .group_by("fhrsid")
        .agg(pl.col("rating_numeric", "rating_date", "score_confidence_in_management").last())
    )
