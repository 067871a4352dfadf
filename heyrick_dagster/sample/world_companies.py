"""The companies behind food businesses, the accountants they use, and the people who run them.

A company-run business gets a registered name (see world_company_names), an
incorporation date, a registered office at its premises or (~20%) at an
accountant's office elsewhere, 1-3 directors and PSCs, and SIC codes for
its trade. Some are phoenixes: the old company is dissolved and a new one
incorporated at the same address with the same people. In each authority a
few serial directors sit on three or more small food companies. A few premises
are published on the food register under their company's name.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from heyrick_dagster.sample import names, sic
from heyrick_dagster.sample import sectors as s
from heyrick_dagster.sample.world_businesses import COMPANY, BusinessDraft, years_trading
from heyrick_dagster.sample.world_company_names import registered_name, successor_name, title
from heyrick_dagster.sample.world_people import PeopleBook
from heyrick_dagster.sample.world_places import Place
from heyrick_dagster.sample.world_random import py_rng

PRIVATE_LIMITED = "Private Limited Company"
BY_GUARANTEE = "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)"
PHOENIX_SHARE = {s.HOT_FOOD_TAKEAWAY: 0.10, s.CONVENIENCE_STORE: 0.09, s.RESTAURANT_CAFE: 0.07,
                 s.OTHER: 0.025}
MEAN_COMPANY_AGE_YEARS = {s.HOT_FOOD_TAKEAWAY: 5.5, s.CONVENIENCE_STORE: 6.5,
                          s.RESTAURANT_CAFE: 6.5, s.OTHER: 10.0}
AT_ACCOUNTANT_SHARE = 0.2
OUT_OF_AREA_ACCOUNTANT_SHARE = 0.15
COMPANIES_PER_ACCOUNTANT = 30
SERIAL_DIRECTOR_SHARE = 0.015  # serial directors per current food company
PUBLISHED_AS_COMPANY_SHARE = 0.04  # premises the food register lists under the company name
PSC_REGISTER_START = dt.date(2016, 4, 6)
RECENT_DAYS = 730
# Sectors whose companies serial directors collect, with how strongly they prefer them.
_SERIAL_SECTOR_WEIGHTS = {s.HOT_FOOD_TAKEAWAY: 3.0, s.CONVENIENCE_STORE: 3.0,
                          s.RESTAURANT_CAFE: 1.5, s.OTHER: 0.2}
_OFFICE_BUILDINGS = ("{word} House", "Suite {n}, {word} House", "First Floor", "Unit {n}",
                     "{word} Chambers", "{word} Business Centre", "Office {n}")
_ACCOUNTANT_NAMES = ("{last} & CO ACCOUNTANTS", "{last} {last} ASSOCIATES",
                     "{word} ACCOUNTANCY SERVICES", "{i}{i} ACCOUNTANTS", "{last} TAX SERVICES")


@dataclass(frozen=True)
class Office:
    line_1: str
    line_2: str
    town: str
    postcode: str
    fsa_code: str


@dataclass(frozen=True)
class AddressPool:
    """The live non-premises postcodes of one authority, with a street each."""

    postcodes: list[str]
    streets: list[str]
    first_numbers: list[int]

    @classmethod
    def of(cls, units: pl.DataFrame) -> AddressPool:
        live = units.filter(pl.col("terminated").is_null())
        return cls(live["postcode"].to_list(), live["street"].to_list(),
                   live["first_number"].to_list())

    def address(self, rng: random.Random) -> tuple[str, str]:
        """(street line, postcode) of a random address in the pool."""
        i = rng.randrange(len(self.postcodes))
        number = self.first_numbers[i] + 2 * rng.randint(0, 12)
        return f"{number} {self.streets[i]}", self.postcodes[i]


# An authority's pool, made when asked for: at national scale all pools at once
# would hold millions of Python strings.
PoolSource = Callable[[str], AddressPool]


@dataclass
class Ledger:
    """Companies and officers drawn one at a time, keyed by an internal integer."""

    people: PeopleBook = field(default_factory=PeopleBook)
    companies: dict[str, list] = field(default_factory=lambda: {k: [] for k in _LEDGER_COLUMNS})
    officers: dict[str, list] = field(default_factory=lambda: {k: [] for k in _OFFICER_COLUMNS})

    def add_company(self, **values) -> int:
        key = len(self.companies["_key"])
        values["_key"] = key
        for column in _LEDGER_COLUMNS:
            self.companies[column].append(values.get(column))
        return key

    def add_officer(self, company: int, person: int, role: str, appointed: dt.date,
                    resigned: dt.date | None = None) -> None:
        for column, value in zip(_OFFICER_COLUMNS, (company, person, role, appointed, resigned),
                                 strict=True):
            self.officers[column].append(value)

    def companies_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.companies, schema=_LEDGER_COLUMNS)

    def officers_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.officers, schema=_OFFICER_COLUMNS)


_LEDGER_COLUMNS = {
    "_key": pl.Int64, "company_name": pl.String, "entity_id": pl.String,
    "company_category": pl.String, "company_status": pl.String,
    "incorporation_date": pl.Date, "dissolution_date": pl.Date,
    "reg_address_line_1": pl.String, "reg_address_line_2": pl.String,
    "reg_post_town": pl.String, "reg_postcode": pl.String, "reg_at_accountant": pl.Boolean,
    "sic_codes": pl.List(pl.String), "_previous_key": pl.Int64, "_country": pl.String,
}
_OFFICER_COLUMNS = {"_company_key": pl.Int64, "_person_key": pl.Int64, "role": pl.String,
                    "appointed_on": pl.Date, "resigned_on": pl.Date}


def _fill(pattern: str, rng: random.Random) -> str:
    text = pattern.replace("{n}", str(rng.randint(1, 40)))
    for key, pool in (("{last}", names.LAST_NAMES), ("{word}", names.WORDS)):
        while key in text:
            text = text.replace(key, rng.choice(pool), 1)
    while "{i}" in text:
        text = text.replace("{i}", rng.choice("ABDGHJKMNPRSTZ"), 1)
    return text


def _cased(text: str | None, upper: bool) -> str | None:
    return text.upper() if text and upper else text


def accountant_offices(places: list[Place], drafts_by_place: dict[str, list[BusinessDraft]],
                       pools: PoolSource, ledger: Ledger, extract: dt.date,
                       seed: int) -> dict[str, list[Office]]:
    """Each authority's accountants: an office address, and the firm as a company there."""
    offices: dict[str, list[Office]] = {}
    for place in places:
        rng = py_rng(seed, "accountants", place.code)
        pool = pools(place.code)
        n_companies = sum(d.legal_form == COMPANY for d in drafts_by_place[place.code])
        local = []
        for _ in range(max(3, round(n_companies / COMPANIES_PER_ACCOUNTANT))):
            street_line, postcode = pool.address(rng)
            office = Office(_fill(rng.choice(_OFFICE_BUILDINGS), rng), street_line,
                            place.template.town, postcode, place.code)
            local.append(office)
            upper = rng.random() < 0.85
            ledger.add_company(
                company_name=_fill(rng.choice(_ACCOUNTANT_NAMES), rng).upper()
                + (" LTD" if rng.random() < 0.6 else " LIMITED"),
                company_category=PRIVATE_LIMITED, company_status="Active",
                incorporation_date=extract - dt.timedelta(days=rng.randint(2 * 365, 25 * 365)),
                reg_at_accountant=False,
                reg_address_line_1=_cased(office.line_1, upper),
                reg_address_line_2=_cased(office.line_2, upper),
                reg_post_town=_cased(office.town, upper), reg_postcode=postcode,
                sic_codes=["69201"], _country=place.facts.country)
        offices[place.code] = local
    return offices


@dataclass
class _Context:
    place: Place
    rng: random.Random
    extract: dt.date
    ledger: Ledger
    offices: list[Office]
    all_offices: list[Office]
    pool: AddressPool


def food_companies(places: list[Place], drafts_by_place: dict[str, list[BusinessDraft]],
                   offices: dict[str, list[Office]], pools: PoolSource,
                   ledger: Ledger, extract: dt.date, seed: int) -> None:
    """Companies (and their officers) for every company-run business, then serial directors."""
    all_offices = [o for place in places for o in offices[place.code]]
    for place in places:
        ctx = _Context(place, py_rng(seed, "food-companies", place.code), extract, ledger,
                       offices[place.code], all_offices, pools(place.code))
        drafts = drafts_by_place[place.code]
        current: list[tuple[BusinessDraft, int, dt.date]] = []
        for draft in drafts:
            if draft.legal_form == COMPANY:
                current.append(_company_for(draft, ctx))
        _serial_directors(current, ctx)


def _registered_office(draft: BusinessDraft, ctx: _Context) -> tuple[
        str | None, str | None, str, str, bool]:
    """(line 1, line 2, town, postcode, at accountant) of a business's company."""
    rng = ctx.rng
    located = next((p for p in draft.premises if p.unit is not None and any(p.address)), None)
    if located is None or rng.random() < AT_ACCOUNTANT_SHARE:
        if located is None and rng.random() < 0.6:  # a mobile trader registered at home
            street_line, postcode = ctx.pool.address(rng)
            return street_line, None, ctx.place.template.town, postcode, False
        pool = ctx.all_offices if rng.random() < OUT_OF_AREA_ACCOUNTANT_SHARE else ctx.offices
        office = rng.choice(pool)
        return office.line_1, office.line_2, office.town, office.postcode, True
    lines = [line for line in located.address if line and line != ctx.place.template.town]
    line_2 = lines[1] if len(lines) > 1 else None
    return lines[0], line_2, ctx.place.template.town, located.unit.postcode, False


def _company_for(draft: BusinessDraft, ctx: _Context) -> tuple[BusinessDraft, int, dt.date]:
    rng, extract, place = ctx.rng, ctx.extract, ctx.place
    town = place.template.town
    line_1, line_2, post_town, postcode, at_accountant = _registered_office(draft, ctx)
    upper = rng.random() < 0.85
    address = {"reg_address_line_1": _cased(line_1, upper),
               "reg_address_line_2": _cased(line_2, upper),
               "reg_post_town": _cased(post_town, upper), "reg_postcode": postcode,
               "reg_at_accountant": at_accountant}
    common = {"entity_id": draft.entity_id, "_country": place.facts.country,
              "sic_codes": list(rng.choice(sic.food_sic_codes(draft.sector,
                                                               draft.business.business_type))),
              "company_category": BY_GUARANTEE if (
                  draft.business.business_type in (names.SCHOOL, names.CARING,
                                                   names.OTHER_CATERING)
                  and rng.random() < 0.2) else PRIVATE_LIMITED} | address
    name = registered_name(draft.business.trading_name, town, rng)
    directors = [ctx.ledger.people.draw(rng) for _ in range(rng.choices((1, 2, 3),
                                                                        weights=(55, 38, 7))[0])]
    previous_key = None
    if rng.random() < PHOENIX_SHARE[draft.sector]:
        incorporated = extract - dt.timedelta(days=rng.randint(60, 6 * 365))
        first_incorporated = incorporated - dt.timedelta(days=rng.randint(2 * 365, 9 * 365))
        dissolved = incorporated + dt.timedelta(days=rng.randint(-90, 300))
        dissolved = max(min(dissolved, extract - dt.timedelta(days=14)),
                        first_incorporated + dt.timedelta(days=365))
        previous_key = ctx.ledger.add_company(
            company_name=name, company_status="Dissolved", incorporation_date=first_incorporated,
            dissolution_date=dissolved, **common)
        _officers(previous_key, directors, first_incorporated, dissolved, ctx)
        name = successor_name(name, town, incorporated.year, rng)
        draft.phoenix = True
        draft.trading_since = first_incorporated
    else:
        years = years_trading(MEAN_COMPANY_AGE_YEARS[draft.sector], rng)
        incorporated = extract - dt.timedelta(days=30 + int(years * 365))
        draft.trading_since = incorporated
    status, dissolution = _current_status(incorporated, extract, rng)
    key = ctx.ledger.add_company(
        company_name=name, company_status=status, incorporation_date=incorporated,
        dissolution_date=dissolution, _previous_key=previous_key, **common)
    _officers(key, directors, incorporated, extract, ctx)
    draft.recent_incorporation = (extract - incorporated).days < RECENT_DAYS
    draft.company_keys = [k for k in (previous_key, key) if k is not None]
    return draft, key, incorporated


def _current_status(incorporated: dt.date, extract: dt.date, rng: random.Random
                    ) -> tuple[str, dt.date | None]:
    roll = rng.random()
    if roll < 0.93:
        return "Active", None
    if roll < 0.96:
        return "Active - Proposal to Strike off", None
    if roll < 0.98:
        return "Liquidation", None
    # Closed, but the food register has not caught up yet.
    days = min(300, max((extract - incorporated).days - 1, 1))
    return "Dissolved", extract - dt.timedelta(days=rng.randint(1, days))


def _officers(company: int, directors: list[int], incorporated: dt.date, until: dt.date,
              ctx: _Context) -> None:
    rng, ledger = ctx.rng, ctx.ledger
    span = max((until - incorporated).days, 1)
    for i, person in enumerate(directors):
        late = i > 0 and rng.random() < 0.15
        appointed = incorporated + dt.timedelta(days=rng.randint(0, span) if late else 0)
        ledger.add_officer(company, person, "director", appointed)
        if i == 0 or rng.random() < 0.4:
            ledger.add_officer(company, person, "psc", max(appointed, PSC_REGISTER_START))
    if rng.random() < 0.12:  # an earlier director who left
        former = ledger.people.draw(rng)
        left = incorporated + dt.timedelta(days=rng.randint(1, span))
        ledger.add_officer(company, former, "director", incorporated, left)
    if rng.random() < 0.06:
        secretary = directors[-1] if len(directors) > 1 else ledger.people.draw(rng)
        ledger.add_officer(company, secretary, "secretary", incorporated)


def _serial_directors(current: list[tuple[BusinessDraft, int, dt.date]], ctx: _Context) -> None:
    """A few people who each sit on 3-6 of the authority's small food companies."""
    if len(current) < 3:
        return
    rng = ctx.rng
    weights = [_SERIAL_SECTOR_WEIGHTS[d.sector] for d, _, _ in current]
    for _ in range(max(1, round(SERIAL_DIRECTOR_SHARE * len(current)))):
        person = ctx.ledger.people.draw(rng)
        chosen: set[int] = set()
        wanted = min(rng.choice((3, 3, 4, 4, 5, 6)), len(current))
        while len(chosen) < wanted:
            chosen.add(rng.choices(range(len(current)), weights=weights)[0])
        for i in sorted(chosen):
            _, key, incorporated = current[i]
            span = max((ctx.extract - incorporated).days, 1)
            appointed = incorporated + dt.timedelta(days=rng.randint(0, min(span, 400)))
            ctx.ledger.add_officer(key, person, "director", appointed)
            if rng.random() < 0.5:
                ctx.ledger.add_officer(key, person, "psc", max(appointed, PSC_REGISTER_START))


def publish_under_company_names(drafts: list[BusinessDraft], name_by_key: dict[int, str],
                                seed: int) -> None:
    """A few premises appear on the food register under their company's registered name."""
    rng = py_rng(seed, "published-company-names")
    for draft in drafts:
        if not draft.company_keys:
            continue
        company_name = name_by_key[draft.company_keys[-1]]
        for p in draft.premises:
            if rng.random() >= PUBLISHED_AS_COMPANY_SHARE:
                continue
            candidate = title(company_name)
            if s.rules_agree_on(p.business_type, candidate, draft.business.rule_sector):
                p.name = candidate

