"""One dataset assessed: its findings, its Great Expectations suites, its verdict.

The suites are the same committed suites the raw assets run as blocking checks
(`Connector.tables[*].checks`), rerun here on the frame being reported: cheap, and
free of Dagster's event log. Great Expectations hands back failing *values*; this
module finds the records that hold them, so that every failure is shown with the file
and row it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from heyrick_dagster.quality import gx_runner
from heyrick_dagster.reports.findings import (
    ACCURACY,
    USEFULNESS,
    Example,
    Finding,
    Reference,
    evaluate,
    examples,
    file_name,
    lineage_columns,
)
from heyrick_dagster.reports.rules import BY_TABLE
from heyrick_dagster.sources.base import CheckSpec, Connector, RawTable

if TYPE_CHECKING:
    import pandas

BLOCKED = "failed a blocking gate"
ACCURACY_ISSUES = "accuracy issues"
GAPS = "usable, with gaps"
CLEAN = "no issues found"
ABSENT = "absent (optional source, no file)"
VERDICTS = (BLOCKED, ACCURACY_ISSUES, GAPS, CLEAN, ABSENT)  # worst first

_NOT_NULL = "expect_column_values_to_not_be_null"


@dataclass(frozen=True)
class SuiteResult:
    check: str  # the Dagster check's name, "passes_quality_suite"
    suite: str
    blocking: bool
    outcome: gx_runner.SuiteOutcome
    # For each outcome (same order): failing records with their file and row.
    located: tuple[tuple[Example, ...], ...]


@dataclass(frozen=True)
class DatasetAssessment:
    source: str  # connector key
    table: str  # raw table name
    title: str
    rows: int
    vintage: dt.date | None
    files: tuple[tuple[str, int], ...]  # file name, records
    findings: tuple[Finding, ...]
    suites: tuple[SuiteResult, ...]
    synthetic: bool
    absent: bool = False
    # True when the table reported is the candidate a blocking gate kept out of raw.
    candidate: bool = False

    def issues(self, category: str) -> list[Finding]:
        return [f for f in self.findings if f.category == category and f.is_issue]

    @property
    def verdict(self) -> str:
        if self.absent:
            return ABSENT
        if any(s.blocking and not s.outcome.success for s in self.suites):
            return BLOCKED
        if self.issues(ACCURACY):
            return ACCURACY_ISSUES
        if self.issues(USEFULNESS):
            return GAPS
        return CLEAN


def worst(verdicts: list[str]) -> str:
    present = [v for v in verdicts if v != ABSENT]
    if not present:
        return ABSENT
    return min(present, key=VERDICTS.index)


def assess_dataset(
    connector: Connector,
    table: RawTable,
    frame: pl.DataFrame,
    ref: Reference,
    *,
    synthetic: bool,
    candidate: bool = False,
    absent: bool = False,
    run_suites: bool = True,
    validate: gx_runner.Validate | None = None,
) -> DatasetAssessment:
    """`absent`: an optional source with no file this run (nothing to check, nothing
    failed). A file given for checking is never absent, even when empty. `validate`: how
    the suites are validated (the quality report's Data Docs session keeps the results)."""
    name = connector.table_name(table)
    rules = BY_TABLE.get(name)
    findings: list[Finding] = []
    if rules is not None and not absent:
        findings = [
            evaluate(rule, frame, dataset=name, noun=rules.noun, keys=rules.keys, ref=ref)
            for rule in rules.rules
        ]
    suites = suite_results(connector, table, frame, validate) if run_suites and not absent else []
    vintage = frame["_vintage"].max() if "_vintage" in frame.columns and frame.height else None
    return DatasetAssessment(
        source=connector.key,
        table=name,
        title=connector.metadata.title,
        rows=frame.height,
        vintage=vintage,
        files=tuple(files_of(frame)),
        findings=tuple(findings),
        suites=tuple(suites),
        synthetic=synthetic,
        absent=absent,
        candidate=candidate,
    )


def files_of(frame: pl.DataFrame) -> list[tuple[str, int]]:
    lineage = lineage_columns(frame)
    if lineage is None or frame.is_empty():
        return []
    counts = frame.group_by(lineage[0]).len().sort(lineage[0])
    return [(file_name(f), n) for f, n in counts.iter_rows()]


def suite_results(
    connector: Connector,
    table: RawTable,
    frame: pl.DataFrame,
    validate: gx_runner.Validate | None = None,
) -> list[SuiteResult]:
    """Every suite declared for the table, run as the raw asset runs it."""

    def checked(spec: CheckSpec) -> pandas.DataFrame:
        if spec.frame:
            return spec.frame(frame.to_pandas())
        return frame.select(gx_runner.columns_read([spec.suite], frame.columns)).to_pandas()

    return run_suites(connector, table, checked, lambda: frame, validate)


def run_suites(
    connector: Connector,
    table: RawTable,
    checked: Callable[[CheckSpec], pandas.DataFrame],
    records: Callable[[], pl.DataFrame],
    validate: gx_runner.Validate | None = None,
) -> list[SuiteResult]:
    """Every suite declared for the table, on the frame `checked` gives for it; `records`
    gives the table's records, asked for only when a failure has examples to locate (the
    quality report reads both from the warehouse: quality/suite_frames.py says why)."""
    name = connector.table_name(table)
    keys = BY_TABLE[name].keys if name in BY_TABLE else ()
    out = []
    for spec in table.checks:
        params = spec.parameters() if spec.parameters else None
        outcome = gx_runner.run_suite(spec.suite, checked(spec), params, validate=validate)
        # A derived frame (counts per authority) has no records of the table to point at.
        located = (
            locate(outcome, records(), _id_columns(spec.suite), keys)
            if not spec.frame and _has_examples(outcome)
            else tuple(() for _ in outcome.outcomes)
        )
        out.append(SuiteResult(spec.name, spec.suite, spec.blocking, outcome, located))
    return out


def _has_examples(outcome: gx_runner.SuiteOutcome) -> bool:
    """Whether any failed expectation has examples, the only ones `locate` looks for."""
    return any(not o.success and o.examples for o in outcome.outcomes)


def _id_columns(suite: str) -> list[str]:
    return list((gx_runner.load_suite_json(suite).get("meta") or {}).get("id_columns", []))


def locate(
    outcome: gx_runner.SuiteOutcome,
    frame: pl.DataFrame,
    id_columns: list[str],
    keys: tuple[str, ...] = (),
) -> tuple[tuple[Example, ...], ...]:
    """The records behind each failed expectation's examples (values, or for a not-null
    expectation the ids of the rows missing the value)."""
    located = []
    for o in outcome.outcomes:
        rows = _failing_rows(o, frame, id_columns)
        if rows is None:
            located.append(())
            continue
        shown = [c for c in (*keys, *id_columns, o.column) if c and c in frame.columns]
        located.append(tuple(examples(rows, shown)))
    return tuple(located)


def _failing_rows(
    o: gx_runner.ExpectationOutcome, frame: pl.DataFrame, id_columns: list[str]
) -> pl.DataFrame | None:
    if o.success or not o.examples or o.column is None or o.column not in frame.columns:
        return None
    if o.expectation == _NOT_NULL:  # the examples are ids of the rows missing the value
        ids = [c for c in id_columns if c in frame.columns]
        if not ids:
            return None
        wanted = [e if isinstance(e, dict) else {ids[0]: e} for e in o.examples]
        key = pl.DataFrame(wanted).select(ids).cast({c: pl.String for c in ids})
        keyed = frame.with_columns([pl.col(c).cast(pl.String).alias(f"__id_{c}") for c in ids])
        matched = keyed.join(
            key.rename({c: f"__id_{c}" for c in ids}), on=[f"__id_{c}" for c in ids], how="semi"
        )
        return matched.filter(pl.col(o.column).is_null()).drop([f"__id_{c}" for c in ids])
    values = [str(v) for v in o.examples if not isinstance(v, (dict, list))]
    if not values:
        return None
    as_text = _text(pl.col(o.column), frame.schema[o.column])
    return frame.filter(as_text.is_in(values))


def _text(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("True")).otherwise(pl.lit("False"))
    return col.cast(pl.String)
