"""What every source declares about itself, once.

The same record names the source in the Dagster UI (asset descriptions and
owners), in error messages and in the data-owner quality report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceMetadata:
    key: str  # e.g. "fhrs": used in asset keys, raw folders and table names
    title: str
    publisher: str
    licence: str
    official_url: str
    refresh_cadence: str
    coverage: str
    data_owner_contact: str
    required: bool = True
    # Days after its last update before the source counts as stale: its refresh cadence plus
    # the publisher's usual slack. Each raw table's freshness check fails after it
    # (defs/freshness.py); None: no freshness check.
    stale_after_days: int | None = None

    def describe(self) -> str:
        return (
            f"{self.title} — published by {self.publisher} ({self.official_url}), "
            f"{self.licence}. Refreshed {self.refresh_cadence}. Coverage: {self.coverage}."
        )
