"""Food Standards Agency: Food Hygiene Rating Scheme (FHRS/FHIS) open data.

Fetch: the ratings API's `/Authorities` (answers only with `x-api-version: 2`)
lists one XML file per local authority (`FileName`); those addresses redirect
(307) to the file. Parse: the XML is streamed record by record, because the
largest authority files reach tens of MB. Every published field is kept and
typed; columns are the snake_case of the published element names.

Facts of the real register this module is written for (see ../shared/data):
- elements that are empty are left out entirely, not written empty;
- `<RatingDate xsi:nil="true" />` for unrated premises, `<Geocode />`, `<Scores />`;
- the header's `ItemCount` must equal the number of establishments, otherwise
  a truncated file looks like a small council;
- Welsh authorities carry `cy-GB` rating keys in their English files, and
  Scotland's FHIS uses Pass / Improvement Required instead of 0-5.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandera.polars as pa
import polars as pl

from heyrick_dagster.quality.fhrs_frames import establishments_per_authority
from heyrick_dagster.sources import files, http, raw_store
from heyrick_dagster.sources.base import (
    CheckSpec,
    Connector,
    Emit,
    ParseResult,
    RawTable,
    today_parameter,
)
from heyrick_dagster.sources.contract import RawContract, cast_strict, validate
from heyrick_dagster.sources.errors import FetchError, ParseError, SourceError
from heyrick_dagster.sources.metadata import SourceMetadata

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

log = logging.getLogger(__name__)

SOURCE = "fhrs"
TABLE = "establishments"

METADATA = SourceMetadata(
    key=SOURCE,
    title="Food Hygiene Rating Scheme (FHRS) and Food Hygiene Information Scheme (FHIS)",
    publisher="Food Standards Agency (FSA)",
    licence="Open Government Licence v3.0",
    official_url="https://ratings.food.gov.uk/open-data",
    refresh_cadence="daily (one XML file per local authority)",
    stale_after_days=3,  # a daily file, with a weekend's slack
    coverage="England, Wales and Northern Ireland (FHRS, 0-5) and Scotland (FHIS, pass/fail); "
    "about 613,000 establishments in 363 local-authority files",
    data_owner_contact="FSA open data team, via ratings.food.gov.uk and each local authority's "
    "food team (LocalAuthorityEmailAddress in every record)",
)

API_HEADERS = {"x-api-version": "2", "Accept": "application/json"}
ROOT = "FHRSEstablishment"
RECORD = "EstablishmentDetail"

# Published element (path inside EstablishmentDetail) -> column name.
FIELDS: dict[str, str] = {
    "FHRSID": "fhrsid",
    "LocalAuthorityBusinessID": "local_authority_business_id",
    "BusinessName": "business_name",
    "BusinessType": "business_type",
    "BusinessTypeID": "business_type_id",
    "AddressLine1": "address_line_1",
    "AddressLine2": "address_line_2",
    "AddressLine3": "address_line_3",
    "AddressLine4": "address_line_4",
    "PostCode": "postcode",
    "RatingValue": "rating_value",
    "RatingKey": "rating_key",
    "RatingDate": "rating_date",
    "LocalAuthorityCode": "local_authority_code",
    "LocalAuthorityName": "local_authority_name",
    "LocalAuthorityWebSite": "local_authority_website",
    "LocalAuthorityEmailAddress": "local_authority_email_address",
    "Scores/Hygiene": "score_hygiene",
    "Scores/Structural": "score_structural",
    "Scores/ConfidenceInManagement": "score_confidence_in_management",
    "SchemeType": "scheme_type",
    "NewRatingPending": "new_rating_pending",
    "Geocode/Longitude": "longitude",
    "Geocode/Latitude": "latitude",
    # Added to the files from 2023; absent from older ones.
    "RightToReply": "right_to_reply",
}
# Container elements whose children are mapped above.
_CONTAINERS = {"Scores", "Geocode"}
_FIELDS_BY_LOWER = {key.lower(): key for key in FIELDS}

DTYPES: dict[str, pl.DataType] = {
    "fhrsid": pl.Int64,
    "business_type_id": pl.Int64,
    "rating_date": pl.Date,
    "score_hygiene": pl.Int64,
    "score_structural": pl.Int64,
    "score_confidence_in_management": pl.Int64,
    "new_rating_pending": pl.Boolean,
    "longitude": pl.Float64,
    "latitude": pl.Float64,
}
LINEAGE_COLUMNS = ["_source_file", "_source_row", "_vintage"]
COLUMNS = list(FIELDS.values()) + LINEAGE_COLUMNS


class EstablishmentsContract(RawContract):
    """Structure and types at ingest. Content rules (ratings, postcodes, uniqueness)
    are the Great Expectations suite's job, so that they reach the quality report."""

    fhrsid: int = pa.Field(nullable=False)
    local_authority_business_id: str = pa.Field(nullable=True)
    business_name: str = pa.Field(nullable=True)
    business_type: str = pa.Field(nullable=True)
    business_type_id: int = pa.Field(nullable=True)
    address_line_1: str = pa.Field(nullable=True)
    address_line_2: str = pa.Field(nullable=True)
    address_line_3: str = pa.Field(nullable=True)
    address_line_4: str = pa.Field(nullable=True)
    postcode: str = pa.Field(nullable=True)
    rating_value: str = pa.Field(nullable=True)
    rating_key: str = pa.Field(nullable=True)
    rating_date: date = pa.Field(nullable=True)
    local_authority_code: str = pa.Field(nullable=False)
    local_authority_name: str = pa.Field(nullable=True)
    local_authority_website: str = pa.Field(nullable=True)
    local_authority_email_address: str = pa.Field(nullable=True)
    score_hygiene: int = pa.Field(nullable=True, ge=0, le=25)
    score_structural: int = pa.Field(nullable=True, ge=0, le=25)
    score_confidence_in_management: int = pa.Field(nullable=True, ge=0, le=30)
    scheme_type: str = pa.Field(nullable=True)
    new_rating_pending: bool = pa.Field(nullable=True)
    longitude: float = pa.Field(nullable=True, ge=-180, le=180)
    latitude: float = pa.Field(nullable=True, ge=-90, le=90)
    right_to_reply: str = pa.Field(nullable=True)


@dataclass(frozen=True)
class ParsedFile:
    frame: pl.DataFrame
    file: str
    extract_date: date
    item_count: int
    unknown_fields: dict[str, int]  # published elements this parser does not map, with counts


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    file_url: str
    establishment_count: int | None


def list_authorities(api_base: str, policy: http.RetryPolicy) -> list[Authority]:
    """The FSA's index of authority files, from the ratings API."""
    url = f"{api_base}/Authorities"
    doc = http.fetch_json(SOURCE, url, headers=API_HEADERS, policy=policy)
    items = doc.get("authorities") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise FetchError(SOURCE, url, "the /Authorities answer has no 'authorities' list")
    authorities = []
    for item in items:
        file_url = (item.get("FileName") or "").strip()
        code = str(item.get("LocalAuthorityIdCode") or "").strip()
        if file_url and code:  # the API also lists country aggregates without a file
            authorities.append(
                Authority(code, item.get("Name", ""), file_url, item.get("EstablishmentCount"))
            )
    return authorities


def fetch_live(
    api_base: str,
    folder: Path,
    areas: Iterable[str],
    policy: http.RetryPolicy,
    emit: Callable[[str], None] | None = None,
) -> list[raw_store.RawFile]:
    """Download the XML file of every authority in scope (all when `areas` is empty),
    reporting progress per file through `emit` (default: this module's logger)."""
    wanted = set(areas)
    authorities = list_authorities(api_base, policy)
    if wanted:
        missing = wanted - {a.code for a in authorities}
        if missing:
            raise FetchError(
                SOURCE,
                f"{api_base}/Authorities",
                f"no FHRS file is listed for local-authority code(s) {sorted(missing)}",
                hint="check HEYRICK_AREAS against the FSA's LocalAuthorityIdCode values",
            )
        authorities = [a for a in authorities if a.code in wanted]
    downloads = [
        http.Download(
            a.file_url,
            a.file_url.rstrip("/").rsplit("/", 1)[-1] or f"FHRS{a.code}en-GB.xml",
            a.name,
        )
        for a in authorities
    ]
    return http.download_all(SOURCE, downloads, folder, policy, emit)


# --------------------------------------------------------------------------- parse


def parse_file(path: Path) -> ParsedFile:
    """Stream one authority file into a typed DataFrame; raise ParseError on bad input."""
    file = str(path)
    files.require_not_utf16(files.sniff(path, SOURCE, "FHRS XML"), SOURCE, file)
    records: list[dict[str, str | None]] = []
    unknown: Counter[str] = Counter()
    header: dict[str, str] = {}
    stack: list[str] = []
    current: dict[str, str | None] | None = None
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if not stack and tag != ROOT:
                    raise _wrong_root(path, tag)
                stack.append(tag)
                if tag == RECORD:
                    current = {}
                continue
            stack.pop()
            if current is not None:
                if tag == RECORD:
                    _finish_record(current, len(records) + 1, file)
                    records.append(current)
                    current = None
                    elem.clear()
                elif tag not in _CONTAINERS:
                    parent = stack[-1] if stack else ""
                    key = f"{parent}/{tag}" if parent in _CONTAINERS else tag
                    if key in FIELDS:
                        text = (elem.text or "").strip()
                        current[FIELDS[key]] = text or None
                    elif key.lower() in _FIELDS_BY_LOWER:
                        raise _renamed(file, key, len(records) + 1)
                    else:
                        unknown[key] += 1
            elif len(stack) == 2 and stack[1] == "Header":
                header[tag] = (elem.text or "").strip()
    except ET.ParseError as exc:
        raise _describe_xml_error(path, exc, len(records)) from exc

    if "ItemCount" not in header or "ExtractDate" not in header:
        raise ParseError(SOURCE, file, "the <Header> lacks ItemCount or ExtractDate")
    try:
        item_count = int(header["ItemCount"])
        extract_date = date.fromisoformat(header["ExtractDate"][:10])
    except ValueError as exc:
        raise ParseError(
            SOURCE,
            file,
            f"the <Header> is malformed: ItemCount {header['ItemCount']!r}, "
            f"ExtractDate {header['ExtractDate']!r}",
        ) from exc
    if item_count != len(records):
        raise ParseError(
            SOURCE,
            file,
            f"the header's ItemCount is {item_count} but the file holds {len(records)} "
            "establishments: the file is incomplete",
            row=len(records) + 1 if len(records) < item_count else item_count + 1,
            hint="download it again; a truncated file would look like a small council",
        )
    frame = _to_frame(records, file, extract_date)
    return ParsedFile(frame, file, extract_date, item_count, dict(unknown))


def _finish_record(record: dict[str, str | None], row: int, file: str) -> None:
    if not record.get("fhrsid"):
        name = record.get("business_name")
        raise ParseError(
            SOURCE,
            file,
            f"establishment {row} has no FHRSID" + (f" (BusinessName {name!r})" if name else ""),
            row=row,
        )
    record["_source_row"] = str(row)


def _renamed(file: str, key: str, row: int) -> ParseError:
    """An element that differs from a published one only in case is a renamed field:
    read as unknown, its values would be lost without a word."""
    return ParseError(
        SOURCE,
        file,
        f"establishment {row} has the element <{key}>, which is not in the published format: "
        f"the publisher renamed <{_FIELDS_BY_LOWER[key.lower()]}>",
        row=row,
        hint="the column map FIELDS in sources/fhrs.py needs the new name",
    )


def _wrong_root(path: Path, tag: str) -> ParseError:
    if tag.lower() == "html":
        return ParseError(
            SOURCE,
            str(path),
            "the file is an HTML page, not FHRS XML: an error page was served instead of the file",
        )
    return ParseError(
        SOURCE,
        str(path),
        f"the root element is <{tag}>, expected <{ROOT}>: this is not an FHRS open-data file",
    )


def _describe_xml_error(path: Path, exc: ET.ParseError, parsed: int) -> ParseError:
    file = str(path)
    line, column = exc.position
    row = parsed + 1
    if "no element found" in str(exc) or "unclosed token" in str(exc):
        return ParseError(
            SOURCE,
            file,
            f"the XML ends early (truncated) at line {line}, column {column}, inside "
            f"establishment {row}; {parsed} complete establishments precede it",
            row=row,
            hint="download it again",
        )
    if "not well-formed" in str(exc) and _is_encoding_problem(path, line, column):
        return ParseError(
            SOURCE,
            file,
            f"the text is not UTF-8 at line {line}, column {column} (establishment {row}): "
            "the file was probably re-saved in another encoding such as Windows-1252",
            row=row,
            hint="FHRS files are UTF-8; fetch the original file",
        )
    return ParseError(
        SOURCE, file, f"the XML is malformed at line {line}, column {column} ({exc})", row=row
    )


def _is_encoding_problem(path: Path, line: int, column: int) -> bool:
    """True when the bytes near expat's error position are not valid UTF-8."""
    with path.open("rb") as fh:
        for _ in range(line - 1):
            fh.readline()
        current = fh.readline()
    window = current[max(0, column - 8) : column + 8]
    try:
        window.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _to_frame(records: list[dict], file: str, extract_date: date) -> pl.DataFrame:
    string_schema = {c: pl.String for c in FIELDS.values()} | {"_source_row": pl.String}
    frame = (
        pl.DataFrame(records, schema=string_schema, orient="row")
        if records
        else pl.DataFrame(schema=string_schema)
    )
    frame = frame.with_columns(
        pl.lit(file).alias("_source_file"),
        pl.col("_source_row").cast(pl.Int64),
        pl.lit(extract_date).alias("_vintage"),
    )
    frame = cast_strict(frame, DTYPES, SOURCE, file)
    return frame.select(COLUMNS)


def parse_files(paths: Iterable[Path]) -> tuple[pl.DataFrame, list[ParsedFile]]:
    """Parse and contract-check several authority files; returns the union and per-file facts."""
    parsed = [parse_file(Path(p)) for p in paths]
    for item in parsed:
        validate(item.frame, EstablishmentsContract, SOURCE, item.file)
    if not parsed:
        return _to_frame([], "", date.today()).clear(), parsed
    frame = pl.concat([p.frame for p in parsed], how="vertical")
    return frame, parsed


# --------------------------------------------------------------------------- connector

_FILE_NAME = re.compile(r"^FHRS(\d+)([a-z]{2})-GB\.xml$")
# Welsh authorities publish each file twice, in English and in Welsh (cy-GB), with the
# same establishments: one is read, the English one.
_PREFERRED_LANGUAGE = "en"


def select_in_scope(
    paths: list[Path], areas: tuple[str, ...], emit: Emit | None = None
) -> list[Path]:
    """The authority files of the FSA codes in HEYRICK_AREAS (all when empty). Every file
    left out is reported through `emit` (default: this module's logger) with the reason:
    a name that is not an authority file's, a second language copy, or an area not in
    scope."""
    say = emit or log.info
    by_code: dict[str, Path] = {}
    for path in sorted(paths, key=_language_first):
        match = _FILE_NAME.match(path.name)
        if match is None:
            say(f"fhrs: ignored {path.name}: not named like an authority file FHRS<code>en-GB.xml")
        elif match.group(1) in by_code:
            say(
                f"fhrs: ignored {path.name}: another language copy of authority "
                f"{match.group(1)}, whose {by_code[match.group(1)].name} is read"
            )
        else:
            by_code[match.group(1)] = path
    if not areas:
        return sorted(by_code.values())
    outside = sorted(set(by_code) - set(areas))
    if outside:
        say(
            f"fhrs: ignored {len(outside)} authority file(s) not in HEYRICK_AREAS "
            f"(codes {outside[:10]}{' ...' if len(outside) > 10 else ''})"
        )
    missing = sorted(set(areas) - set(by_code))
    if missing:
        folder = paths[0].parent if paths else None
        raise SourceError(
            SOURCE,
            folder,
            f"no authority file for HEYRICK_AREAS code(s) {missing}; there are {sorted(by_code)}",
        )
    return [by_code[a] for a in areas]


def _language_first(path: Path) -> tuple[bool, str]:
    match = _FILE_NAME.match(path.name)
    return (not match or match.group(2) != _PREFERRED_LANGUAGE, path.name)


def _parse(paths: Sequence[Path]) -> ParseResult:
    frame, parsed = parse_files(paths)
    notes = [
        f"{Path(p.file).name}: published fields not mapped: {p.unknown_fields}"
        for p in parsed
        if p.unknown_fields
    ]
    return ParseResult({TABLE: frame}, notes)


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    return fetch_live(
        settings.fhrs_api_base,
        folder,
        settings.areas,
        http.RetryPolicy.for_settings(settings),
        emit,
    )


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per EstablishmentDetail of the per-authority XML files.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="fhrs__establishments",
                    description="FHRSID unique and not null, ratings in the published "
                    "vocabulary, postcode format rate, rating dates not in the future, scores "
                    "in their sets. Failing blocks everything downstream.",
                    parameters=today_parameter,
                ),
                CheckSpec(
                    name="every_authority_meets_row_floor",
                    suite="fhrs__establishments_per_authority",
                    description="Every authority file holds at least the floor of "
                    "establishments (a truncated file looks like a small council).",
                    frame=establishments_per_authority,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="fhrs__establishments_drift",
                    description="Row-count ceiling and completeness of geocodes, postcodes and "
                    "rating dates. Warns, never blocks.",
                    blocking=False,
                ),
            ),
        ),
    ),
    file_patterns=("FHRS*.xml",),
    parse=_parse,
    fetch_live=_fetch,
    select=select_in_scope,
)
