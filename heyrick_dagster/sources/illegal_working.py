"""Home Office: illegal working civil penalties for UK employers (one list per quarter).

Published format. The publication
https://www.gov.uk/government/publications/illegal-working-penalties-uk-report
holds one attachment per quarter. Recent quarters are GOV.UK HTML attachments
("Illegal working civil penalties for UK employers: 1 July to 30 September 2024"):
one table per region, each under a heading with the region's name, with five
columns: Liable party, Trading name, Address, Postcode, Penalty (£). The content
API (https://www.gov.uk/api/content/<path>) mirrors both the publication (its
`details.attachments[]` give each quarter's `title` and `url`) and each HTML
attachment (its `details.body` is the page's HTML); the live fetch keeps those
JSON documents byte for byte. Older quarters were PDF and ODS files per region
that also gave the number of illegal workers: spreadsheets with those columns
are read (one file per quarter); PDF is out of scope and is refused by name.

Quirks of the real lists, handled here:
- the penalty is text: "£45,000", sometimes with zero-width spaces (U+200B) inside;
  a value that is not whole pounds ("£12,5O0", letter O) is an error naming the row;
- the address is one comma-separated string ending in a county, region or town,
  with typos as published ("Yorkkshire"); it is split in staging, not here;
- postcodes are kept as published (one is truncated, "OL16 4T"); staging makes them
  canonical;
- the liable party is often the trading name itself (a company trading under its name);
- a row with a different number of cells from its header is an error, never dropped:
  a third party's scrape of Q3 2024 silently dropped such rows.

Keys: `record_id` is "<period>#<n>", n the 1-based position of the row within that
publication in document order (across the regional tables). `_source_row` is that
n for HTML, and the sheet's row number for spreadsheets. A spreadsheet's n follows
its own row order, which for a third party's re-sorted copy is not the page's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import govuk, http, raw_store
from heyrick_dagster.sources.base import (
    CheckSpec,
    Connector,
    Emit,
    ParseResult,
    RawTable,
    today_parameter,
)
from heyrick_dagster.sources.contract import RawContract, validate
from heyrick_dagster.sources.errors import FetchError, ParseError
from heyrick_dagster.sources.illegal_working_read import (
    SOURCE,
    Cell,
    Formula,
    Publication,
    Row,
    clean_text,
    period_from_text,
    read_file,
)
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.periods import PERIOD_PATTERN

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

TABLE = "penalties"

METADATA = SourceMetadata(
    key=SOURCE,
    title="Illegal working civil penalties for UK employers",
    publisher="Home Office (Immigration Enforcement)",
    licence="Open Government Licence v3.0",
    official_url="https://www.gov.uk/government/publications/illegal-working-penalties-uk-report",
    refresh_cadence="quarterly (one list per quarter, a few months after it ends)",
    stale_after_days=120,  # a quarterly list, published a few months after its quarter
    coverage="United Kingdom: employers issued a civil penalty for employing illegal workers "
    "whose objection and appeal rights are exhausted (about 200 to 700 a quarter)",
    data_owner_contact="Home Office Immigration Enforcement, via the contact details on the "
    "GOV.UK publication page",
)

GOVUK_BASE = "https://www.gov.uk"
PUBLICATION_PATH = "/government/publications/illegal-working-penalties-uk-report"
INDEX_FILE = "illegal-working-penalties-uk-report.json"
# Every quarter published as HTML: the series is short and each list small (~200 rows),
# and older penalties are still history of an employer. A number keeps the newest N.
LIVE_QUARTERS: int | None = None

COLUMNS = [
    "period",
    "region",
    "liable_party",
    "trading_name",
    "address",
    "postcode",
    "penalty_gbp",
    "illegal_workers",
    "record_id",
    "_source_file",
    "_source_row",
    "_vintage",
]
SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String,
    "region": pl.String,
    "liable_party": pl.String,
    "trading_name": pl.String,
    "address": pl.String,
    "postcode": pl.String,
    "penalty_gbp": pl.Int64,
    "illegal_workers": pl.Int64,
    "record_id": pl.String,
    "_source_file": pl.String,
    "_source_row": pl.Int64,
    "_vintage": pl.Date,
}
_TEXT_COLUMNS = ("liable_party", "trading_name", "address", "postcode")
# "45,000", "45000", "45,000.00": whole pounds, thousands commas optional.
_POUNDS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0{1,2})?$")


class PenaltiesContract(RawContract):
    """Structure, types and hard limits at ingest; content rules (postcode formats,
    completeness) are the Great Expectations suites' job, so that they reach the report."""

    period: str = pa.Field(nullable=False, str_matches=PERIOD_PATTERN)
    region: str = pa.Field(nullable=True)
    liable_party: str = pa.Field(nullable=False)
    trading_name: str = pa.Field(nullable=True)
    address: str = pa.Field(nullable=True)
    postcode: str = pa.Field(nullable=True)
    # The legal maximum is £60,000 per illegal worker; ten million pounds would be a
    # shifted column or a lost decimal point, not a penalty.
    penalty_gbp: int = pa.Field(nullable=False, ge=1, le=10_000_000)
    illegal_workers: int = pa.Field(nullable=True, ge=1, le=10_000)
    record_id: str = pa.Field(nullable=False, unique=True)


@dataclass(frozen=True)
class ParsedFile:
    frame: pl.DataFrame
    file: str
    period: str | None  # None for the publication index, which holds no table
    notes: list[str]


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class Quarter:
    period: str
    title: str
    path: str  # the HTML attachment's path on GOV.UK


def list_quarters(index: object, index_url: str) -> tuple[list[Quarter], list[str]]:
    """The HTML quarters the publication lists (oldest first), and the titles of the
    attachments not taken (PDF/ODS releases, anything that names no quarter)."""
    attachments = govuk.attachments(index) if isinstance(index, dict) else None
    if attachments is None:
        raise FetchError(SOURCE, index_url, "the publication has no details.attachments list")
    quarters: dict[str, Quarter] = {}
    skipped: list[str] = []
    for item in attachments:
        title = clean_text(str(item.get("title") or ""))
        period = _quarter_of_attachment(item, title, index_url)
        if period is None:
            skipped.append(f"{title} ({item.get('content_type') or item.get('attachment_type')})")
            continue
        if period in quarters:
            raise FetchError(
                SOURCE,
                index_url,
                f"two HTML attachments cover {period}: {quarters[period].title!r} and {title!r}",
                hint="the publisher may have re-issued a quarter; check the page and choose",
            )
        quarters[period] = Quarter(period, title, urlsplit(str(item["url"])).path)
    return [quarters[p] for p in sorted(quarters)], skipped


def _quarter_of_attachment(item: dict, title: str, index_url: str) -> str | None:
    is_html = item.get("attachment_type") == "html" or item.get("content_type") == "text/html"
    if not is_html or not item.get("url"):
        return None
    try:
        return period_from_text(title, index_url)
    except ParseError:
        return None  # a half-year or annual summary: not a quarterly list


def fetch_live(
    base_url: str,
    folder: Path,
    policy: http.RetryPolicy,
    newest: int | None = LIVE_QUARTERS,
    emit: Callable[[str], None] | None = None,
) -> list[raw_store.RawFile]:
    """Download the publication's content-API JSON and that of each HTML quarter (all,
    or the `newest` N), keeping the bytes and recording each in the manifest."""
    if newest is not None and newest < 1:
        raise ValueError(f"newest must be at least 1 (or None for every quarter), not {newest}")
    folder.mkdir(parents=True, exist_ok=True)
    index_url = govuk.content_url(base_url, PUBLICATION_PATH)
    index, index_file = govuk.keep_item(
        SOURCE, base_url, PUBLICATION_PATH, folder / INDEX_FILE, policy
    )
    files = [index_file]
    quarters, skipped = list_quarters(index, index_url)
    if not quarters:
        raise FetchError(
            SOURCE,
            index_url,
            "the publication lists no quarter as HTML",
            hint=f"attachments seen: {skipped[:5]}",
        )
    if skipped and emit:
        emit(
            f"{SOURCE}: {len(skipped)} attachment(s) not fetched (PDF/ODS releases and "
            f"non-quarterly documents are out of scope): {skipped[:3]}"
        )
    chosen = quarters[-newest:] if newest else quarters
    downloads = [
        http.Download(
            govuk.content_url(base_url, q.path),
            f"illegal-working-civil-penalties-{q.period}.json",
            q.period,
        )
        for q in chosen
    ]
    return files + http.download_all(SOURCE, downloads, folder, policy, emit)


# --------------------------------------------------------------------------- parse


def parse_file(path: Path) -> ParsedFile:
    """Read one publication into typed records; raise ParseError naming file and row."""
    publication = read_file(Path(path))
    if publication.period is None:
        return ParsedFile(_empty(), publication.file, None, publication.notes)
    records = [_record(row, n, publication) for n, row in enumerate(publication.rows, 1)]
    frame = pl.DataFrame(records, schema=SCHEMA, orient="row").select(COLUMNS)
    return ParsedFile(frame, publication.file, publication.period, publication.notes)


def _record(row: Row, n: int, publication: Publication) -> dict[str, object]:
    file = publication.file
    values: dict[str, object] = {c: _text(row, c, file) for c in _TEXT_COLUMNS}
    values["penalty_gbp"] = _whole_number(row, "penalty", file, money=True)
    values["illegal_workers"] = _whole_number(row, "illegal_workers", file, money=False)
    return values | {
        "period": publication.period,
        "region": row.region,
        "record_id": f"{publication.period}#{n}",
        "_source_file": file,
        "_source_row": row.source_row,
        "_vintage": publication.vintage,
    }


def _text(row: Row, column: str, file: str) -> str | None:
    value = row.cells.get(column)
    if isinstance(value, Formula):
        raise _formula(row, column, value, file)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(str(value)) if value is not None else ""
    return text or None


def _whole_number(row: Row, column: str, file: str, money: bool) -> int | None:
    value: Cell = row.cells.get(column)
    if isinstance(value, Formula):
        raise _formula(row, column, value, file)
    if value is None or (isinstance(value, str) and not clean_text(value)):
        if money:
            raise ParseError(SOURCE, file, f"{row.where}: the penalty is blank", row=row.source_row)
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return int(value)
    text = clean_text(str(value)).replace(" ", "")
    if money:
        text = text.removeprefix("£").removeprefix("GBP")
    if _POUNDS.match(text):
        return int(text.split(".")[0].replace(",", ""))
    what = "the penalty" if money else "the number of illegal workers"
    example = "like £45,000" if money else "like 3"
    raise ParseError(
        SOURCE,
        file,
        f"{row.where}: {what} {value!r} is not a whole number ({example})",
        row=row.source_row,
        hint="a letter O for a zero or a stray character; report it to the publisher",
    )


def _formula(row: Row, column: str, value: str, file: str) -> ParseError:
    return ParseError(
        SOURCE,
        file,
        f"{row.where}: {column} holds the formula {value}, not a published value",
        row=row.source_row,
        hint="the spreadsheet was edited by hand; use the published list",
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA).select(COLUMNS)


def parse_files(paths: Iterable[Path]) -> tuple[pl.DataFrame, list[ParsedFile]]:
    """Parse and contract-check several publications (one file per quarter)."""
    parsed = [parse_file(Path(p)) for p in paths]
    by_period: dict[str, str] = {}
    for item in parsed:
        if item.period is None:
            continue
        if item.period in by_period:
            raise ParseError(
                SOURCE,
                item.file,
                f"quarter {item.period} is also published by {by_period[item.period]}: two "
                "publications of one quarter would give every record_id twice",
                hint="keep one file per quarter",
            )
        by_period[item.period] = item.file
        validate(item.frame, PenaltiesContract, SOURCE, item.file)
    frames = [p.frame for p in parsed if p.period is not None]
    if not frames:
        return _empty(), parsed
    return pl.concat(frames, how="vertical"), parsed


# --------------------------------------------------------------------------- connector


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, parsed = parse_files(paths)
    return ParseResult({TABLE: frame}, [note for p in parsed for note in p.notes])


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    return fetch_live(
        GOVUK_BASE, folder, http.RetryPolicy.for_settings(settings), LIVE_QUARTERS, emit
    )


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per employer named in a quarter's list of illegal-working "
            "civil penalties (GOV.UK HTML tables, or a spreadsheet of the same columns).",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="illegal_working__penalties",
                    description="record_id unique and well formed, a liable party and a "
                    "penalty on every row, periods are quarters, postcodes mostly valid, "
                    "vintages not in the future. Failing blocks everything downstream.",
                    parameters=today_parameter,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="illegal_working__penalties_drift",
                    description="Row-count and penalty ceilings, completeness of postcodes, "
                    "addresses and trading names. Warns, never blocks.",
                    blocking=False,
                ),
            ),
        ),
    ),
    file_patterns=(
        "illegal-working-civil-penalties*.html",
        "illegal-working-civil-penalties*.htm",
        "illegal-working-civil-penalties*.json",
        "*.xlsx",
        "*.ods",
    ),
    parse=_parse,
    fetch_live=_fetch,
)
