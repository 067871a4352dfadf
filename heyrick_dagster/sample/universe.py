"""The businesses and premises of one authority, and what the food register shows of them.

A business has a latent sector; most run one premises, about 5% (operators,
small chains) run two or three, always in one sector. Each premises gets a
business type, a name and an address, drawn so that the documented staging
rules classify it correctly -- except for a deliberate 1-4% of realistic
misses. Inspection outcomes are drawn later (`rate`), once the world knows
which businesses are exploitative: their scores depend on it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from heyrick_dagster.sample import geography, names, postcodes, ratings
from heyrick_dagster.sample import sectors as s
from heyrick_dagster.sample.authorities import Authority

# Latent sector shares, close to the real Lewisham register.
SECTOR_SHARES = {s.HOT_FOOD_TAKEAWAY: 0.13, s.CONVENIENCE_STORE: 0.12,
                 s.RESTAURANT_CAFE: 0.25, s.OTHER: 0.50}
# Share of businesses that run 2-3 premises, by sector.
CHAIN_SHARE = {s.HOT_FOOD_TAKEAWAY: 0.08, s.CONVENIENCE_STORE: 0.08,
               s.RESTAURANT_CAFE: 0.05, s.OTHER: 0.03}
# Share of businesses the documented rules will misclassify ("hard" cases).
HARD_SHARE = {s.HOT_FOOD_TAKEAWAY: 0.06, s.CONVENIENCE_STORE: 0.05,
              s.RESTAURANT_CAFE: 0.02}
HARD_SHARE_OTHER_RETAIL = 0.03  # of "other" businesses registered as Retailers - other
# Chance that a premises of this type is published with no address or postcode
# (home caterers, mobile traders, online sellers).
NO_ADDRESS_SHARE = {names.MOBILE: 0.85, names.OTHER_CATERING: 0.33, names.FARMER: 0.3,
                    names.IMPORTER: 0.3, s.RETAIL_OTHER: 0.12, names.DISTRIBUTOR: 0.1,
                    names.MANUFACTURER: 0.08}
NO_ADDRESS_SHARE_DEFAULT = 0.01
# How the rules go wrong for a hard case of each sector.
_HARD_RULE_SECTOR = {s.HOT_FOOD_TAKEAWAY: s.RESTAURANT_CAFE, s.CONVENIENCE_STORE: s.OTHER,
                     s.RESTAURANT_CAFE: s.HOT_FOOD_TAKEAWAY, s.OTHER: s.CONVENIENCE_STORE}
_BUILDINGS = ("Unit {n}", "Arch {n}", "Shop {n}", "Kiosk {n}", "{word} House", "{word} Court",
              "Ground Floor", "{place} Market", "{place} Shopping Centre")
_MAX_NAME_TRIES = 400


@dataclass(slots=True)
class Business:
    entity_id: str
    sector: str
    n_premises: int
    trading_name: str  # the name on the shop front, before officers' variations
    business_type: str
    rule_sector: str  # what the documented rules make of it (== sector unless a hard case)
    la_code: str


@dataclass(slots=True)
class Premises:
    fhrsid: int
    la_business_id: str
    name: str
    business_type: str
    address: tuple[str | None, str | None, str | None, str | None]
    postcode: str | None  # as published (maybe messy)
    postcode_clean: str | None  # canonical form of the published postcode
    geocoded: bool
    unit: geography.PostcodeUnit | None  # where it is (also when the address is not published)
    entity_id: str
    sector: str
    la_code: str
    # Set by `rate` once exploitation is known.
    outcome: ratings.Outcome | None = None
    rating_date: dt.date | None = None
    new_rating_pending: bool = False
    grade: str | None = None  # the compliance grade it was rated at (earlier inspections too)


class FhrsidAllocator:
    """Unique 6-7 digit FHRSIDs in a seeded, scattered order, without storing the used ones.

    An affine permutation modulo a prime, walked until it lands inside the
    range, is a bijection on the range: index i always gives a distinct id.
    """

    LOW, HIGH = 100_000, 2_000_000
    _PRIME = 1_900_009  # smallest prime >= HIGH - LOW

    def __init__(self, rng: random.Random) -> None:
        self._a = rng.randrange(2, self._PRIME - 1)
        self._b = rng.randrange(0, self._PRIME)
        self._next_index = 0

    def next(self) -> int:
        if self._next_index >= self.HIGH - self.LOW:
            raise OverflowError("FHRSID range exhausted")
        x = self._next_index
        self._next_index += 1
        while True:
            x = (self._a * x + self._b) % self._PRIME
            if x < self.HIGH - self.LOW:
                return self.LOW + x


def _choose_type(sector: str, hard: bool, rng: random.Random) -> str:
    if sector == s.HOT_FOOD_TAKEAWAY:
        return s.RESTAURANT if hard or rng.random() < 0.2 else s.TAKEAWAY
    if sector == s.RESTAURANT_CAFE:
        return s.TAKEAWAY if hard or rng.random() < 0.17 else s.RESTAURANT
    if sector == s.CONVENIENCE_STORE:
        return s.RETAIL_OTHER if hard or rng.random() < 0.9 else s.SUPERMARKET
    types = list(names.OTHER_SECTOR_TYPES)
    return rng.choices(types, weights=list(names.OTHER_SECTOR_TYPES.values()))[0]


def _base_name(sector: str, business_type: str, hard: bool, expected: str,
               ctx: names.NameContext, rng: random.Random) -> str:
    patterns = names.patterns_for(sector, business_type, hard)
    for _ in range(_MAX_NAME_TRIES):
        name = names.fill(rng.choice(patterns), ctx, rng)
        if s.rules_agree_on(business_type, name, expected):
            return name
    raise RuntimeError(f"no name for {sector}/{business_type}/hard={hard} after "
                       f"{_MAX_NAME_TRIES} tries: check the vocabulary in names.py")


def _published_name(base: str, business_type: str, expected: str, rng: random.Random) -> str:
    varied = names.vary(base, rng)
    return varied if s.rules_agree_on(business_type, varied, expected) else base


class AuthorityWorld:
    """Draws the businesses and premises of one authority."""

    def __init__(self, authority: Authority, n_premises: int, extract_date: dt.date,
                 rng: random.Random, fhrsids: FhrsidAllocator,
                 template: geography.Template | None = None) -> None:
        self.authority = authority
        self.n_premises = n_premises
        self.extract_date = extract_date
        self.rng = rng
        self.fhrsids = fhrsids
        template = template or geography.TEMPLATES[authority.geography]
        self.template = template
        self.streets, self.street_weights = geography.build_streets(template, n_premises, rng)
        # Accumulated once: `choices(weights=...)` would add them up again for every premises
        # (the same draws either way).
        self._street_cum_weights = list(itertools.accumulate(self.street_weights))
        places = {template.town}
        for district in template.districts:
            places.update(district.localities)
            places.update(" ".join(st.split()[:-1]) for st in district.streets
                          if len(st.split()) == 2)
        places.discard("")
        self.ctx = names.NameContext(tuple(sorted(places)))
        jitter = {k: v * rng.uniform(0.85, 1.15) for k, v in SECTOR_SHARES.items()}
        total = sum(jitter.values())
        self.sector_weights = {k: v / total for k, v in jitter.items()}
        self.no_address_factor = rng.uniform(0.6, 1.4)
        self._used_la_ids: set[str] = set()
        self._numbers_taken: dict[str, set[int]] = {}

    # -- businesses -------------------------------------------------------------------------
    def build(self, first_entity_number: int) -> tuple[list[Business], list[Premises]]:
        rng = self.rng
        businesses: list[Business] = []
        premises: list[Premises] = []
        number = first_entity_number
        sectors = list(self.sector_weights)
        weights = list(self.sector_weights.values())
        while len(premises) < self.n_premises:
            sector = rng.choices(sectors, weights=weights)[0]
            n = 1
            if rng.random() < CHAIN_SHARE[sector]:
                n = 2 if rng.random() < 0.7 else 3
            n = min(n, self.n_premises - len(premises))
            business_type = _choose_type(sector, False, rng)
            hard = False
            if sector == s.OTHER:
                hard = business_type == s.RETAIL_OTHER and rng.random() < HARD_SHARE_OTHER_RETAIL
            elif rng.random() < HARD_SHARE[sector]:
                hard = True
                business_type = _choose_type(sector, True, rng)
            expected = _HARD_RULE_SECTOR[sector] if hard else sector
            base = _base_name(sector, business_type, hard, expected, self.ctx, rng)
            entity_id = f"B{number:06d}"
            number += 1
            businesses.append(Business(entity_id, sector, n, base, business_type, expected,
                                       self.authority.code))
            for _ in range(n):
                name = _published_name(base, business_type, expected, rng)
                premises.append(self._premises(entity_id, sector, business_type, name))
        return businesses, premises

    # -- one premises -----------------------------------------------------------------------
    def _premises(self, entity_id: str, sector: str, business_type: str, name: str) -> Premises:
        rng = self.rng
        address, postcode, unit = self._address(business_type)
        geocoded = (rng.random() >= 0.03) if postcode else (unit is not None and rng.random() < 0.5)
        if postcode is None and unit is None and rng.random() < 0.04:
            # A few unaddressed premises are still geocoded (to the trader's base).
            unit = rng.choice(rng.choice(self.streets).units)
            geocoded = True
        published = postcodes.as_typed(postcode, rng) if postcode else None
        return Premises(
            fhrsid=self.fhrsids.next(),
            la_business_id=self._la_business_id(),
            name=name,
            business_type=business_type,
            address=address,
            postcode=published,
            postcode_clean=postcodes.canonical(published) if published else None,
            geocoded=geocoded,
            unit=unit,
            entity_id=entity_id,
            sector=sector,
            la_code=self.authority.code,
        )

    # -- inspection outcomes ----------------------------------------------------------------
    def rate(self, p: Premises, grade: str, exploitative: bool, rng: random.Random) -> None:
        """Draws the inspection outcome; exploitative businesses lose more management points."""
        authority = self.authority
        p.grade = grade
        if authority.scheme == "FHIS":
            p.outcome = ratings.fhis_outcome(p.business_type, grade, rng)
        else:
            p.outcome = ratings.fhrs_outcome(p.business_type, authority.key_language, grade,
                                             exploitative, rng)
        if p.outcome.rated:
            recent = p.outcome.rating_value in ("AwaitingPublication", "Awaiting Publication")
            p.rating_date = self.extract_date - dt.timedelta(days=self._age_days(recent, rng))
        p.new_rating_pending = p.outcome.scores is not None and rng.random() < 0.006

    @staticmethod
    def _age_days(recent: bool, rng: random.Random) -> int:
        """Days between the last inspection and the extract: mostly 0-3 years, at most 8."""
        if recent:
            return rng.randint(3, 45)
        while True:
            days = 7 + int(rng.expovariate(1 / 750))
            if days <= 8 * 365:
                return days

    def _address(self, business_type: str) -> tuple[
            tuple[str | None, str | None, str | None, str | None],
            str | None, geography.PostcodeUnit | None]:
        rng = self.rng
        share = NO_ADDRESS_SHARE.get(business_type, NO_ADDRESS_SHARE_DEFAULT)
        if rng.random() < share * self.no_address_factor:
            return (None, None, None, None), None, None
        street = rng.choices(self.streets, cum_weights=self._street_cum_weights)[0]
        unit = rng.choice(street.units)
        building = None
        if rng.random() < 0.12:
            building = names.fill(rng.choice(_BUILDINGS).replace("{n}", str(rng.randint(1, 30))),
                                  self.ctx, rng)
        number = str(self._building_number(unit, shared=building is not None))
        if rng.random() < 0.05:
            number += rng.choice("ab")
        elif rng.random() < 0.02:
            number = f"{number} - {int(number) + 2}"
        street_line = f"{number} {unit.street}"
        locality = unit.locality if rng.random() < self.template.locality_share else None
        town = self.template.town
        if self.template.style == "slotted":
            line3 = locality or town
            line4 = town if locality and rng.random() < 0.25 else None
            lines = (building, street_line, line3, line4)
        else:
            parts = [p for p in (building, street_line, locality) if p]
            if rng.random() < 0.9:
                parts.append(town)
            parts += [None] * (4 - len(parts))
            lines = tuple(parts[:4])
        postcode = unit.postcode if rng.random() >= 0.015 else None
        return lines, postcode, unit

    def _building_number(self, unit: geography.PostcodeUnit, shared: bool) -> int:
        """A number on the unit's side of the street. Premises inside a named building (a
        market, an arcade: "Unit 12") may share its number; others take a free one, as
        shops do. Drawing from seven numbers with replacement put 35% of premises at an
        address shared with another; the real files of five authorities have 11% (counting
        "Unit 12, 43 X Road" as its own address) and this gives about 2%: the successive
        operators and multi-kitchen sites behind the real 11% are not modelled."""
        taken = self._numbers_taken.setdefault(unit.postcode, set())
        number = unit.first_number + 2 * self.rng.randint(0, 6)
        if not shared:
            span = 6 + len(taken)  # the unit's side of the street grows as it fills
            while number in taken:
                number = unit.first_number + 2 * self.rng.randint(0, span)
        taken.add(number)
        return number

    def _la_business_id(self) -> str:
        rng = self.rng
        style = self.authority.business_id_style
        year = self.extract_date.year
        while True:
            if style == "pi":
                value = f"PI/{rng.randint(10_000, 330_000):09d}"
            elif style == "year_food":
                value = f"{rng.randint(year - 15, year) % 100:02d}/{rng.randint(1, 999):05d}/FOOD"
            elif style == "year_cp":
                value = f"{rng.randint(year - 15, year) % 100:02d}/{rng.randint(1, 999):05d}/CP"
            elif style == "fhis":
                value = f"FP/{rng.randint(1, 99_999):06d}"
            else:
                value = str(rng.randint(10_000, 330_000))
            if value not in self._used_la_ids:
                self._used_la_ids.add(value)
                return value
