"""Companies that run no premises in the world: most of the register, drawn in bulk.

They are what makes linkage hard: consultancies, property companies, builders,
dormant shells, a few food companies trading elsewhere, about one in six
dissolved; a few formation-agent addresses host thousands of them; some
dissolved ones still give a postcode that has since been terminated. Drawn
with numpy and polars per authority, so the national scale (~5M) fits in memory.
Words are picked by index from small polars Series (`_pick`) rather than built
as numpy string arrays: turning millions of numpy strings into polars strings
was a third of the time of this step at national scale.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from heyrick_dagster.sample import names
from heyrick_dagster.sample.sic import OTHER_COMPANY_SICS
from heyrick_dagster.sample.world_companies import PSC_REGISTER_START
from heyrick_dagster.sample.world_people import draw_people
from heyrick_dagster.sample.world_places import Place
from heyrick_dagster.sample.world_random import np_rng

DISSOLVED_SHARE = 0.18
FORMATION_AGENT_SHARE = {"London": 0.06}
FORMATION_AGENT_SHARE_DEFAULT = 0.025
TERMINATED_POSTCODE_SHARE = 0.25  # of dissolved companies, when the area has terminated units
PEOPLE_PER_DIRECTORSHIP = 0.8
# (category, share, name suffix)
_CATEGORIES = (
    ("Private Limited Company", 0.925, None),
    ("PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)", 0.024, "LIMITED"),
    ("Limited Partnership", 0.012, "LP"),
    ("PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' "
     "exemption)", 0.01, "ASSOCIATION"),
    ("Limited Liability Partnership", 0.01, "LLP"),
    ("Community Interest Company", 0.005, "CIC"),
    ("Public Limited Company", 0.002, "PLC"),
    ("Private Unlimited Company", 0.002, "COMPANY"),
)
_ACTIVE_STATUSES = (("Active", 0.93), ("Active - Proposal to Strike off", 0.045),
                    ("Liquidation", 0.023), ("In Administration", 0.002))
LLP_START = dt.date(2001, 4, 6)
_HUB_BUILDINGS = ("Kemp House", "Suite 1, {word} House", "{word} Business Centre",
                  "International House", "{word} Court", "Office 7, {word} Chambers")


def _pick(values: pl.Series, rng: np.random.Generator, n: int) -> pl.Series:
    return values.gather(rng.integers(0, len(values), n))


def _upper(words: tuple[str, ...]) -> pl.Series:
    return pl.Series(words, dtype=pl.String).str.to_uppercase()


def _days(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[D]").astype(np.int64)


def _sic_words() -> tuple[pl.Series, np.ndarray, np.ndarray, np.ndarray, pl.Series]:
    codes = pl.Series([c for c, _, _ in OTHER_COMPANY_SICS], dtype=pl.String)
    weights = np.array([w for _, w, _ in OTHER_COMPANY_SICS], dtype=float)
    counts = np.array([len(words) for _, _, words in OTHER_COMPANY_SICS])
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    words = pl.Series([w for _, _, ws in OTHER_COMPANY_SICS for w in ws], dtype=pl.String)
    return codes, weights / weights.sum(), counts, offsets, words


_SIC_CODES, _SIC_P, _SIC_COUNTS, _SIC_OFFSETS, _SIC_WORDS = _sic_words()
_WORDS, _LAST, _FIRST = _upper(names.WORDS), _upper(names.LAST_NAMES), _upper(names.FIRST_NAMES)
_INITIALS = pl.Series(list("ABCDEGHJKLMNPRSTW"), dtype=pl.String)
_CATEGORY_NAMES = pl.Series([c[0] for c in _CATEGORIES], dtype=pl.String)
# A category's own suffix, or "" where the company chooses LTD or LIMITED.
_CATEGORY_SUFFIXES = np.array([c[2] or "" for c in _CATEGORIES], dtype=object)
# The active statuses, then "Dissolved" (index len(_ACTIVE_STATUSES)).
_STATUSES = pl.Series([st for st, _ in _ACTIVE_STATUSES] + ["Dissolved"], dtype=pl.String)


def _names(n: int, sic_index: np.ndarray, suffix: pl.Series, town: str,
           rng: np.random.Generator) -> pl.Series:
    activity = _SIC_WORDS.gather(_SIC_OFFSETS[sic_index]
                                 + (rng.random(n) * _SIC_COUNTS[sic_index]).astype(int))
    frame = pl.DataFrame({
        "pattern": rng.integers(0, 8, n),
        "act": activity,
        "word": _pick(_WORDS, rng, n),
        "word2": _pick(_WORDS, rng, n),
        "last": _pick(_LAST, rng, n),
        "first": _pick(_FIRST, rng, n),
        "i": _pick(_INITIALS, rng, n) + _pick(_INITIALS, rng, n),
        "suffix": suffix,
    })
    # Eight name patterns, each a run of words ("{word} {act}", "{first} {last} & CO", ...):
    # every position picks its word by pattern, then one join (not eight joins per row).
    p, c = pl.col("pattern"), pl.col
    first = (pl.when(p.is_in([0, 4, 6])).then(c("word")).when(p == 1).then(c("last"))
             .when(p == 2).then(c("i")).when(p.is_in([3, 5])).then(c("first"))
             .otherwise(c("i") + c("i").str.slice(0, 1)))
    second = pl.when(p == 4).then(c("word2"))
    third = pl.when(p.is_in([3, 5])).then(c("last")).otherwise(c("act"))
    fourth = pl.when(p == 5).then(pl.lit("& CO")).when(p == 6).then(pl.lit(f"({town.upper()})"))
    return frame.select(pl.concat_str([first, second, third, fourth, c("suffix")], separator=" ",
                                      ignore_nulls=True)).to_series()


def other_companies(place: Place, n: int, postcodes: pl.DataFrame, extract: dt.date,
                    seed: int, key_offset: int) -> tuple[pl.DataFrame, dict]:
    """One authority's non-premises companies, and the state of the generator that
    draws their officers (`other_officers`).

    `postcodes` are the authority's non-premises units (postcode, street,
    first_number, terminated). Keys continue from the offset given. Officers are
    drawn later, once the register is numbered, so that the national officers
    (~13M rows) are made once, in their published form, rather than made with
    internal keys and then copied.
    """
    rng = np_rng(seed, "other-companies", place.code)
    extract_day = np.datetime64(extract, "D")
    young = rng.random(n) < 0.7
    age = np.where(young, rng.exponential(5 * 365, n), rng.uniform(0, 45 * 365, n))
    incorporated = extract_day - 1 - np.clip(age, 0, 60 * 365).astype(np.int64).astype(
        "timedelta64[D]")

    shares = np.array([c[1] for c in _CATEGORIES])
    category = rng.choice(len(_CATEGORIES), n, p=shares / shares.sum())
    is_llp = np.array([c[0] == "Limited Liability Partnership" for c in _CATEGORIES])[category]
    incorporated = np.where(is_llp, np.maximum(incorporated, np.datetime64(LLP_START)),
                            incorporated)
    room = _days(extract_day - 1) - _days(incorporated)
    dissolved = (rng.random(n) < DISSOLVED_SHARE) & (room > 30)
    lifetime = np.clip(rng.exponential(4 * 365, n), 30, np.maximum(room, 30)).astype(int)
    dissolution = np.where(dissolved, incorporated + lifetime.astype("timedelta64[D]"),
                           np.datetime64("NaT"))
    status_shares = np.array([p for _, p in _ACTIVE_STATUSES])
    status = np.where(dissolved, len(_ACTIVE_STATUSES), rng.choice(
        len(_ACTIVE_STATUSES), n, p=status_shares / status_shares.sum()))

    sic_index = rng.choice(len(_SIC_CODES), n, p=_SIC_P)
    suffix_for = _CATEGORY_SUFFIXES[category]
    plain = suffix_for == ""
    suffix_for[plain] = np.where(rng.random(int(plain.sum())) < 0.6, "LTD", "LIMITED")
    addresses = _addresses(place, n, dissolved, postcodes, rng)
    upper = rng.random(n) < 0.85
    town = place.template.town
    companies = pl.DataFrame({
        "_key": np.arange(key_offset, key_offset + n),
        "company_name": _names(n, sic_index, pl.Series(suffix_for, dtype=pl.String), town,
                               rng),
        "entity_id": pl.repeat(None, n, dtype=pl.String, eager=True),
        "company_category": _CATEGORY_NAMES.gather(category),
        "company_status": _STATUSES.gather(status),
        "incorporation_date": pl.Series(incorporated).cast(pl.Date),
        "dissolution_date": pl.Series(dissolution).cast(pl.Date),
        "reg_address_line_1": addresses["reg_address_line_1"],
        "reg_address_line_2": addresses["reg_address_line_2"],
        "reg_post_town": town,
        "reg_postcode": addresses["reg_postcode"],
        "reg_at_accountant": False,
        "sic_codes": _sic_lists(sic_index, rng),
        "_previous_key": pl.repeat(None, n, dtype=pl.Int64, eager=True),
        "_country": place.facts.country,
        "_upper": upper,
    }).with_columns(
        [pl.when(pl.col("_upper")).then(pl.col(col).str.to_uppercase()).otherwise(pl.col(col))
         .alias(col) for col in ("reg_address_line_1", "reg_address_line_2", "reg_post_town")]
    ).drop("_upper")
    return companies, rng.bit_generator.state


def _sic_lists(sic_index: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """1-3 distinct codes per company, the main one first.

    Joined into "a,b,c" and split: building list columns element by element
    (concat_list, then dropping nulls and repeats) was 15x slower.
    """
    n = len(sic_index)
    frame = pl.DataFrame({
        "a": _SIC_CODES.gather(sic_index),
        "b": _SIC_CODES.gather(rng.choice(len(_SIC_CODES), n, p=_SIC_P)),
        "c": _SIC_CODES.gather(rng.choice(len(_SIC_CODES), n, p=_SIC_P)),
        "has_b": rng.random(n) < 0.22,
        "has_c": rng.random(n) < 0.05,
    })
    a = pl.col("a")
    b = pl.when(pl.col("has_b") & (pl.col("b") != a)).then(pl.col("b"))
    c = pl.when(pl.col("has_c") & (pl.col("c") != a) & (b.is_null() | (pl.col("c") != b))
                ).then(pl.col("c"))
    return frame.select(pl.concat_str(a, b, c, separator=",", ignore_nulls=True)
                        .str.split(",").alias("sic_codes")).to_series()


def _addresses(place: Place, n: int, dissolved: np.ndarray, postcodes: pl.DataFrame,
               rng: np.random.Generator) -> pl.DataFrame:
    """reg_address_line_1, reg_address_line_2, reg_postcode of n companies."""
    live = postcodes.filter(pl.col("terminated").is_null())
    ended = postcodes.filter(pl.col("terminated").is_not_null())
    # Some postcodes hold many companies (office blocks), most one or two.
    weights = rng.lognormal(0.0, 1.0, live.height)
    index = rng.choice(live.height, n, p=weights / weights.sum())
    if ended.height:
        old = dissolved & (rng.random(n) < TERMINATED_POSTCODE_SHARE)
        index[old] = live.height + rng.integers(0, ended.height, int(old.sum()))
    units = pl.concat([live, ended]).select("postcode", "street", "first_number")[index]
    share = FORMATION_AGENT_SHARE.get(place.facts.region, FORMATION_AGENT_SHARE_DEFAULT)
    hub = np.full(n, -1)
    for i in range(2):
        hub[rng.random(n) < share / 2] = i
    hubs = [_hub(live, int(rng.integers(0, live.height)), int(rng.integers(0, 999)))
            for _ in range(2)]
    street_line = pl.concat_str([
        (pl.col("first_number") + pl.Series(2 * rng.integers(0, 12, n))).cast(pl.String),
        pl.lit(" "), pl.col("street")])
    flat = pl.Series(rng.random(n) < 0.12)
    flat_number = pl.Series(rng.integers(1, 30, n)).cast(pl.String)
    hub_of = pl.Series(hub)
    line_1 = pl.when(flat).then(pl.lit("Flat ") + flat_number).otherwise(street_line)
    line_2 = pl.when(flat).then(street_line)
    postcode = pl.col("postcode")
    for i, (building, address, hub_postcode) in enumerate(hubs):
        at_hub = hub_of == i
        line_1 = pl.when(at_hub).then(pl.lit(building)).otherwise(line_1)
        line_2 = pl.when(at_hub).then(pl.lit(address)).otherwise(line_2)
        postcode = pl.when(at_hub).then(pl.lit(hub_postcode)).otherwise(postcode)
    return units.select(line_1.alias("reg_address_line_1"), line_2.alias("reg_address_line_2"),
                        postcode.alias("reg_postcode"))


def _hub(live: pl.DataFrame, row: int, word: int) -> tuple[str, str, str]:
    """A formation agent's address: (building, street line, postcode)."""
    building = _HUB_BUILDINGS[word % len(_HUB_BUILDINGS)].replace(
        "{word}", names.WORDS[word % len(names.WORDS)])
    number = live["first_number"][row]
    return building, f"{number}-{number + 8} {live['street'][row]}", live["postcode"][row]


def other_officers(companies: pl.DataFrame, state: dict, person_offset: int
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(officers, people) of companies drawn by `other_companies`, from the `state` it
    returned: officers with `_company_key`, `_person_key` (from person_offset), role and
    dates; people with name, birth_year, birth_month, nationality."""
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    n = companies.height
    per_company = rng.choice((1, 2, 3), n, p=(0.65, 0.30, 0.05))
    rows = int(per_company.sum())
    company_row = np.repeat(np.arange(n), per_company)
    first_of_company = np.concatenate(([True], company_row[1:] != company_row[:-1]))
    n_people = max(1, int(rows * PEOPLE_PER_DIRECTORSHIP))
    # Most people sit on one board; a portfolio few on many.
    portfolio = max(1, n_people // 50)
    person = np.where(rng.random(rows) < 0.12, rng.integers(0, portfolio, rows),
                      rng.integers(0, n_people, rows)) + person_offset
    incorporated = companies["incorporation_date"].to_numpy()[company_row]
    keys = companies["_key"].to_numpy()[company_row]
    directors = pl.DataFrame({
        "_company_key": keys, "_person_key": person, "role": "director",
        "appointed_on": pl.Series(incorporated).cast(pl.Date),
        "resigned_on": pl.Series([None] * rows, dtype=pl.Date),
    })
    pscs = directors.filter(pl.Series(first_of_company)).with_columns(
        role=pl.lit("psc"),
        appointed_on=pl.max_horizontal("appointed_on", pl.lit(PSC_REGISTER_START)))
    officers = pl.concat([directors, pscs]).unique(
        subset=["_company_key", "_person_key", "role"], keep="first", maintain_order=True)
    return officers, draw_people(n_people, rng)
