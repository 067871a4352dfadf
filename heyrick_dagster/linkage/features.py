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

from heyrick_dagster.linkage.names import NAME_COLUMNS, PLAIN_TEXT, name_forms


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


def _address_columns(frame: pl.DataFrame, lines: tuple[str, ...]) -> pl.DataFrame:
    """`house_number` and `street` (`address_key`) of the address line columns `lines`
    of `frame`, read in polars: right for printable ASCII lines (names.PLAIN_TEXT;
    `record_features` gives the others to `address_key`). One step per stage: an eager
    polars call computes a sub-expression again for every expression that uses it."""
    if not lines:
        return pl.DataFrame(schema={"house_number": pl.String, "street": pl.String}).clear(
            frame.height
        )
    staged = frame.select(
        *(
            pl.col(c)
            .cast(pl.String)
            .str.to_lowercase()
            .str.replace_all(r"[^a-z0-9 -]", " ")
            .str.replace_all(r"\s+", " ")
            .str.strip_chars(" ")
            .str.extract_groups(_NUMBERED_LINE.pattern)
            .alias(f"_numbered{i}")
            for i, c in enumerate(lines)
        ),
        *(
            pl.col(c)
            .cast(pl.String)
            .str.strip_chars(" ")
            .str.extract_groups("(?i)" + _UNIT_LINE.pattern)
            .alias(f"_unit{i}")
            for i, c in enumerate(lines)
        ),
    )
    numbers = [pl.col(f"_numbered{i}").struct.field("1") for i in range(len(lines))]
    streets = [
        pl.when(number.is_not_null()).then(pl.col(f"_numbered{i}").struct.field("2"))
        for i, number in enumerate(numbers)
    ]
    # A numbered line never starts with a unit word: the first unit of any line is the
    # first of the lines other than the numbered one, as address_key takes it.
    units = [
        pl.concat_str(pl.col(f"_unit{i}").struct.field("1", "2"), separator=" ")
        for i in range(len(lines))
    ]
    staged = staged.select(
        pl.coalesce(numbers).alias("number"),
        pl.coalesce(streets).alias("street"),
        pl.coalesce(units).str.to_lowercase().alias("unit"),
    )
    street = pl.col("street")
    for short, long in _STREET_ABBREVIATIONS.items():
        street = street.str.replace_all(rf"(?-u:\b){short}(?-u:\b)", long)
    unit, number = pl.col("unit"), pl.col("number")
    return staged.select(
        pl.when(unit.is_not_null())
        .then(unit + "/" + number)
        .otherwise(number)
        .alias("house_number"),
        street.alias("street"),
    )


def _name_forms_of(names: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """`names.name_forms` of a name column, its columns prefixed, trades as strings."""
    trade = [c for c in NAME_COLUMNS if c.endswith("_trade")]
    return names.with_columns(pl.col(trade).list.join(" ").replace("", None)).rename(
        {"name": f"{prefix}value"} | {c: prefix + c for c in NAME_COLUMNS}
    )


def _names_expr(has_second: bool) -> list[pl.Expr]:
    """(name_full, name_core, alt_full, alt_core, name_trade, alt_trade) from the forms of
    a record's first name (`p_*`) and second (`s_*`): the alternative name is the first
    name's trading part, else the second name's trading part, else its registered part.
    A blank second name ("") is no name; one with no forms is an alternative without
    forms."""
    first_trading = pl.col("p_trading_full").is_not_null()
    second = pl.col("s_value").is_not_null() & (pl.col("s_value") != "") if has_second else None

    def alternative(form: str) -> pl.Expr:
        chosen = pl.when(first_trading).then(pl.col(f"p_trading_{form}"))
        if second is None:
            return chosen
        of_second = pl.when(pl.col("s_trading_full").is_not_null())
        of_second = of_second.then(pl.col(f"s_trading_{form}")).otherwise(pl.col(f"s_name_{form}"))
        return chosen.when(second).then(of_second)

    return [
        pl.col("p_name_full").alias("name_full"),
        pl.col("p_name_core").alias("name_core"),
        alternative("full").alias("alt_full"),
        alternative("core").alias("alt_core"),
        pl.col("p_name_trade").alias("name_trade"),
        alternative("trade").alias("alt_trade"),
    ]


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
        return activity_of_sic(pl.col(column).cast(pl.String)).alias("activity")
    return pl.lit(None, dtype=pl.String).alias("activity")


def _local_count(column: str) -> pl.Expr:
    """Records of the frame with this name in this postcode area (null without a name;
    a record without an area counts among the others without one)."""
    counted = pl.len().over(column, "postcode_area")
    return pl.when(pl.col(column).is_not_null()).then(counted.cast(pl.Int64))


def activity_of_sic(code: pl.Expr) -> pl.Expr:
    """The activity of a column of SIC codes: that of the longest prefix (4, 3, then 2
    characters) ACTIVITY_BY_SIC_PREFIX knows; null for a blank or unknown code."""
    return pl.coalesce(
        code.str.slice(0, length).replace_strict(
            ACTIVITY_BY_SIC_PREFIX, default=None, return_dtype=pl.String
        )
        for length in (4, 3, 2)
    )


def record_features(
    frame: pl.DataFrame, source: str, forms: pl.DataFrame | None = None
) -> pl.DataFrame:
    """A staging frame (record_id, the names and address lines of `SOURCE_FIELDS[source]`,
    postcode, postcode_district) as `FEATURE_SCHEMA` rows, one per record with an id.
    Every step is a polars expression over the whole frame: nationally 1.2 million
    records, 675,000 distinct names (parsed once each, `names.name_forms`; `forms`: that
    table of these names or more, when the caller has it)."""
    fields = SOURCE_FIELDS[source]
    named = frame.select(
        [pl.col(c).cast(pl.String).alias(f"_name{i}") for i, c in enumerate(fields.names)]
    )
    names = pl.concat([named.get_column(c) for c in named.columns])
    if forms is None:
        forms = name_forms(names)
    else:  # the forms of this frame's names only: a run's table holds every source's
        forms = forms.join(names.unique().to_frame("name"), on="name", how="semi")
    has_second = len(fields.names) > 1
    for i, prefix in enumerate(("p_", "s_")[: len(fields.names)]):
        named = named.join(
            _name_forms_of(forms, prefix),
            left_on=f"_name{i}",
            right_on=f"{prefix}value",
            how="left",
            maintain_order="left",
        )
        if prefix == "s_":
            named = named.with_columns(pl.col("_name1").alias("s_value"))
    name_columns = named.select(_names_expr(has_second))
    # Lines other than printable ASCII go through address_key (see names.PLAIN_TEXT).
    addresses = _address_columns(frame, fields.address)
    if fields.address:
        plain = frame.select(
            pl.all_horizontal(
                pl.col(c).is_null() | pl.col(c).cast(pl.String).str.contains(PLAIN_TEXT)
                for c in fields.address
            )
        ).to_series()
        if not plain.all():
            addresses = _with_python_addresses(frame, fields.address, addresses, ~plain)
    derived = pl.concat([name_columns, addresses], how="horizontal")
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
        pl.concat([located, derived.select(_DERIVED)], how="horizontal")
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


def _with_python_addresses(
    frame: pl.DataFrame, columns: tuple[str, ...], addresses: pl.DataFrame, rows: pl.Series
) -> pl.DataFrame:
    """`addresses` with the `rows` (a mask) read by `address_key`: those whose lines are
    not all printable ASCII."""
    index = rows.arg_true()
    lines = frame.select(pl.concat_list([pl.col(c).cast(pl.String) for c in columns]))
    keys = [address_key(values) for values in lines.to_series().gather(index).to_list()]
    house = addresses["house_number"].scatter(index, [k[0] for k in keys])
    street = addresses["street"].scatter(index, [k[1] for k in keys])
    return addresses.with_columns(house_number=house, street=street)
