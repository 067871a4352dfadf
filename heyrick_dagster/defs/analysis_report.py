"""Dagster wiring for the analysis report: reports/analysis_report.

analysis/premises_indicators, analysis/area_correlations, analysis/premises_indications
    --> reports/analysis_report  (data/reports/analysis/index.html and exports/)

The page and the exports are made by heyrick_dagster/reports/analysis_report.py; this
module only runs it and describes the result. Like the analysis assets, it refuses to run
unless every blocking check upstream passed, so a report is never written from tables that
a failed gate left behind; the last good report stays in place (every file is replaced
atomically, and only once all of them have been computed).
"""

import dagster as dg

from heyrick_dagster.defs.analysis import (
    CORRELATIONS_KEY,
    INDICATIONS_KEY,
    INDICATORS_KEY,
    require_upstream_gates,
)
from heyrick_dagster.defs.metadata import ENGINEERING_OWNERS
from heyrick_dagster.defs.versioning import skip_when_unchanged
from heyrick_dagster.reports import analysis_report
from heyrick_dagster.settings import Settings

REPORT_KEY = dg.AssetKey(["reports", "analysis_report"])


@dg.asset(
    owners=ENGINEERING_OWNERS,
    key=REPORT_KEY,
    group_name="reports",
    kinds={"html"},
    deps=[INDICATORS_KEY, CORRELATIONS_KEY, INDICATIONS_KEY],
    code_version="analysis-report-1",
    description="The analysis report for analysts: one self-contained HTML page (no script, "
    "font, tile or image from anywhere) with the caveats, the top indications and their "
    "explanations, LSOA maps, each outcome's correlations beside its enforcement intensity, "
    "rates by deprivation decile, the trend over data vintages, the time-ordered evaluation "
    "and the freshness of every source; and the indications and area tables as CSV and "
    "Parquet with a data dictionary. Indications, not evidence.",
)
@skip_when_unchanged(
    gate=require_upstream_gates,
    files=lambda s: [analysis_report.report_folder(s) / "index.html"],
)
def analysis_report_page(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    gates = require_upstream_gates(context)
    inputs = analysis_report.load_inputs(settings)
    folder = analysis_report.report_folder(settings)
    written = analysis_report.write_report(inputs, folder)
    context.log.info(f"analysis report: {written.path} ({written.html_bytes:,} bytes)")
    if written.exports.undocumented:
        context.log.warning(
            "export columns with no meaning in the data dictionary: "
            + ", ".join(written.exports.undocumented)
        )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(written.path)),
            "exports": dg.MetadataValue.path(str(folder / "exports")),
            "sections": dg.MetadataValue.json(written.sections),
            "html_bytes": written.html_bytes,
            "export_bytes": dg.MetadataValue.json(written.exports.files),
            "undocumented_export_columns": dg.MetadataValue.json(written.exports.undocumented),
            "as_of": inputs.as_of.isoformat(),
            "synthetic": written.synthetic,
            "upstream_gates_passed": gates,
            "top_indications": dg.MetadataValue.md(written.top_indications_markdown),
            "caveat": "Indications, not evidence; enforcement density is where officials "
            "looked, not prevalence.",
        }
    )


assets = [analysis_report_page]
