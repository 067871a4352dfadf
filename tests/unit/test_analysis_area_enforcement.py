"""The enforcement rate of a premises' local authority: leave-one-out, shrunk, windowed."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from heyrick_dagster.analysis.area_enforcement import PSEUDO_EVENTS, area_enforcement
from heyrick_dagster.analysis.indicators import describe_value, premises_indicators
from tests.unit.test_analysis_indicators import AS_OF, contract_tables, premises_row


def _tables(events_by_fhrsid: dict[int, list[date]], la_of: dict[int, str | None]) -> dict:
    premises = [premises_row(f, la_code=la) for f, la in la_of.items()]
    events, attributions = [], []
    for fhrsid, days in events_by_fhrsid.items():
        for k, day in enumerate(days):
            events.append((f"iw|{fhrsid}-{k}", "illegal_working", day))
            attributions.append((f"iw|{fhrsid}-{k}", fhrsid, 1.0))
    return contract_tables(premises, events=events, attributions=attributions)


def _ratio(tables: dict, as_of: date = AS_OF) -> dict[int, float | None]:
    frame = area_enforcement(
        tables["dim_premises"],
        tables["fct_enforcement_events"],
        tables["fct_event_premises"],
        as_of,
    )
    return dict(frame.select("fhrsid", "area_enforcement_ratio").iter_rows())


def test_the_rate_leaves_the_premises_own_events_out_and_shrinks_towards_the_overall_rate():
    # Authority A: 4 premises, premises 1 with 3 events; authority B: 4 premises, none.
    la_of = {1: "A", 2: "A", 3: "A", 4: "A", 5: "B", 6: "B", 7: "B", 8: "B"}
    ratio = _ratio(_tables({1: [date(2023, 1, 1)] * 3}, la_of))
    overall = 3 / 8
    pseudo = PSEUDO_EVENTS / overall
    assert ratio[1] == pytest.approx((0 + PSEUDO_EVENTS) / (3 + pseudo) / overall)
    assert ratio[2] == pytest.approx((3 + PSEUDO_EVENTS) / (3 + pseudo) / overall)
    assert ratio[5] == ratio[1]  # B has no events; 1 sees none but its own in A
    assert ratio[2] > 1 > ratio[5]


def test_only_events_published_in_the_window_to_as_of_count():
    la_of = {1: "A", 2: "A", 3: "B", 4: "B"}
    old, inside, later = date(2020, 1, 1), date(2023, 1, 1), date(2024, 9, 1)
    ratio = _ratio(_tables({1: [old, inside, later], 3: [later]}, la_of))
    # Only the one event of 2023 counts: A is above average, B below.
    assert ratio[2] > 1 > ratio[4]
    assert _ratio(_tables({1: [old], 3: [later]}, la_of)) == {1: None, 2: None, 3: None, 4: None}


def test_the_indicator_is_log2_of_the_ratio_and_null_without_an_authority():
    la_of = {1: "A", 2: "A", 3: "B", 4: None}
    tables = _tables({1: [date(2023, 1, 1)], 3: [date(2023, 1, 1)]}, la_of)
    frame = premises_indicators(tables, AS_OF).sort("fhrsid")
    ratios = _ratio(tables)
    assert frame["area_enforcement"].to_list()[:3] == pytest.approx(
        [math.log2(ratios[f]) for f in (1, 2, 3)]
    )
    assert frame["area_enforcement"][3] is None
    assert frame.schema["area_enforcement_ratio"] == pl.Float64


def test_the_explanation_says_area_enforcement_is_where_officials_look():
    words = describe_value("area_enforcement", 1.0)
    assert "2.00 times the average enforcement" in words
    assert "where officials look" in words and "no sign about this premises" in words
