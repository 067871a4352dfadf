"""A transparent scorecard: one graded, calibrated score per target premises.

How the weights are made (the fit), all from data published on or before `as_of`:
- the indicators are taken as of `as_of - horizon` (default two years earlier);
- the outcome is each premises' expected number of enforcement events published in
  (as_of - horizon, as_of]: the sum of the events' attribution probabilities;
- a Poisson model of that outcome on the indicators, over the scored (target-sector)
  premises, gives one weight per indicator: its log rate ratio per unit
  (`Indicator.unit`). A premises-level model rather than the area correlations, because
  the weights must say how much each indicator adds *given the others* (the area
  correlations are one indicator at a time, and ecological). The area correlations are
  published beside it as the population-level check.
- Each weight has a Normal(0, 1) prior (a ridge penalty; the fit is its posterior mode):
  with a few dozen events, a flag that no penalised premises happens to carry would
  otherwise get a weight of minus infinity. A priori 95% of rate ratios per unit lie in
  [0.14, 7.1]: weak next to the data whenever an indicator has support. Intervals are
  from the curvature at the mode (Laplace approximation).
- An indicator known for under MIN_SHARE_KNOWN of the fitted premises (e.g. the rating
  trend where few earlier copies of the FHRS files reach back to the fit window) is given
  weight 0 rather than a weight resting on a handful of premises.

The score of a premises is sum_k weight_k * (indicator_k - mean_k), the means taken
over the fitted premises, so an unknown indicator adds nothing and a score of 0 is an
average premises. It is the log of the premises' rate relative to that average, so it
is graded and unbounded (no saturation at the top). Calibrated: `expected_events_per_year`
= exp(intercept + score) / horizon in years, the fit window's enforcement rate for this
premises per year of trading (assuming the rate of enforcement stays as it was). The
intercept counts each fitted premises as exposed only for the part of the window it traded
in (analysis/exposure.py, `_exposed_intercept`): the register lists today's premises, fewer
of which traded in the past, and without this the expected later events fell a quarter
short of those observed. The prior does not cause such a shortfall: the intercept is not
penalised, so the fitted premises expect exactly the events they had whatever the prior.

Ranks are strict: score descending, then prior expected events descending, then fhrsid
ascending, so equal scores are ordered the same way on every run.

Every row says "indication, not evidence", and "synthetic" when computed from the sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from heyrick_dagster.analysis.exposure import exposure_share, trading_since
from heyrick_dagster.analysis.indicators import (
    BY_NAME,
    INDICATOR_NAMES,
    describe_value,
    premises_indicators,
)
from heyrick_dagster.analysis.stats import order_free_sum

HORIZON_DAYS = 730
PRIOR_SD = 1.0
# An indicator known for fewer of the fitted premises than this gets weight 0: its weight
# would rest on a handful of premises yet apply to every premises it is known for when
# scoring. Measured: the rating trend, known for 33 of 1,495 premises (2.2%) four years
# before the sample's extract (few earlier copies reach back that far), took a weight of
# -0.81 per step, and the top 10% then captured 29% of later events instead of 50%.
MIN_SHARE_KNOWN = 0.10
TOP_REASONS = 3
SCORE_MEANING = (
    "score: natural log of the premises' expected enforcement events per year of trading, "
    "relative to the average premises of the fit; expected_events_per_year: those expected "
    "events (illegal-working penalties and minimum-wage namings, counted as attributed), "
    "assuming enforcement continues as in the fit window; over a horizon of h years a "
    "premises trading throughout expects h times as many"
)
CAVEAT = "Indication, not evidence"
SYNTHETIC_CAVEAT = "synthetic sample data, not real businesses"
SYNTHETIC_ORIGIN = "synthetic sample"

# The sources each indicator rests on, as named in `sources` (keys of source_vintages).
INDICATOR_SOURCES = {
    "hygiene_rating_shortfall": ("fhrs",),
    "confidence_in_management_points_lost": ("fhrs",),
    "rating_decline": ("fhrs", "fhrs_history"),
    "recent_incorporation": ("companies_house",),
    "companies_at_premises_postcode": ("companies_house",),
    "company_distressed": ("companies_house",),
    "phoenix_like_company_name": ("companies_house",),
    "controllers_shared_with_food_companies": ("psc", "companies_house"),
    "phoenix_successor": ("psc", "companies_house"),
    "prior_enforcement": ("illegal_working", "nmw_naming"),
    "management_points_lost_mean": ("fhrs", "fhrs_history"),
    "hygiene_structural_points_lost_mean": ("fhrs", "fhrs_history"),
    "area_enforcement": ("illegal_working", "nmw_naming"),
    "area_deprivation": ("imd", "postcodes"),
}
SOURCE_LABELS = {
    "fhrs": "FSA food hygiene ratings",
    "fhrs_history": "earlier copies of the FSA food hygiene files",
    "companies_house": "Companies House",
    "psc": "Companies House PSC snapshot (pseudonymised)",
    "illegal_working": "Home Office illegal-working penalties",
    "nmw_naming": "DBT minimum-wage naming",
    "imd": "English IMD 2019",
    "postcodes": "ONS postcode directory",
}

WEIGHTS_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String,
    "unit": pl.String,
    "weight": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "rate_ratio": pl.Float64,
    "mean": pl.Float64,
    "share_known": pl.Float64,
    "note": pl.String,
}


@dataclass(frozen=True)
class Scorecard:
    """The fitted weights and everything needed to apply them and to say how they were made."""

    weights: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    means: dict[str, float]
    share_known: dict[str, float]
    notes: dict[str, str]
    intercept: float
    fit_start: date
    fit_end: date
    n_premises: int
    events: float
    converged: bool
    horizon_days: int = HORIZON_DAYS
    prior_sd: float = PRIOR_SD
    mean_exposure: float = 1.0  # mean share of the fit window the fitted premises traded in
    indicators: tuple[str, ...] = field(default=INDICATOR_NAMES)

    def weights_table(self) -> pl.DataFrame:
        rows = [
            {
                "indicator": name,
                "unit": BY_NAME[name].unit,
                "weight": self.weights[name],
                "ci_low": self.intervals[name][0],
                "ci_high": self.intervals[name][1],
                "rate_ratio": math.exp(self.weights[name]),
                "mean": self.means[name],
                "share_known": self.share_known[name],
                "note": self.notes.get(name),
            }
            for name in self.indicators
        ]
        return pl.DataFrame(rows, schema=WEIGHTS_SCHEMA)

    def describe(self) -> dict:
        described = {
            "fit_window": [self.fit_start.isoformat(), self.fit_end.isoformat()],
            "premises": self.n_premises,
            "expected_events": round(self.events, 3),
            "model": f"Poisson, Normal(0, {self.prior_sd:g}) prior on each weight (ridge)",
            "converged": self.converged,
            "mean_exposure": round(self.mean_exposure, 4),
            "score_meaning": SCORE_MEANING,
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
        }
        if not self.events:
            described["note"] = (
                "no enforcement event in the fit window: every weight is 0 and the ranking "
                "is only the tie-break (prior events, then fhrsid)"
            )
        return described


def later_events(
    events: pl.DataFrame, event_premises: pl.DataFrame, after: date, until: date | None = None
) -> pl.DataFrame:
    """fhrsid -> `events` (expected count: sum of attribution probabilities) and `p_any`
    (probability of at least one, attributions taken as independent) of the events
    published in (after, until]."""
    window = pl.col("published_date") > after
    if until is not None:
        window &= pl.col("published_date") <= until
    chosen = events.filter(window).select("event_key")
    return (
        event_premises.join(chosen, on="event_key", how="semi")
        .sort("fhrsid", "event_key")  # the product below depends on the order of its terms
        .group_by("fhrsid", maintain_order=True)
        .agg(
            order_free_sum("attribution_probability").alias("events"),
            (1 - (1 - pl.col("attribution_probability")).product()).alias("p_any"),
        )
    )


def _design(frame: pl.DataFrame, means: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    """Centred indicators; an unknown value is the mean (adds nothing)."""
    columns = [
        (frame[name].cast(pl.Float64).fill_null(means[name]) - means[name]).to_numpy()
        for name in names
    ]
    return np.column_stack(columns) if columns else np.zeros((frame.height, 0))


def _fit_poisson_map(
    y: np.ndarray, X: np.ndarray, offset: float, prior_sd: float, iterations: int = 100
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Posterior mode of a Poisson log-linear model with N(0, prior_sd^2) on the weights
    (flat on the intercept) by Newton-Raphson with step halving; returns (params with the
    intercept first, their covariance from the negative inverse Hessian, converged)."""
    design = np.column_stack([np.ones(y.size), X])
    penalty = np.full(design.shape[1], 1.0 / prior_sd**2)
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    beta[0] = math.log(max(y.mean(), 1e-6)) - offset

    def objective(b: np.ndarray) -> float:
        eta = offset + design @ b
        return float(y @ eta - np.exp(eta).sum() - 0.5 * (penalty * b**2).sum())

    current = objective(beta)
    converged = False
    for _ in range(iterations):
        mu = np.exp(offset + design @ beta)
        gradient = design.T @ (y - mu) - penalty * beta
        hessian = design.T @ (design * mu[:, None]) + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-8:
            candidate = beta + size * step
            value = objective(candidate)
            if value >= current - 1e-12:
                break
            size /= 2
        beta, previous, current = candidate, current, value
        if abs(current - previous) < 1e-10 and np.max(np.abs(size * step)) < 1e-8:
            converged = True
            break
    mu = np.exp(offset + design @ beta)
    hessian = design.T @ (design * mu[:, None]) + np.diag(penalty)
    return beta, np.linalg.inv(hessian), converged


def _exposed_intercept(y: np.ndarray, scores: np.ndarray, exposed: np.ndarray) -> float:
    """The log of the expected events over the horizon of an average premises trading
    throughout it: the intercept at which the fitted premises, each exposed for its share
    of the window, expect as many events as they had (the Poisson score equation of the
    intercept with log(exposure) as offset, the weights held).

    Why the weights are fitted without the exposure: at the validation cut-off (2022-12-31,
    seeds 20261127 and 404) fitting them with it left the top-10% capture as it was (47.0%,
    34.5%) and calibrated worse (observed / expected 1.17 pooled, against 1.00 with the
    exposure in the intercept only); the trading start is a proxy known for about half
    the premises (analysis/exposure.py), and the rate level is what calibration needs."""
    return math.log(float(y.sum()) / float(np.sum(exposed * np.exp(scores))))


def fit_scorecard(
    tables: dict[str, pl.DataFrame],
    as_of: date,
    horizon_days: int = HORIZON_DAYS,
    prior_sd: float = PRIOR_SD,
    hide_ratings_after_as_of: bool = False,
    left_out: tuple[str, ...] = (),
    indicators_at_start: pl.DataFrame | None = None,
) -> Scorecard:
    """Weights from the indicators at `as_of - horizon` and the events published in
    (as_of - horizon, as_of]: nothing published after `as_of` is read. The indicators in
    `left_out` get weight 0 (to see what the ranking is without them: the bias audit).
    `indicators_at_start`: premises_indicators(tables, as_of - horizon,
    hide_ratings_after_as_of) when the caller has them already (several fits of one
    evaluation share them; nationally each costs seconds)."""
    start = as_of - timedelta(days=horizon_days)
    if indicators_at_start is None:
        indicators_at_start = premises_indicators(tables, start, hide_ratings_after_as_of)
    features = indicators_at_start.filter(pl.col("is_target_sector"))
    premises_type = tables["dim_premises"].schema["fhrsid"]
    outcome = later_events(
        tables["fct_enforcement_events"],
        tables["fct_event_premises"].with_columns(pl.col("fhrsid").cast(premises_type)),
        after=start,
        until=as_of,
    )
    # Sorted: the means and the fit sum over premises, and float sums depend on their order.
    frame = (
        features.join(outcome, on="fhrsid", how="left")
        .with_columns(pl.col("events").fill_null(0.0))
        .sort("fhrsid")
    )
    means, share_known, notes = {}, {}, {}
    usable = []
    for name in INDICATOR_NAMES:
        values = frame[name].cast(pl.Float64)
        known = values.drop_nulls()
        share_known[name] = known.len() / frame.height if frame.height else 0.0
        means[name] = float(known.mean()) if known.len() else 0.0
        if name in left_out:
            notes[name] = "left out of this fit: weight 0"
        elif known.len() == 0 or known.n_unique() < 2:
            notes[name] = "constant or unknown in the fit window: weight 0"
        elif share_known[name] < MIN_SHARE_KNOWN:
            notes[name] = (
                f"known for {share_known[name]:.1%} of the fitted premises, under "
                f"{MIN_SHARE_KNOWN:.0%}: weight 0"
            )
        else:
            usable.append(name)
    y = frame["events"].to_numpy()
    years = horizon_days / 365.25
    weights = dict.fromkeys(INDICATOR_NAMES, 0.0)
    intervals = dict.fromkeys(INDICATOR_NAMES, (0.0, 0.0))
    intercept, converged = -math.inf, True
    exposed = exposure_share(
        frame.join(
            trading_since(tables["dim_premises"], tables["dim_companies"]), on="fhrsid"
        ).sort("fhrsid"),
        start,
        as_of,
    ).to_numpy()
    if frame.height and y.sum() > 0:
        X = _design(frame, means, tuple(usable))
        params, covariance, converged = _fit_poisson_map(y, X, math.log(years), prior_sd)
        for k, name in enumerate(usable, start=1):
            se = math.sqrt(max(covariance[k, k], 0.0))
            weights[name] = float(params[k])
            intervals[name] = (float(params[k] - 1.96 * se), float(params[k] + 1.96 * se))
        intercept = _exposed_intercept(y, X @ params[1:], exposed)
    else:
        notes = dict.fromkeys(INDICATOR_NAMES, "no events in the fit window: weight 0")
    return Scorecard(
        weights=weights,
        intervals=intervals,
        means=means,
        share_known=share_known,
        notes=notes,
        intercept=intercept,
        fit_start=start,
        fit_end=as_of,
        n_premises=frame.height,
        events=float(y.sum()),
        converged=converged,
        horizon_days=horizon_days,
        prior_sd=prior_sd,
        mean_exposure=float(np.mean(exposed)) if exposed.size else 1.0,
    )


def _sum_in_order(scored: pl.DataFrame, names: tuple[str, ...]) -> np.ndarray:
    """The contributions added left to right, in the order of `names`. Not
    pl.sum_horizontal: it added the same terms in another order from one call to the next
    (on the CI's sample, 102 of 1,495 scores changed in their last bit after five calls in
    one process), so a run resumed after a kill published scores that were not
    byte-identical to a clean run's (tests/integration/test_faults.py)."""
    total = np.zeros(scored.height)
    for name in names:
        total = total + scored[f"contribution__{name}"].to_numpy()
    return total


def score(indicators: pl.DataFrame, scorecard: Scorecard) -> pl.DataFrame:
    """The target premises of `indicators` with `score`, one `contribution__<indicator>` per
    indicator, `expected_events_per_year` and a strict `rank` (1 = highest)."""
    scored = indicators.filter(pl.col("is_target_sector"))
    contributions = [
        (
            (pl.col(name).cast(pl.Float64) - scorecard.means[name]).fill_null(0.0)
            * scorecard.weights[name]
        ).alias(f"contribution__{name}")
        for name in scorecard.indicators
    ]
    years = scorecard.horizon_days / 365.25
    scored = scored.with_columns(contributions)
    scored = scored.with_columns(pl.Series("score", _sum_in_order(scored, scorecard.indicators)))
    return (
        scored.with_columns(
            ((scorecard.intercept + pl.col("score")).exp() / years).alias(
                "expected_events_per_year"
            )
        )
        .sort(
            ["score", "prior_enforcement_expected", "fhrsid"],
            descending=[True, True, False],
        )
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    )


def explanation(row: dict, scorecard: Scorecard) -> str:
    """The caveat, then the indicators that raise this premises' score most, in words."""
    caveat = CAVEAT
    if row.get("data_origin") == SYNTHETIC_ORIGIN:
        caveat += f" ({SYNTHETIC_CAVEAT})"
    raising = sorted(
        (
            (row[f"contribution__{name}"], name)
            for name in scorecard.indicators
            if row[f"contribution__{name}"] > 1e-9
        ),
        reverse=True,
    )[:TOP_REASONS]
    if not raising:
        return f"{caveat}. No indicator is above the average of the premises scored."
    reasons = "; ".join(
        f"{describe_value(name, row[name])} (x{math.exp(c):.2f} the average rate)"
        for c, name in raising
    )
    return f"{caveat}. Raised by: {reasons}."


def sources(row: dict, source_vintages: dict[str, str]) -> str:
    """The sources this premises' known indicators rest on, each with its vintage."""
    used: list[str] = []
    for name, keys in INDICATOR_SOURCES.items():
        if row.get(name) is None:
            continue
        if name == "prior_enforcement" and not row[name]:
            continue
        for key in keys:
            if key not in used:
                used.append(key)
    return "; ".join(
        f"{SOURCE_LABELS[key]} ({source_vintages.get(key, 'vintage unknown')})" for key in used
    )


def premises_indications(
    indicators: pl.DataFrame, scorecard: Scorecard, source_vintages: dict[str, str]
) -> pl.DataFrame:
    """`analysis.premises_indications`: fhrsid, business_id, score, rank, explanation,
    sources, as_of, then expected_events_per_year, top_percent, caveat and the premises'
    sector and areas, ranked."""
    ranked = score(indicators, scorecard)
    n = ranked.height
    rows = ranked.to_dicts()
    caveats = [
        CAVEAT + (f"; {SYNTHETIC_CAVEAT}" if r.get("data_origin") == SYNTHETIC_ORIGIN else "")
        for r in rows
    ]
    return ranked.with_columns(
        pl.Series("explanation", [explanation(r, scorecard) for r in rows], dtype=pl.String),
        pl.Series("sources", [sources(r, source_vintages) for r in rows], dtype=pl.String),
        pl.Series("caveat", caveats, dtype=pl.String),
        (100.0 * pl.col("rank") / max(n, 1)).alias("top_percent"),
    ).select(
        "fhrsid",
        "business_id",
        "score",
        "rank",
        "explanation",
        "sources",
        "as_of",
        "expected_events_per_year",
        "top_percent",
        "caveat",
        "sector",
        "la_code",
        "lsoa_code",
        "imd_decile",
        "data_origin",
        "data_vintage",
    )


AREA_LEVELS = {"lsoa": "lsoa_code", "local_authority": "la_code"}


def area_indications(indications: pl.DataFrame, top_fraction: float = 0.10) -> pl.DataFrame:
    """`analysis.area_indications`: the ranked list of areas, one row per LSOA and per local
    authority with scored premises: how many, their expected enforcement events a year per
    1,000 scored premises (the mean of the calibrated scores, so a large area does not win
    by size), how many are in the top `top_fraction` of the premises list, and a strict
    rank within the level (ties by more premises in the top, then area code)."""
    n = indications.height
    top = indications.with_columns(
        (pl.col("rank") <= max(1, math.ceil(top_fraction * n))).alias("_top")
    )
    levels = []
    for level, key in AREA_LEVELS.items():
        per_area = (
            top.filter(pl.col(key).is_not_null())
            .group_by(key)
            .agg(
                pl.len().alias("scored_premises"),
                # Means as order-free sums over counts: polars' threaded group means
                # differed in their last bits between a clean and a resumed run.
                (
                    1000
                    * order_free_sum("expected_events_per_year")
                    / pl.col("expected_events_per_year").count()
                ).alias("expected_events_per_year_per_1000"),
                (order_free_sum("score") / pl.col("score").count()).alias("mean_score"),
                pl.col("_top").sum().cast(pl.Int64).alias("premises_in_top"),
                pl.col("data_origin").first(),
            )
            .sort(
                ["expected_events_per_year_per_1000", "premises_in_top", key],
                descending=[True, True, False],
            )
            .with_columns(
                pl.lit(level).alias("area_level"),
                pl.col(key).cast(pl.String).alias("area_code"),
                pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"),
            )
        )
        levels.append(per_area.drop(key))
    columns = [
        "area_level",
        "area_code",
        "rank",
        "scored_premises",
        "expected_events_per_year_per_1000",
        "mean_score",
        "premises_in_top",
        "data_origin",
    ]
    caveat = pl.lit(
        CAVEAT + ": expected enforcement, which is where officials look as much as "
        "where exploitation is"
    ).alias("caveat")
    return pl.concat([f.select(columns) for f in levels]).with_columns(caveat)
