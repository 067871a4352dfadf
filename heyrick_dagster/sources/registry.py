"""Every connected source, in the order the run summary and reports list them."""

from __future__ import annotations

from heyrick_dagster.sources import fhrs
from heyrick_dagster.sources.base import Connector

CONNECTORS: tuple[Connector, ...] = (fhrs.CONNECTOR,)

BY_KEY: dict[str, Connector] = {c.key: c for c in CONNECTORS}
