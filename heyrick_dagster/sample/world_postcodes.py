"""Postcode units of the world: where premises trade, and the many other addresses around them.

Two kinds of unit: the ones the premises' streets were drawn with (live,
small user, on shopping streets), and the rest of each LSOA -- homes, offices,
accountants, formation agents -- generated around the LSOA's centre. About 5%
of the latter are terminated; some dissolved companies still give them as their
registered office, as the real register does.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from heyrick_dagster.sample import geography
from heyrick_dagster.sample.world_places import Place
from heyrick_dagster.sample.world_random import np_rng

OTHER_PER_LSOA_SMALL = 25
NATIONAL_POSTCODES = 2_600_000
TERMINATED_SHARE = 0.05
LARGE_USER_SHARE = 0.07
FIRST_INTRODUCED = dt.date(1980, 1, 1)  # ONSPD's earliest "introduced" month

_INWARDS = np.array([f"{d}{a}{b}" for d in range(10) for a in geography.INWARD_LETTERS
                     for b in geography.INWARD_LETTERS])
_GENERIC_STREETS = np.array([f"{stem} {kind}" for stem in geography._GENERIC_STREET_STEMS
                             for kind in geography._GENERIC_STREET_KINDS])


def units_frame(places: list[Place],
                streets_by_place: list[list[geography.Street]]) -> pl.DataFrame:
    """The postcode units the premises' streets were drawn with, one row per unit."""
    rows: dict[str, list] = {k: [] for k in ("postcode", "fsa_code", "gss_code", "outward",
                                             "street", "locality", "first_number", "lat", "lon")}
    for place, streets in zip(places, streets_by_place, strict=True):
        for street in streets:
            for unit in street.units:
                rows["postcode"].append(unit.postcode)
                rows["fsa_code"].append(place.code)
                rows["gss_code"].append(place.facts.gss_code)
                rows["outward"].append(street.district.outward)
                rows["street"].append(unit.street)
                rows["locality"].append(unit.locality)
                rows["first_number"].append(unit.first_number)
                rows["lat"].append(unit.latitude_micro / 1e6)
                rows["lon"].append(unit.longitude_micro / 1e6)
    return pl.DataFrame(rows, schema={"postcode": pl.String, "fsa_code": pl.String,
                                      "gss_code": pl.String, "outward": pl.String,
                                      "street": pl.String, "locality": pl.String,
                                      "first_number": pl.Int64, "lat": pl.Float64,
                                      "lon": pl.Float64})


def _months_before(extract: dt.date, months: np.ndarray) -> np.ndarray:
    """First-of-month dates `months` months before the extract's month, as numpy dates."""
    base = np.datetime64(f"{extract.year:04d}-{extract.month:02d}", "M")
    return (base - months.astype("timedelta64[M]")).astype("datetime64[D]")


def _introduced(n: int, extract: dt.date, rng: np.random.Generator, old_share: float):
    span = (extract.year - 1980) * 12 + extract.month - 2
    months = rng.integers(2, span, n)
    dates = _months_before(extract, months)
    dates[rng.random(n) < old_share] = np.datetime64(FIRST_INTRODUCED)
    return dates


def other_postcodes(places: list[Place], lsoas: pl.DataFrame, units: pl.DataFrame,
                    extract: dt.date, seed: int, scale: str) -> pl.DataFrame:
    """The non-premises units of every LSOA, with a street, a first house number and dates.

    Columns: postcode, fsa_code, gss_code, lsoa_code, outward, street,
    first_number, lat, lon, introduced, terminated, usertype.
    """
    if scale == "small":
        per_lsoa = np.full(lsoas.height, OTHER_PER_LSOA_SMALL)
    else:
        population = lsoas["population"].to_numpy()
        wanted = max(NATIONAL_POSTCODES - units.height, lsoas.height)
        per_lsoa = np.maximum(1, np.round(population * wanted / population.sum())).astype(int)
    lsoas = lsoas.with_columns(_n=pl.Series(per_lsoa))
    fsa_by_gss = {p.facts.gss_code: p.code for p in places}
    named_streets = {d.outward: d.streets for p in places for d in p.template.districts}
    used = units.group_by("outward").agg(pl.col("postcode"))
    used_by_outward = dict(zip(used["outward"], used["postcode"], strict=True))
    frames = []
    for (gss, outward), group in lsoas.group_by("gss_code", "_outward", maintain_order=True):
        rng = np_rng(seed, "postcodes", outward)
        taken = {pc.split(" ")[1] for pc in used_by_outward.get(outward, [])}
        free = _INWARDS[~np.isin(_INWARDS, list(taken))] if taken else _INWARDS
        counts = _fit_counts(group["_n"].to_numpy(), len(free))
        total = int(counts.sum())
        inwards = rng.permutation(free)[:total]
        lsoa_index = np.repeat(np.arange(group.height), counts)
        lat = group["_lat"].to_numpy()[lsoa_index] + rng.normal(0.0, 0.0025, total)
        lon = group["_lon"].to_numpy()[lsoa_index] + rng.normal(0.0, 0.0035, total)
        streets = np.array(list(named_streets.get(outward, ())) or ["High Street"])
        street = np.where(rng.random(total) < 0.3, streets[rng.integers(0, len(streets), total)],
                          _GENERIC_STREETS[rng.integers(0, len(_GENERIC_STREETS), total)])
        frames.append(pl.DataFrame({
            "postcode": np.char.add(f"{outward} ", inwards.astype(str)),
            "fsa_code": fsa_by_gss[gss],
            "gss_code": gss,
            "lsoa_code": group["lsoa_code"].to_numpy()[lsoa_index],
            "outward": outward,
            "street": street,
            "first_number": rng.integers(1, 180, total),
            "lat": lat,
            "lon": lon,
        }))
    others = pl.concat(frames)
    return _with_dates(others, extract, seed)


def _fit_counts(counts: np.ndarray, room: int) -> np.ndarray:
    """Counts scaled down, when a district has too few free units, to sum to at most `room`."""
    if counts.sum() <= room:
        return counts
    scaled = np.maximum(1, np.floor(counts * room / counts.sum())).astype(int)
    while scaled.sum() > room:
        scaled[scaled.argmax()] -= 1
    return scaled


def _with_dates(others: pl.DataFrame, extract: dt.date, seed: int) -> pl.DataFrame:
    rng = np_rng(seed, "postcode-dates")
    n = others.height
    introduced = _introduced(n, extract, rng, old_share=0.35)
    terminated = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ended = rng.random(n) < TERMINATED_SHARE
    # Terminated at least a year after introduction and before the extract's month.
    intro_months = ((np.datetime64(f"{extract.year:04d}-{extract.month:02d}", "M")
                     - introduced.astype("datetime64[M]")).astype(int))
    life = np.maximum(intro_months - 12, 1)
    months_ago = 1 + (rng.random(n) * life).astype(int)
    terminated[ended] = _months_before(extract, months_ago)[ended]
    return others.with_columns(
        introduced=pl.Series(introduced).cast(pl.Date),
        terminated=pl.Series(terminated).cast(pl.Date),
        usertype=pl.Series((rng.random(n) < LARGE_USER_SHARE).astype(np.int64)),
    )


def postcodes_table(units: pl.DataFrame, others: pl.DataFrame, places: list[Place],
                    extract: dt.date, seed: int) -> pl.DataFrame:
    """The published table: every unit, live or terminated, in postcode order."""
    rng = np_rng(seed, "unit-dates")
    pfa_by_gss = pl.DataFrame({"gss_code": [p.facts.gss_code for p in places],
                               "pfa_code": [p.facts.pfa_code for p in places]})
    units = units.with_columns(
        introduced=pl.Series(_introduced(units.height, extract, rng, old_share=0.6)).cast(pl.Date),
        terminated=pl.lit(None, dtype=pl.Date),
        usertype=pl.lit(0, dtype=pl.Int64),
    )
    columns = ["postcode", "lsoa_code", "gss_code", "lat", "lon", "introduced", "terminated",
               "usertype"]
    table = pl.concat([units.select(columns), others.select(columns)])
    duplicated = table.filter(pl.col("postcode").is_duplicated())
    if not duplicated.is_empty():
        raise AssertionError("postcodes generated twice: "
                             f"{duplicated['postcode'].head(5).to_list()}")
    return (table.join(pfa_by_gss, on="gss_code", how="left")
            .select("postcode", "lsoa_code", "gss_code", "pfa_code",
                    pl.col("lat").round(6).alias("latitude"),
                    pl.col("lon").round(6).alias("longitude"),
                    "introduced", "terminated", "usertype")
            .sort("postcode"))
