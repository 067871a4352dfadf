"""Every connected source, in the order the run summary and reports list them."""

from __future__ import annotations

from heyrick_dagster.sources import (
    companies_house,
    fhrs,
    fhrs_history,
    illegal_working,
    imd,
    nmw_naming,
    nrm,
    postcodes,
    psc,
)
from heyrick_dagster.sources.base import Connector

CONNECTORS: tuple[Connector, ...] = (
    fhrs.CONNECTOR,
    fhrs_history.CONNECTOR,
    companies_house.CONNECTOR,
    psc.CONNECTOR,
    illegal_working.CONNECTOR,
    nmw_naming.CONNECTOR,
    imd.CONNECTOR,
    postcodes.CONNECTOR,
    nrm.CONNECTOR,
)

BY_KEY: dict[str, Connector] = {c.key: c for c in CONNECTORS}
