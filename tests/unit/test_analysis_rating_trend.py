"""The rating trend as of a date: only inspections dated by then, never a later one."""

from __future__ import annotations

from datetime import date

import polars as pl

from heyrick_dagster.analysis.indicators import premises_indicators
from heyrick_dagster.analysis.rating_trend import rating_decline
from tests.unit.test_analysis_indicators import AS_OF, contract_tables, premises_row

RATINGS_SCHEMA = {"fhrsid": pl.Int64, "rating_date": pl.Date, "rating_numeric": pl.Int64}
SCORES_SCHEMA = {
    "score_hygiene": pl.Int64,
    "score_structural": pl.Int64,
    "score_confidence_in_management": pl.Int64,
}


def ratings(*rows: tuple) -> pl.DataFrame:
    """Inspections (fhrsid, rating_date, rating_numeric[, hygiene, structural, management]);
    scores left out are unpublished (null)."""
    padded = [tuple(row) + (None,) * (6 - len(row)) for row in rows]
    return pl.DataFrame(padded, schema=RATINGS_SCHEMA | SCORES_SCHEMA, orient="row")


def test_decline_is_the_previous_rating_minus_the_latest_dated_by_as_of():
    seen = ratings(
        (1, date(2019, 3, 1), 5),  # older than the two that count
        (1, date(2021, 3, 1), 5),
        (1, date(2023, 3, 1), 3),
        (1, date(2024, 9, 1), 0),  # after as_of: never read
        (2, date(2022, 1, 1), 2),
        (2, date(2023, 1, 1), 4),
        (3, date(2023, 1, 1), 1),  # one inspection only
    )
    frame = rating_decline(seen, AS_OF).sort("fhrsid")
    assert frame.to_dicts() == [
        {"fhrsid": 1, "rating_decline": 2.0, "inspections_known": 3},
        {"fhrsid": 2, "rating_decline": -2.0, "inspections_known": 2},
        {"fhrsid": 3, "rating_decline": None, "inspections_known": 1},
    ]


def test_the_indicator_is_unknown_without_two_inspections_and_without_any_copies():
    tables = contract_tables([premises_row(1), premises_row(2)])
    absent = premises_indicators(tables, AS_OF).sort("fhrsid")
    assert absent["rating_decline"].to_list() == [None, None]

    tables["fct_premises_ratings"] = ratings(
        (1, date(2022, 1, 1), 4), (1, date(2023, 1, 1), 2), (2, date(2023, 1, 1), 5)
    )
    frame = premises_indicators(tables, AS_OF).sort("fhrsid")
    assert frame["rating_decline"].to_list() == [2.0, None]
    assert frame["inspections_known"].to_list() == [2, 1]
