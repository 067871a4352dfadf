"""Reading one illegal-working penalties publication into rows of published cells.

Three shapes of the same list reach Heyrick (see `illegal_working.py` for the
format and its quirks):
- a GOV.UK HTML publication: a whole page (`.html`) or the content API's JSON
  (`.json`, the page body in `details.body`), one table per region under a heading;
- a spreadsheet (`.xlsx`, `.ods`): one table with a header row, possibly under
  title rows and followed by blank rows and a hand-made total;
- the content API's JSON of the publication itself (the list of quarters), which
  holds no table: it is kept as provenance and reported, not read.

This module only finds tables, maps their headers to Heyrick's column names and
classifies rows (data, blank, footer); typing and the contract are the caller's.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from heyrick_dagster.sources import files
from heyrick_dagster.sources.errors import ParseError
from heyrick_dagster.sources.periods import MONTHS, NotAQuarter, find_quarter, quarter_bounds

SOURCE = "illegal_working"

CORE_COLUMNS = ("liable_party", "trading_name", "address", "postcode", "penalty")
# Published header (lower case, letters and digits only) -> column. Older releases said
# "employer"; the third-party spreadsheet copy says business_name and penalty_value.
_ALIASES: dict[str, str] = {
    **dict.fromkeys(("liableparty", "employer", "employername", "nameofemployer"), "liable_party"),
    **dict.fromkeys(("tradingname", "businessname", "tradingas", "tradename"), "trading_name"),
    **dict.fromkeys(("address", "businessaddress", "addressofbusiness"), "address"),
    **dict.fromkeys(("postcode", "postalcode"), "postcode"),
    **dict.fromkeys(
        (
            "penalty",
            "penaltyvalue",
            "penaltyamount",
            "penaltygbp",
            "civilpenalty",
            "amountofpenalty",
            "valueofpenalty",
        ),
        "penalty",
    ),
    **dict.fromkeys(
        (
            "numberofillegalworkers",
            "illegalworkers",
            "noofillegalworkers",
            "illegalworkersfound",
            "numberofillegalworkersfound",
        ),
        "illegal_workers",
    ),
}
# A table is a penalties table when this many core columns are recognised; fewer means
# another table on the page (a summary, say), which is reported and left alone.
_MIN_CORE_FOR_TABLE = 3
_HEADER_SEARCH_ROWS = 20
# Invisible characters the GOV.UK editor leaves in cells (U+200B above all).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None) | {0xA0: " "}
_FOOTER_WORDS = re.compile(r"^\s*(grand\s+)?total\b", re.I)
_AMOUNT = re.compile(r"^£\s*\d")
_HEADINGS = {"h2", "h3", "h4"}
_WORKBOOKS = {
    ".xlsx": ("an XLSX workbook", "xl/workbook.xml"),
    ".xlsm": ("an XLSX workbook", "xl/workbook.xml"),
    ".ods": ("an ODS spreadsheet", "content.xml"),
}
# A whole page ends with </html>; without it the save or download was cut short.
_CLOSED_PAGE = re.compile(r"</html\s*>", re.I)
_PAGE_TAIL = 4096
# Civil penalties for employing illegal workers began with the Immigration, Asylum and
# Nationality Act 2006, in force from 29 February 2008.
SCHEME_START = date(2008, 2, 29)
_ERROR_TITLE = re.compile(r"not found|error|problem|sorry|unavailable|forbidden", re.I)

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_PUBLISHED = re.compile(rf"\b(?:Published|Updated)\s+(\d{{1,2}}\s+(?:{_MONTH})\s+\d{{4}})", re.I)


class Formula(str):
    """A spreadsheet cell holding a formula (its text, e.g. "=SUM(E2:E202)")."""


Cell = str | int | float | None


@dataclass(frozen=True)
class Row:
    source_row: int  # HTML: 1-based record in the page; spreadsheet: the sheet's row number
    region: str | None
    cells: dict[str, Cell]  # column -> published value (text cleaned of invisible characters)
    where: str  # "table 2 (London), record 4" or "sheet 'Q3' row 12", for messages


@dataclass
class Publication:
    file: str
    period: str | None  # "2024Q3"; None for the publication index
    vintage: date | None
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- periods


def period_from_text(text: str, file: str) -> str | None:
    """The quarter a title or file name names ("1 July to 30 September 2024", "Q3_2024",
    "2024Q3"), or None; a date range that is not one calendar quarter is an error."""
    try:
        return find_quarter(text)
    except NotAQuarter as exc:
        raise ParseError(
            SOURCE,
            file,
            f"the period {exc.text!r} is not one calendar quarter; every release "
            "so far covers exactly one quarter",
        ) from exc


def _check_dates(period: str, vintage: date, file: str) -> None:
    """A quarter before the scheme, or a list dated before its quarter began, is a title
    or a date mistyped (a list is published months after its quarter ends). A quarter in
    the future gives a vintage in the future, which the raw gate refuses."""
    first, last = quarter_bounds(period)
    if last < SCHEME_START:
        raise ParseError(
            SOURCE,
            file,
            f"the list names quarter {period}, before the civil penalty scheme began "
            f"({SCHEME_START:%d %B %Y}): the title or file name is mistyped",
        )
    if vintage < first:
        raise ParseError(
            SOURCE,
            file,
            f"the list is dated {vintage}, before the quarter it names ({period}) began: "
            "the title or the publication date is mistyped",
        )


def _choose_period(title: str | None, file: str) -> str:
    from_title = period_from_text(title, file) if title else None
    from_name = period_from_text(Path(file).name, file)
    if from_title and from_name and from_title != from_name:
        raise ParseError(
            SOURCE,
            file,
            f"the title says {from_title} ({title!r}) but the file name says {from_name}",
            hint="rename the file or check that it is the publication you meant",
        )
    period = from_title or from_name
    if period is None:
        raise ParseError(
            SOURCE,
            file,
            "cannot tell which quarter this publication covers: neither its title "
            f"({title!r}) nor its file name names one",
            hint="name the file like illegal_working_Q3_2024.xlsx",
        )
    return period


# --------------------------------------------------------------------------- text


def clean_text(value: str) -> str:
    """A cell's text without invisible characters and with single spaces."""
    return " ".join(value.translate(_INVISIBLE).split())


def _header_key(value: Cell) -> str:
    return re.sub(r"[^a-z0-9]", "", clean_text(str(value or "")).lower())


def map_header(header: list[Cell], file: str, where: str, row: int | None) -> list[str] | None:
    """Column names for a header row; None when it is not a penalties table's header.
    Unknown or missing columns in a penalties table are errors: the format changed."""
    names = [_ALIASES.get(_header_key(h)) for h in header]
    if len(set(names) & set(CORE_COLUMNS)) < _MIN_CORE_FOR_TABLE:
        return None
    shown = [clean_text(str(h or "")) for h in header]
    unknown = [s for s, n in zip(shown, names, strict=True) if n is None and s]
    missing = [c for c in CORE_COLUMNS if c not in names]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if unknown or missing or repeated:
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {unknown}")
        if missing:
            problems.append(f"no column for {missing}")
        if repeated:
            problems.append(f"more than one column for {repeated}")
        raise ParseError(
            SOURCE,
            file,
            f"{where}: the header {shown} has {'; '.join(problems)}: the published format "
            "changed (expected Liable party, Trading name, Address, Postcode, Penalty (£) "
            "and optionally Number of illegal workers)",
            row=row,
        )
    return [n or "" for n in names]


# --------------------------------------------------------------------------- files


def read_file(path: Path) -> Publication:
    """Find the tables of one file and return its rows, classified, with notes."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        files.sniff(path, SOURCE, "a GOV.UK page", html_ok=True)
        return _read_html_page(path.read_bytes(), file)
    if suffix == ".json":
        files.sniff(path, SOURCE, "the GOV.UK content API's JSON")
        return _read_content_api(path.read_bytes(), file)
    if suffix in _WORKBOOKS:
        kind, member = _WORKBOOKS[suffix]
        files.sniff(path, SOURCE, kind)
        files.check_archive(path, SOURCE, kind, member)
        return _read_spreadsheet(path, file, suffix)
    if suffix == ".pdf":
        raise ParseError(
            SOURCE,
            file,
            "PDF releases (older quarters, one per region) are out of scope: their tables "
            "cannot be read reliably",
            hint="use the ODS release of the same quarter if there is one",
        )
    raise ParseError(
        SOURCE, file, f"unexpected file type {suffix!r}; expected .html, .json, .xlsx or .ods"
    )


def _decode(data: bytes, file: str) -> tuple[str, str | None]:
    """UTF-8 text without its byte-order mark, and a description of the first bad byte
    when it is not UTF-8 (the text is then decoded with U+FFFD replacements, so that the
    record holding it can be named). UTF-16 is refused outright."""
    files.require_not_utf16(data, SOURCE, file)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        return data.decode("utf-8", "replace"), f"byte 0x{bad} at offset {exc.start}"


def _not_utf8(file: str, problem: str, row: int | None) -> ParseError:
    return ParseError(
        SOURCE,
        file,
        f"the text is not UTF-8 ({problem}): the file was probably re-saved in another "
        "encoding such as Windows-1252",
        row=row,
        hint="GOV.UK serves UTF-8; fetch the original",
    )


def _read_html_page(data: bytes, file: str) -> Publication:
    import lxml.html

    text, bad = _decode(data, file)
    if not _CLOSED_PAGE.search(text[-_PAGE_TAIL:]):
        raise ParseError(
            SOURCE,
            file,
            "the page ends early: there is no closing </html>, so rows may be missing "
            "(the download or save was cut short)",
            hint="download the page again",
        )
    root = lxml.html.fromstring(text)
    if not _has_tables(root):
        raise _no_tables(root, file)
    title = _first_text(root, "//h1") or _first_text(root, "//title")
    period = _choose_period(title, file)
    published = _PUBLISHED.findall(" ".join(root.text_content().split()))
    vintage = _parse_day(published[-1]) if published else quarter_bounds(period)[1]
    return _publication_from_body(root, file, period, vintage, bad)


def _read_content_api(data: bytes, file: str) -> Publication:
    import lxml.html

    text, bad = _decode(data, file)
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ParseError(
            SOURCE,
            file,
            f"the file is not valid JSON ({exc}): it begins {text.lstrip()[:60]!r}",
            hint="a truncated download ends in the middle of the JSON; download it again",
        ) from exc
    details = doc.get("details") if isinstance(doc, dict) else None
    if not isinstance(details, dict):
        raise ParseError(SOURCE, file, "the JSON has no 'details': not a GOV.UK content item")
    if "body" not in details and isinstance(details.get("attachments"), list):
        publication = Publication(file, None, None)
        publication.notes.append(
            f"{Path(file).name}: the publication's index ({len(details['attachments'])} "
            "attachments), kept as provenance; it holds no table"
        )
        return publication
    body = details.get("body")
    if not isinstance(body, str) or not body.strip():
        raise ParseError(SOURCE, file, "the content item has no details.body HTML")
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    if not _has_tables(root):
        raise _no_tables(root, file)
    period = _choose_period(doc.get("title"), file)
    stamp = doc.get("public_updated_at") or doc.get("first_public_at")
    try:
        vintage = date.fromisoformat(stamp[:10]) if stamp else quarter_bounds(period)[1]
    except (TypeError, ValueError) as exc:
        raise ParseError(
            SOURCE, file, f"the content item's public_updated_at {stamp!r} is not a date"
        ) from exc
    return _publication_from_body(root, file, period, vintage, bad)


def _has_tables(root) -> bool:
    return bool(root.xpath("//table"))


def _no_tables(root, file: str) -> ParseError:
    title = _first_text(root, "//title") or _first_text(root, "//h1") or ""
    looks_like_error = bool(_ERROR_TITLE.search(title))
    return ParseError(
        SOURCE,
        file,
        "the page holds no table, so no penalties"
        + (
            f": it looks like an error page (title {title!r})"
            if looks_like_error
            else (f" (title {title!r})" if title else "")
        ),
        hint="download it again; GOV.UK may have served an error or a changed layout",
    )


def _first_text(root, xpath: str) -> str | None:
    found = root.xpath(xpath)
    if not found:
        return None
    return clean_text(found[0].text_content()) or None


def _parse_day(text: str) -> date:
    day, month, year = text.split()
    return date(int(year), MONTHS[month.lower()], int(day))


def _publication_from_body(root, file: str, period: str, vintage: date, bad: str | None):
    _check_dates(period, vintage, file)
    publication = Publication(file, period, vintage)
    record = tables = 0
    heading: str | None = None
    for elem in _walk(root):
        if elem.tag in _HEADINGS:
            heading = clean_text(elem.text_content()) or None
            continue
        tables += 1
        caption = elem.find("caption")
        region = clean_text(caption.text_content()) if caption is not None else heading
        record = _read_html_table(elem, tables, region, publication, record)
    if not publication.rows:
        raise ParseError(
            SOURCE,
            file,
            "the page's tables hold no penalties"
            + (f" ({'; '.join(publication.notes)})" if publication.notes else ""),
        )
    if bad:
        row = next((r.source_row for r in publication.rows if _has_replacement(r)), None)
        raise _not_utf8(file, bad, row)
    return publication


def _walk(root) -> Iterator:
    """Headings and tables in document order (tables inside tables are not expected)."""
    for elem in root.iter():
        if elem.tag in _HEADINGS or elem.tag == "table":
            yield elem


def _html_cells(tr) -> list[str]:
    cells: list[str] = []
    for cell in tr:
        if cell.tag not in ("td", "th"):
            continue
        cells.append(clean_text(cell.text_content()))
        span = cell.get("colspan", "1")
        cells.extend([""] * (int(span) - 1 if span.isdigit() and int(span) > 1 else 0))
    return cells


def _read_html_table(
    table, n: int, region: str | None, publication: Publication, record: int
) -> int:
    """Append the table's data rows; returns the last record number used."""
    file = publication.file
    label = f"table {n}" + (f" ({region})" if region else "")
    name = Path(file).name
    trs = list(table.iter("tr"))
    if not trs:
        publication.notes.append(f"{name}: {label} is empty; skipped")
        return record
    header = _html_cells(trs[0])
    columns = map_header(header, file, label, record + 1)
    if columns is None:
        if _looks_like_a_penalty_row(header):
            raise ParseError(
                SOURCE,
                file,
                f"{label} has no header row: its first row {header} looks like a penalty",
                row=record + 1,
                hint="the page layout changed; the columns cannot be named safely",
            )
        publication.notes.append(
            f"{name}: {label} with columns {header} is not a penalties table; skipped"
        )
        return record
    blank = 0
    for tr in trs[1:]:
        cells = _html_cells(tr)
        if not any(cells):
            blank += 1
            continue
        # "Total" alone with amounts (the penalties, and the workers in older releases) is
        # a total row; "Total Car Wash Ltd" with an address is an employer.
        if _is_total(dict(zip(columns, cells, strict=False))):
            publication.notes.append(f"{Path(file).name}: {label}: total row {cells} skipped")
            continue
        record += 1
        if len(cells) != len(columns):
            raise ParseError(
                SOURCE,
                file,
                f"{label}: record {record} has {len(cells)} cells but the header has "
                f"{len(columns)} columns {header}; its cells are {cells}",
                row=record,
            )
        values = dict(zip(columns, cells, strict=True))
        publication.rows.append(Row(record, region, values, f"{label}, record {record}"))
    if blank:
        publication.notes.append(f"{name}: {label}: {blank} blank row(s) skipped")
    return record


def _is_total(values: dict[str, Cell]) -> bool:
    """A row saying "Total" where the liable party goes, and nothing that places an
    employer (trading name, address, postcode): whatever its amount columns hold."""
    first = values.get("liable_party")
    return (
        isinstance(first, str)
        and bool(_FOOTER_WORDS.match(first))
        and all(_is_blank(values.get(c)) for c in ("trading_name", "address", "postcode"))
    )


def _looks_like_a_penalty_row(cells: list[str]) -> bool:
    """Five or six cells ending in an amount in pounds: data where a header should be."""
    return len(cells) in (5, 6) and bool(_AMOUNT.match(cells[-1]))


def _has_replacement(row: Row) -> bool:
    return any(isinstance(v, str) and "\ufffd" in v for v in row.cells.values())


# --------------------------------------------------------------------------- spreadsheets


def _sheet_rows(path: Path, suffix: str, period_hint: str) -> tuple[str, list, list[str]]:
    """(sheet name, [(sheet row number, cells)], names of the sheets not read)."""
    if suffix == ".ods":
        import pandas as pd

        sheets = pd.read_excel(path, engine="odf", sheet_name=None, header=None, dtype=object)
        names = list(sheets)
        chosen = _choose_sheet(names, period_hint)
        frame = sheets[chosen].astype(object).where(sheets[chosen].notna(), None)
        rows = [(i + 1, list(r)) for i, r in enumerate(frame.itertuples(index=False))]
        return chosen, rows, [n for n in names if n != chosen]
    import openpyxl

    # Not data_only: a hand-made total must show up as the formula it is.
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        names = workbook.sheetnames
        chosen = _choose_sheet(names, period_hint)
        # Read-only mode fills empty rows in, so row n of the iteration is sheet row n.
        rows = [
            (number, [_xlsx_value(c) for c in cells])
            for number, cells in enumerate(workbook[chosen].iter_rows(min_row=1), 1)
        ]
    finally:
        workbook.close()
    return chosen, rows, [n for n in names if n != chosen]


def _xlsx_value(cell) -> Cell:
    """A formula cell as Formula; a text cell that merely begins with "=" (a name such as
    '=HYPERLINK(...)') is text and is kept verbatim."""
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    return value


def _choose_sheet(names: list[str], period: str) -> str:
    """A sheet named like the period ("2024_Q3_enriched", "Q3 2024"), else the first."""
    for name in names:
        if period_from_text(name, "") == period:
            return name
    return names[0]


def _read_spreadsheet(path: Path, file: str, suffix: str) -> Publication:
    period = _choose_period(None, file)
    _check_dates(period, quarter_bounds(period)[1], file)
    try:
        sheet, rows, ignored = _sheet_rows(path, suffix, period)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ParseError(SOURCE, file, f"the workbook cannot be read ({exc})") from exc
    publication = Publication(file, period, quarter_bounds(period)[1])
    name = Path(file).name
    if ignored:
        publication.notes.append(f"{name}: sheet(s) {ignored} not read (only '{sheet}')")
    where = f"sheet '{sheet}'"
    header_at, columns = _find_header(rows, file, where)
    if header_at > 0:
        publication.notes.append(f"{name}: {header_at} row(s) above the header skipped")
    _classify_sheet_rows(rows[header_at + 1 :], columns, where, publication)
    if not publication.rows:
        raise ParseError(SOURCE, file, f"{where} has a header but no penalties")
    return publication


def _find_header(rows: list, file: str, where: str) -> tuple[int, list[str]]:
    for i, (number, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns = map_header(_trim(cells), file, where, number)
        if columns is not None:
            return i, columns
    raise ParseError(
        SOURCE,
        file,
        f"{where}: no header row with the published columns (Liable party, Trading name, "
        f"Address, Postcode, Penalty) in its first {_HEADER_SEARCH_ROWS} rows",
    )


def _trim(cells: list[Cell]) -> list[Cell]:
    """Cells without the empty ones at the end of the row (spreadsheets pad rows)."""
    end = len(cells)
    while end and _is_blank(cells[end - 1]):
        end -= 1
    return cells[:end]


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def _classify_sheet_rows(rows: list, columns: list[str], where: str, pub: Publication) -> None:
    name = Path(pub.file).name
    blank: list[int] = []
    for number, raw in rows:
        cells = _trim(raw)
        if not cells:
            blank.append(number)
            continue
        if len(cells) > len(columns):
            raise ParseError(
                SOURCE,
                pub.file,
                f"{where}: row {number} has a value beyond the table's {len(columns)} "
                f"columns: {cells}",
                row=number,
            )
        values = dict(zip(columns, cells + [None] * (len(columns) - len(cells)), strict=True))
        footer = _footer_reason(values)
        if footer:
            pub.notes.append(f"{name}: {where} row {number} is {footer}; skipped")
            continue
        pub.rows.append(
            Row(
                number,
                None,
                {k: _clean_cell(v) for k, v in values.items()},
                f"{where} row {number}",
            )
        )
    if blank:
        pub.notes.append(f"{name}: {len(blank)} blank row(s) skipped ({_ranges(blank)})")


def _footer_reason(values: dict[str, Cell]) -> str | None:
    """Why a row is a decoration (a total or footer) rather than a penalty, or None."""
    identity = [values.get(c) for c in ("liable_party", "trading_name", "address", "postcode")]
    formulas = [v for v in values.values() if isinstance(v, Formula)]
    if _is_total(values):
        return f"a total row ({values['liable_party']!r})"
    if all(_is_blank(v) for v in identity):
        if formulas:
            return f"a footer holding the formula {formulas[0]} (a hand-added total)"
        return f"a footer with no employer (values {[v for v in values.values() if v]})"
    return None


def _clean_cell(value: Cell) -> Cell:
    return clean_text(value) if isinstance(value, str) and not isinstance(value, Formula) else value


def _ranges(numbers: list[int]) -> str:
    spans: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        spans.append(f"row {start}" if start == prev else f"rows {start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(spans)
