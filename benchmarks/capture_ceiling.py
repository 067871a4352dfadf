"""How much of the later enforcement could ANY ranking built from the sample's data capture?

    .venv/bin/python -m benchmarks.capture_ceiling --duckdb PATH --sample DIR [--cutoff DATE]

PATH is the warehouse of a finished run on a synthetic sample, DIR that sample's folder
(its SAMPLE.json and truth/). Issue 5 asks for 60% of later events in the top 10%; this
script measures whether the sample's published data can support that, by ranking the
premises scored at the cut-off (as `heyrick evaluate` does) in several ways and printing
the capture at 1%, 5% and 10% of the later events, both the generator's (truth) and the
published ones (as attributed):

- scorecard: the published scorecard, fitted at the cut-off;
- observable ceiling: a model of the generator's hidden exploitative flag, TRAINED ON THAT
  FLAG (which no real analysis has) from every indicator, binned so that it may be
  non-linear, cross-fitted over two halves of the businesses, multiplied by the true
  enforcement intensity of the authority and the premises' exposure after the cut-off;
  the expected later events of a business whose flag is known only as well as the data
  can know it. What no ranking of these data can beat by much;
- the same with the generator's traits (phoenix, recent incorporation, shared officers,
  deprivation decile) known exactly instead of detected;
- oracles: the flag itself, and the flag times intensity times exposure (what the data
  cannot know: who exploits).

The enforcement intensity of each authority is not in the truth files; it is recomputed
from the sample's seed and scale (sample/world_places.plan_places), as the generator drew it.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from heyrick_dagster.analysis import evaluation
from heyrick_dagster.analysis.exposure import exposure_share, trading_since
from heyrick_dagster.analysis.indicators import premises_indicators
from heyrick_dagster.analysis.marts import read_marts
from heyrick_dagster.analysis.scorecard import fit_scorecard, later_events, score
from heyrick_dagster.sample.world_enforcement import EXPLOITATIVE_RATE, NOISE_RATE
from heyrick_dagster.sample.world_places import plan_places

# Bin edges of each indicator in the flag model: the flag moves the management score by a
# grade step (sample/ratings.py), an effect a linear term need not describe well.
BINS = {
    "management_points_lost_mean": (0.25, 0.75, 1.25, 1.75, 2.25),
    "confidence_in_management_points_lost": (0.5, 1.5, 2.5),
    "hygiene_structural_points_lost_mean": (0.5, 1.0, 1.5, 2.0, 3.0),
    "hygiene_rating_shortfall": (0.5, 1.5, 2.5),
    "prior_enforcement": (1e-9, 0.5, 1.0, 1.6),
    "area_deprivation": (0.2, 0.4, 0.6, 0.8),
    "area_enforcement": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "companies_at_premises_postcode": (1.5, 2.5, 4.5),
}
FLAGS = (
    "recent_incorporation",
    "company_distressed",
    "phoenix_like_company_name",
    "phoenix_successor",
    "controllers_shared_with_food_companies",
)
TRUE_TRAITS = ("phoenix", "recent_incorporation", "shared_officers")


def binned(values: pl.Series, edges: tuple[float, ...]) -> list[np.ndarray]:
    """Indicator columns: unknown, then one per interval between -inf, the edges and inf."""
    v = values.cast(pl.Float64).to_numpy()
    known = ~np.isnan(v)
    bounds = (-np.inf, *edges, np.inf)
    columns = [(~known).astype(float)]
    for low, high in zip(bounds[:-1], bounds[1:], strict=True):
        columns.append((known & (v >= low) & (v < high)).astype(float))
    return columns


def fit_logistic(X: np.ndarray, y: np.ndarray, ridge: float = 1e-3) -> np.ndarray:
    """Ridge-penalised logistic regression by Newton's method (X holds the intercept)."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(X @ beta)))
        hessian = X.T @ (X * (p * (1 - p))[:, None]) + ridge * np.eye(X.shape[1])
        step = np.linalg.solve(hessian, X.T @ (y - p) - ridge * beta)
        beta += step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def cross_fitted_probability(X: np.ndarray, y: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """P(y | X) for each row from a model fitted on the other fold only."""
    out = np.zeros(len(y))
    for k in np.unique(fold):
        held = fold == k
        beta = fit_logistic(X[~held], y[~held])
        out[held] = 1.0 / (1.0 + np.exp(-(X[held] @ beta)))
    return out


def expected_later(p_flag: np.ndarray, intensity: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Later events the generator expects of a business exploiting with probability p_flag
    (sample/world_enforcement.py: rate x intensity x the share of the window it trades)."""
    return (p_flag * EXPLOITATIVE_RATE + (1 - p_flag) * NOISE_RATE) * intensity * exposure


def ranked_by(frame: pl.DataFrame, values: np.ndarray) -> pl.DataFrame:
    return (
        frame.select("fhrsid")
        .with_columns(pl.Series("_value", values))
        .sort(["_value", "fhrsid"], descending=[True, False])
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    )


def ceiling(tables: dict[str, pl.DataFrame], sample: Path, cutoff: date | None) -> dict:
    truth = evaluation.read_truth(sample / "truth")
    if truth is None or truth.businesses is None:
        raise SystemExit(f"{sample}/truth holds no events, premises and businesses")
    meta = json.loads((sample / "SAMPLE.json").read_text())
    events = tables["fct_enforcement_events"]
    cutoff = cutoff or evaluation.default_cutoff(events)
    end = events["published_date"].max()
    fhrsid_type = tables["dim_premises"].schema["fhrsid"]

    card = fit_scorecard(tables, cutoff)
    scored = score(premises_indicators(tables, cutoff), card).sort("fhrsid")
    intensity = {p.code: p.enforcement_intensity for p in plan_places(meta["seed"], meta["scale"])}
    latent = truth.premises.select(
        pl.col("fhrsid").cast(fhrsid_type),
        "entity_id",
        pl.col("la_code").replace_strict(intensity, default=1.0).alias("intensity"),
    ).join(truth.businesses, on="entity_id")
    frame = (
        scored.join(latent, on="fhrsid", how="left")
        .join(
            trading_since(tables["dim_premises"], tables["dim_companies"]), on="fhrsid", how="left"
        )
        .sort("fhrsid")
    )
    exposure = exposure_share(frame, cutoff, end).to_numpy()
    level = frame["intensity"].fill_null(1.0).to_numpy()
    flag = frame["exploitative"].fill_null(False).to_numpy().astype(float)

    observed = [np.ones(frame.height), np.log(level)]
    for name, edges in BINS.items():
        observed += binned(frame[name], edges)
    observed += [
        (frame[name].cast(pl.Float64).fill_null(0.0) > 0).to_numpy() * 1.0 for name in FLAGS
    ]
    traits = [frame[name].cast(pl.Float64).fill_null(0.0).to_numpy() for name in TRUE_TRAITS]
    traits += binned(frame["deprivation_decile"], (2.5, 4.5, 6.5, 8.5))
    # Halves of the businesses, so that no business is scored by a model fitted on itself.
    fold = frame["entity_id"].fill_null(frame["fhrsid"].cast(pl.String)).hash(20261127) % 2
    fold = fold.to_numpy()
    p_observed = cross_fitted_probability(np.column_stack(observed), flag, fold)
    p_traits = cross_fitted_probability(np.column_stack(observed + traits), flag, fold)

    rankings = {
        "scorecard": scored.select("fhrsid", "rank"),
        "observable_ceiling": ranked_by(frame, expected_later(p_observed, level, exposure)),
        "observable_ceiling_true_traits": ranked_by(
            frame, expected_later(p_traits, level, exposure)
        ),
        "oracle_flag": ranked_by(
            frame, flag + 1e-3 * frame["exploitation_propensity"].fill_null(0)
        ),
        "oracle_flag_x_intensity_x_exposure": ranked_by(
            frame, expected_later(flag, level, exposure)
        ),
    }
    event_premises = tables["fct_event_premises"].with_columns(pl.col("fhrsid").cast(fhrsid_type))
    outcomes = {
        "truth": evaluation.later_truth_events(truth, scored, cutoff, end),
        "published": later_events(events, event_premises, after=cutoff, until=end),
    }
    captures = {
        name: {
            outcome: {
                top: round(figures["capture"], 4)
                for top, figures in evaluation.ranking_metrics(
                    evaluation.with_outcome(ranking, later), "rank"
                ).items()
            }
            for outcome, later in outcomes.items()
        }
        for name, ranking in rankings.items()
    }
    return {
        "cutoff": cutoff.isoformat(),
        "end": end.isoformat(),
        "scored_premises": frame.height,
        "later_events": {
            name: round(float(later["events"].sum()), 1) for name, later in outcomes.items()
        },
        "capture": captures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--cutoff", type=date.fromisoformat)
    args = parser.parse_args()
    result = ceiling(read_marts(args.duckdb), args.sample, args.cutoff)
    print(json.dumps(result, indent=2))
    print(f"\ncapture of later events (truth / published) at cut-off {result['cutoff']}:")
    for name, by_outcome in result["capture"].items():
        cells = "  ".join(
            f"{top}: {by_outcome['truth'][top]:.1%} / {by_outcome['published'][top]:.1%}"
            for top in by_outcome["truth"]
        )
        print(f"  {name:<36} {cells}")


if __name__ == "__main__":
    main()
