"""The Great Expectations suites of raw.companies_house__companies: pass on good, fail on bad."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from heyrick_dagster.quality.gx_runner import load_suite_json, run_suite
from heyrick_dagster.sources import companies_house as ch
from tests.conftest import FIXTURES

MAIN = "companies_house__companies"
DRIFT = "companies_house__companies_drift"
PARAMS = {"today": date(2026, 11, 27)}
GOOD = FIXTURES / "companies_house" / "good_BasicCompanyData-2026-11-01-part1_1.csv"


@pytest.fixture(scope="module")
def good() -> pl.DataFrame:
    """The good fixture's UK companies: with 5 rows, its one Cayman company would be 20%."""
    frame, _ = ch.read_companies([GOOD])
    return frame.filter(pl.col("company_number") != "FC031234")


def _failed(outcome) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in outcome.failures()}


def test_suites_are_wired_to_the_connector_with_their_gates():
    [table] = ch.CONNECTOR.tables
    checks = {c.suite: c for c in table.checks}
    assert checks[MAIN].blocking and checks[MAIN].parameters is not None
    assert not checks[DRIFT].blocking
    assert {e["meta"]["severity"] for e in load_suite_json(MAIN)["expectations"]} == {"error"}
    assert {e["meta"]["severity"] for e in load_suite_json(DRIFT)["expectations"]} == {"warn"}


def test_main_suite_passes_on_the_good_fixture(good):
    outcome = run_suite(MAIN, good.to_pandas(), PARAMS)
    assert outcome.success, outcome.to_markdown()
    assert not outcome.failures()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            pl.when(pl.col("company_number") == "SC123456")
            .then(pl.lit("09876543"))
            .otherwise(pl.col("company_number"))
            .alias("company_number"),
            ("expect_column_values_to_be_unique", "company_number"),
        ),
        (
            pl.col("company_number").str.strip_chars_start("0"),
            ("expect_column_values_to_match_regex", "company_number"),
        ),
        (
            pl.lit("Dissolved").alias("company_status"),
            ("expect_column_values_to_be_in_set", "company_status"),
        ),
        (
            pl.lit("Take-away food shops").alias("sic_code_sic_text_1"),
            ("expect_column_values_to_match_regex", "sic_code_sic_text_1"),
        ),
        (
            pl.lit(date(2027, 1, 1)).alias("incorporation_date"),
            ("expect_column_values_to_be_between", "incorporation_date"),
        ),
        (
            pl.lit(date(2027, 3, 31)).alias("accounts_last_made_up_date"),
            ("expect_column_values_to_be_between", "accounts_last_made_up_date"),
        ),
        (
            pl.lit("LONDON").alias("reg_address_postcode"),
            ("expect_column_values_to_match_regex", "reg_address_postcode"),
        ),
        (
            pl.lit(None, dtype=pl.String).alias("company_name"),
            ("expect_column_values_to_not_be_null", "company_name"),
        ),
    ],
)
def test_main_suite_fails_on_a_bad_frame(good, change, expected):
    outcome = run_suite(MAIN, good.with_columns(change).to_pandas(), PARAMS)
    assert not outcome.success
    assert expected in _failed(outcome)


def test_main_suite_fails_when_nothing_was_kept(good):
    outcome = run_suite(MAIN, good.clear().to_pandas(), PARAMS)
    assert ("expect_table_row_count_to_be_between", None) in _failed(outcome)


def test_drift_suite_passes_on_uk_food_companies(good):
    outcome = run_suite(DRIFT, good.to_pandas())
    assert not outcome.failures(), outcome.to_markdown()


def test_drift_suite_warns_on_foreign_addresses_missing_postcodes_and_new_vocabulary(good):
    bad = good.with_columns(
        pl.lit(None, dtype=pl.String).alias("reg_address_postcode"),
        pl.lit("Liquidation").alias("company_status"),
        pl.lit("Brand New Company Type").alias("company_category"),
        pl.lit("CAYMAN ISLANDS").alias("reg_address_country"),
    )
    outcome = run_suite(DRIFT, bad.to_pandas())
    assert outcome.success  # warnings never fail the gate
    assert _failed(outcome) == {
        ("expect_column_values_to_not_be_null", "reg_address_postcode"),
        ("expect_column_values_to_be_in_set", "company_status"),
        ("expect_column_values_to_be_in_set", "company_category"),
        ("expect_column_values_to_be_in_set", "reg_address_country"),
    }
