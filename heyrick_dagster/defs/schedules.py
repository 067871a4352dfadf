"""The daily refresh and a job per layer for partial runs."""

import dagster as dg

LAYERS = ("sources", "staging", "linkage", "marts", "analysis", "reports")

everything = dg.define_asset_job(
    "heyrick_daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Every source, staging model and mart, with all their checks.",
)

layer_jobs = [
    dg.define_asset_job(
        f"refresh_{layer}",
        selection=dg.AssetSelection.groups(layer),
        description=f"Only the {layer} layer (its upstream tables are read as they are).",
    )
    for layer in LAYERS
]

# 06:00 London time: the FSA publishes its daily files overnight.
daily = dg.ScheduleDefinition(
    name="daily_refresh",
    job=everything,
    cron_schedule="0 6 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Refreshes everything once a day. DuckDB has one writer: the instance's run "
    "queue admits one run at a time (dagster_home/dagster.yaml).",
)

jobs = [everything, *layer_jobs]
schedules = [daily]
