"""The section of a quality report about one dataset, as document blocks.

The same blocks make a dataset's part of its publisher's report and what
`heyrick check SOURCE FILE` prints for one file, so a publisher who checks a file
before publishing it reads exactly what the report will say after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from heyrick_dagster.quality.gx_runner import ExpectationOutcome
from heyrick_dagster.reports.assessment import DatasetAssessment, SuiteResult
from heyrick_dagster.reports.data_docs import DataDocs
from heyrick_dagster.reports.document import (
    Block,
    BulletList,
    Callout,
    Code,
    Details,
    Heading,
    Inline,
    Link,
    Paragraph,
    Strong,
    Table,
)
from heyrick_dagster.reports.findings import (
    ACCURACY,
    USEFULNESS,
    Example,
    Finding,
    format_rate,
)
from heyrick_dagster.reports.history import expectation_change, expectation_keys, finding_change
from heyrick_dagster.reports.rules import BY_TABLE

MAX_FILES_LISTED = 12

CATEGORY_HEADINGS = {
    ACCURACY: (
        "Accuracy: what the data get wrong",
        "Values that are wrong or contradict themselves: malformed, out of range, "
        "duplicated, or unknown to the reference data.",
    ),
    USEFULNESS: (
        "Usefulness: what would make the data more useful",
        "Values that are missing, old or in a form users must clean before use.",
    ),
}


def dataset_blocks(
    a: DatasetAssessment,
    previous_run: dict[str, Any] | None = None,
    docs: DataDocs | None = None,
    level: int = 2,
) -> list[Block]:
    noun = BY_TABLE[a.table].noun if a.table in BY_TABLE else "records"
    blocks: list[Block] = [Heading(level, f"{a.title} (raw.{a.table})", anchor=a.table)]
    if a.synthetic:
        blocks.append(
            Callout("synthetic", "generated sample data in the publisher's format, not theirs.")
        )
    if a.candidate:
        blocks.append(
            Callout(
                "warning",
                [
                    Strong("This run's data were not published. "),
                    f"A blocking quality gate failed, so raw.{a.table} still serves the "
                    f"previous version; the figures below describe the rejected candidate "
                    f"(audit.{a.table}).",
                ],
            )
        )
    if a.absent:
        blocks.append(Paragraph("No file for this optional source in this run: nothing to check."))
        return blocks
    vintage = a.vintage.isoformat() if a.vintage else "unknown"
    blocks.append(
        Paragraph(
            [
                f"{a.rows:,} {noun} from {len(a.files)} file(s), dated {vintage}. Verdict: ",
                Strong(a.verdict),
                ".",
            ]
        )
    )
    if a.files:
        shown = a.files[:MAX_FILES_LISTED]
        rows = [[Code(name), f"{n:,}"] for name, n in shown]
        if len(a.files) > len(shown):
            rows.append([f"and {len(a.files) - len(shown)} more files", ""])
        blocks.append(Table(["file", noun], rows, numeric=frozenset({1})))
    for category in (ACCURACY, USEFULNESS):
        blocks += _category_blocks(a, category, previous_run, level + 1)
    blocks += _passed_blocks(a, level + 1)
    blocks += suite_blocks(a, previous_run, docs, level + 1)
    return blocks


def _category_blocks(
    a: DatasetAssessment, category: str, previous_run: dict | None, level: int
) -> list[Block]:
    title, explanation = CATEGORY_HEADINGS[category]
    issues = sorted(a.issues(category), key=lambda f: (-(f.rate or 0), f.title))
    blocks: list[Block] = [Heading(level, title)]
    if not issues:
        blocks.append(Paragraph(f"No {category} issues found."))
        return blocks
    blocks.append(Paragraph(explanation))
    blocks.append(
        Table(
            ["finding", "dimension", "column", "failing", "of", "rate", "since last run"],
            [
                [
                    Link(f.title, f"#{_anchor(f)}"),
                    f.dimension,
                    Code(f.column) if f.column else "",
                    f"{f.failing:,}",
                    f"{f.total:,}",
                    format_rate(f.rate),
                    finding_change(f, previous_run),
                ]
                for f in issues
            ],
            numeric=frozenset({3, 4, 5}),
        )
    )
    blocks += [finding_details(f) for f in issues]
    return blocks


def finding_details(f: Finding) -> Details:
    where: list = [f"column {f.column}" if f.column else "the whole file"]
    if f.by_file:
        listed = ", ".join(f"{name} ({n:,})" for name, n in f.by_file)
        where.append(f"; in files {listed}")
    blocks: list[Block] = [
        BulletList(
            [
                [Strong("What is wrong: "), f.what],
                [Strong("Where: "), *where],
                [Strong("Why it matters: "), f.why],
                [Strong("How to fix: "), f.fix],
            ]
        ),
    ]
    if f.examples:
        blocks += [Paragraph("Failing records:"), examples_table(f.examples)]
    summary = f"{f.title}: {f.failing:,} of {f.total:,} ({format_rate(f.rate)})"
    return Details(summary, blocks, anchor=_anchor(f))


def examples_table(examples: Sequence[Example]) -> Table:
    columns = list(dict.fromkeys(c for e in examples for c in e.values))
    return Table(
        ["file", "row", *columns],
        [
            [
                Code(e.file) if e.file else "",
                f"{e.row:,}" if e.row is not None else "",
                *[_value(e.values.get(c)) for c in columns],
            ]
            for e in examples
        ],
        numeric=frozenset({1}),
    )


def _passed_blocks(a: DatasetAssessment, level: int) -> list[Block]:
    passed = [f for f in a.findings if f.checked and not f.is_issue]
    unchecked = [f for f in a.findings if not f.checked]
    if not passed and not unchecked:
        return []
    items: list[Inline] = [[Strong(f"{f.title}: "), f.what] for f in passed]
    items += [[Strong(f"{f.title}: "), f.what] for f in unchecked]
    return [Heading(level, "Checks with nothing to report"), BulletList(items)]


def suite_blocks(
    a: DatasetAssessment, previous_run: dict | None, docs: DataDocs | None, level: int
) -> list[Block]:
    if not a.suites:
        return []
    blocks: list[Block] = [
        Heading(level, "Great Expectations suites"),
        Paragraph(
            "The gates the pipeline applies to this table. A failed blocking suite stops "
            "the table from being published; a warning suite only reports."
        ),
    ]
    for s in a.suites:
        blocks += _suite(s, previous_run, docs)
    return blocks


def _suite(s: SuiteResult, previous_run: dict | None, docs: DataDocs | None) -> list[Block]:
    kind = "blocking" if s.blocking else "warning only"
    head: list = [Strong(s.outcome.summary()), f" ({kind}; Dagster check {s.check})"]
    if docs is not None and docs.built:
        if s.suite in docs.expectations:
            head += [" · ", Link("suite in Data Docs", docs.expectations[s.suite])]
        if s.suite in docs.validations:
            head += [" · ", Link("this run's validation", docs.validations[s.suite])]
    keys = expectation_keys(s.outcome)
    rows = [
        [
            _result(o),
            o.severity,
            Code(o.expectation),
            Code(o.column) if o.column else "",
            o.description,
            expectation_change(key, o, previous_run),
        ]
        for key, o in zip(keys, s.outcome.outcomes, strict=True)
    ]
    blocks: list[Block] = [
        Paragraph(head),
        Table(["result", "severity", "expectation", "column", "detail", "since last run"], rows),
    ]
    for o, located in zip(s.outcome.outcomes, s.located, strict=True):
        if located:
            blocks.append(
                Details(
                    f"Records failing {o.expectation} on {o.column}",
                    [examples_table(located)],
                )
            )
    return blocks


def _result(o: ExpectationOutcome) -> str:
    if o.success:
        return "pass"
    return "FAIL" if o.severity == "error" else "WARN"


def _anchor(f: Finding) -> str:
    return f.id.replace(":", "--")


def _value(value: Any) -> Inline:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        # Invisible characters (a zero-width space copied from a web page) shown escaped.
        return Code(value if value.isprintable() else ascii(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # ids and codes: no thousands separators
