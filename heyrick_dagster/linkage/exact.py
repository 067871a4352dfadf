"""The exact tiers of the linkage cascade: the same name at the same place.

Inputs are polars frames shaped like the dbt staging tables (the columns each
function names are the staging columns; pass frames in, nothing is read here):

- premises (stg_fhrs__establishments): record_id, business_name, postcode, postcode_district
- companies (stg_companies_house__companies): record_id, company_name, postcode,
  postcode_district
- illegal_working (stg_illegal_working__penalties): record_id, liable_party, trading_name,
  postcode, postcode_district
- nmw_naming (stg_nmw_naming__named_employers):  record_id, employer_name, trading_name,
  postcode, postcode_district

Names are parsed from the names as published (`names.parse_name`), so "T/A" and the
legal form are handled the same way for every source. Postcodes are the staging
canonical form ("SE13 6JG"); a company's postcode is its registered office's.

Rules (the `match_rule` of each link; every one needs location agreement):

- `exact_name_postcode`:       a full name form equal on both sides, same postcode.
- `exact_core_name_postcode`:  only the core forms equal (trade words removed), same
  postcode, and the trades do not disagree (one name has no trade word, or they share one).
- `exact_registered_name`:     a name that carries a legal form ("ABC FOODS LTD") equal to
  the full name of exactly one company in the extract, in the same postcode area
  (both must have one).
  Companies House registers a name only if it is not "the same as" an existing one
  (Companies Act 2006 s.66: punctuation, "limited"/"ltd" and the like ignored, as our
  full form ignores them), so a registered name with its legal form is nearly a key;
  but a dissolved company's name can be registered again by another, and the live
  extract no longer shows the first, hence the area. This is what links a penalty to
  a company registered at its accountant's office in the same town.
- `exact_name_district`:       enforcement rows that publish only a postcode district
  ("AL7", the NMW lists since 2020): a full name form equal and the same district, and
  the row names exactly one record of the target source there -- a common name in a
  district is ambiguous, and ambiguity is left to the probabilistic tier.

A record with no name or no postcode (nor district) has no key, so never links.
Output: `LINKS_SCHEMA`, the shape of `marts.fct_record_links`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from heyrick_dagster.linkage.names import with_name_forms

LINKS_SCHEMA: dict[str, pl.DataType] = {
    "left_source": pl.String,
    "left_record_id": pl.String,
    "right_source": pl.String,
    "right_record_id": pl.String,
    "match_probability": pl.Float64,
    "match_rule": pl.String,
    "link_status": pl.String,
}

RULE_NAME_POSTCODE = "exact_name_postcode"
RULE_CORE_POSTCODE = "exact_core_name_postcode"
RULE_NAME_DISTRICT = "exact_name_district"
RULE_REGISTERED_NAME = "exact_registered_name"
# Lower is better when one pair is found by several rules.
_RULE_RANK = {
    RULE_NAME_POSTCODE: 0,
    RULE_CORE_POSTCODE: 1,
    RULE_REGISTERED_NAME: 2,
    RULE_NAME_DISTRICT: 3,
}

# The name columns each source offers, as published.
NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "fhrs": ("business_name",),
    "companies_house": ("company_name",),
    "illegal_working": ("liable_party", "trading_name"),
    "nmw_naming": ("employer_name", "trading_name"),
}


def empty_links() -> pl.DataFrame:
    return pl.DataFrame(schema=LINKS_SCHEMA)


def _named(
    frame: pl.DataFrame, source: str, forms: pl.DataFrame | None = None
) -> list[pl.DataFrame]:
    """Per name column of the source: record_id, postcode, postcode_district and the
    column's name forms (`names.with_name_forms`; `forms`: `names.name_forms` of them
    or more), from which keys and registered names are both taken."""
    base = frame.select(
        pl.col("record_id").cast(pl.String),
        pl.col("postcode").cast(pl.String),
        pl.col("postcode_district").cast(pl.String),
        *[pl.col(c).cast(pl.String) for c in NAME_COLUMNS[source]],
    )
    return [
        with_name_forms(
            base.select("record_id", "postcode", "postcode_district", column),
            column,
            forms=forms,
        )
        for column in NAME_COLUMNS[source]
    ]


def name_keys(named_columns: list[pl.DataFrame]) -> pl.DataFrame:
    """One row per (record, name form): record_id, kind ("full" | "core"), key,
    postcode, postcode_district. Rows without a key or any location are dropped (from
    each part before they are put together: most records have no trading name)."""
    blank = pl.col("postcode").is_null() | (pl.col("postcode").str.strip_chars() == "")
    no_district = pl.col("postcode_district").is_null() | (
        pl.col("postcode_district").str.strip_chars() == ""
    )
    kept = (
        pl.col("key").is_not_null()
        & (pl.col("key") != "")
        & pl.col("record_id").is_not_null()
        & ~(blank & no_district)
    )
    parts = []
    for named in named_columns:
        for kind, columns in (
            ("full", (("name_full", "name_trade"), ("trading_full", "trading_trade"))),
            ("core", (("name_core", "name_trade"), ("trading_core", "trading_trade"))),
        ):
            for key, trade in columns:
                part = named.select(
                    "record_id",
                    pl.lit(kind).alias("kind"),
                    pl.col(key).alias("key"),
                    pl.col(trade).alias("trade"),
                    "postcode",
                    "postcode_district",
                )
                parts.append(part.filter(kept))
    return (
        pl.concat(parts)
        .with_columns(pl.when(blank).then(None).otherwise(pl.col("postcode")).alias("postcode"))
        .unique(["record_id", "kind", "key", "postcode", "postcode_district"], maintain_order=True)
    )


def _postcode_matches(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Pairs agreeing on a name form (same kind) and the full postcode. Agreeing on the core
    alone also needs the trades to agree: one name has no trade words, or they share one
    ("Ankara Chippy" is not "ANKARA CHINESE TAKEAWAY LTD" at the same postcode)."""
    pairs = left.filter(pl.col("postcode").is_not_null()).join(
        right.filter(pl.col("postcode").is_not_null()),
        on=["kind", "key", "postcode"],
        suffix="_right",
    )
    trades_agree = (
        (pl.col("trade").list.len() == 0)
        | (pl.col("trade_right").list.len() == 0)
        | (pl.col("trade").list.set_intersection(pl.col("trade_right")).list.len() > 0)
    )
    pairs = pairs.filter((pl.col("kind") == "full") | trades_agree)
    return pairs.select(
        pl.col("record_id").alias("left_record_id"),
        pl.col("record_id_right").alias("right_record_id"),
        pl.when(pl.col("kind") == "full")
        .then(pl.lit(RULE_NAME_POSTCODE))
        .otherwise(pl.lit(RULE_CORE_POSTCODE))
        .alias("match_rule"),
    )


def _district_matches(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Rows that give only a district: full name form and district equal, one candidate."""
    only_district = left.filter(pl.col("postcode").is_null() & (pl.col("kind") == "full"))
    pairs = only_district.join(
        right.filter(pl.col("kind") == "full"),
        on=["kind", "key", "postcode_district"],
        suffix="_right",
    )
    pairs = pairs.select(
        pl.col("record_id").alias("left_record_id"),
        pl.col("record_id_right").alias("right_record_id"),
    ).unique()
    unique = pairs.filter(pl.col("right_record_id").n_unique().over("left_record_id") == 1)
    return unique.with_columns(pl.lit(RULE_NAME_DISTRICT).alias("match_rule"))


def registered_names(named_columns: list[pl.DataFrame], source: str) -> pl.DataFrame:
    """record_id, key, area: the full forms of the names of a record that carry a legal
    form (for a company: its registered name, which always does in law, even when the
    extract's text omits it), and the postcode area ("SE") of the record."""
    parts = []
    for named in named_columns:
        if source != "companies_house":
            named = named.filter(pl.col("legal_form").is_not_null())
        parts.append(
            named.select(
                "record_id",
                pl.col("name_full").alias("key"),
                pl.col("postcode_district").str.extract(r"^([A-Z]{1,2})", 1).alias("area"),
            )
        )
    return pl.concat(parts).drop_nulls(["record_id", "key"]).unique()


def _registered_name_matches(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """A legal-form name equal to the registered name of exactly one company, both in
    one postcode area (a record without a location never links on its name alone)."""
    unique = right.filter(pl.col("key").is_unique())
    return (
        left.join(unique, on="key", suffix="_right")
        .filter(pl.col("area") == pl.col("area_right"))
        .select(
            pl.col("record_id").alias("left_record_id"),
            pl.col("record_id_right").alias("right_record_id"),
        )
        .unique()
        .with_columns(pl.lit(RULE_REGISTERED_NAME).alias("match_rule"))
    )


def _finish(pairs: pl.DataFrame, left_source: str, right_source: str) -> pl.DataFrame:
    """The best rule per pair, in the fct_record_links shape, in a stable order."""
    if pairs.is_empty():
        return empty_links()
    best = (
        pairs.with_columns(pl.col("match_rule").replace_strict(_RULE_RANK).alias("_rank"))
        .sort("_rank")
        .unique(["left_record_id", "right_record_id"], keep="first")
    )
    return (
        best.select(
            pl.lit(left_source).alias("left_source"),
            "left_record_id",
            pl.lit(right_source).alias("right_source"),
            "right_record_id",
            pl.lit(1.0).alias("match_probability"),
            "match_rule",
            pl.lit("accepted").alias("link_status"),
        )
        .cast(LINKS_SCHEMA)
        .sort("left_record_id", "right_record_id")
    )


@dataclass(frozen=True)
class _Keys:
    """A source's name keys and registered names, from one parse of its names, built once
    per run: premises and companies are matched against three lists (national sample:
    ~600k names each)."""

    source: str
    names: pl.DataFrame
    registered: pl.DataFrame

    @classmethod
    def of(cls, frame: pl.DataFrame, source: str, forms: pl.DataFrame | None = None) -> _Keys:
        named = _named(frame, source, forms)
        return cls(source, name_keys(named), registered_names(named, source))


def link_premises_companies(premises: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    """FHRS premises (left) <-> companies (right): a name form of the premises equals the
    company's registered or trading name form, and the premises postcode is the company's
    registered postcode; or the premises trades under a name with a legal form that is a
    registered name (`exact_registered_name`)."""
    return _link_premises_companies(
        _Keys.of(premises, "fhrs"), _Keys.of(companies, "companies_house")
    )


def _link_premises_companies(premises: _Keys, companies: _Keys) -> pl.DataFrame:
    registered = _registered_name_matches(premises.registered, companies.registered)
    return _finish(
        pl.concat([_postcode_matches(premises.names, companies.names), registered]),
        "fhrs",
        "companies_house",
    )


def link_enforcement(
    enforcement: pl.DataFrame, source: str, target: pl.DataFrame, target_source: str
) -> pl.DataFrame:
    """An enforcement list (left: `illegal_working` or `nmw_naming`) <-> FHRS premises or
    companies (right), on liable party or trading name and postcode (or district)."""
    if source not in ("illegal_working", "nmw_naming"):
        raise ValueError(f"not an enforcement list: {source!r}")
    return _link_enforcement(_Keys.of(enforcement, source), _Keys.of(target, target_source))


def _link_enforcement(left: _Keys, right: _Keys) -> pl.DataFrame:
    parts = [_postcode_matches(left.names, right.names), _district_matches(left.names, right.names)]
    if right.source == "companies_house":
        parts.append(_registered_name_matches(left.registered, right.registered))
    return _finish(pl.concat(parts), left.source, right.source)


def exact_links(
    premises: pl.DataFrame,
    companies: pl.DataFrame,
    enforcement: dict[str, pl.DataFrame] | None = None,
    forms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every exact-tier link: premises <-> companies, and each enforcement list (by source
    key) <-> premises and <-> companies. `forms`: `names.name_forms` of every name of
    these frames when the caller has it (the features parse the same names)."""
    premises_keys = _Keys.of(premises, "fhrs", forms)
    companies_keys = _Keys.of(companies, "companies_house", forms)
    links = [_link_premises_companies(premises_keys, companies_keys)]
    for source, frame in (enforcement or {}).items():
        if source not in ("illegal_working", "nmw_naming"):
            raise ValueError(f"not an enforcement list: {source!r}")
        keys = _Keys.of(frame, source, forms)
        links.append(_link_enforcement(keys, premises_keys))
        links.append(_link_enforcement(keys, companies_keys))
    return pl.concat(links)
