"""Fixtures shared by integration modules."""

from __future__ import annotations

import shutil

import dagster as dg
import pytest

from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.settings import Settings


@pytest.fixture(scope="session")
def spark_sample_run(tmp_path_factory, sample_dir) -> Settings:
    """The whole pipeline on the small sample, in a DuckDB of its own: what the Spark tests
    (dbt and Splink) compare Spark with. They only read it, so one run serves them all."""
    data_dir = tmp_path_factory.mktemp("spark-sample-run")
    settings = Settings(data_dir=data_dir, duckdb_path=data_dir / "heyrick.duckdb")
    shutil.copytree(sample_dir, settings.sample_dir)
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success, result.get_failed_step_keys()
    return settings
