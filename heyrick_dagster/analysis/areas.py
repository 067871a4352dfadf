"""Area-level analysis: indicators and enforcement outcomes per LSOA and local authority,
their correlations, and the enforcement intensity published beside every outcome.

Areas (`area_table`): one row per area of the area mart (`marts.area_lsoa`,
`marts.area_local_authority`). Exposure is `businesses`, the businesses (linkage clusters)
with FHRS premises in the area, of every sector: they are the denominators. Indicators,
all over the area's target-sector (takeaway and convenience) premises unless named
otherwise:
- `target_sector_share`: the density of hot-food and convenience premises, as a share of
  the area's FHRS premises (population is not published for every area);
- `share_<flag>` for each yes/no premises indicator and `mean_<indicator>` for each graded
  one (except prior enforcement and area enforcement, which are the outcome, and area
  deprivation, which the area's own IMD columns replace);
- the IMD columns of the area mart (rank, decile, domain scores) as published.
Outcomes are counts of enforcement events published on or before `as_of` whose
attribution points at a premises in the area: `enforcement_events` (both lists),
`illegal_working_penalties`, `nmw_namings`, and at local-authority level
`nrm_referrals_labour` when the mart publishes it. An event reaches an area only through
a premises it is attributed to, so events linked to no premises are not counted (the
asset reports how many). Counts are expected counts (sum of attribution probabilities)
rounded to whole events, because the count model and the small-count rule work on whole
events.

Correlations: `stats.area_correlations` once per area level. Indicators are standardised
(z-scores over the level's areas) first, so each count-model estimate is the rate ratio
per standard deviation of its indicator; Spearman and Pearson are unchanged by it.
False discovery: the issue asks for Benjamini-Hochberg "across all tests", and the two
levels are two calls, each adjusted within itself. `pooled_benjamini_hochberg` re-adjusts
the p-values of both levels as one family. Suppressed rows have lost their p-value, so
they enter the family as p = 1: that keeps the family's size (hiding a row must not make
the others look stronger) and can only make the adjusted values larger, i.e. conservative.

Enforcement intensity: events per 1,000 businesses with exact intervals and funnel limits
(`stats.enforcement_intensity`), per area, level and outcome, with small counts suppressed
(`protect_total=True`, since the overall rate is published beside them). Penalty density
is where officials looked as much as where exploitation is; it is not prevalence.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from heyrick_dagster.analysis import stats
from heyrick_dagster.analysis.indicators import INDICATORS

LEVELS = {"lsoa": "lsoa_code", "local_authority": "la_code"}
EXPOSURE = "businesses"
EVENT_OUTCOMES = {
    "enforcement_events": None,
    "illegal_working_penalties": "illegal_working",
    "nmw_namings": "nmw_naming",
}
NRM_OUTCOME = "nrm_referrals_labour"
# Premises indicators that are not area indicators (see the module docstring).
NOT_AREA_INDICATORS = ("prior_enforcement", "area_enforcement", "area_deprivation")
# Numeric columns of the area marts that are counts, not area measures: premises counts
# (recomputed here from the premises), population, NRM counts (an outcome) and
# imd_quintile (the decile says it already).
_NOT_MEASURES = ("n_", "nrm_", "population", "imd_quintile")

INTENSITY_SCHEMA: dict[str, pl.DataType] = {
    "area_level": pl.String,
    "area_code": pl.String,
    "outcome": pl.String,
    "events": pl.Int64,
    "businesses": pl.Int64,
    "rate_per_1000": pl.Float64,
    "rate_ci_low": pl.Float64,
    "rate_ci_high": pl.Float64,
    "overall_rate_per_1000": pl.Float64,
    "funnel_low": pl.Float64,
    "funnel_high": pl.Float64,
    "outside_funnel": pl.Boolean,
    "suppressed": pl.Boolean,
    "data_vintage": pl.String,
}


def premises_indicator_columns() -> list[tuple[str, str]]:
    """(premises indicator, area column) pairs: share_ for flags, mean_ for graded values."""
    return [
        (i.name, f"{'share' if i.binary else 'mean'}_{i.name}")
        for i in INDICATORS
        if i.name not in NOT_AREA_INDICATORS
    ]


def imd_columns(area_mart: pl.DataFrame) -> list[str]:
    """The numeric measures of an area mart: IMD rank, decile, score and domains, and any
    density it publishes (e.g. target premises per 1,000 residents)."""
    return [
        name
        for name, dtype in area_mart.schema.items()
        if dtype.is_numeric() and not name.startswith(_NOT_MEASURES)
    ]


def area_events(
    premises: pl.DataFrame,
    events: pl.DataFrame,
    event_premises: pl.DataFrame,
    as_of: date,
    area_key: str,
) -> pl.DataFrame:
    """area_key -> one column per EVENT_OUTCOMES: the expected number of events published on
    or before as_of that concern the area, rounded to whole events.

    An event counts once per area, with the largest attribution probability among the
    area's premises: a chain whose three shops share one penalty is one event there, not
    three (the premises-level counts count it on each shop)."""
    published = events.filter(pl.col("published_date") <= as_of).select("event_key", "source")
    attributed = (
        event_premises.with_columns(pl.col("fhrsid").cast(premises.schema["fhrsid"]))
        .join(published, on="event_key")
        .join(premises.select("fhrsid", area_key), on="fhrsid")
        .filter(pl.col(area_key).is_not_null())
        .group_by(area_key, "event_key", "source")
        .agg(pl.col("attribution_probability").max())
    )
    sums = [
        (
            pl.col("attribution_probability")
            if source is None
            else pl.when(pl.col("source") == source).then(pl.col("attribution_probability"))
        )
        .sum()
        .round(0)
        .cast(pl.Int64)
        .alias(outcome)
        for outcome, source in EVENT_OUTCOMES.items()
    ]
    return attributed.group_by(area_key).agg(sums)


def area_table(
    premises_indicators: pl.DataFrame,
    area_mart: pl.DataFrame,
    events: pl.DataFrame,
    event_premises: pl.DataFrame,
    as_of: date,
    area_level: str,
) -> pl.DataFrame:
    """One row per area of `area_mart` (see the module docstring for the columns)."""
    key = LEVELS[area_level]
    target = pl.col("is_target_sector")
    aggregations = [
        # A business with several premises in the area is one business there.
        pl.coalesce(pl.col("business_id"), pl.col("fhrsid").cast(pl.String))
        .n_unique()
        .cast(pl.Int64)
        .alias(EXPOSURE),
        pl.len().cast(pl.Int64).alias("premises"),
        target.sum().cast(pl.Int64).alias("target_premises"),
        *[
            pl.col(name).filter(target).mean().alias(column)
            for name, column in premises_indicator_columns()
        ],
    ]
    per_area = (
        premises_indicators.filter(pl.col(key).is_not_null())
        .group_by(key)
        .agg(aggregations)
        .with_columns((pl.col("target_premises") / pl.col("premises")).alias("target_sector_share"))
    )
    outcomes = area_events(premises_indicators, events, event_premises, as_of, key)
    mart_columns = [key, *imd_columns(area_mart)]
    if area_level == "local_authority" and NRM_OUTCOME in area_mart.columns:
        mart_columns.append(NRM_OUTCOME)
    table = (
        area_mart.select(mart_columns)
        .join(per_area, on=key, how="left")
        .join(outcomes, on=key, how="left")
        .with_columns(
            *[pl.col(c).fill_null(0) for c in (EXPOSURE, "premises", "target_premises")],
            *[pl.col(outcome).fill_null(0) for outcome in EVENT_OUTCOMES],
        )
    )
    return table.rename({key: "area_code"}).sort("area_code")


def area_indicator_names(table: pl.DataFrame) -> list[str]:
    names = ["target_sector_share", *[column for _, column in premises_indicator_columns()]]
    excluded = {"area_code", EXPOSURE, "premises", "target_premises", NRM_OUTCOME, *EVENT_OUTCOMES}
    names += [
        c
        for c in table.columns
        if c not in excluded and c not in names and table.schema[c].is_numeric()
    ]
    return [n for n in names if n in table.columns]


def area_outcome_names(table: pl.DataFrame) -> list[str]:
    outcomes = list(EVENT_OUTCOMES)
    if NRM_OUTCOME in table.columns and table[NRM_OUTCOME].drop_nulls().len() > 0:
        outcomes.append(NRM_OUTCOME)
    return outcomes


def standardised(table: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Each column as z-scores over the areas (a constant column stays, as zeros or nulls)."""
    out = []
    for column in columns:
        values = pl.col(column).cast(pl.Float64)
        sd = table[column].cast(pl.Float64).std()
        if sd is None or not np.isfinite(sd) or sd == 0:
            out.append(values - values.mean())
        else:
            out.append((values - values.mean()) / sd)
    return table.with_columns(expr.alias(c) for expr, c in zip(out, columns, strict=True))


def correlations(table: pl.DataFrame, area_level: str, data_vintage: str) -> pl.DataFrame:
    """`stats.area_correlations` for every indicator x outcome of one level, in one call."""
    indicators = area_indicator_names(table)
    outcomes = area_outcome_names(table)
    return stats.area_correlations(
        standardised(table, indicators),
        indicators=indicators,
        outcomes=outcomes,
        exposure=EXPOSURE,
        area_level=area_level,
        data_vintage=data_vintage,
    )


def pooled_benjamini_hochberg(tables: list[pl.DataFrame]) -> pl.DataFrame:
    """The rows of every table, with p_adjusted re-computed over all of them as one family;
    suppressed rows count as p = 1 and stay null (see the module docstring)."""
    combined = pl.concat(tables, how="vertical")
    family = combined.select(
        pl.when(pl.col("suppressed")).then(1.0).otherwise(pl.col("p_value")).alias("p")
    )["p"]
    adjusted = pl.Series("p_adjusted", stats.benjamini_hochberg(family), dtype=pl.Float64)
    return combined.with_columns(
        pl.when(pl.col("suppressed"))
        .then(None)
        .otherwise(adjusted.fill_nan(None))
        .alias("p_adjusted")
    ).select(list(stats.AREA_CORRELATIONS_SCHEMA))


def enforcement_intensity(table: pl.DataFrame, area_level: str, data_vintage: str) -> pl.DataFrame:
    """`INTENSITY_SCHEMA` rows: every area of `table` for every outcome, small counts
    suppressed with the total protected."""
    frames = []
    for outcome in area_outcome_names(table):
        rates = stats.enforcement_intensity(
            table.select("area_code", pl.col(outcome).alias("events"), EXPOSURE),
            events_col="events",
            businesses_col=EXPOSURE,
        )
        rates = stats.suppress_small_counts(
            rates,
            count_columns=["events"],
            value_columns=["rate_per_1000", "rate_ci_low", "rate_ci_high", "outside_funnel"],
            protect_total=True,
        )
        frames.append(
            rates.with_columns(
                pl.lit(area_level).alias("area_level"),
                pl.lit(outcome).alias("outcome"),
                pl.lit(data_vintage).alias("data_vintage"),
            )
            .select(list(INTENSITY_SCHEMA))
            .cast(INTENSITY_SCHEMA)
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=INTENSITY_SCHEMA)
