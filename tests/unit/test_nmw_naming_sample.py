"""The SYNTHETIC NMW naming sample writer: official layouts that the parser reads back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
from heyrick_dagster.sample.writers import nmw_naming as writer
from heyrick_dagster.sources import nmw_naming

SEED = 20261127


def _event(period: str, n: int, day: date, party: str, **extra) -> dict:
    row = {
        "event_id": f"E-{period}-{n}",
        "entity_id": extra.pop("entity_id", f"B{n:06d}"),
        "source": "nmw_naming",
        "record_id": f"{period}#{n}",
        "period": period,
        "event_date": day,
        "liable_party": party,
        "trading_name": None,
        "address": "12 High Street, Catford, Greater London",
        "postcode": "SE6 4AB",
        "amount_gbp": 1234.56,
        "workers": 3,
    }
    return row | extra


EVENTS = [
    # Listed out of order on purpose: the writer must follow record_id.
    _event(
        "2015-R1",
        2,
        date(2015, 3, 24),
        "MAKIN, Sharon",
        trading_name="Clever Clowns",
        amount_gbp=10572.08,
        workers=6,
    ),
    _event(
        "2015-R1",
        1,
        date(2015, 3, 24),
        "NORTHGATE VENUES LTD",
        trading_name="Lantern Grill",
        amount_gbp=45124.0,
        workers=2895,
    ),
    _event(
        "2015-R1",
        3,
        date(2015, 3, 24),
        "Kestrel & Finch Limited",
        address=None,
        entity_id="B000042",
        amount_gbp=512.8,
        workers=1,
    ),
    _event(
        "2024-R1",
        1,
        date(2024, 2, 20),
        "HARBOUR PIZZA LTD",
        trading_name="Harbour Pizza",
        amount_gbp=1204.5,
        workers=1,
    ),
    _event(
        "2024-R1",
        2,
        date(2024, 2, 20),
        "Oakfield Stores Limited",
        trading_name="Oakfield",
        postcode=None,
        amount_gbp=98765.43,
        workers=1204,
    ),
    # Another source's events are not this writer's business.
    _event("2024Q3", 1, date(2024, 9, 1), "Other Ltd", source="illegal_working"),
]


def tiny_world(events: list[dict] = EVENTS, seed: int = SEED) -> World:
    tables = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
    tables["events"] = pl.DataFrame(events, schema=SCHEMAS["events"], orient="row")
    tables["authorities"] = pl.DataFrame(
        [
            {
                "fsa_code": "523",
                "name": "Lewisham",
                "gss_code": "E09000023",
                "country": "England",
                "region": "London",
                "county": "Greater London",
                "pfa_code": "E23000001",
                "pfa_name": "Metropolitan Police",
                "enforcement_intensity": 1.0,
            }
        ],
        schema=SCHEMAS["authorities"],
    )
    tables["businesses"] = pl.DataFrame(
        [
            {
                "entity_id": "B000042",
                "sector": "hot_food_takeaway",
                "trading_name": "Kestrel Kebabs",
                "legal_form": "company",
                "gss_code": "E09000023",
                "n_premises": 1,
                "phoenix": False,
                "recent_incorporation": False,
                "shared_officers": False,
                "exploitation_propensity": 0.5,
                "exploitative": True,
            }
        ],
        schema=SCHEMAS["businesses"],
    )
    world = World(seed=seed, scale="small", extract_date="2026-11-20", tables=tables)
    validate_world(world)
    return world


@pytest.fixture
def written(tmp_path) -> list[Path]:
    return writer.write(tiny_world(), tmp_path)


def test_older_rounds_are_html_lines_and_newer_rounds_csv_tables(written, tmp_path):
    assert [p.name for p in written] == [
        "2015-R1_2015-03-24_employers-named.html",
        "2024-R1_2024-02-20_employers-named.csv",
    ]
    assert all(p.parent == tmp_path / "nmw_naming" for p in written)
    page = written[0].read_text(encoding="utf-8")
    assert "neglected to pay £45,124.00 to 2895 workers" in page  # 2015 wording
    csv_text = written[1].read_text(encoding="utf-8-sig")
    assert "Employer name,Trading name,Location,Postcode,Arrears (£),Number of workers" in csv_text


def test_every_file_says_it_is_synthetic(written):
    for path in written:
        assert "SYNTHETIC" in path.read_text(encoding="utf-8-sig")


def test_parser_reads_back_every_record_with_the_worlds_record_ids(written):
    frame, _ = nmw_naming.parse_files(written)
    truth = (
        pl.DataFrame(EVENTS, schema=SCHEMAS["events"], orient="row")
        .filter(pl.col("source") == "nmw_naming")
        .sort("record_id")
    )
    frame = frame.sort("record_id")
    assert frame["record_id"].to_list() == truth["record_id"].to_list()
    assert frame["round_date"].to_list() == truth["event_date"].to_list()
    assert frame["arrears_gbp"].to_list() == [Decimal(f"{a:.2f}") for a in truth["amount_gbp"]]
    assert frame["workers"].to_list() == truth["workers"].to_list()
    by_id = {r["record_id"]: r for r in frame.iter_rows(named=True)}
    assert by_id["2015-R1#1"]["employer_name"] == "Northgate Venues Ltd"  # lists use title case
    assert by_id["2015-R1#1"]["trading_name"] == "Lantern Grill"
    assert by_id["2015-R1#2"]["employer_name"] == "Sharon Makin"  # people as the lists name them
    assert by_id["2015-R1#1"]["location"] == "Catford"
    assert by_id["2015-R1#3"]["location"] == "Lewisham"  # no address: the authority's name
    assert by_id["2024-R1#1"]["postcode"] == "SE6"  # the 2020s lists give the district
    assert by_id["2024-R1#2"]["postcode"] is None
    assert by_id["2024-R1#2"]["employer_name"] == "Oakfield Stores Limited"


def test_same_seed_gives_identical_files_and_another_seed_other_noise(tmp_path):
    first = [p.read_bytes() for p in writer.write(tiny_world(), tmp_path / "a")]
    again = [p.read_bytes() for p in writer.write(tiny_world(), tmp_path / "b")]
    assert first == again
    many = [
        _event("2016-R1", n, date(2016, 8, 11), f"Company {n} Ltd", trading_name=f"Shop {n}")
        for n in range(1, 41)
    ]
    one = writer.write(tiny_world(many, seed=1), tmp_path / "c")[0].read_bytes()
    two = writer.write(tiny_world(many, seed=2), tmp_path / "d")[0].read_bytes()
    assert one != two


def test_noise_of_the_real_lists_is_present_and_still_parsed(tmp_path):
    many = [
        _event(
            "2016-R1",
            n,
            date(2016, 8, 11),
            f"Company {n} Ltd",
            trading_name=f"Shop {n}",
            workers=1 if n % 2 else 5,
        )
        for n in range(1, 81)
    ]
    path = writer.write(tiny_world(many), tmp_path)[0]
    text = path.read_text(encoding="utf-8")
    assert "(ceased trading)" in text and "to a worker" in text and " trading as " in text
    frame, _ = nmw_naming.parse_files([path])
    assert frame.height == 80 and frame["ceased_trading"].any()
    assert frame["employer_name"].str.contains("ceased").sum() == 0
    assert frame["trading_name"].to_list() == [f"Shop {n}" for n in range(1, 81)]


def test_a_round_whose_record_ids_skip_a_number_is_refused(tmp_path):
    gap = [
        _event("2015-R1", 1, date(2015, 3, 24), "A Ltd"),
        _event("2015-R1", 3, date(2015, 3, 24), "B Ltd"),
    ]
    with pytest.raises(ValueError, match=r"round 2015-R1: record ids must number"):
        writer.write(tiny_world(gap), tmp_path)


def test_a_world_without_naming_events_writes_no_files(tmp_path):
    assert writer.write(tiny_world([]), tmp_path) == []
