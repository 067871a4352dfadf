"""The linkage's Splink models on Splink's Spark backend, against the DuckDB backend the
pipeline uses: the same pairs, the same probabilities, on the small sample's staging
tables and the models the pipeline trained on them. Runs only where the optional
`spark` group is installed (`make spark-test`)."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "pyspark", reason="pyspark is not installed: `make spark-test` installs the spark group"
)

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

from heyrick_dagster import warehouse  # noqa: E402
from heyrick_dagster.linkage import cascade, model_store, splink_model  # noqa: E402
from heyrick_dagster.linkage.inputs import read_staging  # noqa: E402
from heyrick_dagster.spark.session import local_spark  # noqa: E402
from heyrick_dagster.spark.splink_backend import (  # noqa: E402
    duckdb_jaro_winkler,
    spark_db_api,
    spark_model,
)

pytestmark = pytest.mark.slow

# The engines add the same per-level log2 Bayes factors in doubles, in another order:
# measured, match weights differ by at most 3.6e-15 and probabilities by 2.8e-16. A level
# scored differently moves a weight by at least a tenth of a bit (the closest two levels
# of any comparison), so 1e-9 is far above rounding and far below any real difference.
TOLERANCE = 1e-9
LINK_TYPE_IDS = [cascade.link_type_key(*pair) for pair in cascade.LINK_TYPES]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    with local_spark(tmp_path_factory.mktemp("spark")) as session:
        yield session


@pytest.fixture(scope="module")
def scored(spark_sample_run, spark) -> dict[tuple[str, str], tuple[pl.DataFrame, pl.DataFrame]]:
    """(DuckDB pairs, Spark pairs) at or above each link type's `possible` threshold."""
    frames = read_staging(lambda sql: warehouse.query(spark_sample_run.duckdb_path, sql))
    features = cascade.features_by_source(frames)
    models, _ = model_store.load_models(spark_sample_run.linkage_models_dir)
    thresholds = cascade.read_thresholds()
    out = {}
    for left, right in cascade.LINK_TYPES:
        model = models[cascade.link_type_key(left, right)]
        possible = thresholds[(left, right)].possible
        on_duckdb = splink_model.score(features[left], features[right], model, possible)
        on_spark = splink_model.score(
            features[left],
            features[right],
            spark_model(model, left, right),
            possible,
            db_api=spark_db_api(spark),
        )
        out[(left, right)] = (on_duckdb, on_spark)
    return out


@pytest.mark.parametrize("link_type", cascade.LINK_TYPES, ids=LINK_TYPE_IDS)
def test_spark_accepts_the_pairs_duckdb_accepts(scored, link_type):
    on_duckdb, on_spark = scored[link_type]
    accept = cascade.read_thresholds()[link_type].accept

    def accepted(frame: pl.DataFrame) -> set[tuple[str, str]]:
        kept = frame.filter(pl.col("match_probability") >= accept)
        return set(kept.select("left_record_id", "right_record_id").iter_rows())

    assert accepted(on_duckdb), "the sample links records of every link type"
    assert accepted(on_spark) == accepted(on_duckdb)


@pytest.mark.parametrize("link_type", cascade.LINK_TYPES, ids=LINK_TYPE_IDS)
def test_spark_scores_every_pair_as_duckdb_does(scored, link_type):
    on_duckdb, on_spark = scored[link_type]
    keys = ["left_record_id", "right_record_id"]
    joined = on_duckdb.join(on_spark, on=keys, how="full", suffix="_spark", coalesce=True)
    assert joined.height == on_duckdb.height == on_spark.height, "the same pairs above possible"
    for column in ("match_probability", "match_weight", *cascade.WEIGHT_COLUMNS):
        gap = (joined[column] - joined[f"{column}_spark"]).abs().max()
        assert gap <= TOLERANCE, (column, gap)


def test_jaro_winkler_on_spark_adds_the_prefix_bonus_only_above_jaro_0_7(spark):
    # Either side of Winkler's 0.7: "phoenix bakery" / "phoenix nightclub" has Jaro 0.68,
    # which Spark's own jaro_winkler_similarity would lift to 0.81 with the prefix bonus.
    pairs = [
        ("phoenix bakery", "phoenix nightclub"),
        ("sage fruit and veg", "sage stores"),
        ("martha", "marhta"),
        ("golden kebab house", "golden kebab"),
        ("abc", "xyz"),
    ]
    values = " union all ".join(f"select '{a}' as a_l, '{b}' as a_r" for a, b in pairs)
    expression = duckdb_jaro_winkler("jaro_winkler_similarity(a_l, a_r)")
    session = spark_db_api(spark).spark
    on_spark = [row.s for row in session.sql(f"select {expression} as s from ({values})").collect()]
    on_duckdb = [
        duckdb.sql(f"select jaro_winkler_similarity('{a}', '{b}')").fetchall()[0][0]
        for a, b in pairs
    ]
    assert on_spark == pytest.approx(on_duckdb, abs=TOLERANCE)


def test_a_model_saved_from_other_comparisons_is_refused():
    model = splink_model.settings_for("fhrs", "companies_house").create_settings_dict("duckdb")
    model["comparisons"][0]["comparison_levels"][1]["label_for_charts"] = "renamed"
    with pytest.raises(ValueError, match="renamed"):
        spark_model(model, "fhrs", "companies_house")
