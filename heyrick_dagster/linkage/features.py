"""The comparison record every source is turned into before probabilistic matching.

Splink compares two tables column by column, so each source is first reduced to the
same columns (`FEATURE_SCHEMA`):

- `unique_id`, `source_dataset`: the source's own record key and the source key;
- `name_full`, `name_core`: the registered (or only) name, as `names.parse_name` forms;
- `alt_full`, `alt_core`: a second name -- the "T/A" part of the name, else the
  published trading name. A premises trades under "Golden Kebab House" while the
  company is "G&G PHOENIX FOODS LTD T/A Golden Kebab House"; comparing every name of
  one record with every name of the other is what finds it;
- `name_trade`, `alt_trade`: the trade words each name's core dropped ("kebab house"),
  so that two names whose cores agree can be told apart when their trades differ
  ("Perry Chinese Takeaway" is not "PERRY SANDWICH BAR LTD");
- `house_number`, `street`: the first address line that starts with a number
  ("Unit 22", "43 Legrams Lane" -> "43", "legrams lane"). A company registered at its
  premises shares these with the FHRS record even when their names are unrelated
  (a franchisee "T&Z FOODS LTD" running "COSTA COFFEE");
- `postcode`, `postcode_sector`, `postcode_district`, `postcode_area`: the canonical
  postcode and its levels; lists that publish only a district keep that level alone;
- `address_key`: postcode, number and street in one value, so that Splink can weigh an
  address by how many records share it (a tower at 25 Canada Square holds dozens of
  companies and cafes: sharing it says little);
- `name_count`, `alt_count`: how many records of the same source in the same postcode
  area carry that name (full form). "Costa Coffee" names 30 premises of an area and
  "Village Lounge" two: an equal name is evidence of one business only when the name
  is the only one of its kind nearby (the local analogue of a term frequency, which
  does not grow with the size of the country, as a national one would);
- `activity`: what the business does, coarsely (`ACTIVITIES`): the FSA business type
  of a premises, the primary SIC code of a company. Two businesses sharing a shop
  address are told apart by it ("Three Tuns", a pub, is not run by "BRAZILIAN GROCERY
  LIMITED", SIC 47110). The groups are coarse on purpose: a takeaway's company often
  declares 56101 (restaurants), so catering is one group.

Which columns feed those features is declared per source in `SOURCE_FIELDS`; the
staging tables hold them all (see defs/linkage.py for the select).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from heyrick_dagster.linkage.names import parse_name


@dataclass(frozen=True)
class SourceFields:
    names: tuple[str, ...]  # the registered/primary name first, then a trading name
    address: tuple[str, ...]  # address lines, in order
    activity: str | None = None  # "business_type" (FHRS) or "primary_sic_code" (companies)


ACTIVITIES = ("catering", "pub", "retail", "production", "distribution", "institution")

# FSA BusinessType (the published English labels) -> activity.
ACTIVITY_BY_BUSINESS_TYPE = {
    "Restaurant/Cafe/Canteen": "catering",
    "Takeaway/sandwich shop": "catering",
    "Other catering premises": "catering",
    "Mobile caterer": "catering",
    "Hotel/bed & breakfast/guest house": "catering",
    "Pub/bar/nightclub": "pub",
    "Retailers - other": "retail",
    "Retailers - supermarkets/hypermarkets": "retail",
    "Manufacturers/packers": "production",
    "Farmers/growers": "production",
    "Distributors/Transporters": "distribution",
    "Importers/Exporters": "distribution",
    "School/college/university": "institution",
    "Hospitals/Childcare/Caring Premises": "institution",
}

# SIC 2007 code prefix -> activity; the longest matching prefix wins. Codes outside
# food (an accountant's 69201, a dormant 99999) have no activity: no evidence.
ACTIVITY_BY_SIC_PREFIX = {
    "55": "catering",
    "561": "catering",
    "562": "catering",
    "563": "pub",
    "4711": "retail",
    "472": "retail",
    "01": "production",
    "10": "production",
    "11": "production",
    "463": "distribution",
    "85": "institution",
    "86": "institution",
    "87": "institution",
    "88": "institution",
}


def activity_of_sic(code: str | None) -> str | None:
    if not code:
        return None
    for length in (4, 3, 2):
        found = ACTIVITY_BY_SIC_PREFIX.get(code[:length])
        if found:
            return found
    return None


SOURCE_FIELDS: dict[str, SourceFields] = {
    "fhrs": SourceFields(
        names=("business_name",),
        address=("address_line_1", "address_line_2", "address_line_3"),
        activity="business_type",
    ),
    "companies_house": SourceFields(
        names=("company_name", "trading_name"),
        address=("address_line_1", "address_line_2"),
        activity="primary_sic_code",
    ),
    "illegal_working": SourceFields(
        names=("liable_party", "trading_name"), address=("street_address",)
    ),
    # The NMW lists publish a town or district, never a street.
    "nmw_naming": SourceFields(names=("employer_name", "trading_name"), address=()),
}

FEATURE_SCHEMA: dict[str, pl.DataType] = {
    "unique_id": pl.String,
    "source_dataset": pl.String,
    "name_full": pl.String,
    "name_core": pl.String,
    "alt_full": pl.String,
    "alt_core": pl.String,
    "house_number": pl.String,
    "street": pl.String,
    "postcode": pl.String,
    "postcode_sector": pl.String,
    "postcode_district": pl.String,
    "postcode_area": pl.String,
    "activity": pl.String,
    "address_key": pl.String,
    "name_trade": pl.String,
    "alt_trade": pl.String,
    "name_count": pl.Int64,
    "alt_count": pl.Int64,
}

_DERIVED = (
    "name_full",
    "name_core",
    "alt_full",
    "alt_core",
    "name_trade",
    "alt_trade",
    "house_number",
    "street",
)

# A line that starts with a building number: "43 Legrams Lane", "12a High St", "7-9 Kirkgate".
_NUMBERED_LINE = re.compile(r"^(\d+[a-z]?)(?:\s*-\s*\d+[a-z]?)?\s+([a-z][a-z ]*[a-z])$")
_STREET_ABBREVIATIONS = {"rd": "road", "st": "street", "ln": "lane", "ave": "avenue"}


def _address_key(line: str | None) -> tuple[str | None, str | None]:
    """("43", "legrams lane") from "43, Legrams Lane"; (None, None) without a number."""
    if not line:
        return None, None
    text = re.sub(r"[^a-z0-9 -]", " ", line.lower())
    text = re.sub(r"\s+", " ", text).strip()
    found = _NUMBERED_LINE.match(text)
    if not found:
        return None, None
    words = [_STREET_ABBREVIATIONS.get(w, w) for w in found.group(2).split()]
    return found.group(1), " ".join(words)


# "Unit 12", "Arch 3", "Kiosk 17", "Level 37", "Flat 3": a unit inside a numbered building
# (a market, an arcade, an office tower), where several businesses share the building's
# number.
_UNIT_LINE = re.compile(
    r"^(unit|arch|shop|kiosk|stall|suite|level|floor|flat)\s+(\w+)", re.IGNORECASE
)


def address_key(lines: list[str | None]) -> tuple[str | None, str | None]:
    """The number and street of the first numbered line of an address; the number is
    prefixed by a unit named on another line ("unit 22/43"), so the businesses of one
    market hall or one tower do not share an address key. The unit may follow the
    street: Companies House writes "25 CANADA SQUARE, LEVEL 37"."""
    unit = number = street = None
    for line in lines:
        if not line:
            continue
        if number is None:
            number, street = _address_key(line)
            if number:
                continue
        found = _UNIT_LINE.match(line.strip())
        if found and unit is None:
            unit = f"{found.group(1).lower()} {found.group(2).lower()}"
    if number is None:
        return None, None
    return (f"{unit}/{number}" if unit else number), street


def _names(values: list[str | None]) -> tuple[str | None, ...]:
    """(name_full, name_core, alt_full, alt_core, name_trade, alt_trade) from a record's
    published names; a `*_trade` is the name's trade words, sorted and space-separated
    (None when it has none)."""
    primary = parse_name(values[0]) if values else None
    name = primary.registered if primary else None
    alternative = primary.trading if primary and primary.trading.full else None
    for other in values[1:]:
        if alternative is None and other:
            parsed = parse_name(other)
            alternative = parsed.trading if parsed.trading.full else parsed.registered
    return (
        name.full if name else None,
        name.core if name else None,
        alternative.full if alternative else None,
        alternative.core if alternative else None,
        " ".join(name.trade) or None if name else None,
        " ".join(alternative.trade) or None if alternative else None,
    )


def postcode_levels(postcode: pl.Expr, district: pl.Expr) -> list[pl.Expr]:
    """Sector ("SE13 6"), district ("SE13") and area ("SE") of a canonical postcode; a
    bare published district still gives district and area."""
    sector = postcode.str.slice(0, postcode.str.len_chars() - 2)
    resolved = pl.coalesce(postcode.str.split(" ").list.first(), district)
    return [
        sector.alias("postcode_sector"),
        resolved.alias("postcode_district"),
        resolved.str.extract(r"^([A-Z]{1,2})", 1).alias("postcode_area"),
    ]


def _blank_is_null(column: str) -> pl.Expr:
    value = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(value != "").then(value)


def _activity(column: str | None) -> pl.Expr:
    if column == "business_type":
        activity = pl.col(column).replace_strict(ACTIVITY_BY_BUSINESS_TYPE, default=None)
        return activity.alias("activity")
    if column == "primary_sic_code":
        activity = pl.col(column).map_elements(activity_of_sic, return_dtype=pl.String)
        return activity.alias("activity")
    return pl.lit(None, dtype=pl.String).alias("activity")


def _local_count(column: str) -> pl.Expr:
    """Records of the frame with this name in this postcode area (null without a name;
    a record without an area counts among the others without one)."""
    counted = pl.len().over(column, "postcode_area")
    return pl.when(pl.col(column).is_not_null()).then(counted.cast(pl.Int64))


def record_features(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """A staging frame (record_id, the names and address lines of `SOURCE_FIELDS[source]`,
    postcode, postcode_district) as `FEATURE_SCHEMA` rows, one per record with an id."""
    fields = SOURCE_FIELDS[source]
    names = frame.select(
        pl.concat_list([pl.col(c).cast(pl.String) for c in fields.names])
    ).to_series()
    name_rows = [_names(values) for values in names.to_list()]
    if fields.address:
        lines = frame.select(
            pl.concat_list([pl.col(c).cast(pl.String) for c in fields.address])
        ).to_series()
        address_rows = [address_key(values) for values in lines.to_list()]
    else:
        address_rows = [(None, None)] * frame.height
    derived = pl.DataFrame(
        [(*n, *a) for n, a in zip(name_rows, address_rows, strict=True)],
        schema={c: pl.String for c in _DERIVED},
        orient="row",
    )
    # A blank postcode is no postcode: "" = "" would block every blank record with every
    # other and count as "same postcode".
    postcode, district = _blank_is_null("postcode"), _blank_is_null("postcode_district")
    located = frame.select(
        _activity(fields.activity),
        pl.col("record_id").cast(pl.String).alias("unique_id"),
        pl.lit(source).alias("source_dataset"),
        postcode.alias("postcode"),
        *postcode_levels(postcode, district),
    )
    return (
        pl.concat([located, derived], how="horizontal")
        .with_columns(
            pl.concat_str(["postcode", "house_number", "street"], separator="|").alias(
                "address_key"
            )
        )
        .filter(pl.col("unique_id").is_not_null())
        .with_columns(
            _local_count("name_full").alias("name_count"),
            _local_count("alt_full").alias("alt_count"),
        )
        .select(list(FEATURE_SCHEMA))
        .cast(FEATURE_SCHEMA)
    )
