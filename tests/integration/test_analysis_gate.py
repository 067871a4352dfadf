"""The analysis runs only when every upstream gate passed, and a failed gate keeps the last
good analysis tables: one input that breaks a Great Expectations suite, one that breaks only
a dbt test (dagster-dbt 0.29 makes error-severity dbt tests blocking checks; older releases
did not, dagster-io/dagster#25112, so this proves it rather than assumes it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.settings import Settings

pytestmark = pytest.mark.slow

ANALYSIS_NODES = (
    "analysis__premises_indicators",
    "analysis__area_correlations",
    "analysis__premises_indications",
)
ANALYSIS_TABLES = (
    "premises_indicators",
    "area_correlations",
    "area_enforcement_intensity",
    "premises_indications",
    "scorecard_weights",
    "area_indications",
)


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, duckdb_path=data_dir / "heyrick.duckdb")


def _run(settings: Settings, instance: dg.DagsterInstance, job: str | None = None):
    defs = build_definitions(settings)
    job_def = defs.resolve_job_def(job) if job else defs.resolve_implicit_global_asset_job_def()
    return job_def.execute_in_process(instance=instance, raise_on_error=False)


def _analysis_tables(settings: Settings) -> dict[str, pl.DataFrame]:
    return {
        table: warehouse.query(settings.duckdb_path, f"select * from analysis.{table} order by all")
        for table in ANALYSIS_TABLES
    }


@pytest.fixture(scope="module")
def good_run(sample_dir, tmp_path_factory):
    """One successful run of the whole graph on the sample: its data folder and result."""
    settings = _settings(tmp_path_factory.mktemp("gate") / "data")
    shutil.copytree(sample_dir, settings.sample_dir)
    result = _run(settings, dg.DagsterInstance.ephemeral())
    return settings, result


@pytest.fixture
def after_good_run(good_run, tmp_path) -> Settings:
    """A copy of the good run's data folder (warehouse, sample, models) to break."""
    settings = _settings(tmp_path / "data")
    shutil.copytree(good_run[0].data_dir, settings.data_dir)
    return settings


def test_a_successful_run_materialises_every_analysis_node_and_table(good_run):
    settings, result = good_run
    assert result.success, result.get_failed_step_keys()
    # is_node_untouched is also true of a name that is no node: prove the names are real.
    for node in ANALYSIS_NODES:
        assert not result.is_node_untouched(node), node
    tables = _analysis_tables(settings)
    assert all(frame.height > 0 for frame in tables.values())
    indications = tables["premises_indications"]
    assert indications["explanation"].str.starts_with("Indication, not evidence").all()
    meta = result.asset_materializations_for_node("analysis__premises_indications")[0].metadata
    assert meta["synthetic"].value is True
    assert meta["upstream_gates_passed"].value > 50


def test_a_failing_quality_suite_leaves_the_analysis_untouched_and_its_tables_as_they_were(
    after_good_run,
):
    settings = after_good_run
    before = _analysis_tables(settings)

    # A duplicated FHRSID parses and passes the ingest contract but breaks the GX suite.
    target = sorted((settings.sample_dir / "fhrs").glob("*.xml"))[0]
    data = target.read_bytes()
    ids = re.findall(rb"<FHRSID>(\d+)</FHRSID>", data)
    target.write_bytes(data.replace(b"<FHRSID>" + ids[1] + b"<", b"<FHRSID>" + ids[0] + b"<", 1))

    result = _run(settings, dg.DagsterInstance.ephemeral())
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [
        ("raw/fhrs__establishments", "passes_quality_suite")
    ]
    for node in ANALYSIS_NODES:
        assert result.is_node_untouched(node), node
    after = _analysis_tables(settings)
    for table in ANALYSIS_TABLES:
        assert after[table].equals(before[table]), table


def test_a_failing_dbt_test_alone_leaves_the_analysis_untouched_and_a_layer_run_refuses(
    after_good_run,
):
    settings = after_good_run
    before = _analysis_tables(settings)

    # A quarter's list that says it was published before the quarter ended: every GX
    # expectation on the raw table still passes (the publication date is only checked not
    # to be in the future), but the marts' dbt test that no event is public before its
    # quarter ends fails (an event on the wrong side of an "as of" cut).
    target = settings.sample_dir / "illegal_working" / "illegal-working-civil-penalties-2019Q1.html"
    text = target.read_text()
    assert "Published 15 May 2019" in text
    target.write_text(text.replace("Published 15 May 2019", "Published 15 February 2019"))

    instance = dg.DagsterInstance.ephemeral()
    result = _run(settings, instance)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed, "the edit must break a dbt test"
    assert all(e.asset_key.path[0] == "marts" for e in failed), failed
    for node in ANALYSIS_NODES:
        assert result.is_node_untouched(node), node
    after = _analysis_tables(settings)
    for table in ANALYSIS_TABLES:
        assert after[table].equals(before[table]), table

    # The marts the failed test left behind are not analysed by a run of the analysis
    # layer alone either: its assets check the latest result of every gate upstream.
    layer = _run(settings, instance, job="refresh_analysis")
    assert not layer.success
    failure = next(e for e in layer.all_events if e.event_type_value == "STEP_FAILURE")
    assert failure.step_key == "analysis__premises_indicators"
    assert "upstream quality gate" in failure.event_specific_data.error.message
    after_layer = _analysis_tables(settings)
    for table in ANALYSIS_TABLES:
        assert after_layer[table].equals(before[table]), table
