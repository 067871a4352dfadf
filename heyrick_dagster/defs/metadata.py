"""Turning Heyrick's results into Dagster metadata, failures and check results."""

from __future__ import annotations

import re

import dagster as dg
import polars as pl

from heyrick_dagster.quality.gx_runner import SuiteOutcome
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.errors import ContractError, SourceError
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.raw_store import RawFile

PREVIEW_ROWS = 5


# The team that owns what Heyrick computes itself (linkage, analysis, reports); a raw
# table's owner is its publisher (`source_owner`).
ENGINEERING_OWNERS = ["team:heyrick-data-engineering"]


def source_owner(meta: SourceMetadata) -> str:
    """Dagster owners are e-mails or `team:` names; the data owner is the publisher."""
    slug = re.sub(r"[^a-z0-9]+", "-", meta.publisher.lower()).strip("-")
    return f"team:{slug}"


def failure_from_source_error(exc: SourceError, settings: Settings) -> dg.Failure:
    metadata: dict = {
        "source": exc.source,
        "file": exc.file or "",
        "row": exc.row if exc.row is not None else "unknown",
        "raw_files_kept_in": dg.MetadataValue.path(str(settings.raw_dir / exc.source)),
        "last_good_table": "unchanged",
    }
    if isinstance(exc, ContractError) and exc.failures:
        metadata["failing_rows"] = dg.MetadataValue.json(exc.failures[:10])
    return dg.Failure(description=exc.describe(), metadata=metadata)


def check_result_from_suite(
    outcome: SuiteOutcome,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    key: dg.AssetCheckKey | None = None,
) -> dg.AssetCheckResult:
    failed = [o for o in outcome.outcomes if not o.success]
    return dg.AssetCheckResult(
        asset_key=key.asset_key if key else None,
        check_name=key.name if key else None,
        passed=not failed,
        severity=severity,
        description="; ".join(o.description for o in failed[:5]) or f"{outcome.suite}: all passed",
        metadata={
            "suite": outcome.suite,
            "expectations": len(outcome.outcomes),
            "failed": len(failed),
            "results": dg.MetadataValue.md(outcome.to_markdown()),
            "failing_examples": dg.MetadataValue.json(
                {f"{o.expectation}({o.column or ''})": o.examples[:10] for o in failed}
            ),
        },
    )


def files_markdown(files: list[RawFile], frame: pl.DataFrame) -> str:
    """Each raw file with its checksum and the rows it gave."""
    rows_by_file = (
        dict(frame.group_by("_source_file").len().iter_rows())
        if "_source_file" in frame.columns
        else {}
    )
    lines = ["| file | sha256 | bytes | rows |", "|---|---|---|---|"]
    for f in files:
        rows = rows_by_file.get(str(f.path), 0)
        lines.append(f"| {f.path.name} | `{f.sha256[:16]}…` | {f.bytes:,} | {rows:,} |")
    return "\n".join(lines)


def preview_markdown(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> str:
    head = frame.head(rows)
    columns = [c for c in head.columns if not c.startswith("_")][:10]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in head.select(columns).iter_rows():
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "\\|")[:40]
