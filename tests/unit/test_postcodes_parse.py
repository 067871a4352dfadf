"""The postcode-directory parser on the real files, every accepted layout and bad input."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.sources import companies_house_blocks as blocks
from heyrick_dagster.sources import postcodes
from heyrick_dagster.sources.acquire import local_files
from heyrick_dagster.sources.errors import ContractError, ParseError
from tests.conftest import FIXTURES

PC_FIXTURES = FIXTURES / "postcodes"
ONSPD_CSV = PC_FIXTURES / "ONSPD_FEB_2025_UK.csv"
OLD_LAYOUT = PC_FIXTURES / "ONSPD_MAY_2019_UK.csv"
NEW_NAMES = PC_FIXTURES / "ONSPD_NOV_2025_UK.csv"
LA_LOOKUP = PC_FIXTURES / "la_postcode_oa11_lsoa11_msoa11_lookup.csv"
REAL_ONSPD = "ONSPD_extract_postcodes.io_test_seed.csv"
REAL_LOOKUP = "lbl_postcode_oa11_lsoa11_msoa11_wd22.csv"
MEMBER = "Data/ONSPD_FEB_2025_UK.csv"
# The postcode districts of the fixture's Lewisham (E09000023) postcodes.
LEWISHAM = frozenset({"BR1", "SE13", "SE4", "SE6"})


def real(shared_data: Path, name: str) -> Path:
    path = shared_data / "postcodes" / name
    if not path.is_file():
        pytest.skip(f"real file not available: {path}")
    return path


def official_zip(folder: Path, members: dict[str, bytes] | None = None) -> Path:
    """The fixture packed as the ONS packs the ONSPD (Data/ and Documents/)."""
    path = folder / "ONSPD_FEB_2025_UK.zip"
    members = members if members is not None else {MEMBER: ONSPD_CSV.read_bytes()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
        zf.writestr("Documents/ONSPD User Guide Feb 2025.pdf", b"%PDF-1.4 user guide")
    return path


def _assert_names(exc, file: str | Path, row: int | None, message: str) -> None:
    assert exc.source == "postcodes"
    assert exc.file == str(file)
    assert exc.row == row
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source postcodes, file {file}")


def _by_postcode(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["postcode"]: r for r in frame.iter_rows(named=True)}


# --------------------------------------------------------------------------- real files


@pytest.mark.real_data
def test_real_onspd_extract_parses_every_postcode_with_pseudo_codes_made_null(shared_data):
    [parsed] = postcodes.parse_file(real(shared_data, REAL_ONSPD))
    frame = parsed.frame
    assert frame.height == parsed.records == 8_048  # PROVENANCE.md
    postcodes.validate(frame, postcodes.PostcodesContract, "postcodes", parsed.file)
    # Jersey: every geography is L99999999 and the location 99.999999 / 0.000000.
    jersey = _by_postcode(frame)["JE2 4WD"]
    assert jersey["lsoa11"] is None and jersey["lad_code"] is None and jersey["latitude"] is None
    assert jersey["country"] == "L93000001"
    assert parsed.pseudo_codes["latitude/longitude"] == 2
    assert parsed.pseudo_codes["lsoa11"] == 1
    assert frame["terminated"].null_count() == 4_237  # empty doterm: live postcodes
    assert _by_postcode(frame)["M1 1AD"]["postcode_7"] == "M1  1AD"
    assert parsed.vintage == date(2024, 7, 1), "no month in the name: the newest date inside"
    assert len(parsed.unmapped) == 52 - 14


@pytest.mark.real_data
def test_real_lewisham_lookup_keeps_terminated_postcodes_and_reads_float_months(shared_data):
    [parsed] = postcodes.parse_file(real(shared_data, REAL_LOOKUP))
    frame = parsed.frame
    assert frame.height == 8_419 and parsed.layout == "la_lookup"
    assert frame["terminated"].is_not_null().sum() == 3_450  # PROVENANCE.md
    assert frame["lsoa11"].n_unique() == 169
    assert set(frame["lad_code"]) == {"E09000023"} and set(frame["country"]) == {"E92000001"}
    assert _by_postcode(frame)["BR1 4PN"]["terminated"] == date(2009, 3, 1)  # "200903.0"
    assert frame["latitude"].null_count() == frame.height
    assert parsed.unmapped == ("Postcode8", "WD22CD_proposed")


@pytest.mark.real_data
def test_area_filter_keeps_only_the_districts_in_scope_from_a_real_file(shared_data):
    districts = frozenset({"SE1", "SE1P"})
    [parsed] = postcodes.parse_file(real(shared_data, REAL_ONSPD), districts)
    assert sorted(parsed.frame["postcode"]) == ["SE1 2DL", "SE1 9ZZ", "SE1P 5ZZ"]
    assert parsed.records == 8_048
    note = postcodes.notes_for([parsed], districts)[0]
    assert "kept 3 of 8,048 postcodes (the 2 postcode districts in scope)" in note


# --------------------------------------------------------------------------- layouts


def test_onspd_fixture_keeps_published_values_and_nulls_every_pseudo_code():
    [parsed] = postcodes.parse_file(ONSPD_CSV)
    rows = _by_postcode(parsed.frame)
    assert rows["SE13 6JG"] == {
        "postcode": "SE13 6JG",
        "postcode_7": "SE136JG",
        "introduced": date(1980, 1, 1),
        "terminated": None,
        "usertype": 0,
        "oa11": "E00016560",
        "lsoa11": "E01003189",
        "msoa11": "E02000655",
        "lad_code": "E09000023",
        "pfa_code": "E23000001",
        "lsoa21": "E01003189",
        "latitude": 51.4588,
        "longitude": -0.0106,
        "country": "E92000001",
        "layout": "onspd",
        "_source_file": str(ONSPD_CSV),
        "_source_row": 3,
        "_vintage": date(2025, 2, 1),
    }
    assert rows["SE6 4AB"]["terminated"] == date(2009, 3, 1)
    assert rows["SE4 1NN"]["lsoa11"] is None and rows["SE4 1NN"]["pfa_code"] is None
    assert rows["AB10 1XG"]["lsoa21"] is None  # empty, not a pseudo-code
    assert parsed.pseudo_codes == {
        "oa11": 2,
        "lsoa11": 2,
        "msoa11": 2,
        "lad_code": 1,
        "pfa_code": 2,
        "lsoa21": 1,
        "latitude/longitude": 1,
    }


def test_official_zip_is_read_from_its_data_member_with_the_release_month(tmp_path):
    path = official_zip(tmp_path)
    [parsed] = postcodes.parse_file(path)
    assert parsed.file == f"{path}!{MEMBER}"
    assert parsed.vintage == date(2025, 2, 1)
    assert set(parsed.frame["_source_file"]) == {f"{path}!{MEMBER}"}
    assert parsed.frame.drop("_source_file").equals(
        postcodes.parse_file(ONSPD_CSV)[0].frame.drop("_source_file")
    )


def test_multi_csv_zip_gives_the_same_postcodes_as_the_single_file(tmp_path):
    lines = ONSPD_CSV.read_text().splitlines(keepends=True)
    areas: dict[str, list[str]] = {}
    for line in lines[1:]:
        area = re.match(r'"([A-Z]+)', line).group(1)
        areas.setdefault(area, [lines[0]]).append(line)
    members = {
        f"Data/multi_csv/ONSPD_FEB_2025_UK_{a}.csv": "".join(ls).encode() for a, ls in areas.items()
    }
    frame, parsed = postcodes.parse_files([official_zip(tmp_path, members)])
    assert len(parsed) == len(areas) == 5
    single, _ = postcodes.parse_files([ONSPD_CSV])
    assert sorted(frame["postcode"]) == sorted(single["postcode"])


def test_older_layout_with_pcd_and_pcd2_is_accepted():
    [parsed] = postcodes.parse_file(OLD_LAYOUT)
    rows = _by_postcode(parsed.frame)
    assert rows["M1 1AD"]["postcode_7"] == "M1  1AD"
    assert rows["M1 1AD"]["lsoa21"] is None, "no 2021 areas before 2021"
    assert rows["M1 1AD"]["pfa_code"] == "E23000005"
    assert parsed.vintage == date(2019, 5, 1)


def test_newest_column_names_with_vintages_are_accepted():
    [parsed] = postcodes.parse_file(NEW_NAMES)
    rows = _by_postcode(parsed.frame)
    assert rows["BR1 4BY"]["lad_code"] == "E09000023"
    assert rows["BR1 4BY"]["lsoa11"] == "E01003235" and rows["BR1 4BY"]["lsoa21"] == "E01003235"
    assert rows["BR1 4BY"]["pfa_code"] == "E23000001" and rows["BR1 4BY"]["country"] == "E92000001"


def test_council_lookup_maps_onto_the_same_columns_with_country_from_the_district():
    [parsed] = postcodes.parse_file(LA_LOOKUP)
    frame = parsed.frame
    assert frame.columns == postcodes.COLUMNS and parsed.layout == "la_lookup"
    rows = _by_postcode(frame)
    assert rows["BR1 4PN"]["terminated"] == date(2009, 3, 1)
    assert rows["BR1 4PN"]["usertype"] == 1
    assert rows["SE13 6JG"]["country"] == "E92000001"
    assert frame["latitude"].null_count() == frame["pfa_code"].null_count() == 4
    assert parsed.vintage == date(2009, 3, 1), "the newest month inside, a lower bound"


def test_area_filter_keeps_terminated_postcodes_of_the_districts_in_scope():
    frame, parsed = postcodes.parse_files([ONSPD_CSV], LEWISHAM)
    assert sorted(frame["postcode"]) == ["BR1 4BY", "SE13 6JG", "SE4 1NN", "SE6 4AB"]
    assert frame.filter(pl.col("postcode") == "SE6 4AB")["terminated"].item() is not None
    assert postcodes.notes_for(parsed, LEWISHAM)[0].startswith(
        "ONSPD_FEB_2025_UK.csv: kept 4 of 8 postcodes"
    )


def test_a_postcode_in_both_the_onspd_and_a_council_lookup_keeps_its_onspd_row():
    result = postcodes.CONNECTOR.parse([LA_LOOKUP, ONSPD_CSV])
    frame = result.tables[postcodes.TABLE]
    assert frame["postcode"].n_unique() == frame.height == 8 + 1  # BR1 4PN only in the lookup
    assert _by_postcode(frame)["SE13 6JG"]["layout"] == "onspd"
    assert "3 postcodes of local lookups also in the ONSPD: ONSPD kept" in result.notes


def test_two_directory_files_with_the_same_postcode_are_refused():
    with pytest.raises(ContractError) as caught:
        postcodes.parse_files([ONSPD_CSV, OLD_LAYOUT])
    _assert_names(
        caught.value,
        OLD_LAYOUT,
        1,
        rf"BR1 4BY is in more than one onspd file: also {ONSPD_CSV} row 1 \(4 repeated",
    )


def test_no_files_give_an_empty_table_with_the_raw_columns_and_types():
    frame = postcodes.CONNECTOR.parse([]).tables[postcodes.TABLE]
    assert frame.height == 0 and frame.columns == postcodes.COLUMNS
    assert frame.schema["introduced"] == pl.Date and frame.schema["latitude"] == pl.Float64


def test_file_patterns_take_directory_files_and_council_lookups(tmp_path):
    names = [
        "ONSPD_FEB_2025_UK.zip",
        "ONSPD_NOV_2026_UK_SYNTHETIC.zip",
        "NSPL_FEB_2025_UK.zip",
        "lbl_postcode_oa11_lsoa11_msoa11_wd22.csv",
        "ONSPD_extract_postcodes.io_test_seed.csv",
        "FHRS523en-GB.xml",
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    found = [p.name for p in local_files(postcodes.CONNECTOR, tmp_path)]
    assert found == sorted(names[:5])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fixture", "error", "row", "message"),
    [
        (
            "bad_ONSPD_pcd_renamed.csv",
            ParseError,
            None,
            r"onspd header lacks postcode_7 \(pcd7 or pcd\)",
        ),
        ("bad_ONSPD_no_pcds.csv", ParseError, None, r"neither `pcds` .* nor `PostcodeNatural`"),
        (
            "bad_ONSPD_garbage_postcode.csv",
            ContractError,
            3,
            r"postcode: str_matches.*'SE13 \?JG!'",
        ),
        (
            "bad_ONSPD_duplicate_postcode.csv",
            ContractError,
            2,
            r"field_uniqueness .* rows \[2, 9\]",
        ),
        ("bad_ONSPD_malformed_month.csv", ContractError, 5, r"introduced are not Date.*'2024-2'"),
        ("bad_ONSPD_cp1252.csv", ParseError, 4, r"the text is not UTF-8 at line 5,"),
        (
            "bad_ONSPD_ragged_line.csv",
            ParseError,
            3,
            r"line 4: the line has 53 fields but the header has 52",
        ),
        (
            "bad_ONSPD_short_line.csv",
            ParseError,
            5,
            r"no latitude, the first record 5 \(postcode 'SE4 1NN'\)",
        ),
        (
            "bad_ONSPD_truncated.csv",
            ParseError,
            8,  # the last record, cut short
            r"last line has \d+ of the header's 52 fields.*truncated",
        ),
        ("bad_ONSPD_empty.csv", ParseError, None, r"empty \(0 bytes\)"),
        ("bad_ONSPD_html_page.zip", ParseError, None, r"HTML page, not postcode data"),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, row, message):
    path = PC_FIXTURES / fixture
    with pytest.raises(error) as caught:
        postcodes.parse_files([path])
    _assert_names(caught.value, path, row, message)


def _unquoted_onspd(tmp_path: Path, body: bytes | None = None) -> Path:
    """The ONSPD fixture as the real extract publishes it: no field quoted."""
    path = tmp_path / ONSPD_CSV.name
    path.write_bytes((body or ONSPD_CSV.read_bytes()).replace(b'"', b""))
    return path


def test_an_unquoted_directory_reads_the_same_as_the_quoted_one(tmp_path):
    (unquoted,) = postcodes.parse_file(_unquoted_onspd(tmp_path))
    (quoted,) = postcodes.parse_file(ONSPD_CSV)
    assert unquoted.frame.drop("_source_file").equals(quoted.frame.drop("_source_file"))
    assert (unquoted.records, unquoted.pseudo_codes) == (quoted.records, quoted.pseudo_codes)


@pytest.mark.parametrize(("change", "fields"), [(b',"E92000001",', 51), (b',"0",', 53)])
def test_an_unquoted_line_a_field_short_or_long_is_named_by_its_line(tmp_path, change, fields):
    lines = ONSPD_CSV.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(change, b"," if fields == 51 else b',"0","0",', 1)
    path = _unquoted_onspd(tmp_path, b"\n".join(lines))
    with pytest.raises(ParseError) as caught:
        postcodes.parse_files([path])
    message = rf"line 4: the line has {fields} fields but the header has 52"
    _assert_names(caught.value, path, 3, message)


def test_parse_fails_naming_the_zip_member_and_row_of_a_bad_value(tmp_path):
    body = ONSPD_CSV.read_bytes().replace(b',"SE13 6JG","1980', b',"SE13 6J","1980')
    path = official_zip(tmp_path, {MEMBER: body})
    with pytest.raises(ContractError) as caught:
        postcodes.parse_files([path])
    _assert_names(caught.value, f"{path}!{MEMBER}", 3, r"postcode: str_matches")


def test_parse_fails_when_the_zip_has_no_directory_csv(tmp_path):
    path = official_zip(tmp_path, {"Data/ONSPD_FEB_2025_UK.txt": b"readme"})
    with pytest.raises(ParseError) as caught:
        postcodes.parse_files([path])
    _assert_names(
        caught.value, path, None, r"holds no postcode directory CSV .*ONSPD_FEB_2025_UK\.txt"
    )


def test_parse_fails_when_the_zip_download_was_cut_short(tmp_path):
    whole = official_zip(tmp_path).read_bytes()
    path = tmp_path / "ONSPD_FEB_2025_UK_cut.zip"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ParseError) as caught:
        postcodes.parse_files([path])
    _assert_names(caught.value, path, None, r"zip cut short: the zip has no central directory")


def test_parse_fails_when_a_zip_member_is_damaged(tmp_path):
    path = tmp_path / "ONSPD_FEB_2025_UK.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(MEMBER, ONSPD_CSV.read_bytes())
    damaged = bytearray(path.read_bytes())
    damaged[300] ^= 0x01  # inside the member's data: its CRC no longer matches
    path.write_bytes(bytes(damaged))
    with pytest.raises(ParseError) as caught:
        postcodes.parse_files([path])
    _assert_names(caught.value, f"{path}!{MEMBER}", None, r"damaged .*CRC-32 does not match")


def test_parse_fails_when_a_date_is_in_neither_yyyymm_form(tmp_path):
    path = tmp_path / LA_LOOKUP.name
    path.write_text(LA_LOOKUP.read_text().replace("200903.0", "03/2009", 1))
    with pytest.raises(ContractError) as caught:
        postcodes.parse_files([path])
    _assert_names(caught.value, path, 2, r"terminated are not Date; the first is '03/2009'")


# ------------------------------------------------------------------ zip members read in blocks


@pytest.mark.parametrize("unquoted", [False, True], ids=["quoted", "unquoted"])
@pytest.mark.parametrize("districts", [None, LEWISHAM], ids=["all", "lewisham"])
def test_a_zip_member_read_in_blocks_equals_the_csv_scanned(
    tmp_path, monkeypatch, unquoted, districts
):
    """Blocks of a few lines: row numbers run on across blocks, and the district filter
    keeps what the scan of the same CSV keeps."""
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 700)
    csv_path = _unquoted_onspd(tmp_path) if unquoted else ONSPD_CSV
    path = official_zip(tmp_path, {MEMBER: csv_path.read_bytes()})
    streamed = postcodes._parse_plain_stream
    seen = []
    monkeypatch.setattr(
        postcodes, "_parse_plain_stream", lambda *a: seen.append(streamed(*a)) or seen[-1]
    )
    [zipped] = postcodes.parse_file(path, districts)
    [scanned] = postcodes.parse_file(csv_path, districts)
    assert seen and seen[0] is not None, "the member was read in blocks"
    assert zipped.frame.drop("_source_file").equals(scanned.frame.drop("_source_file"))
    assert (zipped.records, zipped.pseudo_codes) == (scanned.records, scanned.pseudo_codes)


@pytest.mark.parametrize(("change", "fields"), [(b',"E92000001",', 51), (b',"0",', 53)])
def test_a_zip_member_with_a_line_short_or_long_is_named_by_its_line(tmp_path, change, fields):
    lines = ONSPD_CSV.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(change, b"," if fields == 51 else b',"0","0",', 1)
    path = official_zip(tmp_path, {MEMBER: b"\n".join(lines).replace(b'"', b"")})
    with pytest.raises(ParseError) as caught:
        postcodes.parse_files([path])
    message = rf"line 4: the line has {fields} fields but the header has 52"
    _assert_names(caught.value, f"{path}!{MEMBER}", 3, message)
