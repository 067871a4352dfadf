"""Who publishes what: the sources grouped by the organisation that owns their data.

A publisher gets one quality report covering all its datasets (the Home Office publishes
both the illegal-working penalties and the NRM statistics). The sources' own metadata
names the publisher in full (`SourceMetadata.publisher`); this module gives each a short
name and a stable file name.
"""

from __future__ import annotations

from dataclasses import dataclass

from heyrick_dagster.sources.base import Connector
from heyrick_dagster.sources.registry import CONNECTORS


@dataclass(frozen=True)
class Publisher:
    slug: str  # file name of its report: data/reports/quality/<slug>.html
    name: str  # short name used in titles
    sources: tuple[str, ...]  # connector keys, in registry order


# Source key -> (slug, short name). A new source must be added here: a test checks it.
PUBLISHER_OF: dict[str, tuple[str, str]] = {
    "fhrs": ("fsa", "Food Standards Agency (FSA)"),
    "fhrs_history": ("fsa", "Food Standards Agency (FSA)"),
    "companies_house": ("companies_house", "Companies House"),
    "psc": ("companies_house", "Companies House"),
    "illegal_working": ("home_office", "Home Office"),
    "nrm": ("home_office", "Home Office"),
    "nmw_naming": ("dbt", "Department for Business and Trade (DBT)"),
    "imd": ("mhclg", "Ministry of Housing, Communities and Local Government (MHCLG)"),
    "postcodes": ("ons", "Office for National Statistics (ONS)"),
}


def publishers(connectors: tuple[Connector, ...] = CONNECTORS) -> list[Publisher]:
    """Every publisher, in the order its first source appears in the registry."""
    grouped: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for connector in connectors:
        if connector.key not in PUBLISHER_OF:
            raise KeyError(
                f"source {connector.key!r} has no publisher in reports/publishers.py "
                "PUBLISHER_OF; add one so that its data owner gets a quality report"
            )
        slug, name = PUBLISHER_OF[connector.key]
        grouped.setdefault(slug, []).append(connector.key)
        names[slug] = name
    return [Publisher(slug, names[slug], tuple(keys)) for slug, keys in grouped.items()]


def publisher_of(source: str) -> Publisher:
    slug = PUBLISHER_OF[source][0]
    return next(p for p in publishers() if p.slug == slug)
