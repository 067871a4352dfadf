"""Data-owner quality reports: one per publisher, as HTML and Markdown, after every run.

`write_quality_reports` reads every source's table from the warehouse (the rejected
candidate in `audit.` when a blocking gate kept it out of `raw.`, else the published
`raw.` table), assesses each (findings, Great Expectations suites, failing records with
file and row), builds the GX Data Docs, and writes for each publisher
`<reports>/quality/<publisher>.md`, `.html` and `.history.json`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from heyrick_dagster import memory, warehouse
from heyrick_dagster.quality import gx_runner, suite_frames
from heyrick_dagster.reports import data_docs, history, html
from heyrick_dagster.reports.assessment import (
    DatasetAssessment,
    assess_dataset,
    run_suites,
    worst,
)
from heyrick_dagster.reports.dataset_section import dataset_blocks
from heyrick_dagster.reports.document import (
    Block,
    Callout,
    Code,
    Heading,
    Link,
    Paragraph,
    Strong,
    Table,
    to_markdown,
)
from heyrick_dagster.reports.findings import (
    ACCURACY,
    USEFULNESS,
    PostcodeDirectory,
    Reference,
)
from heyrick_dagster.reports.publishers import Publisher, publishers
from heyrick_dagster.sources.registry import BY_KEY, CONNECTORS

RAW = "raw"
AUDIT = "audit"  # where write-audit-publish leaves a candidate that failed its gate
POSTCODES_TABLE = "postcodes__postcodes"
IMD_TABLE = "imd__lsoa_deprivation"


@dataclass(frozen=True)
class LoadedTable:
    source: str
    table: str  # raw table name
    frame: pl.DataFrame
    candidate: bool  # read from audit.<table>: the latest run's rejected candidate


@dataclass(frozen=True)
class PublisherReport:
    publisher: Publisher
    assessments: tuple[DatasetAssessment, ...]
    generated_at: dt.datetime
    mode: str
    synthetic: bool
    previous_run: dict[str, Any] | None = None
    docs: data_docs.DataDocs | None = None

    @property
    def verdict(self) -> str:
        return worst([a.verdict for a in self.assessments])

    def count(self, category: str) -> int:
        return sum(len(a.issues(category)) for a in self.assessments)

    @property
    def failed_suites(self) -> int:
        return sum(1 for a in self.assessments for s in a.suites if s.outcome.failures())


@dataclass(frozen=True)
class WrittenReport:
    report: PublisherReport
    markdown: Path
    html: Path
    history: Path


@dataclass(frozen=True)
class QualityRun:
    reports: tuple[WrittenReport, ...]
    docs: data_docs.DataDocs

    def summary_markdown(self) -> str:
        return to_markdown([summary_table(self.reports)])


# --------------------------------------------------------------------------- reading


def load_tables(duckdb_path: Path, only: Sequence[str] | None = None) -> dict[str, LoadedTable]:
    """Each source table the warehouse holds (or those named in `only`), by raw table name;
    a table never loaded is left out. All in memory at once: the reports read them one by
    one (`iter_tables`)."""
    return {t.table: t for t in iter_tables(duckdb_path, only)}


def iter_tables(duckdb_path: Path, only: Sequence[str] | None = None) -> Iterator[LoadedTable]:
    """`load_tables`, one table at a time: a national warehouse's raw tables (5.4M PSC
    records, 3.4M rating-history rows, 2.6M postcodes...) held at once took ~8 GB."""
    for source, name, schema in _sources_present(duckdb_path, only):
        # No local name for the frame: the generator would hold it, suspended at the
        # yield, while the caller has done with it and reads the next table.
        yield LoadedTable(source, name, _read(duckdb_path, schema, name), schema == AUDIT)


def _read(duckdb_path: Path, schema: str, name: str) -> pl.DataFrame:
    with warehouse.connect(duckdb_path, read_only=True) as con:
        return con.sql(f"select * from {schema}.{name}").pl()


def _sources_present(duckdb_path: Path, only: Sequence[str] | None) -> list[tuple[str, str, str]]:
    """(source, raw table name, schema to read it from) of every source table present, in the
    registry's order: the rejected candidate in audit when there is one, else raw."""
    with warehouse.connect(duckdb_path, read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in (?, ?)",
            [RAW, AUDIT],
        ).fetchall()
    present = {r[0] for r in rows}
    found = []
    for connector in CONNECTORS:
        for table in connector.tables:
            name = connector.table_name(table)
            if only is not None and name not in only:
                continue
            for schema in (AUDIT, RAW):
                if f"{schema}.{name}" in present:
                    found.append((connector.key, name, schema))
                    break
    return found


def reference_from(tables: dict[str, LoadedTable], today: dt.date) -> Reference:
    postcodes = tables.get(POSTCODES_TABLE)
    imd = tables.get(IMD_TABLE)
    return Reference(
        today=today,
        directory=PostcodeDirectory.from_raw(postcodes.frame) if postcodes else None,
        imd_lsoas=frozenset(imd.frame["lsoa_code"].drop_nulls()) if imd else None,
    )


def reference_from_warehouse(duckdb_path: Path, today: dt.date) -> tuple[Reference, str]:
    """The cross-source reference for a single file (`heyrick check`): the postcode
    directory and IMD of the last run when a warehouse is at hand, and a sentence saying
    what was used. A warehouse that cannot be read costs the cross-source checks only."""
    if not duckdb_path.exists():
        return Reference(today=today), (
            f"not run: no warehouse at {duckdb_path} to take the ONS postcode directory "
            "and the IMD from (run `heyrick run` first, or pass --warehouse)"
        )
    try:
        tables = load_tables(duckdb_path, only=(POSTCODES_TABLE, IMD_TABLE))
    except duckdb.Error as exc:
        reason = " ".join(str(exc).split())
        return Reference(today=today), (
            f"not run: the warehouse at {duckdb_path} could not be read ({reason})"
        )
    ref = reference_from(tables, today)
    postcodes = ref.directory.size if ref.directory else 0
    lsoas = len(ref.imd_lsoas or ())
    return ref, (
        f"against the ONS postcode directory ({postcodes:,} postcodes) and the IMD "
        f"({lsoas:,} LSOAs) of the warehouse at {duckdb_path}"
    )


def assess_table(
    loaded: LoadedTable,
    ref: Reference,
    *,
    synthetic: bool,
    run_suites: bool = True,
    validate: gx_runner.Validate | None = None,
) -> DatasetAssessment:
    connector = BY_KEY[loaded.source]
    table = next(t for t in connector.tables if connector.table_name(t) == loaded.table)
    return assess_dataset(
        connector,
        table,
        loaded.frame,
        ref,
        synthetic=synthetic,
        candidate=loaded.candidate,
        absent=loaded.frame.is_empty() and not connector.metadata.required,
        run_suites=run_suites,
        validate=validate,
    )


# --------------------------------------------------------------------------- writing


def write_quality_reports(
    duckdb_path: Path,
    out_dir: Path,
    *,
    mode: str,
    synthetic: bool,
    now: dt.datetime | None = None,
    build_docs: bool = True,
) -> QualityRun:
    """Table by table (read, assessed, released), then the Data Docs from the suites'
    results: each suite is validated once, for the report and the site alike."""
    now = now or dt.datetime.now().astimezone()
    ref = reference_from(load_tables(duckdb_path, only=(POSTCODES_TABLE, IMD_TABLE)), now.date())
    out_dir.mkdir(parents=True, exist_ok=True)
    if build_docs:
        with data_docs.session(out_dir / "data_docs") as docs_session:
            assessments = _assess_all(duckdb_path, ref, synthetic, docs_session.validate)
            docs = docs_session.build()
    else:
        assessments = _assess_all(duckdb_path, ref, synthetic, None)
        docs = data_docs.DataDocs(reason="not built in this run (build_docs=False)")
    written = []
    for publisher in publishers():
        mine = tuple(a for a in assessments if a.source in publisher.sources)
        if not mine:
            continue
        history_path = out_dir / f"{publisher.slug}.history.json"
        runs = history.load(history_path)
        report = PublisherReport(
            publisher=publisher,
            assessments=mine,
            generated_at=now,
            mode=mode,
            synthetic=synthetic,
            previous_run=runs[-1] if runs else None,
            docs=docs,
        )
        blocks = publisher_blocks(report)
        md_path = out_dir / f"{publisher.slug}.md"
        html_path = out_dir / f"{publisher.slug}.html"
        md_path.write_text(to_markdown(blocks), encoding="utf-8")
        html_path.write_text(html.page(title(report), blocks), encoding="utf-8")
        history.append(
            history_path,
            publisher.slug,
            {
                "generated_at": now.isoformat(timespec="seconds"),
                "mode": mode,
                "synthetic": synthetic,
                "verdict": report.verdict,
                "figures": history.figures(mine),
            },
        )
        written.append(WrittenReport(report, md_path, html_path, history_path))
    return QualityRun(tuple(written), docs)


def _assess_all(
    duckdb_path: Path, ref: Reference, synthetic: bool, validate: gx_runner.Validate | None
) -> list[DatasetAssessment]:
    """Table by table, each released before the next is read: on a national warehouse the
    memory freed after a table (5.4M PSC records) otherwise still counted while the next
    was read and checked."""
    assessments = []
    for source, name, schema in _sources_present(duckdb_path, None):
        assessments.append(
            _assess_stored(duckdb_path, source, name, schema, ref, synthetic, validate)
        )
        memory.release()
    return assessments


def _assess_stored(
    duckdb_path: Path,
    source: str,
    name: str,
    schema: str,
    ref: Reference,
    synthetic: bool,
    validate: gx_runner.Validate | None,
) -> DatasetAssessment:
    """`assess_table` of a warehouse table, whose polars frame is let go before its
    suites run: each suite's frame is read from the table (quality/suite_frames.py), and
    the records again only if a failure has examples to locate. On the national sample
    the PSC table's frame (~2 GB) no longer sits beside GX's pandas frames."""
    loaded = LoadedTable(source, name, _read(duckdb_path, schema, name), schema == AUDIT)
    findings_only = assess_table(loaded, ref, synthetic=synthetic, run_suites=False)
    del loaded
    if findings_only.absent:
        return findings_only
    memory.release()
    connector = BY_KEY[source]
    table = next(t for t in connector.tables if connector.table_name(t) == name)
    suites = run_suites(
        connector,
        table,
        lambda spec: suite_frames.read_suite_frame(duckdb_path, schema, name, spec),
        lambda: _read(duckdb_path, schema, name),
        validate,
    )
    return dataclasses.replace(findings_only, suites=tuple(suites))


# --------------------------------------------------------------------------- the document


def title(report: PublisherReport) -> str:
    prefix = "SYNTHETIC SAMPLE — " if report.synthetic else ""
    return f"{prefix}Data quality report: {report.publisher.name}"


def publisher_blocks(report: PublisherReport) -> list[Block]:
    p = report.publisher
    contacts = sorted({BY_KEY[s].metadata.data_owner_contact for s in p.sources})
    blocks: list[Block] = [Heading(1, title(report))]
    if report.synthetic:
        blocks.append(
            Callout(
                "synthetic",
                [
                    "every figure and record below describes data Heyrick generated in the "
                    f"published format of {p.name}, not its real data. It shows what the "
                    "report looks like; it says nothing about the publisher.",
                ],
            )
        )
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    compared = (
        f"Changes are against the previous report of {report.previous_run['generated_at']}."
        if report.previous_run
        else "This is the first report: there is no earlier run to compare with."
    )
    blocks += [
        Paragraph(
            f"Generated {generated} by Heyrick (mode {report.mode}) from the tables of the "
            f"latest run. {compared}"
        ),
        Paragraph(
            "Each finding says what is wrong, where (file and row), why it matters for "
            "using the data, and how to fix it. As 360Giving's data-quality tool does, "
            "findings are sorted into accuracy (the data say something wrong) and "
            "usefulness (the data are right but harder to use than they need be)."
        ),
        Paragraph(["Data owner contact: ", "; ".join(contacts), "."]),
        Heading(2, "Summary"),
        _summary(report),
        Paragraph(
            [
                "Check a file before publishing it, with the same rules: ",
                Code(f"heyrick check {p.sources[0]} FILE"),
                " prints this report's section for that one file.",
            ]
        ),
    ]
    for a in report.assessments:
        blocks += dataset_blocks(a, report.previous_run, report.docs)
    blocks += _docs_blocks(report.docs)
    return blocks


def _summary(report: PublisherReport) -> Table:
    rows = []
    for a in report.assessments:
        suites_failed = sum(1 for s in a.suites if s.outcome.failures())
        rows.append(
            [
                Link(a.title, f"#{a.table}"),
                f"{a.rows:,}",
                a.vintage.isoformat() if a.vintage else "",
                Strong(a.verdict),
                str(len(a.issues(ACCURACY))),
                str(len(a.issues(USEFULNESS))),
                f"{suites_failed} of {len(a.suites)}",
            ]
        )
    return Table(
        [
            "dataset",
            "records",
            "dated",
            "verdict",
            "accuracy issues",
            "usefulness issues",
            "GX suites with failures",
        ],
        rows,
        numeric=frozenset({1, 4, 5}),
    )


def _docs_blocks(docs: data_docs.DataDocs | None) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Great Expectations Data Docs")]
    if docs is None or not docs.built:
        reason = docs.reason if docs else "not built"
        return [*blocks, Paragraph(f"Not available for this run: {reason}.")]
    return [
        *blocks,
        Paragraph(
            [
                "Every suite, as Great Expectations renders it: ",
                Link("Data Docs index", docs.index),
                " (links beside each suite above).",
            ]
        ),
        Callout("note", data_docs.CDN_NOTICE),
    ]


def summary_table(reports: Sequence[WrittenReport]) -> Table:
    """One row per publisher: the Dagster asset's Markdown preview."""
    return Table(
        [
            "publisher",
            "verdict",
            "accuracy issues",
            "usefulness issues",
            "GX suites with failures",
            "report",
        ],
        [
            [
                w.report.publisher.name,
                w.report.verdict,
                str(w.report.count(ACCURACY)),
                str(w.report.count(USEFULNESS)),
                str(w.report.failed_suites),
                Code(w.html.name),
            ]
            for w in reports
        ],
        numeric=frozenset({2, 3, 4}),
    )
