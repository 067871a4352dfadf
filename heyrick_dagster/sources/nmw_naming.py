"""Department for Business and Trade: employers named for not paying the National Minimum Wage.

The naming scheme (formerly BIS, then BEIS) publishes employers in rounds of
about 25 to 525 on GOV.UK, collected at COLLECTION_URL. No real copy of any
round was available when this parser was written (../shared/data/PROVENANCE.md,
"Not found"): it follows the layouts seen in GOV.UK press pages and their copies.

Two published forms, both read here:
- a line per employer in an HTML body, in paragraphs or list items
  ("G1 Venues Ltd, trading as Arta Restaurant, Glasgow, neglected to pay
  £45,124.00 to 2895 workers"); the grammar and its variants are in
  `nmw_naming_lines`;
- since 2020, a table attached to the round's publication (CSV, XLSX, ODS or an
  HTML table) with columns such as "Employer name", "Trading name", "Location",
  "Postcode", "Arrears (£)", "Number of workers"; the accepted header names are
  in `nmw_naming_tables`.

Which round a file is: the round id ("2024-R1") and its date ("2024-02-20") are
read from the file name (`2024-R1_2024-02-20_<anything>.csv`, as the live fetch
and the sample write them). Without them, the date comes from the page itself
(`<meta name="govuk:first-published-at">` or `<time datetime>`, HTML only) and
the id is derived as `<year>-R<k>`, k being the date's rank among the distinct
round dates of that year in the same parse; a file with no date anywhere is
refused. One file per round: a second file for a round is an error.

`record_id` is `<round>#<n>`, n the 1-based position of the employer in the
round in document order. `_source_row` is that position for HTML files and the
1-based row of the sheet or CSV (title and header rows counted) for tables.
`_vintage` is the round's publication date.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import fastexcel
import pandera.polars as pa
import polars as pl
from lxml import etree
from pandera.engines.polars_engine import Decimal as PanderaDecimal

from heyrick_dagster.sources import files, http, raw_store
from heyrick_dagster.sources.base import CheckSpec, Connector, Emit, ParseResult, RawTable
from heyrick_dagster.sources.contract import RawContract, validate
from heyrick_dagster.sources.errors import ParseError
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.nmw_naming_lines import (
    Employer,
    EntryError,
    html_lines,
    html_meta_date,
    html_tables,
    html_title,
    looks_like_entry,
    parse_html,
    parse_line,
)
from heyrick_dagster.sources.nmw_naming_tables import LayoutError, RowError, TableRead, read_table

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

SOURCE = "nmw_naming"
TABLE = "named_employers"
GOVUK_BASE = "https://www.gov.uk"
COLLECTION_PATH = (
    "/government/collections/national-minimum-wage-and-national-living-wage-naming-scheme"
)
COLLECTION_URL = GOVUK_BASE + COLLECTION_PATH
# The naming scheme began in January 2011; an earlier round date is a misread date.
SCHEME_START = date(2011, 1, 1)

METADATA = SourceMetadata(
    key=SOURCE,
    title="National Minimum Wage and National Living Wage naming scheme",
    publisher="Department for Business and Trade (formerly BIS, then BEIS), with HMRC",
    licence="Open Government Licence v3.0",
    official_url=COLLECTION_URL,
    refresh_cadence="irregular rounds, a few a year (paused 2018-2020)",
    stale_after_days=240,  # about two rounds a year, irregular
    coverage="UK employers named after HMRC minimum-wage investigations, about 25 to 525 "
    "per round since October 2013: name, trading name, town, arrears and workers",
    data_owner_contact="Department for Business and Trade, Low Pay and Enforcement team "
    "(via the GOV.UK collection page); HMRC for the investigations",
    required=False,
)

FILE_PATTERNS = ("*.html", "*.htm", "*.csv", "*.xlsx", "*.ods")
_ROUND_IN_NAME = re.compile(r"(?<!\d)(\d{4}-R\d{1,2})(?!\d)")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
# What each file type should be, for messages about a file that is something else.
_EXPECTED = {
    ".html": "a GOV.UK page",
    ".htm": "a GOV.UK page",
    ".csv": "a CSV table",
    ".xlsx": "a spreadsheet",
    ".ods": "a spreadsheet",
}

# Money as published, to the penny: a float would not add pence exactly.
ARREARS_TYPE = pl.Decimal(12, 2)
FIELDS = [
    "round",
    "round_date",
    "employer_name",
    "trading_name",
    "location",
    "postcode",
    "arrears_gbp",
    "workers",
    "ceased_trading",
    "record_id",
]
LINEAGE_COLUMNS = ["_source_file", "_source_row", "_vintage"]
COLUMNS = FIELDS + LINEAGE_COLUMNS
SCHEMA: dict[str, pl.DataType] = {
    "round": pl.String,
    "round_date": pl.Date,
    "employer_name": pl.String,
    "trading_name": pl.String,
    "location": pl.String,
    "postcode": pl.String,
    "arrears_gbp": ARREARS_TYPE,
    "workers": pl.Int64,
    "ceased_trading": pl.Boolean,
    "record_id": pl.String,
    "_source_file": pl.String,
    "_source_row": pl.Int64,
    "_vintage": pl.Date,
}


class NamedEmployersContract(RawContract):
    """Structure, types and the ranges no published round can break. Key uniqueness and
    dates against the run date are the Great Expectations suite's job."""

    round: str = pa.Field(nullable=False, str_matches=r"^\d{4}-R\d{1,2}$")
    round_date: date = pa.Field(nullable=False)
    employer_name: str = pa.Field(nullable=False, str_length={"min_value": 1})
    trading_name: str = pa.Field(nullable=True)
    location: str = pa.Field(nullable=True)
    postcode: str = pa.Field(nullable=True)
    # pandera's own Decimal: a bare pl.Decimal annotation fails inside pandera 0.35.
    arrears_gbp: PanderaDecimal = pa.Field(
        nullable=False, gt=0, dtype_kwargs={"precision": 12, "scale": 2}
    )
    workers: int = pa.Field(nullable=False, ge=1)
    ceased_trading: bool = pa.Field(nullable=False)
    record_id: str = pa.Field(nullable=False)


@dataclass
class ReadFile:
    """One file's employers before its round is resolved."""

    path: Path
    records: list[tuple[int, Employer]]  # (_source_row, employer) in document order
    round_id: str | None
    round_date: date | None
    kind: str  # "lines" or "table"
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading files


def read_file(path: Path) -> ReadFile:
    """Employers of one published file, in document order; raise ParseError on bad input."""
    suffix = path.suffix.lower()
    if suffix not in _EXPECTED:
        raise ParseError(
            SOURCE,
            path,
            f"unknown file type {suffix!r}; expected one of {', '.join(FILE_PATTERNS)}",
        )
    is_html = suffix in (".html", ".htm")
    files.sniff(path, SOURCE, _EXPECTED[suffix], html_ok=is_html)
    round_id, round_date = _round_from_name(path)
    if is_html:
        text = files.decode_text(path.read_bytes(), SOURCE, path, row_of=_entry_at)
        return _read_html(path, text, round_id, round_date)
    if suffix == ".csv":
        text = files.decode_text(path.read_bytes(), SOURCE, path, row_of=files.csv_record_at)
        return _from_table(path, _csv_rows(path, text), round_id, round_date)
    return _from_table(path, _workbook_rows(path), round_id, round_date)


def _round_from_name(path: Path) -> tuple[str | None, date | None]:
    round_match = _ROUND_IN_NAME.search(path.name)
    date_match = _DATE_IN_NAME.search(path.name)
    round_date = None
    if date_match:
        try:
            round_date = date.fromisoformat(date_match.group(1))
        except ValueError as exc:
            raise ParseError(
                SOURCE, path, f"the date {date_match.group(1)!r} in the file name is not a date"
            ) from exc
    return (round_match.group(1) if round_match else None), round_date


def _entry_at(text: str) -> int:
    """The employer entry of an HTML page that `text`, the page's beginning, ends in."""
    return sum(1 for piece in text.split("\n") if looks_like_entry(piece)) + 1


def _csv_rows(path: Path, text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # e.g. NUL bytes from a binary file saved as .csv
        raise ParseError(
            SOURCE,
            path,
            f"the CSV cannot be read at line {reader.line_num} ({exc})",
            row=reader.line_num,
        ) from exc


def _read_html(path: Path, text: str, round_id: str | None, round_date: date | None) -> ReadFile:
    try:
        root = parse_html(text)
    except (ValueError, etree.LxmlError) as exc:  # e.g. a page of nothing but comments
        raise ParseError(SOURCE, path, f"the HTML cannot be read ({exc})") from exc
    records: list[tuple[int, Employer]] = []
    for line in html_lines(root):
        if not looks_like_entry(line.text):
            continue  # prose, navigation, bullet points about the round
        n = len(records) + 1
        try:
            records.append((n, parse_line(line.text)))
        except EntryError as exc:
            raise ParseError(
                SOURCE,
                path,
                f"employer {n} (line {line.line} of the file) is not in the published form: "
                f"{exc}; the line reads {line.text!r}",
                row=n,
            ) from exc
    round_date = round_date or _meta_date(path, root)
    if records:
        return ReadFile(path, records, round_id, round_date, "lines")
    for rows in html_tables(root):
        if _has_employer_header(rows):  # other tables (contacts, layout) are not the list
            return _from_table(path, rows, round_id, round_date)
    title = html_title(root)
    raise ParseError(
        SOURCE,
        path,
        "no employer lines ('<employer>, <town>, failed to pay £<arrears> to <n> workers') "
        "and no employer table were found" + (f"; the page title is {title!r}" if title else ""),
        hint="an error page or a page other than a naming round was saved under this name",
    )


def _meta_date(path: Path, root: etree._Element) -> date | None:
    value = html_meta_date(root)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ParseError(
            SOURCE, path, f"the page's publication date {value!r} is not a date"
        ) from exc


def _workbook_rows(path: Path) -> list[list[str | None]]:
    kind = "an XLSX workbook" if path.suffix.lower() == ".xlsx" else "an ODS spreadsheet"
    member = "xl/workbook.xml" if path.suffix.lower() == ".xlsx" else "content.xml"
    files.check_archive(path, SOURCE, kind, member)
    try:
        reader = fastexcel.read_excel(str(path))
        sheets = [
            reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
            for name in reader.sheet_names
        ]
    except Exception as exc:  # calamine's own error types; all mean "unreadable workbook"
        raise ParseError(SOURCE, path, f"the workbook cannot be read ({exc})") from exc
    # The employers' sheet is the first one with a recognised header (notes sheets come first
    # in some GOV.UK workbooks); without one, the first sheet's layout error is reported.
    tables = [[list(r) for r in sheet.to_polars().rows()] for sheet in sheets]
    fallback = tables[0] if tables else []
    return next((rows for rows in tables if _has_employer_header(rows)), fallback)


def _has_employer_header(rows: Sequence[Sequence[str | None]]) -> bool:
    try:
        read_table(rows)
    except LayoutError:
        return False
    except RowError:
        return True  # the header was found; the row's error is reported by _from_table
    return True


def _from_table(
    path: Path, rows: Sequence[Sequence[str | None]], round_id: str | None, round_date: date | None
) -> ReadFile:
    try:
        read: TableRead = read_table(rows)
    except LayoutError as exc:
        raise ParseError(SOURCE, path, str(exc), row=exc.row) from exc
    except RowError as exc:
        raise ParseError(
            SOURCE, path, f"row {exc.row} is not a complete employer: {exc}", row=exc.row
        ) from exc
    if not read.records:
        raise ParseError(
            SOURCE, path, f"the table has a header (row {read.header_row}) but no employers"
        )
    notes = []
    if read.unmapped:
        notes.append(f"{path.name}: published columns not mapped: {read.unmapped}")
    if read.skipped:
        notes.append(f"{path.name}: note or total rows skipped: {read.skipped}")
    return ReadFile(path, read.records, round_id, round_date, "table", notes)


# --------------------------------------------------------------------------- rounds


def resolve_rounds(files: list[ReadFile]) -> None:
    """Give every file its round id and date; refuse a file without a date and a second
    file for the same round (its records would repeat the round's record ids)."""
    for item in files:
        if item.round_date is None:
            raise ParseError(
                SOURCE,
                item.path,
                "cannot date this round: no YYYY-MM-DD in the file name and no publication date "
                "in the page",
                hint="name the file <round>_<YYYY-MM-DD>_<anything>, e.g. "
                "2024-R1_2024-02-20_employers.csv",
            )
    named = {f.round_date: f.round_id for f in files if f.round_id}
    derived = round_ids([f.round_date for f in files])
    for item in files:
        if item.round_id is None:
            item.round_id = named.get(item.round_date) or derived[item.round_date]
    seen: dict[str, ReadFile] = {}
    for item in files:  # in the order given: the later file is the one reported
        if item.round_id in seen:
            raise ParseError(
                SOURCE,
                item.path,
                f"duplicate key: record_id {item.round_id}#1 (round {item.round_id}) already "
                f"comes from {seen[item.round_id].path}; give one file per round",
                row=item.records[0][0],
            )
        seen[item.round_id] = item


def round_ids(dates: Iterable[date]) -> dict[date, str]:
    """'<year>-R<k>' for each round date, k counting the year's rounds from 1 by date: how
    a round without an id in its file name is named, by the parser and the live fetch."""
    ids: dict[date, str] = {}
    for day in sorted(set(dates)):
        k = sum(1 for other in ids if other.year == day.year) + 1
        ids[day] = f"{day.year}-R{k}"
    return ids


def _to_frame(item: ReadFile) -> pl.DataFrame:
    rows = [
        {
            "round": item.round_id,
            "round_date": item.round_date,
            "employer_name": e.employer_name,
            "trading_name": e.trading_name,
            "location": e.location,
            "postcode": e.postcode,
            "arrears_gbp": e.arrears_gbp,
            "workers": e.workers,
            "ceased_trading": e.ceased_trading,
            "record_id": f"{item.round_id}#{n}",
            "_source_file": str(item.path),
            "_source_row": source_row,
            "_vintage": item.round_date,
        }
        for n, (source_row, e) in enumerate(item.records, 1)
    ]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def parse_files(paths: Iterable[Path]) -> tuple[pl.DataFrame, list[ReadFile]]:
    """Parse and contract-check the files of any number of rounds; one frame in round order."""
    files = [read_file(Path(p)) for p in paths]
    if not files:
        return empty_frame(), files
    resolve_rounds(files)
    files.sort(key=lambda f: (f.round_date, f.round_id))
    frames = []
    for item in files:
        frame = _to_frame(item)
        validate(frame, NamedEmployersContract, SOURCE, str(item.path))
        frames.append(frame)
    return pl.concat(frames, how="vertical"), files


# --------------------------------------------------------------------------- connector


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, files = parse_files(paths)
    return ParseResult({TABLE: frame}, [note for f in files for note in f.notes])


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    from heyrick_dagster.sources.nmw_naming_govuk import fetch_live

    return fetch_live(GOVUK_BASE, folder, http.RetryPolicy.for_settings(settings), emit)


def suite_parameters() -> dict[str, date]:
    """Bounds of round dates: the naming scheme's start and the run date."""
    return {"today": date.today(), "scheme_start": SCHEME_START}


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per employer named in a National Minimum Wage naming round "
            "(an HTML line or a table row), in the round's published order.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="nmw_naming__named_employers",
                    description="record_id unique and well formed, employer names present, "
                    "arrears above zero, at least one worker, round dates between the scheme's "
                    "start and today, postcodes shaped like postcodes. Failing blocks "
                    "everything downstream.",
                    parameters=suite_parameters,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="nmw_naming__named_employers_drift",
                    description="Ceilings on rows, arrears and workers, and completeness of "
                    "locations. Warns, never blocks.",
                    blocking=False,
                ),
            ),
        ),
    ),
    file_patterns=FILE_PATTERNS,
    parse=_parse,
    fetch_live=_fetch,
)
