"""Thresholds from the evaluation: the precision-recall curve of each link type on the
synthetic truth, and the accept / possible thresholds read off it.

    python -m heyrick_dagster.linkage.calibrate --duckdb data/heyrick.duckdb \
        --truth data/sample/truth --out heyrick_dagster/linkage/thresholds.json

reads the staging tables of a sample run, trains the premises <-> company model by EM
on them, adapts it to every link type as the pipeline does (`cascade.train_models`),
scores every candidate pair, and writes `thresholds.json` (committed: the pipeline
reads it, and never reads the truth) with the curve points it was chosen from, and
beside it `reference_model.json`, the premises <-> company model those thresholds
belong to (every run takes its m probabilities from it).

The rules, per link type:
- `accept`: the threshold with the best F1 among those whose precision is at least
  `MIN_PRECISION` (an accepted link merges two records into one business, so a wrong
  one costs more than a missed one);
- `possible`: the lowest threshold at which at least `POSSIBLE_PRECISION` of the pairs
  between it and `accept` are true: a "possibly same as" an analyst is shown must be
  right often enough to be worth reading.
A link type without truth pairs (an enforcement list with no entries in the sample)
keeps the premises <-> company thresholds: its model has the same comparisons.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

from heyrick_dagster.linkage.cascade import (
    LINK_TYPES,
    THRESHOLDS_PATH,
    Thresholds,
    link_type_key,
)

MIN_PRECISION = 0.95
POSSIBLE_PRECISION = 0.2
# One point per half bit of match weight, from -12 to +20: probabilities 2^w / (1 + 2^w).
CURVE_POINTS = tuple(round(2.0 ** (w / 2) / (1 + 2.0 ** (w / 2)), 8) for w in range(-24, 41))

CURVE_SCHEMA: dict[str, pl.DataType] = {
    "threshold": pl.Float64,
    "links": pl.Int64,
    "true_positives": pl.Int64,
    "precision": pl.Float64,
    "recall": pl.Float64,
    "f1": pl.Float64,
}


def pr_curve(
    scored: pl.DataFrame, true_pairs: pl.DataFrame, points: tuple[float, ...] = CURVE_POINTS
) -> pl.DataFrame:
    """Precision, recall and F1 of the pairs at or above each threshold. `scored`:
    left_record_id, right_record_id, match_probability; `true_pairs`: the truth's pairs."""
    marked = scored.join(
        true_pairs.with_columns(pl.lit(True).alias("_true")),
        on=["left_record_id", "right_record_id"],
        how="left",
    ).with_columns(pl.col("_true").fill_null(False))
    rows = []
    for threshold in points:
        kept = marked.filter(pl.col("match_probability") >= threshold)
        hits = int(kept["_true"].sum())
        precision = hits / kept.height if kept.height else None
        recall = hits / true_pairs.height if true_pairs.height else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
        rows.append((threshold, kept.height, hits, precision, recall, f1))
    return pl.DataFrame(rows, schema=CURVE_SCHEMA, orient="row")


def choose_thresholds(
    curve: pl.DataFrame, scored: pl.DataFrame, true_pairs: pl.DataFrame
) -> Thresholds | None:
    """The accept and possible thresholds of one link type (module docstring); None when
    no threshold reaches MIN_PRECISION."""
    good = curve.filter(pl.col("precision") >= MIN_PRECISION).drop_nulls("f1")
    if good.is_empty():
        return None
    accept = good.sort(["f1", "threshold"], descending=[True, False])["threshold"][0]
    marked = scored.join(
        true_pairs.with_columns(pl.lit(True).alias("_true")),
        on=["left_record_id", "right_record_id"],
        how="left",
    ).with_columns(pl.col("_true").fill_null(False))
    possible = accept
    for threshold in sorted((p for p in curve["threshold"] if p < accept), reverse=True):
        band = marked.filter(pl.col("match_probability").is_between(threshold, accept, "left"))
        if band.height and band["_true"].mean() < POSSIBLE_PRECISION:
            break
        possible = threshold
    return Thresholds(accept=accept, possible=possible)


def cascade_scores(
    exact_links: pl.DataFrame, scored: pl.DataFrame, left_source: str, right_source: str
) -> pl.DataFrame:
    """The pairs the cascade would consider for one link type: the exact tiers' links at
    probability 1.0 and Splink's scored pairs (the higher probability of a pair found by
    both), so the curve is of what the pipeline publishes, not of Splink alone."""
    exact_pairs = exact_links.filter(
        (pl.col("left_source") == left_source) & (pl.col("right_source") == right_source)
    ).select("left_record_id", "right_record_id", pl.lit(1.0).alias("match_probability"))
    return (
        pl.concat([exact_pairs, scored.select(exact_pairs.columns)])
        .group_by("left_record_id", "right_record_id")
        .agg(pl.col("match_probability").max())
    )


def _main() -> None:
    from heyrick_dagster.linkage import cascade, evaluate, splink_model
    from heyrick_dagster.linkage.prepared import prepare, staging_frames

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=THRESHOLDS_PATH)
    args = parser.parse_args()

    prepared = prepare(staging_frames(args.duckdb), train=False)
    frames, features = prepared.frames, prepared.features
    base_key = link_type_key(*LINK_TYPES[0])
    # The reference model is trained here, by EM on the sample's premises and companies;
    # a pipeline run takes its m and estimates u and the prior itself (train_models).
    em = splink_model.train(features[LINK_TYPES[0][0]], features[LINK_TYPES[0][1]], *LINK_TYPES[0])
    models, _ = cascade.train_models(features, base=em, base_origin="EM on these tables")
    exact_links = cascade.exact_tier(frames, prepared.forms)
    truth = pl.read_parquet(args.truth / "records.parquet")
    present = prepared.present()
    chosen, curves = {}, {}
    for left, right in LINK_TYPES:
        key = link_type_key(left, right)
        if key not in models:
            continue
        splink_scored = splink_model.score(
            features[left], features[right], models[key], CURVE_POINTS[0]
        )
        splink_scored = splink_scored.filter(
            cascade.acceptable_pairs(splink_scored, features[left], features[right], left)
        )
        scored = cascade_scores(exact_links, splink_scored, left, right)
        if (left, right) == LINK_TYPES[0]:
            scored = cascade.best_company_per_premises(scored)
        true = evaluate.truth_pairs(truth, left, right, present)
        curve = pr_curve(scored, true)
        curves[key] = curve.to_dicts()
        found = choose_thresholds(curve, scored, true) if true.height else None
        if found:
            chosen[key] = found
        print(f"{key}: truth pairs {true.height}, thresholds {found}")
        with pl.Config(tbl_rows=40):
            print(curve)
    fallback = chosen[link_type_key("fhrs", "companies_house")]
    out = {
        "rule": f"accept: best F1 with precision >= {MIN_PRECISION}; possible: lowest threshold "
        f"whose band below accept is >= {POSSIBLE_PRECISION} true",
        "link_types": {
            link_type_key(left, right): {
                "accept": chosen.get(link_type_key(left, right), fallback).accept,
                "possible": chosen.get(link_type_key(left, right), fallback).possible,
                "derived_from": "own curve"
                if link_type_key(left, right) in chosen
                else "fhrs->companies_house curve (no truth pairs of its own)",
                "curve": curves.get(link_type_key(left, right), []),
            }
            for left, right in LINK_TYPES
        },
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    reference = args.out.with_name(cascade.REFERENCE_MODEL_PATH.name)
    reference.write_text(json.dumps(models[base_key], indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out} and {reference}")


if __name__ == "__main__":
    _main()
