"""`heyrick check SOURCE FILE`: the pipeline's verdict on one file, before it is published.

A publisher runs this on their own file and gets exactly the gates the
pipeline applies: the parse, the ingest contract and every Great Expectations
suite declared for the source's tables, as a readable report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from heyrick_dagster.quality import gx_runner
from heyrick_dagster.sources.errors import SourceError
from heyrick_dagster.sources.registry import BY_KEY


@dataclass
class FileCheckReport:
    source: str
    file: Path
    rows: dict[str, int] = field(default_factory=dict)
    error: SourceError | None = None
    suites: list[gx_runner.SuiteOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and all(s.success for s in self.suites)

    def render(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        lines = [
            f"Heyrick check — source {self.source}, file {self.file}",
            f"Verdict: {verdict}",
            "",
        ]
        if self.error is not None:
            lines += ["The file was not accepted:", f"  {self.error.describe()}"]
            return "\n".join(lines) + "\n"
        for table, rows in self.rows.items():
            lines.append(f"Parsed {rows:,} records into {table}; the ingest contract passed.")
        lines += [f"Note: {n}" for n in self.notes]
        for suite in self.suites:
            lines += ["", suite.to_markdown()]
        return "\n".join(lines) + "\n"


def check_file(source: str, path: Path) -> FileCheckReport:
    if source not in BY_KEY:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(sorted(BY_KEY))}")
    connector = BY_KEY[source]
    report = FileCheckReport(source=source, file=path)
    try:
        parsed = connector.parse([path])
    except SourceError as exc:
        report.error = exc
        return report
    report.notes = list(parsed.notes)
    for table in connector.tables:
        frame = parsed.tables[table.name]
        report.rows[connector.table_name(table)] = frame.height
        df = frame.to_pandas()
        for spec in table.checks:
            params = spec.parameters() if spec.parameters else None
            report.suites.append(
                gx_runner.run_suite(spec.suite, spec.frame(df) if spec.frame else df, params)
            )
    return report
