"""The evaluation on the whole synthetic sample: calibrated, strictly ranked, audited for bias."""

from __future__ import annotations

import shutil
from datetime import date

import dagster as dg
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.analysis.evaluation import evaluate
from heyrick_dagster.analysis.indicators import OPTIONAL_TABLES, TABLES
from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.settings import Settings

pytestmark = pytest.mark.slow

# The held-out cut-off of the README's figures (design choices were made at 2022-12-31).
HELD_OUT = date(2024, 12, 31)


@pytest.fixture(scope="module")
def result(sample_dir, tmp_path_factory) -> dict:
    data_dir = tmp_path_factory.mktemp("evaluate-sample")
    settings = Settings(data_dir=data_dir, duckdb_path=data_dir / "heyrick.duckdb")
    shutil.copytree(sample_dir, settings.sample_dir)
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    run = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert run.success, run.get_failed_step_keys()
    present = set(
        warehouse.query(
            settings.duckdb_path,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )["table_name"]
    )
    tables = {
        t: warehouse.query(settings.duckdb_path, f"select * from marts.{t}")
        for t in TABLES
        if t in present or t not in OPTIONAL_TABLES
    }
    return evaluate(tables, cutoff=HELD_OUT)


def test_later_events_fall_within_the_interval_of_those_the_scorecard_expects(result):
    calibrated = result["calibration"]
    low, high = calibrated["observed_over_expected_ci95"]
    assert low < 1.0 < high, calibrated
    deciles = calibrated["by_score_decile"]
    assert sum(row["premises"] for row in deciles) == result["scored_premises"]
    # At 95% each, one decile of ten may miss by chance; more would be miscalibration.
    missed = [
        r
        for r in deciles
        if not r["observed_over_expected_ci95"][0] < 1.0 < r["observed_over_expected_ci95"][1]
    ]
    assert len(missed) <= 1, missed


def test_the_top_one_percent_is_strictly_ordered_by_score_not_by_the_tie_break(result):
    top = result["ties_at_top"]["top_1pct"]
    assert top["distinct_scores"] == top["k"] and top["premises_sharing_a_score"] == 0
    assert not top["cut_inside_a_tie"]


def test_the_bias_audit_sets_the_top_k_by_deprivation_beside_the_area_trade_off(result):
    audit = result["bias_audit"]
    for label in ("top_1pct", "top_5pct", "top_10pct"):
        assert sum(row[f"in_{label}"] for row in audit) == result["ties_at_top"][label]["k"]
    trade_off = result["bias_trade_off"]
    assert trade_off["all_indicators"]["capture"] == {
        label: figures["capture"]
        for label, figures in result["variants"]["published"]["scorecard"].items()
    }
    assert trade_off["without_area_enforcement"]["left_out"] == ["area_enforcement"]
