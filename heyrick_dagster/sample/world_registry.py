"""The register as published: unique names, company numbers in order of incorporation, ids.

Company numbers follow incorporation dates the way the real register's do
(England and Wales passed 07000000 in 2009 and 12000000 in 2019; Scottish
companies are "SC" + 6 digits, LLPs "OC"/"SO", limited partnerships "LP"/"SL"),
so a number says roughly when a company was formed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from heyrick_dagster.sample.world_company_names import make_unique

# Series -> (prefix, digits, [(date, number)]) along which numbers grow with time.
_NUMBER_CURVES: dict[str, tuple[str, int, tuple[tuple[dt.date, int], ...]]] = {
    "EW": ("", 8, ((dt.date(1900, 1, 1), 1), (dt.date(1960, 1, 1), 650_000),
                   (dt.date(1980, 1, 1), 1_450_000), (dt.date(1990, 1, 1), 2_450_000),
                   (dt.date(2000, 1, 1), 3_900_000), (dt.date(2005, 1, 1), 5_300_000),
                   (dt.date(2010, 1, 1), 7_100_000), (dt.date(2015, 1, 1), 9_350_000),
                   (dt.date(2020, 1, 1), 12_380_000), (dt.date(2023, 1, 1), 14_600_000),
                   (dt.date(2027, 1, 1), 17_200_000))),
    "SC": ("SC", 6, ((dt.date(1900, 1, 1), 1), (dt.date(1960, 1, 1), 35_000),
                     (dt.date(1980, 1, 1), 70_000), (dt.date(2000, 1, 1), 200_000),
                     (dt.date(2010, 1, 1), 370_000), (dt.date(2020, 1, 1), 650_000),
                     (dt.date(2027, 1, 1), 860_000))),
    "OC": ("OC", 6, ((dt.date(2001, 4, 6), 300_001), (dt.date(2010, 1, 1), 350_000),
                     (dt.date(2020, 1, 1), 430_000), (dt.date(2027, 1, 1), 462_000))),
    "SO": ("SO", 6, ((dt.date(2001, 4, 6), 300_001), (dt.date(2027, 1, 1), 308_500))),
    "LP": ("LP", 6, ((dt.date(1900, 1, 1), 1), (dt.date(2000, 1, 1), 7_000),
                     (dt.date(2027, 1, 1), 25_000))),
    "SL": ("SL", 6, ((dt.date(1900, 1, 1), 1), (dt.date(2000, 1, 1), 3_000),
                     (dt.date(2027, 1, 1), 35_000))),
}
_EPOCH = dt.date(1970, 1, 1)


def _series(companies: pl.DataFrame) -> pl.Series:
    scottish = pl.col("_country") == "Scotland"
    category = pl.col("company_category")
    return companies.select(
        pl.when(category == "Limited Liability Partnership")
        .then(pl.when(scottish).then(pl.lit("SO")).otherwise(pl.lit("OC")))
        .when(category == "Limited Partnership")
        .then(pl.when(scottish).then(pl.lit("SL")).otherwise(pl.lit("LP")))
        .otherwise(pl.when(scottish).then(pl.lit("SC")).otherwise(pl.lit("EW")))
    ).to_series()


def company_numbers(companies: pl.DataFrame) -> pl.Series:
    """Each company's number, in row order: unique, rising with incorporation within a series."""
    slim = companies.select(pl.int_range(pl.len()).alias("_row"), "_key", "incorporation_date",
                            _series(companies).alias("_series"))
    parts = []
    for (series,), group in slim.group_by("_series", maintain_order=True):
        prefix, digits, curve = _NUMBER_CURVES[series]
        group = group.sort("incorporation_date", "_key")
        days = group["incorporation_date"].cast(pl.Int64).to_numpy()
        base = np.interp(days, [(d - _EPOCH).days for d, _ in curve],
                         [n for _, n in curve]).astype(np.int64)
        steps = np.arange(len(base))
        numbers = np.maximum.accumulate(base - steps) + steps
        if numbers.max(initial=0) >= 10 ** digits:
            raise OverflowError(f"company numbers of series {series} exceed {digits} digits")
        parts.append(group.select("_row").with_columns(
            company_number=pl.lit(prefix) + pl.Series(numbers).cast(pl.String).str.zfill(digits)))
    return pl.concat(parts).sort("_row")["company_number"]


def _person_ids(keys: pl.Expr) -> pl.Expr:
    return pl.lit("P") + (keys + 1).cast(pl.String).str.zfill(8)


def finalise(companies: pl.DataFrame, officers: pl.DataFrame, people: pl.DataFrame
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(companies, officers, people) in the contract's columns.

    Internal keys are row numbers: company `_key` i is row i of `companies`,
    person key i is row i of `people`; officers refer to both. Numbers and ids
    are looked up by position rather than joined, so the national register
    (~5M companies, ~13M officer rows) is never copied whole. The returned
    companies keep `_key` so the caller can map its own references.
    """
    if not companies["_key"].equals(pl.Series("_key", range(companies.height), dtype=pl.Int64)):
        raise AssertionError("company keys must be the row numbers 0..n-1")
    companies = companies.with_columns(company_name=make_unique(companies["company_name"]))
    numbers = company_numbers(companies)
    previous = companies["_previous_key"]
    companies = companies.with_columns(
        company_number=numbers,
        previous_company_number=pl.when(previous.is_not_null())
        .then(numbers.gather(previous.fill_null(0))))
    officers = officers.select(
        numbers.gather(officers["_company_key"]).alias("company_number"),
        _person_ids(pl.col("_person_key")).alias("person_id"),
        "role", "appointed_on", "resigned_on")
    people = people.select(_person_ids(pl.int_range(pl.len(), dtype=pl.Int64)).alias("person_id"),
                           "name", "birth_year", "birth_month", "nationality")
    return companies, officers, people
