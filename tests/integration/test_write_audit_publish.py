"""Write-audit-publish of the marts and the warm re-run, on the synthetic sample.

- A passing dbt build publishes every mart from its candidate (`audit_marts.*`); a failing
  dbt test leaves the previous mart serving, byte for byte, and its materialisation says
  `published: false` naming the test (heyrick_dagster/publishing.py).
- A second run on unchanged inputs recomputes nothing: every step says it skipped and why,
  and no table changes; a changed raw file recomputes what lies below it and nothing else
  (heyrick_dagster/fingerprints.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import dagster as dg
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.run_summary import render, summarise
from heyrick_dagster.settings import Settings
from tests.support.pipeline_process import published_tables

pytestmark = pytest.mark.slow

# One step per kind of work: raw ingest, dbt, linkage, analysis and reports.
STEPS = (
    "raw_fhrs",
    "raw_imd",
    "raw_illegal_working",
    "raw_companies_house",
    "heyrick_dbt_staging",
    "linkage__splink_models",
    "intermediate__int_links__cascade",
    "intermediate__int_business_clusters",
    "heyrick_dbt_marts",
    "analysis__premises_indicators",
    "analysis__premises_indications",
    "reports__analysis_report",
    "reports__quality_reports",
)
UNRELATED_TO_FHRS = ("raw_imd", "raw_illegal_working", "raw_nmw_naming", "raw_nrm")


def _settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, duckdb_path=data_dir / "heyrick.duckdb", **overrides)


def _run(settings: Settings, instance: dg.DagsterInstance | None = None):
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def _recomputed(result, step: str) -> set[bool]:
    """The `heyrick/recomputed` flag of every materialisation of a step."""
    events = result.asset_materializations_for_node(step)
    assert events, f"{step} materialised nothing"
    return {e.metadata["heyrick/recomputed"].value for e in events}


def _mart_metadata(result, table: str) -> dict:
    [event] = [
        e
        for e in result.asset_materializations_for_node("heyrick_dbt_marts")
        if e.asset_key == dg.AssetKey(["marts", table])
    ]
    return {k: v.value for k, v in event.metadata.items()}


@pytest.fixture(scope="module")
def first_run(sample_dir, tmp_path_factory):
    settings = _settings(tmp_path_factory.mktemp("wap") / "data")
    shutil.copytree(sample_dir, settings.sample_dir)
    result = _run(settings)
    assert result.success, result.get_failed_step_keys()
    return settings, result


@pytest.fixture
def copy_of_first_run(first_run, tmp_path) -> Settings:
    settings = _settings(tmp_path / "data")
    shutil.copytree(first_run[0].data_dir, settings.data_dir)
    return settings


def test_a_passing_build_publishes_every_mart_and_leaves_no_candidate(first_run):
    settings, result = first_run
    marts = [
        e.asset_key.path[1]
        for e in result.asset_materializations_for_node("heyrick_dbt_marts")
        if e.asset_key.path[0] == "marts"
    ]
    assert "dim_premises" in marts and len(marts) >= 8
    for table in marts:
        meta = _mart_metadata(result, table)
        assert meta["published"] is True, table
        assert meta["published_table"] == f"marts.{table}"
    assert warehouse.tables_exist(settings.duckdb_path, [f"marts.{t}" for t in marts])
    candidates = warehouse.query(
        settings.duckdb_path,
        "select count(*) as n from information_schema.tables where table_schema = 'audit_marts'",
    )
    assert candidates["n"][0] == 0


def test_a_second_run_on_unchanged_inputs_skips_every_step_and_changes_no_table(first_run):
    settings, _ = first_run
    before = published_tables(settings.duckdb_path, settings.data_dir)
    result = _run(settings)
    assert result.success, result.get_failed_step_keys()
    for step in STEPS:
        # is_node_untouched is true of a name that is no node: prove each name is real.
        assert not result.is_node_untouched(step), step
        assert _recomputed(result, step) == {False}, step
        for event in result.asset_materializations_for_node(step):
            assert "unchanged since run" in event.metadata["heyrick/skip_reason"].value
    assert published_tables(settings.duckdb_path, settings.data_dir) == before
    summary = summarise(result, settings)
    assert summary.reused and len(summary.reused) == len(summary.materialized)
    assert "assets reused, not recomputed" in render(summary, settings)
    # The gates' previous results are re-stated, so they still pass and still say so.
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks if c.severity.value == "ERROR")
    assert any("not re-run" in (c.description or "") for c in checks)


def test_a_forced_run_recomputes_every_step(copy_of_first_run):
    result = _run(_settings(copy_of_first_run.data_dir, force_recompute=True))
    assert result.success, result.get_failed_step_keys()
    for step in ("raw_imd", "heyrick_dbt_marts", "analysis__premises_indicators"):
        assert _recomputed(result, step) == {True}, step


def test_a_changed_raw_file_recomputes_its_downstream_and_skips_the_other_sources(
    copy_of_first_run,
):
    settings = copy_of_first_run
    target = sorted((settings.sample_dir / "fhrs").glob("*.xml"))[0]
    data = target.read_bytes()
    name = re.search(rb"<BusinessName>([^<]+)</BusinessName>", data).group(1)
    target.write_bytes(data.replace(name, b"Renamed Kebab House", 1))

    result = _run(settings)
    assert result.success, result.get_failed_step_keys()
    for step in UNRELATED_TO_FHRS:
        assert not result.is_node_untouched(step), step
        assert _recomputed(result, step) == {False}, step
    below = ("raw_fhrs", "heyrick_dbt_staging", "heyrick_dbt_marts", "reports__analysis_report")
    for step in below:
        assert _recomputed(result, step) == {True}, step
    renamed = warehouse.query(
        settings.duckdb_path,
        "select count(*) as n from marts.dim_premises where business_name = 'Renamed Kebab House'",
    )
    assert renamed["n"][0] == 1


def test_a_failing_dbt_test_keeps_the_previous_mart_serving_byte_for_byte(copy_of_first_run):
    settings = copy_of_first_run
    before = published_tables(settings.duckdb_path, settings.data_dir)
    # A quarter's list published before the quarter ended passes every raw gate but fails
    # the marts' dbt test that no event is public before its quarter ends.
    target = settings.sample_dir / "illegal_working" / "illegal-working-civil-penalties-2019Q1.html"
    text = target.read_text()
    target.write_text(text.replace("Published 15 May 2019", "Published 15 February 2019"))

    result = _run(settings)
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    failed_marts = {e.asset_key.path[1] for e in failed}
    assert failed and all(e.asset_key.path[0] == "marts" for e in failed)
    after = published_tables(settings.duckdb_path, settings.data_dir)
    for table in failed_marts:
        meta = _mart_metadata(result, table)
        assert meta["published"] is False, table
        assert meta["failed_tests"], table
        assert "its dbt tests failed" in meta["not_published_because"]
        assert after[f"marts.{table}"] == before[f"marts.{table}"], "the previous mart serves"
        # The rejected candidate is kept for inspection, and it differs.
        assert warehouse.tables_exist(settings.duckdb_path, [f"audit_marts.{table}"])
    # What was built from a rejected mart is not published either (dbt skips building it).
    built_from_it = [
        e
        for e in result.asset_materializations_for_node("heyrick_dbt_marts")
        if e.asset_key == dg.AssetKey(["marts", "fct_event_premises"])
    ]
    assert all(e.metadata["published"].value is False for e in built_from_it)
    assert after["marts.fct_event_premises"] == before["marts.fct_event_premises"]
