"""Dagster wiring for the FSA food-hygiene source: the raw asset and its quality gates."""

from datetime import date

import dagster as dg

from heyrick_dagster import warehouse
from heyrick_dagster.defs.metadata import (
    check_result_from_suite,
    failure_from_source_error,
    preview_markdown,
    source_owner,
)
from heyrick_dagster.quality import gx_runner
from heyrick_dagster.quality.fhrs_frames import establishments_per_authority
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources import fhrs
from heyrick_dagster.sources.acquire import acquire_fhrs
from heyrick_dagster.sources.errors import SourceError

ASSET_KEY = dg.AssetKey(["raw", f"{fhrs.SOURCE}__{fhrs.TABLE}"])
TABLE = f"{fhrs.SOURCE}__{fhrs.TABLE}"


@dg.asset(
    key=ASSET_KEY,
    group_name="sources",
    kinds={"polars", "duckdb", "xml"},
    owners=[source_owner(fhrs.METADATA)],
    description=fhrs.METADATA.describe(),
    code_version="fhrs-1",
    metadata={
        "publisher": fhrs.METADATA.publisher,
        "licence": fhrs.METADATA.licence,
        "official_url": dg.MetadataValue.url(fhrs.METADATA.official_url),
    },
)
def fhrs__establishments(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    """Fetch (or copy from the sample), parse and contract-check every authority file,
    then replace raw.fhrs__establishments in one transaction."""

    try:
        acquired = acquire_fhrs(settings, context.log.info)
        context.log.info(
            f"fhrs: {len(acquired.files)} file(s) of vintage {acquired.vintage} in "
            f"{settings.raw_dir / fhrs.SOURCE / acquired.vintage}"
        )
        frame, parsed = fhrs.parse_files(f.path for f in acquired.files)
    except SourceError as exc:
        # Nothing is written: the last good raw table stays as it was.
        raise failure_from_source_error(exc, settings) from exc

    rows = warehouse.replace_table(settings.duckdb_path, "raw", TABLE, frame)
    unknown = {}
    for item in parsed:
        for field, count in item.unknown_fields.items():
            unknown[field] = unknown.get(field, 0) + count
    if unknown:
        context.log.warning(
            f"fhrs: published fields not yet mapped (kept out of the table): {unknown}"
        )
    files_md = "\n".join(
        ["| file | sha256 | bytes | establishments | extract date |", "|---|---|---|---|---|"]
        + [
            f"| {f.path.name} | `{f.sha256[:16]}…` | {f.bytes:,} | {p.item_count:,} "
            f"| {p.extract_date} |"
            for f, p in zip(acquired.files, parsed, strict=True)
        ]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "vintage": acquired.vintage,
            "synthetic": acquired.synthetic,
            "data_origin": "synthetic sample" if acquired.synthetic else "official open data",
            "files": dg.MetadataValue.md(files_md),
            "raw_folder": dg.MetadataValue.path(
                str(settings.raw_dir / fhrs.SOURCE / acquired.vintage)
            ),
            "sha256": dg.MetadataValue.json({f.path.name: f.sha256 for f in acquired.files}),
            "unmapped_fields": dg.MetadataValue.json(unknown),
            "preview": dg.MetadataValue.md(preview_markdown(frame)),
        }
    )


def _establishments(settings: Settings):
    return warehouse.read_pandas(settings.duckdb_path, "raw", TABLE)


@dg.asset_check(
    asset=ASSET_KEY,
    name="passes_quality_suite",
    blocking=True,
    description="Great Expectations suite fhrs__establishments (expectations/): FHRSID unique and "
    "not null, ratings in the published vocabulary, postcode format rate, rating dates not in the "
    "future, scores in their sets. Failing blocks everything downstream.",
)
def passes_quality_suite(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
    outcome = gx_runner.run_suite(
        "fhrs__establishments", _establishments(settings), {"today": date.today()}
    )
    return check_result_from_suite(outcome)


@dg.asset_check(
    asset=ASSET_KEY,
    name="every_authority_meets_row_floor",
    blocking=True,
    description="Great Expectations suite fhrs__establishments_per_authority: every authority "
    "file holds at least the floor of establishments (a truncated file looks like a small "
    "council).",
)
def every_authority_meets_row_floor(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
    counts = establishments_per_authority(_establishments(settings))
    return check_result_from_suite(
        gx_runner.run_suite("fhrs__establishments_per_authority", counts)
    )


@dg.asset_check(
    asset=ASSET_KEY,
    name="within_drift_bounds",
    blocking=False,
    description="Great Expectations suite fhrs__establishments_drift (WARN): row-count ceiling and "
    "completeness of geocodes, postcodes and rating dates. Never blocks.",
)
def within_drift_bounds(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
    outcome = gx_runner.run_suite("fhrs__establishments_drift", _establishments(settings))
    return check_result_from_suite(outcome, severity=dg.AssetCheckSeverity.WARN)


assets = [fhrs__establishments]
asset_checks = [passes_quality_suite, every_authority_meets_row_floor, within_drift_bounds]
