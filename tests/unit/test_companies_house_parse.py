"""The Companies House parser on the real published files and on each kind of bad input."""

from __future__ import annotations

import random
import re
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.settings import REPO_ROOT
from heyrick_dagster.sources import companies_house as ch
from heyrick_dagster.sources.errors import ContractError, ParseError
from tests.conftest import FIXTURES

CH_FIXTURES = FIXTURES / "companies_house"
GOOD = CH_FIXTURES / "good_BasicCompanyData-2026-11-01-part1_1.csv"
R_REWRITTEN = CH_FIXTURES / "good_r_rewritten_BasicCompanyDataAsOneFile-2020-05-01.csv"
REAL_HEAD = "BasicCompanyData_head_sample_2021-01.csv"
REAL_SAMPLE = "BasicCompanyDataAsOneFile-2020-05-01_sample.csv"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _records_in(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines()[1:] if line)


# --------------------------------------------------------------------------- real files


@pytest.mark.real_data
@pytest.mark.parametrize("name", [REAL_HEAD, REAL_SAMPLE])
def test_real_files_parse_and_pass_the_contract_with_every_row(shared_data, name):
    path = shared_data / "companies_house" / name
    frame, [parsed] = ch.read_companies([path], sic_codes=None)
    assert frame.height == parsed.rows_read == _records_in(path)
    assert frame["company_number"].n_unique() == frame.height
    assert frame["company_number"].str.len_chars().unique().to_list() == [8]
    assert frame.schema["incorporation_date"] == pl.Date
    assert frame.schema["accounts_account_ref_day"] == pl.Int64
    assert frame["incorporation_date"].null_count() == 0
    assert frame["_source_row"].to_list()[:2] == [2, 3]  # line numbers; the header is line 1


@pytest.mark.real_data
def test_real_files_keep_only_the_food_sector_companies(shared_data):
    folder = shared_data / "companies_house"
    sample, [parsed] = ch.read_companies([folder / REAL_SAMPLE])
    # PROVENANCE.md counts 37 rows with 56103, 45 with 56101 and 41 with 47110/47190.
    assert (parsed.rows_read, parsed.rows_kept, parsed.kept_by_sic) == (4537, 228, 228)
    codes = sample.select(
        pl.concat_list([pl.col(f"sic_code_sic_text_{n}").str.slice(0, 5) for n in range(1, 5)])
    ).to_series()
    assert all(set(row) & ch.FOOD_SIC for row in codes.to_list())
    head, _ = ch.read_companies([folder / REAL_HEAD])
    assert head["company_name"].to_list() == ['"A TASTE OF TUSCANY" LTD']


@pytest.mark.real_data
def test_the_r_rewritten_real_sample_reads_na_as_empty_dates_and_numbers(shared_data):
    frame, [parsed] = ch.read_companies(
        [shared_data / "companies_house" / REAL_SAMPLE], sic_codes=None
    )
    assert parsed.r_rewritten
    # PROVENANCE.md: DissolutionDate is NA in every row, AccountRefDay/Month in 96 rows.
    assert parsed.na_as_null == 4537 + 96 + 96
    assert frame["dissolution_date"].null_count() == 4537
    assert frame["accounts_account_ref_day"].null_count() == 96
    assert "R-rewritten layout" in parsed.note()


@pytest.mark.real_data
def test_published_header_is_the_real_files_header_line(shared_data):
    first = (shared_data / "companies_house" / REAL_HEAD).read_text().splitlines()[0]
    assert first == ch.PUBLISHED_HEADER
    assert len(ch.FIELDS) == 55


@pytest.mark.real_data
def test_parse_names_the_line_where_a_real_file_is_cut(shared_data, tmp_path):
    data = (shared_data / "companies_house" / REAL_HEAD).read_bytes()
    cut = tmp_path / "BasicCompanyData-2021-01-01-part1_1.csv"
    cut.write_bytes(data[: data.index(b'"', len(data) // 2) + 3])
    with pytest.raises(ParseError, match=r"has \d+ fields, expected 55") as caught:
        ch.read_companies([cut])
    assert caught.value.row == cut.read_text().count("\n") + 1  # the last, partial line


# --------------------------------------------------------------------------- good fixtures


def test_good_fixture_keeps_food_companies_with_published_values_and_types():
    frame, [parsed] = ch.read_companies([GOOD])
    rows = {r["company_number"]: r for r in frame.iter_rows(named=True)}
    # 56103, 47110 (+47250), 47110, 56101 abroad, and 10710 found in SicText_4.
    assert list(rows) == ["09876543", "SC123456", "12345678", "FC031234", "NI612345"]
    # Not kept: None Supplied, SIC 2003 "5530", fuel (47300), letting (68209).
    assert parsed.rows_read == 9
    assert rows["09876543"]["company_name"] == '"GOLDEN" KEBAB HOUSE LTD'  # doubled quotes
    assert rows["12345678"]["reg_address_postcode"] == "E1   6PW"  # raw keeps the published mess
    assert rows["FC031234"]["reg_address_postcode"] == "KY1-1107"
    assert rows["FC031234"]["accounts_account_ref_day"] is None  # "" is null
    assert rows["09876543"]["reg_address_care_of"] is None
    assert rows["SC123456"]["incorporation_date"] == date(2001, 2, 1)  # DD/MM/YYYY
    assert rows["SC123456"]["previous_name_1_company_name"] == "PATEL NEWS LIMITED"
    assert rows["SC123456"]["mortgages_num_mort_outstanding"] == 1
    assert [r["_source_row"] for r in rows.values()] == [2, 3, 4, 6, 10]
    assert set(frame["_vintage"].to_list()) == {date(2026, 11, 1)}
    assert frame.columns == ch.COLUMNS


def test_postcode_districts_also_keep_companies_outside_the_food_codes():
    frame, [parsed] = ch.read_companies([GOOD], postcode_districts=frozenset({"SE13", "E1"}))
    assert "07654321" in frame["company_number"].to_list()  # the SE13 letting agent
    assert (parsed.kept_by_sic, parsed.kept_by_postcode) == (5, 1)  # E1's company is food
    assert "5 with a food SIC code, 1 only for their registered postcode district" in parsed.note()


def test_postcode_districts_alone_keep_only_those_districts():
    frame, _ = ch.read_companies([GOOD], sic_codes=None, postcode_districts=frozenset({"SE13"}))
    assert sorted(frame["company_number"].to_list()) == ["07654321", "09876543"]


def test_without_filters_every_row_is_kept():
    frame, [parsed] = ch.read_companies([GOOD], sic_codes=None, postcode_districts=None)
    assert frame.height == parsed.rows_read == 9
    assert parsed.note().endswith("read 9 rows, kept 9")


def test_fuel_retailers_are_left_out_of_the_food_codes():
    assert "47300" in ch.EXCLUDED_SIC_CODES and "47300" not in ch.FOOD_SIC
    frame, _ = ch.read_companies([GOOD], sic_codes=ch.FOOD_SIC | {"47300"})
    assert "11111111" in frame["company_number"].to_list()  # the same row, if it were kept


def test_r_rewritten_layout_reads_na_as_null_only_in_typed_columns():
    frame, [parsed] = ch.read_companies([R_REWRITTEN])
    assert parsed.r_rewritten and parsed.na_as_null == 4
    rows = {r["company_number"]: r for r in frame.iter_rows(named=True)}
    assert rows["FC031234"]["reg_address_county"] == "NA"  # text keeps a literal NA
    assert rows["FC031234"]["accounts_account_ref_month"] is None
    assert rows["09876543"]["dissolution_date"] is None
    assert rows["09876543"]["incorporation_date"] == date(2016, 6, 14)


def test_na_in_a_typed_column_of_an_official_file_is_refused(tmp_path):
    text = GOOD.read_text().replace('"14/06/2016"', '"NA"', 1)
    path = tmp_path / GOOD.name
    path.write_text(text)
    with pytest.raises(ContractError, match=r"incorporation_date are not DD/MM/YYYY.*'NA'") as e:
        ch.read_companies([path])
    assert e.value.row == 2


def test_zip_parts_are_read_from_their_csv_member_and_named_by_the_zip(tmp_path):
    path = _zip(
        tmp_path / "BasicCompanyData-2026-11-01-part1_1.zip",
        {"BasicCompanyData-2026-11-01-part1_1.csv": GOOD.read_bytes()},
    )
    frame, [parsed] = ch.read_companies([path])
    assert frame.height == 5 and parsed.rows_read == 9
    assert set(frame["_source_file"].to_list()) == {str(path)}


def test_several_parts_of_one_snapshot_are_read_together(tmp_path):
    lines = GOOD.read_text().splitlines(keepends=True)
    one = tmp_path / "BasicCompanyData-2026-11-01-part1_2.csv"
    two = tmp_path / "BasicCompanyData-2026-11-01-part2_2.csv"
    one.write_text("".join(lines[:5]))
    two.write_text(lines[0] + "".join(lines[5:]))
    frame, parsed = ch.read_companies([one, two])
    assert frame.height == 5 and [p.rows_read for p in parsed] == [4, 5]
    assert frame.filter(pl.col("company_number") == "NI612345")["_source_row"].item() == 6


def test_a_crlf_file_with_a_byte_order_mark_reads_the_same(tmp_path):
    path = tmp_path / GOOD.name
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes().replace(b"\n", b"\r\n"))
    frame, _ = ch.read_companies([path])
    expected, _ = ch.read_companies([GOOD])
    assert frame.drop("_source_file").equals(expected.drop("_source_file"))


def test_parse_of_no_files_gives_empty_frames_with_the_table_columns():
    result = ch.CONNECTOR.parse([])
    frame = result.tables["companies"]
    assert frame.height == 0 and frame.columns == ch.COLUMNS
    assert frame.schema["incorporation_date"] == pl.Date
    assert frame.schema["_source_row"] == pl.Int64
    assert frame.schema["mortgages_num_mort_charges"] == pl.Int64


def test_connector_parse_reports_rows_read_and_kept_as_a_note():
    result = ch.CONNECTOR.parse([GOOD])
    assert result.notes == [
        f"{GOOD.name}: read 9 rows, kept 5 (5 with a food SIC code, 0 only for their "
        "registered postcode district)"
    ]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fixture", "error", "message", "row"),
    [
        ("bad_empty-2026-11-01.csv", ParseError, r"empty \(0 bytes\)", None),
        ("bad_header_only-2026-11-01.csv", ParseError, r"header but no records", 2),
        ("bad_html_error_page-2026-11-01.csv", ParseError, r"HTML page, not the CSV", None),
        (
            "bad_renamed_column-2026-11-01.csv",
            ParseError,
            r"lacks column\(s\) \['RegAddress.PostCode'\].*unexpected.*'RegAddress.Postcode'",
            1,
        ),
        ("bad_cp1252-2026-11-01.csv", ParseError, r"not UTF-8 at line 4, byte 26 ", 4),
        ("bad_field_count-2026-11-01.csv", ParseError, r"line 3 has 54 fields, expected 55", 3),
        (
            "bad_duplicate_number-2026-11-01.csv",
            ContractError,
            r"company number 09876543 appears more than once: at .* line 2",
            4,
        ),
        ("bad_ref_month-2026-11-01.csv", ContractError, r"accounts_account_ref_month.*'13'", 3),
        ("bad_date-2026-11-01.csv", ContractError, r"incorporation_date.*'31/02/2020'", 4),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, message, row):
    path = CH_FIXTURES / fixture
    with pytest.raises(error) as caught:
        ch.read_companies([path])
    exc = caught.value
    assert (exc.source, exc.file, exc.row) == ("companies_house", str(path), row)
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source companies_house, file {path}")


def test_a_missing_column_is_named(tmp_path):
    lines = GOOD.read_text().splitlines(keepends=True)
    path = tmp_path / GOOD.name
    path.write_text(lines[0].replace(",URI,", ",") + "".join(lines[1:]))
    with pytest.raises(ParseError, match=r"lacks column\(s\) \['URI'\]: the published") as e:
        ch.read_companies([path])
    assert e.value.row == 1


def test_a_zip_without_a_csv_member_is_refused(tmp_path):
    path = _zip(tmp_path / "BasicCompanyData-2026-11-01-part1_1.zip", {"readme.txt": b"hello"})
    with pytest.raises(ParseError, match=r"exactly one \.csv member.*\['readme.txt'\]") as e:
        ch.read_companies([path])
    assert e.value.file == str(path)


def test_a_zip_whose_member_is_an_html_page_is_refused(tmp_path):
    page = (CH_FIXTURES / "bad_html_error_page-2026-11-01.csv").read_bytes()
    member = "BasicCompanyData-2026-11-01-part1_1.csv"
    path = _zip(tmp_path / "BasicCompanyData-2026-11-01-part1_1.zip", {member: page})
    with pytest.raises(ParseError, match=rf"zip member {member} is an HTML page") as e:
        ch.read_companies([path])
    assert e.value.file == str(path)


def test_an_html_page_saved_as_the_zip_is_refused(tmp_path):
    path = tmp_path / "BasicCompanyData-2026-11-01-part1_1.zip"
    path.write_bytes((CH_FIXTURES / "bad_html_error_page-2026-11-01.csv").read_bytes())
    with pytest.raises(ParseError, match=r"the file is an HTML page"):
        ch.read_companies([path])


def test_a_truncated_zip_is_refused(tmp_path):
    noise = random.Random(0).randbytes(5000)  # incompressible, so the zip is as long
    whole = _zip(tmp_path / "whole.zip", {"BasicCompanyData-2026-11-01-part1_1.csv": noise})
    path = tmp_path / "BasicCompanyData-2026-11-01-part1_1.zip"
    path.write_bytes(whole.read_bytes()[:2000])
    with pytest.raises(ParseError, match=r"not a zip archive.*cut short"):
        ch.read_companies([path])


def test_a_header_that_is_not_csv_is_named_briefly(tmp_path):
    path = tmp_path / GOOD.name
    path.write_text("x" * 5000 + "\n")
    with pytest.raises(ParseError, match=r"unexpected column\(s\) \['x{40}'\]"):
        ch.read_companies([path])


def test_a_zip_with_an_empty_member_is_refused(tmp_path):
    member = "BasicCompanyData-2026-11-01-part1_1.csv"
    path = _zip(tmp_path / "BasicCompanyData-2026-11-01-part1_1.zip", {member: b""})
    with pytest.raises(ParseError, match=rf"member {member} is empty"):
        ch.read_companies([path])


def test_an_unclosed_quote_swallowing_the_file_is_reported_at_the_line_it_opens(tmp_path):
    lines = GOOD.read_text().splitlines(keepends=True)
    # An opening quote that never closes runs past csv's field-size limit (128 KiB).
    lines[3] = '"UNCLOSED ' + "X" * 200_000 + "\n"
    path = tmp_path / GOOD.name
    path.write_text("".join(lines))
    with pytest.raises(ParseError, match=r"malformed from line 4 .*unclosed quote") as caught:
        ch.read_companies([path])
    assert caught.value.row == 4


def test_files_of_two_snapshots_are_refused(tmp_path):
    old = tmp_path / "BasicCompanyData-2026-10-01-part1_1.csv"
    old.write_bytes(GOOD.read_bytes())
    with pytest.raises(ParseError, match=r"more than one snapshot"):
        ch.read_companies([old, GOOD])


def test_the_one_file_product_with_its_parts_is_refused(tmp_path):
    whole = tmp_path / "BasicCompanyDataAsOneFile-2026-11-01.csv"
    whole.write_bytes(GOOD.read_bytes())
    with pytest.raises(ParseError, match=r"both the one-file product and its parts"):
        ch.read_companies([whole, GOOD])


def test_a_missing_part_is_named(tmp_path):
    parts = []
    for n in (1, 3):
        parts.append(tmp_path / f"BasicCompanyData-2026-11-01-part{n}_3.csv")
        parts[-1].write_bytes(GOOD.read_bytes())
    with pytest.raises(ParseError, match=r"published in 3 parts but part\(s\) \[2\] are missing"):
        ch.read_companies(parts)


def test_a_file_name_without_a_snapshot_date_is_refused(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes(GOOD.read_bytes())
    with pytest.raises(ParseError, match=r"no snapshot date") as caught:
        ch.read_companies([path])
    assert caught.value.file == str(path)


# --------------------------------------------------------------------------- helpers


def test_select_keeps_the_newest_snapshot_and_prefers_its_one_file():
    paths = [
        Path("BasicCompanyData-2026-10-01-part1_2.zip"),
        Path("BasicCompanyData-2026-11-01-part2_2.zip"),
        Path("BasicCompanyData-2026-11-01-part1_2.zip"),
    ]
    seen: list[str] = []
    assert ch.select_latest_snapshot(paths, (), seen.append) == [paths[2], paths[1]]
    assert seen == [
        "companies_house: ignored BasicCompanyData-2026-10-01-part1_2.zip: an older snapshot "
        "(2026-10-01)"
    ]
    whole = Path("BasicCompanyDataAsOneFile-2026-11-01.zip")
    seen.clear()
    assert ch.select_latest_snapshot([*paths, whole], ("523",), seen.append) == [whole]
    assert sorted(seen)[1:] == [
        "companies_house: ignored BasicCompanyData-2026-11-01-part1_2.zip: the one file is read",
        "companies_house: ignored BasicCompanyData-2026-11-01-part2_2.zip: the one file is read",
    ]
    assert ch.select_latest_snapshot([], ()) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("56103 - Take-away food shops and mobile food stands", "56103"),
        ("None Supplied", None),
        ("5530 - Restaurants", None),
        ("", None),
        (None, None),
    ],
)
def test_sic_code_reads_the_five_digit_code(text, code):
    assert ch.sic_code(text) == code


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("SE13 6JG", "SE13"),
        ("se136jg", "SE13"),
        ("M2   2EE", "M2"),
        ("EC1A 1BB", "EC1A"),
        ("KY1-1107", None),
        ("94107", None),
        ("CRO 1JB", None),
        ("", None),
        (None, None),
    ],
)
def test_postcode_district_follows_the_canonical_postcode_rule(postcode, district):
    assert ch.postcode_district(postcode) == district


def test_staging_model_flags_the_same_food_codes_as_the_parser_keeps():
    sql = (
        REPO_ROOT / "dbt_project/models/staging/companies_house/stg_companies_house__companies.sql"
    ).read_text()
    listed = re.search(r"set food_sic_codes = \[(.*?)\]", sql, re.DOTALL)
    assert listed, "the model sets food_sic_codes"
    assert set(re.findall(r"'(\d{5})'", listed.group(1))) == ch.FOOD_SIC


def test_a_long_parse_reports_progress_every_so_many_rows(monkeypatch, caplog):
    monkeypatch.setattr(ch, "PROGRESS_EVERY_ROWS", 4)
    with caplog.at_level("INFO", logger=ch.log.name):
        ch.read_companies([GOOD])
    progress = [r.getMessage() for r in caplog.records if "rows read" in r.getMessage()]
    # 9 rows: progress after the 4th and the 8th, with what was kept so far.
    assert progress == [
        f"{GOOD}: 4 rows read, 3 kept",
        f"{GOOD}: 8 rows read, 4 kept",
    ]
