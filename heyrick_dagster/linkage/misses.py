"""Why premises <-> company links are missed or wrong: the evidence each pair offers.

    python -m heyrick_dagster.linkage.misses --duckdb data/heyrick.duckdb \
        --truth data/sample/truth

reads a run's published links (`marts.fct_record_links`) and staging records, and
sorts every true premises <-> company pair of the sample, and every accepted false one,
by the evidence their records hold:

- `location`: how near the premises postcode is to the company's registered postcode
  (1 postcode, 2 sector, 3 district, 4 area, 5 none), and whether they share a number
  and street (`same_address`);
- `name`: how the names relate, over every name of each record (registered, trading):
  1 a full form equal, 2 a core form equal, 3 a core word shared, 4 unrelated.

It prints the pairs found and missed per class, the false positives per rule and class,
and the linkable ceiling: the share of true pairs whose records hold evidence the cascade
may link on at all -- the same postcode or address, or a related name within one postcode
area (the issue: a name alone, without location agreement, never links). A true pair
outside it (a company registered at an accountant's in another town under an unrelated
name) no method may find. Evaluation code: it reads the truth; the pipeline does not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.linkage import cascade, evaluate
from heyrick_dagster.linkage.prepared import prepare, staging_frames

KEYS = ["left_record_id", "right_record_id"]
LEFT, RIGHT = cascade.LINK_TYPES[0]


def _equal(a: str, b: str) -> pl.Expr:
    return (pl.col(a) == pl.col(b)).fill_null(False)


def _any_equal(form: str) -> pl.Expr:
    return pl.any_horizontal(
        _equal(f"{a}_{form}_l", f"{b}_{form}_r") for a in ("name", "alt") for b in ("name", "alt")
    )


def _core_words(side: str) -> pl.Expr:
    words = pl.concat_list(
        pl.col(f"name_core_{side}").fill_null("").str.split(" "),
        pl.col(f"alt_core_{side}").fill_null("").str.split(" "),
    )
    return words.list.eval(pl.element().filter(pl.element() != ""))


def pair_evidence(pairs: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """`pairs` (left_record_id, right_record_id) with the features of both records
    (suffixes _l, _r) and `location`, `name`, `same_address` (module docstring)."""
    joined = pairs.join(
        left.rename(lambda c: f"{c}_l"), left_on="left_record_id", right_on="unique_id_l"
    ).join(right.rename(lambda c: f"{c}_r"), left_on="right_record_id", right_on="unique_id_r")
    location = pl.lit("5 none")
    for level, name in reversed(
        (("postcode", "1 postcode"), ("postcode_sector", "2 sector"),
         ("postcode_district", "3 district"), ("postcode_area", "4 area"))
    ):  # fmt: skip
        location = (
            pl.when(_equal(f"{level}_l", f"{level}_r")).then(pl.lit(name)).otherwise(location)
        )
    shared_word = _core_words("l").list.set_intersection(_core_words("r")).list.len() > 0
    name = (
        pl.when(_any_equal("full"))
        .then(pl.lit("1 full equal"))
        .when(_any_equal("core"))
        .then(pl.lit("2 core equal"))
        .when(shared_word)
        .then(pl.lit("3 core word shared"))
        .otherwise(pl.lit("4 unrelated"))
    )
    same_address = _equal("house_number_l", "house_number_r") & _equal("street_l", "street_r")
    return joined.with_columns(
        location.alias("location"), name.alias("name"), same_address.alias("same_address")
    )


def linkable(evidence: pl.DataFrame) -> pl.Series:
    """Whether each pair holds evidence the cascade may link on (module docstring)."""
    near = evidence["location"] != "5 none"
    return (
        (evidence["location"] == "1 postcode")
        | evidence["same_address"]
        | (near & (evidence["name"] != "4 unrelated"))
    )


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args()

    prepared = prepare(staging_frames(args.duckdb, (LEFT, RIGHT)), train=False)
    left, right = prepared.features[LEFT], prepared.features[RIGHT]
    truth = pl.read_parquet(args.truth / "records.parquet")
    true = evaluate.truth_pairs(truth, LEFT, RIGHT, prepared.present())
    links = warehouse.query(
        args.duckdb,
        f"select left_record_id, right_record_id, match_rule, link_status "
        f"from marts.fct_record_links "
        f"where left_source = '{LEFT}' and right_source = '{RIGHT}'",
    )
    accepted = links.filter(pl.col("link_status") == "accepted")
    status = links.select(*KEYS, "link_status")
    found = pair_evidence(true, left, right).join(status, on=KEYS, how="left")
    found = found.with_columns(pl.col("link_status").fill_null("not a link"))
    false = pair_evidence(accepted.join(true, on=KEYS, how="anti"), left, right)

    ceiling = linkable(found)
    hits = found.filter(pl.col("link_status") == "accepted").height
    print(f"true pairs {true.height:,}; accepted {accepted.height:,}, of them true {hits:,}")
    print(f"linkable ceiling (recall at most): {ceiling.mean():.3f} ({int(ceiling.sum()):,} pairs)")
    print(f"not linkable: {int((~ceiling).sum()):,} pairs")
    with pl.Config(tbl_rows=40, tbl_width_chars=140):
        print("\ntrue pairs by evidence and what the cascade made of them:")
        print(
            found.with_columns(ceiling.alias("linkable"))
            .pivot("link_status", index=["location", "name", "linkable"], values="same_address",
                   aggregate_function="len")
            .fill_null(0)
            .sort("location", "name")
        )  # fmt: skip
        print("\naccepted false links by rule and evidence:")
        print(
            false.join(accepted, on=KEYS)
            .group_by("match_rule", "location", "name", "same_address")
            .len()
            .sort("len", descending=True)
        )


if __name__ == "__main__":
    _main()
