"""Premises-level indicators of labour-exploitation risk, computed as of a date.

One row per FHRS establishment (`analysis.premises_indicators`). Every indicator is a
number in the unit its `Indicator.unit` names, oriented so that a larger value is the
riskier one (`direction`), because the scorecard multiplies each by a fitted weight.
Nothing here says that exploitation happens at a premises: an indicator is a reason to
look, never evidence.

Time: `as_of` is the date the indicators describe. No enforcement event published after
`as_of` is used, a company incorporated after `as_of` did not exist yet, a person's
control of a company notified after `as_of` (or ceased on or before it) is not counted,
and (with `hide_ratings_after_as_of`) neither is an inspection dated after it. The other
fields (hygiene scores, company status, whether a company has been dissolved) come from
the latest snapshot of their source: FHRS publishes only each premises' latest rating and
Companies House only the live register, which does not date a dissolution.

People: the controllers behind companies come from the Companies House PSC snapshot,
pseudonymised at ingest (`marts.fct_company_controls.controller_id`, a keyed hash): the
indicators count companies that share a controller, never who the controller is.

Ratings over time: FHRS publishes only each premises' latest inspection; earlier ones come
from kept copies of its files (source fhrs_history, `marts.fct_premises_ratings`), and
`rating_decline` and the inspection means read only inspections dated on or before `as_of`.
With `hide_ratings_after_as_of`, a premises whose latest rating is dated after `as_of` takes
the latest inspection the kept copies show dated by then (null when none does).

Where officials look: `area_enforcement` is the enforcement rate of the premises' local
authority (analysis/area_enforcement.py). It predicts the next penalty because penalties
follow inspectors; it is no sign of exploitation at the premises, and the explanation says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import polars as pl

from heyrick_dagster.analysis import area_enforcement, controllers, inspection_history, rating_trend

Direction = Literal["higher_is_riskier"]

# FHRS sectors Heyrick scores (dim_premises.sector, dbt macro classify_sector).
TARGET_SECTORS = ("hot_food_takeaway", "convenience_store")
RECENT_INCORPORATION_DAYS = 730
# A successor incorporated up to this long after its predecessor's controller was notified
# counts as a phoenix when the predecessor then failed. Neither product dates a dissolution,
# so "re-incorporated within N months of the failure" cannot be measured; the notification
# is the only date of the predecessor, and it is 6 April 2016 for every company older than
# the PSC register, hence a window of ten years rather than months (on the sample at its
# extract date, six years found 37 of the 57 phoenixes that no window at all finds; ten, 57).
PHOENIX_WINDOW_DAYS = 10 * 365
# A bracketed year after the name stem, "ABC FOODS (2021) LTD": a common way for a
# successor company to keep its predecessor's name.
PHOENIX_NAME_PATTERN = r"\((19|20)\d{2}\)"


@dataclass(frozen=True)
class Indicator:
    name: str
    description: str  # what it measures and why it is a reason to look
    source: str  # the published dataset(s) it is read from
    unit: str  # what one unit of the value is (the scorecard's weights are per unit)
    direction: Direction = "higher_is_riskier"
    binary: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "hygiene_rating_shortfall",
        "How far the premises' food-hygiene rating falls below 5 (rated 5 -> 0, rated 0 "
        "-> 5). Poor hygiene goes with poor management, long hours and overcrowded, "
        "under-staffed kitchens; enforcement agencies use FHRS failures to target visits. "
        "Null for Scottish (FHIS pass / improvement required: no 0-5 scale), exempt and "
        "unrated premises.",
        "FSA Food Hygiene Rating Scheme",
        "one rating step",
    ),
    Indicator(
        "confidence_in_management_points_lost",
        "Points the inspector deducted for 'confidence in management' (0 best, 30 worst), "
        "per 10 points. It scores records, training and management systems: what employers "
        "who exploit workers neglect, and the FHRS component most tied to how staff are "
        "managed. Null when no scores are published.",
        "FSA Food Hygiene Rating Scheme",
        "10 points lost",
    ),
    Indicator(
        "rating_decline",
        "How many steps the premises' latest food-hygiene rating dated on or before as_of "
        "fell below the inspection before it (previous minus latest: 2 when a 5 became a 3, "
        "negative when it rose). A falling rating is management slipping: fewer staff, "
        "longer hours, records and training neglected. Only inspections dated by as_of are "
        "read, so a later rating never explains an earlier event. The FSA publishes only the "
        "latest inspection, so the earlier one comes from kept copies of its files; null "
        "when fewer than two inspections dated by as_of are known.",
        "FSA Food Hygiene Rating Scheme: the latest file and earlier kept copies",
        "one rating step",
    ),
    Indicator(
        "management_points_lost_mean",
        "Mean confidence-in-management points lost over the premises' inspections dated on "
        "or before as_of that the latest FHRS file and its kept earlier copies show, per 10 "
        "points. One inspection is a noisy reading of how a premises is run; the mean of "
        "several is a surer one, and management (records, training, staff systems) is what "
        "exploitative employers neglect. Null when no scored inspection is known by as_of.",
        "FSA Food Hygiene Rating Scheme: the latest file and earlier kept copies",
        "10 points lost, mean over inspections",
    ),
    Indicator(
        "hygiene_structural_points_lost_mean",
        "Mean hygiene plus structural points lost over the same inspections, per 10 points: "
        "how run-down the kitchen is. Beside the management mean it separates neglected "
        "management from a merely run-down kitchen (the scorecard's weights are given the "
        "other indicators, so a premises whose management points are high for its kitchen "
        "stands out). Null when no scored inspection is known by as_of.",
        "FSA Food Hygiene Rating Scheme: the latest file and earlier kept copies",
        "10 points lost, mean over inspections",
    ),
    Indicator(
        "recent_incorporation",
        "1 when a company linked to the premises (same business cluster) was incorporated "
        f"within {RECENT_INCORPORATION_DAYS // 365} years before the premises' rating date or "
        "before as_of (never after as_of). New companies behind established premises go "
        "with changes of operator, churn and phoenixing, which labour-exploitation "
        "typologies list among risk markers. 0 when no linked company qualifies.",
        "Companies House basic company data, linked to FHRS",
        "flag",
        binary=True,
    ),
    Indicator(
        "companies_at_premises_postcode",
        "log2(1 + number of companies registered at the premises' postcode and "
        "incorporated by as_of). Many registrations at one small shop's postcode go with "
        "company churn, phoenixing and 'address farms'. A postcode covers about 15 "
        "addresses, so neighbours count too; a registered office at an accountant's "
        "does not count (it is at the accountant's postcode).",
        "Companies House basic company data",
        "a doubling of the count",
    ),
    Indicator(
        "company_distressed",
        "1 when a linked company is in liquidation, administration or has a proposal to "
        "strike off. Distress comes before dissolution, and dissolution before a phoenix.",
        "Companies House basic company data, linked to FHRS",
        "flag",
        binary=True,
    ),
    Indicator(
        "phoenix_like_company_name",
        "1 when a linked company's name carries a bracketed year ('ABC FOODS (2021) LTD'), "
        "the usual name of a successor company. The PROXY for phoenixing: the live "
        "register has no dissolved companies, so a dissolved predecessor at the same "
        "address cannot be seen. It misses successors renamed otherwise and flags some "
        "innocent names.",
        "Companies House basic company data, linked to FHRS",
        "flag",
        binary=True,
    ),
    Indicator(
        "controllers_shared_with_food_companies",
        "log2(1 + number of OTHER food-sector companies that share a person with significant "
        "control with a company linked to the premises), counting only control notified on "
        "or before as_of and not ceased by then, and companies incorporated by then. One "
        "person controlling many small takeaways and shops is how labour-exploitation "
        "networks and 'front' ownership look in enforcement case files; the count is of "
        "companies sharing a pseudonymised controller (a keyed hash of name and birth "
        "month), never of who the controller is. 0 when the linked companies' controllers "
        "control nothing else; null when no PSC snapshot was loaded.",
        "Companies House PSC snapshot (pseudonymised) and basic company data, linked to FHRS",
        "a doubling of (1 + companies sharing a controller)",
    ),
    Indicator(
        "phoenix_successor",
        "1 when a company linked to the premises (incorporated by as_of) is the likely "
        "successor of a failed company: a controller of it (notified by as_of) also "
        "controlled an earlier company, notified before the successor's incorporation and "
        f"at most {PHOENIX_WINDOW_DAYS // 365} years before it, that has since been dissolved "
        "(in the PSC snapshot, absent from the live register) or is in liquidation, "
        "administration or being struck off, AT THE SAME ADDRESS: the postcode the earlier "
        "company's controller gave as service address, or its registered postcode, is the "
        "successor's registered postcode. Phoenixing sheds debts, wage arrears and "
        "penalties while the same people keep trading. Caveats: the snapshot does not date "
        "a dissolution, so a predecessor dissolved after as_of counts (its successor existed "
        "by as_of); a company absent from the register extract may also be outside its food "
        "sector and areas rather than dissolved. Null when no PSC snapshot was loaded.",
        "Companies House PSC snapshot (pseudonymised) and basic company data, linked to FHRS",
        "flag",
        binary=True,
    ),
    Indicator(
        "prior_enforcement",
        "log2(1 + the expected number of illegal-working penalties and minimum-wage namings "
        "attributed to the premises and published on or before as_of), that expected number "
        "(column prior_enforcement_expected) being the sum of the attribution probabilities: "
        "1 for a record linked into the premises' business, less through possible links. "
        "Enforcement repeats: a business penalised once is more likely to be again. On a log "
        "scale because repeats add less and less (linear in the count, a business with five "
        "penalties would be predicted dozens more). It also records where officials have "
        "looked, not only what is there.",
        "Home Office illegal-working penalties; DBT National Minimum Wage naming",
        "a doubling of (1 + expected prior events)",
    ),
    Indicator(
        "area_enforcement",
        "log2 of the enforcement rate of the premises' local authority relative to all "
        "authorities: expected illegal-working penalties and minimum-wage namings published "
        f"in the {area_enforcement.WINDOW_YEARS} years to as_of per premises, leaving the "
        "premises' own events out and shrunk towards the overall rate. Penalties follow "
        "where officials look: a premises in a much-visited area is more likely to be "
        "penalised next whatever it does. It is NOT a sign of exploitation at the premises; "
        "it is there so that the ranking of later enforcement is not mistaken for a ranking "
        "of exploitation, and the explanation names it. Null without a local authority or "
        "with no event in the window.",
        "Home Office illegal-working penalties; DBT National Minimum Wage naming",
        "a doubling of the area's enforcement rate",
    ),
    Indicator(
        "area_deprivation",
        "The deprivation of the premises' LSOA: (10 - IMD decile) / 9, so 0 in the least "
        "deprived tenth of England and 1 in the most deprived. Deprived areas have more "
        "workers with few alternatives, which exploitation relies on. Null outside "
        "England or when the postcode is unknown.",
        "MHCLG English Indices of Deprivation 2019; ONS postcode directory",
        "least to most deprived decile",
    ),
)
INDICATOR_NAMES = tuple(i.name for i in INDICATORS)
BY_NAME = {i.name: i for i in INDICATORS}

UNAVAILABLE: tuple[tuple[str, str], ...] = (
    (
        "directors_and_secretaries",
        "Directors and secretaries are not ingested (the officers data are not in a free "
        "bulk product); only persons with significant control are "
        "(controllers_shared_with_food_companies).",
    ),
)

TABLES = (
    "dim_premises",
    "dim_companies",
    "fct_enforcement_events",
    "fct_event_premises",
    "fct_company_controls",
    "fct_premises_ratings",
)
# Read when present: without them the indicators that rest on them are null (unknown).
OPTIONAL_TABLES = ("fct_company_controls", "fct_premises_ratings")


def _missing_columns(tables: dict[str, pl.DataFrame]) -> None:
    needed = {
        "dim_premises": [
            "fhrsid",
            "business_id",
            "sector",
            "is_target_sector",
            "postcode",
            "lsoa_code",
            "la_code",
            "imd_decile",
            "rating_numeric",
            "rating_date",
            "score_confidence_in_management",
            "data_origin",
            "data_vintage",
        ],
        "dim_companies": [
            "company_number",
            "business_id",
            "company_name",
            "incorporation_date",
            "postcode",
            "is_distressed",
        ],
        "fct_enforcement_events": ["event_key", "published_date"],
        "fct_event_premises": ["event_key", "fhrsid", "attribution_probability"],
        "fct_company_controls": [
            "company_number",
            "controller_id",
            "notified_on",
            "ceased_on",
            "address_postcode",
            "company_on_register",
            "is_food_sector",
            "is_distressed",
            "incorporation_date",
            "company_postcode",
        ],
        "fct_premises_ratings": [
            "fhrsid",
            "rating_date",
            "rating_numeric",
            *inspection_history.SCORES,
        ],
    }
    for table, columns in needed.items():
        if table in OPTIONAL_TABLES and table not in tables:
            continue
        if table not in tables:
            raise ValueError(f"premises_indicators needs the table {table}")
        absent = [c for c in columns if c not in tables[table].columns]
        if absent:
            raise ValueError(f"{table} has no column(s) {absent}")


def prior_enforcement(
    events: pl.DataFrame, event_premises: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """fhrsid -> expected events published on or before `as_of` (sum of attribution)."""
    published = events.filter(pl.col("published_date") <= as_of).select("event_key")
    return (
        event_premises.join(published, on="event_key", how="semi")
        .group_by("fhrsid")
        .agg(pl.col("attribution_probability").sum().alias("prior_enforcement_expected"))
    )


def _existed(as_of: date) -> pl.Expr:
    """The company existed at as_of (an unknown incorporation date is given the benefit)."""
    return pl.col("incorporation_date").is_null() | (pl.col("incorporation_date") <= as_of)


def _company_flags(premises: pl.DataFrame, companies: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """fhrsid -> the flags of the companies in the premises' business cluster."""
    recent = timedelta(days=RECENT_INCORPORATION_DAYS)
    existing = companies.filter(_existed(as_of))
    joined = premises.select("fhrsid", "business_id", "rating_date").join(
        existing.select("business_id", "company_name", "incorporation_date", "is_distressed"),
        on="business_id",
        how="inner",
    )
    incorporated = pl.col("incorporation_date")
    # A rating dated after as_of was not known at as_of: only as_of's window applies.
    rating = pl.when(pl.col("rating_date") <= as_of).then(pl.col("rating_date"))
    within_rating = (incorporated <= rating) & (incorporated > rating - recent)
    within_as_of = incorporated > pl.lit(as_of) - recent
    return joined.group_by("fhrsid").agg(
        pl.len().alias("linked_companies"),
        (within_rating.fill_null(False) | within_as_of)
        .any()
        .cast(pl.Int8)
        .alias("recent_incorporation"),
        pl.col("is_distressed").fill_null(False).any().cast(pl.Int8).alias("company_distressed"),
        pl.col("company_name")
        .str.contains(PHOENIX_NAME_PATTERN)
        .fill_null(False)
        .any()
        .cast(pl.Int8)
        .alias("phoenix_like_company_name"),
    )


def _companies_at_postcode(companies: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return (
        companies.filter(pl.col("postcode").is_not_null() & _existed(as_of))
        .group_by("postcode")
        .agg(pl.len().alias("companies_at_postcode"))
    )


def _controller_counts(
    premises: pl.DataFrame, tables: dict[str, pl.DataFrame], as_of: date
) -> pl.DataFrame:
    """fhrsid -> companies_sharing_a_controller and phoenix_predecessors (both null for
    every premises when no PSC snapshot was loaded: unknown, not zero)."""
    counts = ["companies_sharing_a_controller", "phoenix_predecessors"]
    controls = tables.get("fct_company_controls")
    if controls is None or controls.is_empty():
        return premises.select("fhrsid").with_columns(
            pl.lit(None, dtype=pl.Int64).alias(c) for c in counts
        )
    linked = (
        premises.select("fhrsid", "business_id")
        .join(
            tables["dim_companies"]
            .filter(_existed(as_of))
            .select("business_id", "company_number", "incorporation_date", "postcode"),
            on="business_id",
        )
        .drop("business_id")
    )
    shared = controllers.shared_food_companies(linked, controls, as_of)
    phoenix = controllers.phoenix_successors(linked, controls, as_of, PHOENIX_WINDOW_DAYS)
    return (
        premises.select("fhrsid")
        .join(shared, on="fhrsid", how="left")
        .join(phoenix, on="fhrsid", how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
    )


def _ratings(premises: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The inspections of `marts.fct_premises_ratings` (none when no copy was loaded)."""
    ratings = tables.get("fct_premises_ratings")
    if ratings is None:
        ratings = pl.DataFrame(
            schema={
                "fhrsid": premises.schema["fhrsid"],
                "rating_date": pl.Date,
                "rating_numeric": pl.Int64,
            }
            | dict.fromkeys(inspection_history.SCORES, pl.Int64)
        )
    return ratings.with_columns(pl.col("fhrsid").cast(premises.schema["fhrsid"]))


def _as_of_ratings(
    premises: pl.DataFrame, ratings: pl.DataFrame, as_of: date, hide_after: bool
) -> pl.DataFrame:
    """`premises` with the rating, its date and the management score as known at `as_of`
    when `hide_after`: a latest rating dated later is replaced by the latest inspection the
    kept copies show dated by `as_of`, or null."""
    columns = ("rating_numeric", "rating_date", "score_confidence_in_management")
    if not hide_after:
        return premises
    earlier = inspection_history.latest_by(ratings, as_of).rename(
        {c: f"_earlier_{c}" for c in columns}
    )
    known = pl.col("rating_date").is_null() | (pl.col("rating_date") <= as_of)
    return (
        premises.join(earlier, on="fhrsid", how="left")
        .with_columns(
            pl.when(known).then(pl.col(c)).otherwise(pl.col(f"_earlier_{c}")).alias(c)
            for c in columns
        )
        .drop(f"_earlier_{c}" for c in columns)
    )


def premises_indicators(
    tables: dict[str, pl.DataFrame], as_of: date, hide_ratings_after_as_of: bool = False
) -> pl.DataFrame:
    """`analysis.premises_indicators`: one row per premises of `dim_premises`, as of `as_of`.

    `tables` holds the marts named in `TABLES` (the issue-5 contract). Every premises is
    kept (non-target sectors are the denominators of the area analysis); `is_target_sector`
    says which are scored. Columns: the premises' keys and area, each indicator of
    `INDICATORS` (null when unknown, see each description), the raw counts behind them
    (`prior_enforcement_expected`, `linked_companies`, `companies_at_postcode`,
    `companies_sharing_a_controller`, `phoenix_predecessors`, `inspections_known`,
    `inspections_scored`, `area_enforcement_ratio`), `as_of`,
    `data_vintage`, `data_origin`. `fct_company_controls` and `fct_premises_ratings` are
    optional: without them (no PSC snapshot, no earlier FHRS copies) the indicators that
    rest on them are null.

    `hide_ratings_after_as_of=True` treats an inspection dated after `as_of` as not yet
    published: the premises takes the latest inspection dated by `as_of` that the kept
    copies show, else null. The strict variant of a time-ordered evaluation, since the
    FHRS snapshot holds only each premises' latest rating.
    """
    _missing_columns(tables)
    premises = tables["dim_premises"]
    fhrsid_type = premises.schema["fhrsid"]
    event_premises = tables["fct_event_premises"].with_columns(pl.col("fhrsid").cast(fhrsid_type))
    companies = tables["dim_companies"]

    ratings = _ratings(premises, tables)
    base = _as_of_ratings(premises, ratings, as_of, hide_ratings_after_as_of)
    events = tables["fct_enforcement_events"]

    frame = (
        base.join(_company_flags(base, companies, as_of), on="fhrsid", how="left")
        .join(_companies_at_postcode(companies, as_of), on="postcode", how="left")
        .join(_controller_counts(base, tables, as_of), on="fhrsid", how="left")
        .join(rating_trend.rating_decline(ratings, as_of), on="fhrsid", how="left")
        .join(inspection_history.history_means(ratings, as_of), on="fhrsid", how="left")
        .join(prior_enforcement(events, event_premises, as_of), on="fhrsid", how="left")
        .join(
            area_enforcement.area_enforcement(base, events, event_premises, as_of),
            on="fhrsid",
            how="left",
        )
    )
    flags = ["recent_incorporation", "company_distressed", "phoenix_like_company_name"]
    frame = frame.with_columns(
        (5 - pl.col("rating_numeric")).cast(pl.Float64).alias("hygiene_rating_shortfall"),
        (pl.col("score_confidence_in_management") / 10.0).alias(
            "confidence_in_management_points_lost"
        ),
        *[pl.col(f).fill_null(0).cast(pl.Float64) for f in flags],
        pl.col("linked_companies").fill_null(0).cast(pl.Int64),
        pl.col("companies_at_postcode").fill_null(0).cast(pl.Int64),
        pl.col("inspections_known").fill_null(0).cast(pl.Int64),
        pl.col("inspections_scored").fill_null(0).cast(pl.Int64),
        pl.col("area_enforcement_ratio").log(2).alias("area_enforcement"),
        (1 + pl.col("companies_sharing_a_controller"))
        .log(2)
        .alias("controllers_shared_with_food_companies"),
        (pl.col("phoenix_predecessors") > 0).cast(pl.Float64).alias("phoenix_successor"),
        pl.when(pl.col("postcode").is_not_null())
        .then((1 + pl.col("companies_at_postcode").fill_null(0)).log(2))
        .alias("companies_at_premises_postcode"),
        pl.col("prior_enforcement_expected").fill_null(0.0).cast(pl.Float64),
        (1 + pl.col("prior_enforcement_expected").fill_null(0.0)).log(2).alias("prior_enforcement"),
        ((10 - pl.col("imd_decile")) / 9.0).cast(pl.Float64).alias("area_deprivation"),
        pl.col("is_target_sector").fill_null(False),
        pl.lit(as_of, dtype=pl.Date).alias("as_of"),
    )
    keys = [
        "fhrsid",
        "business_id",
        "sector",
        "is_target_sector",
        "la_code",
        "lsoa_code",
        "imd_decile",
        "postcode",
        "rating_numeric",
        "rating_date",
    ]
    extra = [c for c in ("la_name",) if c in frame.columns]
    return frame.select(
        *keys,
        *extra,
        *INDICATOR_NAMES,
        "prior_enforcement_expected",
        "linked_companies",
        "companies_at_postcode",
        "companies_sharing_a_controller",
        "phoenix_predecessors",
        "inspections_known",
        "inspections_scored",
        "area_enforcement_ratio",
        "as_of",
        "data_vintage",
        "data_origin",
    ).sort("fhrsid")


def describe_value(name: str, value: float | None) -> str:
    """An indicator's value in words, for the explanation of a score."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{name.replace('_', ' ')} unknown"
    words = {
        "hygiene_rating_shortfall": lambda v: f"food hygiene rating {5 - round(v)}",
        "confidence_in_management_points_lost": lambda v: (
            f"{round(10 * v)} points lost on confidence in management"
        ),
        "rating_decline": lambda v: (
            f"rating {round(v)} step(s) below the inspection before"
            if v > 0
            else f"rating {round(-v)} step(s) above the inspection before"
            if v < 0
            else "rating as at the inspection before"
        ),
        "recent_incorporation": lambda v: (
            "company incorporated in the last 2 years" if v else "no recently incorporated company"
        ),
        "companies_at_premises_postcode": lambda v: (
            f"{round(2**v - 1)} companies registered at its postcode"
        ),
        "company_distressed": lambda v: (
            "company in liquidation, administration or being struck off"
            if v
            else "no distressed company"
        ),
        "phoenix_like_company_name": lambda v: (
            "company named like a successor ('(year)')" if v else "no successor-style company name"
        ),
        "controllers_shared_with_food_companies": lambda v: (
            f"a controller shared with {round(2**v - 1)} other food companies"
        ),
        "phoenix_successor": lambda v: (
            "company succeeds a failed company of the same controller at the same address"
            if v
            else "no phoenix predecessor seen"
        ),
        "prior_enforcement": lambda v: f"{2**v - 1:.2f} expected prior enforcement events",
        "management_points_lost_mean": lambda v: (
            f"{10 * v:.1f} management points lost on average over its inspections"
        ),
        "hygiene_structural_points_lost_mean": lambda v: (
            f"{10 * v:.1f} hygiene and structural points lost on average over its inspections"
        ),
        "area_enforcement": lambda v: (
            f"its local authority sees {2**v:.2f} times the average enforcement per premises "
            "(where officials look: no sign about this premises itself)"
        ),
        "area_deprivation": lambda v: f"area in IMD decile {10 - round(9 * v)}",
    }
    return words[name](value)
