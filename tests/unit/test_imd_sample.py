"""The IoD2019 sample writer: official layout, read back by the parser to the world's values."""

from __future__ import annotations

import hashlib

import polars as pl
from openpyxl import load_workbook

from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
from heyrick_dagster.sample.writers import imd as writer
from heyrick_dagster.sources import imd


def _authority(fsa: str, name: str, gss: str, country: str, pfa: str) -> dict:
    return {
        "fsa_code": fsa,
        "name": name,
        "gss_code": gss,
        "country": country,
        "region": "London",
        "county": "London",
        "pfa_code": pfa,
        "pfa_name": "Police",
        "enforcement_intensity": 1.0,
    }


def _lsoa(code: str, gss: str, rank: int | None, decile: int | None, score: float | None) -> dict:
    rate = None if score is None else round(score / 150, 3)
    return {
        "lsoa_code": code,
        "lsoa_name": f"Area {code[-3:]}",
        "gss_code": gss,
        "imd_rank": rank,
        "imd_decile": decile,
        "imd_score": score,
        "income_score": rate,
        "employment_score": None if rate is None else round(rate / 2, 3),
        "population": 1500 + (rank or 0) % 700,
        "working_age_population": 900,
    }


def tiny_world(seed: int = 11) -> World:
    """Every table of the world contract; only authorities and LSOAs have rows."""
    tables = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
    tables["authorities"] = pl.DataFrame(
        [
            _authority("523", "Lewisham", "E09000023", "England", "E23000001"),
            _authority("776", "Cardiff", "W06000015", "Wales", "W15000003"),
        ],
        schema=SCHEMAS["authorities"],
    )
    tables["lsoas"] = pl.DataFrame(
        [
            _lsoa("E01003190", "E09000023", 30000, 10, 4.1),
            _lsoa("E01003189", "E09000023", 1, 1, 71.3),
            _lsoa("E01003191", "E09000023", 3285, 2, 40.9),
            _lsoa("W01001700", "W06000015", None, None, None),
        ],
        schema=SCHEMAS["lsoas"],
    )
    world = World(seed=seed, scale="small", extract_date="2026-11-14", tables=tables)
    validate_world(world)
    return world


def test_parser_reads_the_written_files_back_to_the_worlds_english_lsoas(tmp_path):
    world = tiny_world()
    paths = writer.write(world, tmp_path)
    assert [p.parent for p in paths] == [tmp_path / "imd"] * 2
    frame, _ = imd.parse_files(paths)
    expected = (
        world.lsoas.filter(pl.col("lsoa_code").str.starts_with("E01"))
        .sort("lsoa_code")
        .select(
            "lsoa_code",
            "lsoa_name",
            pl.col("gss_code").alias("lad_code"),
            "imd_rank",
            "imd_decile",
            "imd_score",
            "income_score",
            "employment_score",
            "population",
        )
    )
    assert frame.select(expected.columns).equals(expected)
    assert set(frame["lad_name"]) == {"Lewisham"}


def test_written_files_match_the_connectors_patterns_and_say_they_are_synthetic(tmp_path):
    world = tiny_world()
    file_1, file_7 = writer.write(world, tmp_path)
    assert file_1.name.endswith("_SYNTHETIC.xlsx") and file_7.name.endswith("_SYNTHETIC.csv")
    assert sorted(p.name for p in file_1.parent.iterdir()) == sorted([file_1.name, file_7.name])
    book = load_workbook(file_1)
    assert book.sheetnames == ["Notes", "IMD2019"]
    assert "SYNTHETIC" in book["Notes"]["A1"].value
    assert str(world.seed) in book["Notes"]["A1"].value


def test_file_7_carries_all_57_published_columns_with_crlf_line_ends(tmp_path):
    _, file_7 = writer.write(tiny_world(), tmp_path)
    text = file_7.read_bytes().decode("utf-8")
    assert text.count("\r\n") == 4  # header and three English LSOAs
    header = pl.read_csv(file_7, n_rows=0).columns
    assert tuple(header) == imd.FILE_7_HEADER and len(header) == 57
    _, parsed = imd.parse_files([file_7])
    assert len(parsed[0].unmapped) == 47


def test_same_seed_gives_the_same_bytes_and_another_seed_other_domain_scores(tmp_path):
    def digests(world, folder):
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in writer.write(world, folder)]

    first = digests(tiny_world(11), tmp_path / "a")
    assert first == digests(tiny_world(11), tmp_path / "b")
    other = digests(tiny_world(12), tmp_path / "c")
    assert other[1] != first[1], "File 7's drawn domains follow the seed"
