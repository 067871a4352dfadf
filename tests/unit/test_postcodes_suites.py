"""The postcode Great Expectations suites: each passes on good data and fails on a bad frame.

Frames go through DuckDB as in the pipeline, so dates arrive as datetime64.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from heyrick_dagster import warehouse  # noqa: E402
from heyrick_dagster.quality.gx_runner import load_suite_json, run_suite  # noqa: E402
from heyrick_dagster.sources import postcodes  # noqa: E402
from tests.unit.test_postcodes_parse import (  # noqa: E402
    LA_LOOKUP,
    ONSPD_CSV,
    REAL_LOOKUP,
    REAL_ONSPD,
    real,
)

MAIN = "postcodes__postcodes"
DRIFT = "postcodes__postcodes_drift"
TABLE = "postcodes__postcodes"
PARAMS = {"today": dt.date(2026, 11, 27)}


def _as_in_duckdb(frame: pl.DataFrame, tmp_path: Path) -> pd.DataFrame:
    db = tmp_path / "heyrick.duckdb"
    warehouse.replace_table(db, "raw", TABLE, frame)
    return warehouse.read_pandas(db, "raw", TABLE)


@pytest.fixture
def good(tmp_path) -> pd.DataFrame:
    frame, _ = postcodes.parse_files([ONSPD_CSV, LA_LOOKUP])
    # The fixture packs its unplaced postcodes (Jersey, a brand-new unit) into 9 rows:
    # far more than the real directory's share, which the drift suite would flag.
    return _as_in_duckdb(frame.filter(pl.col("lsoa11").is_not_null()), tmp_path)


def _failed(outcome, severity: str) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in outcome.failures(severity)}


def test_connector_checks_name_committed_suites_of_the_right_severity():
    [table] = postcodes.CONNECTOR.tables
    for spec in table.checks:
        severities = {e["meta"]["severity"] for e in load_suite_json(spec.suite)["expectations"]}
        assert severities == ({"error"} if spec.blocking else {"warn"}), spec.suite
    assert table.checks[0].parameters().keys() == {"today"}


def test_both_suites_pass_on_the_fixtures_of_both_layouts(good):
    assert set(good["layout"]) == {"onspd", "la_lookup"}
    for suite, params in ((MAIN, PARAMS), (DRIFT, None)):
        outcome = run_suite(suite, good, params)
        assert outcome.success and not outcome.failures(), outcome.to_markdown()


@pytest.mark.real_data
def test_both_suites_pass_on_the_real_files(shared_data, tmp_path):
    frame, _ = postcodes.parse_files(
        [real(shared_data, REAL_ONSPD), real(shared_data, REAL_LOOKUP)]
    )
    df = _as_in_duckdb(frame, tmp_path)
    for suite, params in ((MAIN, PARAMS), (DRIFT, None)):
        outcome = run_suite(suite, df, params)
        assert not outcome.failures(), outcome.to_markdown()


def test_main_suite_fails_on_bad_keys_codes_and_dates(good):
    bad = good.copy()
    bad.loc[1, "postcode"] = bad.loc[0, "postcode"]
    bad.loc[2, "postcode"] = "se13 6jg"
    bad.loc[3, "lsoa11"] = "E0100318"
    bad.loc[4, "lad_code"] = "Lewisham"
    bad.loc[5, "introduced"] = pd.Timestamp("2027-01-01")
    bad.loc[6, "terminated"] = pd.Timestamp("1970-01-01")  # before its introduction
    bad.loc[4, "country"] = "E12000007"  # a region, not a country
    outcome = run_suite(MAIN, bad, PARAMS)
    assert not outcome.success
    assert _failed(outcome, "error") == {
        ("expect_column_values_to_be_unique", "postcode"),
        ("expect_column_values_to_match_regex", "postcode"),
        ("expect_column_values_to_match_regex", "lsoa11"),
        ("expect_column_values_to_match_regex", "lad_code"),
        ("expect_column_values_to_be_between", "introduced"),
        ("expect_column_pair_values_a_to_be_greater_than_b", None),
        ("expect_column_values_to_be_in_set", "country"),
    }


def test_main_suite_fails_on_an_empty_table(good):
    outcome = run_suite(MAIN, good.iloc[0:0], PARAMS)
    assert ("expect_table_row_count_to_be_between", None) in _failed(outcome, "error")


def test_main_suite_fails_on_a_termination_in_the_future(good):
    bad = good.copy()
    bad.loc[0, "terminated"] = pd.Timestamp("2030-05-01")
    outcome = run_suite(MAIN, bad, PARAMS)
    assert ("expect_column_values_to_be_between", "terminated") in _failed(outcome, "error")


def test_drift_suite_warns_on_locations_outside_the_uk_and_missing_areas(good):
    bad = good.copy()
    bad.loc[0, "latitude"] = -0.0106  # latitude and longitude swapped
    bad.loc[0, "longitude"] = 51.4588
    bad["lsoa11"] = None
    outcome = run_suite(DRIFT, bad)
    assert outcome.success, "warnings never fail the suite"
    assert _failed(outcome, "warn") == {
        ("expect_column_values_to_be_between", "latitude"),
        ("expect_column_values_to_be_between", "longitude"),
        ("expect_column_values_to_not_be_null", "lsoa11"),
    }
