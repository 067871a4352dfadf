"""The NRM tables parser on hand-made ODS fixtures in the published layout and on bad input.

No real tables file is available (PROVENANCE.md, "Not found"); the real-file test
runs only when one is put in ../shared/data/nrm/.
"""

from __future__ import annotations

import re
import shutil
from datetime import date

import polars as pl
import pytest

from heyrick_dagster.sources import nrm
from heyrick_dagster.sources.errors import ContractError, ParseError
from tests.conftest import FIXTURES
from tests.fixtures.nrm.make_fixtures import NAME, good_sheets, write_ods

NRM_FIXTURES = FIXTURES / "nrm"
GOOD = NRM_FIXTURES / f"good_{NAME}"
MOVED = NRM_FIXTURES / f"good_header_moved_down_{NAME}"


def _by_key(frame: pl.DataFrame) -> dict[tuple[str, str, str, str], dict]:
    return {
        (r["table_id"], r["geography_name"], r["exploitation_type"], r["age_group"]): r
        for r in frame.iter_rows(named=True)
    }


@pytest.fixture(scope="module")
def good() -> nrm.ParsedFile:
    return nrm.parse_file(GOOD)


def test_good_fixture_reads_each_table_by_area_into_one_long_frame(good):
    assert good.period == "2025Q3"
    assert good.vintage == date(2025, 11, 6), "the cover sheet's publication date"
    assert good.tables == [
        "Table 10 (pfa, 4 areas)",
        "Table 12 (county, 3 areas)",
        "Table 13 (local_authority, 2 areas)",
    ]
    assert good.frame.schema == pl.Schema(nrm.SCHEMA)
    # 4 forces x 5 types x 2 ages, 3 counties, 2 authorities x 2 ages.
    assert good.frame.height == 40 + 3 + 4
    assert set(good.frame["period"]) == {"2025Q3"}
    assert set(good.frame["_source_file"]) == {str(GOOD)}


def test_two_row_header_gives_age_group_and_exploitation_type_per_count(good):
    rows = _by_key(good.frame)
    met = rows[("Table 10", "Metropolitan Police Service", "Criminal", "Adult")]
    assert (met["referrals"], met["suppressed"], met["_source_row"]) == (230, False, 7)
    met_child = rows[("Table 10", "Metropolitan Police Service", "Criminal", "Child")]
    assert met_child["referrals"] == 160
    # "Not specified or unknown" under the exploitation headers is an exploitation type.
    assert rows[("Table 10", "Kent", "Not specified or unknown", "Child")]["referrals"] == 5
    assert rows[("Table 10", "Kent", "Labour", "Adult")]["referrals"] == 1234, "'1,234' as text"


def test_totals_are_dropped_and_the_total_row_is_not_an_area(good):
    forces = good.frame.filter(pl.col("table_id") == "Table 10")
    assert "Total" not in set(forces["geography_name"])
    assert "All" not in set(forces["exploitation_type"]) | set(forces["age_group"])
    assert any("aggregate rows not loaded: ['Total']" in n for n in good.notes)


def test_gss_markers_become_null_counts_flagged_suppressed(good):
    rows = _by_key(good.frame)
    for key in [
        ("Table 10", "Devon & Cornwall", "Sexual", "Adult"),  # [c]
        ("Table 10", "Kent", "Domestic servitude", "Child"),  # [z]
        ("Table 10", "British Transport Police", "Labour", "Adult"),  # [x]
    ]:
        assert (rows[key]["referrals"], rows[key]["suppressed"]) == (None, True), key
    assert rows[("Table 10", "Devon & Cornwall", "Domestic servitude", "Adult")]["referrals"] == 0
    published = good.frame.filter(~pl.col("suppressed"))
    assert published["referrals"].null_count() == 0


def test_county_table_with_only_a_total_column_is_kept_as_all_all(good):
    counties = good.frame.filter(pl.col("geography_type") == "county")
    assert counties.select("geography_name", "referrals", "_source_row").rows() == [
        ("Greater London", 602, 7),
        ("Tyne & Wear", 31, 8),
        ("County Derry / Londonderry", 1, 9),
    ]
    assert set(counties["exploitation_type"]) == set(counties["age_group"]) == {"All"}


def test_local_authority_table_keeps_codes_and_sums_counts_over_sex(good):
    rows = _by_key(good.frame)
    lewisham_adult = rows[("Table 13", "Lewisham", "All", "Adult")]
    assert lewisham_adult["geography_code"] == "E09000023"
    assert lewisham_adult["referrals"] == 12 + 30
    # A suppressed part ([c] girls) makes the sum unknown, never a smaller number.
    lewisham_child = rows[("Table 13", "Lewisham", "All", "Child")]
    assert (lewisham_child["referrals"], lewisham_child["suppressed"]) == (None, True)
    assert rows[("Table 13", "Bradford", "All", "Child")]["referrals"] == 5 + 8


def test_sheet_whose_header_moved_down_two_rows_still_parses_the_same_counts(good):
    moved = nrm.parse_file(MOVED)
    key = ["table_id", "geography_name", "exploitation_type", "age_group"]
    columns = [*key, "referrals", "suppressed"]
    assert moved.frame.select(columns).sort(key).equals(good.frame.select(columns).sort(key))
    met_moved = _by_key(moved.frame)[("Table 10", "Metropolitan Police Service", "Labour", "Adult")]
    assert met_moved["_source_row"] == 7 + 2, "the row where the cell now is"


def test_quarter_comes_from_the_cover_sheet_when_the_file_name_lacks_it(tmp_path):
    renamed = tmp_path / "nrm-tables-latest.ods"
    shutil.copyfile(GOOD, renamed)
    assert nrm.parse_file(renamed).period == "2025Q3"


def test_vintage_falls_back_to_the_quarter_end_without_a_publication_date(tmp_path):
    sheets = good_sheets()
    sheets["Cover_sheet"] = sheets["Cover_sheet"][:2]
    path = tmp_path / NAME
    write_ods(path, sheets)
    assert nrm.parse_file(path).vintage == date(2025, 9, 30)


def test_next_publication_date_on_the_cover_is_not_taken_for_the_vintage(tmp_path):
    sheets = good_sheets()
    sheets["Cover_sheet"][2:] = [
        ["Next publication date: 12 February 2026"],
        ["Publication date: 6 November 2025"],
    ]
    path = tmp_path / NAME
    write_ods(path, sheets)
    assert nrm.parse_file(path).vintage == date(2025, 11, 6)


@pytest.mark.parametrize(
    ("fixture", "error", "message", "row"),
    [
        ("bad_count_12a", ContractError, r"'Table_10'.*'Kent'.*not Int64; the first is '12a'", 9),
        ("bad_negative_count", ContractError, r"'Devon & Cornwall'.*greater_than_or_equal", 8),
        ("bad_blank_cell", ParseError, r"'Kent', column 'Adult \(18 or over\) / Sexual.*blank", 9),
        ("bad_duplicate_area", ParseError, r"'Metropolitan Police Service' appears twice", 9),
        ("bad_renamed_column", ParseError, r"header 'Labor exploitaton' is not an age group", 6),
        ("bad_no_header_row", ParseError, r"'Table_10': its title promises a table by area", None),
        ("bad_no_area_tables", ParseError, r"none of the table sheets \['Table_1'\]", None),
        ("bad_empty", ParseError, r"empty \(0 bytes\)", None),
        ("bad_html_error_page", ParseError, r"HTML page, not an ODS spreadsheet", None),
        ("bad_text_cp1252", ParseError, r"not a zip archive\): a file of another type", None),
        ("bad_zip_without_content", ParseError, r"has no content\.xml member", None),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, message, row):
    path = NRM_FIXTURES / f"{fixture}_{NAME}"
    with pytest.raises(error) as caught:
        nrm.parse_files([path])
    exc = caught.value
    assert (exc.source, exc.file, exc.row) == ("nrm", str(path), row)
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source nrm, file {path}")


def test_parse_fails_when_the_file_name_and_cover_sheet_disagree_on_the_quarter():
    path = next(NRM_FIXTURES.glob("bad_period_mismatch_*quarter-2-2025*.ods"))
    with pytest.raises(ParseError, match=r"file name says quarter 2025Q2 but the cover .* 2025Q3"):
        nrm.parse_file(path)


def test_parse_fails_plainly_when_a_download_was_cut_short(tmp_path):
    cut = tmp_path / NAME
    data = GOOD.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match=r"an ODS spreadsheet cut short: the zip has no central"):
        nrm.parse_file(cut)


def test_the_same_quarter_given_twice_is_refused(tmp_path):
    copy = tmp_path / "copy-national-referral-mechanism-quarter-3-2025-tables.ods"
    shutil.copyfile(GOOD, copy)
    with pytest.raises(ParseError, match=r"quarter 2025Q3 is also in .*good_national"):
        nrm.parse_files([GOOD, copy])


def test_quarters_from_several_files_are_stacked(tmp_path):
    earlier = tmp_path / "national-referral-mechanism-statistics-uk-quarter-2-2025-tables.ods"
    sheets = good_sheets()
    sheets["Cover_sheet"][0] = ["NRM statistics UK, April to June 2025"]
    write_ods(earlier, sheets)
    frame, parsed = nrm.parse_files([earlier, GOOD])
    assert [p.period for p in parsed] == ["2025Q2", "2025Q3"]
    assert frame.group_by("period").len().sort("period").rows() == [("2025Q2", 47), ("2025Q3", 47)]


def test_no_files_give_an_empty_table_with_the_right_columns_and_types():
    result = nrm.CONNECTOR.parse([])
    frame = result.tables["referrals"]
    assert frame.height == 0
    assert frame.schema == pl.Schema(nrm.SCHEMA)
    assert nrm.CONNECTOR.metadata.required is False


def test_a_header_with_no_area_rows_under_it_is_an_error_naming_the_row(tmp_path):
    sheets = good_sheets()
    sheets["Table_12"] = sheets["Table_12"][:6] + [[], ["Footnote: figures are provisional."]]
    path = tmp_path / NAME
    write_ods(path, sheets)
    with pytest.raises(ParseError, match=r"'Table_12': the header is followed by no area") as e:
        nrm.parse_file(path)
    assert e.value.row == 7


def test_a_table_by_area_in_some_other_breakdown_is_skipped_not_misread(tmp_path):
    sheets = good_sheets()
    sheets["Table_14"] = [
        ["Table 14: Referrals by police force area and first responder type"],
        ["Police force area", "Police", "Local authority", "NGO", "Total"],
        ["Kent", 4, 9, 2, 15],
    ]
    path = tmp_path / NAME
    write_ods(path, sheets)
    parsed = nrm.parse_file(path)
    assert "Table 14" not in set(parsed.frame["table_id"])
    assert "2 other table sheet(s) skipped" in parsed.notes[0]


def test_single_row_headers_combining_age_and_type_are_split(tmp_path):
    sheets = good_sheets()
    sheets["Table_10"] = [
        ["Table 10: Referrals by police force area"],
        [
            "Police Force Area",
            "Adult - Labour exploitation",
            "Adult - Not specified or unknown",
            "Child - Labour exploitation",
            "Total adults",
            "Total",
        ],
        ["Kent", 3, 1, 2, 4, 6],
    ]
    path = tmp_path / NAME
    write_ods(path, sheets)
    forces = nrm.parse_file(path).frame.filter(pl.col("table_id") == "Table 10")
    assert sorted(forces.select("exploitation_type", "age_group", "referrals").rows()) == [
        ("Labour", "Adult", 3),
        ("Labour", "Child", 2),
        ("Not specified or unknown", "Adult", 1),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (NAME, "2025Q3"),
        ("modern-slavery-national-referral-mechanism-statistics-uk-quarter-1-2023-"
         "january-to-march-tables.ods", "2023Q1"),
        ("national-referral-mechanism-statistics-uk-quarter-4-2022-october-to-december-"
         "tables.ods", "2022Q4"),
        ("nrm-tables.ods", None),
    ],
)  # fmt: skip
def test_quarter_is_read_from_every_published_file_name_style(name, expected):
    assert nrm.period_from_name(name) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Modern Slavery: NRM and DtN statistics UK, Quarter 3 2025 – July to September", "2025Q3"),
        ("National Referral Mechanism statistics UK, quarter 4, 2024", "2024Q4"),
        ("Modern Slavery: NRM statistics UK, January to March 2023", "2023Q1"),
        ("NRM statistics, Quarter 4 (October to December) 2024", "2024Q4"),
        ("Table of contents", None),
    ],
)
def test_quarter_is_read_from_the_cover_sheet_title(title, expected):
    assert nrm.period_from_text([title]) == expected


def test_a_cover_line_naming_a_whole_year_is_passed_over_not_read_as_its_first_quarter():
    lines = ["Comparison with January to December 2024", "NRM statistics UK, Quarter 3 2025"]
    assert nrm.period_from_text(lines) == "2025Q3"
    assert nrm.period_from_name("nrm-statistics-january-to-december-2024-tables.ods") is None


@pytest.mark.real_data
def test_real_tables_files_parse_and_pass_the_contract(shared_data):
    files = sorted((shared_data / "nrm").glob("*.ods")) if (shared_data / "nrm").is_dir() else []
    if not files:
        pytest.skip("no real NRM tables file in ../shared/data/nrm (PROVENANCE.md: not found)")
    frame, parsed = nrm.parse_files(files)
    assert frame.height > 0
    for item in parsed:
        assert item.tables, f"{item.file}: no table by area found"
    assert frame.select(nrm.KEY).is_unique().all()


def test_fixtures_are_what_make_fixtures_writes(tmp_path):
    """The committed fixtures are reproducible from their generator."""
    write_ods(tmp_path / "good.ods", good_sheets())
    assert (tmp_path / "good.ods").read_bytes() == GOOD.read_bytes()


def test_a_named_area_with_blank_counts_is_an_error_not_the_end_of_the_table(tmp_path):
    sheets = good_sheets()
    table = sheets["Table_10"]
    devon = next(i for i, row in enumerate(table) if row and row[0] == "Devon & Cornwall")
    table[devon] = ["Devon & Cornwall"] + [None] * 13
    path = tmp_path / NAME
    write_ods(path, sheets)
    with pytest.raises(ParseError, match=r"area 'Devon & Cornwall' has no counts") as e:
        nrm.parse_file(path)
    assert e.value.row == devon + 1
