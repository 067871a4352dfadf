"""The local SparkSession of heyrick_dagster/spark/session.py: what dbt-spark and Splink
rely on. Runs only where the optional `spark` group is installed (`make spark-test`)."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "pyspark", reason="pyspark is not installed: `make spark-test` installs the spark group"
)

from heyrick_dagster.spark.session import local_spark  # noqa: E402

pytestmark = pytest.mark.slow


def test_a_table_saved_in_the_catalog_is_found_by_the_next_session(tmp_path):
    # dbt-spark's session starts a fresh SparkSession in the dbt process: the raw tables
    # loaded before it reach dbt only through the metastore and warehouse under work_dir.
    with local_spark(tmp_path, catalog=True) as spark:
        spark.sql("create database if not exists raw")
        spark.createDataFrame([("SE13 6JG", 1)], "postcode string, n int").write.saveAsTable(
            "raw.postcodes"
        )
    with local_spark(tmp_path, catalog=True) as spark:
        rows = spark.sql("select postcode, n from raw.postcodes").collect()
    assert [tuple(r) for r in rows] == [("SE13 6JG", 1)]
    assert (tmp_path / "warehouse" / "raw.db" / "postcodes").is_dir()


def test_a_second_session_in_one_process_is_refused_while_the_first_runs(tmp_path):
    with local_spark(tmp_path / "first"):
        with pytest.raises(RuntimeError, match="already running"):
            with local_spark(tmp_path / "second"):
                pass


def test_splinks_jaro_winkler_is_registered_from_the_jar(tmp_path):
    from splink.backends.spark import SparkAPI

    with local_spark(tmp_path) as spark:
        SparkAPI(spark_session=spark)  # registers the jar's functions
        (row,) = spark.sql("select jaro_winkler('martha', 'marhta') as similarity").collect()
    # The textbook value (Winkler 1990): Jaro 0.9444 plus the bonus of a three-letter prefix.
    assert row.similarity == pytest.approx(0.9611, abs=1e-4)
