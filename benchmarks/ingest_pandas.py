"""The ingest as a straightforward engineer writes it with plain pandas: the baseline
Heyrick's connectors are measured against (benchmarks/compare.py).

    python -m benchmarks.ingest_pandas SOURCE DUCKDB FILE... [--sic CODES]

reads the same published files as Heyrick's connector of SOURCE with pandas' own
readers (read_xml, read_csv, read_excel), keeps the same rows and columns, coerces the
same types (integers, floats, dates, booleans), writes the table into DUCKDB (raw
schema) and prints one JSON line: seconds of the work, rows written, and the seconds
of the parse and of the write.

What it does not do, and Heyrick does: contract checks naming the file and row of bad
input, the published-header and truncation checks, streaming the national files in
bounded memory, lineage columns beyond the file name. So it is a lower bound on the
work, not an equal: a faster Heyrick is faster at more.

Imports pandas and duckdb only, so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

CHUNK_ROWS = 250_000
# The leaf elements of an FHRS <EstablishmentDetail> (Scores/* and Geocode/* nested).
FHRS_ELEMENTS = (
    "FHRSID LocalAuthorityBusinessID BusinessName BusinessType BusinessTypeID AddressLine1 "
    "AddressLine2 AddressLine3 AddressLine4 PostCode RatingValue RatingKey RatingDate "
    "LocalAuthorityCode LocalAuthorityName LocalAuthorityWebSite LocalAuthorityEmailAddress "
    "Hygiene Structural ConfidenceInManagement SchemeType NewRatingPending Longitude Latitude "
    "RightToReply"
).split()

# ONSPD columns -> Heyrick's raw postcode columns.
ONSPD_COLUMNS = {
    "pcds": "postcode",
    "pcd7": "postcode_7",
    "dointr": "introduced",
    "doterm": "terminated",
    "usertype": "usertype",
    "oa11": "oa11",
    "lsoa11": "lsoa11",
    "msoa11": "msoa11",
    "oslaua": "lad_code",
    "pfa": "pfa_code",
    "lsoa21": "lsoa21",
    "lat": "latitude",
    "long": "longitude",
    "ctry": "country",
}

IMD_AREA = {
    "LSOA code (2011)": "lsoa_code",
    "LSOA name (2011)": "lsoa_name",
    "Local Authority District code (2019)": "lad_code",
    "Local Authority District name (2019)": "lad_name",
}
# Column-name prefixes of IMD File 1 and File 7 (File 7's carry a footnote suffix).
IMD_FILE_1 = {
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}
IMD_FILE_7 = {
    "Index of Multiple Deprivation (IMD) Score": "imd_score",
    "Income Score (rate)": "income_score",
    "Employment Score (rate)": "employment_score",
    "Total population: mid 2015": "population",
}


def snake(name: str) -> str:
    """ "RegAddress.AddressLine1" -> "reg_address_address_line1"."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def _integers(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")


def _floats(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")


def fhrs(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        frame = pd.read_xml(path, iterparse={"EstablishmentDetail": FHRS_ELEMENTS}, dtype=str)
        frame = frame.reindex(columns=FHRS_ELEMENTS)
        frame["_source_file"] = path.name
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame.columns = [snake(c) for c in frame.columns]
    _integers(
        frame,
        ["fhrsid", "business_type_id", "hygiene", "structural", "confidence_in_management"],
    )
    _floats(frame, ["longitude", "latitude"])
    frame["rating_date"] = pd.to_datetime(frame["rating_date"], format="ISO8601").dt.date
    frame["new_rating_pending"] = (
        frame["new_rating_pending"].str.lower().map({"true": True, "false": False})
    )
    return frame


def companies_house(paths: list[Path], sic_codes: frozenset[str]) -> pd.DataFrame:
    """Companies with one of `sic_codes` among their four SIC codes."""
    frames = []
    for path in paths:
        # The national file is ~5.5 million rows (2.5 GB): read in chunks, keep the few.
        chunks = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], chunksize=CHUNK_ROWS
        )
        for frame in chunks:
            frame.columns = [snake(c) for c in frame.columns]
            # "56103 - Take-away food shops...": the code is the first five characters (a
            # 4-digit SIC 2003 code's "5530 " matches none), sliced rather than matched by
            # a regular expression, the faster of the two in pandas.
            sic = frame[[c for c in frame.columns if c.startswith("siccode")]]
            codes = sic.apply(lambda column: column.str[:5])
            frame = frame[codes.isin(sic_codes).any(axis=1)].copy()
            frame["_source_file"] = path.name
            frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        if column.endswith(("date", "condate")):
            frame[column] = pd.to_datetime(frame[column], format="%d/%m/%Y").dt.date
    _integers(
        frame,
        [
            c
            for c in frame.columns
            if c.startswith(("accounts_account_ref", "mortgages", "limited"))
        ],
    )
    return frame


def _canonical_postcode(series: pd.Series) -> pd.Series:
    compact = series.str.upper().str.replace(r"\s+", "", regex=True)
    return compact.str[:-3] + " " + compact.str[-3:]


def _read_onspd(path: Path) -> pd.DataFrame:
    if path.suffix.lower() != ".zip":
        return pd.read_csv(path, dtype=str, usecols=list(ONSPD_COLUMNS))
    # The directory's zip holds documents beside the CSV: read the CSV member.
    with zipfile.ZipFile(path) as archive:
        (member,) = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        with archive.open(member) as csv:
            return pd.read_csv(csv, dtype=str, usecols=list(ONSPD_COLUMNS))


def postcodes(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        frame = _read_onspd(path)
        frame = frame.rename(columns=ONSPD_COLUMNS)
        frame["_source_file"] = path.name
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["postcode"] = _canonical_postcode(frame["postcode"])
    for column in ("introduced", "terminated"):
        frame[column] = pd.to_datetime(frame[column], format="%Y%m").dt.date
    _integers(frame, ["usertype"])
    _floats(frame, ["latitude", "longitude"])
    # 99.999999 is the directory's "no grid reference".
    frame.loc[frame["latitude"] >= 99, ["latitude", "longitude"]] = None
    return frame


def _by_prefix(frame: pd.DataFrame, prefixes: dict[str, str]) -> pd.DataFrame:
    columns = {
        column: name
        for prefix, name in prefixes.items()
        for column in frame.columns
        if column.strip().startswith(prefix)
    }
    return frame[list(columns)].rename(columns=columns)


def imd(paths: list[Path]) -> pd.DataFrame:
    """File 1's ranks and deciles with File 7's scores, one row per LSOA."""
    (file_1,) = [p for p in paths if p.suffix == ".xlsx"]
    (file_7,) = [p for p in paths if p.suffix == ".csv"]
    ranks = pd.read_excel(file_1, sheet_name="IMD2019", dtype=str)
    scores = pd.read_csv(file_7, dtype=str)
    left = pd.concat(
        [ranks[list(IMD_AREA)].rename(columns=IMD_AREA), _by_prefix(ranks, IMD_FILE_1)], axis=1
    )
    right = pd.concat(
        [scores[["LSOA code (2011)"]].rename(columns=IMD_AREA), _by_prefix(scores, IMD_FILE_7)],
        axis=1,
    )
    frame = left.merge(right, on="lsoa_code", how="inner", validate="one_to_one")
    _integers(frame, ["imd_rank", "imd_decile", "population"])
    _floats(frame, ["imd_score", "income_score", "employment_score"])
    frame["_source_file"] = file_1.name
    return frame


READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "fhrs": fhrs,
    "companies_house": companies_house,
    "postcodes": postcodes,
    "imd": imd,
}


def ingest(
    source: str, paths: list[Path], duckdb_path: Path, split: dict | None = None, **options
) -> int:
    """Read SOURCE's files and write them to raw.<source> in `duckdb_path`; rows written.
    `split`, when given, gets the seconds of the `parse` and of the `write`."""
    split = {} if split is None else split
    started = time.perf_counter()
    frame = READERS[source](paths, **options)
    split["parse"] = time.perf_counter() - started
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute("create schema if not exists raw")
        con.register("frame", frame)
        con.execute(f"create or replace table raw.{source} as select * from frame")
    split["write"] = time.perf_counter() - started - split["parse"]
    return len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", choices=sorted(READERS))
    parser.add_argument("duckdb", type=Path)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--sic", help="companies_house: comma-separated SIC codes to keep")
    args = parser.parse_args()
    options = (
        {"sic_codes": frozenset(args.sic.split(","))} if args.source == "companies_house" else {}
    )
    split: dict[str, float] = {}
    started = time.perf_counter()
    rows = ingest(args.source, args.files, args.duckdb, split, **options)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "split": split}))


if __name__ == "__main__":
    main()
