"""The dbt project on Apache Spark (dbt-spark session mode) on the small sample: every
seed, model, data test and unit test builds, and every model's rows equal the rows the
pipeline built in DuckDB. Runs only where the optional `spark` group is installed
(`make spark-test`)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip(
    "pyspark", reason="pyspark is not installed: `make spark-test` installs the spark group"
)

import polars as pl  # noqa: E402
from polars.testing import assert_frame_equal  # noqa: E402

from heyrick_dagster import warehouse  # noqa: E402
from heyrick_dagster.spark.dbt_build import dbt_build_on_spark, load_sources  # noqa: E402
from heyrick_dagster.spark.session import local_spark  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark_build(spark_sample_run, tmp_path_factory):
    """The sample's sources loaded into Spark and `dbt build --target spark` run on them:
    (work folder, the dbt process, run_results.json)."""
    work_dir = tmp_path_factory.mktemp("spark-work")
    load_sources(spark_sample_run.duckdb_path, work_dir)
    process = dbt_build_on_spark(work_dir, synthetic=True)
    run_results = work_dir / "target" / "run_results.json"
    assert run_results.exists(), process.stdout[-3000:]
    results = json.loads(run_results.read_text())
    return work_dir, process, results


def test_dbt_build_on_spark_passes_every_seed_model_and_test(spark_build):
    _, process, results = spark_build
    failed = [(r["unique_id"], r["status"], r["message"]) for r in results["results"]]
    failed = [f for f in failed if f[1] not in ("success", "pass")]
    assert failed == [], process.stdout[-3000:]
    assert process.returncode == 0
    kinds = {r["unique_id"].split(".")[0] for r in results["results"]}
    assert kinds == {"seed", "model", "test", "unit_test"}


def _relations(work_dir, results: dict) -> list[str]:
    """schema.table of every seed and model dbt built (run_results gives a seed no name)."""
    nodes = json.loads((work_dir / "target" / "manifest.json").read_text())["nodes"]
    built = [r["unique_id"] for r in results["results"]]
    return sorted(
        f"{nodes[node]['schema']}.{nodes[node]['alias']}"
        for node in built
        if node.startswith(("model.", "seed."))
    )


def test_every_model_on_spark_has_the_rows_it_has_in_duckdb(spark_build, spark_sample_run):
    work_dir, _, results = spark_build
    relations = _relations(work_dir, results)
    assert {
        "marts.dim_premises",
        "marts.fct_record_links",
        "staging.nrm__police_force_areas",
    } <= set(relations)
    with local_spark(work_dir, catalog=True) as spark:
        on_spark = {name: pl.from_arrow(spark.table(name).toArrow()) for name in relations}
    differing = []
    for name, spark_rows in on_spark.items():
        duckdb_rows = warehouse.query(spark_sample_run.duckdb_path, f"select * from {name}")
        assert duckdb_rows.height > 0, name
        keys = [c for c, t in duckdb_rows.schema.items() if not isinstance(t, pl.List)]
        try:
            assert_frame_equal(
                spark_rows.sort(keys, nulls_last=True),
                duckdb_rows.sort(keys, nulls_last=True),
                check_dtypes=False,
                rel_tol=1e-9,  # averages summed in another order
            )
        except AssertionError as difference:
            differing.append(f"{name}: {difference}")
    assert differing == []
