"""Enforcement in the synthetic world: penalties, namings, publication order, NRM referrals."""

from __future__ import annotations

import re

import polars as pl
import pytest

from heyrick_dagster.sample.world_builder import build_world

SEED = 20261127
COMPANY_SUFFIX = re.compile(r"\b(ltd\.?|limited)$", re.IGNORECASE)


@pytest.fixture(scope="module")
def world():
    return build_world(SEED, "small")


@pytest.fixture(scope="module")
def events(world):
    return world.events.join(
        world.businesses.select("entity_id", "exploitative", "legal_form", "gss_code"),
        on="entity_id").join(
        world.authorities.select("gss_code", "region", "county", "enforcement_intensity"),
        on="gss_code")


def test_most_events_fall_on_exploitative_businesses_and_a_few_on_others(events):
    assert set(events["source"]) == {"illegal_working", "nmw_naming"}
    for source in ("illegal_working", "nmw_naming"):
        share = events.filter(pl.col("source") == source)["exploitative"].mean()
        assert share >= 0.7, source
    assert (~events["exploitative"]).sum() > 0


def test_about_a_third_of_exploitative_businesses_are_caught_over_the_period(world):
    caught = set(world.events["entity_id"])
    rate = dict(world.businesses.group_by("exploitative")
                .agg(pl.col("entity_id").is_in(list(caught)).mean()).iter_rows())
    assert 0.18 <= rate[True] <= 0.45
    assert rate[False] < 0.02


def test_event_rates_follow_the_areas_enforcement_intensity(world):
    caught = world.events.group_by("entity_id").len()
    per_area = (world.businesses.filter(pl.col("exploitative"))
                .join(caught, on="entity_id", how="left").with_columns(pl.col("len").fill_null(0))
                .group_by("gss_code").agg(pl.col("len").sum(), pl.len().alias("n"))
                .join(world.authorities.select("gss_code", "enforcement_intensity"),
                      on="gss_code"))
    median = per_area["enforcement_intensity"].median()
    high = per_area.filter(pl.col("enforcement_intensity") > median)
    low = per_area.filter(pl.col("enforcement_intensity") <= median)
    assert high["len"].sum() / high["n"].sum() > 1.5 * low["len"].sum() / low["n"].sum()


def test_penalties_fall_in_quarters_2019q1_to_2026q3_with_published_amounts(events):
    penalties = events.filter(pl.col("source") == "illegal_working")
    assert penalties["period"].str.contains(r"^20(19|2[0-6])Q[1-4]$").all()
    assert penalties["period"].min() >= "2019Q1" and penalties["period"].max() <= "2026Q3"
    quarter = (penalties["event_date"].dt.year().cast(pl.String) + "Q"
               + penalties["event_date"].dt.quarter().cast(pl.String))
    assert (quarter == penalties["period"]).all()
    amounts = penalties["amount_gbp"]
    assert (amounts % 5000 == 0).all()
    assert amounts.min() >= 5_000 and amounts.max() <= 280_000
    per_worker = penalties["amount_gbp"] / penalties["workers"]
    assert per_worker.is_between(5_000, 60_000).all()
    assert penalties["event_date"].dt.year().n_unique() >= 6


def test_namings_come_in_a_few_rounds_a_year_with_arrears_in_pence(events):
    namings = events.filter(pl.col("source") == "nmw_naming")
    assert namings["period"].str.contains(r"^20\d\d-R[1-3]$").all()
    per_year = namings.group_by(pl.col("period").str.slice(0, 4).alias("year")).agg(
        pl.col("period").n_unique().alias("rounds"))
    assert per_year["rounds"].max() <= 3
    assert (namings.group_by("period").agg(pl.col("event_date").n_unique())["event_date"]
            == 1).all()
    assert (namings["amount_gbp"] != namings["amount_gbp"].round(0)).any()
    assert namings["amount_gbp"].min() >= 100 and namings["workers"].min() >= 1


def test_rows_are_numbered_within_each_publication_by_region_then_liable_party(events):
    for (_, _), publication in events.group_by("source", "period"):
        numbers = publication["record_id"].str.split("#").list.last().cast(pl.Int64)
        assert sorted(numbers) == list(range(1, publication.height + 1))
        ordered = publication.with_columns(n=numbers).sort("n")
        keys = list(zip(ordered["region"], ordered["liable_party"].str.to_lowercase(),
                        strict=True))
        assert keys == sorted(keys)
        prefix = publication["period"] + "#"
        assert publication["record_id"].str.starts_with(prefix[0]).all()


def test_addresses_end_in_the_county_or_region_and_postcodes_are_canonical(events):
    ends = [a.endswith(c) for a, c in events.select("address", "county").iter_rows()]
    assert sum(ends) / len(ends) >= 0.9
    assert events["postcode"].drop_nulls().str.contains(
        r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$").all()
    assert events["postcode"].null_count() < 0.05 * events.height


def test_sole_traders_are_named_as_people_and_companies_by_their_company_name(events):
    people = events.filter(pl.col("legal_form") == "sole_trader")["liable_party"]
    assert people.len() > 0
    assert not any(COMPANY_SUFFIX.search(p) for p in people)
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", p) for p in people)
    companies = events.filter(pl.col("legal_form") == "company")["liable_party"]
    assert sum(bool(COMPANY_SUFFIX.search(c)) for c in companies) == companies.len()


def test_a_business_caught_before_its_phoenix_rose_is_listed_under_the_old_company(world):
    successors = world.companies.filter(pl.col("previous_company_number").is_not_null())
    pairs = successors.join(world.companies.select(
        pl.col("company_number").alias("previous_company_number"),
        pl.col("company_name").alias("old_name")), on="previous_company_number")
    early = world.events.join(pairs, on="entity_id").filter(
        pl.col("event_date") < pl.col("incorporation_date"))
    assert early.height > 0

    def stem(name: str) -> str:
        return COMPANY_SUFFIX.sub("", name).strip().casefold()

    for party, old in early.select("liable_party", "old_name").iter_rows():
        assert stem(party) == stem(old)


def test_nrm_has_every_force_quarter_type_and_age_with_small_counts(world):
    nrm = world.nrm_referrals
    forces = world.authorities.select("pfa_code", "pfa_name").unique()
    assert nrm.select("pfa_code", "pfa_name").unique().sort("pfa_code").equals(
        forces.sort("pfa_code"))
    assert nrm["period"].n_unique() == 28
    assert nrm["period"].min() == "2019Q1" and nrm["period"].max() == "2025Q4"
    assert set(nrm["exploitation_type"]) == {"Labour", "Sexual", "Criminal",
                                             "Domestic servitude", "Not specified"}
    assert set(nrm["age_group"]) == {"Adult", "Child"}
    assert nrm.height == forces.height * 28 * 5 * 2
    assert nrm.select(pl.struct("pfa_code", "period", "exploitation_type", "age_group")
                      .is_unique().all()).item()
    assert 0.05 < (nrm["referrals"] < 5).mean() < 0.5
    totals = dict(nrm.group_by("pfa_name").agg(pl.col("referrals").sum()).iter_rows())
    assert totals["Metropolitan Police"] > totals["Police Scotland"]
    by_year = nrm.group_by(pl.col("period").str.slice(0, 4)).agg(pl.col("referrals").sum())
    yearly = dict(by_year.iter_rows())
    assert yearly["2025"] > yearly["2019"]
