"""The IoD2019 parser on the real File 1, the hand-made fixtures and each kind of bad input."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from heyrick_dagster.sources import imd
from heyrick_dagster.sources.acquire import local_files
from heyrick_dagster.sources.errors import ContractError, ParseError
from tests.conftest import FIXTURES

IMD_FIXTURES = FIXTURES / "imd"
FILE_1 = IMD_FIXTURES / "good_File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
FILE_7 = (
    IMD_FIXTURES
    / "good_File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
)
REAL_FILE_1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"


def _real(shared_data: Path, name: str) -> Path:
    path = shared_data / "imd" / name
    if not path.is_file():
        pytest.skip(f"real file not available: {path}")
    return path


def _edited_file_1(tmp_path: Path, edit) -> Path:
    """A copy of the good workbook changed by `edit(workbook)`."""
    path = tmp_path / FILE_1.name
    book = load_workbook(FILE_1)
    edit(book)
    book.save(path)
    return path


def _assert_names(exc, path: Path, row: int | None, message: str) -> None:
    assert exc.source == "imd"
    assert exc.file == str(path)
    assert exc.row == row
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source imd, file {path}")


# --------------------------------------------------------------------------- real file


@pytest.mark.real_data
def test_real_file_1_gives_every_english_lsoa_with_ranks_that_fix_their_deciles(shared_data):
    path = _real(shared_data, REAL_FILE_1)
    frame, parsed = imd.parse_files([path])
    assert frame.height == 32_844  # PROVENANCE.md
    assert frame["lsoa_code"].n_unique() == frame.height
    assert (frame["imd_rank"].min(), frame["imd_rank"].max()) == (1, 32_844)
    expected = frame["imd_rank"].map_elements(lambda r: math.ceil(r / 3284.4), pl.Int64)
    assert (frame["imd_decile"] == expected).all()
    assert frame["imd_score"].null_count() == frame.height, "File 1 has no scores"
    assert parsed[0].kind == "file_1" and parsed[0].unmapped == ()
    lewisham = frame.filter(pl.col("lad_code") == "E09000023")
    assert lewisham.height == 169 and set(lewisham["lad_name"]) == {"Lewisham"}


# --------------------------------------------------------------------------- good fixtures


def test_file_1_keeps_published_values_types_and_lineage():
    frame, _ = imd.parse_files([FILE_1])
    first = frame.row(0, named=True)
    assert first == {
        "lsoa_code": "E01000001",
        "lsoa_name": "City of London 001A",
        "lad_code": "E09000001",
        "lad_name": "City of London",
        "imd_rank": 29199,
        "imd_decile": 9,
        "imd_score": None,
        "income_score": None,
        "employment_score": None,
        "population": None,
        "_source_file": str(FILE_1),
        "_source_row": 1,
        "_vintage": imd.VINTAGE,
    }
    assert frame["_source_row"].to_list() == list(range(1, 9))


def test_file_7_alone_gives_ranks_scores_and_population():
    frame, parsed = imd.parse_files([FILE_7])
    row = frame.filter(pl.col("lsoa_code") == "E01003189").row(0, named=True)
    assert (row["imd_rank"], row["imd_decile"]) == (1, 1)
    assert (row["imd_score"], row["income_score"], row["employment_score"]) == (64.5, 0.42, 0.28)
    assert row["population"] == 1702
    assert len(parsed[0].unmapped) == 57 - 10


def test_both_files_merge_on_lsoa_with_file_1_lineage_and_file_7_scores():
    frame, _ = imd.parse_files([FILE_7, FILE_1])
    assert frame.height == 8
    assert frame["imd_score"].null_count() == 0
    assert set(frame["_source_file"]) == {str(FILE_1)}
    row = frame.filter(pl.col("lsoa_code") == "E01005131").row(0, named=True)
    assert (row["imd_rank"], row["imd_decile"], row["population"]) == (32844, 10, 1431)
    assert frame.columns == imd.COLUMNS


def test_connector_notes_name_the_file_7_columns_it_does_not_keep():
    result = imd.CONNECTOR.parse([FILE_1, FILE_7])
    assert result.tables[imd.TABLE].height == 8
    [note] = result.notes
    assert "47 published columns not kept" in note and "Crime Score" in note


def test_no_files_give_an_empty_table_with_the_raw_columns_and_types():
    frame = imd.CONNECTOR.parse([]).tables[imd.TABLE]
    assert frame.height == 0
    assert frame.columns == imd.COLUMNS
    assert frame.schema["imd_rank"] == pl.Int64 and frame.schema["_vintage"] == pl.Date


def test_file_patterns_take_official_and_synthetic_names_and_nothing_else(tmp_path):
    names = [
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation_SYNTHETIC.xlsx",
        "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
        "File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
        "notes.txt",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    found = [p.name for p in local_files(imd.CONNECTOR, tmp_path)]
    assert found == sorted(names[:3])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fixture", "error", "row", "message"),
    [
        ("bad_File_7_cp1252.csv", ParseError, 3, r"not UTF-8 at line 4, .*Windows-1252"),
        ("bad_File_7_html_page.csv", ParseError, None, r"HTML page, not IoD2019 data"),
        ("bad_File_7_empty.csv", ParseError, None, r"empty \(0 bytes\)"),
        (
            "bad_File_7_renamed_income.csv",
            ParseError,
            None,
            r"lacks column\(s\) \['Income Score \(rate\)'\]",
        ),
        (
            "bad_File_7_population_not_a_number.csv",
            ContractError,
            4,
            r"1 value\(s\) of population are not Int64; the first is 'n/a'",
        ),
        ("bad_File_1_html_page.xlsx", ParseError, None, r"HTML page"),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, row, message):
    path = IMD_FIXTURES / fixture
    with pytest.raises(error) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, row, message)


def test_parse_fails_when_the_workbook_has_no_imd2019_sheet(tmp_path):
    def rename(book):
        book["IMD2019"].title = "IoD2019 Domains"

    path = _edited_file_1(tmp_path, rename)
    with pytest.raises(ParseError) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, None, r"no sheet 'IMD2019' \(sheets: \['Notes', 'IoD2019")


def test_parse_fails_naming_the_row_when_a_rank_is_zero(tmp_path):
    def zero(book):
        book["IMD2019"]["E4"] = 0  # sheet row 4 is data record 3

    path = _edited_file_1(tmp_path, zero)
    with pytest.raises(ContractError) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, 3, r"imd_rank: greater_than_or_equal_to\(1\)")


def test_parse_fails_naming_both_rows_when_an_lsoa_is_repeated(tmp_path):
    def repeat(book):
        book["IMD2019"]["A7"] = "E01003190"  # record 6 repeats record 4

    path = _edited_file_1(tmp_path, repeat)
    with pytest.raises(ContractError) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, 4, r"lsoa_code: field_uniqueness .* at source rows \[4, 6\]")


def test_parse_fails_when_an_lsoa_code_is_not_english(tmp_path):
    def welsh(book):
        book["IMD2019"]["A3"] = "W01001700"

    path = _edited_file_1(tmp_path, welsh)
    with pytest.raises(ContractError) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, 2, r"lsoa_code: str_matches")


def test_parse_fails_when_the_rank_column_is_missing(tmp_path):
    def drop_rank(book):
        book["IMD2019"].delete_cols(5)

    path = _edited_file_1(tmp_path, drop_rank)
    with pytest.raises(ParseError) as caught:
        imd.parse_files([path])
    _assert_names(
        caught.value,
        path,
        None,
        r"lacks column\(s\) \['Index of Multiple Deprivation \(IMD\) Rank'\]",
    )


def test_parse_fails_when_a_workbook_is_cut_short(tmp_path):
    path = tmp_path / FILE_1.name
    path.write_bytes(FILE_1.read_bytes()[:2000])
    with pytest.raises(ParseError) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, None, r"an IoD2019 File 1 workbook cut short")


def test_merge_fails_when_file_7_ranks_another_release(tmp_path):
    path = tmp_path / FILE_7.name
    path.write_text(FILE_7.read_text().replace("Lewisham,19.8,16422,5", "Lewisham,19.8,16400,5"))
    with pytest.raises(ContractError) as caught:
        imd.parse_files([FILE_1, path])
    _assert_names(caught.value, path, 6, r"another IMD rank or decile .* E01003192 \(rank 16400")


def test_merge_fails_when_file_7_has_an_lsoa_that_file_1_lacks(tmp_path):
    path = tmp_path / FILE_7.name
    path.write_text(FILE_7.read_text().replace("E01005108", "E01005109"))
    with pytest.raises(ContractError) as caught:
        imd.parse_files([FILE_1, path])
    _assert_names(caught.value, path, 7, r"1 LSOA\(s\) of File 7 are not in File 1 .* E01005109")


def test_two_file_1_workbooks_are_refused(tmp_path):
    copy = tmp_path / "File_1_-_IMD2019_Index_of_Multiple_Deprivation (1).xlsx"
    shutil.copyfile(FILE_1, copy)
    with pytest.raises(ParseError) as caught:
        imd.parse_files([FILE_1, copy])
    _assert_names(caught.value, copy, None, r"a second file 1 was given")


def test_a_file_of_another_type_is_refused(tmp_path):
    path = tmp_path / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.ods"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ParseError) as caught:
        imd.parse_files([path])
    _assert_names(caught.value, path, None, r"expected File 1 \(.xlsx\) or File 7 \(.csv\)")
