"""Statistics for the area-level correlation analysis (`analysis.area_correlations`).

Every function here is pure: numpy arrays, polars Series or polars frames in, polars
frames (or a numpy array) out; no Dagster, no DuckDB. What the results mean: an area
whose indicator moves with an outcome is an *indication* of where to look, never
evidence that anything happened there. Enforcement outcomes (penalties, namings) measure
where officials looked as much as what is there, so every outcome is published beside
`enforcement_intensity`.

Conventions shared by all functions:
- A missing value is a polars null or a non-finite float (NaN, ±inf). Correlations drop
  pairs with a missing value; count models drop rows with any missing value. Both report
  the `n` they used.
- An estimate that cannot be computed (too few rows, a constant input, no events) is a
  null, never an exception: a published table with an empty cell beats a failed run.
  Invalid input (negative counts, unknown method, mismatched lengths) raises ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
import statsmodels.api as sm
from scipy import optimize, special, stats

CorrelationMethod = Literal["spearman", "pearson"]
CountFamily = Literal["poisson", "negative_binomial"]
ArrayLike = np.ndarray | pl.Series | Sequence[float | int | None]

CORRELATION_SCHEMA: dict[str, pl.DataType] = {
    "n": pl.Int64,
    "estimate": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
}

COUNT_MODEL_SCHEMA: dict[str, pl.DataType] = {
    "covariate": pl.String,
    "family": pl.String,
    "n": pl.Int64,
    "events_total": pl.Int64,
    "n_dropped_zero_exposure": pl.Int64,
    "n_dropped_missing": pl.Int64,
    "estimate": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "alpha": pl.Float64,
    "pearson_chi2_df": pl.Float64,
    "note": pl.String,
}

OVERDISPERSION_SCHEMA: dict[str, pl.DataType] = {
    "n": pl.Int64,
    "pearson_chi2_df": pl.Float64,
    "alpha": pl.Float64,
    "lr_statistic": pl.Float64,
    "p_value": pl.Float64,
    "family": pl.String,
}

# The published contract of `analysis.area_correlations` (DESIGN.md section 9), in order.
AREA_CORRELATIONS_SCHEMA: dict[str, pl.DataType] = {
    "area_level": pl.String,
    "indicator": pl.String,
    "outcome": pl.String,
    "method": pl.String,
    "n": pl.Int64,
    "estimate": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "p_adjusted": pl.Float64,
    "suppressed": pl.Boolean,
    "data_vintage": pl.String,
}

# Small-count rule of UK official statistics: counts 1..4 are never published.
SMALL_COUNT_THRESHOLD = 5

# alpha (NB2 dispersion) is searched in [1e-8, 1e3]: 1e-8 is Poisson to float precision,
# and 1e3 (variance a thousand times mu squared) is beyond any area count seen in practice.
_LOG_ALPHA_BOUNDS = (math.log(1e-8), math.log(1e3))


def _as_float(values: ArrayLike) -> np.ndarray:
    """A one-dimensional float64 array with nulls (polars null, None) as NaN."""
    if isinstance(values, pl.Series):
        return values.cast(pl.Float64).to_numpy()
    if isinstance(values, np.ndarray) and values.dtype != object:
        return values.astype(float).ravel()
    items = np.asarray(values, dtype=object).ravel()
    return np.array([np.nan if v is None else v for v in items], dtype=float)


def _z_critical(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


# --------------------------------------------------------------------------- correlation


def correlate(
    x: ArrayLike,
    y: ArrayLike,
    method: CorrelationMethod = "spearman",
    confidence: float = 0.95,
) -> pl.DataFrame:
    """One row (`CORRELATION_SCHEMA`): n, estimate, ci_low, ci_high, p_value.

    Why two methods: Spearman's rho is the headline because area indicators and outcome
    rates are skewed and heavy-tailed (a few areas with many penalties); ranks make it
    robust to those and to any monotone transformation of the indicator. Pearson's r is
    reported beside it to show whether the association is also linear on the raw scale.

    Intervals: Fisher's z = atanh(r) is close to normal with variance 1/(n - 3) for Pearson
    (assumes bivariate normality; it is anti-conservative under heavy tails, one more
    reason for Spearman). For Spearman the variance is Bonett & Wright's (2000)
    (1 + r^2 / 2) / (n - 3), which keeps coverage near nominal for |rho| up to about 0.9
    with continuous data; many ties (e.g. most areas with a zero rate) make it approximate.
    p-values are scipy's: the exact beta distribution of r for Pearson, the t approximation
    for Spearman. Observations (areas) are assumed independent; spatial autocorrelation
    between neighbouring areas makes every interval here too narrow.

    Degenerate input is not an error: pairs with a missing value are dropped; with fewer
    than 3 pairs or a constant input the estimate and p-value are null; with exactly 3
    pairs the interval is null (Fisher's variance needs n > 3). |r| = 1 gives [r, r].
    """
    if method not in ("spearman", "pearson"):
        raise ValueError(f"method must be 'spearman' or 'pearson', got {method!r}")
    z_crit = _z_critical(confidence)
    xs, ys = _as_float(x), _as_float(y)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y differ in length: {xs.size} and {ys.size}")
    paired = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[paired], ys[paired]
    n = int(xs.size)
    estimate = ci_low = ci_high = p_value = None
    if n >= 3 and np.ptp(xs) > 0 and np.ptp(ys) > 0:
        test = stats.spearmanr if method == "spearman" else stats.pearsonr
        result = test(xs, ys)
        estimate, p_value = float(result.statistic), float(result.pvalue)
        if abs(estimate) >= 1.0:
            ci_low = ci_high = estimate
        elif n > 3:
            variance = 1.0 / (n - 3)
            if method == "spearman":
                variance *= 1.0 + estimate**2 / 2.0
            z = math.atanh(estimate)
            half_width = z_crit * math.sqrt(variance)
            ci_low, ci_high = math.tanh(z - half_width), math.tanh(z + half_width)
    return pl.DataFrame(
        [{"n": n, "estimate": estimate, "ci_low": ci_low, "ci_high": ci_high, "p_value": p_value}],
        schema=CORRELATION_SCHEMA,
    )


# --------------------------------------------------------------------------- count models


@dataclass(frozen=True)
class _Design:
    """Response, design matrix (intercept first) and offset after dropping unusable rows."""

    y: np.ndarray
    X: np.ndarray
    offset: np.ndarray
    names: list[str]
    n_dropped_zero_exposure: int
    n_dropped_missing: int
    problem: str | None  # why no model can be fitted, or None


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray  # intercept first
    bse: np.ndarray
    pvalues: np.ndarray
    llf: float
    alpha: float | None
    pearson_chi2_df: float
    converged: bool


def _design(events: ArrayLike, exposure: ArrayLike, covariates: Mapping[str, ArrayLike]) -> _Design:
    y, e = _as_float(events), _as_float(exposure)
    if y.shape != e.shape:
        raise ValueError(f"events and exposure differ in length: {y.size} and {e.size}")
    columns = {name: _as_float(values) for name, values in covariates.items()}
    if not columns:
        raise ValueError("count_model needs at least one covariate")
    for name, values in columns.items():
        if values.shape != y.shape:
            raise ValueError(f"covariate {name!r} has {values.size} values, events {y.size}")
    if np.any(y[np.isfinite(y)] < 0) or np.any(y[np.isfinite(y)] % 1 != 0):
        raise ValueError("events must be non-negative whole numbers")
    if np.any(e[np.isfinite(e)] < 0):
        raise ValueError("exposure must be non-negative")

    complete = np.isfinite(y) & np.isfinite(e)
    for values in columns.values():
        complete &= np.isfinite(values)
    # An area with no businesses cannot have a rate: its log exposure is -inf.
    zero_exposure = complete & (e == 0)
    keep = complete & ~zero_exposure
    X = np.column_stack([np.ones(int(keep.sum()))] + [v[keep] for v in columns.values()])
    y, e = y[keep], e[keep]
    problem = None
    if y.size <= X.shape[1]:
        problem = f"too few rows ({y.size}) for {X.shape[1]} parameters"
    elif y.sum() == 0:
        problem = "no events: rate ratios are not identified"
    elif np.linalg.matrix_rank(X) < X.shape[1]:
        problem = "a covariate is constant or collinear with the others"
    return _Design(
        y=y,
        X=X,
        offset=np.log(e),
        names=list(columns),
        n_dropped_zero_exposure=int(zero_exposure.sum()),
        n_dropped_missing=int((~complete).sum()),
        problem=problem,
    )


def _glm(design: _Design, family: sm.families.Family, start: np.ndarray):
    return sm.GLM(design.y, design.X, family=family, offset=design.offset).fit(start_params=start)


def _irls(design: _Design, alpha: float, start: np.ndarray) -> np.ndarray:
    """The maximum-likelihood beta of the log-link NB2 GLM with dispersion `alpha` (0:
    Poisson), by iteratively reweighted least squares from `start`: what statsmodels' GLM
    computes, without its per-fit overhead (through statsmodels, the alpha search of the
    national LSOA models took 85 s of the 95 their correlations took)."""
    X, offset = design.X, design.offset
    beta = start
    for _ in range(100):
        eta = offset + X @ beta
        mu = np.exp(eta)
        weights = mu / (1.0 + alpha * mu)  # (dmu/deta)^2 / Var(y), Var = mu + alpha mu^2
        working = eta - offset + (design.y - mu) / mu
        weighted = X.T * weights
        updated = np.linalg.solve(weighted @ X, weighted @ working)
        done = np.max(np.abs(updated - beta)) <= 1e-10 * (1.0 + np.max(np.abs(beta)))
        beta = updated
        if done or not np.all(np.isfinite(beta)):
            break
    return beta


def _nb2_llf(design: _Design, alpha: float, beta: np.ndarray) -> float:
    """The NB2 log-likelihood (statsmodels' NegativeBinomial family, scale 1)."""
    mu = np.exp(design.offset + design.X @ beta)
    if not np.all(np.isfinite(mu)):
        return -math.inf  # IRLS diverged: this alpha is never the maximum
    y, size = design.y, 1.0 / alpha
    return float(
        np.sum(
            special.gammaln(y + size)
            - special.gammaln(size)
            - special.gammaln(y + 1.0)
            + y * np.log(alpha * mu / (1.0 + alpha * mu))
            - size * np.log1p(alpha * mu)
        )
    )


def _poisson_start(design: _Design) -> np.ndarray:
    """The Poisson maximum-likelihood beta, from the overall rate."""
    start = np.zeros(design.X.shape[1])
    start[0] = math.log(design.y.sum() / np.exp(design.offset).sum())
    return _irls(design, 0.0, start)


def _profile_alpha(design: _Design, start: np.ndarray) -> float:
    """NB2 alpha maximising the profile log-likelihood (beta refitted by IRLS at each alpha).

    A bounded one-dimensional search cannot diverge the way a joint Newton fit of
    (beta, alpha) can when the data are close to Poisson (alpha on its boundary, 0).
    Every refit starts from `start` (the Poisson fit), not from the previous alpha's: a
    value would otherwise depend on the path of the search.
    """

    def negative_profile_llf(log_alpha: float) -> float:
        alpha = math.exp(log_alpha)
        return -_nb2_llf(design, alpha, _irls(design, alpha, start))

    best = optimize.minimize_scalar(
        negative_profile_llf, bounds=_LOG_ALPHA_BOUNDS, method="bounded", options={"xatol": 1e-5}
    )
    return math.exp(best.x)


def _fit(design: _Design, family: CountFamily) -> _Fit:
    alpha = None
    start = _poisson_start(design)
    if family == "poisson":
        glm_family = sm.families.Poisson()
    else:
        alpha = _profile_alpha(design, start)
        glm_family = sm.families.NegativeBinomial(alpha=alpha)
        start = _irls(design, alpha, start)
    # statsmodels from the maximum found here: it confirms it in an iteration or two and
    # gives the standard errors, p-values and diagnostics.
    result = _glm(design, glm_family, start)
    return _Fit(
        params=np.asarray(result.params),
        bse=np.asarray(result.bse),
        pvalues=np.asarray(result.pvalues),
        llf=float(result.llf),
        alpha=alpha,
        pearson_chi2_df=float(result.pearson_chi2 / result.df_resid),
        converged=bool(result.converged),
    )


def count_model(
    events: ArrayLike,
    exposure: ArrayLike,
    covariates: Mapping[str, ArrayLike],
    family: CountFamily = "poisson",
    confidence: float = 0.95,
) -> pl.DataFrame:
    """One row per covariate (`COUNT_MODEL_SCHEMA`): adjusted rate ratios from one GLM.

    Model: log E[events] = log(exposure) + b0 + sum_k b_k * covariate_k, with exposure the
    number of businesses in the area, so exp(b_k) (`estimate`) is the ratio of event rates
    per business for one unit more of covariate k, the others held fixed. Why a count
    model beside the correlations: events are small counts over areas of very different
    size, and the offset compares rates without the noise of dividing tiny counts.

    Families:
    - `poisson` assumes variance = mean. `pearson_chi2_df` (Pearson chi-square over
      residual degrees of freedom) is its overdispersion diagnostic: near 1 when the
      assumption holds; well above 1 means the Wald intervals are too narrow.
    - `negative_binomial` (NB2) allows variance = mu + alpha * mu^2. `alpha` is fitted
      by maximising the profile likelihood over alpha; beta and its Wald intervals come
      from the GLM at that alpha. Treating alpha as known loses nothing asymptotically:
      in NB2 the information matrix is block-diagonal in (beta, alpha).
    Intervals are Wald intervals on the log scale, exp(b +- z * se); p-values are the
    Wald z-tests. Areas are assumed independent given the covariates.

    Rows with a missing value are dropped (`n_dropped_missing`); rows with exposure 0
    (no businesses, no rate) are dropped and counted (`n_dropped_zero_exposure`).
    When no model can be fitted (too few rows, no events at all, a constant or collinear
    covariate, IRLS not converging) the estimates are null and `note` says why.
    """
    if family not in ("poisson", "negative_binomial"):
        raise ValueError(f"family must be 'poisson' or 'negative_binomial', got {family!r}")
    z_crit = _z_critical(confidence)
    design = _design(events, exposure, covariates)
    fit = None if design.problem else _fit(design, family)
    note = design.problem
    if fit is not None and not fit.converged:
        note, fit = "the model did not converge", None
    rows = []
    for k, name in enumerate(design.names, start=1):
        row = {
            "covariate": name,
            "family": family,
            "n": int(design.y.size),
            "events_total": int(design.y.sum()),
            "n_dropped_zero_exposure": design.n_dropped_zero_exposure,
            "n_dropped_missing": design.n_dropped_missing,
            "note": note,
        }
        if fit is not None:
            beta, se = fit.params[k], fit.bse[k]
            row |= {
                "estimate": math.exp(beta),
                "ci_low": math.exp(beta - z_crit * se),
                "ci_high": math.exp(beta + z_crit * se),
                "p_value": float(fit.pvalues[k]),
                "alpha": fit.alpha,
                "pearson_chi2_df": fit.pearson_chi2_df,
            }
        rows.append(row)
    return pl.DataFrame(rows, schema=COUNT_MODEL_SCHEMA)


def overdispersion_test(
    events: ArrayLike,
    exposure: ArrayLike,
    covariates: Mapping[str, ArrayLike],
    level: float = 0.05,
) -> pl.DataFrame:
    """One row (`OVERDISPERSION_SCHEMA`): which family `area_correlations` uses, and why.

    The test is the likelihood ratio of NB2 against Poisson (alpha = 0). alpha = 0 lies on
    the boundary of the parameter space, so the statistic is a 50:50 mixture of a point
    mass at 0 and chi-square(1) (Self & Liang 1987): p = chi2.sf(LR, 1) / 2. NB is chosen
    when p < `level`. A formal test rather than a rule of thumb on Pearson chi2/df
    (reported too) because that ratio is noisy with few areas and small expected counts.
    When no model can be fitted the family is `poisson` and the other fields are null.
    """
    design = _design(events, exposure, covariates)
    row: dict[str, object] = {"n": int(design.y.size), "family": "poisson"}
    if design.problem is None:
        poisson, negative_binomial = _fit(design, "poisson"), _fit(design, "negative_binomial")
        lr = max(0.0, 2.0 * (negative_binomial.llf - poisson.llf))
        p_value = 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0
        row |= {
            "pearson_chi2_df": poisson.pearson_chi2_df,
            "alpha": negative_binomial.alpha,
            "lr_statistic": lr,
            "p_value": p_value,
            "family": "negative_binomial" if p_value < level else "poisson",
        }
    return pl.DataFrame([row], schema=OVERDISPERSION_SCHEMA)


# --------------------------------------------------------------------------- multiplicity


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values, in the input order.

    Why BH: the correlation table runs many tests (indicator x outcome x method) whose
    results are read as a screen for where to look; controlling the false discovery
    rate keeps power where the family-wise (Bonferroni) correction would leave none.
    BH assumes independent or positively dependent tests (PRDS); the methods on one
    indicator-outcome pair are positively dependent, which is covered.

    adjusted_(i) = min over j >= i of m * p_(j) / j: monotone in p, and never above 1
    because the step-up starts from the largest p (m * p_(m) / m). Missing p-values
    (NaN/null) stay NaN and do not count in m.
    """
    p = _as_float(p_values)
    present = ~np.isnan(p)
    observed = p[present]
    if np.any((observed < 0) | (observed > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    m = observed.size
    if m == 0:
        return adjusted
    order = np.argsort(observed, kind="stable")
    scaled = observed[order] * m / np.arange(1, m + 1)
    stepped_up = np.minimum.accumulate(scaled[::-1])[::-1]
    in_order = np.empty(m)
    in_order[order] = stepped_up
    adjusted[present] = in_order
    return adjusted


# --------------------------------------------------------------------------- disclosure


def suppress_small_counts(
    frame: pl.DataFrame,
    count_columns: Sequence[str],
    threshold: int = SMALL_COUNT_THRESHOLD,
    value_columns: Sequence[str] = (),
    protect_total: bool = False,
) -> pl.DataFrame:
    """`frame` with a boolean `suppressed` column; suppressed rows have their
    `count_columns` and `value_columns` (estimates derived from those counts) nulled.

    The rule: a row is suppressed when any count column is between 1 and threshold - 1
    (1..4 by default), as in UK official statistics. A zero is shown: a true zero
    discloses nothing about a person or a business, and hiding zeros would hide that an
    area has no events at all. Null counts are unknown, so they trigger nothing.

    Secondary suppression (`protect_total=True`): when a total of a count column is
    published beside the rows (e.g. the overall enforcement rate beside per-area counts),
    one suppressed cell can be recovered by subtraction. Then, per count column, the
    smallest visible positive cells are also suppressed until at least two cells are
    hidden and the hidden cells add up to at least `threshold`. `area_correlations` does
    not need this: its estimates do not add up to anything published.
    """
    if "suppressed" in frame.columns:
        raise ValueError("frame already has a 'suppressed' column")
    counts = [pl.col(c) for c in count_columns]
    small = pl.any_horizontal([(c >= 1) & (c < threshold) for c in counts]).fill_null(False)
    suppressed = frame.select(small.alias("suppressed")).to_series().to_numpy().copy()
    if protect_total:
        for column in count_columns:
            values = frame[column].cast(pl.Float64).fill_null(0.0).to_numpy()
            while suppressed.any() and (
                suppressed.sum() < 2 or values[suppressed].sum() < threshold
            ):
                candidates = np.flatnonzero(~suppressed & (values > 0))
                if candidates.size == 0:
                    break
                suppressed[candidates[np.argmin(values[candidates])]] = True
    flag = pl.Series("suppressed", suppressed, dtype=pl.Boolean)
    hidden = [*count_columns, *value_columns]
    return frame.with_columns(flag).with_columns(
        pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in hidden
    )


# --------------------------------------------------------------------------- published table


# One row of area_correlations before the per-call columns: outcome_total decides
# suppression and is not published.
_AREA_ROW_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String,
    "outcome": pl.String,
    "method": pl.String,
    "outcome_total": pl.Int64,
} | CORRELATION_SCHEMA


def area_correlations(
    areas: pl.DataFrame,
    indicators: Sequence[str],
    outcomes: Sequence[str],
    exposure: str,
    area_level: str,
    data_vintage: str,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """The published table `analysis.area_correlations` (`AREA_CORRELATIONS_SCHEMA`).

    `areas` has one row per area of `area_level` (e.g. "lsoa", "local_authority"): the
    indicator columns, the outcome columns (event counts, e.g. penalties) and `exposure`
    (number of businesses). For each indicator x outcome, three rows:
    - `spearman` and `pearson`: correlation of the indicator with the outcome *rate*
      (events per business), so large areas do not win by size; areas with no businesses
      have no rate and are dropped;
    - `poisson` or `negative_binomial`: the rate ratio per unit of the indicator from
      `count_model` with log(businesses) as offset. NB is used when `overdispersion_test`
      rejects Poisson at 5%, and `method` records which. The ratio is per *unit* of the
      indicator, so an indicator on a 0-1 scale gives the ratio across its whole range:
      scale indicators to meaningful units before calling.

    `p_adjusted` is Benjamini–Hochberg across every row of this call (its indicators,
    outcomes and methods form one family), computed before suppression so that hiding a
    row does not shrink the family.

    Suppression (`suppress_small_counts`): a row is suppressed when the outcome total over
    the areas it used is 1..4, or when it rests on 1..4 areas; its n, estimates and
    p-values are nulled. A zero outcome total is not suppressed; its estimates are
    null anyway (a constant outcome has no correlation and no rate ratio).
    """
    missing = [c for c in [*indicators, *outcomes, exposure] if c not in areas.columns]
    if missing:
        raise ValueError(f"areas has no column(s) {missing}")
    businesses = _as_float(areas[exposure])
    with_businesses = np.isfinite(businesses) & (businesses > 0)
    rows = []
    for outcome in outcomes:
        events = _as_float(areas[outcome])
        rate = np.full(events.shape, np.nan)
        np.divide(events, businesses, out=rate, where=with_businesses)
        for indicator in indicators:
            values = _as_float(areas[indicator])
            used = np.isfinite(values) & np.isfinite(rate)
            outcome_total = int(events[used].sum())
            key = {"indicator": indicator, "outcome": outcome}
            for method in ("spearman", "pearson"):
                result = correlate(values, rate, method, confidence).row(0, named=True)
                rows.append(key | result | {"method": method, "outcome_total": outcome_total})
            covariates = {indicator: values}
            family = overdispersion_test(events, businesses, covariates)["family"].item()
            fit = count_model(events, businesses, covariates, family, confidence).row(0, named=True)
            rows.append(
                key
                | {c: fit[c] for c in ("n", "estimate", "ci_low", "ci_high", "p_value")}
                | {"method": family, "outcome_total": fit["events_total"]}
            )
    table = pl.DataFrame(rows, schema=_AREA_ROW_SCHEMA)
    table = table.with_columns(
        pl.Series("p_adjusted", benjamini_hochberg(table["p_value"]), dtype=pl.Float64),
        pl.lit(area_level, dtype=pl.String).alias("area_level"),
        pl.lit(data_vintage, dtype=pl.String).alias("data_vintage"),
    ).with_columns(pl.col("p_adjusted").fill_nan(None))
    table = suppress_small_counts(
        table,
        count_columns=["n", "outcome_total"],
        value_columns=["estimate", "ci_low", "ci_high", "p_value", "p_adjusted"],
    )
    return table.select(list(AREA_CORRELATIONS_SCHEMA)).cast(AREA_CORRELATIONS_SCHEMA)


# --------------------------------------------------------------------------- enforcement


def enforcement_intensity(
    areas: pl.DataFrame,
    events_col: str,
    businesses_col: str,
    confidence: float = 0.95,
    funnel_level: float = 0.998,
) -> pl.DataFrame:
    """`areas` plus enforcement events per 1,000 businesses, its exact interval and a
    funnel-plot flag.

    What it is for: penalties and namings count where the Home Office and HMRC looked,
    not how much exploitation there is. An area with many penalties per business may be
    an area that is inspected a lot. This rate is reported beside every outcome so that
    nobody reads penalty density as prevalence.

    Added columns:
    - `rate_per_1000` = 1000 * events / businesses;
    - `rate_ci_low`, `rate_ci_high`: Garwood's (1936) exact Poisson interval,
      chi2.ppf(a/2, 2k)/2 and chi2.ppf(1 - a/2, 2k + 2)/2 events, per 1,000 businesses.
      Exact because most areas have a handful of events, where the normal approximation
      gives negative lower limits;
    - `overall_rate_per_1000`: all events over all businesses (areas with both known and
      businesses > 0);
    - `funnel_low`, `funnel_high`: the central `funnel_level` range of a Poisson count
      with mean overall rate x businesses, per 1,000 businesses (Spiegelhalter 2005).
      The default 99.8% ("3 sigma") limits are the UK public-health convention: with
      hundreds of areas, 95% limits would flag one in twenty by chance alone;
    - `outside_funnel`: the area's count is outside those limits (more or less
      enforcement than the overall rate predicts for its size).
    Areas with no businesses or a missing value get nulls. These are raw counts: pass the
    frame through `suppress_small_counts(..., protect_total=True)` before publishing counts
    that concern people.
    """
    _z_critical(confidence)
    _z_critical(funnel_level)
    events = _as_float(areas[events_col])
    businesses = _as_float(areas[businesses_col])
    if np.any(events[np.isfinite(events)] < 0) or np.any(businesses[np.isfinite(businesses)] < 0):
        raise ValueError(f"{events_col} and {businesses_col} must be non-negative")
    valid = np.isfinite(events) & np.isfinite(businesses) & (businesses > 0)
    k, b = events[valid], businesses[valid]
    tail = (1 - confidence) / 2
    low = np.where(k > 0, stats.chi2.ppf(tail, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(1 - tail, 2 * k + 2) / 2
    overall = k.sum() / b.sum() if b.size else 0.0
    expected = overall * b
    funnel_tail = (1 - funnel_level) / 2
    funnel_low_count = stats.poisson.ppf(funnel_tail, expected)
    funnel_high_count = stats.poisson.ppf(1 - funnel_tail, expected)

    rows_with_rate = np.flatnonzero(valid)

    def per_area(name: str, values: np.ndarray, dtype: pl.DataType = pl.Float64) -> pl.Series:
        return pl.Series(name, [None] * events.size, dtype=dtype).scatter(rows_with_rate, values)

    per_1000 = 1000.0 / b
    return areas.with_columns(
        per_area("rate_per_1000", k * per_1000),
        per_area("rate_ci_low", low * per_1000),
        per_area("rate_ci_high", high * per_1000),
        pl.lit(1000.0 * overall if b.size else None, dtype=pl.Float64).alias(
            "overall_rate_per_1000"
        ),
        per_area("funnel_low", funnel_low_count * per_1000),
        per_area("funnel_high", funnel_high_count * per_1000),
        per_area("outside_funnel", (k < funnel_low_count) | (k > funnel_high_count), pl.Boolean),
    )


# 2^-40 (~1e-12) is far below any figure published, and 2^63 / 2^40 (~8.4 million) above
# any count of events summed here.
_FIXED_POINT = 2.0**40


def order_free_sum(column: str) -> pl.Expr:
    """The sum of a float column, the same whatever the order of its terms. polars sums a
    group's floats on several threads, so the last bits of a sum could differ from run to
    run and the published scores were not reproducible byte for byte; summed as integers
    in fixed point (units of 2^-40) they are."""
    return (pl.col(column) * _FIXED_POINT).round().cast(pl.Int64).sum() / _FIXED_POINT
