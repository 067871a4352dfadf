"""Opening postcode-directory files without holding them in memory.

The ONSPD is a zip of about 240 MB holding one CSV of about 1.3 GB (or one CSV
per postcode area under `Data/multi_csv/`). A member is copied out of the zip
to a temporary file so that polars can scan it lazily and keep only the rows
in scope; the whole CSV is never read into memory. Errors name the source, the
file (`<zip>!<member>` for a zip member) and, where they can, the record.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from heyrick_dagster.sources.errors import ParseError

SOURCE = "postcodes"
# The single national file, or one file per postcode area (`..._UK_AB.csv`).
_SINGLE_MEMBER = re.compile(r"(?:^|/)Data/(?:ONSPD|NSPL)[^/]*_UK\.csv$", re.IGNORECASE)
_AREA_MEMBER = re.compile(r"(?:^|/)Data/multi_csv/(?:ONSPD|NSPL)[^/]*\.csv$", re.IGNORECASE)
_TAIL_BYTES = 1 << 16


def check_head(path: Path, file: str, head: bytes) -> None:
    """Empty files and HTML error pages, which every reader would misreport."""
    if not head:
        raise ParseError(SOURCE, file, "the file is empty (0 bytes)", hint="download it again")
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise ParseError(
            SOURCE,
            file,
            "the file is an HTML page, not postcode data: an error or sign-in page was served "
            "instead of the file",
            hint=f"it begins {head[:80].decode('utf-8', 'replace')!r}",
        )


def read_head(path: Path, n: int = 4096) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


@contextmanager
def csv_members(path: Path) -> Iterator[list[tuple[str, Path]]]:
    """The directory CSVs of a zip as (name for messages, temporary path), removed after use."""
    file = str(path)
    check_head(path, file, read_head(path))
    if not zipfile.is_zipfile(path):
        complete = read_head(path, 4).startswith(b"PK\x03\x04")
        raise ParseError(
            SOURCE,
            file,
            "the zip is incomplete (no central directory): the download was cut short"
            if complete
            else "the file is not a zip archive",
            hint="download it again",
        )
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory(prefix="heyrick-") as tmp:
        members = _directory_members(zf, file)
        extracted = []
        for n, member in enumerate(members):
            dest = Path(tmp) / f"{n}.csv"
            try:
                with zf.open(member) as src, dest.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise ParseError(
                    SOURCE,
                    f"{file}!{member}",
                    f"the zip member is damaged ({exc})",
                    hint="download it again",
                ) from exc
            extracted.append((f"{file}!{member}", dest))
        yield extracted


def _directory_members(zf: zipfile.ZipFile, file: str) -> list[str]:
    names = zf.namelist()
    single = [n for n in names if _SINGLE_MEMBER.search(n)]
    if single:
        return single[:1]
    areas = sorted(n for n in names if _AREA_MEMBER.search(n))
    if areas:
        return areas
    raise ParseError(
        SOURCE,
        file,
        "the zip holds no postcode directory CSV (expected Data/ONSPD_<MON>_<YEAR>_UK.csv or "
        f"Data/multi_csv/ONSPD_..._<AREA>.csv); it holds {names[:10]}",
    )


def read_header(path: Path, file: str) -> list[str]:
    """The header row, checked for encoding; a UTF-8 byte-order mark is dropped."""
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE, file, f"the header is not UTF-8 ({exc})") from exc
    return [h.strip() for h in next(csv.reader([text]), [])]


def last_line_fields(path: Path) -> int | None:
    """How many fields the last non-empty line has (None for a file of one line)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read()
    lines = [line for line in tail.splitlines() if line.strip()]
    if len(lines) < 2 and size <= _TAIL_BYTES:
        return None
    text = lines[-1].decode("utf-8", "replace")
    return len(next(csv.reader([text]), []))


def count_records(path: Path) -> int:
    """Data lines (the header not counted), read in blocks: polars' own count maps the
    whole file into memory."""
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1  # a last line without its line break
    return max(lines - 1, 0)


def first_bad_line(path: Path, n_fields: int) -> tuple[int, str] | None:
    """The first line that is not UTF-8 or has another number of fields than the header.

    Polars reports such faults without a position; this slower pass runs only after
    polars has failed, to tell the publisher where to look. Directory files have no
    quoted line breaks, so a line is a record.
    """
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, 1):
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError:
                return line_no, (
                    "the text is not UTF-8: the file was probably re-saved in another "
                    "encoding such as Windows-1252"
                )
            if not text.strip():
                continue
            fields = len(next(csv.reader([text]), []))
            if fields != n_fields:
                return line_no, f"the line has {fields} fields but the header has {n_fields}"
    return None
