"""Freshness: flag a source that stops updating.

Every raw table gets Dagster's `freshness_check`, failing (WARN, blocking nothing: stale data
is worth knowing, not a reason to stop the analysis) once the table's last update is older
than its source's `stale_after_days` (SourceMetadata: the publisher's cadence plus its usual
slack, from a daily FHRS file to IMD releases years apart). The checks run after the raw
assets in every run that materialises them, and `source_freshness_sensor` runs them between
runs, once a passing check could have gone stale, so a source whose runs stop is flagged too.

"Last update" is the latest materialisation of the raw asset, or the
`dagster/last_updated_timestamp` its metadata reports when it reports one (dagster 1.13,
asset_check_factories/utils.py retrieve_timestamp_from_record).

Dagster 1.12 superseded these checks with `FreshnessPolicy`, still a preview in 1.13 that
needs `freshness: enabled` in dagster.yaml and shows as a status rather than as checks; the
checks are kept for now because they show in the asset graph with the other gates, and their
supersession warnings are silenced here.
"""

import warnings
from datetime import timedelta

import dagster as dg

from heyrick_dagster.defs.sources import raw_key
from heyrick_dagster.sources.base import Connector
from heyrick_dagster.sources.registry import CONNECTORS

CHECK_NAME = "freshness_check"  # the name dagster's factory gives every freshness check
# Windows are days to years long: looking a few times an hour is plenty.
SENSOR_INTERVAL_S = 15 * 60


def _freshness_checks(connector: Connector) -> list[dg.AssetChecksDefinition]:
    days = connector.metadata.stale_after_days
    if days is None:
        return []
    return list(
        dg.build_last_update_freshness_checks(
            assets=[raw_key(connector, table) for table in connector.tables],
            lower_bound_delta=timedelta(days=days),
        )
    )


with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*is superseded.*")
    asset_checks = [check for c in CONNECTORS for check in _freshness_checks(c)]
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=asset_checks,
        name="source_freshness_sensor",
        minimum_interval_seconds=SENSOR_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )

sensors = [freshness_sensor]
