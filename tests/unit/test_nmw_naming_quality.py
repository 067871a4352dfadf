"""GX suites of raw.nmw_naming__named_employers: they pass on good data and fail on bad."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from heyrick_dagster.quality.gx_runner import load_suite_json, run_suite  # noqa: E402
from heyrick_dagster.sources import nmw_naming  # noqa: E402
from tests.conftest import FIXTURES  # noqa: E402

MAIN = "nmw_naming__named_employers"
DRIFT = "nmw_naming__named_employers_drift"
PARAMS = {"today": dt.date(2025, 6, 30), "scheme_start": nmw_naming.SCHEME_START}


@pytest.fixture(scope="module")
def good() -> pd.DataFrame:
    frame, _ = nmw_naming.parse_files(
        [
            FIXTURES / "nmw_naming" / "2015-R1_2015-03-24_employers-named.html",
            FIXTURES / "nmw_naming" / "2024-R1_2024-02-20_employers-named.csv",
        ]
    )
    return frame.to_pandas()


def _outcome(result, expectation: str, column: str | None = None):
    return next(o for o in result.outcomes if o.expectation == expectation and o.column == column)


def test_suites_have_the_gate_severities_and_the_connector_declares_them():
    assert {e["meta"]["severity"] for e in load_suite_json(MAIN)["expectations"]} == {"error"}
    assert {e["meta"]["severity"] for e in load_suite_json(DRIFT)["expectations"]} == {"warn"}
    checks = {c.suite: c for c in nmw_naming.CONNECTOR.tables[0].checks}
    assert checks[MAIN].blocking and not checks[DRIFT].blocking
    assert set(checks[MAIN].parameters()) == {"today", "scheme_start"}


def test_main_suite_passes_on_parsed_fixtures(good):
    result = run_suite(MAIN, good, PARAMS)
    assert result.success, result.to_markdown()
    assert not result.failures()


def test_drift_suite_passes_on_parsed_fixtures(good):
    result = run_suite(DRIFT, good)
    assert result.success and not result.failures(), result.to_markdown()


def test_duplicate_record_id_fails_and_names_it(good):
    df = good.copy()
    df.loc[1, "record_id"] = df.loc[0, "record_id"]
    result = run_suite(MAIN, df, PARAMS)
    outcome = _outcome(result, "expect_column_values_to_be_unique", "record_id")
    assert not result.success and not outcome.success
    assert "2015-R1#1" in outcome.examples


def test_malformed_record_id_fails(good):
    df = good.copy()
    df.loc[0, "record_id"] = "2015-R1#0"
    result = run_suite(MAIN, df, PARAMS)
    assert not _outcome(result, "expect_column_values_to_match_regex", "record_id").success
    assert not result.success


@pytest.mark.parametrize(("column", "bad"), [("arrears_gbp", 0.0), ("workers", 0)])
def test_values_below_their_floor_fail(good, column, bad):
    df = good.copy()
    df.loc[2, column] = bad
    result = run_suite(MAIN, df, PARAMS)
    assert not _outcome(result, "expect_column_values_to_be_between", column).success
    assert not result.success


@pytest.mark.parametrize("bad", [dt.date(2025, 7, 1), dt.date(2010, 12, 31)])
def test_round_dates_outside_the_scheme_and_the_run_date_fail(good, bad):
    df = good.copy()
    df["round_date"] = df["round_date"].astype(object)
    df.loc[0, "round_date"] = bad
    result = run_suite(MAIN, df, PARAMS)
    assert not _outcome(result, "expect_column_values_to_be_between", "round_date").success
    assert not result.success


def test_garbage_postcodes_fail(good):
    df = good.copy()
    df["postcode"] = "not a postcode"
    result = run_suite(MAIN, df, PARAMS)
    assert not _outcome(result, "expect_column_values_to_match_regex", "postcode").success


def test_empty_table_fails_the_row_floor(good):
    result = run_suite(MAIN, good.iloc[0:0], PARAMS)
    assert not _outcome(result, "expect_table_row_count_to_be_between").success
    assert not result.success


def test_drift_ceilings_warn_but_do_not_fail_the_suite(good):
    df = good.copy()
    df.loc[0, "arrears_gbp"] = 50_000_000.0
    df["location"] = None
    result = run_suite(DRIFT, df)
    warned = {(o.expectation, o.column) for o in result.failures("warn")}
    assert ("expect_column_values_to_be_between", "arrears_gbp") in warned
    assert ("expect_column_values_to_not_be_null", "location") in warned
    assert result.success  # warnings never block
