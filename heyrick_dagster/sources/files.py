"""What every connector checks about a file's bytes before reading them as its format.

The same faults reach every source, whatever its format: an empty file (a
download that wrote nothing), an HTML error or sign-in page saved under the data
file's name, a zip that is damaged or crafted to inflate without end, and text
re-saved in another encoding. Each is recognised here once and reported in the
same words, as a `ParseError` naming the source and the file.

Encodings. Every source Heyrick reads publishes UTF-8 (checked against the real
files in ../shared/data and the publishers' documentation; none publishes
Windows-1252), so `decode_text` accepts UTF-8, with or without a byte-order mark,
and refuses the rest: UTF-16 (what a spreadsheet program writes as "Unicode
text") by its byte-order mark or its NUL bytes, and anything else at its first
undecodable byte, which in practice is Windows-1252 ("£" as 0xA3).

Zip archives (Companies House and ONSPD zips, and XLSX/ODS workbooks, which are
zips) are opened through `open_zip_member` or checked with `check_archive`, which
refuse members that declare more than MAX_MEMBER_BYTES, archives that declare
more than MAX_ARCHIVE_BYTES in all, and members that inflate more than MAX_RATIO
times; a member that inflates beyond the size it declares is stopped there.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from heyrick_dagster.sources import zip_inflate
from heyrick_dagster.sources.errors import ParseError

HEAD_BYTES = 4096
# The largest real member is the Companies House one-file CSV, about 2.5 GB unzipped
# (the ONSPD CSV is about 1.3 GB): 8 GiB leaves room for growth and refuses a bomb.
MAX_MEMBER_BYTES = 8 << 30
MAX_ARCHIVE_BYTES = 8 << 30
# Real members inflate at most 17 times (measured: IMD File 1 sheets 12x, NRM content.xml
# 17x, Companies House and ONSPD CSVs about 5.5x); a zip bomb inflates a thousand times.
MAX_RATIO = 100
# Below this a member's ratio says nothing (a few repeated bytes compress 500 times) and
# its size can do no harm, so the ratio is not applied.
RATIO_APPLIES_FROM = 1 << 20

_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body")
_TAIL_BYTES = 1 << 16
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

RowOf = Callable[[str], int | None]


# --------------------------------------------------------------------------- sniffing


def sniff(
    path: Path,
    source: str,
    expected: str,
    *,
    file: str | None = None,
    html_ok: bool = False,
) -> bytes:
    """The first HEAD_BYTES of a file, once it is known not to be empty and (unless the
    format is HTML, `html_ok`) not an HTML page. `expected` names what the file should be
    ("FHRS XML", "the CSV"); `file` is the name for messages (default: the path)."""
    file = file or str(path)
    with Path(path).open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    require_not_empty(head, source, file)
    if not html_ok:
        require_not_html(head, source, file, expected)
    return head


def require_not_empty(head: bytes, source: str, file: str) -> None:
    """Refuse a file of no bytes, or of whitespace only (`head`: its first bytes)."""
    if not head:
        raise ParseError(source, file, "the file is empty (0 bytes)", hint="download it again")
    if not head.strip() and len(head) < HEAD_BYTES:
        raise ParseError(
            source,
            file,
            f"the file is empty ({len(head)} bytes of whitespace only)",
            hint="download it again",
        )


def looks_like_html(head: bytes) -> bool:
    """True for the start of an HTML page (an error, sign-in or maintenance page)."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith(_HTML_START):
        return True
    return start.startswith(b"<?xml") and b"<html" in start[:512]


def require_not_html(
    head: bytes, source: str, file: str, expected: str, what: str = "the file"
) -> None:
    """Refuse an HTML page served (with status 200) instead of the data file."""
    if looks_like_html(head):
        raise ParseError(
            source,
            file,
            f"{what} is an HTML page, not {expected}: an error page was served instead of the file",
            hint=f"it begins {head.lstrip()[:80].decode('utf-8', 'replace')!r}",
        )


# --------------------------------------------------------------------------- text


def require_not_utf16(head: bytes, source: str, file: str) -> None:
    """Refuse UTF-16 text: by its byte-order mark, or by NUL bytes in every other place
    (ASCII written as UTF-16 without a mark). UTF-8 text never holds NUL bytes."""
    marked = head.startswith(_UTF16_BOMS)
    sample = head[:HEAD_BYTES]
    unmarked = len(sample) >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) > 0.8 * (
        len(sample) // 2
    )
    if marked or unmarked:
        how = "a UTF-16 byte-order mark" if marked else "NUL bytes between the characters"
        raise ParseError(
            source,
            file,
            f"the text is UTF-16 ({how}), not UTF-8: the file was re-saved, e.g. as "
            "'Unicode text' by a spreadsheet program",
            hint="the publisher's file is UTF-8; fetch the original",
        )


def decode_text(
    data: bytes,
    source: str,
    file: str | Path,
    *,
    row_of: RowOf | None = None,
    first_line: int = 1,
) -> str:
    """UTF-8 text without its byte-order mark; a ParseError for any other encoding.

    The error names the line of the first undecodable byte and a row: `row_of(text
    before the byte)` when given (a CSV record, an HTML entry), else that line.
    `first_line` is the line number of `data`'s first line when it is one line of a
    longer file read line by line (only the first line can carry the mark)."""
    file = str(file)
    if first_line == 1:
        require_not_utf16(data, source, file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        line = first_line + before.count("\n")
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise ParseError(
            source,
            file,
            f"the text is not UTF-8 at line {line}, byte {column} of the line "
            f"(0x{data[exc.start]:02x}): the file was probably re-saved in another encoding "
            "such as Windows-1252",
            row=row_of(before) if row_of else line,
            hint="the publisher's file is UTF-8; fetch the original",
        ) from exc
    return text.removeprefix("\ufeff") if first_line == 1 else text


def csv_record_at(text: str) -> int:
    """The 1-based CSV record (header included) that `text`, a file's beginning, ends in:
    a quoted field may hold line breaks, so lines and records differ."""
    record, quoted = 1, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            record += 1
    return record


def require_whole_last_line(
    path: Path, source: str, file: str, n_fields: int, last_row: Callable[[], int | None]
) -> None:
    """Refuse a CSV whose last line has fewer fields than its header: the file was cut
    short (readers such as polars pad such a line with nulls instead of failing).
    `last_row()` numbers the last record for the message; it runs only on failure."""
    fields = _last_line_fields(path)
    if fields is not None and fields < n_fields:
        raise ParseError(
            source,
            file,
            f"the last line has {fields} of the header's {n_fields} fields: the file ends "
            "early (truncated)",
            row=last_row(),
            hint="download it again",
        )


def _last_line_fields(path: Path) -> int | None:
    """How many fields the last non-empty line has (None for a file of one line). Only
    the tail is read: directory files reach 1.3 GB."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read()
    lines = [line for line in tail.splitlines() if line.strip()]
    if len(lines) < 2 and size <= _TAIL_BYTES:
        return None
    text = lines[-1].decode("utf-8", "replace")
    return len(next(csv.reader([text]), []))


# --------------------------------------------------------------------------- zip archives


def check_members(archive: zipfile.ZipFile, source: str, file: str) -> list[zipfile.ZipInfo]:
    """The archive's members once their declared sizes and ratios are within the limits."""
    members = archive.infolist()
    total = 0
    for info in members:
        _check_member(info, source, file)
        total += info.file_size
    if total > MAX_ARCHIVE_BYTES:
        raise ParseError(
            source,
            file,
            f"the zip declares {total:,} bytes in all once unzipped, more than the limit of "
            f"{MAX_ARCHIVE_BYTES:,}: it is not a published file (a zip bomb?)",
        )
    return members


def _check_member(info: zipfile.ZipInfo, source: str, file: str) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise ParseError(
            source,
            file,
            f"the zip member {info.filename} declares {info.file_size:,} bytes unzipped, more "
            f"than the limit of {MAX_MEMBER_BYTES:,}: it is not a published file (a zip bomb?)",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_APPLIES_FROM and ratio > MAX_RATIO:
        raise ParseError(
            source,
            file,
            f"the zip member {info.filename} inflates {ratio:,.0f} times "
            f"({info.compress_size:,} to {info.file_size:,} bytes), more than the limit of "
            f"{MAX_RATIO}: published files inflate at most about 20 times (a zip bomb?)",
        )


def require_zip(path: Path, source: str, expected: str, *, file: str | None = None) -> None:
    """Refuse a file that is not a readable zip, saying whether it was cut short (a zip's
    directory is at its end) or is something else under a zip name."""
    if zipfile.is_zipfile(path):
        return
    file = file or str(path)
    head = sniff(path, source, expected, file=file)
    if head.startswith(b"PK\x03\x04"):
        raise ParseError(
            source,
            file,
            f"the file is {expected} cut short: the zip has no central directory",
            hint="the download was cut short; download it again",
        )
    raise ParseError(
        source,
        file,
        f"the file is not {expected} (not a zip archive): a file of another type under this name",
        hint=f"it begins {head[:40]!r}",
    )


def check_archive(
    path: Path, source: str, expected: str, member: str, *, file: str | None = None
) -> list[str]:
    """Check that a workbook (`expected`: "an XLSX workbook", "an ODS spreadsheet") is a
    zip holding `member` (xl/workbook.xml, content.xml), within the size limits, before a
    spreadsheet library inflates it. Returns the member names."""
    file = file or str(path)
    require_zip(path, source, expected, file=file)
    try:
        with zipfile.ZipFile(path) as archive:
            names = [m.filename for m in check_members(archive, source, file)]
    except zipfile.BadZipFile as exc:
        raise ParseError(source, file, f"the zip is damaged ({exc})") from exc
    if member not in names:
        raise ParseError(
            source,
            file,
            f"the zip has no {member} member, so it is not {expected} (members: {names[:6]})",
        )
    return names


@contextmanager
def open_zip_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, file: str
) -> Iterator[IO[bytes]]:
    """A buffered binary stream of one member, within the size limits: it stops, with a
    ParseError, where the member inflates beyond the size it declares (zipfile alone would
    quietly cut it there), and turns damage found while reading into a ParseError."""
    _check_member(info, source, file)
    try:
        raw = zip_inflate.member_reader(archive, info) or _zipfile_reader(archive, info)
    except zip_inflate.INFLATE_ERRORS as exc:
        raise _damaged(source, file, info, exc) from exc
    with raw, io.BufferedReader(_Guarded(raw, info, source, file), 1 << 20) as stream:
        yield stream


def _zipfile_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """zipfile's reader of a member zip_inflate does not read. zipfile stops at the
    declared size and then checks the CRC, so a member crafted with the CRC of its first
    bytes is cut there silently. Asked for one byte more, with the CRC checked by _Guarded
    instead, the guard sees a member that inflates further."""
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC
    return archive.open(probe)


class _Guarded(io.RawIOBase):
    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo, source: str, file: str):
        self._raw, self._info, self._source, self._file = raw, info, source, file
        self._done = 0
        self._crc = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._raw.read(len(buffer))
        except zip_inflate.INFLATE_ERRORS as exc:
            raise _damaged(self._source, self._file, self._info, exc) from exc
        self._done += len(data)
        self._crc = zip_inflate.crc32(data, self._crc)
        if not data and self._crc != self._info.CRC:
            raise _damaged(self._source, self._file, self._info, "its CRC-32 does not match")
        if self._done > self._info.file_size:
            raise ParseError(
                self._source,
                self._file,
                f"the zip member {self._info.filename} inflates beyond the "
                f"{self._info.file_size:,} bytes it declares: the zip is damaged or crafted "
                "(a zip bomb?); reading stopped there",
            )
        buffer[: len(data)] = data
        return len(data)


def _damaged(source: str, file: str, info: zipfile.ZipInfo, exc: Exception | str) -> ParseError:
    return ParseError(
        source,
        file,
        f"the zip is damaged while reading {info.filename} ({exc})",
        hint="download it again",
    )
