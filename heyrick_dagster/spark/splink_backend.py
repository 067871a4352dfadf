"""Splink's Spark backend for the models of heyrick_dagster/linkage/splink_model.py.

A saved model is Splink's settings JSON as the DuckDB backend wrote it: its SQL quotes
identifiers DuckDB's way ("name_full_l"), which Spark reads as string literals. So the
model does not travel as text: `spark_model` renders `settings_for` in Spark SQL and
carries over what training found (every level's m and u, the prior).

One function means something else in Spark. DuckDB's `jaro_winkler_similarity` adds
Winkler's common-prefix bonus only when the Jaro similarity is above 0.7 (Winkler's own
rule); Spark's built-in of that name (Spark 4.3) and the `jaro_winkler` of Splink's jar
always add it. Measured on the sample: 5 of 12,570 premises <-> company pairs ("phoenix
bakery" / "phoenix nightclub": Jaro 0.68, with the bonus 0.81) then fall in the
"Jaro-Winkler >= 0.80" level in Spark and not in DuckDB. `spark_model` writes DuckDB's
rule out with the jar's `jaro_sim` and `jaro_winkler`.
"""

from __future__ import annotations

import re
from typing import Any

from pyspark.sql import SparkSession
from splink.backends.spark import SparkAPI

from heyrick_dagster.linkage.splink_model import settings_for

# jaro_winkler_similarity(a, b) over two columns, as settings_for writes it.
_JARO_WINKLER_CALL = re.compile(r"jaro_winkler_similarity\((\w+), (\w+)\)")
# The similarity below which DuckDB (like Winkler) adds no prefix bonus.
WINKLER_BOOST_THRESHOLD = 0.7


def duckdb_jaro_winkler(sql: str) -> str:
    """`sql` with each jaro_winkler_similarity(a, b) computed by DuckDB's rule in Spark."""

    def rule(call: re.Match[str]) -> str:
        a, b = call.groups()
        return (
            f"(case when jaro_sim({a}, {b}) > {WINKLER_BOOST_THRESHOLD}"
            f" then jaro_winkler({a}, {b}) else jaro_sim({a}, {b}) end)"
        )

    rewritten = _JARO_WINKLER_CALL.sub(rule, sql)
    if "jaro_winkler_similarity" in rewritten:
        raise ValueError(f"a jaro_winkler_similarity call not over two columns: {sql}")
    return rewritten


def spark_model(model: dict[str, Any], left_source: str, right_source: str) -> dict[str, Any]:
    """The saved model of one link type as Spark settings: `settings_for` rendered in
    Spark SQL, with the model's trained m and u of every level and its prior. Fails when
    the model was saved from other comparisons than `settings_for` makes today."""
    settings = settings_for(left_source, right_source).create_settings_dict("spark")
    for trained, fresh in zip(model["comparisons"], settings["comparisons"], strict=True):
        levels = zip(trained["comparison_levels"], fresh["comparison_levels"], strict=True)
        for trained_level, level in levels:
            if trained_level["label_for_charts"] != level["label_for_charts"]:
                raise ValueError(
                    f"model {model['linker_uid']} has level {trained_level['label_for_charts']!r}"
                    f" where settings_for has {level['label_for_charts']!r}"
                )
            level["sql_condition"] = duckdb_jaro_winkler(level["sql_condition"])
            for parameter in ("m_probability", "u_probability"):
                if parameter in trained_level:
                    level[parameter] = trained_level[parameter]
    settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    settings["linker_uid"] = model["linker_uid"]
    return settings


def spark_db_api(spark: SparkSession) -> SparkAPI:
    """A Splink SparkAPI for one scoring call, on a new session of `spark`'s context (a
    session from `session.local_spark`, which puts Splink's jar on the classpath and sets
    the checkpoint folder Splink writes to). Splink registers its input and intermediate
    tables as temporary views, which live in a session: a session per call keeps one
    call's tables from meeting the next's. Splink registers the jar's functions in it."""
    return SparkAPI(spark_session=spark.newSession())
