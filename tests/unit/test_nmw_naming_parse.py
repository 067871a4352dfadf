"""The NMW naming-scheme parser: the line grammar, tables, rounds, and every kind of bad input.

No real copy of a round exists in ../shared/data (PROVENANCE.md, "Not found"); the
lines below follow the wording of the published GOV.UK pages, with made-up names.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from heyrick_dagster.sources import nmw_naming
from heyrick_dagster.sources.errors import ContractError, ParseError
from heyrick_dagster.sources.nmw_naming_lines import (
    EntryError,
    parse_arrears,
    parse_line,
    split_name,
)
from heyrick_dagster.sources.nmw_naming_tables import header_key
from tests.conftest import FIXTURES

NMW = FIXTURES / "nmw_naming"
HTML_2015 = NMW / "2015-R1_2015-03-24_employers-named.html"
CSV_2024 = NMW / "2024-R1_2024-02-20_employers-named.csv"


# --------------------------------------------------------------------------- name splitting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X Ltd, trading as Y", ("X Ltd", "Y", False)),
        ("X Ltd trading as Y", ("X Ltd", "Y", False)),
        ("Louise Ross Trading as Luxe Salon", ("Louise Ross", "Luxe Salon", False)),
        (
            "Greenway Kebabs Ltd t/a Greenway Grill",
            ("Greenway Kebabs Ltd", "Greenway Grill", False),
        ),
        ("The Garment Works Ltd (ceased trading)", ("The Garment Works Ltd", None, True)),
        ("Acme Ltd (Ceased Trading), trading as Acme Pizza", ("Acme Ltd", "Acme Pizza", True)),
        ("Sharon Makin", ("Sharon Makin", None, False)),
        ("Birkbeck, University of London", ("Birkbeck, University of London", None, False)),
        # "of" also occurs inside company names, so the 2014 partnership form stays whole.
        (
            "Alan King and John King of Arthur Simpson & Co",
            ("Alan King and John King of Arthur Simpson & Co", None, False),
        ),
    ],
)
def test_split_name_separates_employer_trading_name_and_ceased_marker(text, expected):
    assert split_name(text) == expected


def test_split_name_refuses_a_trading_name_without_an_employer():
    with pytest.raises(EntryError, match="no employer name"):
        split_name("trading as Lonely Cafe")


# --------------------------------------------------------------------------- line grammar


@pytest.mark.parametrize(
    ("line", "employer", "trading", "location", "postcode", "arrears", "workers", "ceased"),
    [
        (
            "G1 Venues Ltd, trading as Arta Restaurant, Glasgow, neglected to pay £45,124.00 "
            "to 2895 workers",
            "G1 Venues Ltd",
            "Arta Restaurant",
            "Glasgow",
            None,
            45124.00,
            2895,
            False,
        ),
        (
            "Minara Enterprises Ltd, trading as Fakenham Tandoori, Fakenham, neglected to pay "
            "£11,696.47 to 1 worker",
            "Minara Enterprises Ltd",
            "Fakenham Tandoori",
            "Fakenham",
            None,
            11696.47,
            1,
            False,
        ),
        (
            "Sharon Makin, trading as Clever Clowns Day Nursery, Manchester, neglected to pay "
            "£10,572.08 to 6 workers",
            "Sharon Makin",
            "Clever Clowns Day Nursery",
            "Manchester",
            None,
            10572.08,
            6,
            False,
        ),
        (
            "The Clothing Works Ltd (ceased trading), Corby, neglected to pay £17,007.08 to 38 "
            "workers",
            "The Clothing Works Ltd",
            None,
            "Corby",
            None,
            17007.08,
            38,
            True,
        ),
        (
            "69. Ross Labels Limited, Ross-on-Wye, HR9, failed to pay £5,221.27 to 106 workers.",
            "Ross Labels Limited",
            None,
            "Ross-on-Wye",
            "HR9",
            5221.27,
            106,
            False,
        ),
        (
            "Big Stores Limited, Welwyn Garden City, AL7, failed to pay £5,096,946.13 to "
            "78,199 workers",
            "Big Stores Limited",
            None,
            "Welwyn Garden City",
            "AL7",
            5096946.13,
            78199,
            False,
        ),
        (
            "Mrs Kelly Jones trading as Diva Hair, Walsall, neglected to pay £4,103.65 to a worker",
            "Mrs Kelly Jones",
            "Diva Hair",
            "Walsall",
            None,
            4103.65,
            1,
            False,
        ),
        (
            "Harbour Pizza Ltd, London, SE13 6JG, failed to pay £500 to 2 workers",
            "Harbour Pizza Ltd",
            None,
            "London",
            "SE13 6JG",
            500.0,
            2,
            False,
        ),
    ],
)
def test_published_line_variants_are_read(
    line, employer, trading, location, postcode, arrears, workers, ceased
):
    parsed = parse_line(line)
    assert parsed.employer_name == employer
    assert parsed.trading_name == trading
    assert parsed.location == location
    assert parsed.postcode == postcode
    assert parsed.arrears_gbp == Decimal(f"{arrears:.2f}")
    assert parsed.workers == workers
    assert parsed.ceased_trading is ceased


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Cedar Cafe Ltd, Hull, failed to pay to 3 workers", "no arrears amount"),
        ("Cedar Cafe Ltd, Hull, failed to pay £1,2,34.00 to 3 workers", "'£1,2,34.00' is not"),
        ("Cedar Cafe Ltd, Hull, failed to pay £12.5 to 3 workers", "'£12.5' is not"),
        ("Cedar Cafe Ltd, Hull, failed to pay £120.00 to several workers", "'several' is not"),
        ("Cedar Cafe Ltd, Hull, failed to pay £120.00", "does not end 'to <n> workers'"),
        ("Cedar Cafe Ltd, failed to pay £120.00 to 3 workers", "no town or area"),
        ("Cedar Ltd, trading as Cedar Cafe, failed to pay £1.00 to 3 workers", "no town or area"),
    ],
)
def test_malformed_lines_say_what_is_wrong(line, message):
    with pytest.raises(EntryError) as caught:
        parse_line(line)
    assert message in str(caught.value)


def test_header_names_are_compared_without_case_punctuation_or_pound_sign():
    assert header_key("Arrears (£)") == header_key("ARREARS £") == "arrears"
    assert header_key("No. of workers") == "no of workers"


# --------------------------------------------------------------------------- good files


def test_html_round_is_read_in_document_order_skipping_prose_and_navigation():
    frame, files = nmw_naming.parse_files([HTML_2015])
    assert files[0].kind == "lines"
    assert frame["record_id"].to_list() == [f"2015-R1#{n}" for n in range(1, 7)]
    assert frame["_source_row"].to_list() == list(range(1, 7))
    rows = frame.to_dicts()
    assert rows[0]["employer_name"] == "Northgate Venues Ltd"
    assert rows[0]["trading_name"] == "Lantern Restaurant"
    assert rows[1]["ceased_trading"] is True and rows[1]["employer_name"] == "The Garment Works Ltd"
    # A list item wrapping a paragraph is read once, "Trading as" in any case.
    assert rows[3]["employer_name"] == "Jane Fairweather"
    assert rows[3]["trading_name"] == "Little Acorns Day Nursery"
    assert rows[4]["workers"] == 1  # "to a worker."
    assert rows[5]["employer_name"] == "Kestrel & Finch Kebab House Limited"  # &amp; and &nbsp;
    assert rows[5]["arrears_gbp"] == Decimal("512.80")
    assert set(frame["round_date"].to_list()) == {date(2015, 3, 24)}  # the name wins over meta
    assert frame["_vintage"].to_list() == frame["round_date"].to_list()
    assert frame["postcode"].null_count() == 6


def test_arrears_are_exact_pounds_and_pence_through_to_the_contract():
    frame = nmw_naming.CONNECTOR.parse([CSV_2024]).tables["named_employers"]
    assert frame.schema["arrears_gbp"] == pl.Decimal(12, 2)
    # "£1,204.50" + "980.00" + "15230.7" + "2,345.10", to the penny (floats would drift)
    assert frame["arrears_gbp"].sum() == Decimal("19760.30")


@pytest.mark.parametrize(
    ("cell", "pounds"),
    [("980.005", "980.01"), ("980.004", "980.00"), ("15230.7", "15230.70"), ("£0.10", "0.10")],
)
def test_a_spreadsheet_amount_is_rounded_half_up_to_pence(cell, pounds):
    assert parse_arrears(cell, spreadsheet=True) == Decimal(pounds)


def test_arrears_beyond_what_the_raw_column_holds_are_refused_not_overflowed():
    with pytest.raises(EntryError, match=r"beyond the £9,999,999,999.99 the raw table holds"):
        parse_arrears("£12,345,678,901.00")


def test_csv_round_finds_its_header_below_the_title_and_skips_totals_and_notes():
    result = nmw_naming.CONNECTOR.parse([CSV_2024])
    frame = result.tables["named_employers"]
    assert frame["record_id"].to_list() == [f"2024-R1#{n}" for n in range(1, 5)]
    assert frame["_source_row"].to_list() == [4, 5, 6, 7]  # rows of the sheet, header is row 3
    rows = frame.to_dicts()
    assert rows[0]["arrears_gbp"] == Decimal("1204.50")  # "£1,204.50"
    assert rows[1]["ceased_trading"] is True and rows[1]["trading_name"] is None  # "N/A"
    assert rows[2]["arrears_gbp"] == Decimal("15230.70") and rows[2]["postcode"] == "BD3 7QP"
    assert rows[3]["employer_name"] == "Greenway Kebabs Ltd"  # "t/a" inside the name cell
    assert rows[3]["trading_name"] == "Greenway Grill"
    assert rows[3]["workers"] == 1204
    assert any("not mapped: ['Sector']" in note for note in result.notes)
    assert any("skipped: [9, 10]" in note for note in result.notes)


def test_rounds_are_concatenated_in_date_order_with_the_published_types():
    frame, _ = nmw_naming.parse_files([CSV_2024, HTML_2015])
    assert frame.columns == nmw_naming.COLUMNS
    assert frame.schema == pl.Schema(nmw_naming.SCHEMA)
    assert frame["round"].unique(maintain_order=True).to_list() == ["2015-R1", "2024-R1"]


def test_parse_of_no_files_gives_an_empty_table_with_the_contract_columns():
    result = nmw_naming.CONNECTOR.parse([])
    frame = result.tables["named_employers"]
    assert frame.height == 0
    assert frame.schema == pl.Schema(nmw_naming.SCHEMA)


def _workbook_rows() -> list[list[object]]:
    return [
        ["SYNTHETIC - naming round workbook", None, None, None, None, None],
        [None, None, None, None, None, None],
        ["Employer name", "Trading name", "Town", "Postcode district", "Arrears £", "Workers"],
        ["Harbour Pizza Ltd", "Harbour Pizza", "Lewisham", "SE13", 1204.5, 3],
        ["Sunil Patel", None, "Bradford", "BD3", 15230.699999, 12.0],
    ]


@pytest.mark.parametrize(("suffix", "engine"), [(".xlsx", "openpyxl"), (".ods", "odf")])
def test_spreadsheet_rounds_are_read_from_the_sheet_with_the_header(tmp_path, suffix, engine):
    path = tmp_path / f"2023-R2_2023-06-21_list{suffix}"
    with pd.ExcelWriter(path, engine=engine) as writer:
        pd.DataFrame([["About this list"], ["SYNTHETIC"]]).to_excel(
            writer, sheet_name="Notes", header=False, index=False
        )
        pd.DataFrame(_workbook_rows()).to_excel(
            writer, sheet_name="Employers", header=False, index=False
        )
    frame, _ = nmw_naming.parse_files([path])
    assert frame["record_id"].to_list() == ["2023-R2#1", "2023-R2#2"]
    assert frame["_source_row"].to_list() == [4, 5]
    assert frame["arrears_gbp"].to_list() == [Decimal("1204.50"), Decimal("15230.70")]
    assert frame["workers"].to_list() == [3, 12]
    assert frame["location"].to_list() == ["Lewisham", "Bradford"]


def test_an_html_page_holding_a_table_instead_of_lines_is_read(tmp_path):
    page = tmp_path / "2021-R1_2021-08-05_list.html"
    page.write_text(
        "<html><body><table><tr><td>Contact</td><td>DBT</td></tr></table>"
        "<table><thead><tr><th>Employer</th><th>Location</th><th>Arrears (£)</th>"
        "<th>Number of workers</th></tr></thead><tbody>"
        "<tr><td>Harbour Pizza Ltd</td><td>Lewisham</td><td>£1,204.50</td><td>3</td></tr>"
        "</tbody></table></body></html>",
        encoding="utf-8",
    )
    frame, files = nmw_naming.parse_files([page])
    assert files[0].kind == "table"
    assert frame.select("employer_name", "arrears_gbp", "workers").row(0) == (
        "Harbour Pizza Ltd",
        Decimal("1204.50"),
        3,
    )


def test_round_ids_are_derived_from_page_dates_when_the_name_has_none(tmp_path):
    text = HTML_2015.read_text(encoding="utf-8")
    for day in ("2015-01-15", "2015-03-25", "2016-08-11"):
        page = tmp_path / f"named-and-shamed-{day[-5:]}.html"
        page.write_text(text.replace("2015-03-25T00:01", f"{day}T00:01"), encoding="utf-8")
    frame, _ = nmw_naming.parse_files(sorted(tmp_path.glob("*.html")))
    rounds = frame.group_by("round").agg(pl.col("round_date").first()).sort("round_date")
    assert rounds.rows() == [
        ("2015-R1", date(2015, 1, 15)),
        ("2015-R2", date(2015, 3, 25)),
        ("2016-R1", date(2016, 8, 11)),
    ]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fixture", "error", "message", "row"),
    [
        ("bad_no_arrears.html", ParseError, r"employer 3 \(line 14 .*no arrears amount", 3),
        ("bad_thousands_grouping.html", ParseError, r"arrears '£1,2,34\.00' is not an amount", 3),
        ("bad_workers_several.html", ParseError, r"worker count 'several' is not a number", 1),
        ("bad_html_error_page.html", ParseError, r"no employer lines .*'Page not found", None),
        ("bad_html_error_page.csv", ParseError, r"HTML page, not a CSV table", None),
        (
            "bad_renamed_columns.csv",
            ParseError,
            r"unknown table layout.*row 1 reads \['Company'",
            1,
        ),
        ("bad_missing_column.csv", ParseError, r"unknown table layout.*row 2 reads", 2),
        ("bad_row_incomplete.csv", ParseError, r"row 3 is not a complete employer.*workers", 3),
        ("bad_cp1252.csv", ParseError, r"not UTF-8 at line 1, .*Windows-1252", 1),
        ("bad_empty.csv", ParseError, r"the file is empty", None),
        (
            "bad_no_date.csv",
            ParseError,
            r"cannot date this round: no YYYY-MM-DD in the file name",
            None,
        ),
        (
            "bad_out_of_range_2024-R1_2024-02-20.csv",
            ContractError,
            r"workers: greater_than_or_equal_to\(1\) failed .* at source rows \[3\]",
            3,
        ),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, message, row):
    path = NMW / fixture
    with pytest.raises(error) as caught:
        nmw_naming.parse_files([path])
    exc = caught.value
    assert (exc.source, exc.file, exc.row) == ("nmw_naming", str(path), row)
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source nmw_naming, file {path}")


def test_a_second_file_for_the_same_round_is_a_duplicate_key(tmp_path):
    first = tmp_path / "2024-R1_2024-02-20_employers-named.csv"
    second = tmp_path / "2024-R1_2024-02-20_employers-named-copy.csv"
    shutil.copy(CSV_2024, first)
    shutil.copy(CSV_2024, second)
    with pytest.raises(ParseError, match=r"duplicate key: record_id 2024-R1#1") as caught:
        nmw_naming.parse_files([first, second])
    assert caught.value.file == str(second) and caught.value.row == 4
    assert str(first) in str(caught.value)


def test_a_zip_without_the_workbook_member_is_refused(tmp_path):
    path = tmp_path / "2024-R1_2024-02-20_list.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("docProps/app.xml", "<Properties/>")
    with pytest.raises(ParseError, match=r"the zip has no xl/workbook.xml member") as caught:
        nmw_naming.parse_files([path])
    assert caught.value.file == str(path)


def test_an_error_page_saved_as_a_spreadsheet_is_named_as_such(tmp_path):
    path = tmp_path / "2024-R1_2024-02-20_list.ods"
    shutil.copy(NMW / "bad_html_error_page.csv", path)
    with pytest.raises(ParseError, match=r"HTML page, not a spreadsheet"):
        nmw_naming.parse_files([path])


def test_contract_rejects_zero_arrears_naming_the_row(tmp_path):
    path = tmp_path / "2016-R1_2016-08-11_named.html"
    text = (NMW / "bad_no_arrears.html").read_text(encoding="utf-8")
    path.write_text(text.replace("failed to pay to 3", "failed to pay £0.00 to 3"), "utf-8")
    with pytest.raises(ContractError, match=r"arrears_gbp: greater_than\(0\)") as caught:
        nmw_naming.parse_files([path])
    assert caught.value.row == 3
    assert caught.value.failures[0]["employer_name"] == "Cedar Cafe Ltd"


def test_an_unknown_file_type_is_refused(tmp_path):
    path = tmp_path / "2024-R1_2024-02-20_list.pdf"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(ParseError, match=r"unknown file type '.pdf'"):
        nmw_naming.parse_files([path])


# --------------------------------------------------------------------------- real files


@pytest.mark.real_data
def test_real_rounds_parse_and_pass_the_contract_when_a_copy_is_recorded(shared_data: Path):
    folder = shared_data / "nmw_naming"
    files = [p for pattern in nmw_naming.FILE_PATTERNS for p in folder.glob(pattern)]
    if not files:
        pytest.skip("no real naming round is recorded in shared/data (PROVENANCE.md: Not found)")
    frame, parsed = nmw_naming.parse_files(files)
    assert frame.height == sum(len(p.records) for p in parsed) > 0
    assert frame["record_id"].n_unique() == frame.height


def test_an_html_file_with_no_document_in_it_is_refused(tmp_path):
    path = tmp_path / "2024-R1_2024-02-20_list.html"
    path.write_text("<!-- saved by a crawler that found nothing -->", encoding="utf-8")
    with pytest.raises(ParseError, match=r"the HTML cannot be read") as caught:
        nmw_naming.parse_files([path])
    assert caught.value.file == str(path)


def test_a_csv_the_reader_cannot_split_names_the_line(tmp_path):
    # An unclosed quote swallows the rest of the file into one oversized field.
    path = tmp_path / "2024-R1_2024-02-20_list.csv"
    path.write_text('Employer name,Location,Arrears,Workers\r\n"A Ltd' + "x" * 200_000, "utf-8")
    with pytest.raises(
        ParseError, match=r"the CSV cannot be read at line 2 .*field larger"
    ) as caught:
        nmw_naming.parse_files([path])
    assert caught.value.row == 2


def test_an_employer_whose_name_starts_with_total_is_kept_and_the_total_row_skipped(tmp_path):
    path = tmp_path / "2024-R2_2024-06-20_employers-named.csv"
    path.write_text(
        "Employer name,Location,Arrears (£),Number of workers\n"
        'Total Fitness Ltd,Leeds,"£1,234.00",3\n'
        'Harbour Pizza Ltd,Lewisham,"£99.50",1\n'
        'Total,,"£1,333.50",4\n',
        encoding="utf-8",
    )
    result = nmw_naming.CONNECTOR.parse([path])
    frame = result.tables["named_employers"]
    assert frame["employer_name"].to_list() == ["Total Fitness Ltd", "Harbour Pizza Ltd"]
    assert any("skipped: [4]" in note for note in result.notes), result.notes
