"""The synthetic world as a whole: its contract, determinism, references, truth and writers."""

from __future__ import annotations

import gc

import polars as pl
import pytest

from heyrick_dagster.sample import truth
from heyrick_dagster.sample import writers as writers_package
from heyrick_dagster.sample.generate import writer_modules
from heyrick_dagster.sample.world import SCHEMAS, validate_world
from heyrick_dagster.sample.world_builder import build_world
from heyrick_dagster.sample.world_company_names import make_unique
from heyrick_dagster.sample.world_registry import concat_contiguous

SEED = 20261127


@pytest.fixture(scope="module")
def world():
    return build_world(SEED, "small")


def test_every_contract_table_is_built_with_exactly_its_columns_and_types(world):
    validate_world(world)
    assert set(world.tables) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert dict(world.tables[name].schema) == schema, name
        assert world.tables[name].height > 0, name
    assert world.seed == SEED and world.scale == "small"
    assert world.extract_date.startswith("2026-11-")


def test_the_same_seed_builds_identical_tables_and_another_seed_different_ones(world):
    again = build_world(SEED, "small")
    for name in SCHEMAS:
        assert world.tables[name].equals(again.tables[name]), name
    other = build_world(SEED + 1, "small")
    for name in ("lsoas", "postcodes", "businesses", "premises", "companies", "people",
                 "officers", "events", "nrm_referrals"):
        assert not world.tables[name].equals(other.tables[name]), name


def test_an_unknown_scale_is_refused_naming_the_allowed_ones():
    with pytest.raises(ValueError, match="small.*national"):
        build_world(SEED, "medium")


def test_keys_are_unique(world):
    for name, key in (("authorities", "fsa_code"), ("lsoas", "lsoa_code"),
                      ("postcodes", "postcode"), ("businesses", "entity_id"),
                      ("premises", "fhrsid"), ("companies", "company_number"),
                      ("companies", "company_name"), ("people", "person_id"),
                      ("events", "event_id"), ("events", "record_id")):
        assert world.tables[name][key].is_unique().all(), (name, key)


def test_every_postcode_used_by_premises_companies_and_events_is_in_the_postcode_table(world):
    known = set(world.postcodes["postcode"])
    for name, column in (("premises", "postcode"), ("companies", "reg_postcode"),
                         ("events", "postcode")):
        used = set(world.tables[name][column].drop_nulls())
        assert used and used <= known, (name, sorted(used - known)[:5])


def test_every_lsoa_referenced_exists_and_every_area_code_is_an_authority(world):
    lsoas = set(world.lsoas["lsoa_code"])
    assert set(world.premises["lsoa_code"].drop_nulls()) <= lsoas
    assert set(world.postcodes["lsoa_code"]) <= lsoas
    authorities = set(world.authorities["gss_code"])
    for name in ("lsoas", "postcodes", "businesses"):
        assert set(world.tables[name]["gss_code"]) == authorities, name
    assert set(world.premises["fsa_code"]) == set(world.authorities["fsa_code"])
    pfas = set(world.authorities["pfa_code"])
    assert set(world.postcodes["pfa_code"]) == pfas
    assert set(world.nrm_referrals["pfa_code"]) == pfas


def test_a_postcode_lies_in_its_own_lsoas_authority(world):
    joined = world.postcodes.join(world.lsoas.select("lsoa_code", pl.col("gss_code").alias("g")),
                                  on="lsoa_code")
    assert joined.height == world.postcodes.height
    assert (joined["gss_code"] == joined["g"]).all()
    premises = world.premises.filter(pl.col("postcode").is_not_null()).join(
        world.postcodes.select("postcode", pl.col("lsoa_code").alias("l")), on="postcode")
    assert (premises["lsoa_code"] == premises["l"]).all()


def test_people_and_companies_behind_officers_exist(world):
    assert set(world.officers["person_id"]) <= set(world.people["person_id"])
    assert set(world.officers["company_number"]) <= set(world.companies["company_number"])
    assert set(world.officers["role"]) == {"director", "secretary", "psc"}
    entities = set(world.businesses["entity_id"])
    assert set(world.companies["entity_id"].drop_nulls()) <= entities
    assert set(world.premises["entity_id"]) == entities
    assert set(world.events["entity_id"]) <= entities


def test_truth_covers_every_fhrs_record_company_and_event_exactly_once(world, tmp_path):
    paths = truth.write(world, tmp_path)
    assert [p.name for p in paths] == ["records.parquet", "businesses.parquet",
                                       "events.parquet", "premises.parquet"]
    records = pl.read_parquet(tmp_path / "records.parquet")
    assert records.schema == {"source": pl.String, "record_id": pl.String,
                              "entity_id": pl.String}
    assert records.select("source", "record_id").is_unique().all()
    by_source = {s: set(g["record_id"]) for (s,), g in records.group_by("source")}
    assert by_source["fhrs"] == set(world.premises["fhrsid"])
    linked = world.companies.filter(pl.col("entity_id").is_not_null())
    assert by_source["companies_house"] == set(linked["company_number"])
    for source in ("illegal_working", "nmw_naming"):
        assert by_source[source] == set(
            world.events.filter(pl.col("source") == source)["record_id"])
    assert records.height == (world.premises.height + linked.height + world.events.height)
    joined = records.join(world.events.select("source", "record_id", pl.col("entity_id")
                                              .alias("e")), on=["source", "record_id"])
    assert (joined["entity_id"] == joined["e"]).all()

    events = pl.read_parquet(tmp_path / "events.parquet")
    assert events.columns == ["entity_id", "source", "record_id", "event_date"]
    assert events.height == world.events.height

    businesses = pl.read_parquet(tmp_path / "businesses.parquet")
    assert businesses["entity_id"].to_list() == world.businesses["entity_id"].to_list()
    assert {"exploitative", "sector", "legal_form", "phoenix", "recent_incorporation",
            "shared_officers", "exploitation_propensity", "gss_code",
            "deprivation_decile"} <= set(businesses.columns)
    located = set(world.premises.filter(pl.col("lsoa_code").is_not_null())["entity_id"])
    english = businesses.filter(pl.col("gss_code").str.starts_with("E"))
    assert set(english.filter(pl.col("deprivation_decile").is_not_null())["entity_id"]) == (
        located & set(english["entity_id"]))
    deciles = set(english["deprivation_decile"].drop_nulls())
    assert {1, 2, 3, 4, 5, 6} <= deciles <= set(range(1, 11))
    elsewhere = businesses.filter(~pl.col("gss_code").str.starts_with("E"))
    assert elsewhere["deprivation_decile"].null_count() == elsewhere.height


def test_every_writer_module_is_found_and_one_that_fails_to_import_fails_loudly(
        tmp_path, monkeypatch):
    assert "fhrs" in writer_modules()
    (tmp_path / "broken.py").write_text("import a_module_that_does_not_exist\n")
    monkeypatch.setattr(writers_package, "__path__", [str(tmp_path)])
    with pytest.raises(ImportError, match="broken failed to import"):
        writer_modules()


def test_a_writer_module_without_write_is_refused(tmp_path, monkeypatch):
    (tmp_path / "no_write_here.py").write_text("VALUE = 1\n")
    monkeypatch.setattr(writers_package, "__path__", [str(tmp_path)])
    with pytest.raises(TypeError, match="no_write_here has no write"):
        writer_modules()


def test_repeated_company_names_are_qualified_and_the_first_holder_keeps_each_name():
    names = pl.Series(["A LTD", "A LTD", "B", "A LTD", "A (UK) LTD", "B"] + ["C PLC"] * 10)
    unique = make_unique(names)
    assert unique.is_unique().all()
    assert unique[0] == "A LTD" and unique[2] == "B"  # first holders keep their names
    assert unique[1] == "A (UK) LTD" and unique[3] == "A GROUP LTD"  # the suffix stays last
    assert unique[4] != "A (UK) LTD"  # an earlier row took it in the first round
    assert unique[5] == "B (UK)"
    assert unique.filter(unique.str.starts_with("C ")).str.ends_with(" PLC").all()


def test_the_register_is_stacked_one_column_at_a_time_into_contiguous_columns():
    frames = [pl.DataFrame({"a": [i, i + 1], "b": [f"x{i}", None]}) for i in range(0, 20, 2)]
    expected = pl.concat(frames)
    stacked = concat_contiguous(frames)
    assert stacked.equals(expected)
    assert stacked.n_chunks("all") == [1, 1]
    assert frames == []  # consumed: the caller holds no second copy


@pytest.mark.parametrize("enabled", [True, False])
def test_building_leaves_the_cycle_collector_as_it_found_it(enabled):
    def switch(on: bool) -> None:
        if on:
            gc.enable()
        else:
            gc.disable()

    was = gc.isenabled()
    try:
        switch(enabled)
        build_world(SEED, "small")
        assert gc.isenabled() is enabled
    finally:
        switch(was)
