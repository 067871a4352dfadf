"""The one Definitions object: every asset, check and resource, in-process.

DuckDB allows one writing process, so runs use the in-process executor (and
the instance's run queue admits one run at a time: dagster_home/dagster.yaml).
"""

from __future__ import annotations

import dagster as dg

from heyrick_dagster.defs import (
    alerts,
    analysis,
    analysis_report,
    dbt,
    freshness,
    linkage,
    reports,
    schedules,
    sources,
)
from heyrick_dagster.settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(
        assets=[
            *sources.assets,
            *linkage.assets,
            *dbt.assets,
            *analysis.assets,
            *analysis_report.assets,
            *reports.assets,
        ],
        asset_checks=[*freshness.asset_checks, *alerts.asset_checks],
        jobs=schedules.jobs,
        schedules=schedules.schedules,
        sensors=[*freshness.sensors, *alerts.sensors],
        resources={
            "settings": dg.ResourceDefinition.hardcoded_resource(settings, "Heyrick settings"),
            "dbt": dbt.dbt_resource(),
        },
        executor=dg.in_process_executor,
    )


defs = build_definitions()
