"""The Great Expectations suites of raw.illegal_working__penalties pass on good data and
fail, with the right expectation, on bad frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from heyrick_dagster.quality import gx_runner
from heyrick_dagster.sources import illegal_working as iw
from tests.conftest import FIXTURES

MAIN = "illegal_working__penalties"
DRIFT = "illegal_working__penalties_drift"
TODAY = {"today": date(2026, 11, 27)}


@pytest.fixture(scope="module")
def good() -> pl.DataFrame:
    frame, _ = iw.parse_files(
        [
            FIXTURES / "illegal_working" / "illegal-working-civil-penalties-2024Q3.html",
            FIXTURES / "illegal_working" / "illegal-working-civil-penalties-2024Q4.json",
        ]
    )
    return frame


def _failed(outcome: gx_runner.SuiteOutcome) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in outcome.failures()}


def test_suites_are_declared_by_the_connector():
    suites = {spec.suite for table in iw.CONNECTOR.tables for spec in table.checks}
    assert suites == {MAIN, DRIFT}
    for suite in suites:
        gx_runner.load_suite_json(suite)  # well formed, ids unique, severities set


def test_main_suite_passes_on_good_data(good):
    outcome = gx_runner.run_suite(MAIN, good.to_pandas(), TODAY)
    assert outcome.success, outcome.to_markdown()
    assert not outcome.failures()


def test_drift_suite_passes_on_good_data(good):
    # The fixture's one blank postcode in seven is a test of parsing, not a normal share.
    complete = good.with_columns(pl.col("postcode").fill_null("WN1 9ZZ"))
    outcome = gx_runner.run_suite(DRIFT, complete.to_pandas())
    assert not outcome.failures(), outcome.to_markdown()


def test_main_suite_fails_on_duplicate_keys_bad_periods_and_future_vintages(good):
    bad = good.with_columns(
        pl.when(pl.col("_source_row") == 2)
        .then(pl.lit("2024Q3#1"))
        .otherwise(pl.col("record_id"))
        .alias("record_id"),
        pl.when(pl.col("_source_row") == 3)
        .then(pl.lit("2024-07"))
        .otherwise(pl.col("period"))
        .alias("period"),
        pl.lit(date(2027, 1, 1)).alias("_vintage"),
    )
    outcome = gx_runner.run_suite(MAIN, bad.to_pandas(), TODAY)
    assert not outcome.success
    failed = _failed(outcome)
    assert ("expect_column_values_to_be_unique", "record_id") in failed
    assert ("expect_column_values_to_match_regex", "period") in failed
    assert ("expect_column_values_to_be_between", "_vintage") in failed


def test_main_suite_fails_on_misread_amounts_and_shifted_postcodes(good):
    bad = good.with_columns(
        pl.lit(45).cast(pl.Int64).alias("penalty_gbp"),
        pl.col("address").alias("postcode"),
    )
    outcome = gx_runner.run_suite(MAIN, bad.to_pandas(), TODAY)
    failed = _failed(outcome)
    assert ("expect_column_values_to_be_between", "penalty_gbp") in failed
    assert ("expect_column_values_to_match_regex", "postcode") in failed


def test_main_suite_fails_on_an_empty_table(good):
    outcome = gx_runner.run_suite(MAIN, good.clear().to_pandas(), TODAY)
    assert ("expect_table_row_count_to_be_between", None) in _failed(outcome)


def test_drift_suite_warns_on_huge_penalties_and_missing_postcodes(good):
    bad = good.with_columns(
        pl.lit(2_000_000).cast(pl.Int64).alias("penalty_gbp"),
        pl.lit(None, dtype=pl.String).alias("postcode"),
    )
    outcome = gx_runner.run_suite(DRIFT, bad.to_pandas())
    assert outcome.success, "drift only warns"
    failed = {(o.expectation, o.column) for o in outcome.failures("warn")}
    assert ("expect_column_values_to_be_between", "penalty_gbp") in failed
    assert ("expect_column_values_to_not_be_null", "postcode") in failed
