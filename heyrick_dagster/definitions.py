"""The one Definitions object: every asset, check and resource, in-process.

DuckDB allows one writing process, so runs use the in-process executor (and
the instance's run queue admits one run at a time: dagster_home/dagster.yaml).
Every run, however launched (the UI, the schedule, `heyrick run`), holds the
warehouse's run lock while it runs: a run from another Dagster instance or a
second `heyrick run` fails at once, naming the run that holds it.
"""

from __future__ import annotations

import dagster as dg

from heyrick_dagster import warehouse
from heyrick_dagster.defs import (
    alerts,
    analysis,
    analysis_report,
    dbt,
    freshness,
    linkage,
    memory,
    reports,
    schedules,
    sources,
)
from heyrick_dagster.settings import Settings


def locked_settings(settings: Settings) -> dg.ResourceDefinition:
    """The settings every asset reads, as a resource that holds the warehouse run lock from
    the start of a run to its end: the in-process executor initialises a resource once per
    run, so steps of two runs can never interleave their writes."""

    @dg.resource(description="Heyrick settings; holds the warehouse run lock for the run")
    def _settings(_context):
        warehouse.configure(settings.duckdb_memory_limit)
        with warehouse.run_lock(settings.duckdb_path):
            yield settings

    return _settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(
        # Every step gives back what it freed before the next starts (defs/memory.py).
        assets=[
            a.with_hooks(memory.HOOKS)
            for a in [
                *sources.assets,
                *linkage.assets,
                *dbt.assets,
                *analysis.assets,
                *analysis_report.assets,
                *reports.assets,
            ]
        ],
        asset_checks=[*freshness.asset_checks, *alerts.asset_checks],
        jobs=schedules.jobs,
        schedules=schedules.schedules,
        sensors=[*freshness.sensors, *alerts.sensors],
        resources={
            "settings": locked_settings(settings),
            "dbt": dbt.dbt_resource(),
        },
        executor=dg.in_process_executor,
    )


defs = build_definitions()
