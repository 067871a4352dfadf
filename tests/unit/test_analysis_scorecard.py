"""The scorecard: weights fitted on data published up to as_of, graded strict ranks, words."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import polars as pl
import pytest

from heyrick_dagster.analysis.indicators import INDICATOR_NAMES, premises_indicators
from heyrick_dagster.analysis.scorecard import (
    Scorecard,
    area_indications,
    explanation,
    fit_scorecard,
    premises_indications,
    score,
    sources,
)
from tests.unit.test_analysis_indicators import contract_tables, premises_row
from tests.unit.test_analysis_rating_trend import ratings

AS_OF = date(2024, 6, 30)
FIT_START = AS_OF - timedelta(days=730)


def world(seed: int = 7, n: int = 300, extra_events: list[tuple] = ()) -> dict:
    """Premises whose management score drives their events: 30 points lost -> ~1 event
    over the two-year fit window, 0 points -> ~0.05. Nothing else matters."""
    rng = random.Random(seed)
    premises, events, attributions = [], [], []
    for fhrsid in range(1, n + 1):
        points = rng.choice((0, 5, 10, 20, 30))
        premises.append(
            premises_row(
                fhrsid,
                score_confidence_in_management=points,
                rating_numeric=rng.choice((3, 4, 5)),
                imd_decile=rng.randint(1, 10),
            )
        )
        rate = 0.05 * math.exp(points / 10)
        for k in range(_poisson(rate, rng)):
            key = f"iw|{fhrsid}-{k}"
            published = FIT_START + timedelta(days=rng.randint(1, 730))
            events.append((key, "illegal_working", published))
            attributions.append((key, fhrsid, 1.0))
    for key, fhrsid, published in extra_events:
        events.append((key, "illegal_working", published))
        attributions.append((key, fhrsid, 1.0))
    return contract_tables(premises, events=events, attributions=attributions)


def _poisson(lam: float, rng: random.Random) -> int:
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def test_fit_finds_the_indicator_that_carries_the_events_and_gives_an_interval():
    card = fit_scorecard(world(), AS_OF)
    weights = card.weights_table()
    management = weights.filter(pl.col("indicator") == "confidence_in_management_points_lost")
    assert management["ci_low"][0] > 0.5, weights
    assert management["rate_ratio"][0] > 2
    assert card.converged and card.events > 20
    assert card.fit_start == FIT_START and card.fit_end == AS_OF


def test_fit_reads_no_event_published_after_as_of():
    before = fit_scorecard(world(), AS_OF)
    later = [(f"late|{i}", i, AS_OF + timedelta(days=1)) for i in range(1, 100)]
    after = fit_scorecard(world(extra_events=later), AS_OF)
    assert after.weights == before.weights
    assert after.events == before.events


def test_an_indicator_constant_in_the_fit_window_gets_weight_zero_and_a_note():
    card = fit_scorecard(world(), AS_OF)
    # No company in this world: every company flag is 0.
    assert card.weights["phoenix_like_company_name"] == 0.0
    assert "constant" in card.notes["phoenix_like_company_name"]


def test_an_indicator_known_for_too_few_premises_gets_weight_zero_and_a_note():
    tables = world()
    # Two inspections known before the fit starts for 5 of 300 premises (under 10%).
    tables["fct_premises_ratings"] = ratings(
        *[
            (i, FIT_START - timedelta(days=d), r)
            for i in range(1, 6)
            for d, r in ((900, 5), (90, i % 3))
        ]
    )
    card = fit_scorecard(tables, AS_OF)
    assert card.share_known["rating_decline"] == pytest.approx(5 / 300)
    assert card.weights["rating_decline"] == 0.0
    assert "under 10%" in card.notes["rating_decline"]


def test_no_events_in_the_fit_window_gives_zero_weights_not_an_error():
    tables = contract_tables(
        [premises_row(i, score_confidence_in_management=10 * (i % 3)) for i in range(1, 20)]
    )
    card = fit_scorecard(tables, AS_OF)
    assert set(card.weights.values()) == {0.0}
    assert "no enforcement event in the fit window" in card.describe()["note"]
    ranked = score(premises_indicators(tables, AS_OF), card)
    assert ranked["rank"].to_list() == list(range(1, 20))


def _card(**weights) -> Scorecard:
    full = dict.fromkeys(INDICATOR_NAMES, 0.0) | weights
    return Scorecard(
        weights=full,
        intervals={k: (v, v) for k, v in full.items()},
        means=dict.fromkeys(INDICATOR_NAMES, 0.0) | {"hygiene_rating_shortfall": 1.0},
        share_known=dict.fromkeys(INDICATOR_NAMES, 1.0),
        notes={},
        intercept=math.log(0.1),
        fit_start=FIT_START,
        fit_end=AS_OF,
        n_premises=10,
        events=2.0,
        converged=True,
    )


def test_score_is_the_sum_of_weight_times_centred_indicator_and_unknowns_add_nothing():
    card = _card(hygiene_rating_shortfall=0.5, prior_enforcement=1.2)
    tables = contract_tables(
        [premises_row(1, rating_numeric=2), premises_row(2, rating_numeric=None)],
        events=[("iw|a", "illegal_working", date(2023, 1, 1))],
        attributions=[("iw|a", 1, 0.5)],
    )
    ranked = score(premises_indicators(tables, AS_OF), card)
    first = ranked.filter(pl.col("fhrsid") == 1).row(0, named=True)
    assert first["score"] == pytest.approx(0.5 * (3 - 1.0) + 1.2 * math.log2(1.5))
    second = ranked.filter(pl.col("fhrsid") == 2).row(0, named=True)
    assert second["score"] == 0.0
    assert first["expected_events_per_year"] == pytest.approx(
        math.exp(math.log(0.1) + first["score"]) / (730 / 365.25)
    )


def test_ranks_are_strict_and_the_same_whatever_the_input_order_when_scores_tie():
    card = _card(confidence_in_management_points_lost=0.8)
    premises = [
        premises_row(i, score_confidence_in_management=20 if i % 4 else 30) for i in range(1, 41)
    ]
    indicators = premises_indicators(contract_tables(premises), AS_OF)
    ranked = score(indicators, card)
    shuffled = score(indicators.sample(fraction=1.0, shuffle=True, seed=3), card)
    assert ranked["rank"].to_list() == list(range(1, 41))
    assert ranked["fhrsid"].to_list() == shuffled["fhrsid"].to_list()
    assert ranked["score"].is_sorted(descending=True)
    top = ranked.head(10)
    assert top["fhrsid"].to_list() == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]


def test_the_top_of_the_ranking_is_strictly_ordered_not_saturated():
    card = _card(prior_enforcement=1.0, confidence_in_management_points_lost=0.5)
    premises = [premises_row(i, score_confidence_in_management=30) for i in range(1, 11)]
    events = [(f"iw|{i}", "illegal_working", date(2023, 1, 1)) for i in range(1, 11)]
    attributions = [(f"iw|{i}", i, i / 10) for i in range(1, 11)]
    ranked = score(
        premises_indicators(contract_tables(premises, [], events, attributions), AS_OF), card
    )
    top = ranked.head(10)
    assert top["fhrsid"].to_list() == list(range(10, 0, -1))
    scores = top["score"].to_list()
    assert all(a > b for a, b in zip(scores, scores[1:], strict=False)), scores
    assert top["expected_events_per_year"].n_unique() == 10


def test_explanation_names_the_top_indicators_in_words_with_the_caveats():
    card = _card(
        confidence_in_management_points_lost=0.8, hygiene_rating_shortfall=0.3, area_deprivation=0.1
    )
    premises = [premises_row(1, score_confidence_in_management=20, rating_numeric=1, imd_decile=1)]
    ranked = score(premises_indicators(contract_tables(premises), AS_OF), card)
    text = explanation(ranked.row(0, named=True), card)
    assert text.startswith("Indication, not evidence (synthetic sample data")
    management = text.index("20 points lost on confidence in management")
    rating = text.index("food hygiene rating 1")
    assert management < rating < text.index("area in IMD decile 1")
    official = ranked.with_columns(pl.lit("official open data").alias("data_origin"))
    assert "synthetic" not in explanation(official.row(0, named=True), card)


def test_sources_name_only_sources_with_known_values_and_their_vintages():
    tables = contract_tables([premises_row(1, imd_decile=None)])
    row = premises_indicators(tables, AS_OF).row(0, named=True)
    text = sources(row, {"fhrs": "2024-11-10", "companies_house": "2024-11-01"})
    assert "FSA food hygiene ratings (2024-11-10)" in text
    assert "Companies House (2024-11-01)" in text
    assert "IMD" not in text and "illegal-working" not in text


def test_published_indications_carry_the_contract_columns_and_the_caveat_on_every_row():
    tables = world(n=60)
    card = fit_scorecard(tables, AS_OF)
    table = premises_indications(premises_indicators(tables, AS_OF), card, {"fhrs": "2024-11-10"})
    assert table.columns[:7] == [
        "fhrsid",
        "business_id",
        "score",
        "rank",
        "explanation",
        "sources",
        "as_of",
    ]
    assert table["rank"].to_list() == list(range(1, 61))
    assert table["explanation"].str.starts_with("Indication, not evidence").all()
    assert table["caveat"].str.contains("synthetic").all()


def test_expected_events_add_up_to_the_events_of_the_fit_window():
    tables = world()
    card = fit_scorecard(tables, AS_OF)
    at_fit_start = score(premises_indicators(tables, card.fit_start), card)
    expected = at_fit_start["expected_events_per_year"].sum() * 730 / 365.25
    assert expected == pytest.approx(card.events, rel=1e-6)


def test_areas_are_ranked_by_expected_events_per_premises_not_by_size():
    indications = pl.DataFrame(
        {
            "rank": [1, 2, 3, 4, 5],
            "score": [2.0, 1.0, 0.5, 0.4, 0.3],
            "expected_events_per_year": [0.5, 0.2, 0.1, 0.1, 0.1],
            "lsoa_code": ["E2", "E1", "E1", "E1", None],
            "la_code": ["523", "523", "525", "525", "525"],
            "data_origin": ["synthetic sample"] * 5,
        }
    )
    areas = area_indications(indications, top_fraction=0.2)
    lsoa = areas.filter(pl.col("area_level") == "lsoa")
    assert lsoa["area_code"].to_list() == ["E2", "E1"]  # one premises beats three
    assert lsoa["rank"].to_list() == [1, 2]
    assert lsoa["expected_events_per_year_per_1000"].to_list() == pytest.approx([500.0, 400 / 3])
    assert lsoa["premises_in_top"].to_list() == [1, 0]
    authorities = areas.filter(pl.col("area_level") == "local_authority")
    assert authorities["scored_premises"].to_list() == [2, 3]
    assert areas["caveat"].str.starts_with("Indication, not evidence").all()


def test_expected_events_are_per_year_of_trading_when_premises_began_within_the_window():
    """Half the premises' companies were incorporated halfway through the fit window; every
    premises meets enforcement at 0.5 events a year while it trades. Counting all as
    exposed for the whole window would expect 0.375 a year; the exposure gives 0.5."""
    rng = random.Random(11)
    halfway = FIT_START + timedelta(days=365)
    premises, companies, events, attributions = [], [], [], []
    for fhrsid in range(1, 1001):
        late = fhrsid % 2 == 0
        premises.append(premises_row(fhrsid))
        companies.append(
            {
                "business_id": f"B{fhrsid}",
                "incorporation_date": halfway if late else date(2010, 1, 1),
            }
        )
        first = halfway if late else FIT_START
        for k in range(_poisson(0.5 * (AS_OF - first).days / 365.25, rng)):
            key = f"iw|{fhrsid}-{k}"
            events.append(
                (
                    key,
                    "illegal_working",
                    first + timedelta(days=rng.randint(1, (AS_OF - first).days)),
                )
            )
            attributions.append((key, fhrsid, 1.0))
    tables = contract_tables(premises, companies, events, attributions)
    card = fit_scorecard(tables, AS_OF)
    scored = score(premises_indicators(tables, AS_OF), card)
    assert card.mean_exposure == pytest.approx(0.75, abs=0.01)
    assert scored["expected_events_per_year"].mean() == pytest.approx(0.5, rel=0.1)


def test_indicators_left_out_of_a_fit_get_weight_zero_and_say_why():
    card = fit_scorecard(world(), AS_OF, left_out=("confidence_in_management_points_lost",))
    assert card.weights["confidence_in_management_points_lost"] == 0.0
    assert "left out" in card.notes["confidence_in_management_points_lost"]
    assert fit_scorecard(world(), AS_OF).weights["confidence_in_management_points_lost"] > 0.5


def test_scores_are_the_contributions_added_in_indicator_order_the_same_on_every_call():
    # pl.sum_horizontal added the terms in an order that changed between calls in one
    # process, so a resumed run's scores differed in their last bits from a clean run's.
    rng = random.Random(11)
    card = _card(**{name: rng.uniform(-1.5, 1.5) for name in INDICATOR_NAMES})
    indicators = premises_indicators(world(n=1500), AS_OF)
    calls = [score(indicators, card).sort("fhrsid") for _ in range(12)]
    first = calls[0]
    for later in calls[1:]:
        assert later["score"].to_list() == first["score"].to_list()
    in_order = [0.0] * first.height
    for name in INDICATOR_NAMES:
        in_order = [a + b for a, b in zip(in_order, first[f"contribution__{name}"], strict=True)]
    assert first["score"].to_list() == in_order
