"""The broad blocking that picks record pairs for a person to label, on hand-made frames."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.linkage.label_candidates import (
    BLOCK_DISTRICT_TOKEN,
    BLOCK_SAME_NAME,
    BLOCK_SAME_POSTCODE,
    build_sheet,
    candidate_pairs,
    main,
    records,
    side_by_side,
)
from heyrick_dagster.settings import REPO_ROOT


def _fhrs(*rows):
    return pl.DataFrame(
        rows,
        schema=["record_id", "business_name", "address", "postcode", "postcode_district"],
        orient="row",
    ).with_columns(pl.lit("Takeaway/sandwich shop").alias("business_type"))


def _penalties(*rows):
    return pl.DataFrame(
        rows,
        schema=[
            "record_id",
            "liable_party",
            "trading_name",
            "address",
            "postcode",
            "postcode_district",
        ],
        orient="row",
    ).with_columns(pl.lit("London").alias("county_or_region"))


def _companies(*rows):
    return pl.DataFrame(
        rows,
        schema=[
            "record_id",
            "company_name",
            "trading_name",
            "address",
            "postcode",
            "postcode_district",
        ],
        orient="row",
    ).with_columns(pl.lit("56103").alias("primary_sic_code"))


PREMISES = records(
    _fhrs(
        ("1", "Golden Kebab House", "1 High St", "SE13 6JG", "SE13"),  # same name, same place
        ("2", "Rose Cafe", "3 High St", "SE13 6JG", "SE13"),  # neighbour in the parade
        ("3", "Golden Kebab", "9 Other Rd", "E6 1AA", "E6"),  # same core, another district
        ("4", "Golden Fry", "40 Lee Rd", "SE13 5PR", "SE13"),  # same district, shares "golden"
        ("5", "Blue Moon", "2 Far Rd", "LE1 1AA", "LE1"),  # nothing in common
        ("6", "Golden Kebab House", None, None, None),  # a mobile trader: no place at all
    ),
    "fhrs",
)
PENALTIES = records(
    _penalties(
        (
            "2024Q3#1",
            "G&G Phoenix Foods Ltd",
            "Golden Kebab House",
            "1 High St",
            "SE13 6JG",
            "SE13",
        ),
    ),
    "illegal_working",
)


def _blocks(pairs):
    return {r["right_record_id"]: r["blocks"] for r in pairs.iter_rows(named=True)}


def test_records_tokenise_every_published_name_without_legal_form_or_stop_words():
    row = PENALTIES.row(0, named=True)
    assert row["name"] == "G&G Phoenix Foods Ltd | Golden Kebab House"
    assert row["tokens"] == ["foods", "golden", "house", "kebab", "phoenix"]
    assert "golden" in row["keys"] and "golden kebab house" in row["keys"]


def test_pairs_share_the_postcode_or_a_district_and_a_token_or_a_name_elsewhere():
    blocks = _blocks(candidate_pairs(PENALTIES, PREMISES))
    assert blocks["1"] == [BLOCK_DISTRICT_TOKEN, BLOCK_SAME_POSTCODE]
    assert blocks["2"] == [BLOCK_SAME_POSTCODE]
    assert blocks["3"] == [BLOCK_SAME_NAME]
    assert blocks["4"] == [BLOCK_DISTRICT_TOKEN]
    assert "5" not in blocks


def test_a_record_without_any_place_pairs_only_on_its_name():
    blocks = _blocks(candidate_pairs(PENALTIES, PREMISES))
    assert blocks["6"] == [BLOCK_SAME_NAME]


def test_the_same_name_elsewhere_is_capped_per_left_record_lowest_ids_first():
    many = records(
        _fhrs(*[(str(i), "Golden Kebab", f"{i} Rd", f"E{i} 1AA", f"E{i}") for i in range(1, 9)]),
        "fhrs",
    )
    pairs = candidate_pairs(PENALTIES, many, same_name_limit=3)
    assert pairs["right_record_id"].to_list() == ["1", "2", "3"]


def test_shared_tokens_are_listed_for_the_labeller():
    pairs = candidate_pairs(PENALTIES, PREMISES)
    shared = dict(zip(pairs["right_record_id"], pairs["shared_tokens"].to_list(), strict=True))
    assert shared["1"] == ["golden", "house", "kebab"]
    assert shared["2"] == []


def test_companies_pair_on_their_trading_name_too():
    companies = records(
        _companies(("00000001", "ABC LTD", "Rose Cafe", "9 Office Rd", "SE13 9ZZ", "SE13")),
        "companies_house",
    )
    pairs = candidate_pairs(PREMISES, companies)
    assert pairs.select("left_record_id", "right_record_id", "blocks").rows() == [
        ("2", "00000001", [BLOCK_DISTRICT_TOKEN])
    ]


def test_the_sheet_puts_both_records_side_by_side_with_empty_verdicts():
    pairs = candidate_pairs(PENALTIES, PREMISES)
    sheet = side_by_side(pairs, PENALTIES, PREMISES, "illegal_working", "fhrs")
    row = sheet.filter(pl.col("right_record_id") == "2").row(0, named=True)
    assert row["left_source"] == "illegal_working" and row["right_source"] == "fhrs"
    assert row["left_name"] == "G&G Phoenix Foods Ltd | Golden Kebab House"
    assert row["right_name"] == "Rose Cafe"
    assert row["right_address"] == "3 High St"
    assert row["blocks"] == BLOCK_SAME_POSTCODE
    assert row["verdict"] == "" and row["kind"] == ""


def test_build_sheet_covers_every_labelled_link_type():
    companies = records(
        _companies(("00000001", "GOLDEN KEBAB HOUSE LTD", None, "1 High St", "SE13 6JG", "SE13")),
        "companies_house",
    )
    sheet = build_sheet(
        {"fhrs": PREMISES, "illegal_working": PENALTIES, "companies_house": companies}
    )
    assert set(zip(sheet["left_source"], sheet["right_source"], strict=True)) == {
        ("illegal_working", "fhrs"),
        ("fhrs", "companies_house"),
        ("illegal_working", "companies_house"),
    }


def test_main_requires_an_output_path_and_refuses_a_missing_warehouse(tmp_path: Path, capsys):
    with pytest.raises(SystemExit):
        main(["--duckdb", str(tmp_path / "x.duckdb")])
    assert main(["--duckdb", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "o.csv")]) == 2
    assert not (tmp_path / "o.csv").exists()


def test_main_refuses_to_write_the_sheet_inside_the_repository(tmp_path: Path):
    warehouse_file = tmp_path / "x.duckdb"
    warehouse_file.write_bytes(b"")
    out = REPO_ROOT / "data" / "never-written.csv"
    assert main(["--duckdb", str(warehouse_file), "--out", str(out)]) == 2
    assert not out.exists()
