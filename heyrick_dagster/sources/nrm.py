"""Home Office: National Referral Mechanism (NRM) statistics, referrals by area.

Published quarterly on GOV.UK ("National Referral Mechanism statistics UK,
quarter N YYYY", collection national-referral-mechanism-statistics) with an
ODS "data tables" file per quarter, e.g.
`national-referral-mechanism-statistics-uk-quarter-3-2025-jul-to-sep-tables.ods`
(month words vary: `july-to-september`, `january-to-march`, and older files
start `modern-slavery-`). Fetch: the GOV.UK content API lists the collection's
publications; each publication's attachments include the tables ODS.

WRITTEN AGAINST THE PUBLISHED LAYOUT, NOT A LOCAL COPY: no real tables file
was available to this project (../shared/data/PROVENANCE.md, "Not found").
What is known of the real files, from public code that reads them:
- one table per sheet, named `Table_1`, `Table_2`, ... beside `Cover_sheet`,
  a contents sheet and `Notes` (GSS accessible-spreadsheet conventions);
- a table sheet opens with title, "This worksheet contains one table..." and
  source rows; the Q3 2025 `Table_12` has its header on row 6 ("UK County" |
  "Total") and one row per historic county below (74 counties, counts as low
  as 1 shown unsuppressed);
- other tables use a two-row header: "Adult (18 or over)" / "Child (17 or
  under)" / "Age not specified or unknown" over the categories, with "Total"
  columns; exploitation types are Labour, Sexual, Criminal, Domestic
  servitude and "Not specified or unknown";
- GSS markers: [c] confidential, [x] not available, [z] not applicable.

So the parser reads the TABLE, not the decoration (`nrm_tables.py`): it finds
the header by its content, reads area rows until the first blank row or
footnote, drops totals (they are sums of the rows loaded), treats the markers
as null counts with `suppressed`, and returns one long table. Tables by
police force area, county or local authority are loaded; other tables (by
nationality, first responder, ...) are skipped and listed in the notes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlparse

import fastexcel
import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import files, govuk, http, raw_store
from heyrick_dagster.sources.base import (
    CheckSpec,
    Connector,
    Emit,
    ParseResult,
    RawTable,
    today_parameter,
)
from heyrick_dagster.sources.contract import RawContract, cast_strict, validate
from heyrick_dagster.sources.errors import ContractError, FetchError, ParseError
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.nrm_tables import (
    SUPPRESSION_MARKERS,
    AreaTable,
    Grid,
    first_matching,
    is_table_sheet,
    read_area_table,
    sheet_text,
)
from heyrick_dagster.sources.periods import (
    PERIOD_PATTERN,
    NotAQuarter,
    find_quarter,
    quarter_bounds,
    quarter_end,
)

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

SOURCE = "nrm"
TABLE = "referrals"

METADATA = SourceMetadata(
    key=SOURCE,
    title="National Referral Mechanism (NRM) statistics: referrals of potential victims "
    "of modern slavery, by area",
    publisher="Home Office",
    licence="Open Government Licence v3.0",
    official_url="https://www.gov.uk/government/collections/national-referral-mechanism-statistics",
    refresh_cadence="quarterly (one ODS tables file per quarter)",
    stale_after_days=105,  # quarterly, with two weeks' slack
    coverage="UK; referrals by police force area, county or local authority of exploitation, "
    "by exploitation type and age group where the tables split them",
    data_owner_contact="Home Office Modern Slavery statistics team (contact on each "
    "release's cover sheet)",
    required=False,
)

GOVUK = "https://www.gov.uk"
COLLECTION_PATH = "/government/collections/national-referral-mechanism-statistics"
# The newest quarters fetched live; older releases used other table layouts.
LIVE_QUARTERS = 4

GEOGRAPHY_TYPES = ("pfa", "county", "local_authority")
EXPLOITATION_TYPES = (
    "Labour",
    "Sexual",
    "Criminal",
    "Domestic servitude",
    "Organ harvesting",
    "Not specified or unknown",
    "All",
)
AGE_GROUPS = ("Adult", "Child", "Not specified or unknown", "All")
KEY = ["period", "table_id", "geography_type", "geography_name", "exploitation_type", "age_group"]
SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String,
    "geography_type": pl.String,
    "geography_name": pl.String,
    "geography_code": pl.String,
    "exploitation_type": pl.String,
    "age_group": pl.String,
    "referrals": pl.Int64,
    "suppressed": pl.Boolean,
    "table_id": pl.String,
    "_source_file": pl.String,
    "_source_row": pl.Int64,
    "_vintage": pl.Date,
}
COLUMNS = list(SCHEMA)

ODS = "an ODS spreadsheet"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# "Next publication date: ..." on the same cover sheet is not this release's date.
_PUBLISHED = re.compile(
    r"(?<!next )(?:publication date|date of publication|published(?: on)?|release date)\s*:?\s*"
    r"(\d{1,2}\s+[A-Za-z]+\s+\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_TABLES_FILE = re.compile(r"quarter-[1-4]-\d{4}.*tables\.ods$", re.IGNORECASE)


class ReferralsContract(RawContract):
    """Structure, types and vocabularies at ingest. Uniqueness of the key, row floors and
    drift are the Great Expectations suites' job, so that they reach the quality report."""

    period: str = pa.Field(nullable=False, str_matches=PERIOD_PATTERN)
    geography_type: str = pa.Field(nullable=False, isin=list(GEOGRAPHY_TYPES))
    geography_name: str = pa.Field(nullable=False)
    geography_code: str = pa.Field(nullable=True)
    exploitation_type: str = pa.Field(nullable=False, isin=list(EXPLOITATION_TYPES))
    age_group: str = pa.Field(nullable=False, isin=list(AGE_GROUPS))
    referrals: int = pa.Field(nullable=True, ge=0)
    suppressed: bool = pa.Field(nullable=False)
    table_id: str = pa.Field(nullable=False, str_matches=r"^Table \d+[a-z]?$")


@dataclass(frozen=True)
class ParsedFile:
    frame: pl.DataFrame
    file: str
    period: str  # "2025Q3"
    vintage: date  # publication date from the cover sheet, else the quarter's last day
    tables: list[str]  # "Table 11 (pfa, 45 areas)"
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- periods


def period_from_name(name: str) -> str | None:
    """The quarter a tables file's name names ("...-quarter-3-2025-...")."""
    try:
        return find_quarter(name)
    except NotAQuarter:  # an annual file ("january-to-december-2024") is not a quarter's
        return None


def period_from_text(lines: Iterable[str]) -> str | None:
    """'... UK, Quarter 3 2025 (July to September)' or '... July to September 2025': the
    first line of the cover sheet that names a quarter (a line naming a longer range, such
    as a year's comparison, is passed over)."""
    for line in lines:
        try:
            if period := find_quarter(line):
                return period
        except NotAQuarter:
            continue
    return None


def _published_on(lines: Iterable[str]) -> date | None:
    for line in lines:
        if match := _PUBLISHED.search(line):
            text = match.group(1)
            for fmt in ("%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
                try:
                    return datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
    return None


# --------------------------------------------------------------------------- reading


def _check_container(path: Path) -> None:
    """An ODS is a zip holding content.xml; say plainly what arrived instead."""
    file = str(path)
    files.sniff(path, SOURCE, ODS)
    names = files.check_archive(path, SOURCE, ODS, "content.xml")
    with zipfile.ZipFile(path) as archive:
        mimetype = archive.read("mimetype").strip() if "mimetype" in names else None
    if mimetype not in (None, ODS_MIMETYPE):
        raise ParseError(
            SOURCE,
            file,
            f"the zip is not an OpenDocument spreadsheet: its mimetype is {mimetype!r} "
            f"(members: {names[:6]})",
        )


def _read_grid(reader: fastexcel.ExcelReader, sheet: str, file: str) -> Grid:
    """Every cell as text, row i of the list being row i+1 of the sheet: `skip_rows=0`
    keeps leading blank rows, which calamine would otherwise drop."""
    try:
        frame = reader.load_sheet_by_name(
            sheet, header_row=None, skip_rows=0, dtypes="string"
        ).to_polars()
    except Exception as exc:  # fastexcel raises its own error classes per failure
        raise ParseError(SOURCE, file, f"sheet {sheet!r} cannot be read: {exc}") from exc
    return [list(row) for row in frame.rows()]


def _open(path: Path) -> fastexcel.ExcelReader:
    _check_container(path)
    try:
        return fastexcel.read_excel(str(path))
    except Exception as exc:
        raise ParseError(SOURCE, str(path), f"the spreadsheet cannot be opened: {exc}") from exc


def _period_and_vintage(path: Path, cover: list[str]) -> tuple[str, date]:
    file = str(path)
    by_name, by_cover = period_from_name(path.name), period_from_text(cover)
    if by_name and by_cover and by_name != by_cover:
        raise ParseError(
            SOURCE,
            file,
            f"the file name says quarter {by_name} but the cover sheet says {by_cover}",
            row=1,
            hint="a mislabelled file would put one quarter's counts under another",
        )
    period = by_name or by_cover
    if period is None:
        raise ParseError(
            SOURCE,
            file,
            "neither the file name ('...-quarter-3-2025-...') nor the cover sheet title "
            "('... Quarter 3 2025 ...') names the quarter",
        )
    published = _published_on(cover)
    if published is not None and published < quarter_bounds(period)[0]:
        raise ParseError(
            SOURCE,
            file,
            f"the cover sheet dates the release {published}, before the quarter it covers "
            f"({period}) began: the publication date or the quarter is mistyped",
            hint="a release comes out months after its quarter; check the cover sheet",
        )
    return period, published or quarter_end(period)


def parse_file(path: Path) -> ParsedFile:
    """Every table by area in one quarter's ODS, as one typed long frame."""
    path = Path(path)
    file = str(path)
    reader = _open(path)
    names = list(reader.sheet_names)
    cover_sheet = first_matching(names, r"cover") or names[0]
    period, vintage = _period_and_vintage(path, sheet_text(_read_grid(reader, cover_sheet, file)))
    table_sheets = [n for n in names if is_table_sheet(n)]
    frames, loaded, notes = [], [], []
    for sheet in table_sheets:
        table = read_area_table(_read_grid(reader, sheet, file), sheet, file)
        if table is None:
            continue
        frame = _table_frame(table, period, vintage, file)
        frames.append(frame)
        loaded.append(f"{table.table_id} ({table.geography_type}, {len(table.rows)} areas)")
        notes.extend(table.notes)
    if not frames:
        raise ParseError(
            SOURCE,
            file,
            f"none of the table sheets {table_sheets} is a table by police force area, county "
            "or local authority (a header row starting 'Police force area', 'UK County' or "
            "'Local authority')",
            hint="is this the NRM tables file? The layout may have changed",
        )
    skipped = len(table_sheets) - len(loaded)
    notes.insert(0, f"{path.name}: loaded {loaded}; {skipped} other table sheet(s) skipped")
    return ParsedFile(pl.concat(frames), file, period, vintage, loaded, notes)


def _table_frame(table: AreaTable, period: str, vintage: date, file: str) -> pl.DataFrame:
    records = []
    for row in table.rows:
        for column in table.columns:
            text = row.cells[column.index]
            if text is None:
                raise ParseError(
                    SOURCE,
                    file,
                    f"sheet {table.sheet!r}: the cell for {row.name!r}, column "
                    f"{column.label!r} is blank; GSS tables mark a missing count [c], [x] or [z]",
                    row=row.row,
                )
            suppressed = text.lower() in SUPPRESSION_MARKERS
            count = None if suppressed else text
            if count and _THOUSANDS.match(count):  # "1,234" typed as text
                count = count.replace(",", "")
            records.append(
                {
                    "geography_name": row.name,
                    "geography_code": row.code,
                    "exploitation_type": column.exploitation_type,
                    "age_group": column.age_group,
                    "gender": column.gender,
                    "referrals": count,
                    "suppressed": suppressed,
                    "_source_row": row.row,
                }
            )
    frame = pl.DataFrame(
        records,
        schema={
            "geography_name": pl.String,
            "geography_code": pl.String,
            "exploitation_type": pl.String,
            "age_group": pl.String,
            "gender": pl.String,
            "referrals": pl.String,
            "suppressed": pl.Boolean,
            "_source_row": pl.Int64,
        },
        orient="row",
    ).with_columns(pl.lit(file).alias("_source_file"))
    try:
        frame = cast_strict(frame, {"referrals": pl.Int64}, SOURCE, file)
    except ContractError as exc:
        raise _in_sheet(exc, table) from exc
    frame = _sum_over_gender(frame).with_columns(
        pl.lit(period).alias("period"),
        pl.lit(table.geography_type).alias("geography_type"),
        pl.lit(table.table_id).alias("table_id"),
        pl.lit(vintage).alias("_vintage"),
    )
    frame = frame.select(COLUMNS)
    try:
        validate(frame, ReferralsContract, SOURCE, file)
    except ContractError as exc:
        raise _in_sheet(exc, table) from exc
    return frame


def _sum_over_gender(frame: pl.DataFrame) -> pl.DataFrame:
    """Tables split by sex are summed to one count per area, age and exploitation type;
    a suppressed part makes the sum unknown (null, suppressed)."""
    keys = ["geography_name", "geography_code", "exploitation_type", "age_group"]
    if frame["gender"].is_null().all():
        return frame.drop("gender")
    return frame.group_by(keys, maintain_order=True).agg(
        pl.when(pl.col("suppressed").any())
        .then(pl.lit(None, dtype=pl.Int64))
        .otherwise(pl.col("referrals").sum())
        .alias("referrals"),
        pl.col("suppressed").any(),
        pl.col("_source_row").first(),
        pl.col("_source_file").first(),
    )


def _in_sheet(exc: ContractError, table: AreaTable) -> ContractError:
    """The same error, saying which sheet and which cell: a row number alone is
    ambiguous in a workbook of thirty sheets."""
    where = ""
    if exc.failures:
        first = exc.failures[0]
        where = (
            f" (area {first.get('geography_name')!r}, {first.get('age_group')} / "
            f"{first.get('exploitation_type')})"
        )
    return ContractError(
        exc.source,
        exc.file,
        f"sheet {table.sheet!r} ({table.table_id}){where}: {exc.message}",
        row=exc.row,
        hint=exc.hint,
        failures=exc.failures,
    )


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def parse_files(paths: Iterable[Path]) -> tuple[pl.DataFrame, list[ParsedFile]]:
    """Parse and contract-check several quarters' files; returns the union and per-file facts."""
    parsed = [parse_file(Path(p)) for p in paths]
    by_period: dict[str, str] = {}
    for item in parsed:
        if item.period in by_period:
            raise ParseError(
                SOURCE,
                item.file,
                f"quarter {item.period} is also in {by_period[item.period]}: "
                "each quarter's tables may be loaded once",
                hint="keep only the latest release of each quarter",
            )
        by_period[item.period] = item.file
    if not parsed:
        return empty_frame(), parsed
    return pl.concat([p.frame for p in parsed], how="vertical"), parsed


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class TablesFile:
    period: str
    url: str
    file_name: str
    publication: str  # the GOV.UK page it is attached to


def _documents(govuk_base: str, policy: http.RetryPolicy, collection_path: str) -> list[dict]:
    collection = govuk.get_item(SOURCE, govuk_base, collection_path, policy)
    url = govuk.content_url(govuk_base, collection_path)
    documents = govuk.documents(SOURCE, collection, url)
    return sorted(documents, key=lambda d: d.get("public_updated_at") or "", reverse=True)


def _tables_attachment(govuk_base: str, base_path: str, policy) -> TablesFile | None:
    publication = govuk.get_item(SOURCE, govuk_base, base_path, policy)
    for attachment in govuk.attachments(publication) or []:
        href = urljoin(f"{govuk_base}/", attachment.get("url") or "")
        name = attachment.get("filename") or unquote(urlparse(href).path.rsplit("/", 1)[-1])
        period = period_from_name(name)
        if _TABLES_FILE.search(name) and period:
            return TablesFile(period, href, name, f"{GOVUK}{base_path}")
    return None


def list_tables_files(
    govuk_base: str,
    policy: http.RetryPolicy,
    quarters: int = LIVE_QUARTERS,
    collection_path: str = COLLECTION_PATH,
) -> list[TablesFile]:
    """The newest `quarters` quarterly tables files of the collection, newest first.
    Publications are read newest first and the walk stops once enough are found."""
    found: dict[str, TablesFile] = {}
    for document in _documents(govuk_base, policy, collection_path):
        tables = _tables_attachment(govuk_base, document["base_path"], policy)
        if tables and tables.period not in found:
            found[tables.period] = tables
        if len(found) >= quarters:
            break
    if not found:
        raise FetchError(
            SOURCE,
            govuk.content_url(govuk_base, collection_path),
            "no publication in the collection has a quarterly tables ODS attached",
        )
    return sorted(found.values(), key=lambda t: t.period, reverse=True)


def fetch_live(
    govuk_base: str,
    folder: Path,
    policy: http.RetryPolicy,
    emit: Callable[[str], None] | None = None,
    quarters: int = LIVE_QUARTERS,
) -> list[raw_store.RawFile]:
    """Download the newest quarters' tables files, reporting progress per file."""
    tables = list_tables_files(govuk_base, policy, quarters)
    downloads = [http.Download(t.url, t.file_name, t.period) for t in tables]
    return http.download_all(SOURCE, downloads, folder, policy, emit)


# --------------------------------------------------------------------------- connector


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, parsed = parse_files(paths)
    return ParseResult({TABLE: frame}, [note for p in parsed for note in p.notes])


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    return fetch_live(GOVUK, folder, http.RetryPolicy.for_settings(settings), emit)


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per area x exploitation type x age group x table x quarter "
            "of the NRM tables by police force area, county or local authority.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="nrm__referrals",
                    description="Key unique and complete, vocabularies, quarter format, counts "
                    "not negative and present unless suppressed, publication not in the "
                    "future. Failing blocks everything downstream.",
                    parameters=today_parameter,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="nrm__referrals_drift",
                    description="Row-count and per-cell ceilings and the share of suppressed "
                    "counts. Warns, never blocks.",
                    blocking=False,
                ),
            ),
        ),
    ),
    file_patterns=("*.ods",),
    parse=_parse,
    fetch_live=_fetch,
)
