"""What linkage reads from the dbt staging tables: one select per source.

The columns are those `features.SOURCE_FIELDS` and `exact.NAME_COLUMNS` name, plus the
record key and the location. Table and column names are constants here, never data.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

STAGING_INPUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fhrs": (
        "stg_fhrs__establishments",
        (
            "record_id",
            "business_name",
            "business_type",
            "address_line_1",
            "address_line_2",
            "address_line_3",
            "postcode",
            "postcode_district",
        ),
    ),
    "companies_house": (
        "stg_companies_house__companies",
        (
            "record_id",
            "company_name",
            "trading_name",
            "primary_sic_code",
            "address_line_1",
            "address_line_2",
            "postcode",
            "postcode_district",
        ),
    ),
    "illegal_working": (
        "stg_illegal_working__penalties",
        (
            "record_id",
            "liable_party",
            "trading_name",
            "street_address",
            "postcode",
            "postcode_district",
        ),
    ),
    "nmw_naming": (
        "stg_nmw_naming__named_employers",
        ("record_id", "employer_name", "trading_name", "postcode", "postcode_district"),
    ),
}


def staging_sql(source: str) -> str:
    table, columns = STAGING_INPUTS[source]
    return f"select {', '.join(columns)} from staging.{table}"


def read_staging(query: Callable[[str], pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The staging frames by source, read with `query(sql) -> polars frame`."""
    return {source: query(staging_sql(source)) for source in STAGING_INPUTS}
