"""Places of the synthetic world: authorities, LSOAs and their deprivation, postcode units."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import polars as pl
import pytest

from heyrick_dagster.sample.world_builder import build_world
from heyrick_dagster.sample.world_places import (
    ENGLISH_LSOAS_2019,
    NATIONAL_SMALL_AREAS,
    build_lsoas,
    plan_places,
)

SEED = 20261127
EXPECTED_AUTHORITIES = {
    # fsa code: (name, gss, region, county, pfa code, pfa name)
    "404": (
        "Bradford",
        "E08000032",
        "Yorkshire and The Humber",
        "West Yorkshire",
        "E23000010",
        "West Yorkshire",
    ),
    "523": ("Lewisham", "E09000023", "London", "London", "E23000001", "Metropolitan Police"),
    "525": ("Newham", "E09000025", "London", "London", "E23000001", "Metropolitan Police"),
    "530": ("Tower Hamlets", "E09000030", "London", "London", "E23000001", "Metropolitan Police"),
    "878": (
        "Leicester City",
        "E06000016",
        "East Midlands",
        "Leicestershire",
        "E23000021",
        "Leicestershire",
    ),
    "556": ("Cardiff", "W06000015", "Wales", "South Glamorgan", "W15000003", "South Wales"),
    "760": (
        "Aberdeen City",
        "S12000033",
        "Scotland",
        "Aberdeenshire",
        "S23000009",
        "Police Scotland",
    ),
}
CANONICAL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


@pytest.fixture(scope="module")
def world():
    return build_world(SEED, "small")


def test_the_seven_sample_authorities_carry_their_real_codes_and_areas(world):
    rows = {r["fsa_code"]: r for r in world.authorities.iter_rows(named=True)}
    assert set(rows) == set(EXPECTED_AUTHORITIES)
    for code, (name, gss, region, county, pfa, pfa_name) in EXPECTED_AUTHORITIES.items():
        row = rows[code]
        assert (
            row["name"],
            row["gss_code"],
            row["region"],
            row["county"],
            row["pfa_code"],
            row["pfa_name"],
        ) == (name, gss, region, county, pfa, pfa_name)
        assert row["country"] == {"E": "England", "W": "Wales", "S": "Scotland"}[gss[0]]


def test_enforcement_intensity_differs_clearly_between_areas(world):
    intensity = world.authorities["enforcement_intensity"]
    assert intensity.min() >= 0.4 and intensity.max() <= 2.5
    assert intensity.max() / intensity.min() >= 2.5
    assert intensity.n_unique() == world.authorities.height


def test_each_authority_has_100_to_200_lsoas_with_official_format_codes_and_names(world):
    lsoas = world.lsoas.join(world.authorities.select("gss_code", "name", "country"), on="gss_code")
    counts = lsoas.group_by("gss_code").len()
    assert counts["len"].min() >= 100 and counts["len"].max() <= 200
    prefix = {"England": "E01", "Wales": "W01", "Scotland": "S01"}
    for row in lsoas.iter_rows(named=True):
        assert re.fullmatch(prefix[row["country"]] + r"\d{6}", row["lsoa_code"])
        assert re.fullmatch(re.escape(row["name"]) + r" \d{3}[A-F]", row["lsoa_name"])
    assert lsoas["population"].mean() == pytest.approx(1500, rel=0.5)
    assert (lsoas["working_age_population"] < lsoas["population"]).all()


def test_imd_is_published_for_english_lsoas_only_with_unique_ranks_and_matching_deciles(world):
    english = world.lsoas.filter(pl.col("lsoa_code").str.starts_with("E01"))
    others = world.lsoas.filter(~pl.col("lsoa_code").str.starts_with("E01"))
    imd = ["imd_rank", "imd_decile", "imd_score", "income_score", "employment_score"]
    assert english.select(pl.col(imd).null_count()).row(0) == (0,) * len(imd)
    assert others.select(pl.col(imd).null_count()).row(0) == (others.height,) * len(imd)
    ranks = english["imd_rank"]
    assert ranks.is_unique().all() and ranks.min() >= 1 and ranks.max() <= ENGLISH_LSOAS_2019
    expected = (english["imd_rank"] * 10 / ENGLISH_LSOAS_2019).ceil().cast(pl.Int64)
    assert (english["imd_decile"] == expected).all()
    ordered = english.sort(["imd_score", "imd_rank"], descending=[True, False])
    assert ordered["imd_rank"].is_sorted()  # the most deprived has rank 1
    assert english.select(pl.corr("imd_score", "income_score")).item() > 0.8
    assert english.select(pl.corr("imd_score", "employment_score")).item() > 0.8


def test_deprivation_is_clustered_by_postcode_district(world):
    """Neighbouring LSOAs (same postcode district) look alike, far more than chance groups."""
    district = world.postcodes.group_by("lsoa_code").agg(
        pl.col("postcode").str.split(" ").list.first().mode().first().alias("district")
    )
    scores = (
        world.lsoas.filter(pl.col("imd_score").is_not_null())
        .join(district, on="lsoa_code")
        .with_columns(pl.col("imd_score").log().alias("y"))
    )

    def explained(groups: pl.Series) -> float:
        frame = scores.with_columns(g=groups)
        within = frame.select(((pl.col("y") - pl.col("y").mean().over("g")) ** 2).mean()).item()
        return 1 - within / frame.select(((pl.col("y") - pl.col("y").mean()) ** 2).mean()).item()

    shuffled = pl.Series(np.random.default_rng(0).permutation(scores["district"].to_numpy()))
    assert explained(scores["district"]) > 0.3
    assert explained(scores["district"]) > 4 * explained(shuffled)


def test_postcodes_are_canonical_local_and_about_five_percent_terminated(world):
    postcodes = world.postcodes
    assert postcodes["postcode"].str.contains(CANONICAL_POSTCODE.pattern).all()
    terminated = postcodes["terminated"].is_not_null().mean()
    assert 0.03 <= terminated <= 0.07
    assert (postcodes["introduced"].dt.day() == 1).all()
    assert (
        postcodes.filter(pl.col("terminated").is_not_null())
        .select((pl.col("terminated") > pl.col("introduced")).all())
        .item()
    )
    assert postcodes.filter(pl.col("terminated").is_not_null())["terminated"].dt.day().eq(1).all()
    extract = dt.date.fromisoformat(world.extract_date)
    assert postcodes["introduced"].max() <= extract
    assert set(postcodes["usertype"]) == {0, 1}
    # Each authority's units lie near each other (within ~25 km of their median).
    spread = postcodes.group_by("gss_code").agg(
        (pl.col("latitude") - pl.col("latitude").median()).abs().max().alias("lat"),
        (pl.col("longitude") - pl.col("longitude").median()).abs().max().alias("lon"),
    )
    assert spread["lat"].max() < 0.25 and spread["lon"].max() < 0.4


def test_premises_postcodes_are_live_and_terminated_ones_are_only_used_by_dissolved_companies(
    world,
):
    terminated = world.postcodes.filter(pl.col("terminated").is_not_null()).select("postcode")
    assert world.premises.join(terminated, on="postcode").is_empty()
    old = world.companies.join(terminated.rename({"postcode": "reg_postcode"}), on="reg_postcode")
    assert old.height > 0
    assert set(old["company_status"]) == {"Dissolved"}


def test_every_premises_postcode_is_on_a_lsoa_whose_centre_is_near(world):
    located = world.premises.filter(pl.col("latitude").is_not_null()).join(
        world.postcodes.select(
            "postcode", pl.col("latitude").alias("lat"), pl.col("longitude").alias("lon")
        ),
        on="postcode",
    )
    assert located.height > 0.7 * world.premises.height
    assert (located["latitude"] - located["lat"]).abs().max() < 1e-6
    assert (located["longitude"] - located["lon"]).abs().max() < 1e-6


def test_the_national_plan_has_363_authorities_with_their_own_codes_and_postcode_districts():
    places = plan_places(SEED, "national")
    assert len(places) == 363
    assert len({p.code for p in places}) == 363
    assert len({p.facts.gss_code for p in places}) == 363
    districts = [d.outward for p in places for d in p.template.districts]
    assert len(districts) == len(set(districts))
    assert sum(p.n_premises for p in places) == 613_000
    assert all(0.4 <= p.enforcement_intensity <= 2.5 for p in places)
    countries = {p.facts.country for p in places}
    assert countries == {"England", "Wales", "Scotland"}


def test_the_national_world_has_the_real_number_of_small_areas_in_each_country():
    places = plan_places(SEED, "national")
    for country, total in NATIONAL_SMALL_AREAS.items():
        counts = [p.n_lsoas for p in places if p.facts.country == country]
        assert sum(counts) == total
        assert min(counts) >= 20


def test_the_national_world_ranks_exactly_englands_32844_lsoas_as_the_imd_does():
    lsoas = build_lsoas(plan_places(SEED, "national"), SEED)
    ranks = lsoas.filter(pl.col("lsoa_code").str.starts_with("E01"))["imd_rank"].sort()
    assert ranks.to_list() == list(range(1, ENGLISH_LSOAS_2019 + 1))
    english = lsoas.filter(pl.col("lsoa_code").str.starts_with("E01"))
    # The published rule (the raw gate's deciles_follow_ranks): ceil(rank / 3,284.4).
    expected = (english["imd_rank"] * 10 / ENGLISH_LSOAS_2019).ceil().cast(pl.Int64)
    assert (english["imd_decile"] == expected).all()
    assert english["imd_decile"].value_counts()["count"].is_between(3284, 3285).all()
