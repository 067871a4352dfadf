"""Files handed to people: CSV safe to open in a spreadsheet, Parquet as typed; both atomic.

CSV (formula injection, OWASP "CSV Injection"). A spreadsheet that opens a CSV evaluates a
cell that starts with `=`, `+`, `-` or `@` as a formula, and a leading tab or carriage return
can hide such a start. Heyrick's CSVs carry text published by others (FHRS business names,
penalty lists' liable parties and addresses), so a name such as `=HYPERLINK("http://x","y")`
would become a live link, or `+cmd|' /C calc'!A0` a command (DDE), on the analyst's machine.
Following OWASP's guidance, every TEXT cell starting with one of those characters gets a
leading apostrophe, which spreadsheets read as "this cell is text"; the cell is quoted by the
CSV writer when it holds a separator or quote, so a crafted value cannot open a new cell.

Numbers are left alone. A negative number held in a numeric column is written as `-3`, which
a spreadsheet reads as the number -3: a literal, nothing evaluated. The TEXT "-1+1" is another
matter: read as the formula -1+1 it shows 0, and the same door admits `-2+3+cmd|' /C calc'!A0`.
Text cannot be told safe by looking at it, so all text starting with `-` is neutralised, and
figures belong in numeric columns.

Parquet is typed: a string is a string to every reader, none evaluates it, so it is written
as is. Both formats are written to a temporary file beside the target and renamed over it, so
a reader never sees half a file and a failed export leaves the previous one in place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import polars as pl

# A first character a spreadsheet may read as the start of a formula (OWASP CSV Injection):
# =, +, -, @, tab, carriage return.
_FORMULA_START = "^[=+\\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would evaluate get a leading apostrophe.

    String, categorical and enum columns come back as strings (a CSV has no types anyway);
    every other column and every null are untouched.
    """
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ]
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as CSV with formulas neutralised, atomically. Returns `path`."""
    safe = neutralise_formulas(frame)
    return _write_atomically(path, lambda f: safe.write_csv(f))


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as Parquet, atomically and unchanged (Parquet is typed). Returns `path`."""
    return _write_atomically(path, lambda f: frame.write_parquet(f))


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, so the rename stays on one file system; `.part` is git-ignored.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
