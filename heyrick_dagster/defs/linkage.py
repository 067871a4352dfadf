"""Dagster wiring for linkage: train the Splink models, run the cascade, cluster.

staging --> linkage/splink_models --> intermediate/int_links__cascade
                                  --> intermediate/int_business_clusters --> dbt marts
"""

import json
import math

import dagster as dg
import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.defs.metadata import ENGINEERING_OWNERS, preview_markdown
from heyrick_dagster.defs.versioning import skip_when_unchanged
from heyrick_dagster.linkage import cascade, clusters, model_store, names
from heyrick_dagster.linkage.inputs import STAGING_INPUTS, read_staging
from heyrick_dagster.settings import Settings

MODELS_KEY = dg.AssetKey(["linkage", "splink_models"])
LINKS_KEY = dg.AssetKey(["intermediate", "int_links__cascade"])
CLUSTERS_KEY = dg.AssetKey(["intermediate", "int_business_clusters"])
STAGING_DEPS = [dg.AssetKey(["staging", table]) for table, _ in STAGING_INPUTS.values()]


def _frames(settings: Settings) -> dict[str, pl.DataFrame]:
    return read_staging(lambda sql: warehouse.query(settings.duckdb_path, sql))


def _parameters_markdown(model: dict) -> str:
    """The trained model as a table: m, u and the match weight of every level."""
    lines = ["| comparison | level | m | u | weight (bits) |", "|---|---|---|---|---|"]
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = f"{math.log2(m / u):+.1f}" if m and u else "-"
            label = (level.get("label_for_charts") or level["sql_condition"])[:60]
            lines.append(
                f"| {comparison['output_column_name']} | {label} | "
                f"{m if m is None else f'{m:.4g}'} | {u if u is None else f'{u:.4g}'} | {weight} |"
            )
    return "\n".join(lines)


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=MODELS_KEY,
    group_name="linkage",
    kinds={"splink", "duckdb"},
    deps=STAGING_DEPS,
    code_version="splink-models-2",
    description="Trains the Splink model of each link type on the staging tables: u "
    "(chance agreement) and the prior estimated on them, m (what a true match looks like) "
    "from the committed reference model, trained by EM on the synthetic sample "
    "(linkage/calibrate.py); saves each as a content-versioned JSON file under "
    "<data>/linkage/models/.",
)
@skip_when_unchanged(files=lambda s: [s.linkage_models_dir / model_store.MANIFEST])
def splink_models(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    features = cascade.features_by_source(_frames(settings))
    context.log.info("training Splink models on %s", {s: f.height for s, f in features.items()})
    models, origins = cascade.train_models(features)
    manifest = model_store.save_models(models, settings.linkage_models_dir, origins)
    for link_type, origin in origins.items():
        context.log.info("%s: %s", link_type, origin)
    base = models.get(cascade.link_type_key(*cascade.LINK_TYPES[0]))
    return dg.MaterializeResult(
        metadata={
            "models": dg.MetadataValue.json(manifest),
            "folder": dg.MetadataValue.path(str(settings.linkage_models_dir)),
            "premises_company_parameters": dg.MetadataValue.md(
                _parameters_markdown(base) if base else "no premises or companies to train on"
            ),
        }
    )


def _accuracy_at_calibration() -> list[dict]:
    """What thresholds.json records of each link type at its accept threshold."""
    data = json.loads(cascade.THRESHOLDS_PATH.read_text())
    rows = []
    for link_type, entry in data["link_types"].items():
        point = next((p for p in entry["curve"] if p["threshold"] == entry["accept"]), {})
        rows.append(
            {
                "link_type": link_type,
                "accept": entry["accept"],
                "possible": entry["possible"],
                "precision": point.get("precision"),
                "recall": point.get("recall"),
                "f1": point.get("f1"),
                "derived_from": entry["derived_from"],
            }
        )
    return rows


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=LINKS_KEY,
    group_name="linkage",
    kinds={"splink", "polars", "duckdb"},
    deps=[*STAGING_DEPS, MODELS_KEY],
    code_version="links-cascade-1",
    description="The linkage cascade: exact tiers (same normalised name at the same "
    "postcode), then the saved Splink models on every blocked candidate pair; accepted and "
    "possible links by the thresholds derived from the evaluation (linkage/thresholds.json).",
)
@skip_when_unchanged()
def int_links__cascade(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    models, manifest = model_store.load_models(settings.linkage_models_dir)
    links = cascade.link_records(
        _frames(settings), models, cascade.read_thresholds(), emit=context.log.info
    )
    # The in-process executor keeps this process for the rest of the run: the names
    # parse_name cached (those polars cannot parse, up to 200,000) are of no use after the
    # linkage.
    names.parse_name.cache_clear()
    rows = warehouse.replace_table(
        settings.duckdb_path, "intermediate", "int_links__cascade", links
    )
    per_rule = links.group_by("left_source", "right_source", "match_rule", "link_status").len()
    context.log.info("%d links written", rows)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "links": dg.MetadataValue.md(
                preview_markdown(per_rule.sort("left_source", "right_source", "match_rule"), 50)
            ),
            "model_versions": dg.MetadataValue.json(
                {link_type: entry["version"] for link_type, entry in manifest.items()}
            ),
            "accuracy_at_calibration": dg.MetadataValue.json(_accuracy_at_calibration()),
        }
    )


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=CLUSTERS_KEY,
    group_name="linkage",
    kinds={"polars", "duckdb"},
    deps=[*STAGING_DEPS, LINKS_KEY],
    code_version="business-clusters-1",
    description="Businesses: connected components of the accepted links over every "
    "premises, company and enforcement-list record, with ids stable across runs.",
)
@skip_when_unchanged()
def int_business_clusters(settings: dg.ResourceParam[Settings]) -> dg.MaterializeResult:
    records = pl.concat(
        [
            warehouse.query(
                settings.duckdb_path,
                f"select '{source}' as source, record_id from staging.{table}",
            )
            for source, (table, _) in STAGING_INPUTS.items()
        ]
    )
    links = warehouse.query(settings.duckdb_path, "select * from intermediate.int_links__cascade")
    bridge = clusters.bridge(records, links)
    previous = _previous_ids(settings)
    rows = warehouse.replace_table(
        settings.duckdb_path, "intermediate", "int_business_clusters", bridge
    )
    sizes = bridge.group_by("business_id").len()
    metadata = {
        "dagster/row_count": rows,
        "businesses": int(sizes.height),
        "businesses_with_several_records": int((sizes["len"] > 1).sum()),
        "largest_business_records": int(sizes["len"].max() or 0),
    }
    if previous is not None:
        kept = bridge.join(previous, on=["source", "record_id", "business_id"]).height
        metadata["records_keeping_their_business_id"] = kept
    return dg.MaterializeResult(metadata=metadata)


def _previous_ids(settings: Settings) -> pl.DataFrame | None:
    """The last run's clusters, to report how many ids survived (None on a first run)."""
    exists = warehouse.query(
        settings.duckdb_path,
        "select count(*) as n from information_schema.tables "
        "where table_schema = 'intermediate' and table_name = 'int_business_clusters'",
    )["n"][0]
    if not exists:
        return None
    return warehouse.query(
        settings.duckdb_path,
        "select business_id, source, record_id from intermediate.int_business_clusters",
    )


assets = [splink_models, int_links__cascade, int_business_clusters]
