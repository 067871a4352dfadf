"""Accuracy of a links frame against the sample's truth, per link type, counting pairs.

Truth (`data/sample/truth/records.parquet`: source, record_id, entity_id): two records
are the same business when they share an entity_id. A record the truth does not hold
(a company that runs no premises in the world) belongs to no business, so any link
to it is a false positive. The truth also holds records no file publishes (a phoenix's
dissolved predecessor is not in the live companies extract): pass `present`, the record
ids the linker was given per source, so recall counts only pairs it could have found.

For a link type (left_source, right_source):
- precision = links whose two records share an entity / distinct links;
- recall    = those true links / every (left, right) record pair sharing an entity;
- F1        = their harmonic mean.
Only evaluation and tests read the truth; pipeline code never does (DESIGN.md section 9).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

REPORT_SCHEMA: dict[str, pl.DataType] = {
    "left_source": pl.String,
    "right_source": pl.String,
    "links": pl.Int64,
    "true_positives": pl.Int64,
    "true_pairs": pl.Int64,
    "precision": pl.Float64,
    "recall": pl.Float64,
    "f1": pl.Float64,
}


def _ordered(frame: pl.DataFrame, left_source: str, right_source: str) -> pl.DataFrame:
    """Within one source (deduplication) a pair is unordered: smaller id on the left."""
    if left_source != right_source:
        return frame
    return frame.select(
        pl.min_horizontal("left_record_id", "right_record_id").alias("left_record_id"),
        pl.max_horizontal("left_record_id", "right_record_id").alias("right_record_id"),
    )


def _present_frame(present: dict[str, pl.Series]) -> pl.DataFrame:
    schema = {"source": pl.String, "record_id": pl.String}
    frames = [
        pl.DataFrame({"source": source, "record_id": ids.cast(pl.String)}, schema=schema)
        for source, ids in present.items()
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def truth_pairs(
    truth: pl.DataFrame,
    left_source: str,
    right_source: str,
    present: dict[str, pl.Series] | None = None,
) -> pl.DataFrame:
    """Every (left_record_id, right_record_id) pair of the two sources sharing an entity
    (of the records in `present`, when given)."""
    if present is not None:
        truth = truth.join(_present_frame(present), on=["source", "record_id"], how="semi")
    left = truth.filter(pl.col("source") == left_source).select(
        pl.col("record_id").alias("left_record_id"), "entity_id"
    )
    right = truth.filter(pl.col("source") == right_source).select(
        pl.col("record_id").alias("right_record_id"), "entity_id"
    )
    pairs = left.join(right, on="entity_id").select("left_record_id", "right_record_id")
    if left_source == right_source:
        pairs = pairs.filter(pl.col("left_record_id") != pl.col("right_record_id"))
    return _ordered(pairs, left_source, right_source).unique()


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None or precision + recall == 0:
        return None if precision is None or recall is None else 0.0
    return 2 * precision * recall / (precision + recall)


def evaluate(
    links: pl.DataFrame,
    truth: pl.DataFrame,
    link_types: Iterable[tuple[str, str]] = (),
    present: dict[str, pl.Series] | None = None,
) -> pl.DataFrame:
    """Precision, recall and F1 per (left_source, right_source); `link_types` adds types
    that may have no links at all (their recall is then 0, their precision undefined)."""
    types = list(
        dict.fromkeys(
            [
                *link_types,
                *links.select("left_source", "right_source")
                .unique(maintain_order=True)
                .iter_rows(),
            ]
        )
    )
    rows = []
    for left_source, right_source in types:
        found = links.filter(
            (pl.col("left_source") == left_source) & (pl.col("right_source") == right_source)
        )
        found = _ordered(
            found.select("left_record_id", "right_record_id"), left_source, right_source
        ).unique()
        true = truth_pairs(truth, left_source, right_source, present)
        hits = found.join(true, on=["left_record_id", "right_record_id"]).height
        precision = hits / found.height if found.height else None
        recall = hits / true.height if true.height else None
        rows.append(
            (
                left_source,
                right_source,
                found.height,
                hits,
                true.height,
                precision,
                recall,
                _f1(precision, recall),
            )
        )
    return pl.DataFrame(rows, schema=REPORT_SCHEMA, orient="row")


def format_report(report: pl.DataFrame) -> str:
    """A small fixed-width table of an `evaluate` result."""

    def number(value: float | None) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    lines = [
        f"{'link type':<34} {'links':>6} {'TP':>6} {'truth':>6} {'prec':>6} {'recall':>6} {'F1':>6}"
    ]
    for row in report.iter_rows(named=True):
        kind = f"{row['left_source']} <-> {row['right_source']}"
        lines.append(
            f"{kind:<34} {row['links']:>6} {row['true_positives']:>6} "
            f"{row['true_pairs']:>6} {number(row['precision'])} "
            f"{number(row['recall'])} {number(row['f1'])}"
        )
    return "\n".join(lines)


def print_report(report: pl.DataFrame) -> None:
    print(format_report(report))


def cluster_purity(bridge: pl.DataFrame, truth: pl.DataFrame) -> dict[str, int]:
    """How many businesses of `bridge` (business_id, source, record_id) join records of
    more than one true entity (over-merged), and how many records they hold."""
    entities = truth.unique(["source", "record_id"]).select("source", "record_id", "entity_id")
    per_business = (
        bridge.join(entities, on=["source", "record_id"], how="left")
        .group_by("business_id")
        .agg(pl.len().alias("records"), pl.col("entity_id").drop_nulls().n_unique().alias("n"))
    )
    impure = per_business.filter(pl.col("n") > 1)
    return {
        "businesses": per_business.height,
        "businesses_with_several_records": int((per_business["records"] > 1).sum()),
        "over_merged_businesses": impure.height,
        "records_in_over_merged": int(impure["records"].sum()),
    }
