"""The NRM sample writer: world.nrm_referrals written as the published tables ODS and
read back by the parser to the same counts (a tiny World built here, not world_builder)."""

from __future__ import annotations

from pathlib import Path

import fastexcel
import polars as pl
import pytest

from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
from heyrick_dagster.sample.writers import nrm as writer
from heyrick_dagster.sources import nrm
from tests.unit.test_nrm_seed import name_key, seed_lookup

FORCES = {
    "E23000001": "Metropolitan Police",
    "E23000010": "West Yorkshire",
    "E23000036": "Avon and Somerset",
    "W15000003": "South Wales",
    "S23000009": "Police Scotland",
}
PERIODS = ("2025Q2", "2025Q3")


def tiny_world(seed: int = 11, periods=PERIODS) -> World:
    tables = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
    tables["authorities"] = pl.DataFrame(
        [
            ("523", "Lewisham", "E09000023", "England", "London", "Greater London",
             "E23000001", "Metropolitan Police", 1.0),
            ("525", "Newham", "E09000025", "England", "London", "Greater London",
             "E23000001", "Metropolitan Police", 1.0),
            ("404", "Bradford", "E08000032", "England", "Yorkshire and The Humber",
             "West Yorkshire", "E23000010", "West Yorkshire", 1.2),
            ("556", "Cardiff", "W06000015", "Wales", "Wales", "South Glamorgan",
             "W15000003", "South Wales", 0.9),
        ],
        schema=SCHEMAS["authorities"],
        orient="row",
    )  # fmt: skip
    rows = []
    for p, period in enumerate(periods):
        for f, (code, name) in enumerate(FORCES.items()):
            for t, kind in enumerate(writer.EXPLOITATION_LABELS):
                for a, age in enumerate(("Adult", "Child")):
                    count = (7 * f + 3 * t + 5 * a + 2 * p) % 17 * (3 if f == 0 else 1)
                    rows.append((code, name, period, kind, age, count))
    tables["nrm_referrals"] = pl.DataFrame(rows, schema=SCHEMAS["nrm_referrals"], orient="row")
    world = World(seed=seed, scale="small", extract_date="2026-11-20", tables=tables)
    validate_world(world)
    return world


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[World, list[Path]]:
    world = tiny_world()
    return world, writer.write(world, tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def parsed(written) -> pl.DataFrame:
    frame, _ = nrm.parse_files(written[1])
    return frame


def test_one_tables_file_per_quarter_in_the_published_name_style(written):
    _, paths = written
    assert [p.name for p in paths] == [
        "national-referral-mechanism-statistics-uk-quarter-2-2025-apr-to-jun-tables.ods",
        "national-referral-mechanism-statistics-uk-quarter-3-2025-jul-to-sep-tables.ods",
    ]
    assert all(p.parent.name == "nrm" for p in paths)
    sheets = fastexcel.read_excel(str(paths[0])).sheet_names
    assert sheets == [
        "Cover_sheet",
        "Table_of_contents",
        "Notes",
        "Table_1",
        "Table_11",
        "Table_12",
    ]


def test_force_table_reads_back_to_the_world_counts_with_small_ones_suppressed(written, parsed):
    world, _ = written
    lookup = seed_lookup()
    forces = parsed.filter(pl.col("table_id") == "Table 11").with_columns(
        pl.col("geography_name")
        .map_elements(lambda n: lookup[name_key(n)]["pfa_code"], return_dtype=pl.String)
        .alias("pfa_code")
    )
    assert forces.filter(pl.col("pfa_code").is_null())["geography_name"].unique().to_list() == [
        "British Transport Police"
    ]
    got = {
        (r["pfa_code"], r["period"], r["exploitation_type"], r["age_group"]): r
        for r in forces.filter(pl.col("pfa_code").is_not_null()).iter_rows(named=True)
    }
    expected = {
        (r["pfa_code"], r["period"], _published(r["exploitation_type"]), r["age_group"]): r
        for r in world.nrm_referrals.iter_rows(named=True)
    }
    assert got.keys() == expected.keys()
    small = 0
    for key, truth in expected.items():
        row = got[key]
        if 0 < truth["referrals"] < 5:
            small += 1
            assert (row["referrals"], row["suppressed"]) == (None, True), key
        else:
            assert (row["referrals"], row["suppressed"]) == (truth["referrals"], False), key
    assert small > 0, "the tiny world has counts to suppress"


def _published(world_type: str) -> str:
    return "Not specified or unknown" if world_type == "Not specified" else world_type


def test_county_table_sums_each_force_once_into_its_county(written, parsed):
    world, _ = written
    counties = parsed.filter(
        (pl.col("geography_type") == "county") & (pl.col("period") == "2025Q3")
    )
    totals = (
        world.nrm_referrals.filter(pl.col("period") == "2025Q3")
        .group_by("pfa_code")
        .agg(pl.col("referrals").sum())
    )
    by_code = dict(totals.iter_rows())
    assert dict(counties.select("geography_name", "referrals").iter_rows()) == {
        "Greater London": by_code["E23000001"],
        "West Yorkshire": by_code["E23000010"],
        "South Glamorgan": by_code["W15000003"],
    }
    assert counties["referrals"].to_list() == sorted(counties["referrals"], reverse=True)


def test_every_published_force_name_is_in_the_staging_seed(parsed):
    lookup = seed_lookup()
    names = parsed.filter(pl.col("geography_type") == "pfa")["geography_name"].unique()
    assert [n for n in names if name_key(n) not in lookup] == []


def test_cover_sheet_says_the_data_are_synthetic(written):
    _, paths = written
    reader = fastexcel.read_excel(str(paths[0]))
    cover = reader.load_sheet_by_name("Cover_sheet", header_row=None).to_polars()
    text = " ".join(str(v) for v in cover.to_series(0).to_list())
    assert "SYNTHETIC DATA" in text and "not Home Office statistics" in text


def test_the_same_world_gives_the_same_bytes(tmp_path):
    first = writer.write(tiny_world(), tmp_path / "a")
    second = writer.write(tiny_world(), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_the_seed_changes_the_noise_not_the_counts(tmp_path):
    frames = []
    outputs = set()
    for seed in (1, 2, 3, 4):
        paths = writer.write(tiny_world(seed), tmp_path / str(seed))
        outputs.add(tuple(p.read_bytes() for p in paths))
        frame, _ = nrm.parse_files(paths)
        frames.append(frame.select("period", "table_id", "exploitation_type", "referrals"))
    assert len(outputs) > 1, "name spellings and note rows vary with the seed"
    assert all(f.sort(f.columns).equals(frames[0].sort(f.columns)) for f in frames)


def test_no_referrals_in_the_world_means_no_files(tmp_path):
    world = tiny_world(periods=())
    assert writer.write(world, tmp_path) == []
    assert not (tmp_path / "nrm").exists()
