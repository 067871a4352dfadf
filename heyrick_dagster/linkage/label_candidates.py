"""Candidate record pairs for a person to label, from the staging tables of a real run.

The hand-labelled set (tests/fixtures/linkage/real_labels.csv) measures the linkage's
precision AND recall on real data. Recall can only be measured over pairs that someone
looked at, so the blocking here is deliberately much broader than any linkage tier's:
a pair of records from two sources is a candidate when

- `same_postcode`:  they share the full postcode, whatever their names (this is where the
  hardest negatives are: neighbouring shops in one parade, a company's registered office
  at an accountant's);
- `district_token`: they share the postcode district and at least one name token
  (full name forms of every published name, `names.parse_name`, stop words removed --
  trade words like "kebab" are kept, so this is broad);
- `same_name`:      a full or core name form is equal but the districts differ (the same
  name elsewhere: another branch, another town); at most `same_name_limit` per left
  record, lowest record ids first, so that a chain name does not flood the sheet.

The output is a CSV with both records side by side (names, addresses, postcodes, what
kind of business) and empty `verdict` / `kind` columns to fill in. It holds copied
content from the files, so it is written only where the caller says (never into the
repository by default); only ids and verdicts go into the committed label set.

    python -m heyrick_dagster.linkage.label_candidates --duckdb /tmp/x/heyrick.duckdb \\
        --out /tmp/x/candidates.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.linkage.names import with_name_forms
from heyrick_dagster.settings import REPO_ROOT

BLOCK_SAME_POSTCODE = "same_postcode"
BLOCK_DISTRICT_TOKEN = "district_token"
BLOCK_SAME_NAME = "same_name"

# The link types labelled, each in the orientation of the exact tier's links.
LINK_TYPES: tuple[tuple[str, str], ...] = (
    ("illegal_working", "fhrs"),
    ("fhrs", "companies_house"),
    ("illegal_working", "companies_house"),
)

# Per source: staging table, published name columns, and the column that says what kind
# of business the record is (shown to the labeller, not used for blocking).
SOURCES: dict[str, dict] = {
    "fhrs": {
        "table": "stg_fhrs__establishments",
        "names": ("business_name",),
        "detail": "business_type",
    },
    "companies_house": {
        "table": "stg_companies_house__companies",
        "names": ("company_name", "trading_name"),
        "detail": "primary_sic_code",
    },
    "illegal_working": {
        "table": "stg_illegal_working__penalties",
        "names": ("liable_party", "trading_name"),
        "detail": "county_or_region",
    },
}

# Tokens that say nothing about which business a name is; one-letter tokens are dropped too.
STOP_TOKENS: frozenset[str] = frozenset("and the of at in on a an to for by uk gb co".split())

VIEW_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String,
    "name": pl.String,
    "address": pl.String,
    "postcode": pl.String,
    "postcode_district": pl.String,
    "detail": pl.String,
}


def records(staging: pl.DataFrame, source: str) -> pl.DataFrame:
    """One staging table -> the labelling view: record_id, name (every published name,
    " | "-joined), address, postcode, postcode_district, detail, and `tokens` / `keys`
    (lists: the name tokens, and the full and core name forms, of all its names)."""
    spec = SOURCES[source]
    names = list(spec["names"])
    view = staging.select(
        pl.col("record_id").cast(pl.String),
        pl.concat_str([pl.col(c) for c in names], separator=" | ", ignore_nulls=True).alias("name"),
        pl.col("address").cast(pl.String),
        pl.col("postcode").cast(pl.String),
        pl.col("postcode_district").cast(pl.String),
        pl.col(spec["detail"]).cast(pl.String).alias("detail"),
        *[pl.col(c).cast(pl.String) for c in names],
    )
    token_parts, key_parts = [], []
    for column in names:
        formed = with_name_forms(view.select("record_id", column), column, prefix="_")
        full_forms = [pl.col("_name_full"), pl.col("_trading_full")]
        token_parts.append(
            formed.select(
                "record_id",
                pl.concat_list([f.fill_null("").str.split(" ") for f in full_forms]).alias("t"),
            ).explode("t")
        )
        key_parts.append(
            formed.select(
                "record_id",
                pl.concat_list(
                    [
                        pl.col(c)
                        for c in ("_name_full", "_name_core", "_trading_full", "_trading_core")
                    ]
                ).alias("k"),
            ).explode("k")
        )
    tokens = (
        pl.concat(token_parts)
        .filter((pl.col("t").str.len_chars() > 1) & ~pl.col("t").is_in(list(STOP_TOKENS)))
        .group_by("record_id")
        .agg(pl.col("t").unique().sort().alias("tokens"))
    )
    keys = (
        pl.concat(key_parts)
        .drop_nulls("k")
        .group_by("record_id")
        .agg(pl.col("k").unique().sort().alias("keys"))
    )
    return (
        view.select(list(VIEW_SCHEMA))
        .cast(VIEW_SCHEMA)
        .join(tokens, on="record_id", how="left")
        .join(keys, on="record_id", how="left")
        .with_columns(
            pl.col("tokens").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("keys").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )


def candidate_pairs(
    left: pl.DataFrame, right: pl.DataFrame, same_name_limit: int = 5
) -> pl.DataFrame:
    """Pairs of two `records` views under the three blocking rules (module docstring):
    left_record_id, right_record_id, blocks (the rules that found the pair, sorted),
    shared_tokens. One row per pair."""
    same_postcode = (
        left.drop_nulls("postcode")
        .join(right.drop_nulls("postcode"), on="postcode", suffix="_r")
        .select("record_id", "record_id_r", pl.lit(BLOCK_SAME_POSTCODE).alias("block"))
    )
    left_tokens = left.select("record_id", "postcode_district", "tokens").explode("tokens")
    right_tokens = right.select("record_id", "postcode_district", "tokens").explode("tokens")
    district_token = (
        left_tokens.drop_nulls(["tokens", "postcode_district"])
        .join(right_tokens.drop_nulls("tokens"), on=["postcode_district", "tokens"], suffix="_r")
        .select("record_id", "record_id_r", pl.lit(BLOCK_DISTRICT_TOKEN).alias("block"))
    )
    left_keys = left.select("record_id", "postcode_district", "keys").explode("keys")
    right_keys = right.select("record_id", "postcode_district", "keys").explode("keys")
    same_name = (
        left_keys.drop_nulls("keys")
        .join(right_keys.drop_nulls("keys"), on="keys", suffix="_r")
        .filter(
            pl.col("postcode_district").is_null()
            | pl.col("postcode_district_r").is_null()
            | (pl.col("postcode_district") != pl.col("postcode_district_r"))
        )
        .select("record_id", "record_id_r")
        .unique()
        .sort("record_id", "record_id_r")
        .filter(pl.int_range(pl.len()).over("record_id") < same_name_limit)
        .with_columns(pl.lit(BLOCK_SAME_NAME).alias("block"))
    )
    pairs = (
        pl.concat([same_postcode, district_token, same_name])
        .group_by("record_id", "record_id_r")
        .agg(pl.col("block").unique().sort().alias("blocks"))
    )
    shared = pairs.join(left.select("record_id", "tokens"), on="record_id", how="left").join(
        right.select(pl.col("record_id").alias("record_id_r"), pl.col("tokens").alias("tokens_r")),
        on="record_id_r",
        how="left",
    )
    return shared.select(
        pl.col("record_id").alias("left_record_id"),
        pl.col("record_id_r").alias("right_record_id"),
        "blocks",
        pl.col("tokens").list.set_intersection("tokens_r").list.sort().alias("shared_tokens"),
    ).sort("left_record_id", "right_record_id")


def side_by_side(
    pairs: pl.DataFrame,
    left: pl.DataFrame,
    right: pl.DataFrame,
    left_source: str,
    right_source: str,
) -> pl.DataFrame:
    """The sheet a labeller reads: ids, the blocks, both records' name, address, postcode
    and detail next to each other, and empty `verdict` and `kind` columns."""
    shown = ["record_id", "name", "address", "postcode", "detail"]
    left_cols = left.select(shown).rename({c: f"left_{c}" for c in shown})
    right_cols = right.select(shown).rename({c: f"right_{c}" for c in shown})
    sheet = pairs.join(left_cols, on="left_record_id", how="left").join(
        right_cols, on="right_record_id", how="left"
    )
    return sheet.select(
        pl.lit(left_source).alias("left_source"),
        "left_record_id",
        pl.lit(right_source).alias("right_source"),
        "right_record_id",
        pl.col("blocks").list.join(";"),
        pl.col("shared_tokens").list.join(" "),
        "left_name",
        "right_name",
        "left_address",
        "right_address",
        "left_postcode",
        "right_postcode",
        "left_detail",
        "right_detail",
        pl.lit("").alias("verdict"),
        pl.lit("").alias("kind"),
    )


def read_staging(duckdb_path: Path) -> dict[str, pl.DataFrame]:
    """The staging tables of the labelled sources, read-only, as `records` views."""
    views = {}
    for source, spec in SOURCES.items():
        columns = ", ".join(
            [
                "record_id",
                "address",
                "postcode",
                "postcode_district",
                spec["detail"],
                *spec["names"],
            ]
        )
        frame = warehouse.query(duckdb_path, f"select {columns} from staging.{spec['table']}")
        views[source] = records(frame, source)
    return views


def build_sheet(views: dict[str, pl.DataFrame], same_name_limit: int = 5) -> pl.DataFrame:
    """Every link type's candidates, one sheet."""
    sheets = [
        side_by_side(
            candidate_pairs(views[left], views[right], same_name_limit),
            views[left],
            views[right],
            left,
            right,
        )
        for left, right in LINK_TYPES
    ]
    return pl.concat(sheets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m heyrick_dagster.linkage.label_candidates",
        description="Write candidate record pairs, side by side, for a person to label. "
        "The sheet copies names and addresses from the data: keep it out of the repository.",
    )
    parser.add_argument("--duckdb", required=True, type=Path, help="warehouse of a files run")
    parser.add_argument("--out", required=True, type=Path, help="CSV to write (outside the repo)")
    parser.add_argument("--same-name-limit", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.duckdb.is_file():
        print(f"no such warehouse: {args.duckdb}", file=sys.stderr)
        return 2
    # The sheet copies names and addresses from files that are not ours to commit.
    if args.out.resolve().is_relative_to(REPO_ROOT):
        print(f"refusing to write copied data inside the repository: {args.out}", file=sys.stderr)
        return 2
    sheet = build_sheet(read_staging(args.duckdb), args.same_name_limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_csv(args.out)
    counts = sheet.group_by("left_source", "right_source", "blocks").len().sort("len")
    for row in counts.iter_rows(named=True):
        print(f"{row['left_source']}->{row['right_source']} {row['blocks']}: {row['len']}")
    print(f"{sheet.height} candidate pairs written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
