"""The illegal-working sample writer: GOV.UK-style pages that the parser reads back to
the world's records, keys and amounts, with the published noise."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.quality import gx_runner
from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
from heyrick_dagster.sample.writers import illegal_working as writer
from heyrick_dagster.sources import illegal_working as iw

SEED = 424242
EXTRACT = "2026-11-20"


def _table(name: str, rows: list[dict]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def _event(n: int, period: str, entity: str, postcode: str | None, amount: float, **kw) -> dict:
    return {
        "event_id": f"E{period}{n}",
        "entity_id": entity,
        "source": "illegal_working",
        "record_id": f"{period}#{n}",
        "period": period,
        "event_date": date(int(period[:4]), 2, 10),
        "liable_party": kw.get("liable_party", f"Example {n} Ltd"),
        "trading_name": kw.get("trading_name", f"Example {n} Kebab"),
        "address": kw.get("address", f"{n} Test Road, Testtown, Testshire"),
        "postcode": postcode,
        "amount_gbp": amount,
        "workers": 1,
    }


def make_world(events: list[dict], seed: int = SEED) -> World:
    """A tiny world: two authorities in two regions, their businesses and postcodes."""
    authorities = [
        {
            "fsa_code": "523",
            "name": "Lewisham",
            "gss_code": "E09000023",
            "country": "England",
            "region": "London",
            "county": "Greater London",
        },
        {
            "fsa_code": "416",
            "name": "Rochdale",
            "gss_code": "E08000005",
            "country": "England",
            "region": "North West",
            "county": "Greater Manchester",
        },
    ]
    businesses = [
        {"entity_id": "B1", "gss_code": "E09000023"},
        {"entity_id": "B2", "gss_code": "E08000005"},
    ]
    postcodes = [{"postcode": "OL16 9ZZ", "gss_code": "E08000005"}]
    tables = {name: _table(name, []) for name in SCHEMAS}
    tables |= {
        "authorities": _table("authorities", authorities),
        "businesses": _table("businesses", businesses),
        "postcodes": _table("postcodes", postcodes),
        "events": _table("events", events),
    }
    world = World(seed=seed, scale="small", extract_date=EXTRACT, tables=tables)
    validate_world(world)
    return world


EVENTS = [
    _event(
        1,
        "2024Q3",
        "B1",
        "SE13 9ZZ",
        45000.0,
        liable_party="Harrow & Vine Ltd",
        trading_name="Harrow & Vine Food & Wine",
    ),
    _event(2, "2024Q3", "B1", None, 60000.0),
    _event(
        3,
        "2024Q3",
        "B2",
        "OL16 9ZZ",
        20000.0,
        liable_party="Same Name Ltd",
        trading_name="Same Name Ltd",
    ),
    _event(4, "2024Q3", "B1", "SE4 9ZZ", 15000.0, address="4 Test Road, Lewisham, London"),
    # Q4: one business unknown to the world but with a known postcode, one with neither.
    _event(1, "2024Q4", "B9", "OL16 9ZZ", 1250.0),
    _event(2, "2024Q4", "B8", "ZZ1 1ZZ", 280000.0, trading_name=None),
    {**_event(1, "2024-R1", "B1", "SE13 9ZZ", 1234.56), "source": "nmw_naming"},
]


def _canonical(postcode: str | None) -> str | None:
    if not postcode:
        return None
    compact = re.sub(r"[^A-Za-z0-9]", "", postcode).upper()
    return f"{compact[:-3]} {compact[-3:]}"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[list[Path], pl.DataFrame]:
    out = tmp_path_factory.mktemp("sample")
    paths = writer.write(make_world(EVENTS), out)
    frame, _ = iw.parse_files(paths)
    return paths, frame


def test_writer_writes_one_page_per_period_under_the_source_folder(written, tmp_path):
    paths, _ = written
    assert [p.name for p in paths] == [
        "illegal-working-civil-penalties-2024Q3.html",
        "illegal-working-civil-penalties-2024Q4.html",
    ]
    assert all(p.parent.name == "illegal_working" for p in paths)


def test_parser_reads_the_pages_back_to_the_worlds_records(written):
    _, frame = written
    truth = _table("events", EVENTS).filter(pl.col("source") == "illegal_working")
    rows = {r["record_id"]: r for r in frame.iter_rows(named=True)}
    assert frame["record_id"].to_list() == truth["record_id"].to_list()
    for event in truth.iter_rows(named=True):
        row = rows[event["record_id"]]
        assert row["period"] == event["period"]
        assert row["liable_party"] == event["liable_party"]
        assert row["trading_name"] == event["trading_name"]
        assert row["address"] == event["address"]
        assert _canonical(row["postcode"]) == event["postcode"]
        assert row["penalty_gbp"] == round(event["amount_gbp"])
        assert row["illegal_workers"] is None  # the five-column format does not give it


def test_regions_come_from_the_business_then_the_postcode(written):
    _, frame = written
    regions = dict(zip(frame["record_id"], frame["region"], strict=True))
    assert [regions[f"2024Q3#{n}"] for n in (1, 2, 3, 4)] == [
        "London",
        "London",
        "North West",
        "London",
    ]
    assert regions["2024Q4#1"] == "North West"  # business unknown, postcode known
    assert regions["2024Q4#2"] == writer.UNKNOWN_REGION


def test_a_region_heading_repeats_when_the_record_order_returns_to_it(written):
    page = written[0][0].read_text(encoding="utf-8")
    assert re.findall(r"<h2>([^<]+)</h2>", page) == ["London", "North West", "London"]


def test_pages_look_like_the_gov_uk_publication_and_say_they_are_synthetic(written):
    page = written[0][0].read_text(encoding="utf-8")
    assert "SYNTHETIC" in page
    assert (
        '<h1 class="gem-c-title__text">Illegal working civil penalties for UK employers: '
        "1 July to 30 September 2024</h1>" in page
    )
    assert "Published 14 November 2024" in page  # 45 days after the quarter
    visible = page.replace("\u200b", "")
    assert "<td>£45,000</td>" in visible and "<td>£280,000</td>" not in visible
    assert '<th scope="col">Penalty (£)</th>' in page
    assert "Harrow &amp; Vine Food &amp; Wine" in page


def test_vintage_is_the_published_date_never_after_the_worlds_extract(tmp_path):
    late = [_event(1, "2026Q4", "B1", "SE13 9ZZ", 45000.0)]
    path = writer.write(make_world(late), tmp_path)[0]
    frame, _ = iw.parse_files([path])
    assert frame["_vintage"].to_list() == [date.fromisoformat(EXTRACT)]


def test_writer_is_deterministic_for_a_seed(tmp_path):
    first = writer.write(make_world(EVENTS), tmp_path / "a")
    second = writer.write(make_world(EVENTS), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_noise_appears_at_scale_and_the_parser_absorbs_it(tmp_path):
    many = [
        _event(
            n,
            "2025Q1",
            "B1" if n % 2 else "B2",
            f"SE{n % 20 + 1} {n % 9 + 1}ZZ",
            float(5000 * (n % 40 + 1)),
        )
        for n in range(1, 301)
    ]
    path = writer.write(make_world(many), tmp_path)[0]
    page = path.read_text(encoding="utf-8")
    assert page.count("\u200b") >= 10
    frame, _ = iw.parse_files([path])
    published = frame["postcode"].to_list()
    truth = [e["postcode"] for e in many]
    assert sum(p != t for p, t in zip(published, truth, strict=True)) >= 5, "messy postcodes"
    assert [_canonical(p) for p in published] == truth
    assert frame["penalty_gbp"].to_list() == [round(e["amount_gbp"]) for e in many]


def test_pages_pass_the_raw_quality_gate(written):
    _, frame = written
    outcome = gx_runner.run_suite(
        "illegal_working__penalties", frame.to_pandas(), {"today": date(2026, 11, 27)}
    )
    assert outcome.success, outcome.to_markdown()


def test_writer_refuses_record_ids_that_are_not_page_positions(tmp_path):
    gap = [_event(1, "2024Q3", "B1", None, 1.0), _event(3, "2024Q3", "B1", None, 1.0)]
    with pytest.raises(ValueError, match=r"record_ids 2024Q3#1\.\.2"):
        writer.write(make_world(gap), tmp_path)


def test_a_world_without_penalties_writes_no_page(tmp_path):
    assert writer.write(make_world([]), tmp_path) == []
