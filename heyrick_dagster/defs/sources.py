"""Dagster wiring for every source: one raw asset per table and its quality gates.

Built from the connectors' declarations (heyrick_dagster/sources/registry.py),
so adding a source adds no Dagster code.
"""

from datetime import UTC, datetime, time

import dagster as dg
import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.defs import versioning
from heyrick_dagster.defs.metadata import (
    check_result_from_suite,
    failure_from_source_error,
    files_markdown,
    preview_markdown,
    source_owner,
)
from heyrick_dagster.quality import gx_runner, suite_frames
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.acquire import Acquired, acquire
from heyrick_dagster.sources.base import CheckSpec, Connector, RawTable, Scope
from heyrick_dagster.sources.errors import SourceError
from heyrick_dagster.sources.registry import CONNECTORS

RAW_SCHEMA = "raw"
# Candidate raw tables wait here while their quality suites run (write-audit-publish).
AUDIT_SCHEMA = "audit"
SCOPE_SOURCE = dg.AssetKey([RAW_SCHEMA, "fhrs__establishments"])


def area_scope(settings: Settings) -> Scope:
    """All areas when HEYRICK_AREAS is empty; else the postcode districts of the FHRS
    premises in those areas (the FHRS asset has already kept only their files)."""
    if not settings.areas:
        return Scope()
    districts = warehouse.query(
        settings.duckdb_path,
        "select distinct upper(split_part(trim(postcode), ' ', 1)) as district "
        "from raw.fhrs__establishments where postcode like '% %'",
    )["district"]
    return Scope(postcode_districts=frozenset(districts.to_list()))


def raw_key(connector: Connector, table: RawTable) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, connector.table_name(table)])


def check_key(connector: Connector, table: RawTable, spec: CheckSpec) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(raw_key(connector, table), spec.name)


def run_check(
    connector: Connector, table: RawTable, spec: CheckSpec, settings: Settings, rows: int
) -> dg.AssetCheckResult:
    """One Great Expectations suite on a candidate raw table (`audit.<table>`, not yet
    published) of `rows` records, read from the warehouse (quality/suite_frames.py says
    why)."""
    severity = dg.AssetCheckSeverity.ERROR if spec.blocking else dg.AssetCheckSeverity.WARN
    key = check_key(connector, table, spec)
    if rows == 0 and not connector.metadata.required:
        return dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=True,
            severity=severity,
            description=f"optional source {connector.key} absent: nothing to check",
            metadata={"absent": True},
        )
    name = connector.table_name(table)
    checked = suite_frames.read_suite_frame(settings.duckdb_path, AUDIT_SCHEMA, name, spec)
    params = spec.parameters() if spec.parameters else None
    return check_result_from_suite(gx_runner.run_suite(spec.suite, checked, params), severity, key)


def build_raw_asset(connector: Connector) -> dg.AssetsDefinition:
    """Write-audit-publish: each table is parsed, written to `audit.<table>`, checked by its
    Great Expectations suites there, and swapped into `raw.<table>` only when every
    blocking suite passes. A failing gate leaves the previous raw table serving (the
    materialisation says so: `published: false`) and blocks everything downstream."""
    meta = connector.metadata
    specs = [
        dg.AssetSpec(
            key=raw_key(connector, table),
            group_name="sources",
            kinds={"polars", "duckdb", "great_expectations"},
            owners=[source_owner(meta)],
            description=f"{table.description}\n\n{meta.describe()}",
            metadata={
                "publisher": meta.publisher,
                "licence": meta.licence,
                "official_url": dg.MetadataValue.url(meta.official_url),
                "required": meta.required,
            },
        )
        for table in connector.tables
    ]
    if connector.scoped:
        # The areas in scope are read off the FHRS premises, so FHRS comes first.
        specs = [spec.replace_attributes(deps=[SCOPE_SOURCE]) for spec in specs]
    check_specs = [
        dg.AssetCheckSpec(
            name=spec.name,
            asset=raw_key(connector, table),
            blocking=spec.blocking,
            description=f"Great Expectations suite {spec.suite}: {spec.description}",
        )
        for table in connector.tables
        for spec in table.checks
    ]

    @dg.multi_asset(
        name=f"raw_{connector.key}",
        specs=specs,
        check_specs=check_specs,
        code_version=f"{connector.key}-2",
    )
    def _raw(context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]):
        try:
            acquired = acquire(connector, settings, context.log.info)
            if acquired.absent:
                context.log.warning(
                    f"{connector.key}: optional source absent; its tables are written empty"
                )
            else:
                context.log.info(
                    f"{connector.key}: {len(acquired.files)} file(s) of vintage {acquired.vintage}"
                )
            decision = versioning.plan(context, settings, inputs=_inputs(acquired))
            if not decision.recompute:
                # Unchanged files (by sha256) and code: nothing is parsed or published again.
                yield from versioning.skipped_results(
                    context,
                    decision,
                    {
                        raw_key(connector, t): {
                            **_published_metadata(settings, connector.table_name(t), acquired),
                            **_acquired_metadata(acquired, settings, connector),
                        }
                        for t in connector.tables
                    },
                )
                return
            paths = [f.path for f in acquired.files]
            if connector.scoped:
                scope = area_scope(settings)
                if scope.postcode_districts is not None:
                    context.log.info(
                        f"{connector.key}: keeping the {len(scope.postcode_districts)} postcode "
                        "districts of the FHRS premises in HEYRICK_AREAS"
                    )
                parsed = connector.parse(paths, scope)
            else:
                parsed = connector.parse(paths)
        except SourceError as exc:
            # Nothing is written: the last good raw tables stay as they were.
            raise failure_from_source_error(exc, settings) from exc
        for note in parsed.notes:
            context.log.warning(f"{connector.key}: {note}")
        for table in connector.tables:
            # Taken out of the parse result, so that the frame is freed before the checks
            # run (they read the candidate back: quality/suite_frames.py).
            frame = parsed.tables.pop(table.name)
            name = connector.table_name(table)
            key = raw_key(connector, table)
            warehouse.replace_table(settings.duckdb_path, AUDIT_SCHEMA, name, frame)
            rows = frame.height
            last_updated = {} if acquired.synthetic else _last_updated(frame)
            acquired_metadata = _acquired_metadata(acquired, settings, connector, frame)
            preview = preview_markdown(frame)
            del frame
            results = [run_check(connector, table, spec, settings, rows) for spec in table.checks]
            blocked = [r.check_name for r in results if not r.passed and _blocks(r)]
            if blocked:
                context.log.error(
                    f"{connector.key}: {name} failed {', '.join(blocked)}; the previous "
                    f"raw.{name} still serves and the candidate stays in {AUDIT_SCHEMA}.{name}"
                )
            else:
                # Its data version is recorded in the publishing transaction.
                warehouse.publish_table(
                    settings.duckdb_path,
                    AUDIT_SCHEMA,
                    RAW_SCHEMA,
                    name,
                    versioning.versions(context, decision, [key], results),
                )
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": rows,
                    # The sample is a frozen snapshot (its files carry a fixed extract
                    # date), so its freshness is measured from the ingest, as Dagster does
                    # by default; real data are measured from their own vintage.
                    **last_updated,
                    "published": not blocked,
                    **acquired_metadata,
                    "notes": dg.MetadataValue.json(parsed.notes),
                    "preview": dg.MetadataValue.md(preview),
                    **decision.metadata(),
                },
                data_version=None if blocked else versioning.data_version(decision, key),
            )
            yield from results

    return _raw


def _inputs(acquired: Acquired) -> dict[str, str]:
    """What a raw asset reads: its files by sha256, and the vintage stamped on every row."""
    return {
        "vintage": acquired.vintage,
        "synthetic": str(acquired.synthetic),
        **{f"file:{f.path.name}": f.sha256 for f in acquired.files},
    }


def _acquired_metadata(
    acquired: Acquired, settings: Settings, connector: Connector, frame: pl.DataFrame | None = None
) -> dict:
    """The files behind a raw table (with the rows each gave, when it was parsed)."""
    files = (
        files_markdown(acquired.files, frame)
        if frame is not None
        else "\n".join(["| file | sha256 |", "|---|---|"])
        + "".join(f"\n| {f.path.name} | `{f.sha256[:16]}…` |" for f in acquired.files)
    )
    return {
        "vintage": acquired.vintage,
        "synthetic": acquired.synthetic,
        "absent": acquired.absent,
        "files": dg.MetadataValue.md(files),
        # Content-addressed raw store: files whose sha256 was already stored were not
        # written again.
        "files_reused": sum(f.reused for f in acquired.files),
        "raw_folder": dg.MetadataValue.path(
            str(settings.raw_dir / connector.key / acquired.vintage)
        ),
    }


def _published_metadata(settings: Settings, name: str, acquired: Acquired) -> dict:
    """Rows and last update of a published raw table that was not recomputed, so that its
    freshness is still measured from the data's own vintage."""
    published = warehouse.query(
        settings.duckdb_path,
        f"select count(*) as n, max(_vintage) as _vintage from {RAW_SCHEMA}.{name}",
    )
    last = {} if acquired.synthetic else _last_updated(published.filter(published["n"] > 0))
    return {"dagster/row_count": int(published["n"][0]), **last}


def _last_updated(frame: pl.DataFrame) -> dict:
    """When the publisher last updated the data: the newest `_vintage` of the table, so
    the freshness checks measure the source, not how recently Heyrick ingested it."""
    if frame.is_empty() or "_vintage" not in frame.columns:
        return {}
    newest = frame["_vintage"].max()
    stamp = datetime.combine(newest, time.min, tzinfo=UTC).timestamp()
    return {"dagster/last_updated_timestamp": dg.MetadataValue.timestamp(stamp)}


def _blocks(result: dg.AssetCheckResult) -> bool:
    return result.severity == dg.AssetCheckSeverity.ERROR


assets = [build_raw_asset(c) for c in CONNECTORS]
