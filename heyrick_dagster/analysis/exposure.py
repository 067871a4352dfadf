"""How much of a time window each premises traded in: the exposure behind an event rate.

Why the scorecard needs it: the FSA register lists the premises trading TODAY. Looking
back from a cut-off, fewer of them were trading yet (a takeaway opened last year had no
chance of a penalty three years ago), so counting every listed premises as exposed for
the whole fit window understates the rate at which a trading premises meets enforcement,
and the premises listed later trade for more of the next window. Measured on the sample
(seed 20261127, target premises with a linked company): events per listed premises-year
11.7, 12.9 and 20.8 per 1,000 over 2021-22, 2023-24 and 2025-26, but per premises-year
actually traded 28.0, 21.1 and 24.1. Without this the scorecard's expected later events
fell short of those observed by a quarter (observed / expected 1.25 at the 2024-12-31
cut-off, 1.55 at 2022-12-31).

When a premises began trading is not published. The nearest date in these files is the
incorporation of the companies in its business cluster (the earliest of them, so that a
company re-formed at the premises does not restart the clock). A premises with no linked
company (a sole trader, a partnership, a company the linkage missed) has no date to
go by and is taken to have traded throughout. Chosen at the validation cut-off
(2022-12-31, seeds 20261127 and 404): observed / expected later events 1.00 pooled,
against 0.76 when such premises took the mean share of those whose start is known
(1.30 with no exposure at all). A company re-formed as a phoenix is dated by its latest
incarnation when the dissolved one is off the register, which understates that premises'
exposure.
"""

from __future__ import annotations

from datetime import date

import polars as pl


def trading_since(premises: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    """fhrsid -> `trading_since`: the earliest incorporation date among the companies of the
    premises' business cluster (null without a linked company or a known date).
    `premises`: fhrsid, business_id; `companies`: business_id, incorporation_date."""
    earliest = (
        companies.filter(pl.col("business_id").is_not_null())
        .group_by("business_id")
        .agg(pl.col("incorporation_date").min().alias("trading_since"))
    )
    return (
        premises.select("fhrsid", "business_id")
        .join(earliest, on="business_id", how="left")
        .select("fhrsid", "trading_since")
    )


def exposure_share(frame: pl.DataFrame, start: date, end: date) -> pl.Series:
    """The share of (start, end] in which each row of `frame` (column `trading_since`)
    traded, in [0, 1], in the frame's order; 1 when the start is unknown."""
    days = (end - start).days
    begun = pl.max_horizontal(pl.col("trading_since"), pl.lit(start))
    share = ((pl.lit(end) - begun).dt.total_days() / days).clip(0.0, 1.0)
    return frame.select(
        pl.when(pl.col("trading_since").is_null()).then(1.0).otherwise(share).alias("exposure")
    )["exposure"]
