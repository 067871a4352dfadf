"""Finding an NRM table inside its worksheet and naming what each column counts.

A GSS-style table sheet is decoration around a table: title, "This worksheet
contains one table...", notes and "Source: ..." rows, then a header row whose
first cell names the geography ("Police force area", "UK County", "Local
authority"), sometimes with a grouping row above or below it ("Adult (18 or
over)" over "Labour exploitation", ...), then one row per area, then a blank
row and footnotes. Nothing here depends on fixed row numbers: the header is
found by its content, so a sheet with two more note rows reads the same.

Each count column is classified into an age group, an exploitation type and,
when the table splits by sex, a gender (which the caller sums away). Columns
that are totals are recognised so the caller can drop them. A label this
module does not know makes the table fail loudly, unless no column of the
table splits by age, exploitation type or sex: then it is some other breakdown
(by first responder, nationality...) and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from heyrick_dagster.sources.errors import ParseError

SOURCE = "nrm"

Grid = list[list[str | None]]

ALL = "All"  # the table does not split by this dimension
NOT_SPECIFIED = "Not specified or unknown"

_NOTE_MARKER = re.compile(r"\s*\[note\s*\d+\]", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# "Adult (18 or over) - Labour exploitation" in a single header row holds two pieces.
_LABEL_SEPARATOR = re.compile(r"\s+[-\u2013:|]\s+")

# Header of the area column (the whole cell, once note markers are removed) -> geography_type.
_GEOGRAPHY_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "pfa",
        re.compile(r"(uk )?police force( area)?( name)?( of exploitation)?|pfa( name)?", re.I),
    ),
    ("county", re.compile(r"(uk |historic |ceremonial )?county( name)?", re.I)),
    (
        "local_authority",
        re.compile(r"local authority( district| area)?( name)?|la name", re.I),
    ),
)
_CODE_HEADER = re.compile(
    r"((police force area|pfa|county|local authority|la|area|ons|gss) )?code", re.I
)
# A title that promises a table by area: such a sheet must have a findable header.
_AREA_TITLE = re.compile(
    r"\bby (uk )?(police force area|county|local authority)\b(?! first responder)", re.I
)
# Rows that sum other rows: not an area.
_AGGREGATE_ROW = re.compile(
    r"(grand |uk )?total|all( areas| police force areas| counties| local authorities)?"
    r"|united kingdom|uk|england|wales|england and wales",
    re.I,
)
SUPPRESSION_MARKERS = frozenset({"[c]", "[x]", "[z]"})

# Column-label pieces; the first rule that matches names the piece.
_TOTAL = re.compile(
    r"(total|totals|all|all ages|all exploitation types|referrals|nrm referrals"
    r"|number of (nrm )?referrals|number of potential victims)\b.*",
    re.I,
)
_TOTAL_WORD = re.compile(r"\btotals?\b", re.I)
_NOT_A_COUNT = re.compile(r"%|percent|proportion|\brate\b|per 100|change", re.I)
_PIECE_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("age", "Adult", re.compile(r"\badults?\b", re.I)),
    ("age", "Child", re.compile(r"\bchild(ren)?\b", re.I)),
    ("age", NOT_SPECIFIED, re.compile(r"\bage (group )?(not specified|unknown)", re.I)),
    ("exploitation", "Labour", re.compile(r"\blabour\b", re.I)),
    ("exploitation", "Sexual", re.compile(r"\bsexual\b", re.I)),
    ("exploitation", "Criminal", re.compile(r"\bcriminal\b", re.I)),
    ("exploitation", "Domestic servitude", re.compile(r"\bdomestic servitude\b", re.I)),
    ("exploitation", "Organ harvesting", re.compile(r"\borgan (harvesting|removal)\b", re.I)),
    ("gender", "Female", re.compile(r"^(female|women|girls?)\b", re.I)),
    ("gender", "Male", re.compile(r"^(male|men|boys?)\b", re.I)),
    ("gender", "Other", re.compile(r"^(other|non-binary)\b", re.I)),
)
_DIMENSIONS = ("age", "exploitation", "gender")
# "Not specified or unknown" means whichever dimension its neighbours are.
_AMBIGUOUS = re.compile(r"(not specified|unknown|not recorded)( or (not specified|unknown))?", re.I)


# Text under a table: "Source: ...", "Notes", "1. Figures are ...", "[c] ...", long prose.
_NOTE = re.compile(
    r"^(source\b|(foot)?notes?\b|\[|figures\b|this (table|worksheet)\b|\d+[.)]\s)", re.I
)


def _is_note(text: str) -> bool:
    return len(text) > 60 or bool(_NOTE.match(text))


def clean(text: str | None) -> str | None:
    """A cell's text without GSS "[note N]" markers and with single spaces; None when empty."""
    if text is None:
        return None
    cleaned = _SPACES.sub(" ", _NOTE_MARKER.sub("", text)).strip()
    return cleaned or None


@dataclass(frozen=True)
class Column:
    index: int  # position in the grid row
    label: str  # the header pieces joined, for messages: "Adult (18 or over) / Labour"
    age_group: str
    exploitation_type: str
    gender: str | None
    total: bool


@dataclass(frozen=True)
class AreaRow:
    row: int  # 1-based row in the sheet
    name: str
    code: str | None
    cells: dict[int, str | None]  # column index -> raw text


@dataclass
class AreaTable:
    sheet: str
    table_id: str  # "Table 12"
    geography_type: str  # pfa | county | local_authority
    header_row: int  # 1-based
    columns: list[Column]  # the count columns to load (totals already dropped)
    rows: list[AreaRow]
    notes: list[str] = field(default_factory=list)


def table_id_of(sheet: str) -> str:
    """'Table_12' -> 'Table 12' (the name the contents sheet and the release use)."""
    return _SPACES.sub(" ", sheet.replace("_", " ")).strip()


def read_area_table(grid: Grid, sheet: str, file: str) -> AreaTable | None:
    """The table by area in this sheet; None when the sheet holds some other table.

    Raises ParseError (naming file, sheet and row) when the sheet promises a table by
    area but its header cannot be found, or when the table itself is malformed.
    """
    header = _find_header(grid)
    if header is None:
        title = " ".join(filter(None, (clean(c) for row in grid[:3] for c in row)))
        if _AREA_TITLE.search(title):
            raise ParseError(
                SOURCE,
                file,
                f"sheet {sheet!r}: its title promises a table by area but no header row "
                f"starts with 'Police force area', 'UK County' or 'Local authority' "
                f"(searched rows 1-{len(grid)})",
                hint="the published layout changed; the header names the area column",
            )
        return None
    header_row, name_col, geography_type = header
    code_col = _code_column(grid[header_row], name_col)
    block = _header_block(grid, header_row, {name_col, code_col})
    labels = _column_labels(grid, block, exclude={name_col, code_col})
    table_id = table_id_of(sheet)
    columns = _classify(labels, sheet, file, block[-1] + 1)
    if columns is None:
        return None
    kept = _kept(columns)
    _check_distinct(kept, sheet, file, block[-1] + 1)
    table = AreaTable(sheet, table_id, geography_type, header_row + 1, kept, [])
    table.rows = _data_rows(grid, block[-1] + 1, name_col, code_col, table, file)
    if not table.rows:
        raise ParseError(
            SOURCE,
            file,
            f"sheet {sheet!r}: the header is followed by no area rows",
            row=block[-1] + 2,
            hint="a table cut short, or counts moved away from the header",
        )
    return table


# --------------------------------------------------------------------------- header


def _find_header(grid: Grid) -> tuple[int, int, str] | None:
    """(row index, area column, geography_type) of the first row whose first cells name an
    area column; only the first three filled cells count, so a note row that happens to
    start with "County ..." is not mistaken for it."""
    for i, row in enumerate(grid):
        filled = [(j, clean(cell)) for j, cell in enumerate(row) if clean(cell)]
        if len(filled) < 2:  # a header has at least the area column and one count column
            continue
        for j, text in filled[:3]:
            for geography_type, pattern in _GEOGRAPHY_HEADERS:
                if pattern.fullmatch(text):
                    return i, j, geography_type
    return None


def _is_label_row(row: list[str | None], area_cols: set[int | None]) -> bool:
    """Empty in the area (and code) columns, text over the count columns: a grouping or
    sub-header row. A title or note row has its text in the first column instead."""
    if any(clean(row[j]) for j in area_cols if j is not None and j < len(row)):
        return False
    return any(clean(c) for j, c in enumerate(row) if j not in area_cols)


def _header_block(grid: Grid, header_row: int, area_cols: set[int | None]) -> list[int]:
    """The header row plus a grouping row directly above or a sub-header row directly below."""
    block = [header_row]
    above, below = header_row - 1, header_row + 1
    if above >= 0 and _is_label_row(grid[above], area_cols | {0}):
        block.insert(0, above)
    if (
        below < len(grid)
        and _is_label_row(grid[below], area_cols)
        and not any(_looks_like_count(c) for c in grid[below])
    ):
        block.append(below)
    return block


def _looks_like_count(cell: str | None) -> bool:
    text = clean(cell)
    return text is not None and (
        text.replace(",", "").isdigit() or text.lower() in SUPPRESSION_MARKERS
    )


def _code_column(row: list[str | None], name_col: int) -> int | None:
    for j, cell in enumerate(row):
        text = clean(cell)
        if j != name_col and text and _CODE_HEADER.fullmatch(text):
            return j
    return None


def _column_labels(grid: Grid, block: list[int], exclude: set[int | None]) -> dict[int, list[str]]:
    """Column index -> header pieces, top to bottom. Grouping rows are filled rightwards
    (a group label sits over its first column only, as a merged cell reads); a column
    counts only when some header row labels it directly."""
    width = max(len(grid[r]) for r in block)
    labels: dict[int, list[str]] = {}
    carried: dict[int, str | None] = {}
    for j in range(width):
        if j in exclude:
            continue
        pieces, direct = [], False
        for level, r in enumerate(block):
            text = clean(grid[r][j]) if j < len(grid[r]) else None
            if text:
                direct = True
            if level < len(block) - 1:  # a grouping row: carry its label to the right
                text = text or carried.get(level)
                carried[level] = text
            if text:
                pieces.extend(_LABEL_SEPARATOR.split(text))
        if direct:
            labels[j] = pieces
    return labels


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Piece:
    text: str
    dimension: str | None  # age | exploitation | gender | skip | None
    value: str | None
    total: bool = False  # "Total", "Total adults", "All ages": a sum of other columns
    ambiguous: bool = False  # "Not specified or unknown": the dimension of its neighbours

    @property
    def known(self) -> bool:
        return self.dimension is not None or self.total


def _piece(text: str) -> _Piece:
    if _NOT_A_COUNT.search(text):
        return _Piece(text, "skip", None)
    total = _TOTAL.fullmatch(text) is not None or _TOTAL_WORD.search(text) is not None
    for dimension, value, pattern in _PIECE_RULES:
        if pattern.search(text):
            return _Piece(text, dimension, value, total)
    if not total and _AMBIGUOUS.fullmatch(text):
        return _Piece(text, None, NOT_SPECIFIED, ambiguous=True)
    return _Piece(text, None, None, total)


def _resolve_ambiguous(pieces: dict[int, list[_Piece]]) -> None:
    """'Not specified or unknown' takes the dimension of the nearest column at the same
    header level: under 'Labour', 'Sexual', ... it is an exploitation type."""
    order = sorted(pieces)
    for pos, j in enumerate(order):
        for level, piece in enumerate(pieces[j]):
            if not piece.ambiguous:
                continue
            neighbours = order[pos - 1 :: -1] if pos else []
            neighbours += order[pos + 1 :]
            for k in neighbours:
                other = pieces[k][level] if level < len(pieces[k]) else None
                if other and other.dimension in _DIMENSIONS:
                    pieces[j][level] = _Piece(piece.text, other.dimension, NOT_SPECIFIED)
                    break


def _classify(
    labels: dict[int, list[str]], sheet: str, file: str, header_end: int
) -> list[Column] | None:
    pieces = {j: [_piece(t) for t in texts] for j, texts in labels.items()}
    _resolve_ambiguous(pieces)
    counted = {j: ps for j, ps in pieces.items() if not any(p.dimension == "skip" for p in ps)}
    unknown = {j: ps for j, ps in counted.items() if not all(p.known for p in ps)}
    split = [j for j, ps in counted.items() if any(p.dimension in _DIMENSIONS for p in ps)]
    if not counted or (unknown and not split):
        return None  # a breakdown this source does not load (first responder, nationality...)
    if unknown:
        j, ps = next(iter(unknown.items()))
        bad = next(p.text for p in ps if not p.known)
        raise ParseError(
            SOURCE,
            file,
            f"sheet {sheet!r}: column header {bad!r} is not an age group, exploitation type, "
            f"gender or total, but the other columns of the table are",
            row=header_end,
            hint="a new or renamed category: map it in heyrick_dagster/sources/nrm_tables.py",
        )
    return [_column(j, ps, sheet, file, header_end) for j, ps in sorted(counted.items())]


def _column(j: int, pieces: list[_Piece], sheet: str, file: str, header_end: int) -> Column:
    values: dict[str, str] = {}
    for p in pieces:
        if p.dimension in _DIMENSIONS:
            if p.dimension in values and values[p.dimension] != p.value:
                raise ParseError(
                    SOURCE,
                    file,
                    f"sheet {sheet!r}: column {' / '.join(x.text for x in pieces)!r} names "
                    f"two {p.dimension} values",
                    row=header_end,
                )
            values[p.dimension] = p.value or NOT_SPECIFIED
    return Column(
        index=j,
        label=" / ".join(p.text for p in pieces),
        age_group=values.get("age", ALL),
        exploitation_type=values.get("exploitation", ALL),
        gender=values.get("gender"),
        total=any(p.total for p in pieces),
    )


def _kept(columns: list[Column]) -> list[Column]:
    """Breakdown columns only: totals and subtotals are sums of them. A table with no
    breakdown (e.g. 'UK County' | 'Total') keeps its one total column as All / All."""
    parts = [c for c in columns if not c.total]
    if parts:
        return parts
    return [c for c in columns if c.total][:1]


def _check_distinct(columns: list[Column], sheet: str, file: str, header_end: int) -> None:
    """Two columns may count the same age group and exploitation type only when they
    split it by gender (the caller sums them); otherwise the header is ambiguous."""
    seen: dict[tuple[str, str, str | None], Column] = {}
    for column in columns:
        key = (column.age_group, column.exploitation_type, column.gender)
        if key in seen:
            raise ParseError(
                SOURCE,
                file,
                f"sheet {sheet!r}: columns {seen[key].label!r} and {column.label!r} count the "
                "same age group and exploitation type",
                row=header_end,
            )
        seen[key] = column


# --------------------------------------------------------------------------- rows


def _data_rows(
    grid: Grid,
    start: int,
    name_col: int,
    code_col: int | None,
    table: AreaTable,
    file: str,
) -> list[AreaRow]:
    """Area rows from `start` to the first blank row or footnote: a row with neither an
    area name nor counts, or text alone in the first column (a note). A named area whose
    counts are all blank is an error, never a silent end of the table."""
    rows: list[AreaRow] = []
    seen: dict[str, int] = {}
    count_cols = [c.index for c in table.columns]
    skipped = []
    for i in range(start, len(grid)):
        row = grid[i]
        cells = {j: clean(row[j]) if j < len(row) else None for j in count_cols}
        name = clean(row[name_col]) if name_col < len(row) else None
        if not any(cells.values()):
            if name is None or _is_note(name):
                break  # blank row, footnote or note text: the table has ended
            raise ParseError(
                SOURCE,
                file,
                f"sheet {table.sheet!r}: area {name!r} has no counts (not even a "
                "suppression marker such as [c])",
                row=i + 1,
            )
        if name is None:
            raise ParseError(
                SOURCE,
                file,
                f"sheet {table.sheet!r}: a row has counts but no area name",
                row=i + 1,
            )
        if _AGGREGATE_ROW.fullmatch(name):
            skipped.append(name)
            continue
        key = name.casefold()
        if key in seen:
            raise ParseError(
                SOURCE,
                file,
                f"sheet {table.sheet!r}: area {name!r} appears twice, at rows {seen[key]} "
                f"and {i + 1}",
                row=i + 1,
            )
        seen[key] = i + 1
        code = clean(row[code_col]) if code_col is not None and code_col < len(row) else None
        rows.append(AreaRow(i + 1, name, code, cells))
    if skipped:
        table.notes.append(f"{table.table_id}: aggregate rows not loaded: {skipped}")
    return rows


def sheet_text(grid: Grid, max_rows: int = 40) -> list[str]:
    """Each of the first rows' filled cells joined by spaces (cover-sheet searches)."""
    lines = []
    for row in grid[:max_rows]:
        text = " ".join(filter(None, (clean(c) for c in row)))
        if text:
            lines.append(text)
    return lines


def is_table_sheet(name: str) -> bool:
    return re.fullmatch(r"table[ _]*\d+[a-z]?", name.strip(), re.IGNORECASE) is not None


def first_matching(names: Sequence[str], pattern: str) -> str | None:
    regex = re.compile(pattern, re.IGNORECASE)
    return next((n for n in names if regex.search(n)), None)
