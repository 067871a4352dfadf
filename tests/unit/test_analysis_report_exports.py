"""The analysis exports: CSV safe to open in a spreadsheet, Parquet as typed, and a data
dictionary that describes every column of every file."""

from __future__ import annotations

import csv

import polars as pl

from heyrick_dagster.analysis import areas, scorecard, stats
from heyrick_dagster.reports import analysis_report as report
from heyrick_dagster.reports import exports_dictionary
from tests.unit.test_analysis_report import FORMULA_NAME, tiny_inputs

CAVEAT = "Indication, not evidence."


def _written(tmp_path, synthetic: bool = True):
    frames = report.export_frames(tiny_inputs(synthetic=synthetic))
    folder = tmp_path / "exports"
    return frames, folder, exports_dictionary.write_exports(frames, folder, synthetic, CAVEAT)


def test_exports_neutralise_a_formula_name_in_csv_and_keep_it_as_published_in_parquet(tmp_path):
    _, folder, _ = _written(tmp_path)

    with (folder / "premises_indications.csv").open(newline="") as handle:
        names = [row["business_name"] for row in csv.DictReader(handle)]
    parquet = pl.read_parquet(folder / "premises_indications.parquet")

    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    assert FORMULA_NAME in parquet["business_name"].to_list()


def test_every_exported_file_is_written_as_csv_and_parquet_with_the_dictionary(tmp_path):
    frames, folder, written = _written(tmp_path)

    expected = exports_dictionary.export_file_names(list(frames))
    assert sorted(written.files) == sorted(expected)
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)  # no leftovers


def test_a_file_without_data_origin_gets_one_so_that_it_says_synthetic_on_its_own(tmp_path):
    _, folder, _ = _written(tmp_path)

    correlations = pl.read_parquet(folder / "area_correlations.parquet")

    assert set(correlations["data_origin"]) == {"synthetic sample"}


def test_the_dictionary_lists_each_column_with_its_type_and_meaning(tmp_path):
    frames, folder, written = _written(tmp_path)

    dictionary = pl.read_csv(folder / "data_dictionary.csv")

    listed = set(zip(dictionary["file"], dictionary["column"], strict=True))
    assert listed == {(name, c) for name, frame in frames.items() for c in frame.columns} | {
        (name, "data_origin") for name, frame in frames.items()
    }
    score = dictionary.filter(
        (pl.col("file") == "premises_indications") & (pl.col("column") == "score")
    )
    assert score["type"].item() == "decimal number"
    assert "log" in score["meaning"].item()
    assert written.undocumented == []


def test_the_markdown_dictionary_says_synthetic_first_when_the_exports_are(tmp_path):
    _, folder, _ = _written(tmp_path)
    _, real_folder, _ = _written(tmp_path / "real", synthetic=False)

    markdown = (folder / "data_dictionary.md").read_text()

    assert markdown.splitlines()[2].startswith("**SYNTHETIC")
    assert "SYNTHETIC" not in (real_folder / "data_dictionary.md").read_text()


def test_every_column_of_the_published_analysis_tables_has_a_meaning():
    indications = tiny_inputs().indications
    tables = {
        "premises_indications": indications.columns,
        "area_indications": scorecard.area_indications(indications).columns,
        "area_correlations": list(stats.AREA_CORRELATIONS_SCHEMA),
        "area_enforcement_intensity": list(areas.INTENSITY_SCHEMA),
        "scorecard_weights": list(scorecard.WEIGHTS_SCHEMA),
    }

    undescribed = [
        f"{table}.{column}"
        for table, columns in tables.items()
        for column in columns
        if not exports_dictionary.meaning(table, column)
    ]

    assert undescribed == []
