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


_SERIES = tuple(_NUMBER_CURVES)


def _series(companies: pl.DataFrame) -> np.ndarray:
    """Each company's number series, as its index in _SERIES."""
    scottish = pl.col("_country") == "Scotland"
    category = pl.col("company_category")

    def code(name: str) -> pl.Expr:
        return pl.lit(_SERIES.index(name), dtype=pl.Int8)

    return companies.select(
        pl.when(category == "Limited Liability Partnership")
        .then(pl.when(scottish).then(code("SO")).otherwise(code("OC")))
        .when(category == "Limited Partnership")
        .then(pl.when(scottish).then(code("SL")).otherwise(code("LP")))
        .otherwise(pl.when(scottish).then(code("SC")).otherwise(code("EW")))
    ).to_series().to_numpy()


def company_numbers(companies: pl.DataFrame) -> pl.Series:
    """Each company's number, in row order: unique, rising with incorporation within a series.

    Numbered as integers in place (numpy), then formatted once: the national
    register has ~5.5M companies.
    """
    series = _series(companies)
    days = companies["incorporation_date"].cast(pl.Int64).to_numpy()
    keys = companies["_key"].to_numpy()
    numbers = np.zeros(len(series), dtype=np.int64)
    for index, name in enumerate(_SERIES):
        rows = np.flatnonzero(series == index)
        if not len(rows):
            continue
        _, digits, curve = _NUMBER_CURVES[name]
        rows = rows[np.lexsort((keys[rows], days[rows]))]  # by incorporation, then key
        base = np.interp(days[rows], [(d - _EPOCH).days for d, _ in curve],
                         [n for _, n in curve]).astype(np.int64)
        steps = np.arange(len(base))
        numbered = np.maximum.accumulate(base - steps) + steps
        if numbered.max() >= 10 ** digits:
            raise OverflowError(f"company numbers of series {name} exceed {digits} digits")
        numbers[rows] = numbered
    prefixes = pl.Series([_NUMBER_CURVES[name][0] for name in _SERIES]).gather(series)
    widths = pl.Series([_NUMBER_CURVES[name][1] for name in _SERIES]).gather(series)
    digits = pl.Series(numbers).cast(pl.String).str.zfill(widths)
    return (prefixes + digits).alias("company_number")


def concat_contiguous(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The frames stacked into one contiguous frame, copied one column at a time.

    Empties `frames` as it goes (each column is dropped from them once copied), so
    the copy never holds more than one column twice; `pl.concat(..., rechunk=True)`
    would hold the whole national register twice (~1.7 GB more). Contiguous columns
    matter: polars copies a frame whose columns are chunked differently on `select`.
    """
    columns: dict[str, pl.Series] = {}
    for name in frames[0].columns:
        columns[name] = pl.concat([frame.get_column(name) for frame in frames], rechunk=True)
        frames[:] = [frame.drop(name) for frame in frames]
    frames.clear()
    return pl.DataFrame(columns)


def person_ids(keys: pl.Expr) -> pl.Expr:
    """"P00000001" for person key 0: the published id of a person."""
    return pl.lit("P") + (keys + 1).cast(pl.String).str.zfill(8)


def finalise(companies: pl.DataFrame) -> pl.DataFrame:
    """The register's companies with unique names, numbers and predecessors' numbers.

    Internal keys are row numbers: company `_key` i is row i of `companies`.
    Numbers are looked up by position rather than joined, so the national
    register (~5.5M companies) is never copied whole. The companies keep `_key`.
    """
    if not companies["_key"].equals(pl.Series("_key", range(companies.height), dtype=pl.Int64)):
        raise AssertionError("company keys must be the row numbers 0..n-1")
    companies = companies.with_columns(company_name=make_unique(companies["company_name"]))
    numbers = company_numbers(companies)
    previous = companies["_previous_key"]
    return companies.with_columns(
        company_number=numbers,
        previous_company_number=pl.when(previous.is_not_null())
        .then(numbers.gather(previous.fill_null(0))))


def publish_officers(officers: pl.DataFrame, numbers: pl.Series) -> pl.DataFrame:
    """Officers by internal keys (`_company_key`, `_person_key`) in the contract's columns;
    `numbers` are the register's company numbers in key order."""
    return officers.select(
        numbers.gather(officers["_company_key"]).alias("company_number"),
        person_ids(pl.col("_person_key")).alias("person_id"),
        "role", "appointed_on", "resigned_on")


def publish_people(people: pl.DataFrame, first_key: int) -> pl.DataFrame:
    """People whose person keys run from first_key, in the contract's columns."""
    return people.select(
        person_ids(pl.int_range(first_key, first_key + pl.len(), dtype=pl.Int64))
        .alias("person_id"), "name", "birth_year", "birth_month", "nationality")
