"""Inspections as of a date: means over those seen, the latest one, and the strict variant."""

from __future__ import annotations

from datetime import date

import pytest

from heyrick_dagster.analysis.indicators import premises_indicators
from heyrick_dagster.analysis.inspection_history import history_means, latest_by
from tests.unit.test_analysis_indicators import AS_OF, contract_tables, premises_row
from tests.unit.test_analysis_rating_trend import ratings


def test_means_read_only_scored_inspections_dated_by_as_of():
    seen = ratings(
        (1, date(2020, 1, 1), 5, 0, 5, 0),
        (1, date(2022, 1, 1), 2, 10, 10, 20),
        (1, date(2024, 9, 1), 0, 25, 25, 30),  # after as_of: never read
        (1, date(2023, 1, 1), 4),  # no scores published: not in the means
        (2, date(2024, 8, 1), 1, 15, 15, 20),  # only inspection is after as_of
    )
    frame = history_means(seen, AS_OF)
    assert frame.to_dicts() == [
        {
            "fhrsid": 1,
            "inspections_scored": 2,
            "management_points_lost_mean": pytest.approx(1.0),
            "hygiene_structural_points_lost_mean": pytest.approx(1.25),
        }
    ]


def test_latest_by_is_the_last_inspection_dated_by_as_of():
    seen = ratings(
        (1, date(2021, 1, 1), 5, 0, 0, 0),
        (1, date(2023, 5, 1), 2, 10, 10, 20),
        (1, date(2024, 9, 1), 0, 25, 25, 30),
    )
    assert latest_by(seen, AS_OF).to_dicts() == [
        {
            "fhrsid": 1,
            "rating_numeric": 2,
            "rating_date": date(2023, 5, 1),
            "score_confidence_in_management": 20,
        }
    ]


def test_the_strict_variant_takes_the_inspection_known_at_as_of_from_the_kept_copies():
    later = {"rating_numeric": 0, "rating_date": date(2024, 9, 1)}
    premises = [
        premises_row(1, **later, score_confidence_in_management=30),  # an earlier copy knew it
        premises_row(2, **later, score_confidence_in_management=30),  # no copy knew it
        premises_row(3, rating_numeric=4, rating_date=date(2023, 1, 1)),  # known at as_of
    ]
    tables = contract_tables(premises)
    tables["fct_premises_ratings"] = ratings(
        (1, date(2022, 6, 1), 3, 10, 10, 10), (1, date(2024, 9, 1), 0, 25, 25, 30)
    )
    published = premises_indicators(tables, AS_OF).sort("fhrsid")
    assert published["hygiene_rating_shortfall"].to_list() == [5.0, 5.0, 1.0]
    strict = premises_indicators(tables, AS_OF, hide_ratings_after_as_of=True).sort("fhrsid")
    assert strict["hygiene_rating_shortfall"].to_list() == [2.0, None, 1.0]
    assert strict["confidence_in_management_points_lost"].to_list() == [1.0, None, 0.0]
    assert strict["rating_date"].to_list() == [date(2022, 6, 1), None, date(2023, 1, 1)]
    # The means never read a later inspection, in either variant.
    assert published["management_points_lost_mean"].to_list() == [1.0, None, None]
