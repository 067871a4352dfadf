"""Dagster wiring for the analysis: indicators, the gated correlation, indications.

marts --> analysis/premises_indicators --> analysis/area_correlations
                                       --> analysis/premises_indications (after the correlation)

The gate: these assets sit downstream of every raw asset (through dbt) and of every mart,
so in a run where a Great Expectations suite (a blocking check on a raw asset) or an
error-severity dbt test (a blocking check, dagster-dbt 0.29) fails, they are not executed
and their tables stay as they were (tests/integration/test_analysis_gate.py proves both).
A run of only this layer (job refresh_analysis) would not re-run those checks, so each
asset also refuses to run unless the latest evaluation of every blocking check upstream of
it passed: a mart left behind by a failed dbt test is never analysed.
"""

import functools
from datetime import date

import dagster as dg
import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.analysis import areas, evaluation, indicators, scorecard
from heyrick_dagster.analysis.marts import read_marts
from heyrick_dagster.defs.metadata import ENGINEERING_OWNERS, preview_markdown
from heyrick_dagster.defs.versioning import skip_when_unchanged
from heyrick_dagster.settings import Settings

SCHEMA = "analysis"
INDICATORS_KEY = dg.AssetKey([SCHEMA, "premises_indicators"])
CORRELATIONS_KEY = dg.AssetKey([SCHEMA, "area_correlations"])
INDICATIONS_KEY = dg.AssetKey([SCHEMA, "premises_indications"])
PREMISES_MARTS = {table: dg.AssetKey(["marts", table]) for table in indicators.TABLES}
AREA_MARTS = {
    "lsoa": dg.AssetKey(["marts", "area_lsoa"]),
    "local_authority": dg.AssetKey(["marts", "area_local_authority"]),
}
# Staging tables whose data_vintage is the freshness of a source (the enforcement lists'
# freshness is their last publication date instead).
VINTAGE_TABLES = {
    "fhrs": "stg_fhrs__establishments",
    "companies_house": "stg_companies_house__companies",
    "psc": "stg_psc__persons_with_significant_control",
    "imd": "stg_imd__lsoa_deprivation",
    "postcodes": "stg_postcodes__postcodes",
}
SYNTHETIC = "synthetic sample"


def _read(settings: Settings, schema: str, table: str) -> pl.DataFrame:
    # In one order every time: DuckDB scans in parallel and returns rows in any order, and
    # sums of floats taken in another order differ in their last bits, so two runs on the
    # same marts published scores that were not byte-identical (tests/integration/
    # test_faults.py compares every table of a run with a clean run's).
    return warehouse.query(settings.duckdb_path, f"select * from {schema}.{table} order by all")


def _marts(settings: Settings) -> dict[str, pl.DataFrame]:
    return read_marts(settings.duckdb_path)


def _as_of(premises: pl.DataFrame) -> date:
    """The indicators describe the day of the newest FHRS extract."""
    vintage = premises["data_vintage"].max()
    if vintage is None:
        raise dg.Failure(description="marts.dim_premises has no data_vintage: nothing to analyse")
    return vintage


def _source_vintages(settings: Settings, events: pl.DataFrame) -> dict[str, str]:
    vintages = {}
    for source, table in VINTAGE_TABLES.items():
        value = warehouse.query(
            settings.duckdb_path, f"select max(data_vintage) as v from staging.{table}"
        )["v"][0]
        vintages[source] = f"file of {value}" if value is not None else "absent"
    for source in ("illegal_working", "nmw_naming"):
        last = events.filter(pl.col("source") == source)["published_date"].max()
        vintages[source] = f"published to {last}" if last is not None else "absent"
    return vintages


def _vintage_text(vintages: dict[str, str]) -> str:
    return "; ".join(f"{source} {value}" for source, value in vintages.items())


def _is_synthetic(premises: pl.DataFrame) -> bool:
    return SYNTHETIC in set(premises["data_origin"].drop_nulls())


@functools.cache
def _full_asset_graph():
    """Heyrick's whole asset graph. Not the running job's: a layer job (refresh_analysis) or
    an asset subset sees only its own assets and none of the checks upstream of them, and
    in-process runs carry no repository. Imported here, when first needed, because
    definitions.py imports this module."""
    from heyrick_dagster.definitions import build_definitions

    return build_definitions(Settings()).resolve_asset_graph()


def require_upstream_gates(context: dg.AssetExecutionContext) -> int:
    """Fail unless the latest evaluation of every blocking check upstream passed; returns
    how many gates were verified."""
    graph = _full_asset_graph()
    upstream = graph.get_ancestor_asset_keys(context.asset_key)
    gates = [
        key
        for key in graph.asset_check_keys
        if key.asset_key in upstream and graph.get_check_spec(key).blocking
    ]
    # Not in dagster's public API (checked on 1.13): the instance's latest execution record
    # of each check, whose status is PLANNED, SUCCEEDED or FAILED.
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(gates)
    failing = sorted(
        f"{key.asset_key.to_user_string()}:{key.name}"
        for key in gates
        if key not in latest or latest[key].status.value != "SUCCEEDED"
    )
    if failing:
        raise dg.Failure(
            description=f"{len(failing)} upstream quality gate(s) have not passed; the last "
            "good analysis tables are kept. Re-run the whole pipeline once the data are fixed.",
            metadata={"gates_not_passed": dg.MetadataValue.json(failing[:50])},
        )
    return len(gates)


def _frame_md(frame: pl.DataFrame, rows: int = 10) -> dg.MetadataValue:
    return dg.MetadataValue.md(preview_markdown(frame, rows))


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=INDICATORS_KEY,
    group_name="analysis",
    kinds={"polars", "duckdb"},
    deps=list(PREMISES_MARTS.values()),
    code_version="premises-indicators-2",
    description="One row per FHRS premises: the indicators of analysis/indicators.py "
    "(INDICATORS: rationale, source, unit each) as of the newest FHRS extract, with no "
    "enforcement event published later. Takeaways and convenience stores are scored; the "
    "rest are kept as area denominators. Indications, not evidence.",
)
@skip_when_unchanged(gate=require_upstream_gates)
def premises_indicators(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    gates = require_upstream_gates(context)
    tables = _marts(settings)
    as_of = _as_of(tables["dim_premises"])
    frame = indicators.premises_indicators(tables, as_of)
    rows = warehouse.replace_table(settings.duckdb_path, SCHEMA, "premises_indicators", frame)
    target = frame.filter(pl.col("is_target_sector"))
    summary = pl.concat(
        [
            target.select(
                pl.lit(name).alias("indicator"),
                pl.col(name).is_not_null().mean().round(3).alias("share_known"),
                pl.col(name).mean().round(3).alias("mean"),
            )
            for name in indicators.INDICATOR_NAMES
        ]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "target_premises": target.height,
            "as_of": as_of.isoformat(),
            "data_vintage": _vintage_text(
                _source_vintages(settings, tables["fct_enforcement_events"])
            ),
            "synthetic": _is_synthetic(tables["dim_premises"]),
            "upstream_gates_passed": gates,
            "indicators_over_target_premises": _frame_md(summary, 20),
            "not_available": dg.MetadataValue.json(dict(indicators.UNAVAILABLE)),
            "preview": _frame_md(target),
        }
    )


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=CORRELATIONS_KEY,
    group_name="analysis",
    kinds={"polars", "duckdb"},
    deps=[INDICATORS_KEY, *AREA_MARTS.values()],
    code_version="area-correlations-1",
    description="Area-level association (LSOA and local authority) of every area indicator "
    "with every enforcement outcome: Spearman, Pearson and a Poisson / negative-binomial rate "
    "ratio with businesses as exposure, Benjamini-Hochberg over both levels as one family, "
    "cells under 5 suppressed (analysis/areas.py). Also writes "
    "analysis.area_enforcement_intensity: enforcement measures where officials looked, so "
    "penalty density is not prevalence. Runs only when every upstream gate passed.",
)
@skip_when_unchanged(gate=require_upstream_gates)
def area_correlations(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    gates = require_upstream_gates(context)
    tables = _marts(settings)
    premises = _read(settings, SCHEMA, "premises_indicators")
    as_of = premises["as_of"].max()
    vintage = _vintage_text(_source_vintages(settings, tables["fct_enforcement_events"]))
    per_level, intensity = [], []
    for level, key in AREA_MARTS.items():
        table = areas.area_table(
            premises,
            _read(settings, key.path[0], key.path[1]),
            tables["fct_enforcement_events"],
            tables["fct_event_premises"],
            as_of,
            level,
        )
        context.log.info(
            f"{level}: {table.height} areas, indicators {areas.area_indicator_names(table)}"
        )
        per_level.append(areas.correlations(table, level, vintage))
        intensity.append(areas.enforcement_intensity(table, level, vintage))
    correlations = areas.pooled_benjamini_hochberg(per_level)
    intensity_table = pl.concat(intensity)
    rows = warehouse.replace_table(settings.duckdb_path, SCHEMA, "area_correlations", correlations)
    intensity_rows = warehouse.replace_table(
        settings.duckdb_path, SCHEMA, "area_enforcement_intensity", intensity_table
    )
    found = correlations.filter(pl.col("p_adjusted") < 0.05).sort("p_adjusted")
    attributed = events_in_areas(tables, as_of)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "area_enforcement_intensity_rows": intensity_rows,
            "suppressed_rows": int(correlations["suppressed"].sum()),
            "associations_with_p_adjusted_below_0_05": found.height,
            "strongest_associations": _frame_md(
                correlations.filter(~pl.col("suppressed") & pl.col("p_adjusted").is_not_null())
                .sort("p_adjusted")
                .select(
                    "area_level",
                    "indicator",
                    "outcome",
                    "method",
                    "n",
                    "estimate",
                    "ci_low",
                    "ci_high",
                    "p_adjusted",
                ),
                15,
            ),
            "areas_outside_enforcement_funnel": int(
                intensity_table["outside_funnel"].fill_null(False).sum()
            ),
            "events_attributed_to_a_premises": attributed,
            "as_of": as_of.isoformat(),
            "data_vintage": vintage,
            "synthetic": _is_synthetic(tables["dim_premises"]),
            "upstream_gates_passed": gates,
            "caveat": "Correlations between areas are indications, not evidence; enforcement "
            "density measures where officials looked, not prevalence.",
        }
    )


def events_in_areas(tables: dict[str, pl.DataFrame], as_of: date) -> dict[str, int]:
    """How many published events reach any premises (the rest reach no area)."""
    published = tables["fct_enforcement_events"].filter(pl.col("published_date") <= as_of)
    reached = published.join(tables["fct_event_premises"], on="event_key", how="semi")
    return {"published": published.height, "attributed": reached.height}


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=INDICATIONS_KEY,
    group_name="analysis",
    kinds={"polars", "duckdb"},
    deps=[INDICATORS_KEY, CORRELATIONS_KEY],
    code_version="premises-indications-3",
    description="Ranked takeaways and convenience stores: a transparent scorecard whose "
    "weights are fitted on events published up to the as-of date (analysis/scorecard.py), "
    "with the indicators behind each score in words, its sources and their freshness. "
    "Also writes analysis.scorecard_weights and analysis.area_indications (the ranked "
    "LSOAs and authorities). The time-ordered evaluation "
    "(analysis/evaluation.py, on the published events) is in the metadata. Indications, "
    "not evidence.",
)
@skip_when_unchanged(gate=require_upstream_gates)
def premises_indications(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    gates = require_upstream_gates(context)
    tables = _marts(settings)
    premises = _read(settings, SCHEMA, "premises_indicators")
    as_of = premises["as_of"].max()
    vintages = _source_vintages(settings, tables["fct_enforcement_events"])
    card = scorecard.fit_scorecard(tables, as_of)
    table = scorecard.premises_indications(premises, card, vintages)
    rows = warehouse.replace_table(settings.duckdb_path, SCHEMA, "premises_indications", table)
    weights = card.weights_table()
    warehouse.replace_table(settings.duckdb_path, SCHEMA, "scorecard_weights", weights)
    ranked_areas = scorecard.area_indications(table)
    area_rows = warehouse.replace_table(
        settings.duckdb_path, SCHEMA, "area_indications", ranked_areas
    )
    result = evaluation.evaluate(tables)
    published = result["variants"]["published"]
    context.log.info(f"evaluation: {published['scorecard']}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "as_of": as_of.isoformat(),
            "data_vintage": _vintage_text(vintages),
            "synthetic": _is_synthetic(tables["dim_premises"]),
            "upstream_gates_passed": gates,
            "fit": dg.MetadataValue.json(card.describe()),
            "weights": _frame_md(weights, 20),
            "area_indications_rows": area_rows,
            "top_areas": _frame_md(ranked_areas.filter(pl.col("rank") <= 5), 10),
            "top_indications": _frame_md(
                table.select("rank", "fhrsid", "score", "expected_events_per_year", "explanation"),
                10,
            ),
            "evaluation_cutoff": result["cutoff"],
            "evaluation_capture": dg.MetadataValue.json(
                {
                    name: {top: figures["capture"] for top, figures in published[name].items()}
                    for name in ("scorecard", "baseline_random", "baseline_fhrs_rating")
                }
            ),
            "evaluation": dg.MetadataValue.json(
                {k: v for k, v in result.items() if k != "bias_audit"}
            ),
            "bias_audit_by_imd_decile": _frame_md(pl.DataFrame(result["bias_audit"]), 12),
            "calibration_by_score_decile": _frame_md(
                pl.DataFrame(result["calibration"]["by_score_decile"]), 10
            ),
            "caveat": scorecard.CAVEAT,
        }
    )


assets = [premises_indicators, area_correlations, premises_indications]
