"""Indicators from pseudonymised controllers, as of a date: companies sharing a controller
and phoenix successors, on hand-made marts."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from heyrick_dagster.analysis.indicators import PHOENIX_WINDOW_DAYS, premises_indicators
from tests.unit.test_analysis_indicators import AS_OF, contract_tables, premises_row

CONTROLS_SCHEMA = {
    "record_id": pl.String,
    "company_number": pl.String,
    "controller_id": pl.String,
    "notified_on": pl.Date,
    "ceased_on": pl.Date,
    "address_postcode": pl.String,
    "company_on_register": pl.Boolean,
    "is_food_sector": pl.Boolean,
    "is_distressed": pl.Boolean,
    "incorporation_date": pl.Date,
    "company_postcode": pl.String,
}
SHOP = "SE13 5AA"


def control(company: str, controller: str, **values) -> dict:
    row = {
        "record_id": f"{company}/{controller}",
        "company_number": company,
        "controller_id": controller,
        "notified_on": date(2019, 1, 1),
        "ceased_on": None,
        "address_postcode": None,
        "company_on_register": True,
        "is_food_sector": True,
        "is_distressed": False,
        "incorporation_date": date(2019, 1, 1),
        "company_postcode": None,
    }
    return row | values


def tables_with(controls: list[dict], companies: list[dict], premises=None) -> dict:
    tables = contract_tables(premises or [premises_row(1)], companies)
    tables["fct_company_controls"] = pl.DataFrame(controls, schema=CONTROLS_SCHEMA)
    return tables


def _first(frame: pl.DataFrame) -> dict:
    return frame.filter(pl.col("fhrsid") == 1).row(0, named=True)


def test_companies_sharing_a_controller_count_other_food_companies_controlled_at_as_of():
    companies = [
        {"company_number": "C0", "business_id": "B1", "postcode": SHOP},
        {"company_number": "C1", "business_id": None},
        {"company_number": "C2", "business_id": None},
    ]
    controls = [
        control("C0", "k1"),
        control("C1", "k1"),  # counted
        control("C2", "k1"),  # counted
        control("C3", "k1", is_food_sector=False),  # not food
        control("C4", "k1", notified_on=date(2024, 7, 1)),  # notified after as_of
        control("C5", "k1", ceased_on=date(2024, 1, 1)),  # ceased before as_of
        control("C6", "k1", company_on_register=False),  # dissolved
        control("C7", "k2"),  # another controller
    ]
    row = _first(premises_indicators(tables_with(controls, companies), AS_OF))

    assert row["companies_sharing_a_controller"] == 2
    assert row["controllers_shared_with_food_companies"] == pytest.approx(math.log2(1 + 2))


def test_a_control_of_the_linked_company_notified_after_as_of_shares_nothing_yet():
    companies = [{"company_number": "C0", "business_id": "B1"}]
    controls = [control("C0", "k1", notified_on=date(2024, 7, 1)), control("C1", "k1")]
    row = _first(premises_indicators(tables_with(controls, companies), AS_OF))
    assert row["companies_sharing_a_controller"] == 0


def test_a_phoenix_successor_shares_a_controller_with_a_dissolved_company_at_its_address():
    companies = [
        {
            "company_number": "NEW",
            "business_id": "B1",
            "postcode": SHOP,
            "incorporation_date": date(2021, 5, 1),
        }
    ]
    controls = [
        control("NEW", "k1", notified_on=date(2021, 5, 1), incorporation_date=date(2021, 5, 1)),
        control(
            "OLD",
            "k1",
            notified_on=date(2016, 4, 6),
            company_on_register=False,
            address_postcode=SHOP,
            incorporation_date=None,
        ),
    ]
    row = _first(premises_indicators(tables_with(controls, companies), AS_OF))
    assert row["phoenix_successor"] == 1.0 and row["phoenix_predecessors"] == 1

    def flag(**old) -> float:
        changed = [controls[0], controls[1] | old]
        return _first(premises_indicators(tables_with(changed, companies), AS_OF))[
            "phoenix_successor"
        ]

    assert flag(address_postcode="E1 6AN") == 0.0, "another address"
    assert flag(company_on_register=True) == 0.0, "the earlier company still trades"
    assert (
        flag(
            company_on_register=True,
            is_distressed=True,
            address_postcode=None,
            company_postcode=SHOP,
        )
        == 1.0
    ), "in liquidation at the same registered address"
    assert flag(notified_on=date(2021, 6, 1)) == 0.0, "controlled only after the successor"
    too_early = date(2021, 5, 1).replace(year=2021 - PHOENIX_WINDOW_DAYS // 365 - 1)
    assert flag(notified_on=too_early) == 0.0, "beyond the window"


def test_a_successor_incorporated_after_as_of_is_not_a_phoenix_yet():
    companies = [
        {
            "company_number": "NEW",
            "business_id": "B1",
            "postcode": SHOP,
            "incorporation_date": date(2024, 8, 1),
        }
    ]
    controls = [
        control("NEW", "k1", notified_on=date(2024, 8, 1), incorporation_date=date(2024, 8, 1)),
        control("OLD", "k1", company_on_register=False, address_postcode=SHOP),
    ]
    row = _first(premises_indicators(tables_with(controls, companies), AS_OF))
    assert row["phoenix_successor"] == 0.0


def test_without_a_psc_snapshot_both_indicators_are_unknown_not_zero():
    companies = [{"company_number": "C0", "business_id": "B1"}]
    absent = premises_indicators(contract_tables([premises_row(1)], companies), AS_OF)
    empty = premises_indicators(tables_with([], companies), AS_OF)
    for frame in (absent, empty):
        row = _first(frame)
        assert row["controllers_shared_with_food_companies"] is None
        assert row["phoenix_successor"] is None
