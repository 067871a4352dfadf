"""Businesses and their premises: who trades where, in what legal form, and how well run.

The premises themselves come from `universe.AuthorityWorld` (sectors, chains,
names the documented sector rules classify, addresses, mess). Here each
business also gets a legal form (most takeaways and convenience stores are
companies, some are sole traders or partnerships), a compliance grade (how
well it is run, which drives its inspection scores and its exploitation
risk) and, for sole traders and partners, the people whose names it trades under.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

import polars as pl

from heyrick_dagster.sample import names, ratings
from heyrick_dagster.sample import sectors as s
from heyrick_dagster.sample.universe import AuthorityWorld, Business, FhrsidAllocator, Premises
from heyrick_dagster.sample.world_places import Place
from heyrick_dagster.sample.world_random import py_rng

COMPANY, SOLE_TRADER, PARTNERSHIP = "company", "sole_trader", "partnership"
# (company, sole trader, partnership) shares by sector.
LEGAL_FORM_SHARES = {
    s.HOT_FOOD_TAKEAWAY: (0.78, 0.18, 0.04),
    s.CONVENIENCE_STORE: (0.80, 0.16, 0.04),
    s.RESTAURANT_CAFE: (0.76, 0.19, 0.05),
    s.OTHER: (0.62, 0.30, 0.08),
}
# Premises types run by organisations, never by one person.
_ALWAYS_COMPANY_TYPES = {names.SCHOOL, names.CARING, names.HOTEL, names.MANUFACTURER,
                         names.DISTRIBUTOR, names.IMPORTER, s.SUPERMARKET}
_LOOKS_LIMITED = re.compile(r"\b(ltd\.?|limited)$", re.IGNORECASE)
# How often a chain's premises is run differently from the business as a whole.
PREMISES_GRADE_REDRAW = 0.25
# How long sole traders and partnerships have traded (mean years).
UNINCORPORATED_MEAN_YEARS = 7.0


@dataclass(slots=True)
class BusinessDraft:
    """A business while the world is being built; `businesses_frame` publishes it."""

    business: Business
    premises: list[Premises]
    legal_form: str
    grade: str
    proprietors: tuple[str, ...]  # "Forename Surname" of a sole trader or the partners
    trading_since: dt.date | None = None
    phoenix: bool = False
    recent_incorporation: bool = False
    shared_officers: bool = False
    deprivation_z: float = 0.0
    deprivation_decile: int | None = None
    exploitation_propensity: float = 0.0
    exploitative: bool = False
    # company numbers' internal keys, oldest first (a phoenix's predecessor, then the current)
    company_keys: list[int] = field(default_factory=list)

    @property
    def entity_id(self) -> str:
        return self.business.entity_id

    @property
    def sector(self) -> str:
        return self.business.sector


def years_trading(mean: float, rng: random.Random) -> float:
    """Exponential with this mean, redrawn evenly below 30 years when longer (no pile-up)."""
    years = rng.expovariate(1 / mean)
    return years if years < 30.0 else rng.uniform(0.0, 30.0)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(names.FIRST_NAMES)} {rng.choice(names.LAST_NAMES)}"


def _legal_form(business: Business, rng: random.Random) -> str:
    if (business.n_premises > 1 or business.business_type in _ALWAYS_COMPANY_TYPES
            or _LOOKS_LIMITED.search(business.trading_name)):
        return COMPANY
    return rng.choices((COMPANY, SOLE_TRADER, PARTNERSHIP),
                       weights=LEGAL_FORM_SHARES[business.sector])[0]


def build_businesses(places: list[Place], seed: int, extract_date: dt.date
                     ) -> tuple[list[AuthorityWorld], list[BusinessDraft]]:
    """Every place's businesses and premises (no inspection outcomes yet), in place order."""
    fhrsids = FhrsidAllocator(random.Random(f"heyrick-fhrsid:{seed}"))
    worlds, drafts = [], []
    next_entity = 1
    for place in places:
        world = AuthorityWorld(place.authority, place.n_premises, extract_date,
                               py_rng(seed, "businesses", place.code), fhrsids, place.template)
        businesses, premises = world.build(next_entity)
        next_entity += len(businesses)
        by_entity: dict[str, list[Premises]] = {}
        for p in premises:
            by_entity.setdefault(p.entity_id, []).append(p)
        rng = py_rng(seed, "legal-forms", place.code)
        for business in businesses:
            form = _legal_form(business, rng)
            people = ()
            if form == SOLE_TRADER:
                people = (person_name(rng),)
            elif form == PARTNERSHIP:
                people = (person_name(rng), person_name(rng))
            draft = BusinessDraft(business, by_entity[business.entity_id], form,
                                  ratings.draw_grade(business.sector, rng), people)
            if form != COMPANY:
                years = years_trading(UNINCORPORATED_MEAN_YEARS, rng)
                draft.trading_since = extract_date - dt.timedelta(days=30 + int(years * 365))
            drafts.append(draft)
        worlds.append(world)
    return worlds, drafts


def rate_premises(worlds: list[AuthorityWorld], drafts: list[BusinessDraft], seed: int) -> None:
    """Inspection outcomes, once exploitation is known (exploitative ones lose more points)."""
    world_by_code = {w.authority.code: w for w in worlds}
    rngs = {code: py_rng(seed, "ratings", code) for code in world_by_code}
    for draft in drafts:
        code = draft.business.la_code
        rng = rngs[code]
        for p in draft.premises:
            grade = draft.grade
            if draft.business.n_premises > 1 and rng.random() < PREMISES_GRADE_REDRAW:
                grade = ratings.draw_grade(draft.sector, rng)
            world_by_code[code].rate(p, grade, draft.exploitative, rng)


_PREMISES_SCHEMA = {
    "fhrsid": pl.String, "entity_id": pl.String, "sector": pl.String, "fsa_code": pl.String,
    "business_name": pl.String, "address_line_1": pl.String, "postcode": pl.String,
    "lsoa_code": pl.String, "score_confidence_in_management": pl.Int64,
    "rating_numeric": pl.Int64, "la_business_id": pl.String, "business_type": pl.String,
    "address_line_2": pl.String, "address_line_3": pl.String, "address_line_4": pl.String,
    "postcode_published": pl.String, "rating_value": pl.String, "rating_key": pl.String,
    "rating_date": pl.Date, "score_hygiene": pl.Int64, "score_structural": pl.Int64,
    "new_rating_pending": pl.Boolean, "latitude": pl.Float64, "longitude": pl.Float64,
}


def premises_frame(drafts: list[BusinessDraft], lsoa_of_postcode: dict[str, str]
                   ) -> pl.DataFrame:
    rows: dict[str, list] = {k: [] for k in _PREMISES_SCHEMA}
    for draft in drafts:
        for p in draft.premises:
            scores = p.outcome.scores or (None, None, None)
            geocode = p.geocoded and p.unit is not None
            rows["fhrsid"].append(str(p.fhrsid))
            rows["entity_id"].append(p.entity_id)
            rows["sector"].append(p.sector)
            rows["fsa_code"].append(p.la_code)
            rows["business_name"].append(p.name)
            for i, line in enumerate(p.address, start=1):
                rows[f"address_line_{i}"].append(line)
            rows["postcode"].append(p.postcode_clean)
            rows["lsoa_code"].append(lsoa_of_postcode[p.unit.postcode] if p.unit else None)
            rows["score_hygiene"].append(scores[0])
            rows["score_structural"].append(scores[1])
            rows["score_confidence_in_management"].append(scores[2])
            value = p.outcome.rating_value
            rows["rating_numeric"].append(int(value) if value.isdigit() else None)
            rows["la_business_id"].append(p.la_business_id)
            rows["business_type"].append(p.business_type)
            rows["postcode_published"].append(p.postcode)
            rows["rating_value"].append(value)
            rows["rating_key"].append(p.outcome.rating_key)
            rows["rating_date"].append(p.rating_date)
            rows["new_rating_pending"].append(p.new_rating_pending)
            rows["latitude"].append(p.unit.latitude_micro / 1e6 if geocode else None)
            rows["longitude"].append(p.unit.longitude_micro / 1e6 if geocode else None)
    return pl.DataFrame(rows, schema=_PREMISES_SCHEMA)


def businesses_frame(drafts: list[BusinessDraft], gss_by_fsa: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({
        "entity_id": [d.entity_id for d in drafts],
        "sector": [d.sector for d in drafts],
        "trading_name": [d.business.trading_name for d in drafts],
        "legal_form": [d.legal_form for d in drafts],
        "gss_code": [gss_by_fsa[d.business.la_code] for d in drafts],
        "n_premises": [d.business.n_premises for d in drafts],
        "phoenix": [d.phoenix for d in drafts],
        "recent_incorporation": [d.recent_incorporation for d in drafts],
        "shared_officers": [d.shared_officers for d in drafts],
        "exploitation_propensity": [round(d.exploitation_propensity, 6) for d in drafts],
        "exploitative": [d.exploitative for d in drafts],
    }, schema={"entity_id": pl.String, "sector": pl.String, "trading_name": pl.String,
               "legal_form": pl.String, "gss_code": pl.String, "n_premises": pl.Int64,
               "phoenix": pl.Boolean, "recent_incorporation": pl.Boolean,
               "shared_officers": pl.Boolean, "exploitation_propensity": pl.Float64,
               "exploitative": pl.Boolean})
