"""The Companies House sample writer: official layout, noise, and a faithful round trip."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.quality.gx_runner import run_suite
from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
from heyrick_dagster.sample.writers import companies_house as writer
from heyrick_dagster.sources import companies_house as ch
from heyrick_dagster.sources.acquire import acquire

EXTRACT = "2026-11-20"
FOOD_CODES = ["56103", "56101", "47110", "56102", "47250", "10710"]
OTHER_CODES = ["68209", "70229", "62020", "96020", "12345"]  # 12345 is not in SIC_TEXT
STATUSES = ["Active"] * 8 + ["Active - Proposal to Strike off", "Liquidation", "Dissolved"]
AUTHORITIES = [
    ("523", "Lewisham", "E09000023", "England", "London", "Greater London", "SE"),
    ("556", "Cardiff", "W06000015", "Wales", "Wales", "South Glamorgan", "CF"),
]


def _postcode(area: str, n: int) -> str:
    return f"{area}{n % 20 + 1} {n % 9 + 1}{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}{'ABDEFGHJ'[n % 8]}"


def tiny_world(n_companies: int = 400, seed: int = 7) -> World:
    """Every table of the world contract; only the ones this writer reads have rows."""
    tables = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
    tables["authorities"] = pl.DataFrame(
        [
            (code, name, gss, country, region, county, "E23000001", "Police", 1.0)
            for code, name, gss, country, region, county, _ in AUTHORITIES
        ],
        schema=SCHEMAS["authorities"],
        orient="row",
    )
    postcodes, businesses, companies = [], [], []
    for i in range(n_companies):
        _, _, gss, _, _, _, area = AUTHORITIES[i % 2]
        postcode = _postcode(area, i)
        postcodes.append(
            (postcode, "E01000001", gss, "E23000001", 51.4, -0.01, date(1990, 1, 1), None, 0)
        )
        entity = f"B{i:06d}" if i % 2 == 0 else None
        if entity:
            businesses.append(
                (
                    entity,
                    "hot_food_takeaway",
                    f"Golden Fry {i}",
                    "company",
                    gss,
                    1,
                    False,
                    False,
                    False,
                    0.1,
                    False,
                )
            )
        codes = [FOOD_CODES[i % len(FOOD_CODES)]] if entity else [OTHER_CODES[i % 5]]
        if i % 7 == 0:
            codes.append(OTHER_CODES[(i + 1) % 5])
        if i % 50 == 3:
            codes = []
        incorporated = date(2000, 2, 29) + timedelta(days=37 * i)
        if incorporated > date(2026, 11, 1):
            incorporated = date(2026, 10, 1)
        prefix = "SC" if i % 10 == 5 else ""
        number = f"{prefix}{i + 1000:0{8 - len(prefix)}d}"
        companies.append(
            (
                number,
                f"COMPANY {i} FOODS LTD",
                entity,
                "Private Limited Company",
                STATUSES[i % len(STATUSES)],
                incorporated,
                None,
                f"{i} HIGH STREET",
                None if i % 3 else "LEE",
                "LONDON",
                postcode,
                i % 4 == 0,
                codes,
                None,
            )
        )
    tables["postcodes"] = pl.DataFrame(postcodes, schema=SCHEMAS["postcodes"], orient="row")
    tables["businesses"] = pl.DataFrame(businesses, schema=SCHEMAS["businesses"], orient="row")
    tables["companies"] = pl.DataFrame(companies, schema=SCHEMAS["companies"], orient="row")
    world = World(seed=seed, scale="small", extract_date=EXTRACT, tables=tables)
    validate_world(world)
    return world


@pytest.fixture(scope="module")
def world() -> World:
    return tiny_world()


@pytest.fixture(scope="module")
def written(world, tmp_path_factory) -> Path:
    [path] = writer.write(world, tmp_path_factory.mktemp("sample"))
    return path


def _member_text(path: Path) -> tuple[str, str]:
    with zipfile.ZipFile(path) as archive:
        [name] = archive.namelist()
        return name, archive.read(name).decode("utf-8")


def test_writes_one_part_zip_named_as_the_official_product(written):
    assert written.parent.name == "companies_house"
    assert written.name == f"BasicCompanyData-{EXTRACT}-part1_1.zip"
    name, _ = _member_text(written)
    assert name == f"BasicCompanyData-{EXTRACT}-part1_1.csv"
    assert zipfile.ZipFile(written).comment.startswith(b"SYNTHETIC DATA")


def test_csv_has_the_published_header_and_every_field_quoted(written):
    _, text = _member_text(written)
    lines = text.splitlines()
    assert lines[0] == ch.PUBLISHED_HEADER  # unquoted, with the real leading spaces
    quoted_field = r'"(?:[^"]|"")*"'
    every_field_quoted = re.compile(rf"^{quoted_field}(?:,{quoted_field})*$")
    assert all(every_field_quoted.match(line) for line in lines[1:])
    records = list(csv.reader(io.StringIO(text)))[1:]
    assert {len(r) for r in records} == {55}
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", r[14]) for r in records)  # IncorporationDate


def test_parser_reads_back_every_live_company_with_its_facts(world, written):
    frame, [parsed] = ch.read_companies([written], sic_codes=None)
    live = world.companies.filter(pl.col("company_status") != "Dissolved")
    assert sorted(frame["company_number"].to_list()) == sorted(live["company_number"].to_list())
    assert "Dissolved" not in frame["company_status"].to_list()  # the product is live-only
    got = {r["company_number"]: r for r in frame.iter_rows(named=True)}
    for company in live.iter_rows(named=True):
        row = got[company["company_number"]]
        assert row["incorporation_date"] == company["incorporation_date"]
        assert row["company_status"] == company["company_status"]
        assert company["company_name"].rsplit(" ", 1)[0] in row["company_name"].replace('"', "")
    assert set(frame["_vintage"].to_list()) == {date.fromisoformat(EXTRACT)}
    assert parsed.rows_read == live.height


def test_food_filter_keeps_the_world_food_companies_except_those_without_sic(world, written):
    frame, _ = ch.read_companies([written])
    everything, _ = ch.read_companies([written], sic_codes=None)
    none_supplied = set(
        everything.filter(pl.col("sic_code_sic_text_1") == writer.NONE_SUPPLIED)["company_number"]
    )
    food = world.companies.filter(
        (pl.col("company_status") != "Dissolved")
        & pl.col("sic_codes").list.eval(pl.element().is_in(list(ch.FOOD_SIC))).list.any()
    )
    expected = set(food["company_number"]) - none_supplied
    assert set(frame["company_number"]) == expected
    assert 0 < len(none_supplied & set(food["company_number"]))  # noise reaches food companies


def test_noise_is_present_but_small(written):
    frame, _ = ch.read_companies([written], sic_codes=None)
    countries = set(frame["reg_address_country"].to_list())
    assert {None, "ENGLAND", "UNITED KINGDOM", "WALES"} <= countries
    foreign = frame.filter(
        pl.col("reg_address_postcode").map_elements(
            lambda pc: ch.postcode_district(pc) is None, return_dtype=pl.Boolean
        )
    )
    assert 0 < foreign.height < frame.height * 0.1
    assert frame["company_name"].str.contains(" T/A ").any()
    assert frame["previous_name_1_company_name"].is_not_null().any()
    sic_texts = frame["sic_code_sic_text_1"].drop_nulls()
    assert sic_texts.str.contains(r"^12345 - ").any()  # an unlisted code keeps the shape
    assert (sic_texts == "None Supplied").sum() < frame.height * 0.1


def test_sample_passes_the_blocking_quality_suite(written):
    frame, _ = ch.read_companies([written])
    outcome = run_suite("companies_house__companies", frame.to_pandas(), {"today": date.today()})
    assert outcome.success, outcome.to_markdown()


def test_same_seed_gives_identical_bytes_and_another_seed_differs(world, tmp_path):
    [first] = writer.write(world, tmp_path / "a")
    [again] = writer.write(world, tmp_path / "b")
    other = World(seed=world.seed + 1, scale=world.scale, extract_date=EXTRACT, tables=world.tables)
    [different] = writer.write(other, tmp_path / "c")
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != different.read_bytes()


def test_files_mode_acquires_the_newest_snapshot_and_parses_it(written, make_settings, tmp_path):
    folder = tmp_path / "files" / "companies_house"
    folder.mkdir(parents=True)
    newest = folder / written.name
    newest.write_bytes(written.read_bytes())
    older = folder / "BasicCompanyData-2026-10-01-part1_1.zip"
    older.write_bytes(written.read_bytes())
    settings = make_settings(mode="files", files_dir=tmp_path / "files")
    acquired = acquire(ch.CONNECTOR, settings)
    assert [f.path.name for f in acquired.files] == [written.name]
    result = ch.CONNECTOR.parse([f.path for f in acquired.files])
    assert result.tables["companies"].height > 0
    assert result.notes[0].startswith(f"{written.name}: read ")


def test_a_large_register_is_rendered_in_chunks_of_bounded_size_and_streamed_in_name_order(
    tmp_path, monkeypatch
):
    world = tiny_world(n_companies=2_000)
    monkeypatch.setattr(writer, "CHUNK_ROWS", 150)
    live = world.companies.filter(pl.col("company_status") != "Dissolved").height
    chunks = list(writer.row_chunks(world))
    assert [c.height for c in chunks] == [150] * (live // 150) + [live % 150]
    names = [name for c in chunks for name in c["company_name"]]
    assert names == sorted(names)  # the order runs across chunks, as the product's does
    blocks = list(writer.csv_chunks(world))
    assert len(blocks) == 1 + len(chunks)  # the header, then one block per chunk
    [path] = writer.write(world, tmp_path)
    _, text = _member_text(path)
    assert text.encode() == b"".join(blocks)


def test_filing_dates_follow_the_calendar_rules(world, written):
    frame, _ = ch.read_companies([written], sic_codes=None)
    extract = date.fromisoformat(EXTRACT)
    filed = frame.filter(pl.col("accounts_last_made_up_date").is_not_null())
    made_up = filed["accounts_last_made_up_date"]
    assert (made_up == made_up.dt.month_end()).all()  # an accounting reference date
    assert (made_up.dt.offset_by("9mo") <= extract).all()  # accounts filed when due
    due = made_up.dt.offset_by("1y").dt.offset_by("9mo")
    assert (filed["accounts_next_due_date"] == due).all()
    assert (filed["accounts_last_made_up_date"] > filed["incorporation_date"]).all()
    first = frame.filter(pl.col("accounts_last_made_up_date").is_null())
    first_due = first["incorporation_date"].dt.offset_by("21mo")
    assert (first["accounts_next_due_date"] == first_due).all()
    confirmed = frame.filter(pl.col("conf_stmt_last_made_up_date").is_not_null())
    assert (confirmed["conf_stmt_last_made_up_date"] <= extract - timedelta(days=14)).all()
    assert (confirmed["conf_stmt_last_made_up_date"].dt.month()
            == confirmed["incorporation_date"].dt.month()).all()
    returned = frame.filter(pl.col("returns_last_made_up_date").is_not_null())
    assert (returned["returns_last_made_up_date"] <= writer.RETURNS_ABOLISHED).all()
    assert filed.height > 0 and first.height > 0 and confirmed.height > 0 and returned.height > 0
