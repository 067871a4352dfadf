"""The police force area seed that staging uses to give NRM names their GSS codes."""

from __future__ import annotations

import re

import polars as pl

from heyrick_dagster.settings import REPO_ROOT

SEED = REPO_ROOT / "dbt_project" / "seeds" / "nrm__police_force_areas.csv"
CODE = re.compile(r"^(E23\d{6}|W15\d{6}|S23\d{6}|N23\d{6})$")


def name_key(name: str) -> str:
    """Python twin of the dbt macro normalise_name (the join key in stg_nrm__referrals)."""
    text = re.sub(r"['’`]", "", name.lower().replace("&", " and "))
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text)).strip()


def seed() -> pl.DataFrame:
    return pl.read_csv(SEED, infer_schema=False)


def seed_lookup() -> dict[str, dict]:
    """normalised published name -> seed row."""
    return {name_key(r["published_name"]): r for r in seed().iter_rows(named=True)}


def test_seed_names_stay_distinct_once_normalised_so_the_join_never_fans_out():
    keys = [name_key(n) for n in seed()["published_name"]]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicated == []


def test_seed_covers_every_uk_force_area_once_by_its_ons_name():
    territorial = seed().filter(pl.col("force_kind") == "territorial")
    areas = territorial.select("pfa_code", "pfa_name", "country").unique()
    assert areas.height == 45, "43 England and Wales forces, Police Scotland, PSNI"
    assert areas["pfa_code"].n_unique() == areas["pfa_name"].n_unique() == 45
    assert areas.group_by("country").len().sort("country").rows() == [
        ("England", 39),
        ("Northern Ireland", 1),
        ("Scotland", 1),
        ("Wales", 4),
    ]
    assert all(CODE.match(code) for code in areas["pfa_code"])
    # Every area is also listed under its own ONS name.
    names = set(territorial["published_name"])
    assert set(areas["pfa_name"]) <= names


def test_published_variants_map_to_the_same_code():
    lookup = seed_lookup()
    code = {name: lookup[name_key(name)]["pfa_code"] for name in [
        "Metropolitan Police", "METROPOLITAN POLICE SERVICE", "Devon and Cornwall",
        "Devon & Cornwall Police", "Police Scotland", "PSNI", "Hampshire and Isle of Wight",
    ]}  # fmt: skip
    assert code == {
        "Metropolitan Police": "E23000001",
        "METROPOLITAN POLICE SERVICE": "E23000001",
        "Devon and Cornwall": "E23000035",
        "Devon & Cornwall Police": "E23000035",
        "Police Scotland": "S23000009",
        "PSNI": "N23000001",
        "Hampshire and Isle of Wight": "E23000030",
    }


def test_british_transport_police_is_listed_without_an_area_code():
    btp = seed_lookup()[name_key("British Transport Police")]
    assert (btp["pfa_code"], btp["force_kind"]) == (None, "non_territorial")
