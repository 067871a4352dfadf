"""Earlier FHRS copies: the sample writes what each copy showed on its day, and the
connector reads any number of copies, one per authority and day."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import polars as pl
import pytest

from heyrick_dagster.sample.world import SCHEMAS
from heyrick_dagster.sample.writers import fhrs_history as writer
from heyrick_dagster.sources import fhrs, fhrs_history, fhrs_history_fast, raw_store
from heyrick_dagster.sources.errors import ContractError, ParseError
from tests.conftest import FIXTURES

GOOD = FIXTURES / "fhrs" / "good_FHRS523en-GB.xml"


def _premises(**values) -> dict:
    row = dict.fromkeys(SCHEMAS["premises"])
    return row | {"fhrsid": "1", "fsa_code": "523", "business_name": "Golden Fry"} | values


def test_a_copy_shows_each_premises_latest_inspection_dated_by_its_day():
    premises = pl.DataFrame(
        [
            _premises(
                fhrsid="1",
                rating_value="2",
                rating_key="fhrs_2_en-GB",
                rating_date=date(2025, 6, 1),
                score_hygiene=15,
            ),
            _premises(
                fhrsid="2",
                rating_value="5",
                rating_key="fhrs_5_en-GB",
                rating_date=date(2025, 6, 1),
            ),
            _premises(
                fhrsid="3",
                rating_value="Pass",
                rating_key="fhis_pass_en-GB",
                rating_date=date(2025, 6, 1),
            ),
        ],
        schema=SCHEMAS["premises"],
    )
    inspections = pl.DataFrame(
        [
            ("1", date(2023, 2, 1), "5", "fhrs_5_en-GB", 0, 0, 0),
            ("1", date(2021, 2, 1), "4", "fhrs_4_en-GB", 5, 5, 10),
        ],
        schema=SCHEMAS["inspections"],
        orient="row",
    )
    copy = writer.as_of(premises, inspections, date(2024, 1, 1)).sort("fhrsid")

    assert copy["fhrsid"].to_list() == ["1", "2"], "FHIS premises are not in FHRS copies"
    assert copy.row(0, named=True)["rating_value"] == "5"
    assert copy.row(0, named=True)["rating_date"] == date(2023, 2, 1)
    assert copy.row(1, named=True)["rating_value"] == "AwaitingInspection"
    assert copy.row(1, named=True)["rating_key"] == "fhrs_awaitinginspection_en-GB"
    assert copy.row(1, named=True)["rating_date"] is None


def test_copies_are_read_in_date_order_with_the_rating_fields_only(tmp_path):
    first = tmp_path / "FHRS523en-GB_2020-11-14.xml"
    shutil.copyfile(GOOD, first)
    frame, notes = fhrs_history.read_copies([first])

    assert frame.columns == fhrs_history.COLUMNS
    assert frame.height > 0 and frame["_vintage"].n_unique() == 1
    extract = frame["_vintage"][0]  # the fixture's ExtractDate, not the name's date
    assert notes == [f"1 copies of 1 authorities' files, dated {extract} to {extract}"]


def test_two_copies_of_one_authority_on_one_day_are_refused(tmp_path):
    first = tmp_path / "FHRS523en-GB_a.xml"
    second = tmp_path / "FHRS523en-GB_b.xml"
    shutil.copyfile(GOOD, first)
    shutil.copyfile(GOOD, second)
    with pytest.raises(ParseError, match="a second copy of authority 523"):
        fhrs_history.read_copies([first, second])


def test_no_copies_give_the_empty_table_of_an_absent_optional_source():
    frame, notes = fhrs_history.read_copies([])
    assert frame.is_empty() and frame.columns == fhrs_history.COLUMNS and notes == []


def test_real_copies_of_lewisham_are_read_and_dated_by_their_extract_dates(shared_data, tmp_path):
    copies = []
    for day in ("2020-08-08", "2020-09-26"):
        copy = tmp_path / f"FHRS523en-GB_{day}.xml"
        shutil.copyfile(shared_data / "fhrs" / "history" / day / "FHRS523en-GB.xml", copy)
        copies.append(copy)
    frame, _ = fhrs_history.read_copies(copies)

    # Establishment counts as PROVENANCE.md gives them (the header's ItemCount).
    counts = dict(frame.group_by("_vintage").len().iter_rows())
    assert counts == {date(2020, 8, 8): 2206, date(2020, 9, 26): 2112}
    assert frame.filter(pl.col("rating_date") > pl.col("_vintage")).is_empty()


def test_live_mode_takes_the_fhrs_files_of_the_raw_stores_earlier_vintages(make_settings, tmp_path):
    settings = make_settings(mode="live")
    today = datetime.now(UTC).date().isoformat()
    published = tmp_path / "FHRS523en-GB.xml"  # the name the FHRS source stores it under
    shutil.copyfile(GOOD, published)
    for vintage in ("2026-01-05", "2026-02-05", today):
        raw_store.copy_in(published, settings.raw_dir, "fhrs", vintage)
    folder = raw_store.vintage_dir(settings.raw_dir, fhrs_history.SOURCE, today)

    kept = fhrs_history.fetch_live(settings, folder, None)

    names = sorted(f.path.name for f in kept)
    assert names == ["FHRS523en-GB_2026-01-05.xml", "FHRS523en-GB_2026-02-05.xml"]
    assert all(f.path.read_bytes() == GOOD.read_bytes() for f in kept)


def _ratings_by_the_fhrs_parser(path) -> pl.DataFrame:
    return fhrs.parse_file(path).frame.select(fhrs_history.COLUMNS)


def _variant(tmp_path, name: str, old: str, new: str):
    path = tmp_path / f"FHRS523en-GB_{name}.xml"
    text = GOOD.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<RatingValue>4</RatingValue>", "<RatingValue><![CDATA[4]]></RatingValue>"),
        (
            "<RatingValue>4</RatingValue>",
            "<RatingValue>4</RatingValue><RatingValue>5</RatingValue>",
        ),
        ("<RatingKey>fhrs_4_en-GB</RatingKey>", "<RatingKey> fhrs_4_&amp;_en-GB </RatingKey>"),
        ("<RatingDate>2024-03-09</RatingDate>", "<RatingDate xsi:nil='true' />"),
        ("<Scores><Hygiene>5</Hygiene>", "<Hygiene>20</Hygiene><Scores><Hygiene>5</Hygiene>"),
    ],
)
def test_the_fast_reading_reads_each_rating_field_as_the_fhrs_parser_does(tmp_path, old, new):
    path = _variant(tmp_path, "x", old, new)
    fast = fhrs_history_fast.read(path, fhrs_history.FIELDS)
    assert fast is not None
    frame, _ = fhrs_history.read_copies([path])
    assert frame.equals(_ratings_by_the_fhrs_parser(path))


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("<RatingValue>4</RatingValue>", "<Ratingvalue>4</Ratingvalue>", "renamed <RatingValue>"),
        ("<ItemCount>4</ItemCount>", "<ItemCount>5</ItemCount>", "ItemCount is 5"),
        ("<FHRSID>100001</FHRSID>", "", "establishment 1 has no FHRSID"),
        ("</EstablishmentCollection></FHRSEstablishment>", "", "ends early"),
    ],
)
def test_a_file_the_fast_reading_is_unsure_of_is_left_to_the_fhrs_parser_which_names_it(
    tmp_path, old, new, error
):
    path = _variant(tmp_path, "x", old, new)
    assert fhrs_history_fast.read(path, fhrs_history.FIELDS) is None
    with pytest.raises(ParseError, match=error):
        fhrs_history.read_copies([path])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<RatingValue>4</RatingValue>", "<RatingValue>4<!-- was 3 --></RatingValue>"),
        ("<RatingValue>4</RatingValue>", "<RatingValue>4</RatingValue><?note x?>"),
        ("<RatingValue>4</RatingValue>", "<r:RatingValue xmlns:r='urn:x'>4</r:RatingValue>"),
        ("<EstablishmentCollection>", "<EstablishmentCollection><Note>x</Note>"),
    ],
)
def test_a_collection_holding_a_node_the_fast_reading_does_not_map_is_read_by_the_fhrs_parser(
    tmp_path, old, new
):
    path = _variant(tmp_path, "x", old, new)
    assert fhrs_history_fast.read(path, fhrs_history.FIELDS) is None
    frame, _ = fhrs_history.read_copies([path])
    assert frame.equals(_ratings_by_the_fhrs_parser(path))


def test_copies_read_on_several_threads_are_those_read_one_at_a_time(tmp_path, monkeypatch):
    days = [f"20{y}-0{m}-01" for y in range(18, 26) for m in (1, 7)]
    paths = [
        _variant(tmp_path, day, "<ExtractDate>2026-11-20", f"<ExtractDate>{day}") for day in days
    ]
    together, _ = fhrs_history.read_copies(paths[::-1])
    monkeypatch.setattr(fhrs_history, "_READERS", 1)
    alone, _ = fhrs_history.read_copies(paths)
    assert together.equals(alone)
    assert together["_source_file"].unique(maintain_order=True).to_list() == [str(p) for p in paths]


def test_a_score_that_is_not_a_number_is_refused_naming_its_file_and_row(tmp_path):
    good = _variant(tmp_path, "2020-01-01", "<ExtractDate>2026-11-20", "<ExtractDate>2020-01-01")
    bad = _variant(
        tmp_path, "2021-01-01", "<Structural>5</Structural>", "<Structural>x</Structural>"
    )
    with pytest.raises(ContractError, match="score_structural") as failure:
        fhrs_history.read_copies([good, bad])
    assert failure.value.file == str(bad) and failure.value.row == 1


def test_the_fast_reading_gives_what_the_fhrs_parser_gives_on_real_files(shared_data):
    for path in sorted((shared_data / "fhrs").rglob("FHRS*.xml")):
        fast = fhrs_history_fast.read(path, fhrs_history.FIELDS)
        assert fast is not None, path
        expected = _ratings_by_the_fhrs_parser(path).with_columns(
            pl.col(c).cast(pl.String) for c in ("fhrsid", "rating_date", "score_hygiene")
        )
        assert fast.frame.select(expected.columns).cast(expected.schema).equals(expected), path
