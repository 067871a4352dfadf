"""benchmarks/capture_ceiling.py: the flag model behind the observable ceiling."""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.capture_ceiling import binned, cross_fitted_probability, expected_later


def test_binned_gives_each_value_exactly_one_column_and_unknowns_their_own():
    columns = np.column_stack(binned(pl.Series([None, 0.1, 0.5, 1.9, 2.0, 7.0]), (0.5, 2.0)))
    assert columns.tolist() == [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
        [0, 0, 0, 1],
    ]


def test_the_flag_model_recovers_a_planted_signal_and_never_scores_a_row_with_its_own_label():
    rng = np.random.default_rng(5)
    x = rng.normal(size=4000)
    truth = 1 / (1 + np.exp(-(2.0 * x - 1.0)))
    y = (rng.random(4000) < truth).astype(float)
    X = np.column_stack([np.ones(4000), x])
    fold = np.arange(4000) % 2
    p = cross_fitted_probability(X, y, fold)
    assert np.abs(p - truth).max() < 0.1
    # Flipping the labels of fold 0 moves only the probabilities of fold 1.
    flipped = y.copy()
    flipped[fold == 0] = 1 - flipped[fold == 0]
    q = cross_fitted_probability(X, flipped, fold)
    assert np.array_equal(q[fold == 0], p[fold == 0])
    assert not np.allclose(q[fold == 1], p[fold == 1])


def test_expected_later_events_follow_the_generators_rates_intensity_and_exposure():
    from heyrick_dagster.sample.world_enforcement import EXPLOITATIVE_RATE, NOISE_RATE

    got = expected_later(
        np.array([1.0, 0.0, 0.5]), np.array([2.0, 2.0, 1.0]), np.array([1, 1, 0.5])
    )
    assert got[0] == 2 * EXPLOITATIVE_RATE
    assert got[1] == 2 * NOISE_RATE
    assert got[2] == 0.5 * (0.5 * EXPLOITATIVE_RATE + 0.5 * NOISE_RATE)
