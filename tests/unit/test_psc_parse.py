"""The PSC snapshot parser: the official JSON lines, pseudonymised at ingest, bad input named."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.quality.gx_runner import run_suite
from heyrick_dagster.sources import psc
from heyrick_dagster.sources.errors import ContractError, ParseError
from heyrick_dagster.sources.psc_pseudonyms import (
    KEY_VARIABLE,
    SAMPLE_KEY,
    normalised_name,
    person_identity,
    pseudonym,
)

KEY = "k" * 40
SNAPSHOT = "psc-snapshot-2026-11-10_1of1"


def individual(company: str, psc_id: str, **changes) -> dict:
    data = {
        "address": {"address_line_1": "1 High Street", "postal_code": "se13 6jg"},
        "country_of_residence": "England",
        "date_of_birth": {"month": 4, "year": 1988},
        "etag": "fe416d8a3e09c93eb961ad89b0c606982c3c01e1",
        "kind": psc.INDIVIDUAL,
        "links": {
            "self": f"/company/{company}/persons-with-significant-control/individual/{psc_id}"
        },
        "name": "Mr James Albert Brian",
        "name_elements": {
            "title": "Mr",
            "forename": "James",
            "middle_name": "Albert",
            "surname": "Brian",
        },
        "nationality": "British",
        "natures_of_control": [
            "ownership-of-shares-25-to-50-percent",
            "voting-rights-25-to-50-percent",
        ],
        "notified_on": "2016-04-06",
    } | changes
    return {"company_number": company, "data": data}


def corporate(company: str) -> dict:
    return {
        "company_number": company,
        "data": {
            "kind": "corporate-entity-person-with-significant-control",
            "name": "Example Holdings Limited",
            "identification": {"registration_number": "SC119437", "legal_form": "Limited"},
            "natures_of_control": ["ownership-of-shares-75-to-100-percent"],
            "notified_on": "2019-05-01",
            "links": {
                "self": f"/company/{company}/persons-with-significant-control/corporate-entity/x"
            },
        },
    }


STATEMENT = {
    "company_number": "00000004",
    "data": {"kind": "persons-with-significant-control-statement", "statement": "no-psc"},
}
TOTALS = {
    "data": {
        "kind": "totals#persons-of-significant-control-snapshot",
        "persons_of_significant_control_count": 3,
        "statements_count": 1,
        "exemptions_count": 0,
        "generated_at": "2026-11-10T06:00:00Z",
    }
}


def write_zip(folder: Path, lines: list, name: str = SNAPSHOT, comment: bytes = b"") -> Path:
    path = folder / f"{name}.zip"
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        archive.writestr(f"{name}.txt", text)
    return path


def good_lines() -> list:
    return [
        individual("01234567", "a"),
        individual(
            "07654321",
            "b",
            ceased_on="2020-01-31",
            name_elements={
                "title": "Mr",
                "forename": "JAMES",
                "middle_name": "Albert",
                "surname": "Brian",
            },
        ),
        corporate("SC123456"),
        STATEMENT,
        TOTALS,
    ]


def test_parse_keeps_one_row_per_controller_with_a_keyed_pseudonym_and_no_name(tmp_path):
    frame, parsed = psc.read_controls([write_zip(tmp_path, good_lines())], KEY)

    assert frame.columns == psc.COLUMNS
    assert frame.height == 3
    expected = pseudonym(KEY.encode(), person_identity("James Albert Brian", 1988, 4))
    people = frame.filter(pl.col("is_individual"))
    # The same person in two companies, cased differently, is one controller.
    assert people["controller_id"].to_list() == [expected, expected]
    assert people["ceased_on"].to_list() == [None, date(2020, 1, 31)]
    assert people["natures_of_control"][0] == (
        "ownership-of-shares-25-to-50-percent;voting-rights-25-to-50-percent"
    )
    assert frame["_vintage"].unique().to_list() == [date(2026, 11, 10)]
    text = frame.write_csv()
    for personal in ("James", "JAMES", "Brian", "1988", "British", "High Street", "/company/"):
        assert personal not in text
    note = parsed[0].note()
    assert "persons-with-significant-control-statement': 1" in note
    assert "'persons_of_significant_control_count': 3" in note


def test_pseudonyms_change_with_the_key_and_tell_apart_people_born_in_other_months(tmp_path):
    lines = [
        individual("01234567", "a"),
        individual("07654321", "b", date_of_birth={"month": 5, "year": 1988}),
    ]
    path = write_zip(tmp_path, lines)
    first, _ = psc.read_controls([path], KEY)
    other_key, _ = psc.read_controls([path], "z" * 40)

    assert first["controller_id"].n_unique() == 2
    assert set(first["controller_id"]).isdisjoint(set(other_key["controller_id"]))


def test_titles_punctuation_and_case_do_not_make_another_person():
    assert normalised_name("Mr  John-Paul  O'Neill") == "JOHN PAUL O NEILL"
    assert normalised_name("JOHN PAUL O'NEILL") == normalised_name("Dr John Paul O Neill")


def test_a_real_file_without_the_key_is_refused_naming_the_variable(tmp_path):
    path = write_zip(tmp_path, good_lines())
    with pytest.raises(ParseError, match=KEY_VARIABLE) as failure:
        psc.read_controls([path], None)
    assert failure.value.source == "psc"


def test_the_synthetic_sample_is_hashed_with_the_documented_sample_key(tmp_path):
    path = write_zip(tmp_path, good_lines(), comment=psc.SYNTHETIC_MARK + b" - NOT REAL PEOPLE")
    frame, _ = psc.read_controls([path], None)
    expected = pseudonym(SAMPLE_KEY.encode(), person_identity("James Albert Brian", 1988, 4))
    assert frame["controller_id"][0] == expected


def test_a_line_that_is_not_json_fails_naming_its_line(tmp_path):
    path = write_zip(tmp_path, [individual("01234567", "a"), '{"company_number": "0123'])
    with pytest.raises(ParseError, match="line 2 is not JSON") as failure:
        psc.read_controls([path], KEY)
    assert failure.value.row == 2


def test_an_unknown_kind_fails_as_a_changed_layout(tmp_path):
    path = write_zip(tmp_path, [individual("01234567", "a", kind="individual-beneficial-owner")])
    with pytest.raises(ParseError, match="published layout changed"):
        psc.read_controls([path], KEY)


def test_a_malformed_notification_date_fails_naming_line_and_value(tmp_path):
    path = write_zip(
        tmp_path,
        [individual("01234567", "a"), individual("01234568", "b", notified_on="06/04/2016")],
    )
    with pytest.raises(ContractError, match="notified_on '06/04/2016'") as failure:
        psc.read_controls([path], KEY)
    assert failure.value.row == 2


def test_the_same_record_twice_is_refused_as_overlapping_files(tmp_path):
    path = write_zip(tmp_path, [individual("01234567", "a"), individual("01234567", "a")])
    with pytest.raises(ContractError, match="appears at line 1"):
        psc.read_controls([path], KEY)


def test_a_snapshot_with_a_missing_part_is_refused(tmp_path):
    first = write_zip(tmp_path, good_lines(), name="psc-snapshot-2026-11-10_1of3")
    third = write_zip(tmp_path, good_lines(), name="psc-snapshot-2026-11-10_3of3")
    with pytest.raises(ParseError, match=r"part\(s\) \[2\] are missing"):
        psc.read_controls([first, third], KEY)


def test_an_html_page_saved_as_the_zip_is_refused(tmp_path):
    path = tmp_path / f"{SNAPSHOT}.zip"
    path.write_bytes(b"<!DOCTYPE html><html><body>Service unavailable</body></html>")
    with pytest.raises(ParseError, match="HTML page"):
        psc.read_controls([path], KEY)


def test_no_files_give_the_empty_table_of_an_absent_optional_source():
    frame, parsed = psc.read_controls([], None)
    assert frame.is_empty() and frame.columns == psc.COLUMNS and parsed == []


def test_the_newest_snapshot_is_selected_and_the_older_reported(tmp_path):
    old = write_zip(tmp_path, good_lines(), name="psc-snapshot-2026-10-01_1of1")
    new = write_zip(tmp_path, good_lines())
    said: list[str] = []
    assert psc.select_latest_snapshot([old, new], (), said.append) == [new]
    assert "older snapshot (2026-10-01)" in said[0]


def test_quality_suite_passes_the_parsed_snapshot_and_fails_a_name_in_place_of_a_pseudonym(
    tmp_path,
):
    frame, _ = psc.read_controls([write_zip(tmp_path, good_lines())], KEY)
    parameters = psc.suite_parameters()
    suite = "psc__persons_with_significant_control"
    assert run_suite(suite, frame.to_pandas(), parameters).success
    leaked = frame.with_columns(pl.lit("BRIAN, James").alias("controller_id"))
    result = run_suite(suite, leaked.to_pandas(), parameters)
    assert not result.success


def awkward_lines() -> list:
    """Records that exercise every branch of the line parser's reading of a record."""
    return [
        individual("01234567", "a"),
        individual(
            " 02345678 ",
            "b",
            name_elements={"title": "Dr", "forename": "", "surname": "O'Brien-Smith"},
            date_of_birth={"year": 1950},
            address={"postal_code": "   "},
            natures_of_control=[],
        ),
        individual("03456789", "c", name_elements={}, name="MR  Jürgen  Groß", date_of_birth=None),
        individual("04567890", "d", links={}, ceased_on="", address=None),
        corporate("SC123456"),
        corporate("SC123457") | {"data": corporate("x")["data"] | {"identification": {}}},
        {
            "company_number": "05678901",
            "data": {"kind": "super-secure-person-with-significant-control", "name": " "},
        },
        STATEMENT,
        {"company_number": "00000005", "data": {"kind": "exemptions"}},
        TOTALS,
    ]


def test_the_fast_path_reads_every_record_as_the_line_parser_does(tmp_path):
    lines = [json.dumps(line).encode() for line in awkward_lines()]
    block = b"\n".join(lines) + b"\n"
    slow_facts = psc.ParsedFile(psc.empty_frame(), "f.zip", date(2026, 11, 10), 0)
    slow = psc._parse_lines(lines, 7, "f.zip", date(2026, 11, 10), KEY.encode(), slow_facts)
    fast = psc._read_block(block, 7, len(lines), "f.zip", date(2026, 11, 10), KEY.encode())

    assert fast is not None
    assert fast.frame.equals(slow)
    fast_facts = psc.ParsedFile(psc.empty_frame(), "f.zip", date(2026, 11, 10), 0)
    fast.count_into(fast_facts, block)
    assert (fast_facts.other_kinds, fast_facts.totals) == (
        slow_facts.other_kinds,
        slow_facts.totals,
    )


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ('{"company_number": "0123', ParseError, "line 5 is not JSON"),
        (individual("", "x"), ParseError, "line 5 has no company_number"),
        (
            individual("07777777", "x", notified_on="2016-02-30"),
            ContractError,
            "line 5: notified_on",
        ),
        (individual("07777777", "x", name_elements={}, name=""), ParseError, "line 5: an individ"),
    ],
)
def test_a_bad_line_past_the_first_block_is_named_by_its_line_in_the_file(
    tmp_path, monkeypatch, bad, error, message
):
    monkeypatch.setattr(psc, "_BLOCK_BYTES", 700)  # about two records a block
    lines = [individual(f"0123456{i}", str(i)) for i in range(4)] + [bad, TOTALS]
    with pytest.raises(error, match=message) as failure:
        psc.read_controls([write_zip(tmp_path, lines)], KEY)
    assert failure.value.row == 5


def test_blocks_split_the_file_at_line_ends_and_number_their_first_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(psc, "_BLOCK_BYTES", 700)
    path = write_zip(tmp_path, [individual(f"0123456{i}", str(i)) for i in range(6)] + [TOTALS])
    frame, parsed = psc.read_controls([path], KEY)
    assert frame["_source_row"].to_list() == [1, 2, 3, 4, 5, 6]
    assert parsed[0].lines == 7 and parsed[0].totals is not None
