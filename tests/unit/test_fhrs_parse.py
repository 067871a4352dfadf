"""The FHRS parser on the real published files and on each kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.sources import fhrs
from heyrick_dagster.sources.errors import ContractError, ParseError
from tests.conftest import FIXTURES

FHRS_FIXTURES = FIXTURES / "fhrs"


def _count_records(path: Path) -> int:
    return len(re.findall(rb"<EstablishmentDetail>", path.read_bytes()))


@pytest.mark.real_data
def test_real_files_parse_pass_the_contract_and_keep_every_establishment(shared_data):
    files = sorted((shared_data / "fhrs").glob("FHRS*.xml"))
    assert len(files) == 5
    frame, parsed = fhrs.parse_files(files)
    for path, item in zip(files, parsed, strict=True):
        assert item.frame.height == _count_records(path) == item.item_count
        assert item.unknown_fields == {}, "every published field of the 2020 files is mapped"
    assert frame.height == sum(_count_records(p) for p in files)
    assert frame["fhrsid"].n_unique() == frame.height
    assert frame.schema["rating_date"] == pl.Date
    assert frame.schema["latitude"] == pl.Float64
    # Facts of the real files (PROVENANCE.md): optional elements are left out.
    assert frame["postcode"].null_count() > 0
    assert frame["latitude"].null_count() > 0


@pytest.mark.real_data
def test_real_history_files_parse(shared_data):
    files = sorted((shared_data / "fhrs" / "history").rglob("FHRS*.xml"))
    assert files, "the history folder has files"
    frame, parsed = fhrs.parse_files(files)
    assert frame.height == sum(p.item_count for p in parsed)


def test_good_fixture_keeps_published_values_and_types():
    frame, _ = fhrs.parse_files([FHRS_FIXTURES / "good_FHRS523en-GB.xml"])
    rows = {r["fhrsid"]: r for r in frame.iter_rows(named=True)}
    assert rows[100001]["postcode"] == "se136jg"  # raw keeps the published mess
    assert rows[100002]["business_name"] == "Lee Food & Wine"
    assert rows[100003]["postcode"] is None and rows[100003]["rating_date"] is None
    assert rows[100003]["score_hygiene"] is None and rows[100003]["latitude"] is None
    assert rows[100004]["rating_key"] == "fhrs_3_cy-GB"
    assert rows[100001]["score_confidence_in_management"] == 10
    assert rows[100001]["new_rating_pending"] is False
    assert [r["_source_row"] for r in frame.iter_rows(named=True)] == [1, 2, 3, 4]
    assert str(frame["_vintage"][0]) == "2026-11-20"


@pytest.mark.parametrize(
    ("fixture", "error", "message", "row"),
    [
        ("bad_truncated.xml", ParseError, r"ends early \(truncated\)", 2),
        ("bad_html_error_page.xml", ParseError, r"HTML page, not FHRS XML", None),
        ("bad_wrong_root.xml", ParseError, r"root element is <EstablishmentList>", None),
        ("bad_missing_fhrsid.xml", ParseError, r"establishment 3 has no FHRSID", 3),
        ("bad_cp1252.xml", ParseError, r"not UTF-8 .*Windows-1252", 2),
        ("bad_empty.xml", ParseError, r"empty \(0 bytes\)", None),
        ("bad_item_count.xml", ParseError, r"ItemCount is 7 but the file holds 4", 5),
        ("bad_not_a_number.xml", ContractError, r"business_type_id are not Int64.*'four'", 2),
    ],
)
def test_parse_fails_naming_source_file_and_row(fixture, error, message, row):
    path = FHRS_FIXTURES / fixture
    with pytest.raises(error) as caught:
        fhrs.parse_files([path])
    exc = caught.value
    assert exc.source == "fhrs"
    assert exc.file == str(path)
    assert exc.row == row
    assert re.search(message, str(exc)), str(exc)
    assert str(exc).startswith(f"[source fhrs, file {path}")


def test_parse_fails_with_record_number_when_a_real_file_is_truncated(shared_data, tmp_path):
    original = shared_data / "fhrs" / "FHRS523en-GB.xml"
    cut = tmp_path / original.name
    data = original.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match=r"truncated") as caught:
        fhrs.parse_file(cut)
    # About half of the 2,411 establishments precede the cut.
    assert 1000 < caught.value.row < 1400


def test_contract_rejects_a_score_out_of_range(tmp_path):
    text = (FHRS_FIXTURES / "good_FHRS523en-GB.xml").read_text()
    bad = tmp_path / "FHRS523en-GB.xml"
    bad.write_text(text.replace("<Hygiene>5</Hygiene>", "<Hygiene>55</Hygiene>", 1))
    with pytest.raises(ContractError, match=r"score_hygiene") as caught:
        fhrs.parse_files([bad])
    assert caught.value.row == 1
    assert caught.value.failures[0]["fhrsid"] == 100001


def test_unknown_published_fields_are_counted_not_dropped_silently(tmp_path):
    text = (FHRS_FIXTURES / "good_FHRS523en-GB.xml").read_text()
    newer = tmp_path / "FHRS523en-GB.xml"
    newer.write_text(text.replace("<SchemeType>", "<Phone>020 0000 0000</Phone><SchemeType>", 2))
    parsed = fhrs.parse_file(newer)
    assert parsed.unknown_fields == {"Phone": 2}


def test_parse_fails_naming_the_file_when_the_header_is_malformed(tmp_path):
    text = (FHRS_FIXTURES / "good_FHRS523en-GB.xml").read_text()
    bad = tmp_path / "FHRS523en-GB.xml"
    bad.write_text(text.replace("<ItemCount>4</ItemCount>", "<ItemCount>four</ItemCount>"))
    with pytest.raises(ParseError, match=r"<Header> is malformed: ItemCount 'four'") as caught:
        fhrs.parse_file(bad)
    assert caught.value.file == str(bad)


def test_file_selection_reports_every_file_it_leaves_out_and_why():
    names = [
        "FHRS551cy-GB.xml",  # Welsh copy of an authority whose English file is there
        "FHRS551en-GB.xml",
        "FHRS523en-GB (1).xml",  # a browser's second download
        "FHRS523en-GB.xml",
        "FHRS525en-GB.xml",
    ]
    paths = [Path("/in") / n for n in names]
    seen: list[str] = []
    chosen = fhrs.select_in_scope(paths, ("523", "551"), seen.append)
    assert [p.name for p in chosen] == ["FHRS523en-GB.xml", "FHRS551en-GB.xml"]
    assert seen == [
        "fhrs: ignored FHRS523en-GB (1).xml: not named like an authority file "
        "FHRS<code>en-GB.xml",
        "fhrs: ignored FHRS551cy-GB.xml: another language copy of authority 551, whose "
        "FHRS551en-GB.xml is read",
        "fhrs: ignored 1 authority file(s) not in HEYRICK_AREAS (codes ['525'])",
    ]


def test_file_selection_without_areas_keeps_one_file_per_authority_and_logs_the_rest(caplog):
    paths = [Path("/in/FHRS551cy-GB.xml"), Path("/in/FHRS551en-GB.xml"), Path("/in/notes.xml")]
    with caplog.at_level("INFO", logger="heyrick_dagster.sources.fhrs"):
        assert fhrs.select_in_scope(paths, ()) == [Path("/in/FHRS551en-GB.xml")]
    assert [r.getMessage().split(":")[1].strip() for r in caplog.records] == [
        "ignored FHRS551cy-GB.xml",
        "ignored notes.xml",
    ]
