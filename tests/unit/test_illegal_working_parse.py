"""The illegal-working penalties parser on the real spreadsheet copy, on GOV.UK HTML and
content-API fixtures, on spreadsheets built here, and on each kind of bad input."""

from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import polars as pl
import pytest

from heyrick_dagster.sources import illegal_working as iw
from heyrick_dagster.sources.acquire import local_files
from heyrick_dagster.sources.errors import ContractError, ParseError
from heyrick_dagster.sources.illegal_working_read import period_from_text, quarter_bounds
from tests.conftest import FIXTURES

IW_FIXTURES = FIXTURES / "illegal_working"
GOOD_HTML = IW_FIXTURES / "illegal-working-civil-penalties-2024Q3.html"
GOOD_JSON = IW_FIXTURES / "illegal-working-civil-penalties-2024Q4.json"
INDEX_JSON = IW_FIXTURES / "illegal-working-penalties-uk-report.json"
REAL_NAME = "illegal_working_Q3_2024_enriched.xlsx"
HEADER = ["Liable party", "Trading name", "Address", "Postcode", "Penalty (£)"]
ROW_A = ["Alder Example Ltd", "Alder Grill", "1 Test Road, Leeds, West Yorkshire", "LS1 9ZZ", 45000]
ROW_B = ["Birch Sample", "Birch Mini Market", "2 Test Road, Bury", "BL9 9ZZ", "£20,000"]


def _real_file(shared_data: Path) -> Path:
    path = shared_data / "illegal_working" / REAL_NAME
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


def _xlsx(path: Path, rows: list[list], sheets: dict[str, list[list]] | None = None) -> Path:
    """A workbook whose first sheet holds `rows` (None cells stay empty), then `sheets`."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Sheet1"
    for row in rows:
        first.append(row)
    for name, more in (sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row in more:
            sheet.append(row)
    workbook.save(path)
    return path


# --------------------------------------------------------------------------- real file


@pytest.mark.real_data
def test_real_spreadsheet_copy_parses_passes_the_contract_and_keeps_every_penalty(shared_data):
    path = _real_file(shared_data)
    started = time.perf_counter()
    frame, parsed = iw.parse_files([path])
    elapsed = time.perf_counter() - started
    print(f"{REAL_NAME}: {frame.height} rows in {elapsed:.2f}s")
    # PROVENANCE.md: 201 employers, £12,537,500 in all, £5,000 to £280,000.
    assert frame.height == 201
    assert frame["penalty_gbp"].sum() == 12_537_500
    assert (frame["penalty_gbp"].min(), frame["penalty_gbp"].max()) == (5_000, 280_000)
    assert frame["record_id"].to_list() == [f"2024Q3#{n}" for n in range(1, 202)]
    assert frame["_source_row"].to_list() == list(range(2, 203))  # the sheet's row numbers
    assert frame["period"].unique().to_list() == ["2024Q3"]
    assert frame["region"].null_count() == 201, "a spreadsheet copy has no regional headings"
    assert frame["_vintage"].unique().to_list() == [date(2024, 9, 30)]
    # Published quirks are kept for staging to handle.
    assert "OL16 4T" in frame["postcode"].to_list()
    assert frame.filter(pl.col("address").str.ends_with("Yorkkshire")).height == 1
    # PROVENANCE.md says 20 rows name the liable party as trading name and one postcode is
    # blank; this copy has 19 and none (checked cell by cell).
    assert frame.filter(pl.col("liable_party") == pl.col("trading_name")).height == 19
    assert frame["postcode"].null_count() == 0


@pytest.mark.real_data
def test_real_copy_reports_the_forecast_sheet_blank_rows_and_formula_footer(shared_data):
    path = _real_file(shared_data)
    notes = iw.parse_file(path).notes
    assert any("['forecast_2025_Q1_Q2'] not read" in n for n in notes), notes
    assert any("7 blank row(s) skipped (rows 203-209)" in n for n in notes), notes
    assert any("row 210 is a footer holding the formula =SUM(E2:E202)" in n for n in notes)


# --------------------------------------------------------------------------- HTML


def test_gov_uk_page_gives_records_in_document_order_with_regions_from_headings():
    frame, parsed = iw.parse_files([GOOD_HTML])
    rows = frame.rows(named=True)
    assert [r["record_id"] for r in rows] == [f"2024Q3#{n}" for n in range(1, 6)]
    assert [r["_source_row"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["region"] for r in rows] == ["London"] * 3 + ["North West"] * 2
    assert [r["penalty_gbp"] for r in rows] == [45_000, 60_000, 15_000, 20_000, 90_000]
    assert rows[1]["liable_party"] == "Harrow & Vine Ltd"  # entities decoded
    assert rows[3]["postcode"] == "ol16 9zz"  # raw keeps the published form
    assert rows[4]["postcode"] is None  # a blank cell
    assert rows[0]["illegal_workers"] is None  # not published any more
    assert rows[0]["_vintage"] == date(2024, 11, 14)  # "Published 14 November 2024"
    notes = parsed[0].notes
    assert any("(Summary)" in n and "not a penalties table" in n for n in notes), notes
    assert any("total row ['Total'" in n for n in notes), notes


def test_zero_width_spaces_are_removed_from_penalties_and_names():
    text = GOOD_HTML.read_text(encoding="utf-8")
    assert "\u200b" in text, "the fixture carries zero-width spaces"
    frame, _ = iw.parse_files([GOOD_HTML])
    for column in ("liable_party", "trading_name", "address", "postcode"):
        assert not frame[column].drop_nulls().str.contains("\u200b").any()


def test_content_api_json_gives_records_and_its_public_updated_at_as_vintage():
    frame, _ = iw.parse_files([GOOD_JSON])
    assert frame["record_id"].to_list() == ["2024Q4#1", "2024Q4#2"]
    assert frame["region"].to_list() == ["Scotland", "Scotland"]
    assert frame["penalty_gbp"].to_list() == [45_000, 30_000]
    assert frame["_vintage"].to_list() == [date(2025, 2, 27)] * 2


def test_publication_index_is_noted_and_gives_no_rows():
    frame, parsed = iw.parse_files([INDEX_JSON])
    assert frame.height == 0 and frame.schema == iw.SCHEMA
    assert "publication's index (4 attachments)" in parsed[0].notes[0]


def test_several_quarters_stack_into_one_table():
    frame, _ = iw.parse_files([GOOD_HTML, GOOD_JSON, INDEX_JSON])
    assert frame.height == 7
    assert frame["period"].unique(maintain_order=True).to_list() == ["2024Q3", "2024Q4"]


def test_no_files_give_an_empty_table_with_the_published_columns():
    result = iw.CONNECTOR.parse([])
    frame = result.tables["penalties"]
    assert frame.height == 0
    assert list(frame.columns) == iw.COLUMNS and frame.schema == iw.SCHEMA


def test_file_patterns_pick_publications_and_spreadsheets_but_not_the_index(tmp_path):
    for name in (GOOD_HTML.name, GOOD_JSON.name, INDEX_JSON.name, "MANIFEST.json"):
        shutil.copy(GOOD_HTML if name.endswith(".html") else GOOD_JSON, tmp_path / name)
    _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [HEADER, ROW_A])
    found = [p.name for p in local_files(iw.CONNECTOR, tmp_path)]
    assert found == [GOOD_HTML.name, GOOD_JSON.name, "illegal_working_Q3_2024.xlsx"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fixture", "error", "message", "row"),
    [
        (
            "bad_sixth_column.html",
            ParseError,
            r"table 2 \(London\).*unknown column\(s\) \['Date issued'\]",
            1,
        ),
        (
            "bad_penalty_letter_o.html",
            ParseError,
            r"record 2: the penalty '£12,5O0' is not a whole number",
            2,
        ),
        ("bad_short_row.html", ParseError, r"record 5 has 4 cells but the header has 5 columns", 5),
        ("bad_missing_column.html", ParseError, r"no column for \['postcode'\]", 1),
        (
            "bad_renamed_column.html",
            ParseError,
            r"unknown column\(s\) \['Company'\]; no column for \['liable_party'\]",
            1,
        ),
        ("bad_no_tables.html", ParseError, r"the page holds no table", None),
        (
            "bad_html_error_page.html",
            ParseError,
            r"looks like an error page \(title 'Sorry, there is a problem",
            None,
        ),
        (
            "bad_html_error_page.json",
            ParseError,
            r"an HTML page, not the GOV.UK content API's JSON",
            None,
        ),
        ("bad_html_error_page.xlsx", ParseError, r"an HTML page, not an XLSX workbook", None),
        ("bad_cp1252.html", ParseError, r"not UTF-8 \(byte 0xa3 .*Windows-1252", 2),
        ("bad_empty.html", ParseError, r"the file is empty", None),
        (
            "bad_period_mismatch-2024Q4.html",
            ParseError,
            r"title says 2024Q3 .* file name says 2024Q4",
            None,
        ),
        ("bad_zero_penalty.html", ContractError, r"penalty_gbp: greater_than_or_equal_to\(1\)", 3),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, message, row):
    path = IW_FIXTURES / fixture
    with pytest.raises(error) as caught:
        iw.parse_files([path])
    exc = caught.value
    assert (exc.source, exc.file, exc.row) == ("illegal_working", str(path), row)
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source illegal_working, file {path}")


def test_two_publications_of_one_quarter_are_refused_naming_both(tmp_path):
    copy = tmp_path / "illegal-working-civil-penalties-for-uk-employers-q3-2024.html"
    shutil.copy(GOOD_HTML, copy)
    with pytest.raises(ParseError, match=r"quarter 2024Q3 is also published by .*2024Q3\.html"):
        iw.parse_files([GOOD_HTML, copy])


def test_a_pdf_release_is_refused_as_out_of_scope(tmp_path):
    pdf = tmp_path / "london-q1-2019.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ParseError, match=r"PDF releases .* are out of scope"):
        iw.parse_files([pdf])


# --------------------------------------------------------------------------- spreadsheets


def test_spreadsheet_skips_title_blank_and_total_rows_and_reports_them(tmp_path):
    path = _xlsx(
        tmp_path / "illegal_working_Q3_2024.xlsx",
        [
            ["Illegal working civil penalties: 1 July to 30 September 2024"],
            [],
            HEADER,
            ROW_A,
            [None] * 5,
            ROW_B,
            [],
            ["Total", None, None, None, 65000],
            [None, None, None, None, "=SUM(E4:E6)"],
        ],
    )
    parsed = iw.parse_file(path)
    frame = parsed.frame
    assert frame["record_id"].to_list() == ["2024Q3#1", "2024Q3#2"]
    assert frame["_source_row"].to_list() == [4, 6]
    assert frame["penalty_gbp"].to_list() == [45_000, 20_000]
    notes = " | ".join(parsed.notes)
    assert "2 row(s) above the header skipped" in notes
    assert "2 blank row(s) skipped (row 5, row 7)" in notes
    assert "row 8 is a total row ('Total')" in notes
    assert "row 9 is a footer holding the formula =SUM(E4:E6)" in notes


def test_spreadsheet_sheet_named_like_the_period_is_read_and_others_noted(tmp_path):
    path = _xlsx(
        tmp_path / "illegal_working_Q3_2024.xlsx",
        [["notes only"]],
        {"Q3 2024": [HEADER, ROW_A], "forecast": [["period", "postcode"], ["2025_Q1", "X"]]},
    )
    parsed = iw.parse_file(path)
    assert parsed.frame["liable_party"].to_list() == ["Alder Example Ltd"]
    assert "['Sheet1', 'forecast'] not read (only 'Q3 2024')" in parsed.notes[0]


def test_ods_release_with_illegal_workers_and_a_period_in_its_name(tmp_path):
    path = tmp_path / "illegal-working-civil-penalties-london-1-january-to-31-march-2019.ods"
    rows = [
        ["Employer", "Trading name", "Address", "Postcode", "Number of illegal workers", "Penalty"],
        ["Alder Example Ltd", "Alder Grill", "1 Test Road, London", "E1 9ZZ", 2, "£30,000"],
        ["Birch Sample", None, "2 Test Road, London", "E2 9ZZ", "1", 15000],
    ]
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="London", index=False, header=False)
    frame = iw.parse_file(path).frame
    assert frame["record_id"].to_list() == ["2019Q1#1", "2019Q1#2"]
    assert frame["illegal_workers"].to_list() == [2, 1]
    assert frame["penalty_gbp"].to_list() == [30_000, 15_000]
    assert frame["trading_name"].to_list() == ["Alder Grill", None]
    assert frame["_vintage"].to_list() == [date(2019, 3, 31)] * 2


def test_spreadsheet_fails_naming_the_row_when_a_penalty_is_a_formula(tmp_path):
    path = _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [HEADER, ROW_A, [*ROW_B[:4], "=E2*2"]])
    with pytest.raises(ParseError, match=r"row 3: penalty holds the formula =E2\*2") as caught:
        iw.parse_files([path])
    assert caught.value.row == 3


def test_spreadsheet_fails_naming_the_row_when_a_penalty_is_blank(tmp_path):
    path = _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [HEADER, ROW_A, [*ROW_B[:4], None]])
    with pytest.raises(ParseError, match=r"row 3: the penalty is blank") as caught:
        iw.parse_files([path])
    assert caught.value.row == 3


def test_spreadsheet_fails_naming_the_row_with_a_value_beyond_the_columns(tmp_path):
    path = _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [HEADER, [*ROW_A, "extra"]])
    with pytest.raises(ParseError, match=r"row 2 has a value beyond the table's 5 columns"):
        iw.parse_files([path])


def test_spreadsheet_fails_naming_the_header_row_when_a_column_is_renamed(tmp_path):
    header = ["Company", "Trading name", "Address", "Postcode", "Penalty (£)"]
    path = _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [["A title"], header, ROW_A])
    with pytest.raises(ParseError, match=r"unknown column\(s\) \['Company'\]") as caught:
        iw.parse_files([path])
    assert caught.value.row == 2


def test_spreadsheet_without_the_published_columns_is_refused(tmp_path):
    path = _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [["period", "postcode"], ["x", "y"]])
    with pytest.raises(ParseError, match=r"no header row with the published columns"):
        iw.parse_files([path])


def test_spreadsheet_without_a_period_in_its_name_is_refused(tmp_path):
    path = _xlsx(tmp_path / "penalties.xlsx", [HEADER, ROW_A])
    with pytest.raises(ParseError, match=r"cannot tell which quarter") as caught:
        iw.parse_files([path])
    assert caught.value.file == str(path)


def test_zip_without_a_workbook_member_is_refused(tmp_path):
    path = tmp_path / "illegal_working_Q3_2024.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n")
    with pytest.raises(ParseError, match=r"the zip has no xl/workbook.xml member"):
        iw.parse_files([path])


def test_truncated_workbook_is_refused(tmp_path):
    whole = _xlsx(tmp_path / "whole.xlsx", [HEADER, ROW_A])
    cut = tmp_path / "illegal_working_Q3_2024.xlsx"
    cut.write_bytes(whole.read_bytes()[:500])
    with pytest.raises(ParseError, match=r"an XLSX workbook cut short: the zip has no central"):
        iw.parse_files([cut])


def test_contract_rejects_an_impossible_number_of_illegal_workers(tmp_path):
    path = _xlsx(
        tmp_path / "illegal_working_Q1_2019.xlsx",
        [[*HEADER, "Number of illegal workers"], [*ROW_A, 0]],
    )
    with pytest.raises(ContractError, match=r"illegal_workers") as caught:
        iw.parse_files([path])
    assert caught.value.row == 2


def test_contract_rejects_a_penalty_too_large_to_be_one(tmp_path):
    path = _xlsx(tmp_path / "illegal_working_Q3_2024.xlsx", [HEADER, [*ROW_A[:4], "£99,000,000"]])
    with pytest.raises(ContractError, match=r"penalty_gbp: less_than_or_equal_to"):
        iw.parse_files([path])


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Illegal working civil penalties for UK employers: 1 July to 30 September 2024", "2024Q3"),
        (
            "illegal-working-civil-penalties-for-uk-employers-1-october-to-31-december-2023",
            "2023Q4",
        ),
        ("1 January 2024 to 31 March 2024", "2024Q1"),
        ("illegal_working_Q3_2024_enriched.xlsx", "2024Q3"),
        ("illegal-working-civil-penalties-2025Q2.html", "2025Q2"),
        ("2024-q4 list", "2024Q4"),
        ("Illegal working penalties: UK report", None),
    ],
)
def test_periods_are_read_from_titles_and_file_names(text, period):
    assert period_from_text(text, "f") == period


def test_a_date_range_that_is_not_one_quarter_is_an_error():
    with pytest.raises(ParseError, match=r"'1 July to 31 December 2024' is not one calendar"):
        period_from_text("1 July to 31 December 2024", "f")


def test_quarter_bounds_give_first_and_last_day():
    assert quarter_bounds("2024Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarter_bounds("2023Q4") == (date(2023, 10, 1), date(2023, 12, 31))


def _edited_copy(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = GOOD_HTML.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / GOOD_HTML.name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_a_table_without_its_header_row_is_an_error_not_a_skipped_table(tmp_path):
    text = GOOD_HTML.read_text(encoding="utf-8")
    start = text.index('<thead><tr><th scope="col">Liable party')
    head = text[start : text.index("</thead>", start) + len("</thead>")]
    path = _edited_copy(tmp_path, head, "")  # the first penalties table, London's
    with pytest.raises(ParseError, match=r"table 2 \(London\) has no header row") as caught:
        iw.parse_files([path])
    assert caught.value.row == 1


def test_blank_html_rows_are_skipped_and_reported(tmp_path):
    path = _edited_copy(tmp_path, "<tbody>\n", "<tbody>\n<tr>" + "<td> </td>" * 5 + "</tr>\n")
    parsed = iw.parse_file(path)
    assert parsed.frame.height == 5
    assert any("table 2 (London): 1 blank row(s) skipped" in n for n in parsed.notes)


def test_an_employer_whose_name_starts_with_total_is_kept_and_the_total_row_skipped(tmp_path):
    page = tmp_path / GOOD_HTML.name
    employer = (
        "<tr><td>Total Car Wash Ltd</td><td>Total Car Wash</td>"
        "<td>1 Test Road, Leeds, West Yorkshire</td><td>LS1 1ZZ</td><td>£10,000</td></tr>"
    )
    text = GOOD_HTML.read_text(encoding="utf-8")
    page.write_text(text.replace("<tr><td>Total</td>", employer + "<tr><td>Total</td>", 1))
    frame, parsed = iw.parse_files([page])
    assert "Total Car Wash Ltd" in frame["liable_party"].to_list()
    assert frame.height == iw.parse_files([GOOD_HTML])[0].height + 1
    assert any("total row ['Total'" in n for n in parsed[0].notes)


def test_content_item_with_a_malformed_update_date_is_an_error_naming_the_file(tmp_path):
    doc = json.loads(GOOD_JSON.read_text(encoding="utf-8"))
    doc["public_updated_at"] = "14th November"
    bad = tmp_path / GOOD_JSON.name
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ParseError, match=r"public_updated_at '14th November' is not a date") as e:
        iw.parse_files([bad])
    assert e.value.file == str(bad)
