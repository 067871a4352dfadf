"""Time-ordered evaluation of the scorecard: does it point at where enforcement comes next?

Protocol (nothing published after the cut-off is used to fit or to score):
1. fit the scorecard on data published up to `cutoff` (scorecard.fit_scorecard: the
   indicators two years before the cut-off against the events of the last two years);
2. score the target-sector premises with their indicators as of `cutoff`;
3. count the LATER events, published in (cutoff, end], on each scored premises;
4. measure, for the top 1%, 5% and 10% of the ranking, the capture rate (share of the later
   events that fall on those premises) and precision@k (share of those premises with at
   least one later event), against baselines:
   - random: the exact expected value of a random ranking (capture = k / n, precision =
     the share of all scored premises with a later event);
   - FHRS rating alone: worst rating first, premises with no 0-5 rating last; ties (most
     premises share a rating) count at their expected value under a random order of the
     tie (the tied group at the boundary contributes its share of the remaining slots).
Variants:
- `published` (primary; runs on real data): later events are the published events with
  their attribution probabilities (expected counts; precision counts a premises with
  probability 1 - prod(1 - p) of having at least one);
- `published_strict_ratings`: the same, but a hygiene rating dated after the cut-off is
  replaced, both in the fit and in the scores, by the latest inspection dated by then that
  the kept earlier FHRS copies show (null when none does). FHRS publishes only each
  premises' latest rating, so the primary variant scores with ratings that were not known
  at the cut-off; this variant shows how much that flatters it;
- `truth` (sample only, when `truth` is given): later events are the generator's events,
  each counted on every premises of its business (as an accepted link counts it), dated
  by event date, which equals the publication date's quarter (illegal working) or round.
  With the truth's businesses, it also gives `oracles`: the capture of rankings that no
  data can give, by the generator's latent state (its exploitative flag, ties by the
  latent propensity; the latent propensity alone): the ceiling against which the
  scorecard's capture is to be read. Later events also follow how hard officials look in
  each area, which the truth files do not hold, so even the flag oracle misses some.
The cut-off is never chosen by looking at the results: by default it is the last
publication date minus two years, at the end of its quarter.

Uncertainty: with a few dozen later events, one event moves a capture rate by several
points. `uncertainty` gives, per fraction, a 95% interval of the scorecard's capture and of
its difference from the FHRS-rating baseline (paired: the same resampled outcomes), by a
Poisson bootstrap over businesses (later events of one business are not independent; the
ranking is held fixed, so the interval is the outcome's sampling noise, not the fit's).

Calibration (`calibration`): the later events each premises expects (its expected events
per year of trading x the years of the later window x the share of it the premises traded
in) against those observed, overall and by decile of the ranking, with counts and exact
Poisson intervals of observed / expected.

Ties (`ties_at_top`): per top k, how many distinct scores it holds and how many premises
are ordered only by the stated tie-break.

Bias audit (`bias_audit`): per IMD decile, its share of the top 1%, 5% and 10% beside its
share of the scored premises (their ratio) and of the later events, so that a list that
merely points at deprived areas is seen as such; `bias_trade_off` refits without the area
enforcement rate (where officials look) and without deprivation too, and gives capture and
the most deprived deciles' over-representation for each, so the cost of each is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
from scipy.stats import chi2

from heyrick_dagster.analysis.exposure import exposure_share, trading_since
from heyrick_dagster.analysis.indicators import premises_indicators
from heyrick_dagster.analysis.scorecard import (
    HORIZON_DAYS,
    Scorecard,
    fit_scorecard,
    later_events,
    score,
)
from heyrick_dagster.analysis.stats import order_free_sum

FRACTIONS = (0.01, 0.05, 0.10)
EVALUATION_YEARS = 2
BOOTSTRAP_DRAWS = 1000
BOOTSTRAP_SEED = 20240101
CALIBRATION_GROUPS = 10
CALIBRATION_MEANING = (
    "expected: the later events (published after the cut-off, counted as attributed) the "
    "scorecard fitted at the cut-off expects for each premises, its expected_events_per_year "
    "times the years of the later window times the share of that window it traded in (from "
    "the earliest incorporation of its companies; unknown: the whole window); decile 1 is the "
    "top tenth of the ranking; a ratio above 1 means more events came than expected"
)


@dataclass(frozen=True)
class Truth:
    """The sample's ground truth (data/sample/truth): read only by evaluation and tests."""

    events: pl.DataFrame  # entity_id, source, record_id, event_date
    premises: pl.DataFrame  # fhrsid, entity_id, ...
    businesses: pl.DataFrame | None = None  # entity_id, exploitative, exploitation_propensity


def read_truth(truth_dir: Path) -> Truth | None:
    """The sample truth's events, premises and (when present) businesses, or None when the
    folder does not hold events and premises."""
    paths = [truth_dir / "events.parquet", truth_dir / "premises.parquet"]
    if not all(p.is_file() for p in paths):
        return None
    businesses = truth_dir / "businesses.parquet"
    return Truth(
        events=pl.read_parquet(paths[0]),
        premises=pl.read_parquet(paths[1]),
        businesses=pl.read_parquet(businesses) if businesses.is_file() else None,
    )


def quarter_end(day: date) -> date:
    """The last day of the calendar quarter of `day`."""
    last_month = 3 * ((day.month - 1) // 3 + 1)
    first_of_next = date(day.year + last_month // 12, last_month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def default_cutoff(events: pl.DataFrame, years: int = EVALUATION_YEARS) -> date:
    """The end of the quarter `years` before the last publication."""
    last = events["published_date"].max()
    if last is None:
        raise ValueError("no enforcement events published: nothing to evaluate")
    try:
        earlier = last.replace(year=last.year - years)
    except ValueError:  # 29 February
        earlier = last.replace(year=last.year - years, day=28)
    return quarter_end(earlier)


def top_k(n: int, fraction: float) -> int:
    return max(1, math.ceil(fraction * n)) if n else 0


def top_weights(frame: pl.DataFrame, order: str, k: int) -> np.ndarray:
    """Each row's share in the top k of a ranking (frame order): 1 or 0 for `rank`; for
    `fhrs`, the tied group at the boundary shares its remaining slots (expected value)."""
    if order == "rank":
        return (frame["rank"] <= k).to_numpy().astype(float)
    rating = frame["rating_numeric"].fill_null(99).to_numpy()
    weights = np.zeros(frame.height)
    slots = k
    for value in np.unique(rating):  # ascending: worst rating first
        if slots <= 0:
            break
        members = rating == value
        take = min(slots, int(members.sum()))
        weights[members] = take / members.sum()
        slots -= take
    return weights


def ranking_metrics(
    frame: pl.DataFrame, order: str, fractions: tuple[float, ...] = FRACTIONS
) -> dict:
    """Capture and precision of a ranking. `frame`: one row per scored premises with
    `events` (later, expected) and `p_any`; `order` is `rank` (strict, 1 first) or
    `fhrs` (worst rating first, ties at expected value) or `random` (expected value)."""
    n = frame.height
    total = float(frame["events"].sum())
    relevant_total = float(frame["p_any"].sum())
    out = {}
    for fraction in fractions:
        k = top_k(n, fraction)
        if order == "random":
            captured, relevant = total * k / n if n else 0.0, relevant_total * k / n if n else 0.0
        elif order in ("rank", "fhrs"):
            weights = top_weights(frame, order, k)
            captured = float(weights @ frame["events"].to_numpy())
            relevant = float(weights @ frame["p_any"].to_numpy())
        else:
            raise ValueError(f"unknown order {order!r}")
        label = f"top_{round(100 * fraction)}pct"
        out[label] = {
            "k": k,
            "capture": captured / total if total else None,
            "precision_at_k": relevant / k if k else None,
            "events_captured": round(captured, 3),
        }
    return out


def _business_codes(frame: pl.DataFrame) -> tuple[np.ndarray, int]:
    """Each row's business as an integer code (a premises without a business is its own),
    and how many businesses: the units of the bootstrap."""
    cluster = frame["business_id"].fill_null(frame["fhrsid"].cast(pl.String))
    codes = cluster.cast(pl.Categorical).to_physical().to_numpy()
    return codes, int(codes.max()) + 1 if codes.size else 0


def capture_intervals(
    frame: pl.DataFrame,
    fractions: tuple[float, ...] = FRACTIONS,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = BOOTSTRAP_SEED,
) -> dict:
    """95% intervals of the scorecard's capture and of its difference from the FHRS baseline,
    by a Poisson bootstrap over businesses (see the module docstring). `frame`: one row per
    scored premises with `rank`, `rating_numeric`, `events` and `business_id`."""
    if not frame.height or float(frame["events"].sum()) <= 0:
        return {}
    codes, n_clusters = _business_codes(frame)
    events = frame["events"].to_numpy()
    totals = np.bincount(codes, weights=events, minlength=n_clusters)
    per_fraction = {}
    for fraction in fractions:
        k = top_k(frame.height, fraction)
        card = np.bincount(codes, events * top_weights(frame, "rank", k), minlength=n_clusters)
        fhrs = np.bincount(codes, events * top_weights(frame, "fhrs", k), minlength=n_clusters)
        per_fraction[f"top_{round(100 * fraction)}pct"] = (card, fhrs)
    # Only businesses with later events move any sum: the others are left out of the draws
    # (nationally ~150,000 businesses, a few thousand with events; drawing weights for all
    # of them took most of the 40 s the evaluation spent here).
    with_events = totals > 0
    totals = totals[with_events]
    per_fraction = {
        label: (card[with_events], fhrs[with_events])
        for label, (card, fhrs) in per_fraction.items()
    }
    rng = np.random.default_rng(seed)
    samples: dict[str, list[np.ndarray]] = {label: [] for label in per_fraction}
    for start in range(0, draws, 100):  # in chunks: draws x businesses can be large
        weights = rng.poisson(1.0, size=(min(100, draws - start), totals.size)).astype(float)
        total = weights @ totals
        total[total == 0] = np.nan
        for label, (card, fhrs) in per_fraction.items():
            samples[label].append(np.stack([weights @ card / total, weights @ fhrs / total]))
    out = {}
    for label, chunks in samples.items():
        card, fhrs = np.concatenate(chunks, axis=1)
        out[label] = {
            "capture_ci95": [round(float(q), 4) for q in np.nanquantile(card, [0.025, 0.975])],
            "capture_minus_fhrs_ci95": [
                round(float(q), 4) for q in np.nanquantile(card - fhrs, [0.025, 0.975])
            ],
        }
    return out


def later_truth_events(truth: Truth, scored: pl.DataFrame, cutoff: date, end: date) -> pl.DataFrame:
    """fhrsid -> later truth events of the premises' business (each premises counts them)."""
    later = (
        truth.events.filter((pl.col("event_date") > cutoff) & (pl.col("event_date") <= end))
        .group_by("entity_id")
        .agg(pl.len().cast(pl.Float64).alias("events"))
    )
    premises = truth.premises.select(pl.col("fhrsid").cast(scored.schema["fhrsid"]), "entity_id")
    return premises.join(later, on="entity_id").select(
        "fhrsid", "events", pl.lit(1.0).alias("p_any")
    )


def oracles(frame: pl.DataFrame, truth: Truth) -> dict:
    """Capture and precision of rankings by the generator's latent state (see the module
    docstring) on the truth outcome `frame`; premises outside the truth rank last."""
    latent = truth.premises.select(pl.col("fhrsid").cast(frame.schema["fhrsid"]), "entity_id").join(
        truth.businesses.select("entity_id", "exploitative", "exploitation_propensity"),
        on="entity_id",
    )
    joined = frame.drop("rank").join(latent, on="fhrsid", how="left")
    orders = {
        "exploitative_flag": ["exploitative", "exploitation_propensity"],
        "latent_propensity": ["exploitation_propensity"],
    }
    out = {}
    for name, keys in orders.items():
        ranked = joined.sort(
            [*keys, "fhrsid"], descending=[True] * len(keys) + [False], nulls_last=True
        ).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
        out[name] = ranking_metrics(ranked, "rank")
    return out


def with_outcome(scored: pl.DataFrame, outcome: pl.DataFrame) -> pl.DataFrame:
    """`scored` with the later `events` and `p_any` of `outcome` (0 where it has none)."""
    return scored.join(outcome, on="fhrsid", how="left").with_columns(
        pl.col("events").fill_null(0.0), pl.col("p_any").fill_null(0.0)
    )


def compare(frame: pl.DataFrame) -> dict:
    """The scorecard and both baselines on one outcome frame."""
    return {
        "later_events": round(float(frame["events"].sum()), 3),
        "premises_with_later_events": round(float(frame["p_any"].sum()), 3),
        "scorecard": ranking_metrics(frame, "rank"),
        "baseline_random": ranking_metrics(frame, "random"),
        "baseline_fhrs_rating": ranking_metrics(frame, "fhrs"),
        "uncertainty": capture_intervals(frame),
    }


def ratio_interval(observed: float, expected: float, level: float = 0.95) -> list[float] | None:
    """The exact (Garwood) Poisson interval of observed / expected, as for a standardised
    mortality ratio: the chi-square quantiles of an observed count, which may be fractional
    here (events are counted as attributed). Events of one business fall on each of its
    premises, so the interval is a little narrower than the truth when businesses hold
    several scored premises."""
    if expected <= 0:
        return None
    tail = (1 - level) / 2
    low = chi2.ppf(tail, 2 * observed) / 2 if observed > 0 else 0.0
    high = chi2.ppf(1 - tail, 2 * observed + 2) / 2
    return [round(float(low) / expected, 3), round(float(high) / expected, 3)]


def calibration(frame: pl.DataFrame, years: float) -> dict:
    """Observed later events against the scorecard's expectation, overall and by tenth of
    the ranking (decile 1 = the top), with counts and 95% intervals of observed / expected
    (ratio_interval). A premises expects expected_events_per_year x `years` x the share of
    the later window it traded in (`later_exposure`, analysis/exposure.py), assuming
    enforcement continues at the fit window's rate. `frame`: one row per scored premises
    with rank, events, expected_events_per_year, later_exposure."""
    ranked = frame.sort("rank").with_columns(
        (pl.col("expected_events_per_year") * years * pl.col("later_exposure")).alias("expected"),
        (pl.int_range(pl.len()) * CALIBRATION_GROUPS // pl.len() + 1).alias("decile"),
    )

    def row(group: pl.DataFrame) -> dict:
        expected, observed = float(group["expected"].sum()), float(group["events"].sum())
        return {
            "premises": group.height,
            "expected": round(expected, 3),
            "observed": round(observed, 3),
            "observed_over_expected": round(observed / expected, 3) if expected else None,
            "observed_over_expected_ci95": ratio_interval(observed, expected),
        }

    return {
        "meaning": CALIBRATION_MEANING,
        **row(ranked),
        "by_score_decile": [
            {"decile": decile, **row(group)}
            for (decile,), group in ranked.group_by("decile", maintain_order=True)
        ],
    }


TIE_BREAK = "score descending, then prior expected enforcement events descending, then fhrsid"


def ties_at_top(frame: pl.DataFrame, fractions: tuple[float, ...] = FRACTIONS) -> dict:
    """How strictly the top of the ranking is ordered: per top k, the distinct scores in it,
    the premises sharing their score with another premises of the list (ordered only by the
    tie-break, TIE_BREAK), and whether the cut at k falls inside such a group. `frame`: one
    row per scored premises with rank, score."""
    ranked = frame.sort("rank")
    scores = ranked["score"]
    shared = scores.is_duplicated()
    out: dict = {"tie_break": TIE_BREAK}
    for fraction in fractions:
        k = top_k(ranked.height, fraction)
        out[_label(fraction)] = {
            "k": k,
            "distinct_scores": scores.head(k).n_unique(),
            "premises_sharing_a_score": int(shared.head(k).sum()),
            "cut_inside_a_tie": bool(k < ranked.height and scores[k - 1] == scores[k]),
        }
    return out


def _label(fraction: float) -> str:
    return f"top_{round(100 * fraction)}pct"


def bias_audit(frame: pl.DataFrame, fractions: tuple[float, ...] = FRACTIONS) -> list[dict]:
    """Per IMD decile (1 = most deprived; null: unknown / outside England): premises, their
    share of all scored premises, score quartiles, later events, and for the top 1%, 5% and
    10% of the ranking how many premises of the decile are in it, the decile's share of it
    and `ratio_top_<k>pct`: that share over the decile's share of the scored premises (1:
    represented as in the list as a whole; 2: twice as often). `share_of_later_events`
    beside it says whether the later events themselves fell there more often."""
    n = frame.height
    tops = {_label(f): top_k(n, f) for f in fractions}
    audited = frame.with_columns(
        (pl.col("rank") <= k).alias(f"_in_{label}") for label, k in tops.items()
    )
    share_of_scored = pl.col("premises") / max(n, 1)
    total_events = float(frame["events"].sum())
    table = (
        audited.group_by("imd_decile")
        .agg(
            pl.len().alias("premises"),
            pl.col("score").mean().round(4).alias("score_mean"),
            pl.col("score").quantile(0.25).round(4).alias("score_q25"),
            pl.col("score").median().round(4).alias("score_median"),
            pl.col("score").quantile(0.75).round(4).alias("score_q75"),
            order_free_sum("events").round(3).alias("later_events"),
            *[pl.col(f"_in_{label}").sum().alias(f"in_{label}") for label in tops],
        )
        .with_columns(
            share_of_scored.round(4).alias("share_of_scored"),
            (pl.col("later_events") / max(total_events, 1e-9))
            .round(4)
            .alias("share_of_later_events"),
            *[
                (pl.col(f"in_{label}") / max(k, 1)).round(4).alias(f"share_of_{label}")
                for label, k in tops.items()
            ],
            *[
                (pl.col(f"in_{label}") / max(k, 1) / share_of_scored)
                .round(3)
                .alias(f"ratio_{label}")
                for label, k in tops.items()
            ],
        )
        .sort("imd_decile", nulls_last=True)
    )
    return table.to_dicts()


# What the bias audit refits without: where officials look (the area enforcement rate) and
# the area's deprivation, the two indicators that describe the area, not the premises.
WITHOUT_AREA = {
    "all_indicators": (),
    "without_area_enforcement": ("area_enforcement",),
    "without_area_enforcement_and_deprivation": ("area_enforcement", "area_deprivation"),
}
DEPRIVED_DECILES = (1, 2, 3)


def area_trade_off(
    tables: dict[str, pl.DataFrame],
    cutoff: date,
    primary: pl.DataFrame,
    at_cutoff: pl.DataFrame,
    later: pl.DataFrame,
    horizon_days: int = HORIZON_DAYS,
    at_fit_start: pl.DataFrame | None = None,
) -> dict:
    """The capture of the later events and the over-representation of the most deprived
    areas in the top 10%, with every indicator (`primary`: the evaluated ranking with its
    later events) and refitted without the area ones (WITHOUT_AREA), so that an analyst
    sees what each costs and what each skews. `at_cutoff`: premises_indicators at the
    cut-off; `later`: fhrsid -> events, p_any (the published later events); `at_fit_start`:
    premises_indicators at the start of the fit window, when already computed."""
    out = {}
    for name, left_out in WITHOUT_AREA.items():
        frame = primary
        if left_out:
            card = fit_scorecard(
                tables, cutoff, horizon_days, left_out=left_out, indicators_at_start=at_fit_start
            )
            frame = with_outcome(score(at_cutoff, card), later)
        metrics = ranking_metrics(frame, "rank")
        audit = bias_audit(frame)
        deprived = [r for r in audit if r["imd_decile"] in DEPRIVED_DECILES]
        share_top = sum(r["share_of_top_10pct"] for r in deprived)
        share_scored = sum(r["share_of_scored"] for r in deprived)
        out[name] = {
            "left_out": list(left_out),
            "capture": {label: figures["capture"] for label, figures in metrics.items()},
            "imd_deciles_1_3_share_of_top_10pct": round(share_top, 4),
            "imd_deciles_1_3_share_of_scored": round(share_scored, 4),
            "imd_deciles_1_3_ratio_top_10pct": (
                round(share_top / share_scored, 3) if share_scored else None
            ),
            "ratio_top_10pct_by_imd_decile": {
                str(r["imd_decile"]): r["ratio_top_10pct"] for r in audit
            },
        }
    return out


def _scored(tables: dict[str, pl.DataFrame], scorecard: Scorecard, cutoff: date, strict: bool):
    return score(premises_indicators(tables, cutoff, hide_ratings_after_as_of=strict), scorecard)


def evaluate(
    tables: dict[str, pl.DataFrame],
    cutoff: date | None = None,
    end: date | None = None,
    truth: Truth | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> dict:
    """The evaluation as a JSON-ready dict (see the module docstring)."""
    events = tables["fct_enforcement_events"]
    cutoff = cutoff or default_cutoff(events)
    end = end or events["published_date"].max()
    years = (end - cutoff).days / 365.25
    premises_type = tables["dim_premises"].schema["fhrsid"]
    event_premises = tables["fct_event_premises"].with_columns(pl.col("fhrsid").cast(premises_type))
    published_later = later_events(events, event_premises, after=cutoff, until=end)

    at_fit_start = premises_indicators(tables, cutoff - timedelta(days=horizon_days))
    scorecard = fit_scorecard(tables, cutoff, horizon_days, indicators_at_start=at_fit_start)
    at_cutoff = premises_indicators(tables, cutoff)
    scored = score(at_cutoff, scorecard)
    primary = with_outcome(scored, published_later)
    strict_card = fit_scorecard(tables, cutoff, horizon_days, hide_ratings_after_as_of=True)
    strict = with_outcome(_scored(tables, strict_card, cutoff, strict=True), published_later)
    rated_later = scored.filter(pl.col("rating_date") > cutoff).height

    since = trading_since(tables["dim_premises"], tables["dim_companies"])
    located = primary.join(since, on="fhrsid", how="left").sort("rank")
    primary = located.with_columns(exposure_share(located, cutoff, end).alias("later_exposure"))
    variants = {
        "published": compare(primary),
        "published_strict_ratings": compare(strict),
    }
    if truth is not None:
        truth_frame = with_outcome(scored, later_truth_events(truth, scored, cutoff, end))
        variants["truth"] = compare(truth_frame)
        if truth.businesses is not None:
            variants["truth"]["oracles"] = oracles(truth_frame, truth)
    origins = sorted(set(tables["dim_premises"]["data_origin"].drop_nulls()))
    return {
        "caveat": "Indication, not evidence: enforcement records where officials looked as "
        "much as where exploitation is.",
        "data_origin": origins,
        "cutoff": cutoff.isoformat(),
        "end": end.isoformat(),
        "evaluation_years": round(years, 3),
        "scored_premises": scored.height,
        "scored_premises_rated_after_cutoff": rated_later,
        "fit": scorecard.describe(),
        "variants": variants,
        "calibration": calibration(primary, years),
        "ties_at_top": ties_at_top(primary),
        "bias_audit": bias_audit(primary),
        "bias_trade_off": area_trade_off(
            tables, cutoff, primary, at_cutoff, published_later, horizon_days, at_fit_start
        ),
    }
