"""The IoD2019 Great Expectations suites: each passes on good data and fails on a bad frame.

Frames go through DuckDB as in the pipeline (the asset check reads the raw table
with `warehouse.read_pandas`), so the suites see the dtypes they will meet.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from heyrick_dagster import warehouse  # noqa: E402
from heyrick_dagster.quality.gx_runner import load_suite_json, run_suite  # noqa: E402
from heyrick_dagster.sources import imd  # noqa: E402
from tests.unit.test_imd_parse import FILE_1, FILE_7, REAL_FILE_1, _real  # noqa: E402

MAIN = "imd__lsoa_deprivation"
DECILES = "imd__lsoa_deprivation_deciles"
DRIFT = "imd__lsoa_deprivation_drift"
TABLE = "imd__lsoa_deprivation"


def _as_in_duckdb(frame: pl.DataFrame, tmp_path: Path) -> pd.DataFrame:
    db = tmp_path / "heyrick.duckdb"
    warehouse.replace_table(db, "raw", TABLE, frame)
    return warehouse.read_pandas(db, "raw", TABLE)


@pytest.fixture
def good(tmp_path) -> pd.DataFrame:
    frame, _ = imd.parse_files([FILE_1, FILE_7])
    return _as_in_duckdb(frame, tmp_path)


def _failed(outcome, severity: str) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in outcome.failures(severity)}


def test_connector_checks_name_committed_suites_of_the_right_severity():
    [table] = imd.CONNECTOR.tables
    for spec in table.checks:
        severities = {e["meta"]["severity"] for e in load_suite_json(spec.suite)["expectations"]}
        assert severities == ({"error"} if spec.blocking else {"warn"}), spec.suite


def test_every_suite_passes_on_the_merged_fixtures(good):
    for suite, frame in ((MAIN, good), (DECILES, imd.decile_consistency(good)), (DRIFT, good)):
        outcome = run_suite(suite, frame)
        assert outcome.success and not outcome.failures(), outcome.to_markdown()


@pytest.mark.real_data
def test_every_suite_passes_on_the_real_file_1(shared_data, tmp_path):
    frame, _ = imd.parse_files([_real(shared_data, REAL_FILE_1)])
    df = _as_in_duckdb(frame, tmp_path)
    for suite, data in ((MAIN, df), (DECILES, imd.decile_consistency(df)), (DRIFT, df)):
        outcome = run_suite(suite, data)
        assert not outcome.failures(), outcome.to_markdown()


def test_main_suite_fails_on_repeated_lsoas_bad_codes_and_out_of_range_values(good):
    bad = good.copy()
    bad.loc[1, "lsoa_code"] = bad.loc[0, "lsoa_code"]
    bad.loc[2, "lsoa_code"] = "W01001700"
    bad.loc[3, "lad_code"] = "W06000015"
    bad.loc[4, "imd_rank"] = 0
    bad.loc[5, "imd_decile"] = 11
    bad.loc[6, "income_score"] = 42.0  # a percentage, not a rate
    outcome = run_suite(MAIN, bad)
    assert not outcome.success
    assert _failed(outcome, "error") == {
        ("expect_column_values_to_be_unique", "lsoa_code"),
        ("expect_column_values_to_match_regex", "lsoa_code"),
        ("expect_column_values_to_match_regex", "lad_code"),
        ("expect_column_values_to_be_between", "imd_rank"),
        ("expect_column_values_to_be_in_set", "imd_decile"),
        ("expect_column_values_to_be_between", "income_score"),
    }


def test_main_suite_fails_on_an_empty_table(good):
    outcome = run_suite(MAIN, good.iloc[0:0])
    assert ("expect_table_row_count_to_be_between", None) in _failed(outcome, "error")


def test_deciles_suite_fails_when_a_decile_does_not_follow_its_rank(good):
    bad = good.copy()
    edge = bad.index[bad["imd_rank"] == 3285][0]  # the first rank of decile 2
    bad.loc[edge, "imd_decile"] = 1
    outcome = run_suite(DECILES, imd.decile_consistency(bad))
    [failure] = outcome.failures("error")
    assert failure.expectation == "expect_column_pair_values_to_be_equal"
    assert failure.unexpected_count == 1
    assert not outcome.success


def test_decile_frame_puts_each_rank_in_its_published_decile():
    ranks = pd.DataFrame(
        {
            "lsoa_code": ["a", "b", "c", "d", "e"],
            "imd_rank": pd.array([1, 3284, 3285, 32843, 32844], dtype="Int64"),
            "imd_decile": pd.array([1, 1, 2, 10, 10], dtype="Int64"),
        }
    )
    frame = imd.decile_consistency(ranks)
    assert frame["expected_decile"].tolist() == [1, 1, 2, 10, 10]


def test_drift_suite_warns_on_too_many_lsoas_and_implausible_populations(good):
    bad = pd.concat([good] * 4106, ignore_index=True)  # 32,848 rows
    bad.loc[0, "population"] = 60
    bad.loc[1, "lsoa_name"] = None
    outcome = run_suite(DRIFT, bad)
    assert outcome.success, "warnings never fail the suite"
    assert _failed(outcome, "warn") == {
        ("expect_table_row_count_to_be_between", None),
        ("expect_column_values_to_be_between", "population"),
        ("expect_column_values_to_not_be_null", "lsoa_name"),
    }
