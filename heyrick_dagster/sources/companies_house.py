"""Companies House: the Free Company Data Product ("BasicCompanyData"), monthly.

Published at https://download.companieshouse.gov.uk/en_output.html as zip parts
(`BasicCompanyData-YYYY-MM-DD-partN_M.zip`) and as one zip
(`BasicCompanyDataAsOneFile-YYYY-MM-DD.zip`); each zip holds one CSV member of
the same name. The whole register of live companies is ~5.5 million rows and
~2.5 GB unzipped, so the member is STREAMED in blocks of whole records straight
out of the zip (never extracted, never loaded whole; companies_house_blocks.py), each
block parsed by polars, and filtered while it streams: only
the food-service and food-retail companies below (plus, optionally, those
registered in postcode districts in scope) are kept. Every published column of
a kept row is kept and typed; columns are the snake_case of the published names.

Facts of the real files this module is written for (see ../shared/data):
- 55 columns; the header is unquoted and some names carry a LEADING SPACE
  (" CompanyNumber", " RegAddress.AddressLine2", " PreviousName_2.CONDATE"),
  while every data field is double-quoted and embedded quotes are doubled
  (a name written in quotes is published with three quotes on each side);
- dates are DD/MM/YYYY; empty fields are "" (read as null);
- CompanyNumber is text: leading zeros and prefixes (SC, NI, OC, FC, CE, ...);
- SIC fields hold "56103 - Take-away food shops and mobile food stands" or
  "None Supplied"; a few old companies still carry 4-digit SIC 2003 codes
  ("5530 - Restaurants"), which are kept in raw but match no 2007 code below;
- RegAddress.Country is inconsistent ("ENGLAND", "UNITED KINGDOM" or blank) and
  some registered postcodes are foreign ("KY1-1103", "94107") or mistyped;
- the product lists live companies only: DissolutionDate is always empty.

A copy rewritten by R (`readr::write_csv`) also circulates and is accepted:
header spaces stripped, minimal quoting, and "NA" written for the empty values
of the columns R had read as numbers or dates. In such a file (recognised by a
header without the official leading spaces) "NA" is read as null in the date
and integer columns only, where it can never be a value; in text columns
"NA" stays text, and in an official file "NA" in a typed column is an error.

The product is a snapshot, so `_vintage` is the date in the file name
(a name with only a year and month, such as a renamed extract, gives its 1st).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import pandera.polars as pa
import polars as pl

from heyrick_dagster.sources import files, http, raw_store
from heyrick_dagster.sources.base import (
    ALL_AREAS,
    CheckSpec,
    Connector,
    Emit,
    ParseResult,
    RawTable,
    Scope,
    today_parameter,
)
from heyrick_dagster.sources.companies_house_blocks import PlainBlock, read_block, record_blocks
from heyrick_dagster.sources.contract import RawContract, cast_strict, validate
from heyrick_dagster.sources.errors import ContractError, ParseError
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.snapshot_listing import (
    Listing,
    SnapshotNames,
    fetch_page,
    newest_snapshot,
)

if TYPE_CHECKING:
    from heyrick_dagster.settings import Settings

log = logging.getLogger(__name__)
PROGRESS_EVERY_ROWS = 500_000

SOURCE = "companies_house"
TABLE = "companies"
DOWNLOAD_PAGE = "https://download.companieshouse.gov.uk/en_output.html"

METADATA = SourceMetadata(
    key=SOURCE,
    title="Companies House Free Company Data Product (BasicCompanyData)",
    publisher="Companies House",
    licence="Open Government Licence v3.0",
    official_url=DOWNLOAD_PAGE,
    refresh_cadence="monthly (a snapshot of the register, in zip parts or one zip)",
    stale_after_days=40,  # a monthly snapshot, out in the first working days of the month
    coverage="every live company on the UK register (~5.5 million); Heyrick keeps the "
    "food-service and food-retail companies",
    data_owner_contact="Companies House, enquiries@companieshouse.gov.uk",
)

# The header line of the official CSV, verbatim (leading spaces included).
PUBLISHED_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1,"
    " RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE,"
    " PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,"
    "PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE,"
    " PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE,"
    " PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,"
    "PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate,"
    " ConfStmtLastMadeUpDate"
)


# Published column (leading space stripped) -> raw column, in published order.
FIELDS: dict[str, str] = {
    "CompanyName": "company_name",
    "CompanyNumber": "company_number",
    "RegAddress.CareOf": "reg_address_care_of",
    "RegAddress.POBox": "reg_address_po_box",
    "RegAddress.AddressLine1": "reg_address_line_1",
    "RegAddress.AddressLine2": "reg_address_line_2",
    "RegAddress.PostTown": "reg_address_post_town",
    "RegAddress.County": "reg_address_county",
    "RegAddress.Country": "reg_address_country",
    "RegAddress.PostCode": "reg_address_postcode",
    "CompanyCategory": "company_category",
    "CompanyStatus": "company_status",
    "CountryOfOrigin": "country_of_origin",
    "DissolutionDate": "dissolution_date",
    "IncorporationDate": "incorporation_date",
    "Accounts.AccountRefDay": "accounts_account_ref_day",
    "Accounts.AccountRefMonth": "accounts_account_ref_month",
    "Accounts.NextDueDate": "accounts_next_due_date",
    "Accounts.LastMadeUpDate": "accounts_last_made_up_date",
    "Accounts.AccountCategory": "accounts_account_category",
    "Returns.NextDueDate": "returns_next_due_date",
    "Returns.LastMadeUpDate": "returns_last_made_up_date",
    "Mortgages.NumMortCharges": "mortgages_num_mort_charges",
    "Mortgages.NumMortOutstanding": "mortgages_num_mort_outstanding",
    "Mortgages.NumMortPartSatisfied": "mortgages_num_mort_part_satisfied",
    "Mortgages.NumMortSatisfied": "mortgages_num_mort_satisfied",
    "SICCode.SicText_1": "sic_code_sic_text_1",
    "SICCode.SicText_2": "sic_code_sic_text_2",
    "SICCode.SicText_3": "sic_code_sic_text_3",
    "SICCode.SicText_4": "sic_code_sic_text_4",
    "LimitedPartnerships.NumGenPartners": "limited_partnerships_num_gen_partners",
    "LimitedPartnerships.NumLimPartners": "limited_partnerships_num_lim_partners",
    "URI": "uri",
    **{
        f"PreviousName_{n}.{field}": f"previous_name_{n}_{column}"
        for n in range(1, 11)
        for field, column in (("CONDATE", "condate"), ("CompanyName", "company_name"))
    },
    "ConfStmtNextDueDate": "conf_stmt_next_due_date",
    "ConfStmtLastMadeUpDate": "conf_stmt_last_made_up_date",
}
DATE_COLUMNS = [c for p, c in FIELDS.items() if p.endswith(("Date", "CONDATE"))]
INT_COLUMNS = [
    c for p, c in FIELDS.items() if p.startswith(("Accounts.AccountRef", "Mortgages.", "Limited"))
]
SIC_FIELDS = [p for p in FIELDS if p.startswith("SICCode.")]
POSTCODE_FIELD = "RegAddress.PostCode"
LINEAGE_COLUMNS = ["_source_file", "_source_row", "_vintage"]
COLUMNS = list(FIELDS.values()) + LINEAGE_COLUMNS

# SIC 2007 codes of the companies Heyrick keeps, and why. The study is about hot-food
# takeaways and convenience stores, but operators choose their codes loosely (a kebab
# shop registered as a restaurant or caterer, a mini-market as a greengrocer or
# off-licence), and linkage needs the company behind every FHRS-rated food business.
FOOD_SIC_CODES: dict[str, str] = {
    # Division 56, food and beverage service: the whole of it, because FHRS rates all of it.
    "56101": "licensed restaurants: many takeaways with seating register here",
    "56102": "unlicensed restaurants and cafes: cafes, sandwich and dessert shops",
    "56103": "take-away food shops and mobile food stands: the core of the study",
    "56210": "event catering: small kitchens and dark kitchens register as caterers",
    "56290": "other food services: contract catering, canteens, delivery-only kitchens",
    "56301": "licensed clubs: FHRS-rated food premises; kept so that linkage can "
    "explain a club's FHRS record instead of mismatching it",
    "56302": "public houses and bars: most serve food and are FHRS-rated",
    # Group 47.1, non-specialised stores: the convenience store codes.
    "47110": "non-specialised stores with food, beverages or tobacco predominating: "
    "convenience stores, mini-markets and supermarkets",
    "47190": "other non-specialised stores: general stores and corner shops whose food "
    "share is not predominant",
    # Group 47.2, specialised food stores: FHRS 'Retailers - other', often run as
    # mini-markets ('food & wine', 'halal butcher and grocer').
    "47210": "fruit and vegetables: greengrocers, often combined with groceries",
    "47220": "meat: butchers, often combined with groceries",
    "47230": "fish: fishmongers, FHRS-rated food retail",
    "47240": "bread, cakes and confectionery: bakers' shops, which also sell hot food",
    "47250": "beverages: off-licences, which the FHRS sector rules count as convenience",
    "47260": "tobacco: tobacconists and newsagents (CTN), the traditional corner shop",
    "47290": "other food in specialised stores: ethnic grocers, delicatessens",
    # Outside divisions 47 and 56.
    "10710": "manufacture of bread and fresh pastry: small bakeries that sell over the "
    "counter register under manufacture",
    "46390": "non-specialised wholesale of food: cash-and-carries that own or supply "
    "convenience stores and are FHRS-rated as distributors",
}
# Considered and left out, with the reason.
EXCLUDED_SIC_CODES: dict[str, str] = {
    "47300": "retail sale of automotive fuel: forecourt shops are convenience stores, but "
    "the code cannot tell them from fuel-only sites, forecourts are mostly run by chains "
    "or dealers, and a franchisee running the shop registers 47110 itself, which is kept",
}
FOOD_SIC = frozenset(FOOD_SIC_CODES)

_SIC_CODE = re.compile(r"^(\d{5})(?: - |$)")
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_PART_NAME = re.compile(r"BasicCompanyData-(\d{4}-\d{2}-\d{2})-part(\d+)_(\d+)\.(?:zip|csv)$")
_ONE_FILE_NAME = re.compile(r"BasicCompanyDataAsOneFile-(\d{4}-\d{2}-\d{2})\.(?:zip|csv)$")
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")
_DATE_TEXT = r"^\d{2}/\d{2}/\d{4}$"
_R_NULL = "NA"
_BUFFER = 1 << 20
_CHUNK_ROWS = 50_000
_TEXT_SCHEMA = {c: pl.String for c in FIELDS.values()} | {"_source_row": pl.Int64}
_TEXT_EMPTY = pl.DataFrame(schema=_TEXT_SCHEMA)


class CompaniesContract(RawContract):
    """Structure and types at ingest. Content rules (number format, status vocabulary,
    uniqueness, dates not in the future) are the Great Expectations suite's job, so that
    they reach the quality report; duplicates are also refused by the parser."""

    company_name: str = pa.Field(nullable=True)
    company_number: str = pa.Field(nullable=False)
    reg_address_care_of: str = pa.Field(nullable=True)
    reg_address_po_box: str = pa.Field(nullable=True)
    reg_address_line_1: str = pa.Field(nullable=True)
    reg_address_line_2: str = pa.Field(nullable=True)
    reg_address_post_town: str = pa.Field(nullable=True)
    reg_address_county: str = pa.Field(nullable=True)
    reg_address_country: str = pa.Field(nullable=True)
    reg_address_postcode: str = pa.Field(nullable=True)
    company_category: str = pa.Field(nullable=True)
    company_status: str = pa.Field(nullable=True)
    country_of_origin: str = pa.Field(nullable=True)
    dissolution_date: date = pa.Field(nullable=True)
    incorporation_date: date = pa.Field(nullable=True)
    accounts_account_ref_day: int = pa.Field(nullable=True, ge=1, le=31)
    accounts_account_ref_month: int = pa.Field(nullable=True, ge=1, le=12)
    accounts_next_due_date: date = pa.Field(nullable=True)
    accounts_last_made_up_date: date = pa.Field(nullable=True)
    accounts_account_category: str = pa.Field(nullable=True)
    returns_next_due_date: date = pa.Field(nullable=True)
    returns_last_made_up_date: date = pa.Field(nullable=True)
    mortgages_num_mort_charges: int = pa.Field(nullable=True, ge=0)
    mortgages_num_mort_outstanding: int = pa.Field(nullable=True, ge=0)
    mortgages_num_mort_part_satisfied: int = pa.Field(nullable=True, ge=0)
    mortgages_num_mort_satisfied: int = pa.Field(nullable=True, ge=0)
    sic_code_sic_text_1: str = pa.Field(nullable=True)
    sic_code_sic_text_2: str = pa.Field(nullable=True)
    sic_code_sic_text_3: str = pa.Field(nullable=True)
    sic_code_sic_text_4: str = pa.Field(nullable=True)
    limited_partnerships_num_gen_partners: int = pa.Field(nullable=True, ge=0)
    limited_partnerships_num_lim_partners: int = pa.Field(nullable=True, ge=0)
    uri: str = pa.Field(nullable=True)
    previous_name_1_condate: date = pa.Field(nullable=True)
    previous_name_1_company_name: str = pa.Field(nullable=True)
    previous_name_2_condate: date = pa.Field(nullable=True)
    previous_name_2_company_name: str = pa.Field(nullable=True)
    previous_name_3_condate: date = pa.Field(nullable=True)
    previous_name_3_company_name: str = pa.Field(nullable=True)
    previous_name_4_condate: date = pa.Field(nullable=True)
    previous_name_4_company_name: str = pa.Field(nullable=True)
    previous_name_5_condate: date = pa.Field(nullable=True)
    previous_name_5_company_name: str = pa.Field(nullable=True)
    previous_name_6_condate: date = pa.Field(nullable=True)
    previous_name_6_company_name: str = pa.Field(nullable=True)
    previous_name_7_condate: date = pa.Field(nullable=True)
    previous_name_7_company_name: str = pa.Field(nullable=True)
    previous_name_8_condate: date = pa.Field(nullable=True)
    previous_name_8_company_name: str = pa.Field(nullable=True)
    previous_name_9_condate: date = pa.Field(nullable=True)
    previous_name_9_company_name: str = pa.Field(nullable=True)
    previous_name_10_condate: date = pa.Field(nullable=True)
    previous_name_10_company_name: str = pa.Field(nullable=True)
    conf_stmt_next_due_date: date = pa.Field(nullable=True)
    conf_stmt_last_made_up_date: date = pa.Field(nullable=True)


@dataclass(frozen=True)
class ParsedFile:
    frame: pl.DataFrame
    file: str
    vintage: date
    rows_read: int
    kept_by_sic: int  # rows with a food SIC code
    kept_by_postcode: int  # rows kept only for their registered postcode district
    r_rewritten: bool  # the R-rewritten layout (header spaces stripped, "NA" for empty)
    na_as_null: int  # "NA" values read as null (R-rewritten layout only)
    filtered: bool  # False when every row was kept (no SIC or postcode filter)
    # Columns beyond the 55 this parser maps: read past and named in the notes, as the
    # product has gained columns before (the confirmation statement dates, in 2016).
    unmapped: tuple[str, ...] = ()

    @property
    def rows_kept(self) -> int:
        return self.frame.height

    def note(self) -> str:
        text = f"{Path(self.file).name}: read {self.rows_read:,} rows, kept {self.rows_kept:,}"
        if self.filtered:
            text += (
                f" ({self.kept_by_sic:,} with a food SIC code, {self.kept_by_postcode:,} only "
                "for their registered postcode district)"
            )
        if self.r_rewritten:
            text += (
                f"; R-rewritten layout (no header spaces): {self.na_as_null:,} 'NA' value(s) "
                "in date and integer columns read as empty"
            )
        if self.unmapped:
            text += f"; published columns not read: {list(self.unmapped)}"
        return text


# --------------------------------------------------------------------------- fetch


_LINK = re.compile(
    r"""href\s*=\s*["']([^"']*?(BasicCompanyData(?:AsOneFile)?-\d{4}-\d{2}-\d{2}"""
    r"""(?:-part\d+_\d+)?\.zip))["']""",
    re.IGNORECASE,
)
_NAMES = SnapshotNames(_LINK, _PART_NAME, _ONE_FILE_NAME, "BasicCompanyData zip files")


def list_published_files(page_url: str, policy: http.RetryPolicy) -> Listing:
    """The newest snapshot on the download page: its parts when listed, else its one file."""
    page = fetch_page(SOURCE, page_url, policy)
    return newest_snapshot(SOURCE, page_url, page, _NAMES)


def fetch_live(
    page_url: str,
    folder: Path,
    policy: http.RetryPolicy,
    emit: Callable[[str], None] | None = None,
) -> list[raw_store.RawFile]:
    """Download every zip of the newest snapshot into `folder`, reporting progress per
    file through `emit` (default: the http module's logger). The zips are kept as they
    are: parse reads the CSV member from them."""
    listing = list_published_files(page_url, policy)
    downloads = [http.Download(url, url.rsplit("/", 1)[-1]) for url in listing.urls]
    return http.download_all(SOURCE, downloads, folder, policy, emit)


# --------------------------------------------------------------------------- parse


def read_companies(
    paths: Sequence[Path],
    *,
    sic_codes: frozenset[str] | None = FOOD_SIC,
    postcode_districts: frozenset[str] | None = None,
) -> tuple[pl.DataFrame, list[ParsedFile]]:
    """Parse, filter and contract-check BasicCompanyData files (zips or their CSVs).

    A row is kept when one of its SIC codes is in `sic_codes` OR its registered
    postcode's district ("SE13") is in `postcode_districts`; a filter given as None
    does not apply, and with both None every row is kept. Company numbers must be
    unique across the files. Returns the union and per-file facts.
    """
    paths = [Path(p) for p in paths]
    _check_file_set(paths)
    parsed = [_parse_file(p, sic_codes, postcode_districts) for p in paths]
    for item in parsed:
        validate(item.frame, CompaniesContract, SOURCE, item.file)
    if not parsed:
        return _empty_frame(), parsed
    frame = pl.concat([p.frame for p in parsed], how="vertical")
    _refuse_duplicates(frame)
    return frame, parsed


def _empty_frame() -> pl.DataFrame:
    schema = {c: pl.String for c in FIELDS.values()} | {"_source_file": pl.String}
    schema |= {c: pl.Date for c in DATE_COLUMNS} | {c: pl.Int64 for c in INT_COLUMNS}
    schema |= {"_source_row": pl.Int64, "_vintage": pl.Date}
    return pl.DataFrame(schema=schema).select(COLUMNS)


def _check_file_set(paths: list[Path]) -> None:
    """One snapshot at a time, and all of it: mixing months, or the one-file product with
    its own parts, would double-count companies; a missing part would silently drop a
    slice of the alphabet."""
    vintages = {p: _vintage_of(p) for p in paths}
    if len(set(vintages.values())) > 1:
        listed = ", ".join(f"{p.name} ({v})" for p, v in vintages.items())
        raise ParseError(
            SOURCE,
            paths[-1],
            f"the files are from more than one snapshot: {listed}",
            hint="parse one month's files at a time",
        )
    parts = {p: m for p in paths if (m := _PART_NAME.search(p.name))}
    if parts and any(_ONE_FILE_NAME.search(p.name) for p in paths):
        raise ParseError(
            SOURCE,
            paths[0],
            "both the one-file product and its parts were given; every company would appear twice",
        )
    totals = {int(m.group(3)) for m in parts.values()}
    if len(totals) > 1:
        raise ParseError(
            SOURCE,
            next(iter(parts)),
            f"the parts disagree on how many parts there are "
            f"({sorted(totals)}); they come from different downloads",
        )
    if totals:
        total = totals.pop()
        missing = sorted(set(range(1, total + 1)) - {int(m.group(2)) for m in parts.values()})
        if missing:
            raise ParseError(
                SOURCE,
                next(iter(parts)),
                f"the snapshot is published in {total} parts but "
                f"part(s) {missing} are missing: a slice of the register would be lost",
                hint="download every part of the month, or the one-file product",
            )


def _vintage_of(path: Path) -> date:
    m = _NAME_DATE.search(path.name)
    if not m:
        raise ParseError(
            SOURCE,
            path,
            "the file name carries no snapshot date (YYYY-MM-DD)",
            hint="keep the official name, e.g. BasicCompanyData-2026-11-01-part1_7.zip",
        )
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ParseError(SOURCE, path, f"the date in the file name is invalid ({exc})") from exc


def _parse_file(
    path: Path, sic_codes: frozenset[str] | None, districts: frozenset[str] | None
) -> ParsedFile:
    file = str(path)
    vintage = _vintage_of(path)
    with _open_csv(path) as stream:
        first = files.decode_text(stream.readline(), SOURCE, file)
        header = next(csv.reader([first]), None) if first else None
        if header is None:
            raise ParseError(SOURCE, file, "the CSV is empty: not even a header line")
        positions = _header_positions(header, file)
        unmapped = tuple(n.strip() for n in header if n.strip() not in FIELDS)
        r_rewritten = not any(name != name.strip() for name in header)
        scan = _scan(stream, _Filter(positions, len(header), sic_codes, districts), file)
    if scan.rows_read == 0:
        raise ParseError(
            SOURCE,
            file,
            "the CSV has a header but no records",
            row=2,
            hint="the download was probably cut short",
        )
    frame, na_count = _to_frame(scan.frame(), file, vintage, r_rewritten)
    return ParsedFile(
        frame,
        file,
        vintage,
        scan.rows_read,
        scan.kept_by_sic,
        scan.kept_by_postcode,
        r_rewritten,
        na_count,
        filtered=sic_codes is not None or districts is not None,
        unmapped=unmapped,
    )


@contextmanager
def _open_csv(path: Path) -> Iterator[IO[bytes]]:
    """The CSV bytes: the single .csv member of a zip, or the file itself."""
    file = str(path)
    head = files.sniff(path, SOURCE, "the CSV")
    if path.suffix.lower() != ".zip":
        with path.open("rb", buffering=_BUFFER) as stream:
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
        member = _csv_member(archive, file)
        if member.file_size == 0:
            raise ParseError(SOURCE, file, f"the zip member {member.filename} is empty (0 bytes)")
        with files.open_zip_member(archive, member, SOURCE, file) as stream:
            what = f"the zip member {member.filename}"
            files.require_not_html(stream.peek(512)[:512], SOURCE, file, "the CSV", what)
            yield stream


def _csv_member(archive: zipfile.ZipFile, file: str) -> zipfile.ZipInfo:
    members = [m for m in files.check_members(archive, SOURCE, file) if not m.is_dir()]
    csvs = [m for m in members if m.filename.lower().endswith(".csv")]
    if len(csvs) != 1:
        names = [m.filename for m in members] or "nothing"
        raise ParseError(
            SOURCE,
            file,
            f"the zip should hold exactly one .csv member (BasicCompanyData...csv); it holds "
            f"{names}",
            hint="this is not the Companies House product, or the download was replaced",
        )
    return csvs[0]


def _header_positions(header: list[str], file: str) -> list[int]:
    """Where each published column is; missing or renamed columns are refused."""
    names = [h.strip() for h in header]
    missing = [p for p in FIELDS if p not in names]
    if missing:
        # Shortened: a file that is not CSV at all can put its whole first line here.
        unexpected = [n[:40] for n in names if n not in FIELDS][:10]
        raise ParseError(
            SOURCE,
            file,
            f"the header lacks column(s) {missing}"
            + (f" and has unexpected column(s) {unexpected}" if unexpected else "")
            + ": the published layout changed or this is not BasicCompanyData",
            row=1,
        )
    return [names.index(p) for p in FIELDS]


@dataclass
class _Scan:
    """The kept rows as text columns: whole frames from polars' blocks, and rows from the
    csv module's turned into frames every _CHUNK_ROWS rows (held as Python lists until the
    end, the ~280k food companies of a national-size snapshot took the parse's peak memory
    to 1.0 GB; in chunks it stayed at 0.56 GB, measured on 5.5M rows)."""

    chunks: list[pl.DataFrame] = field(default_factory=list)
    pending: list[list[str | int]] = field(default_factory=list)
    rows_read: int = 0
    kept_by_sic: int = 0
    kept_by_postcode: int = 0

    @property
    def kept(self) -> int:
        return len(self.pending) + sum(len(chunk) for chunk in self.chunks)

    def keep(self, row: list[str | int]) -> None:
        self.pending.append(row)
        if len(self.pending) >= _CHUNK_ROWS:
            self.flush()

    def add(self, frame: pl.DataFrame) -> None:
        self.flush()
        self.chunks.append(frame)

    def flush(self) -> None:
        if self.pending:
            self.chunks.append(pl.DataFrame(self.pending, schema=_TEXT_SCHEMA, orient="row"))
            self.pending = []

    def frame(self) -> pl.DataFrame:
        self.flush()
        return pl.concat(self.chunks, how="vertical") if self.chunks else _TEXT_EMPTY


@dataclass(frozen=True)
class _Filter:
    """Which rows are kept (see read_companies), and where their fields are."""

    positions: list[int]  # of each FIELDS column in the file's records
    width: int  # fields per record
    sic_codes: frozenset[str] | None
    districts: frozenset[str] | None

    @property
    def keep_all(self) -> bool:
        return self.sic_codes is None and self.districts is None

    @property
    def sic_at(self) -> list[int]:
        return [self.positions[list(FIELDS).index(p)] for p in SIC_FIELDS]

    @property
    def postcode_at(self) -> int:
        return self.positions[list(FIELDS).index(POSTCODE_FIELD)]

    @property
    def filter_at(self) -> list[int]:
        """The columns the filters read."""
        return ([] if self.sic_codes is None else self.sic_at) + (
            [] if self.districts is None else [self.postcode_at]
        )


def _scan(stream: IO[bytes], keep: _Filter, file: str) -> _Scan:
    """Stream the records after the header, keeping the published values of the rows in
    scope: each block parsed by polars when it is plain, else by the csv module, which
    names the line of a fault (see companies_house_blocks)."""
    scan = _Scan()
    line = 2  # of the block's first record: the header is line 1
    for block, plain in record_blocks(stream, prepare=lambda b: (b, read_block(b, keep.width))):
        filtered = plain.columns(keep.filter_at) if plain else None
        if plain is None or filtered is None:
            _scan_records(block.data, line, keep, file, scan)
            line += block.data.count(b"\n")
        else:
            _scan_plain(plain, filtered, line, keep, file, scan)
            line += plain.lines
    return scan


def _scan_plain(
    plain: PlainBlock,
    filtered: pl.DataFrame,
    first_line: int,
    keep: _Filter,
    file: str,
    scan: _Scan,
) -> None:
    """Keep the rows of a block polars reads (its line i is first_line + i) by the rules
    of _scan_records, as column expressions over the filter's columns; then read every
    column of the rows kept."""
    by_sic = by_postcode = pl.repeat(False, pl.len())
    if keep.sic_codes is not None:
        by_sic = pl.any_horizontal(
            _has_sic_expr(pl.col(f"c{i}"), keep.sic_codes) for i in keep.sic_at
        )
    if keep.districts is not None:
        district = postcode_district_expr(pl.col(f"c{keep.postcode_at}"))
        by_postcode = district.is_in(sorted(keep.districts)).fill_null(False)
    marks = filtered.select(by_sic.alias("sic"), (~by_sic & by_postcode).alias("postcode"))
    if keep.keep_all:
        lines = np.arange(plain.lines)
    else:
        lines = np.flatnonzero((marks["sic"] | marks["postcode"]).to_numpy())
    rows_before, kept_before = scan.rows_read, scan.kept
    scan.rows_read += plain.lines
    scan.kept_by_sic += int(marks["sic"].sum())
    scan.kept_by_postcode += int(marks["postcode"].sum())
    if len(lines):
        rows = plain.rows(lines)
        scan.add(
            rows.select(
                *[
                    pl.col(f"c{i}").alias(c)
                    for i, c in zip(keep.positions, FIELDS.values(), strict=True)
                ]
            ).with_columns(pl.Series("_source_row", lines + first_line, pl.Int64))
        )
    first_report = rows_before + PROGRESS_EVERY_ROWS - rows_before % PROGRESS_EVERY_ROWS
    for read in range(first_report, scan.rows_read + 1, PROGRESS_EVERY_ROWS):
        kept_then = kept_before + int(np.count_nonzero(lines < read - rows_before))
        _log_progress(file, read, kept_then)


def _has_sic_expr(text: pl.Expr, codes: frozenset[str]) -> pl.Expr:
    """sic_code(text) in codes, as an expression: a code in the set is five digits, so
    the first five characters in the set and then " - " or nothing is the same test."""
    code_then_text = (text.str.len_bytes() == 5) | (text.str.slice(5, 3) == " - ")
    return (text.str.slice(0, 5).is_in(sorted(codes)) & code_then_text).fill_null(False)


def postcode_district_expr(postcode: pl.Expr) -> pl.Expr:
    """postcode_district(), as an expression."""
    compact = postcode.fill_null("").str.replace_all(r"[^A-Za-z0-9]", "").str.to_uppercase()
    return (
        pl.when(compact.str.contains(_UK_POSTCODE.pattern))
        .then(compact.str.slice(0, compact.str.len_chars() - 3))
        .otherwise(None)
    )


def _scan_records(block: bytes, first_line: int, keep: _Filter, file: str, scan: _Scan):
    """Keep the rows of a block record by record with the csv module, refusing a record
    of the wrong width at its line."""
    numbered = enumerate(io.BytesIO(block), first_line)
    lines = (files.decode_text(raw, SOURCE, file, first_line=n) for n, raw in numbered)
    reader = csv.reader(lines)
    sic_at, postcode_at = keep.sic_at, keep.postcode_at
    line = first_line - 1  # the line before the block
    for record in _records(reader, first_line - 1, file):
        start, line = line + 1, first_line - 1 + reader.line_num
        if not record:  # a blank line, e.g. at the end of the file
            continue
        if len(record) != keep.width:
            raise ParseError(
                SOURCE,
                file,
                f"the record at line {start} has {len(record)} fields, expected {keep.width}: "
                "a quote or separator is broken (or the file is truncated)",
                row=start,
            )
        scan.rows_read += 1
        if scan.rows_read % PROGRESS_EVERY_ROWS == 0:
            _log_progress(file, scan.rows_read, scan.kept)
        if keep.keep_all:
            kept = True
        elif keep.sic_codes is not None and _has_sic(record, sic_at, keep.sic_codes):
            scan.kept_by_sic += 1
            kept = True
        elif (
            keep.districts is not None and postcode_district(record[postcode_at]) in keep.districts
        ):
            scan.kept_by_postcode += 1
            kept = True
        else:
            kept = False
        if kept:
            scan.keep([record[i] for i in keep.positions] + [start])


def _log_progress(file: str, read: int, kept: int) -> None:
    # A national snapshot is ~5.5M rows and many seconds of parsing: say so.
    log.info(f"{file}: {read:,} rows read, {kept:,} kept")


def _records(reader: Iterator[list[str]], offset: int, file: str) -> Iterator[list[str]]:
    """The reader's records; a csv.Error (e.g. an unclosed quote swallowing the rest of the
    file past the field-size limit) becomes a ParseError at the line it started from
    (`offset`: lines before the reader's first)."""
    line = offset + reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(
                SOURCE,
                file,
                f"the CSV is malformed from line {line + 1} ({exc}): probably an unclosed quote",
                row=line + 1,
            ) from exc
        line = offset + reader.line_num
        yield record


def _has_sic(record: list[str], sic_at: list[int], codes: frozenset[str]) -> bool:
    # sic_code() of a kept text is its first five characters, so those must be a code in
    # the set before the pattern is worth matching: on a national snapshot (22M SIC fields,
    # nearly all of other industries) this halves the filter's time.
    return any(record[i][:5] in codes and sic_code(record[i]) in codes for i in sic_at)


def sic_code(text: str | None) -> str | None:
    """ "56103 - Take-away food shops..." -> "56103"; "None Supplied", "", 4-digit -> None."""
    m = _SIC_CODE.match(text or "")
    return m.group(1) if m else None


def postcode_district(postcode: str | None) -> str | None:
    """The outward code ("SE13") of a UK postcode however it is spaced or cased; None for
    a foreign or partial one. Same rule as the dbt macro canonical_postcode."""
    compact = re.sub(r"[^A-Za-z0-9]", "", postcode or "").upper()
    return compact[:-3] if _UK_POSTCODE.match(compact) else None


def _to_frame(
    frame: pl.DataFrame, file: str, vintage: date, r_rewritten: bool
) -> tuple[pl.DataFrame, int]:
    # The official file quotes every field, so an empty field is "" and means "none".
    frame = frame.with_columns(pl.col(list(FIELDS.values())).replace("", None))
    na_count = 0
    if r_rewritten:
        typed = DATE_COLUMNS + INT_COLUMNS
        na_count = int(frame.select(pl.sum_horizontal(pl.col(typed).eq(_R_NULL).sum())).item())
        frame = frame.with_columns(
            pl.when(pl.col(c) == _R_NULL).then(None).otherwise(pl.col(c)).alias(c) for c in typed
        )
    frame = frame.with_columns(
        pl.lit(file).alias("_source_file"), pl.lit(vintage).alias("_vintage")
    )
    frame = _cast_dates(frame, file)
    frame = cast_strict(frame, {c: pl.Int64 for c in INT_COLUMNS}, SOURCE, file)
    return frame.select(COLUMNS), na_count


def _cast_dates(frame: pl.DataFrame, file: str) -> pl.DataFrame:
    """DD/MM/YYYY -> Date; a value that is not a real date in that form is a ContractError
    naming the row and the value as published."""
    typed = frame.with_columns(
        pl.when(pl.col(c).str.contains(_DATE_TEXT))
        .then(pl.col(c).str.to_date("%d/%m/%Y", strict=False))
        .alias(c)
        for c in DATE_COLUMNS
    )
    for column in DATE_COLUMNS:
        bad = frame.filter(pl.col(column).is_not_null() & typed[column].is_null())
        if bad.height:
            first = bad.row(0, named=True)
            raise ContractError(
                SOURCE,
                file,
                f"{bad.height} value(s) of {column} are not DD/MM/YYYY dates; "
                f"the first is {first[column]!r} (company {first['company_number']})",
                row=first["_source_row"],
                failures=[
                    {
                        "column": column,
                        "company_number": r["company_number"],
                        "_source_row": r["_source_row"],
                        column: r[column],
                    }
                    for r in bad.head(5).iter_rows(named=True)
                ],
            )
    return typed


def _refuse_duplicates(frame: pl.DataFrame) -> None:
    """A company number is the register's key: a repeat means overlapping files."""
    dups = frame.filter(pl.col("company_number").is_duplicated())
    if not dups.height:
        return
    number = dups["company_number"][0]
    first, second = dups.filter(pl.col("company_number") == number).head(2).iter_rows(named=True)
    raise ContractError(
        SOURCE,
        second["_source_file"],
        f"company number {number} appears more than once: at {first['_source_file']} line "
        f"{first['_source_row']} and again here; {dups['company_number'].n_unique()} "
        "number(s) are duplicated in all",
        row=second["_source_row"],
        failures=[
            {k: r[k] for k in ("company_number", "company_name", "_source_file", "_source_row")}
            for r in (first, second)
        ],
    )


# --------------------------------------------------------------------------- connector


def select_latest_snapshot(
    paths: list[Path], areas: tuple[str, ...], emit: Emit | None = None
) -> list[Path]:
    """The files of the newest snapshot in a folder (its one file when both forms are
    there); the others are reported through `emit` (default: this module's logger).
    `areas` (FSA codes) do not apply: the register is national."""
    dated = [(p, _vintage_of(p)) for p in paths]
    if not dated:
        return []
    newest = max(v for _, v in dated)
    latest = sorted(p for p, v in dated if v == newest)
    whole = [p for p in latest if _ONE_FILE_NAME.search(p.name)]
    chosen = whole[:1] or latest
    say = emit or log.info
    for path, vintage in sorted(dated):
        if path in chosen:
            continue
        why = f"an older snapshot ({vintage})" if vintage != newest else "the one file is read"
        say(f"{SOURCE}: ignored {path.name}: {why}")
    return chosen


def _parse(paths: Sequence[Path], scope: Scope = ALL_AREAS) -> ParseResult:
    """Food-sector companies anywhere, plus every company registered in the areas in scope."""
    frame, parsed = read_companies(paths, postcode_districts=scope.postcode_districts)
    return ParseResult({TABLE: frame}, [p.note() for p in parsed])


def _fetch(settings: Settings, folder: Path, emit: Emit | None) -> list[raw_store.RawFile]:
    return fetch_live(DOWNLOAD_PAGE, folder, http.RetryPolicy.for_settings(settings), emit)


CONNECTOR = Connector(
    metadata=METADATA,
    tables=(
        RawTable(
            name=TABLE,
            description="One row per food-service or food-retail company (SIC codes in "
            "companies_house.FOOD_SIC_CODES) of the monthly BasicCompanyData snapshot, every "
            "published column typed.",
            checks=(
                CheckSpec(
                    name="passes_quality_suite",
                    suite="companies_house__companies",
                    description="Company number present, unique and well-formed; status, "
                    "category and SIC fields in the published vocabularies; postcode format "
                    "rate; no incorporation or made-up dates in the future. Failing blocks "
                    "everything downstream.",
                    parameters=today_parameter,
                ),
                CheckSpec(
                    name="within_drift_bounds",
                    suite="companies_house__companies_drift",
                    description="Row-count ceiling, completeness of postcodes and dates, share "
                    "of active companies and of UK addresses. Warns, never blocks.",
                    blocking=False,
                ),
            ),
        ),
    ),
    file_patterns=("BasicCompanyData*.zip", "BasicCompanyData*.csv"),
    parse=_parse,
    fetch_live=_fetch,
    scoped=True,
    select=select_latest_snapshot,
)
