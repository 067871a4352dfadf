"""Employer tables of the naming rounds since 2020: CSV, XLSX, ODS or an HTML `<table>`.

The header row is found by its names, not its position, because the published
spreadsheets put a title and notes above it. Header names vary between rounds;
they are compared after lower-casing and dropping punctuation and "£", so that
"Arrears (£)", "arrears £" and "ARREARS" are one name. Accepted names:

- employer name (required): ACCEPTED["employer_name"]
- arrears (required): ACCEPTED["arrears_gbp"]
- number of workers (required): ACCEPTED["workers"]
- location and/or postcode (at least one): ACCEPTED["location"], ACCEPTED["postcode"]
- trading name, ceased trading (optional)
- a row number column ("No.", "#", "Rank") is ignored; any other column is
  reported as unmapped in the parse notes, never dropped silently.

Blank rows are skipped. A row with a single filled cell (a note or a footnote),
whose first filled cell starts with "Total", or with nothing in the mapped columns
is skipped and counted in the notes. Every other row must be a complete employer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from heyrick_dagster.sources.nmw_naming_lines import (
    Employer,
    EntryError,
    parse_arrears,
    parse_workers,
    split_name,
)

ACCEPTED: dict[str, tuple[str, ...]] = {
    "employer_name": (
        "employer",
        "employer name",
        "employers name",
        "name of employer",
        "employer legal name",
        "legal name",
        "business name",
        "company name",
        "name",
    ),
    "trading_name": ("trading name", "trading as", "trading name if applicable", "t a"),
    "location": (
        "location",
        "town",
        "town or city",
        "town city",
        "area",
        "town or area",
        "address",
    ),
    "postcode": ("postcode", "post code", "postcode district", "postcode area", "postal district"),
    "arrears_gbp": (
        "arrears",
        "arrears gbp",
        "arrears owed",
        "total arrears",
        "amount of arrears",
        "arrears owed to workers",
        "amount owed",
        "underpayment",
        "amount underpaid",
    ),
    "workers": (
        "workers",
        "number of workers",
        "no of workers",
        "workers affected",
        "number of workers affected",
        "number of workers underpaid",
        "workers underpaid",
    ),
    "ceased_trading": ("ceased trading", "ceased trading yes no", "status"),
}
IGNORED = ("no", "number", "rank", "row")
REQUIRED = ("employer_name", "arrears_gbp", "workers")
_HEADER_SEARCH_ROWS = 30
_BY_NAME = {name: column for column, names in ACCEPTED.items() for name in names}
_YES = {"yes", "y", "true", "ceased", "ceased trading"}
_EMPTY = {"", "-", "–", "n/a", "na", "none", "not applicable"}

Cell = str | None


class LayoutError(ValueError):
    """No recognisable header row; `row` is the 1-based row the message quotes."""

    def __init__(self, message: str, row: int | None) -> None:
        super().__init__(message)
        self.row = row


class RowError(ValueError):
    def __init__(self, message: str, row: int) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class TableRead:
    records: list[tuple[int, Employer]]  # (1-based row of the sheet/CSV, employer)
    header_row: int
    unmapped: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # footer/note rows


def header_key(text: Cell) -> str:
    """'Arrears (£)' -> 'arrears'; 'Trading name (if applicable)' -> 'trading name if
    applicable'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", (text or "").lower().replace("£", " ")).split())


def map_header(cells: Sequence[Cell]) -> tuple[dict[str, int], list[str]]:
    """Column name -> index for the accepted names; the other non-empty header cells."""
    mapping: dict[str, int] = {}
    unmapped = []
    for index, cell in enumerate(cells):
        key = header_key(cell)
        column = _BY_NAME.get(key)
        if column and column not in mapping:
            mapping[column] = index
        elif key and key not in IGNORED:
            unmapped.append(str(cell))
    return mapping, unmapped


def _is_header(mapping: dict[str, int]) -> bool:
    return all(c in mapping for c in REQUIRED) and ("location" in mapping or "postcode" in mapping)


def read_table(rows: Sequence[Sequence[Cell]]) -> TableRead:
    """Employers of one table given as rows of cell texts (row 1 is the first row)."""
    header_at = None
    for number, cells in enumerate(rows[:_HEADER_SEARCH_ROWS], 1):
        mapping, unmapped = map_header(cells)
        if _is_header(mapping):
            header_at = number
            break
    if header_at is None:
        raise _layout_error(rows)
    read = TableRead(records=[], header_row=header_at, unmapped=unmapped)
    for number, cells in enumerate(rows[header_at:], header_at + 1):
        filled = [str(c).strip() for c in cells if c is not None and str(c).strip()]
        if not filled:
            continue
        values = {c: _cell(cells, i) for c, i in mapping.items()}
        # A total row says "Total" with amounts but no place; "Total Fitness Ltd, Leeds"
        # is an employer.
        is_total = filled[0].lower().startswith("total") and not (
            values.get("location") or values.get("postcode")
        )
        if len(filled) == 1 or is_total or not any(values.values()):
            read.skipped.append(number)  # a note, a footnote or a total
            continue
        try:
            read.records.append((number, _employer(values)))
        except EntryError as exc:
            raise RowError(str(exc), number) from exc
    return read


def _cell(cells: Sequence[Cell], index: int) -> str | None:
    value = cells[index] if index < len(cells) else None
    value = " ".join(str(value).split()) if value is not None else ""
    return None if value.lower() in _EMPTY else value


def _employer(values: dict[str, str | None]) -> Employer:
    name = values.get("employer_name")
    if not name:
        raise EntryError("the employer name is empty")
    if values.get("arrears_gbp") is None:
        raise EntryError("the arrears cell is empty")
    if values.get("workers") is None:
        raise EntryError("the number of workers is empty")
    employer, trading_in_name, ceased = split_name(name)
    ceased = ceased or (values.get("ceased_trading") or "").lower() in _YES
    trading = values.get("trading_name")
    if trading:
        trading, _, trading_ceased = split_name(trading)
        ceased = ceased or trading_ceased
    return Employer(
        employer_name=employer,
        trading_name=trading or trading_in_name,
        location=values.get("location"),
        postcode=values.get("postcode"),
        arrears_gbp=parse_arrears(values["arrears_gbp"], spreadsheet=True),
        workers=parse_workers(values["workers"]),
        ceased_trading=ceased,
    )


def _layout_error(rows: Sequence[Sequence[Cell]]) -> LayoutError:
    first = next(
        ((n, cells) for n, cells in enumerate(rows, 1) if any(c and str(c).strip() for c in cells)),
        None,
    )
    accepted = "; ".join(f"{c}: {', '.join(repr(n) for n in ACCEPTED[c])}" for c in ACCEPTED)
    if first is None:
        return LayoutError("the table has no rows", None)
    # The row with most recognised names is the header the publisher meant.
    best_number, best_cells = max(
        ((n, cells) for n, cells in enumerate(rows[:_HEADER_SEARCH_ROWS], 1)),
        key=lambda item: len(map_header(item[1])[0]),
    )
    if not map_header(best_cells)[0]:
        best_number, best_cells = first
    found = [str(c) for c in best_cells if c is not None and str(c).strip()]
    return LayoutError(
        f"unknown table layout: no header row names the employer, the arrears, the number of "
        f"workers and a location or postcode; row {best_number} reads {found}. "
        f"Accepted header names (compared in lower case without punctuation or £): {accepted}",
        best_number,
    )
