"""Premises indicators as of a date, on small hand-made marts shaped as the issue-5 contract.

`contract_tables` builds those marts; the other analysis tests import it.
"""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from heyrick_dagster.analysis.indicators import (
    INDICATORS,
    UNAVAILABLE,
    premises_indicators,
)

AS_OF = date(2024, 6, 30)

PREMISES_SCHEMA = {
    "fhrsid": pl.Int64,
    "business_id": pl.String,
    "sector": pl.String,
    "is_target_sector": pl.Boolean,
    "postcode": pl.String,
    "lsoa_code": pl.String,
    "la_code": pl.String,
    "la_name": pl.String,
    "imd_decile": pl.Int64,
    "rating_numeric": pl.Int64,
    "rating_date": pl.Date,
    "score_confidence_in_management": pl.Int64,
    "data_origin": pl.String,
    "data_vintage": pl.Date,
}
COMPANIES_SCHEMA = {
    "company_number": pl.String,
    "business_id": pl.String,
    "company_name": pl.String,
    "incorporation_date": pl.Date,
    "postcode": pl.String,
    "is_distressed": pl.Boolean,
}
EVENTS_SCHEMA = {"event_key": pl.String, "source": pl.String, "published_date": pl.Date}
ATTRIBUTION_SCHEMA = {
    "event_key": pl.String,
    "fhrsid": pl.Int64,
    "attribution_probability": pl.Float64,
}


def premises_row(fhrsid: int, **values) -> dict:
    """A rated takeaway in a mid-deprivation English LSOA; override any column."""
    row = {
        "fhrsid": fhrsid,
        "business_id": f"B{fhrsid}",
        "sector": "hot_food_takeaway",
        "is_target_sector": True,
        "postcode": "SE13 5AA",
        "lsoa_code": "E01000001",
        "la_code": "523",
        "la_name": "Lewisham",
        "imd_decile": 5,
        "rating_numeric": 5,
        "rating_date": date(2023, 1, 1),
        "score_confidence_in_management": 0,
        "data_origin": "synthetic sample",
        "data_vintage": date(2024, 11, 10),
    }
    unknown = set(values) - set(row)
    if unknown:
        raise KeyError(unknown)
    return row | values


def contract_tables(
    premises: list[dict],
    companies: list[dict] = (),
    events: list[tuple[str, str, date]] = (),
    attributions: list[tuple[str, int, float]] = (),
) -> dict[str, pl.DataFrame]:
    """The four marts `premises_indicators` reads: events are (event_key, source,
    published_date), attributions (event_key, fhrsid, probability)."""
    company_rows = [
        {
            "company_number": f"C{i}",
            "company_name": f"COMPANY {i} LTD",
            "incorporation_date": date(2010, 1, 1),
            "postcode": None,
            "is_distressed": False,
        }
        | c
        for i, c in enumerate(companies)
    ]
    return {
        "dim_premises": pl.DataFrame(premises, schema=PREMISES_SCHEMA),
        "dim_companies": pl.DataFrame(company_rows, schema=COMPANIES_SCHEMA),
        "fct_enforcement_events": pl.DataFrame(
            [dict(zip(EVENTS_SCHEMA, e, strict=True)) for e in events], schema=EVENTS_SCHEMA
        ),
        "fct_event_premises": pl.DataFrame(
            [dict(zip(ATTRIBUTION_SCHEMA, a, strict=True)) for a in attributions],
            schema=ATTRIBUTION_SCHEMA,
        ),
    }


def _row(frame: pl.DataFrame, fhrsid: int) -> dict:
    return frame.filter(pl.col("fhrsid") == fhrsid).row(0, named=True)


def test_prior_enforcement_sums_attributions_of_events_published_up_to_as_of_only():
    tables = contract_tables(
        [premises_row(1), premises_row(2)],
        events=[
            ("iw|a", "illegal_working", date(2022, 3, 31)),
            ("nmw|b", "nmw_naming", AS_OF),
            ("iw|c", "illegal_working", date(2024, 7, 1)),
        ],
        attributions=[("iw|a", 1, 1.0), ("nmw|b", 1, 0.4), ("iw|c", 1, 1.0), ("iw|c", 2, 1.0)],
    )
    frame = premises_indicators(tables, AS_OF)
    assert _row(frame, 1)["prior_enforcement_expected"] == pytest.approx(1.4)
    assert _row(frame, 1)["prior_enforcement"] == pytest.approx(math.log2(2.4))
    assert _row(frame, 2)["prior_enforcement_expected"] == 0.0
    later = premises_indicators(tables, date(2024, 7, 1))
    assert _row(later, 2)["prior_enforcement_expected"] == 1.0


def test_recent_incorporation_is_within_two_years_before_the_rating_or_as_of_never_after():
    premises = [
        premises_row(1, rating_date=date(2019, 6, 1)),  # company new at the inspection
        premises_row(2, rating_date=date(2019, 6, 1)),  # company new at as_of
        premises_row(3, rating_date=date(2019, 6, 1)),  # company old at both
        premises_row(4, rating_date=date(2019, 6, 1)),  # company incorporated after as_of
        premises_row(5, rating_date=date(2024, 9, 1)),  # rated after as_of: not known then
    ]
    companies = [
        {"business_id": "B1", "incorporation_date": date(2018, 1, 1)},
        {"business_id": "B2", "incorporation_date": date(2023, 1, 1)},
        {"business_id": "B3", "incorporation_date": date(2015, 1, 1)},
        {"business_id": "B4", "incorporation_date": date(2024, 8, 1)},
        {"business_id": "B5", "incorporation_date": date(2021, 1, 1)},
    ]
    frame = premises_indicators(contract_tables(premises, companies), AS_OF)
    assert frame.sort("fhrsid")["recent_incorporation"].to_list() == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert frame.sort("fhrsid")["linked_companies"].to_list() == [1, 1, 1, 0, 1]


def test_company_flags_come_only_from_companies_in_the_premises_business():
    premises = [premises_row(1), premises_row(2, business_id="B-other")]
    companies = [
        {"business_id": "B1", "company_name": "ABC FOODS (2021) LTD", "is_distressed": True},
        {"business_id": None, "company_name": "XYZ (2020) LIMITED", "is_distressed": True},
    ]
    frame = premises_indicators(contract_tables(premises, companies), AS_OF)
    assert _row(frame, 1)["phoenix_like_company_name"] == 1.0
    assert _row(frame, 1)["company_distressed"] == 1.0
    assert _row(frame, 2)["phoenix_like_company_name"] == 0.0
    assert _row(frame, 2)["company_distressed"] == 0.0


def test_phoenix_like_name_needs_a_bracketed_year():
    premises = [premises_row(i) for i in (1, 2, 3)]
    companies = [
        {"business_id": "B1", "company_name": "KEBAB KING (2019) LTD"},
        {"business_id": "B2", "company_name": "2019 KEBAB KING LTD"},
        {"business_id": "B3", "company_name": "KEBAB KING (UK) LTD"},
    ]
    frame = premises_indicators(contract_tables(premises, companies), AS_OF).sort("fhrsid")
    assert frame["phoenix_like_company_name"].to_list() == [1.0, 0.0, 0.0]


def test_companies_at_the_premises_postcode_count_those_existing_at_as_of_on_a_log_scale():
    premises = [
        premises_row(1, postcode="E1 1AA"),
        premises_row(2, postcode="E2 2BB"),
        premises_row(3, postcode=None),
    ]
    companies = [
        {"postcode": "E1 1AA"},
        {"postcode": "E1 1AA"},
        {"postcode": "E1 1AA"},
        {"postcode": "E1 1AA", "incorporation_date": date(2024, 12, 1)},  # after as_of
    ]
    frame = premises_indicators(contract_tables(premises, companies), AS_OF).sort("fhrsid")
    assert frame["companies_at_postcode"].to_list() == [3, 0, 0]
    assert frame["companies_at_premises_postcode"].to_list() == [2.0, 0.0, None]


def test_rating_and_management_indicators_grow_with_risk_and_are_null_when_unpublished():
    premises = [
        premises_row(1, rating_numeric=5, score_confidence_in_management=0),
        premises_row(2, rating_numeric=1, score_confidence_in_management=20),
        premises_row(3, rating_numeric=None, score_confidence_in_management=None),
    ]
    frame = premises_indicators(contract_tables(premises), AS_OF).sort("fhrsid")
    assert frame["hygiene_rating_shortfall"].to_list() == [0.0, 4.0, None]
    assert frame["confidence_in_management_points_lost"].to_list() == [0.0, 2.0, None]


def test_hiding_ratings_after_as_of_nulls_inspections_dated_later():
    premises = [
        premises_row(
            1, rating_numeric=1, rating_date=date(2024, 8, 1), score_confidence_in_management=20
        )
    ]
    tables = contract_tables(premises)
    assert _row(premises_indicators(tables, AS_OF), 1)["hygiene_rating_shortfall"] == 4.0
    strict = _row(premises_indicators(tables, AS_OF, hide_ratings_after_as_of=True), 1)
    assert strict["hygiene_rating_shortfall"] is None
    assert strict["confidence_in_management_points_lost"] is None


def test_deprivation_runs_from_zero_least_deprived_to_one_most_deprived():
    premises = [
        premises_row(1, imd_decile=10),
        premises_row(2, imd_decile=1),
        premises_row(3, imd_decile=None),
    ]
    frame = premises_indicators(contract_tables(premises), AS_OF).sort("fhrsid")
    assert frame["area_deprivation"].to_list() == [0.0, 1.0, None]


def test_every_premises_is_kept_and_only_target_sectors_are_marked_for_scoring():
    premises = [premises_row(1), premises_row(2, sector="other", is_target_sector=False)]
    frame = premises_indicators(contract_tables(premises), AS_OF).sort("fhrsid")
    assert frame["is_target_sector"].to_list() == [True, False]
    assert set(frame["as_of"]) == {AS_OF}


def test_every_indicator_is_documented_and_is_a_column():
    frame = premises_indicators(contract_tables([premises_row(1)]), AS_OF)
    for indicator in INDICATORS:
        assert indicator.name in frame.columns
        assert len(indicator.description) > 80 and indicator.source and indicator.unit
        assert indicator.direction == "higher_is_riskier"
    gaps = dict(UNAVAILABLE)
    assert "not ingested" in gaps["directors_and_secretaries"]
    assert not {"shared_officers", "phoenix_company", "rating_trend"} & set(gaps), (
        "indicators now: controllers_shared_with_food_companies, phoenix_successor, rating_decline"
    )


def test_a_missing_mart_or_column_is_a_clear_error():
    tables = contract_tables([premises_row(1)])
    with pytest.raises(ValueError, match="fct_event_premises"):
        premises_indicators({k: v for k, v in tables.items() if k != "fct_event_premises"}, AS_OF)
    tables["dim_companies"] = tables["dim_companies"].drop("is_distressed")
    with pytest.raises(ValueError, match="is_distressed"):
        premises_indicators(tables, AS_OF)
