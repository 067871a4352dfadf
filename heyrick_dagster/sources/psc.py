"""Companies House: the persons with significant control (PSC) snapshot, pseudonymised.

Published daily at https://download.companieshouse.gov.uk/en_pscdata.html as zip parts
(`psc-snapshot-YYYY-MM-DD_NofM.zip`) and as one zip
(`persons-with-significant-control-snapshot-YYYY-MM-DD.zip`); each zip holds one text
member of the same name (`.txt`), JSON lines, one record a line:

    {"company_number": "09876543", "data": {"kind": "individual-person-with-significant-control",
     "name": "Mr James Brian", "name_elements": {"title": "Mr", "forename": "James",
     "surname": "Brian"}, "date_of_birth": {"year": 1988, "month": 4},
     "nationality": "British", "country_of_residence": "Wales",
     "address": {"address_line_1": "Crown Way", "postal_code": "CF14 3UZ", ...},
     "natures_of_control": ["ownership-of-shares-25-to-50-percent"],
     "notified_on": "2016-04-06", "ceased_on": "2019-01-31",
     "links": {"self": "/company/09876543/persons-with-significant-control/individual/..."},
     "etag": "..."}}

Kinds: individual, corporate-entity and legal-person PSCs (kept), super-secure PSCs (kept,
with no identity: the register withholds it), statements ("no PSC can be identified"),
exemptions, and one trailer `totals#persons-of-significant-control-snapshot` in the last
part (counted in the notes, not kept). The snapshot keeps the PSC records of companies
that have since been dissolved (OpenSanctions measured 38.5% of its records pointing at
companies absent from BasicCompanyData, opensanctions/opensanctions#5361): a company
number found here and not on the live register is a dissolved company, which is how the
phoenix indicator sees predecessors that the live register no longer lists.

PEOPLE: an individual's name and birth month and year are replaced AT INGEST by a keyed
hash (`psc_pseudonyms`): `controller_id` = HMAC-SHA256(HEYRICK_PSEUDONYM_KEY, normalised
name | birth year-month). Nationality, country of residence, the service address (but
its postcode), the record's self link (which carries the register's id of the person)
and etag are dropped. Nothing identifying a person reaches DuckDB; the raw file, kept
under data/raw/psc/, still holds them (DATA_PROTECTION.md). The synthetic sample's files
say they are synthetic in their zip comment and are hashed with the documented sample
key when no key is set; any other file needs the key, and says so.

`record_id` is the keyed hash of the record's self link: stable across snapshots and
unique within one. `_vintage` is the snapshot date in the file name.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

import duckdb
import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import files, http, raw_store
from heyrick_dagster.sources.base import CheckSpec, Connector, Emit, ParseResult, RawTable
from heyrick_dagster.sources.contract import RawContract, validate
from heyrick_dagster.sources.errors import ContractError, FetchError, ParseError
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.psc_pseudonyms import (
    MissingKeyError,
    entity_identity,
    key_bytes,
    normalised_name_expr,
    person_identity,
    pseudonym,
    pseudonyms,
)
from heyrick_dagster.sources.snapshot_listing import SnapshotNames, fetch_page, newest_snapshot

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

log = logging.getLogger(__name__)

SOURCE = "psc"
TABLE = "persons_with_significant_control"
DOWNLOAD_PAGE = "https://download.companieshouse.gov.uk/en_pscdata.html"
PSC_REGISTER_START = date(2016, 4, 6)  # Part 21A of the Companies Act 2006 took effect
# The sample writer puts this at the start of its zips' comment (the member itself is
# JSON lines, with no room for a note).
SYNTHETIC_MARK = b"SYNTHETIC DATA"

METADATA = SourceMetadata(
    key=SOURCE,
    title="Companies House People with Significant Control (PSC) snapshot",
    publisher="Companies House",
    licence="Open Government Licence v3.0",
    official_url=DOWNLOAD_PAGE,
    refresh_cadence="daily (a snapshot of the PSC register, in zip parts or one zip)",
    stale_after_days=40,  # used like the monthly company data it is joined to
    coverage="the PSCs of every company on the UK register, dissolved companies' records "
    "included (~15 million records); names and birth dates pseudonymised at ingest",
    data_owner_contact="Companies House, enquiries@companieshouse.gov.uk",
    required=False,
)

INDIVIDUAL = "individual-person-with-significant-control"
PSC_KINDS = (
    INDIVIDUAL,
    "corporate-entity-person-with-significant-control",
    "legal-person-person-with-significant-control",
    "super-secure-person-with-significant-control",
)
# Published kinds that are not a controller: counted in the notes, not kept.
OTHER_KINDS = (
    "persons-with-significant-control-statement",
    "exemptions",
    "totals#persons-of-significant-control-snapshot",
)

_PART_NAME = re.compile(r"psc-snapshot-(\d{4}-\d{2}-\d{2})_(\d+)of(\d+)\.(?:zip|txt)$")
_ONE_FILE_NAME = re.compile(
    r"persons-with-significant-control-snapshot-(\d{4}-\d{2}-\d{2})\.(?:zip|txt)$"
)
_LINK = re.compile(
    r"""href\s*=\s*["']([^"']*?((?:psc-snapshot-\d{4}-\d{2}-\d{2}_\d+of\d+|"""
    r"""persons-with-significant-control-snapshot-\d{4}-\d{2}-\d{2})\.zip))["']""",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# About 90,000 lines of the snapshot; a block's parsed frames take ~0.3 GB.
_BLOCK_BYTES = 64 << 20

SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String,
    "company_number": pl.String,
    "kind": pl.String,
    "controller_id": pl.String,
    "is_individual": pl.Boolean,
    "natures_of_control": pl.String,
    "notified_on": pl.Date,
    "ceased_on": pl.Date,
    "address_postcode": pl.String,
    "_source_file": pl.String,
    "_source_row": pl.Int64,
    "_vintage": pl.Date,
}
COLUMNS = list(SCHEMA)


class ControlsContract(RawContract):
    """Structure and types at ingest; what makes the table safe to hold: controller_id is a
    64-character hash, and no column for a name or a birth date exists (strict columns).
    Ranges and key uniqueness are the Great Expectations suite's."""

    record_id: str = pa.Field(nullable=False, str_matches=r"^[0-9a-f]{64}$")
    company_number: str = pa.Field(nullable=False, str_length={"min_value": 1})
    kind: str = pa.Field(nullable=False, isin=list(PSC_KINDS))
    controller_id: str = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")
    is_individual: bool = pa.Field(nullable=False)
    natures_of_control: str = pa.Field(nullable=True)
    notified_on: date = pa.Field(nullable=True)
    ceased_on: date = pa.Field(nullable=True)
    address_postcode: str = pa.Field(nullable=True)


@dataclass
class ParsedFile:
    frame: pl.DataFrame
    file: str
    vintage: date
    lines: int
    other_kinds: dict[str, int] = field(default_factory=dict)
    totals: dict | None = None  # the trailer's counts, in the file that carries it

    def note(self) -> str:
        text = f"{Path(self.file).name}: {self.lines:,} lines, {self.frame.height:,} PSC records"
        if self.other_kinds:
            text += f"; not kept: {self.other_kinds}"
        if self.totals:
            text += f"; the snapshot's totals line: {self.totals}"
        return text


# --------------------------------------------------------------------------- fetch


_NAMES = SnapshotNames(_LINK, _PART_NAME, _ONE_FILE_NAME, "PSC snapshot zip files")


def list_published_files(page_url: str, policy: http.RetryPolicy) -> list[str]:
    """The newest snapshot on the download page: all its parts, else its one file."""
    return newest_snapshot(SOURCE, page_url, fetch_page(SOURCE, page_url, policy), _NAMES).urls


def fetch_live(
    page_url: str,
    folder: Path,
    policy: http.RetryPolicy,
    pseudonym_key: str | None,
    emit: Emit | None = None,
) -> list[raw_store.RawFile]:
    """Download the newest snapshot's zips into `folder`, once the pseudonymisation key is
    known to be set: a snapshot is ~2 GB that could never be read without it."""
    try:
        key_bytes(pseudonym_key, synthetic=False)
    except MissingKeyError as exc:
        raise FetchError(SOURCE, page_url, str(exc)) from exc
    urls = list_published_files(page_url, policy)
    downloads = [http.Download(url, url.rsplit("/", 1)[-1]) for url in urls]
    return http.download_all(SOURCE, downloads, folder, policy, emit)


# --------------------------------------------------------------------------- parse


def vintage_of(path: Path) -> date:
    m = _PART_NAME.search(path.name) or _ONE_FILE_NAME.search(path.name)
    if not m:
        raise ParseError(
            SOURCE,
            path,
            "the file name is not a PSC snapshot's (psc-snapshot-YYYY-MM-DD_NofM.zip or "
            "persons-with-significant-control-snapshot-YYYY-MM-DD.zip)",
            hint="keep the official name: it carries the snapshot date",
        )
    try:
        return date.fromisoformat(m.group(1))
    except ValueError as exc:
        raise ParseError(SOURCE, path, f"the date in the file name is invalid ({exc})") from exc


def _check_file_set(paths: list[Path]) -> None:
    """One snapshot, whole: parts of two dates, or the one file with its own parts, would
    repeat records; a missing part would drop a slice of the register."""
    vintages = {vintage_of(p) for p in paths}
    if len(vintages) > 1:
        raise ParseError(
            SOURCE,
            paths[-1],
            f"the files are from more than one snapshot ({sorted(map(str, vintages))})",
            hint="parse one snapshot at a time",
        )
    parts = [m for p in paths if (m := _PART_NAME.search(p.name))]
    if parts and any(_ONE_FILE_NAME.search(p.name) for p in paths):
        raise ParseError(
            SOURCE,
            paths[0],
            "both the one-file snapshot and its parts were given; every record would appear twice",
        )
    totals = {int(m.group(3)) for m in parts}
    if len(totals) > 1:
        raise ParseError(SOURCE, paths[0], f"the parts disagree on their number ({sorted(totals)})")
    if totals:
        total = totals.pop()
        missing = sorted(set(range(1, total + 1)) - {int(m.group(2)) for m in parts})
        if missing:
            raise ParseError(
                SOURCE,
                paths[0],
                f"the snapshot has {total} parts but part(s) {missing} are missing",
                hint="download every part of the snapshot, or the one-file snapshot",
            )


def is_synthetic(path: Path) -> bool:
    """A zip whose comment marks it as Heyrick's synthetic sample."""
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return archive.comment.startswith(SYNTHETIC_MARK)


def read_controls(
    paths: Sequence[Path], pseudonym_key: str | None
) -> tuple[pl.DataFrame, list[ParsedFile]]:
    """Parse, pseudonymise and contract-check a snapshot's files (zips or their .txt).

    `pseudonym_key` is HEYRICK_PSEUDONYM_KEY; without it only the synthetic sample's files
    are read (with the documented sample key), anything else is a ParseError naming the
    variable. Returns the PSC records of every file and per-file facts.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return empty_frame(), []
    _check_file_set(paths)
    try:
        key = key_bytes(pseudonym_key, synthetic=all(is_synthetic(p) for p in paths))
    except MissingKeyError as exc:
        raise ParseError(SOURCE, paths[0], str(exc)) from exc
    parsed = [_parse_file(p, key) for p in paths]
    for item in parsed:
        validate(item.frame, ControlsContract, SOURCE, item.file)
    frame = pl.concat([p.frame for p in parsed], how="vertical")
    _refuse_duplicates(frame)
    return frame, parsed


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def _parse_file(path: Path, key: bytes) -> ParsedFile:
    """The file read in blocks of whole lines, each by the fast path (`_read_block`) or,
    when that finds anything amiss, line by line (`_parse_lines`), which names the row."""
    file = str(path)
    vintage = vintage_of(path)
    result = ParsedFile(empty_frame(), file, vintage, 0)
    chunks: list[pl.DataFrame] = []
    with _open_lines(path) as stream:
        for first, block in _blocks(stream):
            count = block.count(b"\n") + (not block.endswith(b"\n"))
            fast = _read_block(block, first, count, file, vintage, key)
            if fast is None:
                chunks.append(_parse_lines(_lines(block), first, file, vintage, key, result))
            else:
                chunks.append(fast.frame)
                fast.count_into(result, block)
            result.lines = first + count - 1
    if result.lines == 0:
        raise ParseError(SOURCE, file, "the snapshot file holds no lines")
    result.frame = pl.concat(chunks, how="vertical")
    return result


def _lines(block: bytes) -> list[bytes]:
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()  # the empty string after the last line break
    return lines


def _blocks(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, bytes) of about _BLOCK_BYTES of whole lines at a time."""
    first, carry = 1, b""
    while chunk := stream.read(_BLOCK_BYTES):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data  # a line longer than a block: read on
            continue
        carry = data[cut:]
        yield first, data[:cut]
        first += data.count(b"\n", 0, cut)
    if carry:
        yield first, carry


# What the fast path reads of each line (DuckDB's read_json ignores every other field).
_NAME_ELEMENTS = ("forename", "middle_name", "other_forenames", "surname")
_JSON_COLUMNS = {
    "company_number": "VARCHAR",
    "data": "STRUCT(kind VARCHAR, name VARCHAR, name_elements STRUCT("
    + ", ".join(f"{e} VARCHAR" for e in _NAME_ELEMENTS)
    + "), date_of_birth STRUCT(year BIGINT, month BIGINT), identification "
    "STRUCT(registration_number VARCHAR), natures_of_control VARCHAR[], notified_on VARCHAR, "
    "ceased_on VARCHAR, address STRUCT(postal_code VARCHAR), links STRUCT(self VARCHAR))",
}
_JSON_FIELDS = (
    "company_number, data.kind AS kind, data.name AS name, data.name_elements AS "
    "name_elements, data.date_of_birth AS date_of_birth, "
    "data.identification.registration_number AS registration_number, "
    "data.natures_of_control AS natures_of_control, data.notified_on AS notified_on, "
    "data.ceased_on AS ceased_on, data.address.postal_code AS postal_code, "
    "data.links.self AS self"
)


def _read_json(block: bytes) -> pl.DataFrame | None:
    """The fields of each line, by DuckDB's JSON reader (in C, on both cores: ~5x polars'
    read_ndjson here), which reads files only: the block goes through a temporary file.
    None when it cannot read a line (not JSON, not UTF-8, a field of another shape)."""
    with tempfile.NamedTemporaryFile(prefix="heyrick-psc-", suffix=".json") as part:
        part.write(block)
        part.flush()
        with duckdb.connect(config={"threads": 2, "memory_limit": "2GB"}) as con:
            try:
                return con.sql(
                    f"SELECT {_JSON_FIELDS} FROM read_json(?, format = 'newline_delimited', "
                    "columns = ?)",
                    params=[part.name, _JSON_COLUMNS],
                ).pl()
            except duckdb.Error:
                return None


@dataclass
class _Block:
    frame: pl.DataFrame  # rows of SCHEMA
    other_kinds: list[tuple[str, int]]  # in order of first appearance
    totals_line: int | None  # index in the block of the last totals trailer

    def count_into(self, result: ParsedFile, block: bytes) -> None:
        for kind, n in self.other_kinds:
            result.other_kinds[kind] = result.other_kinds.get(kind, 0) + n
        if self.totals_line is not None:
            data = json.loads(_lines(block)[self.totals_line])["data"]
            result.totals = {k: v for k, v in data.items() if k.endswith("_count")}


def _read_block(
    block: bytes, first: int, lines: int, file: str, vintage: date, key: bytes
) -> _Block | None:
    """A block of lines parsed and pseudonymised column-wise (polars' JSON reader and
    DuckDB's sha256), giving exactly what `_record` gives line by line; None when the
    block holds anything `_record` would refuse (not JSON or not UTF-8, a blank line, an
    unknown kind, no company number, a nameless individual, a malformed date), so that
    the line parser names it. DuckDB is more lenient with a field of another JSON type
    than `_record` is (which refuses a company number written as a number, and fails
    unclearly on a birth year written as text): it reads a number as its digits and
    digits as a number, and the quality suite then checks their form."""
    if first == 1:
        block = block.removeprefix(b"\xef\xbb\xbf")  # the byte-order mark decode_text drops
    rows = _read_json(block)
    if rows is None or rows.height != lines:  # blank lines are skipped: numbers would shift
        return None
    rows = rows.with_columns(
        pl.int_range(first, first + lines, dtype=pl.Int64).alias("_source_row")
    )
    kinds = rows["kind"]
    if kinds.null_count() or not kinds.is_in(PSC_KINDS + OTHER_KINDS).all():
        return None
    other = kinds.filter(kinds.is_in(OTHER_KINDS))
    other_kinds = [(k, int((other == k).sum())) for k in other.unique(maintain_order=True)]
    trailers = (kinds == OTHER_KINDS[-1]).arg_true()
    rows = rows.filter(pl.col("kind").is_in(PSC_KINDS))
    frame = _controls(rows, file, vintage, key)
    if frame is None:
        return None
    return _Block(_owning(frame), other_kinds, int(trailers[-1]) if trailers.len() else None)


def _owning(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with strings of its own. Polars' string columns are views into the buffers
    they were computed from, and those of DuckDB's JSON reading keep every field it read
    (names, addresses, links) alive with them. Through Arrow's plain strings and back, each
    column holds exactly its own bytes: the national snapshot parsed into 3.0 GB of memory
    instead of 3.9 GB, and the raw step peaked at 5.9 GB instead of 6.7 (measured alone)."""
    return pl.from_arrow(frame.to_arrow())


def _nonblank(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.strip_chars() != "").then(text)


def _controls(rows: pl.DataFrame, file: str, vintage: date, key: bytes) -> pl.DataFrame | None:
    """The PSC rows of a block as SCHEMA's rows (see _record and _controller_id)."""
    elements = pl.col("name_elements")
    joined = pl.concat_str(
        [
            pl.when(elements.struct.field(e) != "").then(elements.struct.field(e))
            for e in _NAME_ELEMENTS
        ],
        separator=" ",
        ignore_nulls=True,
    )
    individual = pl.col("kind") == INDIVIDUAL
    name = pl.when(individual & (joined != "")).then(joined).otherwise(pl.col("name").fill_null(""))
    born = pl.col("date_of_birth")
    number = pl.col("registration_number").fill_null("").str.strip_chars().str.to_uppercase()
    number = number.str.replace_all(" ", "", literal=True)
    normalised = normalised_name_expr(pl.col("__name"))
    dates = {
        c: pl.when(pl.col(c).str.contains(_DATE.pattern)).then(
            pl.col(c).str.to_date("%Y-%m-%d", strict=False)
        )
        for c in ("notified_on", "ceased_on")
    }
    rows = rows.with_columns(
        name.alias("__name"),
        pl.coalesce(
            pl.col("self").replace("", None),
            pl.col("company_number") + "#" + pl.col("_source_row").cast(pl.String),
        ).alias("__self"),
        *(expr.alias(f"__{c}") for c, expr in dates.items()),
    )
    bad = (
        pl.col("company_number").str.strip_chars().replace("", None).is_null()
        | (individual & (pl.col("__name").str.strip_chars() == ""))
        | pl.any_horizontal(
            pl.col(c).replace("", None).is_not_null() & pl.col(f"__{c}").is_null() for c in dates
        )
    )
    if rows.select(bad.any()).item():
        return None
    identities = rows.select(
        ("record|" + pl.col("__self")).alias("record_id"),
        pl.when(individual)
        .then(
            "person|"
            + normalised
            + "|"
            + born.struct.field("year").fill_null(0).cast(pl.String).str.zfill(4)
            + "-"
            + born.struct.field("month").fill_null(0).cast(pl.String).str.zfill(2)
        )
        .when(pl.col("__name").str.strip_chars() != "")
        .then(pl.when(number != "").then("entity|" + number).otherwise("entity|" + normalised))
        .alias("controller_id"),
    )
    hashed = pseudonyms(key, identities)
    return (
        pl.DataFrame(
            {
                "record_id": hashed["record_id"],
                "controller_id": hashed["controller_id"],
            }
        )
        .hstack(
            rows.select(
                pl.col("company_number").str.strip_chars(),
                pl.col("kind"),
                individual.alias("is_individual"),
                pl.col("natures_of_control").list.join(";").replace("", None),
                pl.col("__notified_on").alias("notified_on"),
                pl.col("__ceased_on").alias("ceased_on"),
                _nonblank(pl.col("postal_code")).str.strip_chars().alias("address_postcode"),
                pl.lit(file).alias("_source_file"),
                pl.col("_source_row"),
                pl.lit(vintage).alias("_vintage"),
            )
        )
        .select(COLUMNS)
    )


def _parse_lines(
    lines: list[bytes], first: int, file: str, vintage: date, key: bytes, result: ParsedFile
) -> pl.DataFrame:
    """Lines parsed one by one: slower, and raises naming the first bad line."""
    rows: list[tuple] = []
    for number, raw in enumerate(lines, first):
        text = files.decode_text(raw, SOURCE, file, first_line=number).strip()
        if not text:
            continue
        row = _record(text, number, file, key, result)
        if row is not None:
            rows.append((*row, file, number, vintage))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


@contextmanager
def _open_lines(path: Path) -> Iterator[IO[bytes]]:
    """The snapshot's lines as bytes: the single .txt member of a zip, or the file itself."""
    file = str(path)
    head = files.sniff(path, SOURCE, "a PSC snapshot")
    if path.suffix.lower() != ".zip":
        with path.open("rb") as stream:
            yield stream
        return
    if not zipfile.is_zipfile(path):
        raise ParseError(
            SOURCE,
            file,
            f"the file is not a zip archive (it begins {head[:16]!r})",
            hint="the download was cut short or replaced; download it again",
        )
    with zipfile.ZipFile(path) as archive:
        members = [m for m in files.check_members(archive, SOURCE, file) if not m.is_dir()]
        texts = [m for m in members if m.filename.lower().endswith(".txt")]
        if len(texts) != 1:
            raise ParseError(
                SOURCE,
                file,
                "the zip should hold exactly one .txt member (JSON lines); it holds "
                f"{[m.filename for m in members] or 'nothing'}",
                hint="this is not the Companies House PSC snapshot, or the download was replaced",
            )
        with files.open_zip_member(archive, texts[0], SOURCE, file) as stream:
            what = f"the zip member {texts[0].filename}"
            files.require_not_html(stream.peek(512)[:512], SOURCE, file, "JSON lines", what)
            yield stream


def _record(text: str, line: int, file: str, key: bytes, result: ParsedFile) -> tuple | None:
    """One line as a row of SCHEMA's published columns, or None for a non-PSC kind."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            SOURCE,
            file,
            f"line {line} is not JSON ({exc.msg} at character {exc.pos}): the file is cut "
            "short or is not the PSC snapshot",
            row=line,
        ) from exc
    data = record.get("data") if isinstance(record, dict) else None
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind in OTHER_KINDS:
        result.other_kinds[kind] = result.other_kinds.get(kind, 0) + 1
        if kind == OTHER_KINDS[-1]:
            result.totals = {k: v for k, v in data.items() if k.endswith("_count")}
        return None
    if kind not in PSC_KINDS:
        raise ParseError(
            SOURCE,
            file,
            f"line {line} has kind {kind!r}, not one of the snapshot's kinds "
            f"({', '.join(PSC_KINDS + OTHER_KINDS)}): the published layout changed",
            row=line,
        )
    number = record.get("company_number")
    if not isinstance(number, str) or not number.strip():
        raise ParseError(SOURCE, file, f"line {line} has no company_number", row=line)
    self_link = (data.get("links") or {}).get("self") or f"{number}#{line}"
    return (
        pseudonym(key, f"record|{self_link}"),
        number.strip(),
        kind,
        _controller_id(data, kind, key, file, line),
        kind == INDIVIDUAL,
        ";".join(data.get("natures_of_control") or []) or None,
        _date(data.get("notified_on"), "notified_on", file, line),
        _date(data.get("ceased_on"), "ceased_on", file, line),
        ((data.get("address") or {}).get("postal_code") or "").strip() or None,
    )


def _controller_id(data: dict, kind: str, key: bytes, file: str, line: int) -> str | None:
    if kind == INDIVIDUAL:
        elements = data.get("name_elements") or {}
        name = " ".join(
            part
            for part in (
                elements.get("forename"),
                elements.get("middle_name"),
                elements.get("other_forenames"),
                elements.get("surname"),
            )
            if part
        ) or (data.get("name") or "")
        if not name.strip():
            raise ParseError(
                SOURCE, file, f"line {line}: an individual PSC without a name", row=line
            )
        born = data.get("date_of_birth") or {}
        return pseudonym(key, person_identity(name, born.get("year"), born.get("month")))
    name = data.get("name") or ""
    if not name.strip():
        return None  # super-secure: the register withholds who it is
    number = (data.get("identification") or {}).get("registration_number")
    return pseudonym(key, entity_identity(name, number))


def _date(value: object, column: str, file: str, line: int) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ContractError(
        SOURCE,
        file,
        f"line {line}: {column} {value!r} is not a YYYY-MM-DD date",
        row=line,
        failures=[{"column": column, "_source_row": line, column: value}],
    )


def _refuse_duplicates(frame: pl.DataFrame) -> None:
    dups = frame.filter(pl.col("record_id").is_duplicated())
    if dups.height:
        first, second = dups.head(2).iter_rows(named=True)
        raise ContractError(
            SOURCE,
            second["_source_file"],
            f"the same PSC record (company {second['company_number']}) appears at line "
            f"{first['_source_row']} of {Path(first['_source_file']).name} and again here: "
            "overlapping files",
            row=second["_source_row"],
        )


# --------------------------------------------------------------------------- connector


def select_latest_snapshot(
    paths: list[Path], areas: tuple[str, ...], emit: Emit | None = None
) -> list[Path]:
    """The files of the newest snapshot in the folder (its one file when both forms are
    there); older ones are reported through `emit`. Areas do not apply: the register is
    national."""
    dated = [(p, vintage_of(p)) for p in paths]
    if not dated:
        return []
    newest = max(v for _, v in dated)
    latest = sorted(p for p, v in dated if v == newest)
    chosen = [p for p in latest if _ONE_FILE_NAME.search(p.name)][:1] or latest
    say = emit or log.info
    for path, vintage in sorted(dated):
        if path not in chosen:
            why = f"an older snapshot ({vintage})" if vintage != newest else "the one file is read"
            say(f"{SOURCE}: ignored {path.name}: {why}")
    return chosen


def _parse(paths: Sequence[Path]) -> ParseResult:
    # The key is a secret read by settings.py from the environment; the generic raw asset
    # passes parsers no settings (see the module docstring).
    from heyrick_dagster.settings import Settings

    frame, parsed = read_controls(paths, Settings.from_env().pseudonym_key)
    return ParseResult({TABLE: frame}, [p.note() for p in parsed])


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    policy = http.RetryPolicy.for_settings(settings)
    return fetch_live(DOWNLOAD_PAGE, folder, policy, settings.pseudonym_key, emit)


def suite_parameters() -> dict[str, date]:
    return {"today": date.today(), "register_start": PSC_REGISTER_START}


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per person with significant control of a company (live or "
            "dissolved) in the Companies House PSC snapshot. People are pseudonymised at "
            "ingest: controller_id is a keyed hash of name and birth month; no name, birth "
            "date, nationality or address line is kept.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="psc__persons_with_significant_control",
                    description="record_id present and unique, company number present and "
                    "well formed, kinds in the published vocabulary, controller pseudonyms "
                    "64 hex characters, no date in the future. Failing blocks everything "
                    "downstream.",
                    parameters=suite_parameters,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="psc__persons_with_significant_control_drift",
                    description="Row-count ceiling, notifications since the register began "
                    "(6 April 2016), share of individuals with a pseudonym. Warns, never "
                    "blocks.",
                    blocking=False,
                    parameters=suite_parameters,
                ),
            ),
        ),
    ),
    file_patterns=("psc-snapshot-*.zip", "persons-with-significant-control-snapshot-*.zip"),
    parse=_parse,
    fetch_live=_fetch,
    select=select_latest_snapshot,
)
