"""How hard enforcement looks in a premises' local authority, as of a date.

Illegal-working penalties and minimum-wage namings record where officials went as much
as where exploitation is: some areas are visited far more than others, and the
businesses of a much-visited area are more likely to be penalised next, whatever they
do. This measures that, so the ranking can use it and the explanation can say it
plainly (it is never a reason to suspect a premises of its own).

The rate of an authority is its expected enforcement events (sums of attribution
probabilities, as for prior_enforcement) published in the WINDOW_YEARS to `as_of`, per
premises, relative to the rate of all authorities together:
- leave-one-out: the premises' own events are taken out of its authority's count, so
  that the indicator says nothing the premises' own prior_enforcement already says;
- shrunk towards the overall rate by PSEUDO_EVENTS events' worth of premises at that
  rate (a Gamma prior, the posterior mean), so a small authority with one penalty is not
  ranked as the most policed in the country.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from heyrick_dagster.analysis.stats import order_free_sum

WINDOW_YEARS = 3
PSEUDO_EVENTS = 2.0


def area_enforcement(
    premises: pl.DataFrame,
    events: pl.DataFrame,
    event_premises: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """fhrsid -> `area_enforcement_ratio`: the leave-one-out, shrunk enforcement rate of the
    premises' local authority over the overall rate (1 = average; null without an
    authority or when no event was published in the window). `premises`: fhrsid, la_code
    (every premises, all sectors: enforcement reaches every kind of business)."""
    start = as_of - timedelta(days=round(WINDOW_YEARS * 365.25))
    window = events.filter(
        (pl.col("published_date") <= as_of) & (pl.col("published_date") > start)
    ).select("event_key")
    own = (
        event_premises.join(window, on="event_key", how="semi")
        .group_by("fhrsid")
        .agg(order_free_sum("attribution_probability").alias("_own"))
    )
    frame = premises.select("fhrsid", "la_code").join(own, on="fhrsid", how="left")
    frame = frame.with_columns(pl.col("_own").fill_null(0.0))
    located = frame.filter(pl.col("la_code").is_not_null())
    total_events = float(located.select(order_free_sum("_own")).item())
    total_premises = located.height
    if total_events <= 0 or total_premises == 0:
        return frame.select(
            "fhrsid", pl.lit(None, dtype=pl.Float64).alias("area_enforcement_ratio")
        )
    overall = total_events / total_premises
    pseudo_premises = PSEUDO_EVENTS / overall
    by_area = located.group_by("la_code").agg(
        order_free_sum("_own").alias("_area_events"), pl.len().alias("_area_premises")
    )
    others_events = pl.col("_area_events") - pl.col("_own")
    others_premises = pl.col("_area_premises") - 1
    rate = (others_events + PSEUDO_EVENTS) / (others_premises + pseudo_premises)
    return frame.join(by_area, on="la_code", how="left").select(
        "fhrsid", (rate / overall).alias("area_enforcement_ratio")
    )
