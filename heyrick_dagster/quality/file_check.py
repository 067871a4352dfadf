"""`heyrick check SOURCE FILE`: the pipeline's verdict on one file, before it is published.

A publisher runs this on their own file and gets exactly the gates the
pipeline applies: the parse, the ingest contract and the Great Expectations
suites, as a readable report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from heyrick_dagster.quality import gx_runner
from heyrick_dagster.quality.fhrs_frames import establishments_per_authority
from heyrick_dagster.sources import fhrs
from heyrick_dagster.sources.errors import SourceError


@dataclass
class FileCheckReport:
    source: str
    file: Path
    rows: int | None = None
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
        lines.append(f"Parsed {self.rows:,} records; the ingest contract passed.")
        lines += [f"Note: {n}" for n in self.notes]
        for suite in self.suites:
            lines += ["", suite.to_markdown()]
        return "\n".join(lines) + "\n"


CHECKERS = {"fhrs"}


def check_file(source: str, path: Path, today: date | None = None) -> FileCheckReport:
    if source not in CHECKERS:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(sorted(CHECKERS))}")
    report = FileCheckReport(source=source, file=path)
    try:
        frame, parsed = fhrs.parse_files([path])
    except SourceError as exc:
        report.error = exc
        return report
    report.rows = frame.height
    for item in parsed:
        if item.unknown_fields:
            report.notes.append(f"fields not read by Heyrick: {item.unknown_fields}")
    df = frame.to_pandas()
    params = {"today": today or date.today()}
    report.suites = [
        gx_runner.run_suite("fhrs__establishments", df, params),
        gx_runner.run_suite("fhrs__establishments_per_authority", establishments_per_authority(df)),
        gx_runner.run_suite("fhrs__establishments_drift", df),
    ]
    return report
