"""Opening postcode-directory files without holding them in memory.

The ONSPD is a zip of about 240 MB holding one CSV of about 1.3 GB (or one CSV
per postcode area under `Data/multi_csv/`). A plain member is read straight out of
the zip in blocks (postcodes.py); any other is copied out of the zip to a temporary
file so that polars can scan it lazily and keep only the rows in scope, and the
slower passes here can name its faulty line. The whole CSV is never read into
memory. Errors name the source, the file (`<zip>!<member>` for a zip member) and,
where they can, the record.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from heyrick_dagster.sources import files
from heyrick_dagster.sources.errors import ParseError

SOURCE = "postcodes"
# The single national file, or one file per postcode area (`..._UK_AB.csv`).
_SINGLE_MEMBER = re.compile(r"(?:^|/)Data/(?:ONSPD|NSPL)[^/]*_UK\.csv$", re.IGNORECASE)
_AREA_MEMBER = re.compile(r"(?:^|/)Data/multi_csv/(?:ONSPD|NSPL)[^/]*\.csv$", re.IGNORECASE)


def check_head(path: Path, file: str) -> None:
    """Empty files and HTML error pages, which every reader would misreport."""
    files.sniff(path, SOURCE, "postcode data", file=file)


@contextmanager
def directory_zip(path: Path) -> Iterator[tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]]:
    """The open zip and its directory CSV members, once the zip is known to be one."""
    file = str(path)
    check_head(path, file)
    files.require_zip(path, SOURCE, "a postcode directory zip", file=file)
    with zipfile.ZipFile(path) as zf:
        yield zf, _directory_members(zf, file)


@contextmanager
def extracted(zf: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> Iterator[Path]:
    """The member copied to a temporary file (removed after use), for polars to scan."""
    with tempfile.TemporaryDirectory(prefix="heyrick-") as tmp:
        dest = Path(tmp) / "member.csv"
        with files.open_zip_member(zf, member, SOURCE, name) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        yield dest


def _directory_members(zf: zipfile.ZipFile, file: str) -> list[zipfile.ZipInfo]:
    members = files.check_members(zf, SOURCE, file)
    names = [m.filename for m in members]
    single = [m for m in members if _SINGLE_MEMBER.search(m.filename)]
    if single:
        return single[:1]
    areas = sorted((m for m in members if _AREA_MEMBER.search(m.filename)), key=_name)
    if areas:
        return areas
    raise ParseError(
        SOURCE,
        file,
        "the zip holds no postcode directory CSV (expected Data/ONSPD_<MON>_<YEAR>_UK.csv or "
        f"Data/multi_csv/ONSPD_..._<AREA>.csv); it holds {names[:10]}",
    )


def _name(member: zipfile.ZipInfo) -> str:
    return member.filename


def read_header(path: Path, file: str) -> list[str]:
    """The header row, checked for encoding; a UTF-8 byte-order mark is dropped."""
    with path.open("rb") as fh:
        first = fh.readline()
    text = files.decode_text(first, SOURCE, file, row_of=lambda _: None)
    return [h.strip() for h in next(csv.reader([text]), [])]


@dataclass(frozen=True)
class Shape:
    """What one pass over a directory CSV's bytes counts."""

    records: int  # data lines, the header not counted
    commas: int
    quotes: int

    def every_line_has(self, n_fields: int) -> bool:
        """True when no field is quoted and the commas are exactly n_fields - 1 per line
        (header included). Then polars need only split the columns kept: a line with a
        field too many or too few would change the count (only a long and a short line
        that cancel out would pass unseen, where the latitude check still finds a line
        short by ten fields or more)."""
        return self.quotes == 0 and self.commas == (self.records + 1) * (n_fields - 1)


def measure(path: Path) -> Shape:
    """Lines, commas and quotes, read in blocks: polars' own count maps the whole file
    into memory."""
    lines = commas = quotes = 0
    last = b"\n"
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
            commas += block.count(b",")
            quotes += block.count(b'"')
            last = block[-1:]
    if last != b"\n":
        lines += 1  # a last line without its line break
    return Shape(max(lines - 1, 0), commas, quotes)


def count_records(path: Path) -> int:
    """Data lines (the header not counted)."""
    return measure(path).records


def first_bad_line(path: Path, file: str, n_fields: int) -> tuple[int, str] | None:
    """The first line with another number of fields than the header (a line that is not
    UTF-8 raises its ParseError here).

    Polars reports such faults without a position; this slower pass runs only after
    polars has failed, to tell the publisher where to look. Directory files have no
    quoted line breaks, so a line is a record.
    """
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, 1):
            # The row of a line is its data record: the header is line 1.
            text = files.decode_text(
                raw, SOURCE, file, first_line=line_no, row_of=lambda _, n=line_no: n - 1
            )
            if not text.strip():
                continue
            fields = len(next(csv.reader([text]), []))
            if fields != n_fields:
                return line_no, f"the line has {fields} fields but the header has {n_fields}"
    return None
