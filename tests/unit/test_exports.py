"""CSV exports neutralise spreadsheet formulas; CSV and Parquet land atomically."""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster import exports

ATTACKS = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1+1)": "'@SUM(1+1)",
    "-1+1": "'-1+1",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


@pytest.mark.parametrize(("published", "exported"), ATTACKS.items())
def test_a_text_cell_a_spreadsheet_would_evaluate_gets_a_leading_apostrophe(published, exported):
    frame = pl.DataFrame({"business_name": [published]})

    assert exports.neutralise_formulas(frame)["business_name"].to_list() == [exported]


def test_ordinary_text_and_nulls_are_left_as_they_are():
    names = ["KEBAB HOUSE LTD", "Joe's Cafe", "A=B Stores", "'quoted", "", None]
    frame = pl.DataFrame({"business_name": names})

    assert exports.neutralise_formulas(frame)["business_name"].to_list() == names


def test_a_negative_number_in_a_numeric_column_is_left_a_number():
    frame = pl.DataFrame({"penalty_gbp": [-20_000, 45_000], "score": [-1.5, 2.0]})

    neutralised = exports.neutralise_formulas(frame)

    assert neutralised.equals(frame)
    assert neutralised.schema == frame.schema


def test_categorical_text_is_neutralised_and_comes_back_as_text():
    frame = pl.DataFrame({"sector": pl.Series(["=1+1", "other"], dtype=pl.Categorical)})

    neutralised = exports.neutralise_formulas(frame)

    assert neutralised.schema["sector"] == pl.String
    assert neutralised["sector"].to_list() == ["'=1+1", "other"]


def test_write_csv_writes_neutralised_cells_that_polars_reads_back(tmp_path):
    frame = pl.DataFrame(
        {
            "business_name": [*ATTACKS, "KEBAB HOUSE LTD", None],
            "penalty_gbp": [-1, 2, 3, 4, 5, 6, 7, None],
        }
    )
    path = tmp_path / "indications.csv"

    assert exports.write_csv(frame, path) == path

    back = pl.read_csv(path, schema=frame.schema)
    assert back["business_name"].to_list() == [*ATTACKS.values(), "KEBAB HOUSE LTD", None]
    assert back["penalty_gbp"].to_list() == [-1, 2, 3, 4, 5, 6, 7, None]
    assert list(tmp_path.iterdir()) == [path]


def test_write_parquet_keeps_text_as_published_and_types_as_they_were(tmp_path):
    frame = pl.DataFrame({"business_name": list(ATTACKS), "n": range(len(ATTACKS))})
    path = tmp_path / "indications.parquet"

    exports.write_parquet(frame, path)

    assert pl.read_parquet(path).equals(frame)


def test_a_failed_write_leaves_the_previous_file_and_no_partial_file(tmp_path):
    path = tmp_path / "indications.csv"
    exports.write_csv(pl.DataFrame({"a": ["previous"]}), path)
    nested = pl.DataFrame({"a": [["CSV cannot hold a list"]]})

    with pytest.raises(pl.exceptions.ComputeError):
        exports.write_csv(nested, path)

    assert pl.read_csv(path)["a"].to_list() == ["previous"]
    assert list(tmp_path.iterdir()) == [path]
