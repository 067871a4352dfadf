"""Errors raised by source connectors: each names the source, the file and the row.

The Dagster layer turns them into `dagster.Failure`; the CLI prints them. No
connector ever raises a bare exception about the data it read.
"""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """Bad input from a source. `row` is the 1-based record (or line) number when known."""

    def __init__(
        self,
        source: str,
        file: str | Path | None,
        message: str,
        row: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.file = str(file) if file is not None else None
        self.row = row
        self.message = message
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [f"source {self.source}"]
        if self.file:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        text = f"[{', '.join(where)}] {self.message}"
        if self.hint:
            text += f" Hint: {self.hint}"
        return text


class ParseError(SourceError):
    """The file is not in the published format (truncated, wrong root, wrong encoding...)."""


class ContractError(SourceError):
    """The file parsed but its records break the ingest contract (pandera)."""

    def __init__(self, source, file, message, row=None, hint=None, failures=None) -> None:
        # `failures`: the first failing rows as a small list of dicts, for metadata and reports.
        self.failures = failures or []
        super().__init__(source, file, message, row=row, hint=hint)


class FetchError(SourceError):
    """The official address could not be fetched after retries."""
