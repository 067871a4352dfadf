"""Businesses of the synthetic world: legal forms, companies, phoenixes, officers, exploitation."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from heyrick_dagster.sample.sic import SIC_TEXT
from heyrick_dagster.sample.world_builder import build_world
from heyrick_dagster.sample.world_company_names import title

SEED = 20261127
FOOD = ("hot_food_takeaway", "convenience_store")
SUFFIX = re.compile(r" (LTD|LIMITED|LLP|LP|PLC|CIC|ASSOCIATION|COMPANY)$")


@pytest.fixture(scope="module")
def world():
    return build_world(SEED, "small")


@pytest.fixture(scope="module")
def current(world):
    """Each company-run business's current company (the one no other company succeeded)."""
    linked = world.companies.filter(pl.col("entity_id").is_not_null())
    replaced = set(linked["previous_company_number"].drop_nulls())
    return linked.filter(~pl.col("company_number").is_in(list(replaced)))


def test_most_takeaways_and_convenience_stores_are_companies_and_some_sole_traders(world):
    forms = world.businesses.filter(pl.col("sector").is_in(FOOD))["legal_form"]
    assert 0.7 <= (forms == "company").mean() <= 0.9
    assert 0.08 <= (forms == "sole_trader").mean() <= 0.25
    assert (forms == "partnership").sum() > 0
    chains = world.businesses.filter(pl.col("n_premises") > 1)
    assert (chains["legal_form"] == "company").all()


def test_each_company_run_business_has_one_current_company_and_others_none(world, current):
    assert current["entity_id"].is_unique().all()
    companies = set(world.businesses.filter(pl.col("legal_form") == "company")["entity_id"])
    assert set(current["entity_id"]) == companies


def test_registered_names_are_upper_case_with_a_legal_suffix_and_often_differ_from_the_shop(
        world, current):
    names = world.companies["company_name"]
    assert (names == names.str.to_uppercase()).all()
    assert names.str.contains(SUFFIX.pattern).mean() > 0.97
    joined = current.join(world.businesses.select("entity_id", "trading_name"), on="entity_id")
    same_stem = sum(SUFFIX.sub("", c).startswith(t.upper())
                    for c, t in joined.select("company_name", "trading_name").iter_rows())
    assert 0.25 <= same_stem / joined.height <= 0.75


def test_about_a_fifth_are_registered_at_an_accountant_and_the_rest_at_their_premises(
        world, current):
    share = current["reg_at_accountant"].mean()
    assert 0.12 <= share <= 0.3
    premises_postcodes = world.premises.group_by("entity_id").agg(pl.col("postcode"))
    at_premises = current.filter(~pl.col("reg_at_accountant")).join(premises_postcodes,
                                                                     on="entity_id")
    at_own = at_premises.select(pl.col("postcode").list.contains(pl.col("reg_postcode"))).mean()
    assert at_own.item() > 0.85  # the rest are mobile traders registered at home
    accountants = current.filter(pl.col("reg_at_accountant"))
    firms = world.companies.filter(pl.col("sic_codes").list.contains("69201"))
    assert set(accountants["reg_postcode"]) <= set(firms["reg_postcode"])


def test_company_numbers_follow_incorporation_dates_within_each_series(world):
    companies = world.companies
    extract = dt.date.fromisoformat(world.extract_date)
    assert companies["incorporation_date"].max() < extract
    dissolved = companies.filter(pl.col("dissolution_date").is_not_null())
    assert (dissolved["dissolution_date"] > dissolved["incorporation_date"]).all()
    assert (dissolved["dissolution_date"] < extract).all()
    assert set(dissolved["company_status"]) == {"Dissolved"}
    assert companies["company_number"].str.contains(r"^(\d{8}|(SC|OC|SO|LP|SL)\d{6})$").all()
    scottish = companies.filter(pl.col("company_number").str.starts_with("SC"))
    assert scottish.height > 0
    ordinary = companies.filter(pl.col("company_number").str.contains(r"^\d{8}$"))
    assert ordinary.sort("company_number")["incorporation_date"].is_sorted()


def test_most_of_the_register_runs_no_premises_in_the_world(world):
    unlinked = world.companies.filter(pl.col("entity_id").is_null())
    assert 4.5 <= unlinked.height / world.premises.height <= 5.5
    assert 0.1 <= (unlinked["company_status"] == "Dissolved").mean() <= 0.25
    codes = unlinked["sic_codes"].explode()
    assert codes.n_unique() >= 20
    assert codes.is_in(["56101", "56103", "47110"]).sum() > 0  # food companies trading elsewhere
    assert unlinked["sic_codes"].list.len().is_between(1, 4).all()


def test_a_phoenix_shares_address_and_officers_with_its_dissolved_predecessor(world, current):
    successors = world.companies.filter(pl.col("previous_company_number").is_not_null())
    assert successors.height > 0
    pairs = successors.join(world.companies, left_on="previous_company_number",
                            right_on="company_number", suffix="_old")
    assert pairs.height == successors.height
    assert (pairs["entity_id"] == pairs["entity_id_old"]).all()
    assert set(pairs["company_status_old"]) == {"Dissolved"}
    assert (pairs["reg_postcode"] == pairs["reg_postcode_old"]).all()
    assert (pairs["reg_address_line_1"] == pairs["reg_address_line_1_old"]).all()
    gap = (pairs["dissolution_date_old"] - pairs["incorporation_date"]).dt.total_days()
    assert gap.is_between(-365, 366).all()
    directors = world.officers.filter(
        (pl.col("role") == "director") & pl.col("resigned_on").is_null()
    ).group_by("company_number").agg(pl.col("person_id"))
    people = dict(directors.iter_rows())
    for new, old in pairs.select("company_number", "previous_company_number").iter_rows():
        assert set(people[old]) <= set(people[new])
    flagged = set(world.businesses.filter(pl.col("phoenix"))["entity_id"])
    assert flagged == set(successors["entity_id"])


def test_recent_incorporation_means_the_current_company_is_under_two_years_old(world, current):
    extract = dt.date.fromisoformat(world.extract_date)
    recent = current.select("entity_id", (pl.lit(extract) - pl.col("incorporation_date"))
                            .dt.total_days().lt(730).alias("recent"))
    joined = world.businesses.join(recent, on="entity_id", how="left").with_columns(
        pl.col("recent").fill_null(False))
    assert (joined["recent"] == joined["recent_incorporation"]).all()
    assert 0.1 <= joined.filter(pl.col("legal_form") == "company")["recent"].mean() <= 0.4


def test_shared_officers_means_an_officer_sits_on_three_or_more_food_companies(world, current):
    food = world.companies.filter(pl.col("entity_id").is_not_null()).select("company_number")
    on_food = world.officers.join(food, on="company_number")
    serial = on_food.group_by("person_id").agg(pl.col("company_number").n_unique().alias("n"))
    serial = set(serial.filter(pl.col("n") >= 3)["person_id"])
    with_serial = set(on_food.filter(pl.col("person_id").is_in(list(serial)))["company_number"])
    expected = set(current.filter(pl.col("company_number").is_in(list(with_serial)))["entity_id"])
    assert expected
    assert set(world.businesses.filter(pl.col("shared_officers"))["entity_id"]) == expected


def test_about_eight_percent_are_exploitative_more_in_takeaways_and_convenience_stores(world):
    businesses = world.businesses
    overall = businesses["exploitative"].mean()
    assert 0.05 <= overall <= 0.11
    rate = dict(businesses.group_by("sector").agg(pl.col("exploitative").mean()).iter_rows())
    for sector in FOOD:
        assert rate[sector] > 1.5 * overall > rate["other"]
    assert businesses["exploitation_propensity"].is_between(0, 1).all()
    assert businesses["exploitation_propensity"].mean() == pytest.approx(0.08, abs=0.005)


def test_the_propensity_rises_with_each_risk_trait(world):
    businesses = world.businesses.filter(pl.col("legal_form") == "company")
    for trait in ("phoenix", "recent_incorporation", "shared_officers"):
        by = dict(businesses.group_by(trait).agg(pl.col("exploitation_propensity").mean())
                  .iter_rows())
        assert by[True] > 1.3 * by[False], trait
    exploitative = dict(world.businesses.group_by("exploitative")
                        .agg(pl.col("exploitation_propensity").mean()).iter_rows())
    assert exploitative[True] > 2 * exploitative[False]


def test_exploitative_premises_lose_more_confidence_in_management_points(world):
    scored = world.premises.filter(pl.col("score_confidence_in_management").is_not_null()).join(
        world.businesses.select("entity_id", "exploitative"), on="entity_id")
    means = dict(scored.group_by("exploitative")
                 .agg(pl.col("score_confidence_in_management").mean()).iter_rows())
    assert means[True] > means[False] + 3
    assert scored["score_confidence_in_management"].is_in([0, 5, 10, 20, 30]).all()


def test_a_few_premises_are_published_under_their_company_name(world, current):
    names = set(title(n) for n in current["company_name"])
    published = world.premises["business_name"].is_in(list(names)).sum()
    assert 0.005 * world.premises.height <= published <= 0.05 * world.premises.height


def test_officers_are_named_as_the_register_names_them(world):
    people = world.people
    assert people["name"].str.contains(r"^[A-Z][A-Z' -]+, [A-Z][a-z]").all()
    assert people["birth_month"].is_between(1, 12).all()
    assert people["birth_year"].is_between(1930, 2008).all()
    assert people["nationality"].n_unique() > 10
    psc_start = dt.date(2016, 4, 6)
    assert (world.officers.filter(pl.col("role") == "psc")["appointed_on"] >= psc_start).all()


def test_every_sic_code_of_the_register_has_its_published_text(world):
    codes = set(world.companies["sic_codes"].explode().drop_nulls())
    assert codes <= set(SIC_TEXT), sorted(codes - set(SIC_TEXT))
    food = world.companies.filter(pl.col("entity_id").is_not_null())["sic_codes"].explode()
    assert {"56103", "56101", "47110"} <= set(food)
