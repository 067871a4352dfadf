"""Sample writer: `world.companies` as the Companies House BasicCompanyData product.

Writes `companies_house/BasicCompanyData-<extract_date>-part1_1.zip` holding one
member of the same name with `.csv`, in the official layout: the published header
line (unquoted, with its leading spaces), 55 fields, every field double-quoted,
dates DD/MM/YYYY, rows in name order. The zip's comment says the data are
SYNTHETIC (the CSV itself has no room for a note without breaking its layout).

Like the real product it lists live companies only, so dissolved companies of the
world (phoenix predecessors among them) are not written. Noise of the real
register, each share small: "None Supplied" instead of SIC codes, blank or
inconsistent country and county, missing, badly spaced or mistyped postcodes, a few
foreign registered addresses, names published in quotes, a registered name
carrying "T/A <trading name>", previous names, empty account categories.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from heyrick_dagster.sample.world import World
from heyrick_dagster.sources.companies_house import FIELDS, PUBLISHED_HEADER

SOURCE = "companies_house"

# SIC 2007 texts as Companies House prints them after the code.
SIC_TEXTS: dict[str, str] = {
    "10710": "Manufacture of bread; manufacture of fresh pastry goods and cakes",
    "10850": "Manufacture of prepared meals and dishes",
    "41100": "Development of building projects",
    "43999": "Other specialised construction activities not elsewhere classified",
    "45200": "Maintenance and repair of motor vehicles",
    "46390": "Non-specialised wholesale of food, beverages and tobacco",
    "47110": "Retail sale in non-specialised stores with food, beverages or tobacco predominating",
    "47190": "Other retail sale in non-specialised stores",
    "47210": "Retail sale of fruit and vegetables in specialised stores",
    "47220": "Retail sale of meat and meat products in specialised stores",
    "47230": "Retail sale of fish, crustaceans and molluscs in specialised stores",
    "47240": "Retail sale of bread, cakes, flour confectionery and sugar confectionery in "
    "specialised stores",
    "47250": "Retail sale of beverages in specialised stores",
    "47260": "Retail sale of tobacco products in specialised stores",
    "47290": "Other retail sale of food in specialised stores",
    "47300": "Retail sale of automotive fuel in specialised stores",
    "47710": "Retail sale of clothing in specialised stores",
    "47730": "Dispensing chemist in specialised stores",
    "47810": "Retail sale via stalls and markets of food, beverages and tobacco products",
    "47910": "Retail sale via mail order houses or via Internet",
    "49320": "Taxi operation",
    "49410": "Freight transport by road",
    "55100": "Hotels and similar accommodation",
    "56101": "Licensed restaurants",
    "56102": "Unlicensed restaurants and cafes",
    "56103": "Take-away food shops and mobile food stands",
    "56210": "Event catering activities",
    "56290": "Other food services",
    "56301": "Licensed clubs",
    "56302": "Public houses and bars",
    "62020": "Information technology consultancy activities",
    "68100": "Buying and selling of own real estate",
    "68209": "Other letting and operating of own or leased real estate",
    "69201": "Accounting and auditing activities",
    "70229": "Management consultancy activities other than financial management",
    "74909": "Other professional, scientific and technical activities n.e.c.",
    "81210": "General cleaning of buildings",
    "82990": "Other business support service activities n.e.c.",
    "96020": "Hairdressing and other beauty treatment",
    "96090": "Other service activities n.e.c.",
    "99999": "Dormant Company",
}
# A code the table lacks still gets the published "code - text" shape.
UNKNOWN_SIC_TEXT = "Other activities n.e.c."
NONE_SUPPLIED = "None Supplied"

# Made-up registered-agent addresses abroad: (line 1, town, county, country, postcode).
FOREIGN_ADDRESSES = (
    ("PO BOX 4410, HARBOUR CHAMBERS", "GEORGE TOWN", "GRAND CAYMAN", "CAYMAN ISLANDS", "KY1-1107"),
    ("1800 MARKET VIEW SUITE 300", "SAN FRANCISCO", "CA", "UNITED STATES", "94107"),
    ("14 QUAYSIDE LANE", "DUBLIN 2", "", "IRELAND", "D02 X5K2"),
)
UK_COUNTRY_LABELS = {
    "England": ("ENGLAND", "UNITED KINGDOM", ""),
    "Wales": ("WALES", "UNITED KINGDOM", ""),
    "Scotland": ("SCOTLAND", "UNITED KINGDOM", ""),
}
# Shares in the 2020 real sample: 34% ENGLAND, 27% UNITED KINGDOM, 35% blank.
COUNTRY_WEIGHTS = (0.36, 0.28, 0.36)
ACCOUNT_CATEGORIES = {
    "TOTAL EXEMPTION FULL": 0.35,
    "MICRO ENTITY": 0.25,
    "UNAUDITED ABRIDGED": 0.1,
    "DORMANT": 0.04,
    "SMALL": 0.03,
    "FULL": 0.02,
    "": 0.21,  # blank in about a quarter of real rows
}
PREVIOUS_NAME_WORDS = ("FOODS", "TRADING", "ENTERPRISES", "VENTURES", "CATERING", "STORES")
RETURNS_ABOLISHED = date(2016, 6, 30)  # annual returns gave way to confirmation statements
URI_BASE = "http://business.data.gov.uk/id/company/"


def file_name(extract_date: str) -> str:
    return f"BasicCompanyData-{extract_date}-part1_1"


def write(world: World, out_dir: Path) -> list[Path]:
    """Write the one-part zip under out_dir/companies_house/ and return its path."""
    rng = random.Random(f"{world.seed}-{SOURCE}")
    extract = date.fromisoformat(world.extract_date)
    places = _places(world)
    trading = dict(world.businesses.select("entity_id", "trading_name").iter_rows())
    live = world.companies.filter(pl.col("company_status") != "Dissolved").sort("company_number")
    rows = [_row(c, extract, places, trading, rng) for c in live.iter_rows(named=True)]
    rows.sort(key=lambda r: (r[0], r[1]))  # the product is in registered-name order

    folder = out_dir / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    name = file_name(world.extract_date)
    path = folder / f"{name}.zip"
    _write_zip(path, f"{name}.csv", _csv_text(rows), extract, world.seed)
    return [path]


def _csv_text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    buffer.write(PUBLISHED_HEADER + "\n")  # the real header line is not quoted
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _write_zip(path: Path, member: str, data: bytes, extract: date, seed: int) -> None:
    # A fixed member timestamp keeps the zip byte-identical for the same seed.
    info = zipfile.ZipInfo(member, date_time=(extract.year, extract.month, extract.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = (
            f"SYNTHETIC DATA - NOT REAL COMPANIES. Generated by Heyrick's sample generator "
            f"(seed {seed}) in the layout of Companies House BasicCompanyData."
        ).encode("ascii")
        archive.writestr(info, data)


def _places(world: World) -> dict[str, tuple[str, str]]:
    """Canonical postcode -> (county, country) of the authority it lies in."""
    joined = world.postcodes.join(
        world.authorities.select("gss_code", "county", "country"), on="gss_code", how="inner"
    )
    return {
        pc: (county, country)
        for pc, county, country in joined.select("postcode", "county", "country").iter_rows()
    }


def _row(
    company: dict,
    extract: date,
    places: dict[str, tuple[str, str]],
    trading: dict[str, str],
    rng: random.Random,
) -> list[str]:
    values = dict.fromkeys(FIELDS, "")
    number = company["company_number"]
    values |= {
        "CompanyName": _published_name(company, trading, rng),
        "CompanyNumber": number,
        "CompanyCategory": company["company_category"] or "",
        "CompanyStatus": company["company_status"] or "",
        "CountryOfOrigin": "United Kingdom",
        "URI": URI_BASE + number,
        "LimitedPartnerships.NumGenPartners": "0",
        "LimitedPartnerships.NumLimPartners": "0",
    }
    values |= _address(company, places, rng)
    values |= _sic_fields(company["sic_codes"] or [], rng)
    inc = company["incorporation_date"]
    if inc is not None:
        values["IncorporationDate"] = _dmy(inc)
        values |= _filing_dates(inc, extract, rng)
        values |= _previous_name(company, inc, extract, rng)
    values |= _mortgages(rng)
    return [values[field] for field in FIELDS]


def _published_name(company: dict, trading: dict[str, str], rng: random.Random) -> str:
    name = company["company_name"]
    trading_name = trading.get(company["entity_id"]) if company["entity_id"] else None
    draw = rng.random()
    if trading_name and trading_name.upper() not in name and draw < 0.03:
        return f"{name} T/A {trading_name.upper()}"
    if draw > 0.99 and " " in name:
        # Names registered in quotes: '"GOLDEN KEBAB HOUSE" LTD'.
        body, form = name.rsplit(" ", 1)
        return f'"{body}" {form}'
    return name


def _address(company: dict, places: dict[str, tuple[str, str]], rng: random.Random) -> dict:
    postcode = company["reg_postcode"] or ""
    county, country = places.get(postcode, ("", "England"))
    if company["entity_id"] is None and rng.random() < 0.02:
        line_1, town, region, abroad, foreign_postcode = rng.choice(FOREIGN_ADDRESSES)
        return {
            "RegAddress.AddressLine1": line_1,
            "RegAddress.PostTown": town,
            "RegAddress.County": region,
            "RegAddress.Country": abroad,
            "RegAddress.PostCode": foreign_postcode,
        }
    return {
        "RegAddress.CareOf": _care_of(company, rng),
        "RegAddress.AddressLine1": company["reg_address_line_1"] or "",
        "RegAddress.AddressLine2": company["reg_address_line_2"] or "",
        "RegAddress.PostTown": company["reg_post_town"] or "",
        "RegAddress.County": (county or "").upper() if rng.random() < 0.45 else "",
        "RegAddress.Country": rng.choices(
            UK_COUNTRY_LABELS.get(country, UK_COUNTRY_LABELS["England"]), COUNTRY_WEIGHTS
        )[0],
        "RegAddress.PostCode": _noisy_postcode(postcode, rng),
    }


def _care_of(company: dict, rng: random.Random) -> str:
    if company["reg_at_accountant"] and rng.random() < 0.2:
        return rng.choice(("ACCOUNTANCY SERVICES", "TAX & BOOKS", "FORMATIONS"))
    return ""


def _noisy_postcode(postcode: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.01:
        return ""
    if draw < 0.02 and " " in postcode:
        return postcode.replace(" ", "   ")  # as in "M2   2EE"
    if draw < 0.025 and "0" in postcode:
        return postcode.replace("0", "O", 1)  # as in "CRO 1JB"
    return postcode


def _sic_fields(codes: list[str], rng: random.Random) -> dict:
    if not codes or rng.random() < 0.02:
        return {"SICCode.SicText_1": NONE_SUPPLIED}
    return {
        f"SICCode.SicText_{n}": f"{code} - {SIC_TEXTS.get(code, UNKNOWN_SIC_TEXT)}"
        for n, code in enumerate(codes[:4], 1)
    }


def _filing_dates(inc: date, extract: date, rng: random.Random) -> dict:
    """Accounting reference date on the last day of the incorporation month, accounts
    due 9 months after it (21 months after incorporation for the first), confirmation
    statements yearly; a few companies are a year behind with their accounts."""
    ref_day = calendar.monthrange(inc.year, inc.month)[1]
    out = {
        "Accounts.AccountRefDay": str(ref_day),
        "Accounts.AccountRefMonth": str(inc.month),
    }
    last_ard = _latest_filed_ard(inc, extract)
    if last_ard is not None and rng.random() < 0.05:
        last_ard = _add_years(last_ard, -1) if _add_years(last_ard, -1) > inc else None
    if last_ard is None:
        out["Accounts.NextDueDate"] = _dmy(_add_months(inc, 21))
        out["Accounts.AccountCategory"] = "NO ACCOUNTS FILED"
    else:
        out["Accounts.LastMadeUpDate"] = _dmy(last_ard)
        out["Accounts.NextDueDate"] = _dmy(_add_months(_add_years(last_ard, 1), 9))
        categories = list(ACCOUNT_CATEGORIES)
        out["Accounts.AccountCategory"] = rng.choices(
            categories, [ACCOUNT_CATEGORIES[c] for c in categories]
        )[0]
    out |= _confirmation_dates(inc, extract)
    out |= _returns_dates(inc)
    return out


def _latest_filed_ard(inc: date, extract: date) -> date | None:
    """The newest accounting reference date whose accounts were due before the extract
    (the first one falls at least 6 months after incorporation, as the law requires)."""
    for year in range(extract.year, inc.year - 1, -1):
        ard = date(year, inc.month, calendar.monthrange(year, inc.month)[1])
        if _add_months(inc, 6) < ard and _add_months(ard, 9) <= extract:
            return ard
    return None


def _confirmation_dates(inc: date, extract: date) -> dict:
    anniversary = _add_years(inc, extract.year - inc.year)
    if anniversary > extract - timedelta(days=14):
        anniversary = _add_years(anniversary, -1)
    if anniversary <= inc:
        return {"ConfStmtNextDueDate": _dmy(_add_years(inc, 1) + timedelta(days=14))}
    return {
        "ConfStmtLastMadeUpDate": _dmy(anniversary),
        "ConfStmtNextDueDate": _dmy(_add_years(anniversary, 1) + timedelta(days=14)),
    }


def _returns_dates(inc: date) -> dict:
    """Annual returns stopped in June 2016; the product still prints a due date."""
    if inc >= RETURNS_ABOLISHED:
        return {"Returns.NextDueDate": _dmy(_add_years(inc, 1) + timedelta(days=28))}
    last = _add_years(inc, RETURNS_ABOLISHED.year - inc.year)
    if last > RETURNS_ABOLISHED:
        last = _add_years(last, -1)
    if last <= inc:
        return {"Returns.NextDueDate": _dmy(_add_years(inc, 1) + timedelta(days=28))}
    return {
        "Returns.LastMadeUpDate": _dmy(last),
        "Returns.NextDueDate": _dmy(_add_years(last, 1) + timedelta(days=28)),
    }


def _previous_name(company: dict, inc: date, extract: date, rng: random.Random) -> dict:
    if rng.random() >= 0.05 or (extract - inc).days < 60:
        return {}
    changed = inc + timedelta(days=rng.randrange(30, (extract - inc).days))
    first_word = company["company_name"].split(" ", 1)[0]
    return {
        "PreviousName_1.CONDATE": _dmy(changed),
        "PreviousName_1.CompanyName": f"{first_word} {rng.choice(PREVIOUS_NAME_WORDS)} LTD",
    }


def _mortgages(rng: random.Random) -> dict:
    charges = 0 if rng.random() < 0.85 else rng.randint(1, 3)
    outstanding = rng.randint(0, charges)
    return {
        "Mortgages.NumMortCharges": str(charges),
        "Mortgages.NumMortOutstanding": str(outstanding),
        "Mortgages.NumMortPartSatisfied": "0",
        "Mortgages.NumMortSatisfied": str(charges - outstanding),
    }


def _dmy(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _add_years(value: date, years: int) -> date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _add_months(value: date, months: int) -> date:
    index = value.month - 1 + months
    year, month = value.year + index // 12, index % 12 + 1
    return date(year, month, min(value.day, calendar.monthrange(year, month)[1]))
