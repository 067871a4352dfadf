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
import gc
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from heyrick_dagster.sample.sectors import rules_agree_on
from heyrick_dagster.sample.universe import AuthorityWorld
from heyrick_dagster.sample.world import SCHEMAS, World, validate_world
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
from heyrick_dagster.sample.world_company_names import make_unique
from heyrick_dagster.sample.world_enforcement import Registered, build_events
from heyrick_dagster.sample.world_exploitation import assign_exploitation
from heyrick_dagster.sample.world_inspections import earlier_inspections
from heyrick_dagster.sample.world_nrm import build_nrm
from heyrick_dagster.sample.world_other_companies import other_companies, other_officers
from heyrick_dagster.sample.world_places import (
    Place,
    authorities_frame,
    build_lsoas,
    nearest_lsoa,
    plan_places,
)
from heyrick_dagster.sample.world_postcodes import other_postcodes, postcodes_table, units_frame
from heyrick_dagster.sample.world_registry import (
    concat_contiguous,
    finalise,
    publish_officers,
    publish_people,
)

OTHER_COMPANIES_PER_PREMISES_SMALL = 5
NATIONAL_COMPANIES = 5_500_000
SHARED_OFFICER_MIN_COMPANIES = 3


def extract_date_for(seed: int) -> dt.date:
    """The day every source of the sample is "published": in November 2026, set by the seed."""
    return dt.date(2026, 11, 2) + dt.timedelta(days=random.Random(f"heyrick-extract:{seed}")
                                               .randrange(26))


def build_world(seed: int, scale: str) -> World:
    """The world of a seed and scale ("small" or "national"); raises ValueError for other scales.

    Built in two phases to bound memory at national scale: first everything drawn
    from the businesses' Python objects (~600k premises), with only the companies
    of the world's businesses registered; those objects are then dropped before
    the ~5M other companies of the register, their officers and people are drawn.
    """
    with _without_cycle_collection():
        return _build_world(seed, scale)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the world is built, then run once.

    The builder makes millions of small objects and almost no reference cycles (a
    few hundred at small scale), yet the collector kept walking the live ones: 12%
    of the national build's CPU time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _build_world(seed: int, scale: str) -> World:
    places = plan_places(seed, scale)
    extract = extract_date_for(seed)
    lsoas = build_lsoas(places, seed)
    worlds, drafts = build_businesses(places, seed, extract)
    units = units_frame(places, [w.streets for w in worlds])
    units = units.with_columns(lsoa_code=nearest_lsoa(lsoas, units))
    others = other_postcodes(places, lsoas, units, extract, seed, scale)
    units_of = _place_slices(others)

    ledger = _ledger(places, drafts, units_of, extract, seed)
    tables = _business_tables(places, lsoas, units, worlds, drafts, ledger, extract, seed)
    # The Python objects of every business and premises (~1 GB national). The sector-rule
    # cache goes too: its entries, spread over the heap, would keep most of it allocated.
    del worlds, drafts
    rules_agree_on.cache_clear()

    tables |= {
        "authorities": authorities_frame(places),
        "lsoas": lsoas.select("lsoa_code", "lsoa_name", "gss_code", "imd_rank", "imd_decile",
                              "imd_score", "income_score", "employment_score", "population",
                              "working_age_population"),
        "postcodes": postcodes_table(units, others, places, extract, seed),
    }
    del units
    tables |= _register(places, ledger, units_of, extract, seed, scale)
    world = World(seed=seed, scale=scale, extract_date=extract.isoformat(),
                  tables={name: tables[name] for name in SCHEMAS})
    validate_world(world)
    return world


@dataclass(frozen=True)
class _LedgerFrames:
    """The companies of the world's businesses (and their accountants), keys 0..n-1 with
    unique names, their officers and people: the head of the register."""

    companies: pl.DataFrame
    officers: pl.DataFrame
    people: pl.DataFrame


def _ledger(places: list[Place], drafts: list[BusinessDraft],
            units_of: Callable[[str], pl.DataFrame], extract: dt.date, seed: int
            ) -> _LedgerFrames:
    """Accountants' and businesses' companies; flags businesses with a serial director.

    Their names are made unique here, among themselves: they head the register,
    so the other companies, drawn later, can never take a name from them.
    """
    drafts_by_place: dict[str, list[BusinessDraft]] = {p.code: [] for p in places}
    for draft in drafts:
        drafts_by_place[draft.business.la_code].append(draft)

    def pools(code: str) -> AddressPool:
        return AddressPool.of(units_of(code))

    ledger = Ledger()
    offices = accountant_offices(places, drafts_by_place, pools, ledger, extract, seed)
    food_companies(places, drafts_by_place, offices, pools, ledger, extract, seed)
    companies = ledger.companies_frame()
    companies = companies.with_columns(company_name=make_unique(companies["company_name"]))
    officers = ledger.officers_frame()
    _flag_shared_officers(drafts, companies, officers)
    return _LedgerFrames(companies, officers, ledger.people.frame())


def _business_tables(places: list[Place], lsoas: pl.DataFrame, units: pl.DataFrame,
                     worlds: list[AuthorityWorld], drafts: list[BusinessDraft],
                     ledger: _LedgerFrames, extract: dt.date, seed: int
                     ) -> dict[str, pl.DataFrame]:
    """businesses, premises, inspections, events and nrm_referrals: what the businesses'
    drafts give."""
    food = ledger.companies.filter(pl.col("entity_id").is_not_null())
    registered = Registered(
        dict(zip(food["_key"], food["company_name"], strict=True)),
        dict(zip(food["_key"], food["incorporation_date"], strict=True)),
        dict(zip(food["_key"], food.select("reg_address_line_1", "reg_address_line_2",
                                           "reg_post_town", "reg_postcode").iter_rows(),
                 strict=True)))
    publish_under_company_names(drafts, registered.names, seed)
    lsoa_of_postcode = dict(zip(units["postcode"], units["lsoa_code"], strict=True))
    gss_by_code = {p.code: p.facts.gss_code for p in places}
    _set_deprivation(drafts, lsoas, lsoa_of_postcode, gss_by_code)
    assign_exploitation(drafts, seed)
    rate_premises(worlds, drafts, seed)
    population = dict(lsoas.group_by("gss_code").agg(pl.col("population").sum()).iter_rows())
    return {
        "businesses": businesses_frame(drafts, gss_by_code),
        "premises": premises_frame(drafts, lsoa_of_postcode),
        "inspections": earlier_inspections(worlds, drafts, extract, seed),
        "events": build_events(places, drafts, registered, extract, seed),
        "nrm_referrals": build_nrm(places, population, drafts, seed),
    }


def _register(places: list[Place], ledger: _LedgerFrames,
              units_of: Callable[[str], pl.DataFrame], extract: dt.date, seed: int, scale: str
              ) -> dict[str, pl.DataFrame]:
    """companies, officers, people: the ledger's, then every other company of the register.

    The other companies are drawn and numbered first; their officers and people
    are then drawn authority by authority straight into their published form.
    """
    n_premises = sum(p.n_premises for p in places)
    n_food = ledger.companies.height
    total_other = (OTHER_COMPANIES_PER_PREMISES_SMALL * n_premises if scale == "small"
                   else max(NATIONAL_COMPANIES - n_food, 0))
    population = {p.code: p.facts.population for p in places}
    all_population = sum(population.values())
    company_frames, states = [ledger.companies], []
    key = n_food
    for place in places:
        n = round(total_other * population[place.code] / all_population)
        frame, state = other_companies(place, n, units_of(place.code), extract, seed, key)
        company_frames.append(frame)
        states.append((key, frame.height, state))
        key += frame.height
    companies = finalise(concat_contiguous(company_frames))
    numbers = companies["company_number"]
    officers = [publish_officers(ledger.officers, numbers)]
    people = [publish_people(ledger.people, 0)]
    person = ledger.people.height
    for start, n, state in states:
        drawn, named = other_officers(companies.slice(start, n), state, person)
        officers.append(publish_officers(drawn, numbers))
        people.append(publish_people(named, person))
        person += named.height
    return {"companies": companies.select(list(SCHEMAS["companies"])),
            "officers": pl.concat(officers), "people": pl.concat(people)}


def _place_slices(others: pl.DataFrame) -> Callable[[str], pl.DataFrame]:
    """fsa_code -> that authority's rows of `others`, as zero-copy slices.

    other_postcodes writes each authority's units together; slicing them rather
    than grouping saves a copy of the national table (~600 MB).
    """
    spans = (others.with_row_index("_i").group_by("fsa_code", maintain_order=True)
             .agg(pl.col("_i").first().alias("start"), pl.len().alias("n"),
                  pl.col("_i").last().alias("last")))
    if (spans["last"] - spans["start"] + 1 != spans["n"]).any():
        raise AssertionError("an authority's non-premises units are not contiguous")
    bounds = {code: (start, n) for code, start, n in spans.select("fsa_code", "start", "n")
              .iter_rows()}
    return lambda code: others.slice(*bounds[code])


def _flag_shared_officers(drafts: list[BusinessDraft], ledger_companies: pl.DataFrame,
                          ledger_officers: pl.DataFrame) -> None:
    """A business's company has an officer who sits on 3+ small food companies.

    Read from the ledger (the companies of the world's businesses and their
    officers) rather than the whole register: no other company has a food
    business's officers, and the national officers table has ~13M rows.
    """
    food = ledger_companies.filter(pl.col("entity_id").is_not_null()).select(
        pl.col("_key").alias("_company_key"))
    on_food = ledger_officers.join(food, on="_company_key")
    serial = (on_food.group_by("_person_key")
              .agg(pl.col("_company_key").n_unique().alias("n"))
              .filter(pl.col("n") >= SHARED_OFFICER_MIN_COMPANIES))
    flagged = set(on_food.join(serial, on="_person_key")["_company_key"].to_list())
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
