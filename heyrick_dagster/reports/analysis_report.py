"""The analysis report: one self-contained HTML page for analysts, and the exports.

What it shows, in order: the caveats (SYNTHETIC first and large when the figures come from
the sample), the key figures, the top indications with their explanations and the ranked
areas, maps of LSOAs, each enforcement outcome with its correlation table beside its
enforcement-intensity diagnostic (penalty density is not prevalence) and scatter plots,
rates by deprivation decile, the trend over data vintages, the time-ordered evaluation
and the scorecard's weights, and the freshness of every source.

Self-contained because analysts work in secure environments without internet access:
CSS and SVG are inline (charts by `svg.py`), there is no script, no font file, no image
and no map tile, and a Content-Security-Policy forbids the browser to fetch anything.
The only links out are to the publishers' own pages, which a reader may follow or not.

Disclosure: counts of 1 to 4 events are never shown. The analysis tables arrive with
those rows suppressed (`stats.suppress_small_counts`), and every table and chart here
also reads the `suppressed` flag itself and prints "suppressed" or `[c]` in place of the
numbers, so a suppressed row cannot leak even if its numbers were left in the frame. The
area charts never receive raw event counts: their y values come from the suppressed
enforcement-intensity table.

Layers: `load_inputs` reads the warehouse into `ReportInputs` (plain polars frames);
`render` turns inputs into HTML and knows nothing of DuckDB; `write_report` does both and
writes the page and the exports. Dagster wiring: `defs/analysis_report.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

import duckdb
import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.analysis import areas, evaluation, indicators, stats
from heyrick_dagster.analysis.marts import read_marts
from heyrick_dagster.analysis.scorecard import CAVEAT
from heyrick_dagster.reports import svg
from heyrick_dagster.reports.exports_dictionary import (
    WrittenExports,
    export_file_names,
    write_exports,
    write_text,
)
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.registry import CONNECTORS

SYNTHETIC_ORIGIN = "synthetic sample"
ALPHA = 0.05  # adjusted p below which an association is shown as notable
TOP_PREMISES = 20
TOP_LSOAS = 10
MAX_MAP_AUTHORITIES = 12
MAX_AUTHORITY_ROWS = 15

LEVEL_LABELS = {"lsoa": "LSOA", "local_authority": "local authority"}
LEVEL_PLURALS = {"lsoa": "LSOAs", "local_authority": "local authorities"}
LEVEL_HEADINGS = {"lsoa": "LSOA", "local_authority": "Local authority"}
LEVEL_PLURAL_HEADINGS = {"lsoa": "LSOAs", "local_authority": "Local authorities"}
OUTCOME_LABELS = {
    "enforcement_events": "All enforcement events (illegal-working penalties and "
    "minimum-wage namings)",
    "illegal_working_penalties": "Illegal-working civil penalties (Home Office)",
    "nmw_namings": "Minimum-wage namings (Department for Business and Trade)",
    areas.NRM_OUTCOME: "NRM referrals for labour exploitation",
}
SOURCE_SERIES = {
    "illegal_working": "illegal-working penalties",
    "nmw_naming": "minimum-wage namings",
}
# How the premises indicators read inside area indicator names (share_<flag>, mean_<value>).
_INDICATOR_WORDS = {
    "recent_incorporation": "a company incorporated in the last 2 years",
    "company_distressed": "a company in liquidation, administration or being struck off",
    "phoenix_like_company_name": "a successor-style company name ('(year)')",
    "hygiene_rating_shortfall": "food-hygiene rating shortfall (steps below 5)",
    "confidence_in_management_points_lost": "confidence-in-management points lost (per 10)",
    "companies_at_premises_postcode": "log2(1 + companies registered at the postcode)",
}
_AREA_INDICATOR_LABELS = {
    "target_sector_share": "share of premises that are takeaways or convenience stores",
    "imd_rank": "IMD 2019 rank (1 = most deprived)",
    "imd_decile": "IMD 2019 decile (1 = most deprived)",
    "imd_score": "IMD 2019 score",
    "income_rate": "IMD income deprivation rate",
    "employment_rate": "IMD employment deprivation rate",
    "target_premises_per_1000_residents": "takeaways and convenience stores per 1,000 residents",
    "mean_imd_score": "mean IMD 2019 score of its premises' LSOAs",
    "mean_imd_decile": "mean IMD 2019 decile of its premises' LSOAs",
    "share_premises_imd_decile_1": "share of premises in the most deprived IMD decile",
    "share_premises_imd_quintile_1": "share of premises in the most deprived IMD quintile",
}


def indicator_label(name: str) -> str:
    """An area indicator's column name in words."""
    if name in _AREA_INDICATOR_LABELS:
        return _AREA_INDICATOR_LABELS[name]
    if name.startswith("share_") and name[6:] in _INDICATOR_WORDS:
        return f"share of takeaways and convenience stores with {_INDICATOR_WORDS[name[6:]]}"
    if name.startswith("mean_") and name[5:] in _INDICATOR_WORDS:
        return f"mean {_INDICATOR_WORDS[name[5:]]} of takeaways and convenience stores"
    return name.replace("_", " ")


def outcome_label(name: str) -> str:
    return OUTCOME_LABELS.get(name, name.replace("_", " "))


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ReportInputs:
    """Everything the page shows, as read from the warehouse (see `load_inputs`)."""

    as_of: date
    written_on: date
    synthetic: bool
    correlations: pl.DataFrame  # analysis.area_correlations
    intensity: pl.DataFrame  # analysis.area_enforcement_intensity (suppressed as published)
    # level -> area_code, area_name, la_code (LSOA only), businesses, the area indicators;
    # never the event counts (those reach the page only through `intensity`).
    area_values: dict[str, pl.DataFrame]
    lsoa_locations: pl.DataFrame  # lsoa_code, longitude, latitude
    decile_rates: pl.DataFrame  # see `decile_rates`
    indications: pl.DataFrame  # analysis.premises_indications + business_name, la_name
    area_indications: pl.DataFrame  # analysis.area_indications
    weights: pl.DataFrame  # analysis.scorecard_weights
    evaluation: dict | None  # analysis.evaluation.evaluate(...)
    evaluation_note: str | None  # why there is no evaluation, when there is none
    freshness: pl.DataFrame  # see `source_freshness`
    events_by_year: pl.DataFrame  # see `events_by_year`
    events_published: int  # enforcement events published by as_of
    events_attributed: int  # of those, how many reach a premises (and so an area)
    unavailable: tuple[tuple[str, str], ...] = field(default=indicators.UNAVAILABLE)


def area_values(level: str, table: pl.DataFrame, area_mart: pl.DataFrame) -> pl.DataFrame:
    """The area table of `areas.area_table` without its event counts, with the area's name
    (and, for an LSOA, its authority)."""
    counts = [*areas.EVENT_OUTCOMES, areas.NRM_OUTCOME, "premises", "target_premises"]
    values = table.drop([c for c in counts if c in table.columns])
    if level == "lsoa":
        names = area_mart.select(
            pl.col("lsoa_code").alias("area_code"),
            pl.col("lsoa_name").alias("area_name"),
            "la_code",
        )
    else:
        names = area_mart.select(
            pl.col("la_code").alias("area_code"), pl.col("la_name").alias("area_name")
        )
    return names.join(values, on="area_code", how="right").select(
        "area_code", *[c for c in names.columns if c != "area_code"], pl.exclude(names.columns)
    )


def decile_rates(
    premises: pl.DataFrame,
    events: pl.DataFrame,
    event_premises: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """Per event outcome and IMD decile of the premises' LSOA: events published by as_of
    (each counted once per decile), businesses with premises there, the rate per 1,000
    businesses with its exact interval and the overall rate; counts of 1-4 suppressed
    (with the total protected: the overall rate is shown beside them). Premises with no
    decile (outside England, unknown postcode) are left out."""
    known = premises.filter(pl.col("imd_decile").is_not_null())
    businesses = known.group_by("imd_decile").agg(
        pl.coalesce(pl.col("business_id"), pl.col("fhrsid").cast(pl.String))
        .n_unique()
        .cast(pl.Int64)
        .alias("businesses")
    )
    counts = areas.area_events(known, events, event_premises, as_of, "imd_decile")
    frames = []
    for outcome in areas.EVENT_OUTCOMES:
        per_decile = businesses.join(
            counts.select("imd_decile", pl.col(outcome).alias("events")),
            on="imd_decile",
            how="left",
        ).with_columns(pl.col("events").fill_null(0))
        rates = stats.enforcement_intensity(per_decile, "events", "businesses")
        rates = stats.suppress_small_counts(
            rates,
            count_columns=["events"],
            value_columns=["rate_per_1000", "rate_ci_low", "rate_ci_high"],
            protect_total=True,
        )
        frames.append(
            rates.select(
                pl.lit(outcome).alias("outcome"),
                pl.col("imd_decile").cast(pl.Int64),
                "businesses",
                pl.col("events").cast(pl.Int64),
                "rate_per_1000",
                "rate_ci_low",
                "rate_ci_high",
                "overall_rate_per_1000",
                "suppressed",
            )
        )
    return pl.concat(frames).sort("outcome", "imd_decile")


def events_by_year(events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """source, year, events (published that year, by as_of), suppressed: every source x year
    from the first publication to as_of, zeros included, counts of 1-4 suppressed."""
    published = events.filter(pl.col("published_date") <= as_of)
    if published.is_empty():
        return pl.DataFrame(
            schema={
                "source": pl.String,
                "year": pl.Int32,
                "events": pl.Int64,
                "suppressed": pl.Boolean,
            }
        )
    first = published["published_date"].min().year
    grid = pl.DataFrame({"source": sorted(set(published["source"]))}).join(
        pl.DataFrame({"year": pl.int_range(first, as_of.year + 1, eager=True).cast(pl.Int32)}),
        how="cross",
    )
    counted = published.group_by("source", pl.col("published_date").dt.year().alias("year")).agg(
        pl.len().cast(pl.Int64).alias("events")
    )
    table = grid.join(counted, on=["source", "year"], how="left").with_columns(
        pl.col("events").fill_null(0)
    )
    return stats.suppress_small_counts(table, count_columns=["events"], protect_total=True).sort(
        "source", "year"
    )


def source_freshness(settings: Settings) -> pl.DataFrame:
    """One row per raw table of every source: publisher, official address, refresh cadence,
    rows, the data vintages it holds (first, last, how many), and the download folders kept
    under data/raw (the newest is the one loaded)."""
    rows = []
    for connector in CONNECTORS:
        meta = connector.metadata
        folder = settings.raw_dir / meta.key
        downloads = (
            sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        )
        for table in connector.tables:
            name = connector.table_name(table)
            try:
                held = warehouse.query(
                    settings.duckdb_path,
                    "select count(*) as rows, count(distinct _vintage) as vintages, "
                    "min(_vintage) as first_vintage, max(_vintage) as last_vintage "
                    f"from raw.{name}",
                ).row(0, named=True)
            except duckdb.CatalogException:
                held = {"rows": 0, "vintages": 0, "first_vintage": None, "last_vintage": None}
            rows.append(
                {
                    "source": meta.key,
                    "title": meta.title,
                    "publisher": meta.publisher,
                    "official_url": meta.official_url,
                    "refresh_cadence": meta.refresh_cadence,
                    "required": meta.required,
                    "table": f"raw.{name}",
                    "rows": int(held["rows"]),
                    "vintages": int(held["vintages"]),
                    "first_vintage": held["first_vintage"],
                    "last_vintage": held["last_vintage"],
                    "downloads": len(downloads),
                    "latest_download": downloads[-1] if downloads else None,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def load_inputs(settings: Settings, written_on: date | None = None) -> ReportInputs:
    """Read the analysis tables and the marts they rest on into `ReportInputs`."""
    db = settings.duckdb_path

    def read(schema: str, table: str) -> pl.DataFrame:
        return warehouse.query(db, f"select * from {schema}.{table}")

    # As the analysis assets read them: only the controls the controller indicators use
    # (nationally 0.59M of 5.4M rows; all of them made this step the refresh's peak).
    marts = read_marts(db)
    events, event_premises = marts["fct_enforcement_events"], marts["fct_event_premises"]
    premises = read("analysis", "premises_indicators")
    as_of = premises["as_of"].max()
    values = {}
    for level, mart_name in (("lsoa", "area_lsoa"), ("local_authority", "area_local_authority")):
        mart = read("marts", mart_name)
        table = areas.area_table(premises, mart, events, event_premises, as_of, level)
        values[level] = area_values(level, table, mart)
    locations = warehouse.query(
        db,
        "with directory as (select lsoa_code, avg(longitude) as longitude, "
        "avg(latitude) as latitude from staging.stg_postcodes__postcodes "
        "where lsoa_code is not null and latitude is not null group by lsoa_code), "
        "premises as (select lsoa_code, avg(longitude) as longitude, avg(latitude) as latitude "
        "from marts.dim_premises where lsoa_code is not null and latitude is not null "
        "group by lsoa_code) "
        "select lsoa_code, coalesce(directory.longitude, premises.longitude) as longitude, "
        "coalesce(directory.latitude, premises.latitude) as latitude "
        "from premises full join directory using (lsoa_code)",
    )
    indications = read("analysis", "premises_indications").join(
        marts["dim_premises"].select("fhrsid", "business_name", "la_name"), on="fhrsid", how="left"
    )
    indications = indications.select(
        "fhrsid", "business_name", pl.exclude("fhrsid", "business_name")
    )
    try:
        evaluated, note = evaluation.evaluate(marts), None
    except ValueError as exc:  # no enforcement published: nothing to evaluate against
        evaluated, note = None, str(exc)
    published = events.filter(pl.col("published_date") <= as_of)
    attributed = published.join(event_premises, on="event_key", how="semi").height
    return ReportInputs(
        as_of=as_of,
        written_on=written_on or datetime.now(UTC).date(),
        synthetic=SYNTHETIC_ORIGIN in set(premises["data_origin"].drop_nulls()),
        correlations=read("analysis", "area_correlations"),
        intensity=read("analysis", "area_enforcement_intensity"),
        area_values=values,
        lsoa_locations=locations,
        decile_rates=decile_rates(premises, events, event_premises, as_of),
        indications=indications,
        area_indications=read("analysis", "area_indications"),
        weights=read("analysis", "scorecard_weights"),
        evaluation=evaluated,
        evaluation_note=note,
        freshness=source_freshness(settings),
        events_by_year=events_by_year(events, as_of),
        events_published=published.height,
        events_attributed=attributed,
    )


# --------------------------------------------------------------------------- HTML helpers


def esc(value: object) -> str:
    return escape("" if value is None else str(value))


def number(value: float | None, digits: int = 3) -> str:
    return svg.fmt(value, digits)


def whole(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def p_text(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def percent(share: float | None, digits: int = 1) -> str:
    return "–" if share is None else f"{100 * share:.{digits}f}%"


def interval(low: float | None, high: float | None) -> str:
    return f"[{number(low)}, {number(high)}]"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    """An HTML table; `headers` are text (escaped here), cells are HTML (escaped by callers:
    a cell is either `esc(...)` of data or markup written here)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row) + "</tr>"
        for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def figure(chart: str, caption: str) -> str:
    return f"<figure>{chart}<figcaption>{esc(caption)}</figcaption></figure>"


SUPPRESSED_CELL = '<td class="suppressed">suppressed</td>'


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    html: str


# --------------------------------------------------------------------------- sections


def caveats_section(inputs: ReportInputs) -> Section:
    items = [
        f"<strong>{esc(CAVEAT)}.</strong> Every figure here says where to look. None says "
        "that a business exploits anyone; an indication is a reason for a trained officer to "
        "ask questions, with the sources named beside it.",
        "<strong>Enforcement measures where officials looked.</strong> Penalties and namings "
        "are counted where the Home Office and HMRC chose to inspect, so an area with many "
        "is partly an area inspected often: penalty density is not prevalence. Each outcome "
        "below is shown beside its enforcement intensity, and the scorecard, trained on past "
        "enforcement, inherits that bias.",
        "<strong>Areas are not businesses.</strong> An association between areas (an "
        "ecological correlation) does not say that the businesses carrying an indicator are "
        "the ones enforced against.",
        f"<strong>Linkage reaches only what it can link.</strong> Of "
        f"{inputs.events_published:,} enforcement events published by "
        f"{inputs.as_of.isoformat()}, {inputs.events_attributed:,} were linked to a premises; "
        "the others reach no area and no score.",
        "<strong>Small counts are hidden.</strong> Counts of 1 to 4 events (and any that "
        "would let one be recovered from a total) are shown as <em>suppressed</em> or "
        f"<code>{svg.HIDDEN_MARK}</code>, never as numbers.",
    ]
    leak = leakage_caveat(inputs.evaluation)
    if leak:
        items.append(f"<strong>The evaluation is flattered.</strong> {esc(leak)}")
    limits = "".join(f"<li>{esc(text)}</li>" for _, text in inputs.unavailable)
    html = (
        '<ul class="caveats">'
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul><p>What the open data cannot show, so no indicator measures it:</p>"
        + f"<ul>{limits}</ul>"
    )
    return Section("caveats", "Read this first", html)


def leakage_caveat(result: dict | None) -> str | None:
    """The evaluation's own warning, when it has one: premises rated after the cut-off are
    scored with ratings nobody knew at the cut-off (FHRS keeps only the latest)."""
    if not result or not result.get("scored_premises_rated_after_cutoff"):
        return None
    later, scored = result["scored_premises_rated_after_cutoff"], result["scored_premises"]
    text = (
        f"{later:,} of the {scored:,} premises scored at the cut-off "
        f"({result['cutoff']}) were inspected after it: FHRS publishes only each premises' "
        "latest rating, so the primary evaluation scores them with ratings not known at the "
        "cut-off (leakage)."
    )
    primary = result["variants"]["published"]["scorecard"].get("top_10pct", {})
    strict = result["variants"].get("published_strict_ratings", {}).get("scorecard", {})
    if "top_10pct" in strict:
        text += (
            f" With those ratings hidden, the top 10% captures "
            f"{percent(strict['top_10pct']['capture'])} of later events instead of "
            f"{percent(primary.get('capture'))}."
        )
    return text


def summary_section(inputs: ReportInputs) -> Section:
    shown = inputs.correlations.filter(~pl.col("suppressed"))
    notable = shown.filter(pl.col("p_adjusted") < ALPHA).height
    figures = [
        ("Indicators as of", inputs.as_of.isoformat()),
        ("Report written", inputs.written_on.isoformat()),
        ("Premises scored (takeaways and convenience stores)", f"{inputs.indications.height:,}"),
        (
            "Areas",
            ", ".join(
                f"{frame.height:,} {LEVEL_PLURALS[level]}"
                for level, frame in inputs.area_values.items()
            ),
        ),
        (
            "Area associations with adjusted p < 0.05",
            f"{notable:,} of {shown.height:,} shown "
            f"({inputs.correlations.height - shown.height:,} suppressed)",
        ),
    ]
    result = inputs.evaluation
    if result:
        published = result["variants"]["published"]
        top = "top_10pct"
        figures.append(
            (
                f"Later events captured by the top 10% (evaluation after {result['cutoff']})",
                f"scorecard {percent(published['scorecard'][top]['capture'])}, FHRS rating "
                f"alone {percent(published['baseline_fhrs_rating'][top]['capture'])}, random "
                f"{percent(published['baseline_random'][top]['capture'])}",
            )
        )
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in figures)
    return Section("summary", "Key figures", f'<dl class="figures">{items}</dl>')


def _names(inputs: ReportInputs, level: str) -> dict[str, str]:
    frame = inputs.area_values.get(level)
    if frame is None or "area_name" not in frame.columns:
        return {}
    return {
        code: name
        for code, name in frame.select("area_code", "area_name").iter_rows()
        if name is not None
    }


def indications_section(inputs: ReportInputs) -> Section:
    top = inputs.indications.sort("rank").head(TOP_PREMISES)
    rows = []
    for r in top.iter_rows(named=True):
        where = f"{esc(r.get('la_name') or r['la_code'])}<br><small>{esc(r['lsoa_code'])}"
        if r.get("imd_decile") is not None:
            where += f", IMD decile {r['imd_decile']}"
        rows.append(
            [
                esc(r["rank"]),
                f"{esc(r['business_name'])}<br><small>FHRSID {esc(r['fhrsid'])}</small>",
                esc((r["sector"] or "").replace("_", " ")),
                where + "</small>",
                number(r["score"]),
                number(r["expected_events_per_year"]),
                f'{esc(r["explanation"])}<br><small class="sources">Sources: '
                f"{esc(r['sources'])}</small>",
            ]
        )
    premises = table(
        ["Rank", "Premises", "Sector", "Area", "Score", "Expected events a year", "Why"],
        rows,
        caption=f"The {top.height} highest-scored of {inputs.indications.height:,} premises",
    )
    html = (
        f"<p><strong>{esc(CAVEAT)}.</strong> The score is the log of a premises' expected "
        "enforcement rate relative to an average scored premises (a transparent scorecard: "
        "its weights are in the evaluation section); the expected events assume enforcement "
        "continues as in the fit window. The full list is in the exports.</p>"
        + premises
        + area_rankings(inputs)
    )
    return Section("indications", "Top indications", html)


def area_rankings(inputs: ReportInputs) -> str:
    out = []
    for level, limit in (("local_authority", MAX_AUTHORITY_ROWS), ("lsoa", TOP_LSOAS)):
        ranked = inputs.area_indications.filter(pl.col("area_level") == level).sort("rank")
        if ranked.is_empty():
            continue
        names = _names(inputs, level)
        rows = [
            [
                esc(r["rank"]),
                f"{esc(names.get(r['area_code'], ''))} <small>{esc(r['area_code'])}</small>",
                whole(r["scored_premises"]),
                number(r["expected_events_per_year_per_1000"]),
                whole(r["premises_in_top"]),
            ]
            for r in ranked.head(limit).iter_rows(named=True)
        ]
        out.append(
            table(
                [
                    "Rank",
                    LEVEL_HEADINGS[level],
                    "Scored premises",
                    "Expected events a year per 1,000 scored premises",
                    "Premises in the top 10%",
                ],
                rows,
                caption=f"{LEVEL_PLURAL_HEADINGS[level]} by expected enforcement "
                f"({min(limit, ranked.height)} of {ranked.height:,})",
            )
        )
    return "".join(out)


def _lsoa_points(
    inputs: ReportInputs, value_of: Callable[[str], tuple[str, float | None, str]]
) -> dict[str, list[svg.MapPoint]]:
    """la_code -> its LSOAs as map points; `value_of(lsoa_code)` gives (state, value,
    tooltip text)."""
    lsoas = inputs.area_values.get("lsoa")
    if lsoas is None or lsoas.is_empty():
        return {}
    located = lsoas.select("area_code", "area_name", "la_code").join(
        inputs.lsoa_locations.rename({"lsoa_code": "area_code"}), on="area_code", how="inner"
    )
    panels: dict[str, list[svg.MapPoint]] = {}
    for r in located.filter(pl.col("latitude").is_not_null()).iter_rows(named=True):
        state, value, text = value_of(r["area_code"])
        label = f"{r['area_name'] or ''} {r['area_code']}: {text}".strip()
        panels.setdefault(r["la_code"], []).append(
            svg.MapPoint(r["longitude"], r["latitude"], value, label, state)
        )
    return panels


def _map_panels(
    inputs: ReportInputs,
    authorities: list[str],
    value_of: Callable[[str], tuple[str, float | None, str]],
    values: list[float],
    legend_title: str,
    legend_subtitle: str,
    hidden_label: str | None,
    none_label: str,
) -> str:
    bins = svg.quantile_bins(values)
    panels = _lsoa_points(inputs, value_of)
    names = _names(inputs, "local_authority")
    figures = [
        figure(
            svg.point_map(
                panels[code],
                bins,
                f"{names.get(code, code)}: {legend_title} {legend_subtitle}",
                width=240,
                height=240,
            ),
            f"{names.get(code, code)} ({code}): {len(panels[code])} LSOAs",
        )
        for code in authorities
        if code in panels
    ]
    key = svg.legend(bins, legend_title, hidden_label, none_label, subtitle=legend_subtitle)
    return f'<div class="maps">{"".join(figures)}<figure class="key">{key}</figure></div>'


def map_section(inputs: ReportInputs) -> Section:
    ranked_las = (
        inputs.area_indications.filter(pl.col("area_level") == "local_authority")
        .sort("rank")["area_code"]
        .to_list()
    )
    known = set(ranked_las)
    others = [
        code
        for code in inputs.area_values.get("local_authority", pl.DataFrame({"area_code": []}))[
            "area_code"
        ].to_list()
        if code not in known
    ]
    authorities = [*ranked_las, *sorted(others)][:MAX_MAP_AUTHORITIES]
    lsoa_rank = inputs.area_indications.filter(pl.col("area_level") == "lsoa")
    expected = dict(lsoa_rank.select("area_code", "expected_events_per_year_per_1000").iter_rows())

    def indicated(code: str) -> tuple[str, float | None, str]:
        value = expected.get(code)
        if value is None:
            return "none", None, "no scored premises"
        return "value", value, f"{number(value)} expected events a year per 1,000 scored premises"

    rates = inputs.intensity.filter(
        (pl.col("area_level") == "lsoa") & (pl.col("outcome") == "enforcement_events")
    )
    by_lsoa = {r["area_code"]: r for r in rates.iter_rows(named=True)}

    def enforced(code: str) -> tuple[str, float | None, str]:
        r = by_lsoa.get(code)
        if r is None or (not r["suppressed"] and r["rate_per_1000"] is None):
            return "none", None, "no businesses"
        if r["suppressed"]:
            return "hidden", None, "suppressed (small count)"
        return (
            "value",
            r["rate_per_1000"],
            f"{number(r['rate_per_1000'])} events per 1,000 businesses",
        )

    visible_rates = [
        r["rate_per_1000"]
        for r in by_lsoa.values()
        if not r["suppressed"] and r["rate_per_1000"] is not None
    ]
    shown = len(authorities)
    total = len(ranked_las) + len(others)
    intro = (
        "<p>Each point is an LSOA at its centroid (the mean position of its postcodes in "
        "the ONS directory, else of its premises), coloured by fifths of the values; no "
        "boundaries or map tiles are used, so the page works offline. One panel per local "
        f"authority, in the order of the area ranking ({shown} of {total} shown).</p>"
    )
    html = (
        intro
        + "<h3>Where the scorecard points</h3>"
        + _map_panels(
            inputs,
            authorities,
            indicated,
            list(expected.values()),
            "Expected events a year",
            "per 1,000 scored premises (quintiles)",
            None,
            "no scored premises",
        )
        + "<h3>Where enforcement was recorded (not where exploitation is)</h3>"
        + _map_panels(
            inputs,
            authorities,
            enforced,
            visible_rates,
            "Enforcement events",
            "per 1,000 businesses (0, then quintiles)",
            "suppressed (small count)",
            "no businesses",
        )
    )
    return Section("map", "Map", html)


def _correlation_cell(row: dict | None) -> str:
    """One method's result; a suppressed row prints the word, never its numbers."""
    if row is None:
        return '<td class="na">not computed</td>'
    if row["suppressed"]:
        return SUPPRESSED_CELL
    if row["estimate"] is None:
        return '<td class="na">not computable</td>'
    notable = row["p_adjusted"] is not None and row["p_adjusted"] < ALPHA
    model = ""
    if row["method"] in ("poisson", "negative_binomial"):
        model = " · NB" if row["method"] == "negative_binomial" else " · Poisson"
    return (
        f'<td class="{"est notable" if notable else "est"}"><span class="estimate">'
        f"{number(row['estimate'])}</span> <small>{interval(row['ci_low'], row['ci_high'])}"
        f"<br>n {whole(row['n'])} · adj. p {p_text(row['p_adjusted'])}{model}</small></td>"
    )


def correlation_table(correlations: pl.DataFrame, outcome: str) -> str:
    rows_of = correlations.filter(pl.col("outcome") == outcome)
    if rows_of.is_empty():
        return "<p>No correlation was computed for this outcome.</p>"
    cells: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows_of.iter_rows(named=True):
        kind = "count" if r["method"] in ("poisson", "negative_binomial") else r["method"]
        cells.setdefault((r["area_level"], r["indicator"]), {})[kind] = r

    def order(key: tuple[str, str]) -> tuple:
        ps = [c["p_adjusted"] for c in cells[key].values() if c["p_adjusted"] is not None]
        return (
            list(LEVEL_LABELS).index(key[0]) if key[0] in LEVEL_LABELS else 9,
            min(ps, default=2),
        )

    rows = [
        [
            esc(LEVEL_LABELS.get(level, level)),
            esc(indicator_label(indicator)),
            *[
                _correlation_cell(cells[(level, indicator)].get(k))
                for k in ("spearman", "pearson", "count")
            ],
        ]
        for level, indicator in sorted(cells, key=order)
    ]
    return table(
        ["Level", "Area indicator", "Spearman ρ", "Pearson r", "Rate ratio per SD"],
        rows,
        caption="Estimate [95% interval], areas used (n) and Benjamini-Hochberg adjusted p; "
        "highlighted when adjusted p < 0.05",
    )


def intensity_diagnostic(intensity: pl.DataFrame, outcome: str, inputs: ReportInputs) -> str:
    """Beside an outcome: its overall rate per 1,000 businesses, how many areas lie outside
    the funnel limits, how many are suppressed, and the funnel plots."""
    parts = [
        "<p><strong>Penalty density is not prevalence.</strong> These events were counted "
        "where officials looked. Areas outside the funnel saw more (or less) enforcement "
        "than their size predicts at the overall rate: look there for an inspection "
        "pattern before reading an association as a finding.</p>"
    ]
    for level in LEVEL_LABELS:
        rows = intensity.filter((pl.col("area_level") == level) & (pl.col("outcome") == outcome))
        if rows.is_empty():
            continue
        overall = rows["overall_rate_per_1000"].drop_nulls()
        overall_rate = float(overall[0]) if overall.len() else None
        visible = rows.filter(~pl.col("suppressed") & pl.col("rate_per_1000").is_not_null())
        outside = visible.filter(pl.col("outside_funnel").fill_null(False))
        above = (
            outside.filter(pl.col("rate_per_1000") > overall_rate).height
            if overall_rate is not None
            else 0
        )
        hidden = rows.filter(pl.col("suppressed"))
        parts.append(
            f"<p>{esc(LEVEL_PLURAL_HEADINGS[level])}: overall "
            f"{number(overall_rate)} events per 1,000 businesses; {above} above and "
            f"{outside.height - above} below the 99.8% limits; {hidden.height} of "
            f"{rows.height} suppressed.</p>"
        )
        names = _names(inputs, level)
        points = [
            svg.FunnelPoint(
                r["businesses"],
                r["rate_per_1000"],
                f"{names.get(r['area_code'], '')} {r['area_code']}: "
                f"{number(r['rate_per_1000'])} per 1,000 businesses "
                f"{interval(r['rate_ci_low'], r['rate_ci_high'])}, {r['businesses']:,} businesses"
                + (" — outside the limits" if r["outside_funnel"] else ""),
                bool(r["outside_funnel"]),
            )
            for r in visible.iter_rows(named=True)
        ]
        limits = [
            (r["businesses"], r["funnel_low"], r["funnel_high"])
            for r in rows.iter_rows(named=True)
            if r["businesses"] and r["funnel_low"] is not None and r["funnel_high"] is not None
        ]
        chart = svg.funnel_plot(
            points,
            limits,
            overall_rate,
            f"Enforcement intensity by {LEVEL_LABELS[level]}: {outcome_label(outcome)}",
            "businesses in the area",
            "events per 1,000 businesses",
            hidden_sizes=[r for r in hidden["businesses"].drop_nulls().to_list()],
        )
        parts.append(
            figure(
                chart,
                f"Funnel plot by {LEVEL_LABELS[level]}: orange points lie outside the 99.8% "
                "limits (dashed); the line is the overall rate; rings under the axis are "
                "suppressed areas, placed by size only.",
            )
        )
    return "".join(parts)


def strongest_scatter(inputs: ReportInputs, outcome: str, level: str) -> str:
    """The area indicator most associated (smallest adjusted p, Spearman) with `outcome`
    at `level`, plotted against the outcome rate of each area."""
    candidates = inputs.correlations.filter(
        (pl.col("outcome") == outcome)
        & (pl.col("area_level") == level)
        & (pl.col("method") == "spearman")
        & ~pl.col("suppressed")
        & pl.col("p_adjusted").is_not_null()
    ).sort("p_adjusted")
    values = inputs.area_values.get(level)
    if candidates.is_empty() or values is None:
        return (
            f"<p>No {esc(LEVEL_LABELS[level])}-level association to plot (none computed or "
            "all suppressed).</p>"
        )
    best = candidates.row(0, named=True)
    indicator = best["indicator"]
    if indicator not in values.columns:
        return f"<p>{esc(indicator)} is not among the area values.</p>"
    rates = inputs.intensity.filter(
        (pl.col("area_level") == level) & (pl.col("outcome") == outcome)
    ).select("area_code", "rate_per_1000", "suppressed")
    joined = (
        values.select("area_code", "area_name", pl.col(indicator).alias("x"))
        .join(rates, on="area_code", how="inner")
        .filter(pl.col("x").is_not_null() & pl.col("x").is_finite())
    )
    points = [
        svg.Point(
            r["x"],
            r["rate_per_1000"],
            f"{r['area_name'] or ''} {r['area_code']}: "
            f"{number(r['x'])}, {number(r['rate_per_1000'])} per 1,000 businesses",
        )
        for r in joined.filter(
            ~pl.col("suppressed") & pl.col("rate_per_1000").is_not_null()
        ).iter_rows(named=True)
    ]
    hidden = joined.filter(pl.col("suppressed"))["x"].to_list()
    chart = svg.scatter(
        points,
        f"{indicator_label(indicator)} against {outcome_label(outcome)}, by {LEVEL_LABELS[level]}",
        indicator_label(indicator),
        "events per 1,000 businesses",
        hidden_x=hidden,
        hidden_label="suppressed",
    )
    return figure(
        chart,
        f"Strongest {LEVEL_LABELS[level]}-level association: Spearman ρ "
        f"{number(best['estimate'])} {interval(best['ci_low'], best['ci_high'])}, adjusted p "
        f"{p_text(best['p_adjusted'])}, n {whole(best['n'])}. One point per "
        f"{LEVEL_LABELS[level]}; rings under the axis are areas whose counts are suppressed, "
        "placed by their indicator only.",
    )


def outcomes_section(inputs: ReportInputs) -> Section:
    present = set(inputs.correlations["outcome"]) | set(inputs.intensity["outcome"])
    ordered = [o for o in OUTCOME_LABELS if o in present] + sorted(present - set(OUTCOME_LABELS))
    blocks = []
    for outcome in ordered:
        scatters = "".join(strongest_scatter(inputs, outcome, level) for level in LEVEL_LABELS)
        blocks.append(
            f'<article class="outcome" id="outcome-{esc(outcome)}">'
            f"<h3>{esc(outcome_label(outcome))}</h3>"
            f'<div class="outcome-grid"><div>{correlation_table(inputs.correlations, outcome)}'
            "</div>"
            f'<aside class="intensity"><h4>Enforcement intensity</h4>'
            f"{intensity_diagnostic(inputs.intensity, outcome, inputs)}</aside></div>"
            f'<div class="charts">{scatters}</div></article>'
        )
    intro = (
        "<p>Each area indicator against each outcome, per LSOA and per local authority: "
        "Spearman and Pearson correlations with the outcome's rate per business, and the "
        "rate ratio per standard deviation of the indicator from a Poisson or negative "
        "binomial model with businesses as exposure. Adjusted p-values control the false "
        "discovery rate over every row of both levels.</p>"
    )
    return Section(
        "outcomes", "Outcomes, correlations and enforcement intensity", intro + "".join(blocks)
    )


def deprivation_section(inputs: ReportInputs) -> Section:
    rates = inputs.decile_rates
    if rates.is_empty():
        return Section(
            "deprivation", "Rate by deprivation decile", "<p>No premises has an IMD decile.</p>"
        )
    charts, table_rows = [], {}
    for outcome in [o for o in OUTCOME_LABELS if o in set(rates["outcome"])]:
        rows = rates.filter(pl.col("outcome") == outcome).sort("imd_decile")
        overall = rows["overall_rate_per_1000"].drop_nulls()
        items = []
        for r in rows.iter_rows(named=True):
            decile = str(r["imd_decile"])
            if r["suppressed"]:
                items.append(svg.Interval(decile, None, None, None, f"decile {decile}: suppressed"))
                table_rows.setdefault(decile, {})[outcome] = SUPPRESSED_CELL
                continue
            text = (
                f"decile {decile}: {number(r['rate_per_1000'])} per 1,000 businesses "
                f"{interval(r['rate_ci_low'], r['rate_ci_high'])}, {r['events']:,} events, "
                f"{r['businesses']:,} businesses"
            )
            items.append(
                svg.Interval(decile, r["rate_per_1000"], r["rate_ci_low"], r["rate_ci_high"], text)
            )
            table_rows.setdefault(decile, {})[outcome] = (
                f"{number(r['rate_per_1000'])} {interval(r['rate_ci_low'], r['rate_ci_high'])}"
                f"<br><small>{r['events']:,} events, {r['businesses']:,} businesses</small>"
            )
        charts.append(
            figure(
                svg.interval_plot(
                    items,
                    f"{outcome_label(outcome)} per 1,000 businesses by IMD decile",
                    "IMD decile (1 = most deprived)",
                    "events per 1,000 businesses",
                    reference=float(overall[0]) if overall.len() else None,
                ),
                f"{outcome_label(outcome)}: rate and exact 95% interval per decile; dashed "
                f"line: overall rate; {svg.HIDDEN_MARK}: suppressed.",
            )
        )
    outcomes = [o for o in OUTCOME_LABELS if o in set(rates["outcome"])]
    rows = [
        [esc(decile), *[table_rows[decile].get(o, "–") for o in outcomes]]
        for decile in sorted(table_rows, key=int)
    ]
    html = (
        "<p>Enforcement per 1,000 businesses in each tenth of England's LSOAs by the Index of "
        "Multiple Deprivation 2019, counting each event once per decile. Premises outside "
        "England or with an unknown postcode have no decile and are left out. More "
        "enforcement in deprived areas may mean more exploitation there or more inspection "
        "there: the data cannot tell which.</p>"
        + f'<div class="charts">{"".join(charts)}</div>'
        + table(
            ["IMD decile", *[outcome_label(o) for o in outcomes]],
            rows,
            caption="Events per 1,000 businesses [exact 95% interval]",
        )
    )
    return Section("deprivation", "Rate by deprivation decile", html)


def trend_section(inputs: ReportInputs) -> Section:
    fresh = inputs.freshness
    snapshots = fresh.filter(pl.col("vintages") == 1)
    series = fresh.filter(pl.col("vintages") > 1)
    parts = []
    if not snapshots.is_empty():
        held = "; ".join(
            f"{r['source']} ({r['last_vintage']})" for r in snapshots.iter_rows(named=True)
        )
        parts.append(
            f"<p>Held as one snapshot each: {esc(held)}. A trend over snapshots needs at "
            "least two data vintages of a source, so no trend of the indicators is drawn: "
            "the warehouse keeps only the latest file of each (earlier downloads stay under "
            "data/raw).</p>"
        )
    more = fresh.filter(pl.col("downloads") > 1)
    if not more.is_empty():
        kept = "; ".join(f"{r['source']}: {r['downloads']}" for r in more.iter_rows(named=True))
        parts.append(
            f"<p>Several downloads are kept under data/raw ({esc(kept)}), but only the newest "
            "is loaded: the indicators are not yet compared across them.</p>"
        )
    by_year = inputs.events_by_year
    if series.is_empty() or by_year.is_empty():
        parts.append(
            "<p>No source holds more than one data vintage: there is no trend to show.</p>"
        )
    else:
        releases = "; ".join(
            f"{r['source']}: {r['vintages']} releases, {r['first_vintage']} to {r['last_vintage']}"
            for r in series.iter_rows(named=True)
        )
        parts.append(
            f"<p>Published in releases, several held: {esc(releases)}. The enforcement lists "
            "by year of publication (what officials found and published, not how much "
            "exploitation there was):</p>"
        )
        bars = [
            svg.Bar(
                str(r["year"]),
                SOURCE_SERIES.get(r["source"], r["source"]),
                None if r["suppressed"] else r["events"],
                f"{r['year']} {SOURCE_SERIES.get(r['source'], r['source'])}: "
                + ("suppressed" if r["suppressed"] else f"{r['events']:,} published"),
            )
            for r in by_year.iter_rows(named=True)
        ]
        chart = svg.bar_chart(bars, "Enforcement events published per year", "events published")
        caption = (
            f"Events published each year up to {inputs.as_of.isoformat()} (the last year is "
            f"partial); {svg.HIDDEN_MARK}: suppressed."
        )
        parts.append(f'<div class="charts">{figure(chart, caption)}</div>')
    return Section("trend", "Trend over data vintages", "".join(parts))


def evaluation_section(inputs: ReportInputs) -> Section:
    result = inputs.evaluation
    weights = weights_table(inputs.weights)
    if not result:
        note = inputs.evaluation_note or "no evaluation was computed"
        return Section(
            "evaluation",
            "Evaluation and scorecard",
            f"<p>No time-ordered evaluation: {esc(note)}.</p>" + weights,
        )
    published = result["variants"]["published"]
    strict = result["variants"].get("published_strict_ratings")

    def cell(figures: dict) -> str:
        return (
            f"{percent(figures['capture'])}<br><small>precision "
            f"{percent(figures['precision_at_k'])}</small>"
        )

    rows = []
    for top, figures in published["scorecard"].items():
        label = top.replace("top_", "top ").replace("pct", "%")
        row = [esc(f"{label} ({figures['k']:,} premises)"), cell(figures)]
        if strict:
            row.append(cell(strict["scorecard"][top]))
        row += [cell(published[b][top]) for b in ("baseline_fhrs_rating", "baseline_random")]
        rows.append(row)
    headers = ["Ranked first", "Scorecard"]
    if strict:
        headers.append("Scorecard, ratings after the cut-off hidden")
    headers += ["FHRS rating alone", "Random"]
    leak = leakage_caveat(result)
    calibration = result.get("calibration", {})
    fit_note = result.get("fit", {}).get("note")
    html = (
        f"<p>Fitted on data published up to {esc(result['cutoff'])}, then scored; the later "
        f"events (published {esc(result['cutoff'])} to {esc(result['end'])}: "
        f"{number(published['later_events'])} expected events over "
        f"{result['scored_premises']:,} scored premises) measure whether the ranking points "
        "where enforcement came next. Capture: share of the later events on the premises "
        "ranked first; precision: share of those premises with a later event.</p>"
        + (f'<p class="warning">{esc(leak)}</p>' if leak else "")
        + (f'<p class="warning">{esc(fit_note)}</p>' if fit_note else "")
        + table(headers, rows, caption="Later events captured, by how much of the list is read")
    )
    if calibration.get("observed_over_expected") is not None:
        low, high = calibration.get("observed_over_expected_ci95") or (None, None)
        html += (
            f"<p>Calibration: {number(calibration['observed'])} later events observed against "
            f"{number(calibration['expected'])} expected (ratio "
            f"{number(calibration['observed_over_expected'])}, 95% interval "
            f"{interval(low, high)}).</p>"
        )
    html += bias_table(result.get("bias_audit", []))
    html += trade_off_table(result.get("bias_trade_off", {}))
    return Section("evaluation", "Evaluation and scorecard", html + weights)


def bias_table(audit: list[dict]) -> str:
    if not audit:
        return ""

    def share(r: dict, label: str) -> str:
        return f"{percent(r[f'share_of_{label}'])} (x{number(r[f'ratio_{label}'], 2)})"

    rows = [
        [
            esc("unknown" if r["imd_decile"] is None else r["imd_decile"]),
            whole(r["premises"]),
            percent(r["share_of_scored"]),
            percent(r["share_of_later_events"]),
            *[share(r, label) for label in ("top_1pct", "top_5pct", "top_10pct")],
            number(r["score_median"]),
        ]
        for r in audit
    ]
    return "<h3>Does the list merely point at deprived areas?</h3>" + table(
        [
            "IMD decile (1 most deprived)",
            "Scored premises",
            "Share of scored",
            "Share of later events",
            "Share of the top 1% (ratio)",
            "Share of the top 5% (ratio)",
            "Share of the top 10% (ratio)",
            "Median score",
        ],
        rows,
        caption="Bias audit at the evaluation cut-off: the ratio is a decile's share of the top "
        "k over its share of the scored premises; well above 1, the list favours the decile "
        "(more so than the later events did, when above their share too)",
    )


def trade_off_table(trade_off: dict) -> str:
    """Capture and deprived-area skew with and without the area indicators (refitted)."""
    if not trade_off:
        return ""
    rows = [
        [
            esc(", ".join(v["left_out"]).replace("_", " ") or "none (the published scorecard)"),
            percent(v["capture"]["top_10pct"]),
            percent(v["imd_deciles_1_3_share_of_top_10pct"]),
            number(v["imd_deciles_1_3_ratio_top_10pct"], 2),
        ]
        for v in trade_off.values()
    ]
    return table(
        [
            "Indicators left out",
            "Later events captured by the top 10%",
            "IMD deciles 1-3 in the top 10%",
            "Ratio to their share of scored premises",
        ],
        rows,
        caption="What the area indicators cost and skew: the area enforcement rate measures "
        "where officials look, deprivation where premises are, neither the premises itself",
    )


def weights_table(weights: pl.DataFrame) -> str:
    if weights.is_empty():
        return ""
    rows = [
        [
            esc(r["indicator"].replace("_", " ")),
            esc(r["unit"]),
            number(r["rate_ratio"]),
            interval(math.exp(r["ci_low"]), math.exp(r["ci_high"]))
            if r["ci_low"] is not None and r["ci_high"] is not None
            else "–",
            percent(r["share_known"], 0),
            esc(r["note"] or ""),
        ]
        for r in weights.iter_rows(named=True)
    ]
    return "<h3>The scorecard's weights (current fit)</h3>" + table(
        ["Indicator", "Per", "Rate ratio", "95% interval", "Known for", "Note"],
        rows,
        caption="How many times one unit of each indicator multiplies the expected rate, given "
        "the others",
    )


def freshness_section(inputs: ReportInputs) -> Section:
    rows = []
    for r in inputs.freshness.iter_rows(named=True):
        if r["rows"] == 0:
            held = "absent" + ("" if r["required"] else " (optional)")
        elif r["vintages"] == 1:
            held = f"{r['last_vintage']}"
        else:
            held = f"{r['vintages']} releases, {r['first_vintage']} to {r['last_vintage']}"
        age = (
            f"{(inputs.written_on - r['last_vintage']).days:,} days"
            if isinstance(r["last_vintage"], date)
            else "–"
        )
        rows.append(
            [
                f'<a href="{esc(r["official_url"])}" rel="noreferrer">{esc(r["title"])}</a>'
                f"<br><small>{esc(r['publisher'])}</small>",
                f"<code>{esc(r['table'])}</code>",
                whole(r["rows"]),
                esc(held),
                age,
                esc(r["refresh_cadence"]),
                esc(r["latest_download"] or "–"),
            ]
        )
    html = (
        "<p>The data vintage of every source (the date each file carries: its extract or "
        "publication date), how old the newest is on the day this report was written, and how "
        "often the publisher refreshes it. Links go to the publishers' own pages.</p>"
        + table(
            [
                "Source",
                "Raw table",
                "Rows",
                "Data vintage(s)",
                "Age of newest",
                "Refreshed",
                "Downloaded",
            ],
            rows,
        )
    )
    return Section("freshness", "Data freshness per source", html)


def exports_section(files: list[str]) -> Section:
    if not files:
        return Section("exports", "Exports", "<p>No exports are written with this page.</p>")
    items = "".join(f'<li><a href="exports/{esc(name)}">{esc(name)}</a></li>' for name in files)
    html = (
        "<p>The indications and area tables as CSV (text that a spreadsheet would run as a "
        "formula is prefixed with an apostrophe) and Parquet (typed), with a data dictionary "
        "of every column (<code>data_dictionary.md</code>), in <code>exports/</code> beside "
        f'this page.</p><ul class="files">{items}</ul>'
    )
    return Section("exports", "Exports", html)


# --------------------------------------------------------------------------- page

CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9dee3; --accent: #c2410c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
header, main, nav, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
h1 { font-size: 1.7rem; margin: 1rem 0 0.3rem; }
h2 { font-size: 1.35rem; margin-top: 2.4rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
.synthetic { background: #7c2d12; color: #fff; padding: 18px 24px; font-size: 1.5rem;
  font-weight: 700; text-align: center; letter-spacing: 0.02em; }
.synthetic small { display: block; font-size: 1rem; font-weight: 400; color: #fde8d7; }
.lede { font-size: 1.05rem; color: var(--muted); }
nav ol { columns: 3; padding-left: 1.2rem; }
.caveats li { margin-bottom: 0.4rem; }
.warning { border-left: 4px solid var(--accent); padding: 6px 12px; background: #fff7ed; }
dl.figures { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; }
dl.figures dt { font-weight: 600; }
dl.figures dd { margin: 0; }
.table-wrap { overflow-x: auto; margin: 0.8rem 0; }
table { border-collapse: collapse; font-size: 0.88rem; width: 100%; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }
th { background: #f5f7fa; }
td.notable { background: #fff1e6; }
td.notable .estimate { font-weight: 700; }
td.suppressed, td.na { color: var(--muted); font-style: italic; }
small { color: var(--muted); }
.outcome { border-top: 1px solid var(--line); margin-top: 1.5rem; }
.outcome-grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr);
  gap: 24px; }
td.est { white-space: nowrap; }
.intensity { background: #f8fafc; border: 1px solid var(--line); padding: 8px 14px; }
.charts, .maps { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0.6rem 0; }
.charts figure { flex: 1 1 420px; max-width: 620px; }
.maps figure { flex: 0 1 250px; }
.maps figure.key { flex: 0 1 300px; }
figcaption { font-size: 0.82rem; color: var(--muted); }
svg.chart { width: 100%; height: auto; display: block; }
ul.files { columns: 2; }
footer { margin: 3rem auto 2rem; color: var(--muted); font-size: 0.85rem; }
@media (max-width: 900px) { .outcome-grid { grid-template-columns: 1fr; } nav ol { columns: 1; } }
@media print { .synthetic { background: none; color: #000; border: 4px solid #000; } }
"""

# The browser may fetch nothing: the page is one file (a link is navigation, not a fetch).
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


@dataclass(frozen=True)
class RenderedReport:
    html: str
    sections: list[Section]


def render(inputs: ReportInputs, export_files: list[str] | None = None) -> RenderedReport:
    """The whole page from `inputs`, linking to `export_files` (names in exports/)."""
    sections = [
        caveats_section(inputs),
        summary_section(inputs),
        indications_section(inputs),
        map_section(inputs),
        outcomes_section(inputs),
        deprivation_section(inputs),
        trend_section(inputs),
        evaluation_section(inputs),
        freshness_section(inputs),
        exports_section(export_files or []),
    ]
    title = "Heyrick analysis report"
    banner = ""
    if inputs.synthetic:
        title = f"SYNTHETIC — {title}"
        banner = (
            '<div class="synthetic" role="alert" id="synthetic">SYNTHETIC SAMPLE DATA — not real '
            "businesses<small>Every figure on this page was computed from Heyrick's generated "
            "sample. It shows how the analysis works; it says nothing about any real premises, "
            "company or area.</small></div>"
        )
    toc = "".join(f'<li><a href="#{s.id}">{esc(s.title)}</a></li>' for s in sections)
    body = "".join(
        f'<section id="{s.id}" aria-labelledby="{s.id}-title"><h2 id="{s.id}-title">'
        f"{esc(s.title)}</h2>{s.html}</section>"
        for s in sections
    )
    html = (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"{banner}<header><h1>{esc(title)}</h1>"
        f'<p class="lede">{esc(CAVEAT)}: where hot-food takeaways and convenience stores may '
        "deserve attention for labour exploitation, from UK open data. Indicators as of "
        f"{inputs.as_of.isoformat()}; written {inputs.written_on.isoformat()}.</p></header>"
        f'<nav aria-label="Contents"><ol>{toc}</ol></nav><main>{body}</main>'
        f"<footer>{esc(CAVEAT)}. Heyrick analysis report; every figure rests on the sources "
        "listed under data freshness.</footer></body></html>\n"
    )
    return RenderedReport(html, sections)


def top_indications_markdown(indications: pl.DataFrame, rows: int = 10) -> str:
    """The first `rows` indications as a Markdown table (for the Dagster UI), unabridged."""
    lines = [
        "| rank | premises | fhrsid | score | expected events a year | why |",
        "|---|---|---|---|---|---|",
    ]
    for r in indications.sort("rank").head(rows).iter_rows(named=True):
        cells = [
            str(r["rank"]),
            r.get("business_name") or "",
            str(r["fhrsid"]),
            number(r["score"]),
            number(r["expected_events_per_year"]),
            r["explanation"] or "",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    sections: list[str]
    html_bytes: int
    exports: WrittenExports
    synthetic: bool
    top_indications_markdown: str


def export_frames(inputs: ReportInputs) -> dict[str, pl.DataFrame]:
    return {
        "premises_indications": inputs.indications,
        "area_indications": inputs.area_indications,
        "area_correlations": inputs.correlations,
        "area_enforcement_intensity": inputs.intensity,
        "scorecard_weights": inputs.weights,
    }


def write_report(inputs: ReportInputs, folder: Path) -> WrittenReport:
    """The exports in `folder/exports`, then the page `folder/index.html`, each replaced
    atomically; the page is rendered before anything is written, so a failure leaves the
    previous report and exports as they were."""
    frames = export_frames(inputs)
    rendered = render(inputs, export_file_names(list(frames)))
    caveat = (
        f"{CAVEAT}: enforcement records where officials looked as much as where exploitation is."
    )
    written = write_exports(frames, folder / "exports", inputs.synthetic, caveat)
    path = write_text(rendered.html, folder / "index.html")
    return WrittenReport(
        path=path,
        sections=[s.id for s in rendered.sections],
        html_bytes=path.stat().st_size,
        exports=written,
        synthetic=inputs.synthetic,
        top_indications_markdown=top_indications_markdown(inputs.indications),
    )


def report_folder(settings: Settings) -> Path:
    return settings.reports_dir / "analysis"
