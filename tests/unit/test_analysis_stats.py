"""Statistics of the area-level analysis, against scipy, statsmodels, hand-computed values
and seeded simulations whose true parameters are known."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial

from heyrick_dagster.analysis.stats import (
    AREA_CORRELATIONS_SCHEMA,
    area_correlations,
    benjamini_hochberg,
    correlate,
    count_model,
    enforcement_intensity,
    overdispersion_test,
    suppress_small_counts,
)

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)

X10 = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
Y10 = np.array([2.1, 1.9, 3.5, 3.2, 5.0, 4.1, 6.8, 6.0, 9.5, 8.7])


def _poisson_areas(rng: np.random.Generator, n: int, log_rate_ratio: float):
    """Areas with a standard-normal indicator, 20..199 businesses, and Poisson events at
    1 per 100 businesses times exp(log_rate_ratio * indicator)."""
    indicator = rng.normal(size=n)
    businesses = rng.integers(20, 200, size=n)
    mean = businesses * 0.01 * np.exp(log_rate_ratio * indicator)
    return indicator, businesses, mean


def _nb2_draw(rng: np.random.Generator, mean: np.ndarray, alpha: float) -> np.ndarray:
    """NB2 counts with E = mean and Var = mean + alpha * mean^2 (numpy's n, p form)."""
    return rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mean))


# --------------------------------------------------------------------------- correlate


def test_pearson_estimate_and_p_value_are_scipys_and_interval_is_fisher_z():
    row = correlate(X10, Y10, "pearson").row(0, named=True)
    reference = stats.pearsonr(X10, Y10)
    assert row["n"] == 10
    assert row["estimate"] == pytest.approx(reference.statistic)
    assert row["p_value"] == pytest.approx(reference.pvalue)
    z, half = math.atanh(reference.statistic), Z95 / math.sqrt(10 - 3)
    assert row["ci_low"] == pytest.approx(math.tanh(z - half))
    assert row["ci_high"] == pytest.approx(math.tanh(z + half))
    scipy_interval = reference.confidence_interval(confidence_level=0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (scipy_interval.low, scipy_interval.high)
    )


def test_spearman_interval_uses_the_bonett_wright_variance():
    row = correlate(X10, Y10, "spearman", confidence=0.9).row(0, named=True)
    reference = stats.spearmanr(X10, Y10)
    rho = reference.statistic
    assert row["estimate"] == pytest.approx(rho)
    assert row["p_value"] == pytest.approx(reference.pvalue)
    half = stats.norm.ppf(0.95) * math.sqrt((1 + rho**2 / 2) / (10 - 3))
    assert row["ci_low"] == pytest.approx(math.tanh(math.atanh(rho) - half))
    assert row["ci_high"] == pytest.approx(math.tanh(math.atanh(rho) + half))


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_intervals_cover_the_true_correlation_of_a_simulated_bivariate_normal(method):
    rho = 0.5
    draws = np.random.default_rng(20240501).multivariate_normal(
        [0, 0], [[1, rho], [rho, 1]], size=2000
    )
    # Spearman's rho of a bivariate normal is (6 / pi) asin(rho / 2).
    truth = rho if method == "pearson" else 6 / math.pi * math.asin(rho / 2)
    row = correlate(draws[:, 0], draws[:, 1], method).row(0, named=True)
    assert row["ci_low"] < truth < row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.1


def test_correlate_drops_pairs_with_a_missing_value_in_any_input_type():
    complete = correlate(X10[2:], Y10[2:], "pearson")
    x_with_gaps = [None, 2.0, *X10[2:]]
    y_with_gaps = [1.0, float("nan"), *Y10[2:]]
    for x, y in [
        (x_with_gaps, y_with_gaps),
        (pl.Series(x_with_gaps, dtype=pl.Float64), pl.Series(y_with_gaps)),
        (np.array(x_with_gaps, dtype=float), np.array(y_with_gaps)),
    ]:
        assert correlate(x, y, "pearson").equals(complete)
    assert complete["n"].item() == 8


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_a_constant_input_gives_a_null_estimate_not_an_error(method):
    row = correlate(X10, np.full(10, 3.0), method).row(0, named=True)
    assert row == {"n": 10, "estimate": None, "ci_low": None, "ci_high": None, "p_value": None}


def test_two_pairs_give_no_estimate_and_three_pairs_give_no_interval():
    two = correlate([1.0, 2.0], [3.0, 5.0], "pearson").row(0, named=True)
    assert two["n"] == 2 and two["estimate"] is None and two["p_value"] is None
    three = correlate([1.0, 2.0, 3.0], [3.0, 5.0, 4.0], "pearson").row(0, named=True)
    assert three["estimate"] == pytest.approx(0.5)
    assert three["p_value"] is not None
    assert three["ci_low"] is None and three["ci_high"] is None


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_a_perfect_correlation_has_a_zero_width_interval(method):
    row = correlate(X10, -2 * X10 + 1, method).row(0, named=True)
    assert row["estimate"] == pytest.approx(-1.0)
    assert row["ci_low"] == pytest.approx(-1.0) and row["ci_high"] == pytest.approx(-1.0)


def test_correlate_rejects_an_unknown_method_unequal_lengths_and_a_bad_confidence():
    with pytest.raises(ValueError, match="method"):
        correlate(X10, Y10, "kendall")
    with pytest.raises(ValueError, match="differ in length"):
        correlate(X10, Y10[:5])
    with pytest.raises(ValueError, match="confidence"):
        correlate(X10, Y10, confidence=95)


# --------------------------------------------------------------------------- count models


def test_poisson_rate_ratio_of_a_binary_covariate_equals_the_ratio_of_group_rates():
    # Group 0: 10 events over 300 businesses; group 1: 24 events over 400.
    # The Poisson MLE reproduces each group's rate, so RR = (24/400) / (10/300) = 1.8
    # and the standard error of log RR is sqrt(1/24 + 1/10).
    events = [3, 5, 2, 8, 6, 10]
    businesses = [100, 150, 50, 100, 100, 200]
    group = [0, 0, 0, 1, 1, 1]
    row = count_model(events, businesses, {"group": group}).row(0, named=True)
    se = math.sqrt(1 / 24 + 1 / 10)
    assert row["estimate"] == pytest.approx(1.8)
    # Wald standard errors come from the converged IRLS weights: equal to 1e-5.
    assert row["ci_low"] == pytest.approx(1.8 * math.exp(-Z95 * se), rel=1e-5)
    assert row["ci_high"] == pytest.approx(1.8 * math.exp(Z95 * se), rel=1e-5)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(math.log(1.8) / se), rel=1e-5)
    assert (row["n"], row["events_total"], row["family"]) == (6, 34, "poisson")
    assert row["alpha"] is None


def test_poisson_interval_covers_the_true_rate_ratio_of_simulated_areas():
    rng = np.random.default_rng(5)
    indicator, businesses, mean = _poisson_areas(rng, 2000, log_rate_ratio=0.3)
    events = rng.poisson(mean)
    row = count_model(events, businesses, {"indicator": indicator}).row(0, named=True)
    assert row["ci_low"] < math.exp(0.3) < row["ci_high"]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert row["pearson_chi2_df"] == pytest.approx(1.0, abs=0.1)


def test_each_covariate_gets_its_adjusted_rate_ratio():
    rng = np.random.default_rng(11)
    n = 2000
    first, second = rng.normal(size=n), rng.normal(size=n)
    businesses = rng.integers(20, 200, size=n)
    events = rng.poisson(businesses * 0.01 * np.exp(0.3 * first - 0.2 * second))
    frame = count_model(events, businesses, {"first": first, "second": second})
    assert frame["covariate"].to_list() == ["first", "second"]
    for row, truth in zip(frame.iter_rows(named=True), [0.3, -0.2], strict=True):
        assert row["ci_low"] < math.exp(truth) < row["ci_high"]


def test_negative_binomial_matches_statsmodels_joint_maximum_likelihood():
    rng = np.random.default_rng(7)
    indicator, businesses, mean = _poisson_areas(rng, 2000, log_rate_ratio=0.3)
    events = _nb2_draw(rng, mean, alpha=0.5)
    row = count_model(events, businesses, {"indicator": indicator}, "negative_binomial").row(
        0, named=True
    )
    joint = NegativeBinomial(
        events, sm.add_constant(indicator), offset=np.log(businesses), loglike_method="nb2"
    ).fit(disp=0)
    beta, alpha = joint.params[1], joint.params[2]
    assert row["alpha"] == pytest.approx(alpha, rel=1e-3)
    assert row["estimate"] == pytest.approx(math.exp(beta), rel=1e-4)
    se = math.log(row["ci_high"] / row["estimate"]) / Z95
    assert se == pytest.approx(joint.bse[1], rel=1e-2)
    assert row["ci_low"] < math.exp(0.3) < row["ci_high"]
    assert row["pearson_chi2_df"] == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("alpha", [1e-6, 0.05, 0.5, 4.0])
def test_the_profile_likelihood_of_alpha_is_statsmodels_glm_maximum_at_that_alpha(alpha):
    # The alpha search maximises its own IRLS likelihood (statsmodels' per-fit overhead
    # made the national LSOA models take minutes): it must be the GLM's, maximum and all.
    from heyrick_dagster.analysis.stats import _design, _irls, _nb2_llf

    rng = np.random.default_rng(11)
    indicator, businesses, mean = _poisson_areas(rng, 1500, log_rate_ratio=0.4)
    events = _nb2_draw(rng, mean, alpha=0.5)
    design = _design(events, businesses, {"indicator": indicator})
    beta = _irls(design, alpha, np.zeros(2))
    llf = _nb2_llf(design, alpha, beta)
    glm = sm.GLM(
        events,
        sm.add_constant(indicator),
        family=sm.families.NegativeBinomial(alpha=alpha),
        offset=np.log(businesses),
    ).fit(tol=1e-12)
    assert llf == pytest.approx(glm.llf, rel=1e-10)
    assert beta == pytest.approx(glm.params, rel=1e-7, abs=1e-9)


def test_the_poisson_start_of_the_alpha_search_is_statsmodels_poisson_maximum():
    from heyrick_dagster.analysis.stats import _design, _poisson_start

    rng = np.random.default_rng(12)
    indicator, businesses, mean = _poisson_areas(rng, 1500, log_rate_ratio=-0.3)
    events = rng.poisson(mean)
    design = _design(events, businesses, {"indicator": indicator})
    glm = sm.GLM(
        events, sm.add_constant(indicator), family=sm.families.Poisson(), offset=np.log(businesses)
    ).fit(tol=1e-12)
    assert _poisson_start(design) == pytest.approx(glm.params, rel=1e-7, abs=1e-9)


def test_rows_without_businesses_or_with_a_missing_value_are_dropped_and_counted():
    events = [3, 5, 2, 8, 6, 10, 4, 1]
    businesses = [100, 150, 50, 100, 100, 200, 0, 80]
    group = [0, 0, 0, 1, 1, 1, 1, None]
    row = count_model(events, businesses, {"group": group}).row(0, named=True)
    assert row["n_dropped_zero_exposure"] == 1
    assert row["n_dropped_missing"] == 1
    assert row["n"] == 6
    assert row["estimate"] == pytest.approx(1.8)


@pytest.mark.parametrize(
    ("events", "group", "note"),
    [
        ([0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1], "no events"),
        ([3, 5, 2, 8, 6, 10], [1, 1, 1, 1, 1, 1], "constant"),
        ([3, 5], [0, 1], "too few rows"),
    ],
)
def test_a_model_that_cannot_be_fitted_gives_nulls_and_says_why(events, group, note):
    businesses = [100] * len(events)
    for family in ("poisson", "negative_binomial"):
        row = count_model(events, businesses, {"group": group}, family).row(0, named=True)
        assert row["estimate"] is None and row["p_value"] is None
        assert note in row["note"]


def test_count_model_rejects_bad_counts_exposure_lengths_and_families():
    with pytest.raises(ValueError, match="events"):
        count_model([1, -1, 2], [10, 10, 10], {"x": [1, 2, 3]})
    with pytest.raises(ValueError, match="events"):
        count_model([1, 1.5, 2], [10, 10, 10], {"x": [1, 2, 3]})
    with pytest.raises(ValueError, match="exposure"):
        count_model([1, 1, 2], [10, -10, 10], {"x": [1, 2, 3]})
    with pytest.raises(ValueError, match="'x' has 2 values"):
        count_model([1, 1, 2], [10, 10, 10], {"x": [1, 2]})
    with pytest.raises(ValueError, match="family"):
        count_model([1, 1, 2], [10, 10, 10], {"x": [1, 2, 3]}, "gamma")


def test_negative_binomial_is_chosen_on_overdispersed_data():
    rng = np.random.default_rng(7)
    indicator, businesses, mean = _poisson_areas(rng, 2000, log_rate_ratio=0.3)
    events = _nb2_draw(rng, mean, alpha=0.5)
    row = overdispersion_test(events, businesses, {"indicator": indicator}).row(0, named=True)
    assert row["family"] == "negative_binomial"
    assert row["p_value"] < 1e-6
    assert row["pearson_chi2_df"] > 1.3
    assert 0.35 < row["alpha"] < 0.65


def test_poisson_is_chosen_on_poisson_data():
    # The test has size 5%: about one seed in twenty would choose NB here by design.
    rng = np.random.default_rng(5)
    indicator, businesses, mean = _poisson_areas(rng, 2000, log_rate_ratio=0.3)
    events = rng.poisson(mean)
    row = overdispersion_test(events, businesses, {"indicator": indicator}).row(0, named=True)
    assert row["family"] == "poisson"
    assert row["p_value"] >= 0.05
    assert row["alpha"] < 0.05


# --------------------------------------------------------------------------- multiplicity


def test_benjamini_hochberg_on_a_worked_example():
    # m = 3, sorted p: 0.02, 0.021, 0.5; m * p / rank: 0.06, 0.0315, 0.5.
    # Step-up minimum from the largest: 0.5, then 0.0315, then min(0.06, 0.0315).
    adjusted = benjamini_hochberg([0.021, 0.5, 0.02])
    np.testing.assert_allclose(adjusted, [0.0315, 0.5, 0.0315])


def test_benjamini_hochberg_reproduces_the_1995_papers_four_discoveries():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 BH rejects 4.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459]
    p += [0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
    adjusted = benjamini_hochberg(np.array(p))
    assert int((adjusted <= 0.05).sum()) == 4
    np.testing.assert_allclose(adjusted, stats.false_discovery_control(p, method="bh"))


def test_benjamini_hochberg_keeps_missing_values_out_of_the_family():
    adjusted = benjamini_hochberg(pl.Series([0.021, None, 0.5, 0.02]))
    assert math.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2, 3]], [0.0315, 0.5, 0.0315])
    assert np.isnan(benjamini_hochberg([None, float("nan")])).all()


def test_benjamini_hochberg_is_monotone_in_p_and_never_above_one():
    p = np.random.default_rng(3).uniform(size=200) ** 0.3
    adjusted = benjamini_hochberg(p)
    order = np.argsort(p)
    assert np.all(np.diff(adjusted[order]) >= 0)
    assert adjusted.max() <= 1.0
    assert np.all(adjusted >= p)


def test_benjamini_hochberg_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 1.2])


# --------------------------------------------------------------------------- disclosure


def test_counts_of_one_to_four_are_suppressed_with_their_estimates_and_zero_is_shown():
    frame = pl.DataFrame({"area": list("abcdef"), "events": [0, 1, 4, 5, 12, None]})
    frame = frame.with_columns(rate=pl.Series([0.0, 0.1, 0.4, 0.5, 1.2, None]))
    out = suppress_small_counts(frame, ["events"], value_columns=["rate"])
    assert out["suppressed"].to_list() == [False, True, True, False, False, False]
    assert out["events"].to_list() == [0, None, None, 5, 12, None]
    assert out["rate"].to_list() == [0.0, None, None, 0.5, 1.2, None]
    assert out["area"].to_list() == list("abcdef")


def test_a_published_total_makes_a_lone_suppressed_cell_take_the_next_smallest_with_it():
    frame = pl.DataFrame({"area": list("abcd"), "events": [0, 3, 7, 20]})
    primary_only = suppress_small_counts(frame, ["events"])
    assert primary_only["suppressed"].to_list() == [False, True, False, False]
    protected = suppress_small_counts(frame, ["events"], protect_total=True)
    # 3 alone could be recovered from the total; 7 joins it, the zero cannot help.
    assert protected["suppressed"].to_list() == [False, True, True, False]
    assert protected["events"].to_list() == [0, None, None, 20]


def test_secondary_suppression_continues_until_the_hidden_cells_reach_the_threshold():
    frame = pl.DataFrame({"events": [1, 1, 2, 9, 30]})
    protected = suppress_small_counts(frame, ["events"], protect_total=True)
    # Primary 1 + 1 + 2 = 4 < 5, so 9 is hidden too.
    assert protected["suppressed"].to_list() == [True, True, True, True, False]


def test_suppression_refuses_to_overwrite_an_existing_flag():
    with pytest.raises(ValueError, match="suppressed"):
        suppress_small_counts(pl.DataFrame({"n": [1], "suppressed": [False]}), ["n"])


# --------------------------------------------------------------------------- published table


def _simulated_areas(n: int = 400, seed: int = 17) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    indicator, businesses, mean = _poisson_areas(rng, n, log_rate_ratio=0.3)
    return pl.DataFrame(
        {
            "lsoa_code": [f"E0100{i:04d}" for i in range(n)],
            "deprivation": indicator,
            "noise": rng.uniform(size=n),
            "businesses": businesses,
            "penalties": rng.poisson(mean),
            "namings": _nb2_draw(rng, mean * 3, alpha=1.0),
            "rare": np.where(np.arange(n) < 3, 1, 0),
            "none": np.zeros(n, dtype=int),
        }
    )


def test_area_correlations_has_exactly_the_published_columns_and_a_row_per_combination():
    areas = _simulated_areas()
    indicators, outcomes = ["deprivation", "noise"], ["penalties", "namings", "rare", "none"]
    table = area_correlations(areas, indicators, outcomes, "businesses", "lsoa", "2025-11")
    assert table.schema == pl.Schema(AREA_CORRELATIONS_SCHEMA)
    assert table.columns == [
        "area_level", "indicator", "outcome", "method", "n", "estimate", "ci_low",
        "ci_high", "p_value", "p_adjusted", "suppressed", "data_vintage",
    ]  # fmt: skip
    assert table.height == len(indicators) * len(outcomes) * 3
    assert table.select("indicator", "outcome").unique().height == 8
    assert set(table["area_level"]) == {"lsoa"} and set(table["data_vintage"]) == {"2025-11"}


def test_area_correlations_records_the_count_family_chosen_for_each_outcome():
    table = area_correlations(
        _simulated_areas(), ["deprivation"], ["penalties", "namings"], "businesses", "lsoa", "v1"
    )
    methods = dict(
        table.filter(~pl.col("method").is_in(["spearman", "pearson"]))
        .select("outcome", "method")
        .iter_rows()
    )
    assert methods == {"penalties": "poisson", "namings": "negative_binomial"}
    penalties = table.filter(outcome="penalties", method="poisson").row(0, named=True)
    assert penalties["ci_low"] < math.exp(0.3) < penalties["ci_high"]


def test_p_adjusted_is_benjamini_hochberg_over_every_row_of_the_call():
    table = area_correlations(
        _simulated_areas(),
        ["deprivation", "noise"],
        ["penalties", "namings"],
        "businesses",
        "lsoa",
        "v1",
    )
    assert not table["suppressed"].any()
    np.testing.assert_allclose(
        table["p_adjusted"].to_numpy(), benjamini_hochberg(table["p_value"]), rtol=1e-12
    )


def test_rare_outcomes_are_suppressed_and_an_all_zero_outcome_has_null_estimates():
    table = area_correlations(
        _simulated_areas(), ["deprivation"], ["rare", "none"], "businesses", "lsoa", "v1"
    )
    rare = table.filter(outcome="rare")
    assert rare["suppressed"].all()
    assert rare.select("n", "estimate", "p_value", "p_adjusted").null_count().row(0) == (3,) * 4
    none = table.filter(outcome="none")
    assert not none["suppressed"].any()
    assert none["n"].to_list() == [400] * 3
    assert none["estimate"].null_count() == 3


def test_a_table_resting_on_four_areas_is_suppressed():
    areas = _simulated_areas(n=4).with_columns(penalties=pl.lit(10))
    table = area_correlations(areas, ["deprivation"], ["penalties"], "businesses", "la", "v1")
    assert table["suppressed"].all()
    assert table["estimate"].null_count() == 3


# The rate model then fits every area exactly, which statsmodels reports as "perfect
# prediction"; the rate ratio (1) is still identified.
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_correlations_use_the_rate_per_business_not_the_raw_count():
    # Events exactly proportional to businesses: the count correlates perfectly with size,
    # the rate is constant, so there is no correlation to report.
    areas = pl.DataFrame({"size": [10, 20, 30, 40, 50, 60], "events": [1, 2, 3, 4, 5, 6]})
    table = area_correlations(areas, ["size"], ["events"], "size", "la", "v1")
    correlations = table.filter(pl.col("method").is_in(["spearman", "pearson"]))
    assert correlations["n"].to_list() == [6, 6]
    assert correlations["estimate"].null_count() == 2


def test_area_correlations_names_missing_columns():
    with pytest.raises(ValueError, match="absent"):
        area_correlations(_simulated_areas(), ["absent"], ["penalties"], "businesses", "la", "v1")


# --------------------------------------------------------------------------- enforcement


def test_enforcement_rate_interval_is_garwoods_exact_poisson_interval():
    # Garwood (1936) 95% limits for 0, 1 and 5 events: [0, 3.689], [0.0253, 5.572],
    # [1.6235, 11.668]; over 1,000 businesses they are rates per 1,000 directly.
    areas = pl.DataFrame({"area": ["a", "b", "c"], "events": [0, 1, 5], "shops": [1000] * 3})
    out = enforcement_intensity(areas, "events", "shops")
    assert out["rate_per_1000"].to_list() == [0.0, 1.0, 5.0]
    np.testing.assert_allclose(out["rate_ci_low"].to_numpy(), [0.0, 0.0253, 1.6235], atol=1e-4)
    np.testing.assert_allclose(out["rate_ci_high"].to_numpy(), [3.6889, 5.5716, 11.6683], rtol=1e-4)


def test_an_area_far_above_the_overall_rate_is_outside_the_funnel():
    areas = pl.DataFrame(
        {"area": list("abcdefghij"), "events": [10] * 9 + [40], "shops": [100] * 10}
    )
    out = enforcement_intensity(areas, "events", "shops")
    assert out["overall_rate_per_1000"].unique().to_list() == [pytest.approx(130.0)]
    assert out["outside_funnel"].to_list() == [False] * 9 + [True]
    assert (out["funnel_low"] < 130.0).all() and (out["funnel_high"] > 130.0).all()


def test_areas_without_businesses_get_no_rate():
    areas = pl.DataFrame({"area": ["a", "b", "c"], "events": [2, 0, None], "shops": [100, 0, 50]})
    out = enforcement_intensity(areas, "events", "shops")
    assert out["rate_per_1000"].to_list() == [20.0, None, None]
    assert out["outside_funnel"].to_list() == [False, None, None]
    assert out["overall_rate_per_1000"].to_list() == [20.0] * 3


def test_order_free_sum_is_the_same_in_any_order_of_its_terms():
    from heyrick_dagster.analysis.stats import order_free_sum

    draws = np.random.default_rng(7).random(500).tolist()
    values, reordered = draws, sorted(draws)
    forwards = pl.DataFrame({"p": values})
    backwards = pl.DataFrame({"p": reordered})
    assert sum(values) != sum(reordered)  # plain float sums do depend on the order
    one, other = (f.select(order_free_sum("p")).item() for f in (forwards, backwards))
    assert one == other
    assert abs(one - sum(values)) < 1e-9
