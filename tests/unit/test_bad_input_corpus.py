"""Every connector against the bad-input corpus in tests/fixtures/bad/ (CASES.md lists it).

One table says, for each case, what the connector's parse must do: fail with the
exact error class, naming the source, the file and the row (or the column), or
pass. Cases that pass though their values are wrong say which blocking raw gate
refuses them. Further tests look inside the passing cases (formula strings kept
verbatim, broken postcodes as staging reads them, quoted line breaks with their
row numbers) and show that a file which fails to parse is still kept, byte for
byte, in the raw store with its sha256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import jinja2
import polars as pl
import pytest

from heyrick_dagster.settings import REPO_ROOT
from heyrick_dagster.sources import raw_store
from heyrick_dagster.sources.acquire import acquire
from heyrick_dagster.sources.errors import ContractError, ParseError, SourceError
from heyrick_dagster.sources.registry import BY_KEY
from tests.conftest import FIXTURES
from tests.fixtures.bad.make_fixtures import FORMULAS

BAD = FIXTURES / "bad"
CH = "-2026-11-01"  # the snapshot date Companies House files carry in their names
NMW = "_2024-02-20"  # the round date of the NMW lists
NRM = "_quarter-3-2025-tables.ods"


@dataclass(frozen=True)
class Fails:
    error: type[SourceError]
    row: int | None
    says: tuple[str, ...]  # what the message must say besides source and file
    file: str | None = None  # the file named, when not the (last) input: a zip member


@dataclass(frozen=True)
class Passes:
    rows: int
    note: str | None = None  # in one of the parse notes
    gate: tuple[str, str] | None = None  # (blocking raw suite, column) that refuses it


def fails(error, row, *says, file=None) -> Fails:
    return Fails(error, row, says, file)


UTF16 = ("the text is UTF-16 (a UTF-16 byte-order mark), not UTF-8",)
EMPTY = ("the file is empty (0 bytes)",)
BOMB = ("inflates 1,028 times (10,204 to 10,485,760 bytes), more than the limit of 100",)

CASES: list[tuple[str, str | tuple[str, ...], Fails | Passes]] = [
    # ----------------------------------------------------------------- fhrs (XML)
    (
        "fhrs",
        "truncated.xml",
        fails(ParseError, 2, "XML ends early (truncated)", "establishment 2"),
    ),
    ("fhrs", "html_error_page.xml", fails(ParseError, None, "an HTML page, not FHRS XML")),
    (
        "fhrs",
        "cp1252.xml",
        fails(ParseError, 2, "not UTF-8 at line 1, column 1354", "Windows-1252"),
    ),
    ("fhrs", "utf16.xml", fails(ParseError, None, *UTF16)),
    ("fhrs", "utf8_bom.xml", Passes(4)),
    ("fhrs", "renamed_element.xml", fails(ParseError, 1, "<Postcode>", "renamed <PostCode>")),
    ("fhrs", "missing_element.xml", fails(ContractError, 2, "local_authority_code: not_nullable")),
    ("fhrs", "extra_element.xml", Passes(4, note="published fields not mapped: {'Phone': 4}")),
    ("fhrs", "duplicate_fhrsid.xml", Passes(4, gate=("fhrs__establishments", "fhrsid"))),
    (
        "fhrs",
        "negative_score.xml",
        fails(ContractError, 1, "score_hygiene: greater_than_or_equal_to(0)"),
    ),
    ("fhrs", "rating_date_in_future.xml", Passes(4, gate=("fhrs__establishments", "rating_date"))),
    ("fhrs", "rating_date_1900.xml", Passes(4)),  # no gate refuses it: reported
    ("fhrs", "postcodes_broken_forms.xml", Passes(4)),
    ("fhrs", "formula_injection_names.xml", Passes(4)),
    ("fhrs", "zero_bytes.xml", fails(ParseError, None, *EMPTY)),
    # ----------------------------------------------------------------- companies_house (CSV, zip)
    (
        "companies_house",
        f"truncated{CH}.csv",
        fails(ParseError, 6, "the record at line 6 has 10 fields, expected 55", "truncated"),
    ),
    (
        "companies_house",
        f"html_error_page{CH}.csv",
        fails(ParseError, None, "an HTML page, not the CSV"),
    ),
    (
        "companies_house",
        f"cp1252{CH}.csv",
        fails(ParseError, 4, "not UTF-8 at line 4, byte 26", "Windows-1252"),
    ),
    ("companies_house", f"utf16{CH}.csv", fails(ParseError, None, *UTF16)),
    ("companies_house", f"utf8_bom{CH}.csv", Passes(5)),
    (
        "companies_house",
        f"renamed_column{CH}.csv",
        fails(
            ParseError,
            1,
            "lacks column(s) ['RegAddress.PostCode']",
            "unexpected column(s) ['RegAddress.Postcode']",
        ),
    ),
    (
        "companies_house",
        f"missing_column{CH}.csv",
        fails(ParseError, 1, "the header lacks column(s) ['URI']"),
    ),
    (
        "companies_house",
        f"extra_column{CH}.csv",
        Passes(5, note="published columns not read: ['SICCode.SicText_5']"),
    ),
    (
        "companies_house",
        f"duplicate_number{CH}.csv",
        fails(
            ContractError,
            3,
            "company number 09876543 appears more than once",
            "line 2 and again here",
        ),
    ),
    (
        "companies_house",
        f"negative_mortgages{CH}.csv",
        fails(ContractError, 2, "mortgages_num_mort_charges: greater_than_or_equal_to(0)"),
    ),
    (
        "companies_house",
        f"incorporated_in_future{CH}.csv",
        Passes(5, gate=("companies_house__companies", "incorporation_date")),
    ),
    ("companies_house", f"incorporated_1900{CH}.csv", Passes(5)),  # real: companies from 1856
    ("companies_house", f"postcodes_broken_forms{CH}.csv", Passes(7)),
    ("companies_house", f"embedded_newlines_and_quotes{CH}.csv", Passes(5)),
    ("companies_house", f"formula_injection_names{CH}.csv", Passes(6)),
    ("companies_house", f"zero_bytes{CH}.csv", fails(ParseError, None, *EMPTY)),
    ("companies_house", f"zip_bomb{CH}.zip", fails(ParseError, None, *BOMB)),
    (
        "companies_house",
        f"zip_lying_size{CH}.zip",
        fails(ParseError, None, "inflates beyond the 2,707 bytes it declares", "reading stopped"),
    ),
    # ----------------------------------------------------------------- illegal_working (GOV.UK)
    (
        "illegal_working",
        "truncated.html",
        fails(ParseError, None, "the page ends early", "no closing </html>"),
    ),
    (
        "illegal_working",
        "html_error_page.json",
        fails(ParseError, None, "an HTML page, not the GOV.UK content API's JSON"),
    ),
    (
        "illegal_working",
        "cp1252.html",
        fails(ParseError, 1, "not UTF-8 (byte 0xa3", "Windows-1252"),
    ),
    ("illegal_working", "utf16.html", fails(ParseError, None, *UTF16)),
    ("illegal_working", "utf8_bom.json", Passes(2)),
    (
        "illegal_working",
        "renamed_column.html",
        fails(
            ParseError,
            1,
            "table 2 (London)",
            "unknown column(s) ['Liable person']",
            "no column for ['liable_party']",
        ),
    ),
    (
        "illegal_working",
        "missing_column.html",
        fails(ParseError, 1, "table 2 (London)", "no column for ['postcode']"),
    ),
    (
        "illegal_working",
        "extra_unknown_column.html",
        fails(ParseError, 1, "unknown column(s) ['Sector']"),
    ),
    ("illegal_working", "extra_known_column.html", Passes(5, note="total row ['Total'")),
    (
        "illegal_working",
        ("duplicate_quarter_a.html", "duplicate_quarter_b.html"),
        fails(ParseError, None, "quarter 2024Q3 is also published by", "duplicate_quarter_a.html"),
    ),
    (
        "illegal_working",
        "negative_penalty.html",
        fails(ParseError, 2, "record 2: the penalty '-£60,000' is not a whole number"),
    ),
    (
        "illegal_working",
        "quarter_in_future.html",
        fails(ParseError, None, "dated 2024-11-14, before the quarter it names (2099Q3) began"),
    ),
    (
        "illegal_working",
        "quarter_1900.html",
        fails(ParseError, None, "quarter 1900Q3, before the civil penalty scheme began"),
    ),
    ("illegal_working", "postcodes_broken_forms.html", Passes(5)),
    ("illegal_working", "formula_injection_names.html", Passes(5)),
    ("illegal_working", "formula_injection_names_2024Q3.xlsx", Passes(4)),
    (
        "illegal_working",
        "formula_cell_in_name_2024Q3.xlsx",
        fails(ParseError, 3, "row 3: liable_party holds the formula =A2"),
    ),
    ("illegal_working", "zero_bytes.html", fails(ParseError, None, *EMPTY)),
    ("illegal_working", "zip_bomb_2024Q3.xlsx", fails(ParseError, None, *BOMB)),
    # ----------------------------------------------------------------- nmw_naming (CSV, XLSX)
    (
        "nmw_naming",
        f"truncated{NMW}.csv",
        fails(ParseError, 5, "row 5 is not a complete employer: the number of workers is empty"),
    ),
    (
        "nmw_naming",
        f"html_error_page{NMW}.csv",
        fails(ParseError, None, "an HTML page, not a CSV table"),
    ),
    (
        "nmw_naming",
        f"cp1252{NMW}.csv",
        fails(ParseError, 4, "not UTF-8 at line 4, byte 50", "Windows-1252"),
    ),
    ("nmw_naming", f"utf16{NMW}.csv", fails(ParseError, None, *UTF16)),
    ("nmw_naming", f"utf8_bom{NMW}.csv", Passes(4)),
    (
        "nmw_naming",
        f"renamed_column{NMW}.csv",
        fails(ParseError, 3, "unknown table layout", "row 3 reads", "'Money owed (£)'"),
    ),
    (
        "nmw_naming",
        f"missing_column{NMW}.csv",
        fails(ParseError, 1, "unknown table layout", "row 1 reads"),
    ),
    (
        "nmw_naming",
        f"extra_column{NMW}.csv",
        Passes(1, note="published columns not mapped: ['Region']"),
    ),
    (
        "nmw_naming",
        (f"duplicate_round_a{NMW}.csv", f"duplicate_round_b{NMW}.csv"),
        fails(ParseError, 4, "duplicate key: record_id 2024-R1#1", "duplicate_round_a"),
    ),
    (
        "nmw_naming",
        f"negative_arrears{NMW}.csv",
        fails(
            ParseError, 4, "row 4 is not a complete employer: arrears '-£1,204.50' is not an amount"
        ),
    ),
    (
        "nmw_naming",
        "round_in_future_2099-01-01.csv",
        Passes(1, gate=("nmw_naming__named_employers", "round_date")),
    ),
    (
        "nmw_naming",
        "round_1900_1900-01-01.csv",
        Passes(1, gate=("nmw_naming__named_employers", "round_date")),
    ),
    ("nmw_naming", f"postcodes_broken_forms{NMW}.csv", Passes(6)),
    ("nmw_naming", f"embedded_newlines_and_quotes{NMW}.csv", Passes(3)),
    ("nmw_naming", f"formula_injection_names{NMW}.csv", Passes(4)),
    ("nmw_naming", f"zero_bytes{NMW}.csv", fails(ParseError, None, *EMPTY)),
    ("nmw_naming", f"zip_bomb{NMW}.xlsx", fails(ParseError, None, *BOMB)),
    # ----------------------------------------------------------------- imd (File 7, File 1)
    (
        "imd",
        "truncated.csv",
        fails(ParseError, 8, "the last line has 4 of the header's 57 fields", "truncated"),
    ),
    ("imd", "html_error_page.csv", fails(ParseError, None, "an HTML page, not IoD2019 data")),
    ("imd", "cp1252.csv", fails(ParseError, 3, "not UTF-8 at line 4, byte 23", "Windows-1252")),
    ("imd", "utf16.csv", fails(ParseError, None, *UTF16)),
    ("imd", "utf8_bom.csv", Passes(8)),
    (
        "imd",
        "renamed_column.csv",
        fails(ParseError, None, "lacks column(s) ['Income Score (rate)']"),
    ),
    (
        "imd",
        "missing_column.csv",
        fails(
            ParseError, None, "lacks column(s) ['Total population: mid 2015 (excluding prisoners)']"
        ),
    ),
    ("imd", "extra_column.csv", Passes(8, note="48 published columns not kept")),
    (
        "imd",
        "duplicate_lsoa.csv",
        fails(ContractError, 1, "lsoa_code: field_uniqueness", "at source rows [1, 2]"),
    ),
    (
        "imd",
        "negative_population.csv",
        fails(ContractError, 3, "population: greater_than_or_equal_to(0)"),
    ),
    ("imd", "embedded_newlines_and_quotes.csv", Passes(8)),
    ("imd", "formula_injection_names.csv", Passes(8)),
    ("imd", "zero_bytes.csv", fails(ParseError, None, *EMPTY)),
    ("imd", "zip_bomb.xlsx", fails(ParseError, None, *BOMB)),
    # ----------------------------------------------------------------- postcodes (ONSPD CSV, zip)
    (
        "postcodes",
        "truncated.csv",
        fails(ParseError, 8, "the last line has 7 of the header's 52 fields"),
    ),
    (
        "postcodes",
        "html_error_page.csv",
        fails(ParseError, None, "an HTML page, not postcode data"),
    ),
    (
        "postcodes",
        "cp1252.csv",
        fails(ParseError, 1, "not UTF-8 at line 2, byte 393", "Windows-1252"),
    ),
    ("postcodes", "utf16.csv", fails(ParseError, None, *UTF16)),
    ("postcodes", "utf8_bom.csv", Passes(8)),
    ("postcodes", "renamed_column.csv", fails(ParseError, None, "neither `pcds` (ONSPD/NSPL)")),
    ("postcodes", "missing_column.csv", fails(ParseError, None, "the onspd header lacks lsoa11")),
    ("postcodes", "extra_column.csv", Passes(8, note="39 published columns not kept")),
    (
        "postcodes",
        "duplicate_postcode.csv",
        fails(
            ContractError,
            1,
            "postcode: field_uniqueness",
            "['BR1 4BY', 'BR1 4BY'] at source rows [1, 2]",
        ),
    ),
    (
        "postcodes",
        "negative_latitude.csv",
        fails(ContractError, 1, "latitude: greater_than_or_equal_to(-90)"),
    ),
    (
        "postcodes",
        "introduced_in_future.csv",
        Passes(8, gate=("postcodes__postcodes", "introduced")),
    ),
    ("postcodes", "introduced_1900.csv", Passes(8)),  # no gate refuses it: reported
    ("postcodes", "postcodes_fixable.csv", Passes(8)),
    (
        "postcodes",
        "postcodes_invalid.csv",
        fails(
            ContractError,
            4,
            "postcode: not_nullable failed for 1 value(s) [None] at source rows [4]",
            "['N/A', 'SW1A', '12345'] at source rows [1, 2, 3]",
        ),
    ),
    ("postcodes", "zero_bytes.csv", fails(ParseError, None, *EMPTY)),
    ("postcodes", "zip_bomb.zip", fails(ParseError, None, *BOMB)),
    (
        "postcodes",
        "zip_lying_size.zip",
        fails(
            ParseError,
            None,
            "inflates beyond the 1,930 bytes it declares",
            file=f"{BAD}/postcodes/zip_lying_size.zip!Data/ONSPD_FEB_2025_UK.csv",
        ),
    ),
    # ----------------------------------------------------------------- nrm (ODS)
    ("nrm", f"truncated{NRM}", fails(ParseError, None, "the file is an ODS spreadsheet cut short")),
    (
        "nrm",
        f"html_error_page{NRM}",
        fails(ParseError, None, "an HTML page, not an ODS spreadsheet"),
    ),
    (
        "nrm",
        f"cp1252_text{NRM}",
        fails(ParseError, None, "not an ODS spreadsheet (not a zip archive)"),
    ),
    (
        "nrm",
        f"renamed_column{NRM}",
        fails(ParseError, 6, "sheet 'Table_10'", "'Labor exploitaton' is not an age group"),
    ),
    (
        "nrm",
        f"extra_column{NRM}",
        fails(ParseError, 6, "sheet 'Table_10'", "'Forced marriage' is not an age group"),
    ),
    (
        "nrm",
        f"duplicate_area{NRM}",
        fails(ParseError, 9, "'Metropolitan Police Service' appears twice, at rows 7 and 9"),
    ),
    (
        "nrm",
        (f"duplicate_quarter_a{NRM}", f"duplicate_quarter_b{NRM}"),
        fails(ParseError, None, "quarter 2025Q3 is also in", "duplicate_quarter_a"),
    ),
    (
        "nrm",
        f"negative_count{NRM}",
        fails(
            ContractError, 8, "area 'Devon & Cornwall'", "referrals: greater_than_or_equal_to(0)"
        ),
    ),
    ("nrm", f"published_in_future{NRM}", Passes(47, gate=("nrm__referrals", "_vintage"))),
    (
        "nrm",
        f"published_before_its_quarter{NRM}",
        fails(
            ParseError, None, "dates the release 2020-01-01, before the quarter it covers (2025Q3)"
        ),
    ),
    ("nrm", f"formula_injection_names{NRM}", Passes(47)),
    ("nrm", f"zero_bytes{NRM}", fails(ParseError, None, *EMPTY)),
    ("nrm", f"zip_bomb{NRM}", fails(ParseError, None, *BOMB)),
]


def _paths(source: str, files: str | tuple[str, ...]) -> list[Path]:
    return [BAD / source / name for name in ((files,) if isinstance(files, str) else files)]


def _case_id(case) -> str:
    source, files, _ = case
    return f"{source}/{files if isinstance(files, str) else files[-1]}"


@pytest.mark.parametrize(("source", "files", "expected"), CASES, ids=map(_case_id, CASES))
def test_each_bad_input_gives_its_exact_outcome(source, files, expected):
    connector, paths = BY_KEY[source], _paths(source, files)
    if isinstance(expected, Fails):
        with pytest.raises(SourceError) as caught:
            connector.parse(paths)
        exc, file = caught.value, expected.file or str(paths[-1])
        assert type(exc) is expected.error, str(exc)
        assert (exc.source, exc.file, exc.row) == (source, file, expected.row), str(exc)
        assert str(exc).startswith(f"[source {source}, file {file}"), str(exc)
        for words in expected.says:
            assert words in str(exc), str(exc)
        return
    result = connector.parse(paths)
    [frame] = result.tables.values()
    assert frame.height == expected.rows
    assert set(frame["_source_file"]) == {str(p) for p in paths}
    if expected.note:
        assert any(expected.note in note for note in result.notes), result.notes
    if expected.gate:
        _assert_gate_refuses(connector, frame, *expected.gate)


def _assert_gate_refuses(connector, frame: pl.DataFrame, suite: str, column: str) -> None:
    """The blocking Great Expectations suite fails on that column: the value passes the
    parser (it has the right type) but never reaches staging."""
    from heyrick_dagster.quality.gx_runner import run_suite

    [spec] = [c for t in connector.tables for c in t.checks if c.suite == suite]
    assert spec.blocking
    outcome = run_suite(suite, frame.to_pandas(), spec.parameters() if spec.parameters else None)
    refused = [o for o in outcome.outcomes if not o.success and o.severity == "error"]
    assert column in {o.column for o in refused}, refused


def test_every_corpus_file_is_in_the_table_and_in_cases_md():
    on_disk = {
        f"{p.parent.name}/{p.name}"
        for p in BAD.glob("*/*")
        if p.is_file() and p.parent.name in BY_KEY
    }
    in_table = {f"{s}/{p.name}" for s, files, _ in CASES for p in _paths(s, files)}
    cases_md = (BAD / "CASES.md").read_text(encoding="utf-8")
    assert on_disk == in_table
    assert [f for f in sorted(on_disk) if f"`{f.split('/', 1)[1]}`" not in cases_md] == []
    assert len(on_disk) >= 40


# --------------------------------------------------------------------------- inside passing cases

VERBATIM = [
    ("fhrs", "formula_injection_names.xml", "business_name"),
    ("companies_house", f"formula_injection_names{CH}.csv", "company_name"),
    ("illegal_working", "formula_injection_names.html", "liable_party"),
    ("illegal_working", "formula_injection_names_2024Q3.xlsx", "liable_party"),
    ("nmw_naming", f"formula_injection_names{NMW}.csv", "employer_name"),
    ("imd", "formula_injection_names.csv", "lsoa_name"),
    ("nrm", f"formula_injection_names{NRM}", "geography_name"),
]


@pytest.mark.parametrize(("source", "file", "column"), VERBATIM)
def test_formula_strings_in_names_are_kept_verbatim_in_raw(source, file, column):
    """Neutralising them is the exports' job (a spreadsheet must not run them); raw keeps
    what the publisher wrote."""
    [frame] = BY_KEY[source].parse([BAD / source / file]).tables.values()
    assert set(FORMULAS) <= set(frame[column].to_list())


# Published value -> staging's canonical postcode (dbt macro canonical_postcode).
CANONICAL = {"se136jg": "SE13 6JG", "SE136JG": "SE13 6JG", "N/A": None, "SW1A": None, "12345": None}
BROKEN = [
    # (the third establishment publishes no postcode)
    ("fhrs", "postcodes_broken_forms.xml", "postcode", ["se136jg", "SW1A", None, "N/A"]),
    (
        "companies_house",
        f"postcodes_broken_forms{CH}.csv",
        "reg_address_postcode",
        ["se136jg", "SE136JG", "N/A", "SW1A", "12345", None],
    ),
    (
        "illegal_working",
        "postcodes_broken_forms.html",
        "postcode",
        ["se136jg", "SE136JG", "N/A", "SW1A", "12345"],
    ),
    # The NMW tables read "N/A" and an empty cell as "not given".
    (
        "nmw_naming",
        f"postcodes_broken_forms{NMW}.csv",
        "postcode",
        ["se136jg", "SE136JG", None, "SW1A", "12345", None],
    ),
]


@pytest.fixture(scope="module")
def canonical_postcode() -> str:
    """The dbt macro staging applies to every published postcode, rendered to SQL."""
    macros = REPO_ROOT / "dbt_project" / "macros"
    env = jinja2.Environment()
    # The macro calls the portable macros (portable_sql.sql), which dbt dispatches
    # by adapter; outside dbt, resolve each to its DuckDB variant as dbt would.
    env.globals["return"] = lambda value: value
    env.globals["adapter"] = SimpleNamespace(
        dispatch=lambda name: getattr(portable, f"duckdb__{name}")
    )
    portable = env.from_string((macros / "portable_sql.sql").read_text()).module
    env.globals.update({name: getattr(portable, name) for name in ("full_match", "replace_all")})
    module = env.from_string((macros / "canonical_postcode.sql").read_text()).module
    return str(module.canonical_postcode("postcode"))


@pytest.mark.parametrize(("source", "file", "column", "published"), BROKEN)
def test_broken_postcodes_stay_as_published_in_raw_and_staging_fixes_only_the_fixable(
    source, file, column, published, canonical_postcode
):
    [frame] = BY_KEY[source].parse([BAD / source / file]).tables.values()
    raw = frame[column].to_list()[: len(published)]
    assert raw == published
    with duckdb.connect() as con:
        con.register("raw", pl.DataFrame({"postcode": raw}).to_arrow())
        staged = [r[0] for r in con.sql(f"select {canonical_postcode} from raw").fetchall()]
    assert staged == [CANONICAL.get(value) for value in raw]


def test_the_postcode_directory_stores_fixable_postcodes_in_their_canonical_form():
    [frame] = (
        BY_KEY["postcodes"].parse([BAD / "postcodes" / "postcodes_fixable.csv"]).tables.values()
    )
    # published "br1 4by", "SE136JG" and "se41nn"
    assert {"BR1 4BY", "SE13 6JG", "SE4 1NN"} <= set(frame["postcode"])


@pytest.mark.parametrize(
    ("source", "file", "key", "column", "expected"),
    [
        # _source_row is the LINE where the record starts: record 1 spans lines 2-3.
        (
            "companies_house",
            f"embedded_newlines_and_quotes{CH}.csv",
            "company_number",
            "reg_address_line_1",
            {"09876543": (2, "12 HIGH STREET\nFLAT 2"), "SC123456": (4, "3 STATION ROAD")},
        ),
        # _source_row is the RECORD of the table (header = 1), as a spreadsheet shows it;
        # names have their whitespace collapsed, the quotes stay.
        (
            "nmw_naming",
            f"embedded_newlines_and_quotes{NMW}.csv",
            "record_id",
            "employer_name",
            {"2024-R1#1": (2, 'Harbour "Pizza" Ltd'), "2024-R1#3": (4, 'Corner "Mini" Market Ltd')},
        ),
        # _source_row is the DATA record (header not counted).
        (
            "imd",
            "embedded_newlines_and_quotes.csv",
            "lsoa_code",
            "lsoa_name",
            {"E01000002": (2, 'City of London\n"001B"'), "E01003189": (3, "Lewisham 001A")},
        ),
    ],
)  # fmt: skip
def test_quoted_line_breaks_and_quotes_parse_with_the_right_row_numbers(
    source, file, key, column, expected
):
    [frame] = BY_KEY[source].parse([BAD / source / file]).tables.values()
    rows = {r[key]: (r["_source_row"], r[column]) for r in frame.iter_rows(named=True)}
    assert {k: rows[k] for k in expected} == expected


# --------------------------------------------------------------------------- the raw store

# One failing file per source, under the name files mode looks for.
KEPT = [
    ("fhrs", "truncated.xml", "FHRS523en-GB.xml"),
    ("companies_house", f"zip_bomb{CH}.zip", "BasicCompanyData-2026-11-01-part1_1.zip"),
    ("illegal_working", "truncated.html", "illegal-working-civil-penalties-2024Q3.html"),
    ("nmw_naming", f"cp1252{NMW}.csv", "2024-R1_2024-02-20_employers-named.csv"),
    (
        "imd",
        "utf16.csv",
        "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
    ),
    ("postcodes", "zip_lying_size.zip", "ONSPD_FEB_2025_UK.zip"),
    ("nrm", f"html_error_page{NRM}", f"national-referral-mechanism-statistics-uk-{NRM[1:]}"),
]


@pytest.mark.parametrize(("source", "file", "official"), KEPT)
def test_a_file_that_fails_to_parse_is_kept_in_the_raw_store_with_its_sha256(
    source, file, official, make_settings, tmp_path
):
    bad = BAD / source / file
    inbox = tmp_path / "inbox"
    (inbox / source).mkdir(parents=True)
    shutil.copyfile(bad, inbox / source / official)
    connector = BY_KEY[source]
    acquired = acquire(connector, make_settings(mode="files", files_dir=inbox))
    [raw] = acquired.files
    assert raw.path.read_bytes() == bad.read_bytes()
    manifest = json.loads((raw.path.parent / raw_store.MANIFEST).read_text())
    assert manifest[official]["sha256"] == hashlib.sha256(bad.read_bytes()).hexdigest()
    with pytest.raises(SourceError) as caught:
        connector.parse([raw.path])
    assert caught.value.file.startswith(str(raw.path))
