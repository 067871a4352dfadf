"""The source protocol: what every connector in `heyrick_dagster/sources/` provides.

A connector module defines one `CONNECTOR = Connector(...)`. Everything else
(acquiring files in each mode, the raw store, the Dagster assets and checks,
`heyrick check`) is generic and lives once, in `acquire.py`, `defs/sources.py`
and `quality/file_check.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from heyrick_dagster.sources import raw_store
from heyrick_dagster.sources.metadata import SourceMetadata

if TYPE_CHECKING:
    import pandas as pd

    from heyrick_dagster.settings import Settings

Emit = Callable[[str], None]


def today_parameter() -> dict[str, date]:
    """Suite parameters for "no date in the future" expectations."""
    return {"today": date.today()}


@dataclass(frozen=True)
class CheckSpec:
    """One Great Expectations suite run as a Dagster asset check on a raw table."""

    name: str  # a predicate: "passes_quality_suite", "every_authority_meets_row_floor"
    suite: str  # expectations/expectations/<suite>.json
    description: str
    blocking: bool = True  # ERROR severity; False means WARN, which never blocks
    # Derives the frame the suite runs on (e.g. counts per authority); None: the table itself.
    frame: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    parameters: Callable[[], dict] | None = None


@dataclass(frozen=True)
class RawTable:
    name: str  # "establishments" -> raw.<source>__establishments
    description: str
    checks: tuple[CheckSpec, ...]


@dataclass(frozen=True)
class Scope:
    """What the areas in scope (HEYRICK_AREAS) mean for a national file: the postcode
    districts of the in-scope FHRS premises. None means no filter (all areas)."""

    postcode_districts: frozenset[str] | None = None


ALL_AREAS = Scope()


@dataclass(frozen=True)
class ParseResult:
    tables: dict[str, pl.DataFrame]  # RawTable.name -> typed, contract-checked frame
    notes: list[str] = field(default_factory=list)  # e.g. unmapped published fields, skipped rows


@dataclass(frozen=True)
class Connector:
    metadata: SourceMetadata
    tables: tuple[RawTable, ...]
    # Which files in a folder belong to this source (sample and files modes), as globs.
    file_patterns: tuple[str, ...]
    # Parse and contract-check files; raise SourceError (naming file and row) on bad input.
    # An empty list gives empty frames with the table's columns (an absent optional source).
    # A connector whose national file should be cut to the areas in scope also takes
    # a Scope, and says so with `scoped=True` (its raw asset then runs after FHRS).
    parse: Callable[..., ParseResult]
    # Download the official files into `folder` (a raw-store vintage folder) with
    # http.download_all, or aside then raw_store.store(incoming, dest, url, move=True),
    # so that a file's name only ever shows recorded bytes. Settings give areas,
    # timeouts and base URLs; `emit` reports progress.
    fetch_live: Callable[[Settings, Path, Emit | None], list[raw_store.RawFile]]
    # Optional: choose the files to read among those in the folder (sample and files
    # modes), e.g. those of the areas in scope; called as select(paths, areas, emit) and
    # reports through `emit` every file it leaves out, and why.
    select: Callable[[list[Path], tuple[str, ...], Emit | None], list[Path]] | None = None
    scoped: bool = False

    @property
    def key(self) -> str:
        return self.metadata.key

    def table_name(self, table: RawTable) -> str:
        return f"{self.key}__{table.name}"
