"""Time-ordered evaluation: capture and precision of the top of a ranking, baselines, truth."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import polars as pl
import pytest

from heyrick_dagster.analysis.evaluation import (
    Truth,
    bias_audit,
    calibration,
    capture_intervals,
    default_cutoff,
    evaluate,
    quarter_end,
    ranking_metrics,
    ratio_interval,
    ties_at_top,
)
from tests.unit.test_analysis_scorecard import AS_OF, _poisson, world


def test_quarter_end_and_default_cutoff_two_years_before_the_last_publication():
    assert quarter_end(date(2024, 2, 29)) == date(2024, 3, 31)
    assert quarter_end(date(2024, 12, 1)) == date(2024, 12, 31)
    events = pl.DataFrame({"published_date": [date(2021, 5, 1), date(2026, 8, 20)]})
    assert default_cutoff(events) == date(2024, 9, 30)


def _frame(events: list[float], ratings: list[int | None]) -> pl.DataFrame:
    n = len(events)
    return pl.DataFrame(
        {
            "rank": list(range(1, n + 1)),
            "events": events,
            "p_any": [min(e, 1.0) for e in events],
            "rating_numeric": ratings,
        },
        schema={
            "rank": pl.Int64,
            "events": pl.Float64,
            "p_any": pl.Float64,
            "rating_numeric": pl.Int64,
        },
    )


def test_capture_and_precision_follow_the_rank():
    frame = _frame([2.0, 0.0, 1.0, 0, 0, 0, 0, 0, 0, 1.0], [5] * 10)
    top = ranking_metrics(frame, "rank", fractions=(0.1, 0.3))
    assert top["top_10pct"] == {
        "k": 1,
        "capture": 0.5,
        "precision_at_k": 1.0,
        "events_captured": 2.0,
    }
    assert top["top_30pct"]["capture"] == 0.75
    assert top["top_30pct"]["precision_at_k"] == pytest.approx(2 / 3)


def test_random_baseline_is_the_expected_value_k_over_n():
    frame = _frame([2.0, 0.0, 1.0, 0, 0, 0, 0, 0, 0, 1.0], [5] * 10)
    random = ranking_metrics(frame, "random", fractions=(0.3,))["top_30pct"]
    assert random["capture"] == pytest.approx(0.3)
    assert random["precision_at_k"] == pytest.approx(0.3)


def test_fhrs_baseline_puts_the_worst_rating_first_and_counts_ties_at_expected_value():
    # Rating 0 once (1 event), rating 1 four times (2 events among them), the rest 5/unrated.
    frame = _frame([1.0, 0.0, 2.0, 0.0, 0.0, 0, 0, 0, 0, 1.0], [0, 1, 1, 1, 1, 5, 5, 5, 5, None])
    metrics = ranking_metrics(frame, "fhrs", fractions=(0.3,))["top_30pct"]
    # k = 3: the rating-0 premises, then 2 of the 4 tied rating-1 premises: 2/4 of 2 events.
    assert metrics["events_captured"] == pytest.approx(1.0 + 2.0 * 2 / 4)
    assert metrics["capture"] == pytest.approx(2.0 / 4.0)


def _copies(copies: int) -> pl.DataFrame:
    """`copies` copies of ten premises, each its own business: the first of each ten (rating
    0, ranked in the top tenth) has 1 later event, the third 1, the tenth 2."""
    events, ratings = [1.0, 0.0, 1.0, 0, 0, 0, 0, 0, 0, 2.0], [0, 1, 1, 1, 1, 5, 5, 5, 5, 5]
    rows = [
        {
            "fhrsid": 10 * c + j,
            "business_id": f"B{c}-{j}",
            "rank": j * copies + c + 1,
            "events": events[j],
            "rating_numeric": ratings[j],
        }
        for c in range(copies)
        for j in range(10)
    ]
    return pl.DataFrame(rows)


def test_capture_intervals_are_wide_with_few_events_narrow_with_many_and_paired_with_fhrs():
    wide = capture_intervals(_copies(1), fractions=(0.1,))["top_10pct"]
    narrow = capture_intervals(_copies(100), fractions=(0.1,))["top_10pct"]
    for interval in (wide, narrow):  # the top tenth holds a quarter of the events
        assert interval["capture_ci95"][0] < 0.25 < interval["capture_ci95"][1]
    assert (narrow["capture_ci95"][1] - narrow["capture_ci95"][0]) < (
        wide["capture_ci95"][1] - wide["capture_ci95"][0]
    ) / 3
    # The FHRS rating puts the same premises first: the paired difference is exactly 0.
    assert narrow["capture_minus_fhrs_ci95"] == [0.0, 0.0]


def test_evaluation_fits_on_data_up_to_the_cutoff_and_counts_only_later_events():
    cutoff = AS_OF
    later = [(f"late|{i}", i, cutoff + timedelta(days=30)) for i in range(1, 31)]
    result = evaluate(world(extra_events=later), cutoff=cutoff)
    assert result["cutoff"] == cutoff.isoformat()
    assert result["fit"]["fit_window"] == [str(cutoff - timedelta(days=730)), str(cutoff)]
    published = result["variants"]["published"]
    assert published["later_events"] == 30.0
    without_later = evaluate(world(), cutoff=cutoff, end=cutoff + timedelta(days=60))
    assert without_later["fit"] == result["fit"]
    assert without_later["variants"]["published"]["later_events"] == 0.0
    assert set(published) == {
        "later_events",
        "premises_with_later_events",
        "scorecard",
        "baseline_random",
        "baseline_fhrs_rating",
        "uncertainty",
    }
    assert set(published["scorecard"]) == {"top_1pct", "top_5pct", "top_10pct"}
    low, high = published["uncertainty"]["top_10pct"]["capture_ci95"]
    assert low <= published["scorecard"]["top_10pct"]["capture"] <= high


def test_the_scorecard_beats_random_when_the_future_follows_the_same_indicator():
    # Later events go to the premises that lose most management points, as in the fit.
    tables = world()
    points = tables["dim_premises"].filter(pl.col("score_confidence_in_management") == 30)
    later = [(f"late|{f}", f, AS_OF + timedelta(days=40)) for f in points["fhrsid"][:20]]
    result = evaluate(world(extra_events=later), cutoff=AS_OF)
    published = result["variants"]["published"]
    assert published["scorecard"]["top_10pct"]["capture"] > 0.3
    assert (
        published["scorecard"]["top_10pct"]["capture"]
        > 2 * published["baseline_random"]["top_10pct"]["capture"]
    )


def test_truth_variant_counts_each_later_truth_event_on_every_premises_of_its_business():
    tables = world(n=40)
    truth = Truth(
        events=pl.DataFrame(
            {
                "entity_id": ["E1", "E1", "E2"],
                "source": ["illegal_working"] * 3,
                "record_id": ["a", "b", "c"],
                "event_date": [
                    AS_OF + timedelta(days=5),
                    AS_OF - timedelta(days=5),
                    AS_OF + timedelta(days=9),
                ],
            }
        ),
        premises=pl.DataFrame({"fhrsid": ["1", "2", "3"], "entity_id": ["E1", "E1", "E2"]}),
    )
    result = evaluate(tables, cutoff=AS_OF, end=AS_OF + timedelta(days=30), truth=truth)
    assert result["variants"]["truth"]["later_events"] == 3.0  # 1 on each of E1's premises, 1
    assert "truth" not in evaluate(tables, cutoff=AS_OF)["variants"]


def test_oracles_rank_by_the_generator_flag_then_propensity_and_by_propensity_alone():
    tables = world(n=40)
    later = AS_OF + timedelta(days=5)
    truth = Truth(
        events=pl.DataFrame(
            {
                "entity_id": ["E1", "E1", "E2"],
                "source": ["illegal_working"] * 3,
                "record_id": ["a", "b", "c"],
                "event_date": [later] * 3,
            }
        ),
        premises=pl.DataFrame({"fhrsid": ["1", "2", "3"], "entity_id": ["E1", "E1", "E2"]}),
        businesses=pl.DataFrame(
            {
                "entity_id": ["E1", "E2"],
                "exploitative": [True, False],
                "exploitation_propensity": [0.1, 0.9],
            }
        ),
    )
    result = evaluate(tables, cutoff=AS_OF, end=AS_OF + timedelta(days=30), truth=truth)
    oracle = result["variants"]["truth"]["oracles"]
    # 5 later events: 2 on each of E1's two premises, 1 on E2's. Top 1% is one premises.
    assert oracle["exploitative_flag"]["top_1pct"]["capture"] == pytest.approx(2 / 5)
    assert oracle["latent_propensity"]["top_1pct"]["capture"] == pytest.approx(1 / 5)
    assert oracle["exploitative_flag"]["top_10pct"]["capture"] == pytest.approx(1.0)
    without = Truth(events=truth.events, premises=truth.premises)
    assert "oracles" not in evaluate(tables, cutoff=AS_OF, truth=without)["variants"]["truth"]


def test_bias_audit_gives_each_decile_its_share_of_the_top_k_beside_its_share_of_premises():
    frame = pl.DataFrame(
        {
            "rank": list(range(1, 21)),
            "score": [float(20 - i) for i in range(20)],
            "events": [0.0] * 20,
            "imd_decile": [1] * 10 + [10] * 8 + [None] * 2,
        }
    )
    audit = bias_audit(frame)
    assert [row["imd_decile"] for row in audit] == [1, 10, None]
    assert sum(row["share_of_scored"] for row in audit) == pytest.approx(1.0)
    for label in ("top_1pct", "top_5pct", "top_10pct"):
        assert sum(row[f"share_of_{label}"] for row in audit) == pytest.approx(1.0)
    # Ranks 1-2 (the top 10% of 20) are both in decile 1, half of the premises: ratio 2.
    assert audit[0]["in_top_10pct"] == 2 and audit[0]["share_of_top_10pct"] == 1.0
    assert audit[0]["ratio_top_10pct"] == 2.0 and audit[1]["ratio_top_10pct"] == 0.0
    assert audit[0]["score_mean"] > audit[1]["score_mean"]


def test_bias_trade_off_refits_without_the_area_indicators_and_reports_capture_and_skew():
    tables = world()
    points = tables["dim_premises"].filter(pl.col("score_confidence_in_management") == 30)
    later = [(f"late|{f}", f, AS_OF + timedelta(days=40)) for f in points["fhrsid"][:20]]
    trade_off = evaluate(world(extra_events=later), cutoff=AS_OF)["bias_trade_off"]
    assert list(trade_off) == [
        "all_indicators",
        "without_area_enforcement",
        "without_area_enforcement_and_deprivation",
    ]
    assert trade_off["without_area_enforcement_and_deprivation"]["left_out"] == [
        "area_enforcement",
        "area_deprivation",
    ]
    for variant in trade_off.values():
        assert set(variant["capture"]) == {"top_1pct", "top_5pct", "top_10pct"}
        share = variant["imd_deciles_1_3_share_of_top_10pct"]
        assert variant["imd_deciles_1_3_ratio_top_10pct"] == pytest.approx(
            share / variant["imd_deciles_1_3_share_of_scored"], abs=2e-3
        )


def test_ties_at_top_counts_premises_ordered_only_by_the_tie_break_and_a_cut_inside_a_tie():
    scores = [9.0, 8.0, 8.0, 7.0] + [1.0] * 16  # 20 premises: top 10% is k = 2
    frame = pl.DataFrame({"rank": list(range(1, 21)), "score": scores})
    ties = ties_at_top(frame.reverse())
    assert ties["top_10pct"] == {
        "k": 2,
        "distinct_scores": 2,
        "premises_sharing_a_score": 1,  # rank 2 shares 8.0 with rank 3
        "cut_inside_a_tie": True,
    }
    assert ties["top_1pct"]["premises_sharing_a_score"] == 0
    assert not ties["top_1pct"]["cut_inside_a_tie"]
    assert "fhrsid" in ties["tie_break"]


def test_ratio_interval_is_the_exact_poisson_interval_of_a_standardised_ratio():
    # Garwood's interval: 0 observed -> [0, 3.689]; 10 observed -> [4.795, 18.390].
    assert ratio_interval(0.0, 1.0) == [0.0, 3.689]
    assert ratio_interval(10.0, 10.0) == [0.48, 1.839]
    assert ratio_interval(3.0, 0.0) is None


def test_calibration_table_counts_premises_expected_and_observed_per_decile_of_the_ranking():
    frame = pl.DataFrame(
        {
            "rank": list(range(1, 21)),
            "events": [2.0, 1.0] + [0.0] * 17 + [1.0],
            "expected_events_per_year": [1.0, 1.0] + [0.1] * 18,
            "later_exposure": [1.0, 0.5] + [1.0] * 18,
        }
    )
    result = calibration(frame.reverse(), years=2.0)  # the input order does not matter
    top, *_, bottom = result["by_score_decile"]
    assert [row["decile"] for row in result["by_score_decile"]] == list(range(1, 11))
    assert top == {
        "decile": 1,
        "premises": 2,
        "expected": 3.0,  # 1 a year x 2 years, the second premises trading half of them
        "observed": 3.0,
        "observed_over_expected": 1.0,
        "observed_over_expected_ci95": ratio_interval(3.0, 3.0),
    }
    assert bottom["observed"] == 1.0 and bottom["expected"] == pytest.approx(0.4)
    assert result["premises"] == 20
    assert result["expected"] == pytest.approx(3.0 + 18 * 0.2)
    assert result["observed_over_expected"] == pytest.approx(4.0 / 6.6, abs=1e-3)
    assert "expected" in result["meaning"]


def _world_that_goes_on(seed: int = 7, n: int = 300) -> dict:
    """world(): management points drive events at the same rate after AS_OF as before it."""
    tables = world(seed=seed, n=n)
    rng = random.Random(seed + 1)
    later = []
    for row in tables["dim_premises"].iter_rows(named=True):
        rate = 0.05 * math.exp(row["score_confidence_in_management"] / 10)
        for k in range(_poisson(rate, rng)):
            later.append(
                (
                    f"later|{row['fhrsid']}-{k}",
                    row["fhrsid"],
                    AS_OF + timedelta(days=rng.randint(1, 730)),
                )
            )
    return world(seed=seed, n=n, extra_events=later)


def test_calibration_holds_within_its_interval_when_enforcement_goes_on_as_before():
    result = evaluate(_world_that_goes_on(), cutoff=AS_OF, end=AS_OF + timedelta(days=730))
    calibrated = result["calibration"]
    assert calibrated["observed"] > 20
    low, high = calibrated["observed_over_expected_ci95"]
    assert low < 1.0 < high
    top = calibrated["by_score_decile"][0]
    assert top["observed_over_expected_ci95"][0] < 1.0 < top["observed_over_expected_ci95"][1]
