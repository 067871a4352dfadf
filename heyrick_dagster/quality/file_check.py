"""`heyrick check SOURCE FILE`: the pipeline's verdict on one file, before it is published.

A publisher runs this on their own file and gets exactly the gates the pipeline applies
(the parse, the ingest contract and every Great Expectations suite declared for the
source's tables) and, below the verdict, the same section its quality report will carry
for the data: findings with their failing records (file and row), why they matter and
how to fix them. Both are rendered by `heyrick_dagster.reports.dataset_section`.

Cross-source findings (postcodes unknown to the ONS directory, LSOAs the IMD does not
rank) need the reference tables of a previous run; without a warehouse they say
"not checked".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from heyrick_dagster.reports import html
from heyrick_dagster.reports.assessment import DatasetAssessment, assess_dataset
from heyrick_dagster.reports.dataset_section import dataset_blocks
from heyrick_dagster.reports.document import Block, Paragraph, to_markdown
from heyrick_dagster.reports.findings import Reference
from heyrick_dagster.sources.errors import SourceError
from heyrick_dagster.sources.registry import BY_KEY


@dataclass
class FileCheckReport:
    source: str
    file: Path
    rows: dict[str, int] = field(default_factory=dict)
    error: SourceError | None = None
    assessments: list[DatasetAssessment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reference: str = ""  # where the cross-source reference came from

    @property
    def passed(self) -> bool:
        return self.error is None and all(
            s.outcome.success for a in self.assessments for s in a.suites
        )

    def header(self) -> list[str]:
        verdict = "PASS" if self.passed else "FAIL"
        lines = [f"Heyrick check — source {self.source}, file {self.file}", f"Verdict: {verdict}"]
        if self.error is not None:
            return [*lines, "", "The file was not accepted:", f"  {self.error.describe()}"]
        lines.append("")
        for table, rows in self.rows.items():
            lines.append(f"Parsed {rows:,} records into {table}; the ingest contract passed.")
        lines += [f"Note: {n}" for n in self.notes]
        if self.reference:
            lines.append(f"Cross-source checks: {self.reference}")
        return lines

    def blocks(self) -> list[Block]:
        """The quality report's section for each table of the file."""
        return [b for a in self.assessments for b in dataset_blocks(a)]

    def render(self) -> str:
        text = "\n".join(self.header()) + "\n"
        if self.error is None and self.assessments:
            text += "\n" + to_markdown(self.blocks())
        return text

    def render_html(self) -> str:
        intro = [Paragraph(line) for line in self.header() if line]
        return html.page(f"Heyrick check: {self.file.name}", [*intro, *self.blocks()])


def check_file(
    source: str,
    path: Path,
    reference: Reference | None = None,
    reference_note: str = "",
) -> FileCheckReport:
    """Parse and assess one file. `reference` carries today's date and, when a warehouse is
    at hand, the postcode directory and IMD to check the file against."""
    if source not in BY_KEY:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(sorted(BY_KEY))}")
    connector = BY_KEY[source]
    reference = reference or Reference(today=dt.date.today())
    report = FileCheckReport(source=source, file=path, reference=reference_note)
    try:
        parsed = connector.parse([path])
    except SourceError as exc:
        report.error = exc
        return report
    report.notes = list(parsed.notes)
    for table in connector.tables:
        frame = parsed.tables[table.name]
        report.rows[connector.table_name(table)] = frame.height
        report.assessments.append(
            assess_dataset(connector, table, frame, reference, synthetic=False)
        )
    return report
