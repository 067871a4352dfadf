"""Enforcement that found some of the world's businesses: illegal-working penalties, NMW namings.

Over 2019-2026 about 30% of exploitative businesses are caught where
inspectors work at average intensity -- more where they work harder, fewer
where they rarely look -- and a small share of law-abiding businesses are
penalised too. A business can only be caught while it trades, so its chance
grows with the part of the period it has traded: events spread over the years
as the number of trading businesses does, rather than piling up on newcomers.

Each event is written as the GOV.UK list writes it: the liable
party (the company trading at the time, or the sole trader by name), the
trading name, one address string ending in the county or region, and the
postcode. Rows of each publication are numbered in the order lists print
them: by region, then liable party.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

import polars as pl

from heyrick_dagster.sample import sectors as s
from heyrick_dagster.sample.world_businesses import PARTNERSHIP, SOLE_TRADER, BusinessDraft
from heyrick_dagster.sample.world_company_names import as_listed, title, typo
from heyrick_dagster.sample.world_places import Place
from heyrick_dagster.sample.world_random import py_rng

ILLEGAL_WORKING, NMW_NAMING = "illegal_working", "nmw_naming"
FIRST_QUARTER, LAST_QUARTER = (2019, 1), (2026, 3)
NAMING_YEARS = range(2019, 2027)
# Expected events per business at enforcement intensity 1.0 and average time trading in
# the period: P(caught at least once) = 1 - exp(-rate) = 30% for exploitative businesses.
EXPLOITATIVE_RATE = -math.log(1 - 0.30)
NOISE_RATE = 0.006
# Illegal-working penalties are most of what falls on food businesses; NMW namings
# reach care homes, caterers and the like more often.
ILLEGAL_WORKING_SHARE = {s.HOT_FOOD_TAKEAWAY: 0.68, s.CONVENIENCE_STORE: 0.68,
                         s.RESTAURANT_CAFE: 0.62, s.OTHER: 0.35}
# Penalty per illegal worker: raised from 13 February 2024.
PENALTY_RISE = dt.date(2024, 2, 13)
_PER_WORKER_BEFORE = ((5_000, 10_000, 15_000, 20_000), (5, 20, 45, 30))
_PER_WORKER_AFTER = ((15_000, 20_000, 40_000, 45_000, 60_000), (5, 5, 40, 40, 10))
_WORKERS = ((1, 2, 3, 4, 5, 6, 8, 10), (45, 22, 12, 7, 5, 4, 3, 2))
MAX_PENALTY = 280_000
BLANK_POSTCODE_SHARE = 0.005  # one blank postcode in the 201 rows of the real 2024 Q3 list

_EVENT_SCHEMA = {
    "event_id": pl.String, "entity_id": pl.String, "source": pl.String,
    "record_id": pl.String, "period": pl.String, "event_date": pl.Date,
    "liable_party": pl.String, "trading_name": pl.String, "address": pl.String,
    "postcode": pl.String, "amount_gbp": pl.Float64, "workers": pl.Int64,
}


@dataclass(frozen=True)
class Registered:
    """What the builder knows of the businesses' companies, by internal company key."""

    names: dict[int, str]
    incorporated: dict[int, dt.date]
    # (line 1, line 2, post town, postcode) of the registered office
    offices: dict[int, tuple[str | None, str | None, str | None, str | None]]


def quarters() -> list[tuple[str, dt.date, dt.date]]:
    out = []
    year, quarter = FIRST_QUARTER
    while (year, quarter) <= LAST_QUARTER:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1))
        out.append((f"{year}Q{quarter}", start, end))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def naming_rounds(seed: int, extract: dt.date) -> list[tuple[str, dt.date]]:
    """Two or three naming rounds a year (late winter, summer, sometimes December)."""
    rng = py_rng(seed, "naming-rounds")
    rounds = []
    for year in NAMING_YEARS:
        months = [rng.choice((2, 3)), rng.choice((6, 7, 8))]
        if rng.random() < 0.4:
            months.append(12)
        for number, month in enumerate(months, start=1):
            published = dt.date(year, month, rng.randint(1, 28))
            if published < extract - dt.timedelta(days=7):
                rounds.append((f"{year}-R{number}", published))
    return rounds


def _poisson(lam: float, rng: random.Random) -> int:
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _where(draft: BusinessDraft, registered: Registered, rng: random.Random
           ) -> tuple[list[str], str | None]:
    """(address lines, postcode) of where the business was caught.

    A premises with an address when it has one; else (a mobile trader) its
    company's registered office; else only its town.
    """
    located = [p for p in draft.premises if p.unit is not None and any(p.address)]
    if located:
        p = rng.choice(located)
        return [line for line in p.address if line], p.unit.postcode
    if draft.company_keys:
        *lines, postcode = registered.offices[draft.company_keys[-1]]
        return [title(line) for line in lines if line], postcode
    return [], None


def _address(lines: list[str], place: Place, rng: random.Random) -> str:
    town, county = place.template.town, place.facts.county
    parts = list(lines)
    if town not in parts:
        parts.append(town)
    if rng.random() < 0.03:
        county = typo(county, rng)  # "Yorkkshire"
    elif rng.random() < 0.02:
        county = county.lower()
    if parts[-1] != county:
        parts.append(county)
    separator = ",, " if rng.random() < 0.01 else ", "
    return ", ".join(parts[:-1]) + separator + parts[-1] if len(parts) > 1 else parts[0]


def _liable_party(draft: BusinessDraft, when: dt.date, registered: Registered,
                  rng: random.Random) -> str:
    if draft.legal_form == SOLE_TRADER:
        return draft.proprietors[0]
    if draft.legal_form == PARTNERSHIP:
        return " and ".join(draft.proprietors)
    current = draft.company_keys[-1]
    if len(draft.company_keys) > 1 and when < registered.incorporated[current]:
        current = draft.company_keys[0]  # caught before the phoenix rose
    return as_listed(registered.names[current], rng)


def _trading_name(name: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return name.upper()
    if roll < 0.1 and " & " in name:
        return name.replace(" & ", " and ")
    return name


def _penalty(when: dt.date, rng: random.Random) -> tuple[float, int]:
    workers = rng.choices(*_WORKERS)[0]
    values, weights = _PER_WORKER_AFTER if when >= PENALTY_RISE else _PER_WORKER_BEFORE
    per_worker = rng.choices(values, weights=weights)[0]
    return float(min(per_worker * workers, MAX_PENALTY)), workers


def _arrears(rng: random.Random) -> tuple[float, int]:
    workers = min(1 + int(rng.lognormvariate(0.4, 1.1)), 400)
    arrears = workers * rng.lognormvariate(math.log(550), 1.0)
    if arrears < 100.0:  # namings start at £100 of arrears
        arrears = rng.uniform(100.0, 500.0)
    return round(min(arrears, 500_000.0), 2), workers


def build_events(places: list[Place], drafts: list[BusinessDraft], registered: Registered,
                 extract: dt.date, seed: int) -> pl.DataFrame:
    """Every event, numbered within its publication; columns as world.SCHEMAS["events"]."""
    place_by_code = {p.code: p for p in places}
    periods = quarters()
    rounds = naming_rounds(seed, extract)
    exposure = [_exposure(d, periods) for d in drafts]
    mean_exposure = max(sum(exposure) / max(len(exposure), 1), 1e-9)
    rows = []
    rngs = {p.code: py_rng(seed, "events", p.code) for p in places}
    for draft, share in zip(drafts, exposure, strict=True):
        place = place_by_code[draft.business.la_code]
        rng = rngs[place.code]
        rate = EXPLOITATIVE_RATE if draft.exploitative else NOISE_RATE
        expected = rate * place.enforcement_intensity * share / mean_exposure
        for _ in range(_poisson(expected, rng)):
            row = _event(draft, place, registered, periods, rounds, rng)
            if row is not None:
                rows.append(row)
    return _numbered(rows)


def _exposure(draft: BusinessDraft, periods: list[tuple[str, dt.date, dt.date]]) -> float:
    """The share of the enforcement period the business has traded in."""
    first, last = periods[0][1], periods[-1][2]
    start = max(draft.trading_since + dt.timedelta(days=60), first)
    return max((last - start).days, 0) / (last - first).days


def _event(draft: BusinessDraft, place: Place, registered: Registered,
           periods: list[tuple[str, dt.date, dt.date]], rounds: list[tuple[str, dt.date]],
           rng: random.Random) -> dict | None:
    start = draft.trading_since + dt.timedelta(days=60)
    source = ILLEGAL_WORKING if rng.random() < ILLEGAL_WORKING_SHARE[draft.sector] else NMW_NAMING
    eligible = [r for r in rounds if r[1] >= start + dt.timedelta(days=120)]
    if source == NMW_NAMING and not eligible:
        source = ILLEGAL_WORKING
    if source == ILLEGAL_WORKING:
        first, last = max(start, periods[0][1]), periods[-1][2]
        if first > last:
            return None
        when = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        period = next(label for label, a, b in periods if a <= when <= b)
        amount, workers = _penalty(when, rng)
    else:
        period, when = rng.choice(eligible)
        amount, workers = _arrears(rng)
    lines, postcode = _where(draft, registered, rng)
    if rng.random() < BLANK_POSTCODE_SHARE:
        postcode = None  # the list left it blank
    return {"entity_id": draft.entity_id, "source": source, "period": period,
            "event_date": when, "liable_party": _liable_party(draft, when, registered, rng),
            "trading_name": _trading_name(draft.business.trading_name, rng),
            "address": _address(lines, place, rng), "postcode": postcode, "amount_gbp": amount,
            "workers": workers, "_region": place.facts.region}


def _numbered(rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=_EVENT_SCHEMA)
    frame = pl.DataFrame(rows, schema=_EVENT_SCHEMA | {"_region": pl.String}).drop(
        "event_id", "record_id")
    frame = (frame
             .with_columns(_party=pl.col("liable_party").str.to_lowercase())
             .sort("source", "period", "_region", "_party", "liable_party", "event_date",
                   "entity_id")
             .with_columns(n=pl.int_range(1, pl.len() + 1).over("source", "period")))
    return (frame
            .with_columns(record_id=pl.concat_str([pl.col("period"), pl.lit("#"),
                                                   pl.col("n").cast(pl.String)]),
                          event_id=pl.lit("E") + pl.int_range(1, pl.len() + 1)
                          .cast(pl.String).str.zfill(7))
            .select(list(_EVENT_SCHEMA)))
