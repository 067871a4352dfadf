"""The ONSPD sample writer: the official zip layout, read back by the parser to the world."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date

import polars as pl
import pytest

from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
from heyrick_dagster.sample.writers import postcodes as writer
from heyrick_dagster.sources import postcodes

LEWISHAM = "E09000023"


def _postcode(code, lsoa, gss, pfa, lat, lon, introduced, terminated=None, usertype=0) -> dict:
    return {
        "postcode": code,
        "lsoa_code": lsoa,
        "gss_code": gss,
        "pfa_code": pfa,
        "latitude": lat,
        "longitude": lon,
        "introduced": introduced,
        "terminated": terminated,
        "usertype": usertype,
    }


def tiny_world(seed: int = 5, n_extra: int = 0) -> World:
    """Every table of the world contract; authorities, LSOAs and postcodes have rows.
    `n_extra` adds live Lewisham units, enough to make historic noise certain."""
    tables = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
    tables["authorities"] = pl.DataFrame(
        [
            {
                "fsa_code": "523",
                "name": "Lewisham",
                "gss_code": LEWISHAM,
                "country": "England",
                "region": "London",
                "county": "London",
                "pfa_code": "E23000001",
                "pfa_name": "Metropolitan Police",
                "enforcement_intensity": 1.0,
            },
            {
                "fsa_code": "776",
                "name": "Cardiff",
                "gss_code": "W06000015",
                "country": "Wales",
                "region": "Wales",
                "county": "South Glamorgan",
                "pfa_code": "W15000003",
                "pfa_name": "South Wales Police",
                "enforcement_intensity": 1.0,
            },
        ],
        schema=SCHEMAS["authorities"],
    )
    tables["lsoas"] = pl.DataFrame(
        [
            {
                "lsoa_code": "E01003189",
                "lsoa_name": "Lewisham 001A",
                "gss_code": LEWISHAM,
                "imd_rank": 5000,
                "imd_decile": 2,
                "imd_score": 35.2,
                "income_score": 0.21,
                "employment_score": 0.12,
                "population": 1700,
                "working_age_population": 1100,
            },
            {
                "lsoa_code": "W01001700",
                "lsoa_name": "Cardiff 001A",
                "gss_code": "W06000015",
                "imd_rank": None,
                "imd_decile": None,
                "imd_score": None,
                "income_score": None,
                "employment_score": None,
                "population": 1600,
                "working_age_population": 1000,
            },
        ],
        schema=SCHEMAS["lsoas"],
    )
    rows = [
        _postcode(
            "SE13 6JG", "E01003189", LEWISHAM, "E23000001", 51.4588, -0.0106, date(1980, 1, 1)
        ),
        _postcode(
            "SE6 4AB",
            "E01003189",
            LEWISHAM,
            "E23000001",
            51.438,
            -0.019,
            date(2001, 6, 1),
            date(2015, 3, 1),
            usertype=1,
        ),
        _postcode("SE4 1NN", None, LEWISHAM, None, None, None, date(2024, 2, 1)),
        _postcode(
            "CF10 1AA", "W01001700", "W06000015", "W15000003", 51.48, -3.18, date(1980, 1, 1)
        ),
    ]
    rows += [
        _postcode(
            f"SE{8 + i // 400} {i % 10}{'ABDEFGHJLN'[i // 10 % 10]}{'PQRSTUWXYZ'[i // 100 % 4]}",
            "E01003189",
            LEWISHAM,
            "E23000001",
            51.47,
            -0.02,
            date(1990, 1, 1),
        )
        for i in range(n_extra)
    ]
    tables["postcodes"] = pl.DataFrame(rows, schema=SCHEMAS["postcodes"])
    world = World(seed=seed, scale="small", extract_date="2026-11-14", tables=tables)
    validate_world(world)
    return world


def test_parser_reads_the_zip_back_to_every_postcode_of_the_world(tmp_path):
    world = tiny_world()
    [path] = writer.write(world, tmp_path)
    assert path == tmp_path / "postcodes" / "ONSPD_NOV_2026_UK_SYNTHETIC.zip"
    frame, parsed = postcodes.parse_files([path])
    assert parsed[0].vintage == date(2026, 11, 1)
    got = frame.join(world.postcodes, on="postcode", how="inner").select(
        "postcode",
        pl.col("lsoa11").alias("lsoa_code"),
        pl.col("lad_code").alias("gss_code"),
        "pfa_code",
        "latitude",
        "longitude",
        "introduced",
        "terminated",
        "usertype",
    )
    assert got.sort("postcode").equals(world.postcodes.select(got.columns).sort("postcode"))


def test_missing_geographies_are_written_as_pseudo_codes_and_read_back_as_null(tmp_path):
    [path] = writer.write(tiny_world(), tmp_path)
    member = "Data/ONSPD_NOV_2026_UK.csv"
    text = zipfile.ZipFile(path).read(member).decode()
    line = next(line for line in text.splitlines() if '"SE4 1NN"' in line)
    assert '"E99999999"' in line and "99.999999,0.000000" in line
    [parsed] = postcodes.parse_file(path)
    assert parsed.pseudo_codes["lsoa11"] >= 1 and parsed.pseudo_codes["latitude/longitude"] >= 2


def test_national_noise_is_dropped_by_the_area_filter(tmp_path):
    [path] = writer.write(tiny_world(), tmp_path)
    everything, _ = postcodes.parse_files([path])
    assert {"AB10 1XG", "EH1 1YZ", "IV2 3PY", "JE2 4WD"} <= set(everything["postcode"])
    lewisham, _ = postcodes.parse_files([path], frozenset({"SE13", "SE6", "SE4"}))
    assert set(lewisham["lad_code"]) == {LEWISHAM}
    assert {"SE13 6JG", "SE6 4AB", "SE4 1NN"} <= set(lewisham["postcode"])


def test_historic_terminated_units_sit_in_the_sectors_of_live_ones(tmp_path):
    world = tiny_world(n_extra=200)
    [path] = writer.write(world, tmp_path)
    frame, _ = postcodes.parse_files([path])
    extra = frame.join(world.postcodes, on="postcode", how="anti").filter(
        pl.col("lad_code") == LEWISHAM
    )
    assert extra.height > 0, "about 3% of 204 postcodes get a historic neighbour"
    assert extra["terminated"].null_count() == 0
    sectors = {p[:-2] for p in world.postcodes["postcode"]}
    assert all(p[:-2] in sectors for p in extra["postcode"])


def test_the_zip_is_laid_out_and_labelled_like_the_official_product(tmp_path):
    [path] = writer.write(tiny_world(), tmp_path)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["Data/ONSPD_NOV_2026_UK.csv", "Documents/README_SYNTHETIC.txt"]
        assert zf.read("Documents/README_SYNTHETIC.txt").startswith(b"SYNTHETIC DATA")
        header, first = zf.read("Data/ONSPD_NOV_2026_UK.csv").decode().splitlines()[:2]
    assert header.split(",") == writer.HEADER and len(writer.HEADER) == 52
    assert first.startswith('"AB101XG","AB10 1XG","AB10 1XG","198001",,')  # pcd7 order


@pytest.mark.parametrize(
    ("extract", "release"),
    [
        ("2026-11-14", "NOV_2026"),
        ("2026-10-31", "AUG_2026"),
        ("2027-01-05", "NOV_2026"),
        ("2026-02-01", "FEB_2026"),
    ],
)
def test_release_is_the_last_quarterly_one_on_or_before_the_extract(extract, release):
    assert writer.release_for(date.fromisoformat(extract)) == release


def test_same_seed_gives_the_same_bytes(tmp_path):
    def digest(folder):
        [path] = writer.write(tiny_world(n_extra=200), folder)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_a_large_directory_is_rendered_in_chunks_of_bounded_size_in_pcd7_order(
    tmp_path, monkeypatch
):
    world = tiny_world(n_extra=400)
    monkeypatch.setattr(writer, "CHUNK_ROWS", 50)
    header, *blocks = list(writer.csv_chunks(world))
    assert header.decode().rstrip("\n").split(",") == writer.HEADER
    rows = [block.decode().splitlines() for block in blocks]
    assert all(1 <= len(lines) <= 50 for lines in rows)
    pcd7 = [line.split(",")[0] for lines in rows for line in lines]
    assert len(pcd7) >= world.postcodes.height + 4  # every unit, the far-away ones, the historic
    assert pcd7 == sorted(pcd7)
    [path] = writer.write(world, tmp_path)
    member = zipfile.ZipFile(path).read("Data/ONSPD_NOV_2026_UK.csv")
    assert member == header + b"".join(blocks)
