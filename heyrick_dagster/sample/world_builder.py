"""Builds the one coherent synthetic universe every sample writer draws from.

    from heyrick_dagster.sample.world_builder import build_world
    world = build_world(seed=20261127, scale="small")   # a world.World

Order matters because each step feeds the next: places and their deprivation;
businesses and premises (sector, names, addresses); postcodes around them;
companies, accountants and people (legal form, phoenixes, serial directors);
then the latent exploitation drawn from all of that; then what it shows --
inspection scores, enforcement events, NRM referrals. The same seed gives the
same tables; every component draws from its own seeded generator
(world_random), never from global random state.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from heyrick_dagster.sample.world import World, validate_world
from heyrick_dagster.sample.world_businesses import (
    BusinessDraft,
    build_businesses,
    businesses_frame,
    premises_frame,
    rate_premises,
)
from heyrick_dagster.sample.world_companies import (
    AddressPool,
    Ledger,
    accountant_offices,
    food_companies,
    publish_under_company_names,
)
from heyrick_dagster.sample.world_enforcement import Registered, build_events
from heyrick_dagster.sample.world_exploitation import assign_exploitation
from heyrick_dagster.sample.world_nrm import build_nrm
from heyrick_dagster.sample.world_other_companies import other_companies
from heyrick_dagster.sample.world_places import (
    Place,
    authorities_frame,
    build_lsoas,
    nearest_lsoa,
    plan_places,
)
from heyrick_dagster.sample.world_postcodes import other_postcodes, postcodes_table, units_frame
from heyrick_dagster.sample.world_registry import finalise

OTHER_COMPANIES_PER_PREMISES_SMALL = 5
NATIONAL_COMPANIES = 5_500_000
SHARED_OFFICER_MIN_COMPANIES = 3


def extract_date_for(seed: int) -> dt.date:
    """The day every source of the sample is "published": in November 2026, set by the seed."""
    return dt.date(2026, 11, 2) + dt.timedelta(days=random.Random(f"heyrick-extract:{seed}")
                                               .randrange(26))


def build_world(seed: int, scale: str) -> World:
    """The world of a seed and scale ("small" or "national"); raises ValueError for other scales."""
    places = plan_places(seed, scale)
    extract = extract_date_for(seed)
    lsoas = build_lsoas(places, seed)
    worlds, drafts = build_businesses(places, seed, extract)
    units = units_frame(places, [w.streets for w in worlds])
    units = units.with_columns(lsoa_code=nearest_lsoa(lsoas, units))
    others = other_postcodes(places, lsoas, units, extract, seed, scale)

    companies, officers, people = _register(places, drafts, others, extract, seed, scale)
    food = companies.filter(pl.col("entity_id").is_not_null())
    registered = Registered(
        dict(zip(food["_key"], food["company_name"], strict=True)),
        dict(zip(food["_key"], food["incorporation_date"], strict=True)),
        dict(zip(food["_key"], food.select("reg_address_line_1", "reg_address_line_2",
                                           "reg_post_town", "reg_postcode").iter_rows(),
                 strict=True)))
    publish_under_company_names(drafts, registered.names, seed)
    _flag_shared_officers(drafts, companies, officers)
    lsoa_of_postcode = dict(zip(units["postcode"], units["lsoa_code"], strict=True))
    gss_by_code = {p.code: p.facts.gss_code for p in places}
    _set_deprivation(drafts, lsoas, lsoa_of_postcode, gss_by_code)
    assign_exploitation(drafts, seed)
    rate_premises(worlds, drafts, seed)

    population = dict(lsoas.group_by("gss_code").agg(pl.col("population").sum()).iter_rows())
    tables = {
        "authorities": authorities_frame(places),
        "lsoas": lsoas.select("lsoa_code", "lsoa_name", "gss_code", "imd_rank", "imd_decile",
                              "imd_score", "income_score", "employment_score", "population",
                              "working_age_population"),
        "postcodes": postcodes_table(units, others, places, extract, seed),
        "businesses": businesses_frame(drafts, gss_by_code),
        "premises": premises_frame(drafts, lsoa_of_postcode),
        "companies": companies.select(
            "company_number", "company_name", "entity_id", "company_category",
            "company_status", "incorporation_date", "dissolution_date", "reg_address_line_1",
            "reg_address_line_2", "reg_post_town", "reg_postcode", "reg_at_accountant",
            "sic_codes", "previous_company_number"),
        "people": people,
        "officers": officers,
        "events": build_events(places, drafts, registered, extract, seed),
        "nrm_referrals": build_nrm(places, population, drafts, seed),
    }
    world = World(seed=seed, scale=scale, extract_date=extract.isoformat(), tables=tables)
    validate_world(world)
    return world


def _register(places: list[Place], drafts: list[BusinessDraft], others: pl.DataFrame,
              extract: dt.date, seed: int, scale: str
              ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Every company of the register (food ones first), its officers and its people."""
    drafts_by_place: dict[str, list[BusinessDraft]] = {p.code: [] for p in places}
    for draft in drafts:
        drafts_by_place[draft.business.la_code].append(draft)
    by_place = {code: group for (code,), group in others.group_by("fsa_code")}

    def pools(code: str) -> AddressPool:
        return AddressPool.of(by_place[code])

    ledger = Ledger()
    offices = accountant_offices(places, drafts_by_place, pools, ledger, extract, seed)
    food_companies(places, drafts_by_place, offices, pools, ledger, extract, seed)

    n_premises = sum(p.n_premises for p in places)
    n_food = len(ledger.companies["_key"])
    total_other = (OTHER_COMPANIES_PER_PREMISES_SMALL * n_premises if scale == "small"
                   else max(NATIONAL_COMPANIES - n_food, 0))
    population = {p.code: p.facts.population for p in places}
    all_population = sum(population.values())
    company_frames, officer_frames = [ledger.companies_frame()], [ledger.officers_frame()]
    people_frames = [ledger.people.frame()]
    key, person = n_food, len(ledger.people.names)
    for place in places:
        n = round(total_other * population[place.code] / all_population)
        frames = other_companies(place, n, by_place[place.code], extract, seed, key, person)
        company_frames.append(frames[0])
        officer_frames.append(frames[1])
        people_frames.append(frames[2])
        key += frames[0].height
        person += frames[2].height
    return finalise(pl.concat(company_frames), pl.concat(officer_frames),
                    pl.concat(people_frames))


def _flag_shared_officers(drafts: list[BusinessDraft], companies: pl.DataFrame,
                          officers: pl.DataFrame) -> None:
    """A business's company has an officer who sits on 3+ small food companies."""
    food = companies.filter(pl.col("entity_id").is_not_null()).select("_key", "company_number")
    on_food = officers.join(food, on="company_number")
    serial = (on_food.group_by("person_id").agg(pl.col("company_number").n_unique().alias("n"))
              .filter(pl.col("n") >= SHARED_OFFICER_MIN_COMPANIES))
    flagged = set(on_food.join(serial, on="person_id")["_key"].to_list())
    for draft in drafts:
        draft.shared_officers = bool(draft.company_keys) and draft.company_keys[-1] in flagged


def _set_deprivation(drafts: list[BusinessDraft], lsoas: pl.DataFrame,
                     lsoa_of_postcode: dict[str, str], gss_by_code: dict[str, str]) -> None:
    """A business takes the deprivation of its first located premises' LSOA (else its area's)."""
    z_of = dict(zip(lsoas["lsoa_code"], lsoas["_deprivation_z"], strict=True))
    area_mean = dict(lsoas.group_by("gss_code").agg(pl.col("_deprivation_z").mean()).iter_rows())
    for draft in drafts:
        located = next((p for p in draft.premises if p.unit is not None), None)
        draft.deprivation_z = float(
            z_of[lsoa_of_postcode[located.unit.postcode]] if located is not None
            else area_mean[gss_by_code[draft.business.la_code]])
