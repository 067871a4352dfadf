"""Dagster wiring for the data-owner quality reports and the data catalogue (group reports).

raw/<source>__<table>, staging/stg_* --> reports/quality_reports --> reports/data_catalogue

The logic is in heyrick_dagster/reports/ (no Dagster there). Both assets write HTML and
Markdown under Settings.reports_dir; their metadata gives the paths, the findings per
publisher and a Markdown preview.

Downstream of the raw assets, these assets do not run in a run where a blocking gate
failed (Dagster skips what lies downstream of a failed blocking check). The failing gate's
own check result shows its failing records, and a later `refresh_reports` run reports the
rejected candidate, which write-audit-publish keeps in `audit.<table>`.
"""

import dagster as dg

from heyrick_dagster.defs import dbt
from heyrick_dagster.defs.metadata import ENGINEERING_OWNERS
from heyrick_dagster.defs.sources import raw_key
from heyrick_dagster.defs.versioning import skip_when_unchanged
from heyrick_dagster.reports import catalogue, quality
from heyrick_dagster.reports.document import to_markdown
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.registry import CONNECTORS

GROUP = "reports"
QUALITY_KEY = dg.AssetKey(["reports", "quality_reports"])
CATALOGUE_KEY = dg.AssetKey(["reports", "data_catalogue"])
RAW_KEYS = [raw_key(c, t) for c in CONNECTORS for t in c.tables]
# The staging models (manifest-based keys ["staging", "stg_..."]), not the seeds.
STAGING_KEYS = sorted(
    (k for k in dbt.heyrick_dbt_staging.keys if k.path[-1].startswith("stg_")),
    key=lambda k: k.to_user_string(),
)


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=QUALITY_KEY,
    group_name=GROUP,
    kinds={"html"},
    deps=[*RAW_KEYS, *STAGING_KEYS],
    code_version="quality-reports-1",
    description="One data-quality report per publisher (HTML and Markdown, with a JSON "
    "history) under reports/quality/: findings on completeness, validity, uniqueness, "
    "timeliness and cross-source consistency, sorted into accuracy and usefulness, with "
    "failing records by file and row, each suite's Great Expectations results, and "
    "Great Expectations Data Docs.",
)
@skip_when_unchanged(files=lambda s: [s.reports_dir / "quality"])
def quality_reports(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    out_dir = settings.reports_dir / "quality"
    run = quality.write_quality_reports(
        settings.duckdb_path, out_dir, mode=settings.mode, synthetic=settings.is_synthetic
    )
    for written in run.reports:
        report = written.report
        context.log.info(
            f"{report.publisher.name}: {report.verdict}; {report.count('accuracy')} accuracy "
            f"and {report.count('usefulness')} usefulness findings -> {written.html}"
        )
    if not run.docs.built:
        context.log.warning(f"Great Expectations Data Docs not built: {run.docs.reason}")
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(out_dir)),
            "synthetic": settings.is_synthetic,
            "data_docs": dg.MetadataValue.path(str(out_dir / run.docs.index))
            if run.docs.built
            else f"not built: {run.docs.reason}",
            "findings_per_publisher": dg.MetadataValue.json(
                {
                    w.report.publisher.slug: {
                        "verdict": w.report.verdict,
                        "accuracy": w.report.count("accuracy"),
                        "usefulness": w.report.count("usefulness"),
                        "suites_with_failures": w.report.failed_suites,
                    }
                    for w in run.reports
                }
            ),
            "preview": dg.MetadataValue.md(run.summary_markdown()),
            **{
                f"report_{w.report.publisher.slug}": dg.MetadataValue.path(str(w.html))
                for w in run.reports
            },
        }
    )


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=CATALOGUE_KEY,
    group_name=GROUP,
    kinds={"html"},
    deps=[QUALITY_KEY, *RAW_KEYS],
    code_version="data-catalogue-1",
    description="The data catalogue (reports/catalogue.html and .md): each dataset's "
    "publisher, licence, official address, coverage, cadence, fields and their meaning, "
    "the keys that join it to the others, its freshness and its current quality verdict.",
)
@skip_when_unchanged(files=lambda s: [s.reports_dir / "catalogue.html"])
def data_catalogue(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    md, page, entries = catalogue.write_catalogue(
        settings.duckdb_path, settings.reports_dir, synthetic=settings.is_synthetic
    )
    context.log.info(f"data catalogue of {len(entries)} datasets -> {page}")
    return dg.MaterializeResult(
        metadata={
            "html": dg.MetadataValue.path(str(page)),
            "markdown": dg.MetadataValue.path(str(md)),
            "datasets": len(entries),
            "synthetic": settings.is_synthetic,
            "preview": dg.MetadataValue.md(to_markdown([catalogue.summary_list(entries)])),
        }
    )


assets = [quality_reports, data_catalogue]
