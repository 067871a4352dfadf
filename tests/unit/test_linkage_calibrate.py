"""Precision-recall curves and the thresholds read off them, on hand-made scores."""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster.linkage.calibrate import (
    CURVE_SCHEMA,
    MIN_PRECISION,
    POSSIBLE_PRECISION,
    cascade_scores,
    choose_thresholds,
    pr_curve,
)
from heyrick_dagster.linkage.cascade import Thresholds
from heyrick_dagster.linkage.exact import LINKS_SCHEMA

PAIR = {"left_record_id": pl.String, "right_record_id": pl.String}

# Eight scored pairs, best first; T marks the true ones.
SCORED = pl.DataFrame(
    [
        ("a1", "b1", 0.99),  # T
        ("a2", "b2", 0.95),  # T
        ("a3", "b9", 0.90),
        ("a4", "b4", 0.60),  # T
        ("a5", "b8", 0.30),
        ("a6", "b7", 0.20),
        ("a7", "b5", 0.10),
        ("a8", "b3", 0.07),
    ],
    schema={**PAIR, "match_probability": pl.Float64},
    orient="row",
)
# Four true pairs: three scored, one (a9, b6) that no blocking rule found.
TRUTH = pl.DataFrame(
    [("a1", "b1"), ("a2", "b2"), ("a4", "b4"), ("a9", "b6")], schema=PAIR, orient="row"
)
POINTS = (0.05, 0.25, 0.5, 0.92, 0.97, 0.999)


def _f1(precision, recall):
    return 2 * precision * recall / (precision + recall)


def test_pr_curve_counts_the_pairs_at_or_above_each_threshold():
    curve = pr_curve(SCORED, TRUTH, POINTS)
    assert curve.schema == pl.Schema(CURVE_SCHEMA)
    # threshold: (links kept, true among them); precision = true / kept, recall = true / 4.
    expected = {0.05: (8, 3), 0.25: (5, 3), 0.5: (4, 3), 0.92: (2, 2), 0.97: (1, 1)}
    for threshold, (kept, hits) in expected.items():
        row = curve.filter(pl.col("threshold") == threshold).row(0, named=True)
        assert (row["links"], row["true_positives"]) == (kept, hits), threshold
        assert row["precision"] == pytest.approx(hits / kept)
        assert row["recall"] == pytest.approx(hits / 4)
        assert row["f1"] == pytest.approx(_f1(hits / kept, hits / 4))


def test_pr_curve_keeps_a_pair_exactly_at_the_threshold():
    row = pr_curve(SCORED, TRUTH, (0.60,)).row(0, named=True)
    assert (row["links"], row["true_positives"]) == (4, 3)


def test_pr_curve_has_no_precision_where_no_pair_is_kept():
    row = pr_curve(SCORED, TRUTH, POINTS).filter(pl.col("threshold") == 0.999).row(0, named=True)
    assert (row["links"], row["precision"], row["recall"], row["f1"]) == (0, None, 0.0, None)


def test_pr_curve_has_no_recall_without_true_pairs():
    curve = pr_curve(SCORED, TRUTH.clear(), (0.5,))
    assert curve.select("precision", "recall", "f1").row(0) == (0.0, None, None)


def test_the_accept_threshold_has_the_best_f1_among_those_precise_enough():
    chosen = choose_thresholds(pr_curve(SCORED, TRUTH, POINTS), SCORED, TRUTH)
    # 0.92 (P 1, R 1/2, F1 2/3) beats 0.97 (P 1, R 1/4); 0.5 has a better F1 (3/4) but
    # precision 3/4 < MIN_PRECISION.
    assert MIN_PRECISION > 3 / 4
    assert chosen.accept == 0.92


def test_the_possible_band_widens_while_enough_of_it_is_true():
    chosen = choose_thresholds(pr_curve(SCORED, TRUTH, POINTS), SCORED, TRUTH)
    # Bands below accept 0.92: [0.5, 0.92) 1 true of 2; [0.25, 0.92) 1 of 3; [0.05, 0.92)
    # 1 of 6, under POSSIBLE_PRECISION: the band stops at 0.25.
    assert 1 / 6 < POSSIBLE_PRECISION <= 1 / 3
    assert chosen == Thresholds(accept=0.92, possible=0.25)


def test_no_threshold_is_chosen_when_none_reaches_min_precision():
    wrong_first = SCORED.with_columns(
        pl.when(pl.col("left_record_id") == "a3")
        .then(1.0)
        .otherwise(pl.col("match_probability"))
        .alias("match_probability")
    )
    noisy = pl.concat([wrong_first, wrong_first.with_columns(pl.lit("x").alias("right_record_id"))])
    assert choose_thresholds(pr_curve(noisy, TRUTH, POINTS), noisy, TRUTH) is None


def _curve(*rows):
    """(threshold, precision, f1) rows; the counts do not matter to the choice."""
    return pl.DataFrame(
        [(t, 1, 1, p, None, f) for t, p, f in rows], schema=CURVE_SCHEMA, orient="row"
    )


def test_precision_exactly_at_the_minimum_qualifies_and_just_below_does_not():
    curve = _curve((0.5, MIN_PRECISION - 1e-9, 0.9), (0.8, MIN_PRECISION, 0.6), (0.9, 1.0, 0.3))
    assert choose_thresholds(curve, SCORED.clear(), TRUTH).accept == 0.8


def test_equal_f1_picks_the_lower_threshold():
    curve = _curve((0.7, 0.97, 0.6), (0.8, 0.99, 0.6), (0.9, 1.0, 0.3))
    assert choose_thresholds(curve, SCORED.clear(), TRUTH).accept == 0.7


def test_an_empty_band_below_accept_does_not_stop_the_possible_band():
    curve = _curve((0.5, 0.5, 0.7), (0.7, 0.8, 0.6), (0.9, 1.0, 0.3))
    only_above = SCORED.head(2)  # 0.99 and 0.95: nothing scored below accept
    assert choose_thresholds(curve, only_above, TRUTH) == Thresholds(accept=0.9, possible=0.5)


def test_a_threshold_without_f1_is_never_chosen():
    curve = _curve((0.9, 1.0, None))
    assert choose_thresholds(curve, SCORED.clear(), TRUTH) is None


def _links(*rows):
    return pl.DataFrame(
        [(ls, a, rs, b, 1.0, "exact_name_postcode", "accepted") for ls, a, rs, b in rows],
        schema=LINKS_SCHEMA,
        orient="row",
    )


def test_cascade_scores_put_exact_pairs_at_one_and_keep_splink_pairs_as_scored():
    exact = _links(
        ("fhrs", "a1", "companies_house", "b1"),
        ("fhrs", "a4", "companies_house", "b4"),
        ("illegal_working", "a3", "companies_house", "b9"),  # another link type
    )
    scored = cascade_scores(exact, SCORED, "fhrs", "companies_house")
    probabilities = {(a, b): p for a, b, p in scored.iter_rows()}
    assert probabilities[("a1", "b1")] == 1.0
    assert probabilities[("a4", "b4")] == 1.0  # Splink said 0.60
    assert probabilities[("a3", "b9")] == 0.90  # the other link type's exact pair is not here
    assert probabilities[("a8", "b3")] == 0.07
    assert len(probabilities) == scored.height == SCORED.height


def test_cascade_scores_include_an_exact_pair_splink_never_scored():
    exact = _links(("fhrs", "a9", "companies_house", "b6"))
    scored = cascade_scores(exact, SCORED, "fhrs", "companies_house")
    assert scored.filter(pl.col("left_record_id") == "a9")["match_probability"].to_list() == [1.0]
    assert scored.height == SCORED.height + 1
