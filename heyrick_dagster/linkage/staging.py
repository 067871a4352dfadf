"""The few staging columns linkage reads, computed in Python from the raw parsed tables.

For tests and benchmarks that run linkage without dbt. The pipeline reads the dbt
staging tables instead; these expressions mirror the macros `canonical_postcode`,
`postcode_district` and the company-number rule of stg_companies_house__companies
(change them together).
"""

from __future__ import annotations

import polars as pl

_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
_DISTRICT = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"


def canonical_postcode(column: str) -> pl.Expr:
    """ "se136jg", " SE13  6JG" -> "SE13 6JG"; anything that is not a full postcode -> null."""
    compact = pl.col(column).cast(pl.String).str.replace_all(r"[^A-Za-z0-9]", "").str.to_uppercase()
    return pl.when(compact.str.contains(_POSTCODE)).then(
        pl.concat_str(
            [compact.str.slice(0, compact.str.len_chars() - 3), pl.lit(" "), compact.str.slice(-3)]
        )
    )


def postcode_district(canonical: pl.Expr, published: pl.Expr | None = None) -> pl.Expr:
    """The outward code of a canonical postcode; else a published bare district ("AL7")."""
    district = canonical.str.split(" ").list.first()
    if published is None:
        return district
    bare = published.cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.coalesce(district, pl.when(bare.str.contains(_DISTRICT)).then(bare))


def company_number(column: str) -> pl.Expr:
    """8 characters: digits zero-padded, or a 2-letter prefix and 6 digits."""
    compact = pl.col(column).cast(pl.String).str.replace_all(r"\s", "").str.to_uppercase()
    return (
        pl.when(compact.str.contains(r"^[0-9]{1,8}$"))
        .then(compact.str.zfill(8))
        .when(compact.str.contains(r"^[A-Z]{2}[0-9]{1,6}$"))
        .then(compact.str.slice(0, 2) + compact.str.slice(2).str.zfill(6))
        .otherwise(pl.when(compact != "").then(compact))
    )


def _located(
    frame: pl.DataFrame, postcode_column: str, district_from_published: bool = False
) -> pl.DataFrame:
    frame = frame.with_columns(canonical_postcode(postcode_column).alias("_canonical"))
    published = pl.col(postcode_column) if district_from_published else None
    return frame.with_columns(
        pl.col("_canonical").alias("postcode"),
        postcode_district(pl.col("_canonical"), published).alias("postcode_district"),
    ).drop("_canonical")


def premises(raw: pl.DataFrame) -> pl.DataFrame:
    """raw.fhrs__establishments -> record_id, business_name, postcode, postcode_district."""
    frame = raw.with_columns(pl.col("fhrsid").cast(pl.String).alias("record_id"))
    return _located(frame, "postcode").select(
        "record_id", "business_name", "postcode", "postcode_district"
    )


def companies(raw: pl.DataFrame) -> pl.DataFrame:
    """raw.companies_house__companies -> record_id, company_name, postcode, postcode_district."""
    frame = raw.with_columns(company_number("company_number").alias("record_id"))
    return _located(frame, "reg_address_postcode").select(
        "record_id", "company_name", "postcode", "postcode_district"
    )


def illegal_working(raw: pl.DataFrame) -> pl.DataFrame:
    """raw.illegal_working__penalties -> record_id, liable_party, trading_name, postcode,
    postcode_district."""
    return _located(raw, "postcode").select(
        "record_id", "liable_party", "trading_name", "postcode", "postcode_district"
    )


def nmw_naming(raw: pl.DataFrame) -> pl.DataFrame:
    """raw.nmw_naming__named_employers -> record_id, employer_name, trading_name, postcode,
    postcode_district (a bare published district counts, as in staging)."""
    return _located(raw, "postcode", district_from_published=True).select(
        "record_id", "employer_name", "trading_name", "postcode", "postcode_district"
    )
