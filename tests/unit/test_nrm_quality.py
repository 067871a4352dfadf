"""The Great Expectations suites of raw.nrm__referrals: each passes on good data and
each rule fails on a frame that breaks it."""

from __future__ import annotations

import os
from datetime import date

import polars as pl
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from heyrick_dagster.quality.gx_runner import load_suite_json, run_suite  # noqa: E402
from heyrick_dagster.sources import nrm  # noqa: E402
from tests.conftest import FIXTURES  # noqa: E402
from tests.fixtures.nrm.make_fixtures import NAME  # noqa: E402

MAIN, DRIFT = "nrm__referrals", "nrm__referrals_drift"
PARAMS = {"today": date(2026, 11, 27)}


@pytest.fixture(scope="module")
def good() -> pl.DataFrame:
    return nrm.parse_file(FIXTURES / "nrm" / f"good_{NAME}").frame


@pytest.mark.parametrize("suite", [MAIN, DRIFT])
def test_suite_files_keep_gx_severity_in_step_with_meta_and_explain_each_rule(suite):
    doc = load_suite_json(suite)
    assert doc["meta"]["table"] == "raw.nrm__referrals"
    for expectation in doc["expectations"]:
        expected = "critical" if expectation["meta"]["severity"] == "error" else "warning"
        assert expectation["severity"] == expected
        assert expectation["meta"]["notes"] and expectation["description"]
    severities = {e["meta"]["severity"] for e in doc["expectations"]}
    assert severities == ({"error"} if suite == MAIN else {"warn"})


def test_main_suite_passes_on_the_parsed_fixture(good):
    outcome = run_suite(MAIN, good.to_pandas(), PARAMS)
    assert outcome.success, outcome.to_markdown()
    assert outcome.failures() == []


def test_drift_suite_passes_on_the_parsed_fixture(good):
    outcome = run_suite(DRIFT, good.to_pandas())
    assert outcome.failures() == [], outcome.to_markdown()


FIRST = pl.int_range(pl.len()) == 0  # each rule is broken by a single record


@pytest.mark.parametrize(
    ("rule", "column", "broken"),
    [
        ("expect_compound_columns_to_be_unique", None, "duplicate"),
        ("expect_column_values_to_not_be_null", "geography_name",
         pl.when(FIRST).then(None).otherwise(pl.col("geography_name")).alias("geography_name")),
        ("expect_column_values_to_match_regex", "period",
         pl.when(FIRST).then(pl.lit("2025-Q3")).otherwise(pl.col("period")).alias("period")),
        ("expect_column_values_to_be_in_set", "exploitation_type",
         pl.when(FIRST).then(pl.lit("Forced marriage")).otherwise(pl.col("exploitation_type"))
         .alias("exploitation_type")),
        ("expect_column_values_to_be_in_set", "age_group",
         pl.when(FIRST).then(pl.lit("Teen")).otherwise(pl.col("age_group")).alias("age_group")),
        ("expect_column_values_to_be_between", "referrals",
         pl.when(FIRST).then(-1).otherwise(pl.col("referrals")).alias("referrals")),
        ("expect_column_values_to_not_be_null", "referrals",
         pl.when(~pl.col("suppressed") & FIRST).then(None).otherwise(pl.col("referrals"))
         .alias("referrals")),
        ("expect_column_values_to_be_between", "_vintage",
         pl.when(FIRST).then(pl.lit(date(2027, 1, 1))).otherwise(pl.col("_vintage"))
         .alias("_vintage")),
        ("expect_table_row_count_to_be_between", None, "empty"),
    ],
)  # fmt: skip
def test_main_suite_fails_on_a_frame_breaking_each_rule(good, rule, column, broken):
    if isinstance(broken, pl.Expr):
        bad = good.with_columns(broken)
    elif broken == "duplicate":
        bad = pl.concat([good, good.head(1)])
    else:
        bad = good.clear()
    outcome = run_suite(MAIN, bad.to_pandas(), PARAMS)
    assert not outcome.success
    failed = {(o.expectation, o.column) for o in outcome.failures("error")}
    assert (rule, column) in failed, outcome.to_markdown()


def test_a_null_count_that_is_flagged_suppressed_is_not_a_failure(good):
    assert good.filter(pl.col("suppressed"))["referrals"].null_count() > 0
    outcome = run_suite(MAIN, good.to_pandas(), PARAMS)
    null_rule = next(
        o for o in outcome.outcomes
        if o.expectation == "expect_column_values_to_not_be_null" and o.column == "referrals"
    )  # fmt: skip
    assert null_rule.success


def test_drift_suite_warns_but_never_blocks(good):
    bad = good.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(9000).otherwise(None).alias("referrals"),
        pl.lit("county").alias("geography_type"),
    )
    outcome = run_suite(DRIFT, bad.to_pandas())
    assert outcome.success, "warnings never fail a suite"
    warned = {(o.expectation, o.column) for o in outcome.failures("warn")}
    assert warned == {
        ("expect_column_values_to_be_between", "referrals"),
        ("expect_column_values_to_not_be_null", "referrals"),
        ("expect_column_distinct_values_to_contain_set", "geography_type"),
    }
