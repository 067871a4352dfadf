"""Places of the world: local authorities, their LSOAs with deprivation, and where they sit.

"small" is the seven real sample authorities with their real ONS, region and
police-force codes; "national" adds synthetic authorities (codes 1000+) spread
over Great Britain, each with its own postcode districts so that no postcode is
shared between authorities. Deprivation is clustered: an authority level, a
postcode-district effect and a gradient across the authority, plus noise, so
neighbouring LSOAs look alike as they do in the real indices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from heyrick_dagster.sample import geography
from heyrick_dagster.sample.authorities import Authority, authorities_for
from heyrick_dagster.sample.world_random import np_rng, py_rng

# Enforcement intensity spans this range (1.0 = average), log-evenly across authorities.
INTENSITY_RANGE = (0.4, 2.5)
# IoD2019: 32,844 English LSOAs; scores roughly log-normal around a median of 17.5.
ENGLISH_LSOAS_2019 = 32_844
# The 2011 small areas the national world has, as the real geography does: England's and
# Wales's LSOAs, Scotland's data zones (S01006506 to S01013481). The IMD ranks exactly
# England's, so a national world with more English LSOAs would publish impossible ranks.
NATIONAL_SMALL_AREAS = {"England": ENGLISH_LSOAS_2019, "Wales": 1_909, "Scotland": 6_976}
MIN_NATIONAL_LSOAS = 20
_REFERENCE_LOG_MEDIAN = math.log(17.5)
_REFERENCE_LOG_SD = 0.7
# Residents per LSOA (England, Wales) and per data zone (Scotland).
MEAN_LSOA_POPULATION = {"England": 1650, "Wales": 1650, "Scotland": 780}
SMALL_LSOA_RANGE = (100, 200)
RESIDENTS_PER_ESTABLISHMENT = 109  # UK population / size of the FHRS register


@dataclass(frozen=True)
class AreaFacts:
    gss_code: str
    country: str
    region: str
    county: str  # what a published address ends with
    pfa_code: str
    pfa_name: str
    population: int
    imd_median: float  # median IMD score of its LSOAs (a latent equivalent outside England)


REAL_FACTS: dict[str, AreaFacts] = {
    "404": AreaFacts(
        "E08000032",
        "England",
        "Yorkshire and The Humber",
        "West Yorkshire",
        "E23000010",
        "West Yorkshire",
        546_000,
        31.0,
    ),
    "523": AreaFacts(
        "E09000023",
        "England",
        "London",
        "London",
        "E23000001",
        "Metropolitan Police",
        300_000,
        25.0,
    ),
    "525": AreaFacts(
        "E09000025",
        "England",
        "London",
        "London",
        "E23000001",
        "Metropolitan Police",
        351_000,
        27.0,
    ),
    "530": AreaFacts(
        "E09000030",
        "England",
        "London",
        "London",
        "E23000001",
        "Metropolitan Police",
        325_000,
        28.0,
    ),
    "878": AreaFacts(
        "E06000016",
        "England",
        "East Midlands",
        "Leicestershire",
        "E23000021",
        "Leicestershire",
        368_000,
        30.0,
    ),
    "556": AreaFacts(
        "W06000015", "Wales", "Wales", "South Glamorgan", "W15000003", "South Wales", 372_000, 21.0
    ),
    "760": AreaFacts(
        "S12000033",
        "Scotland",
        "Scotland",
        "Aberdeenshire",
        "S23000009",
        "Police Scotland",
        227_000,
        13.0,
    ),
}

# Police force areas by region, each with the county its addresses usually end in.
_ENGLISH_FORCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "North East": (
        ("E23000007", "Northumbria", "Tyne and Wear"),
        ("E23000008", "Durham", "County Durham"),
        ("E23000013", "Cleveland", "Cleveland"),
    ),
    "North West": (
        ("E23000002", "Cumbria", "Cumbria"),
        ("E23000003", "Lancashire", "Lancashire"),
        ("E23000004", "Merseyside", "Merseyside"),
        ("E23000005", "Greater Manchester", "Greater Manchester"),
        ("E23000006", "Cheshire", "Cheshire"),
    ),
    "Yorkshire and The Humber": (
        ("E23000009", "North Yorkshire", "North Yorkshire"),
        ("E23000010", "West Yorkshire", "West Yorkshire"),
        ("E23000011", "South Yorkshire", "South Yorkshire"),
        ("E23000012", "Humberside", "East Yorkshire"),
    ),
    "East Midlands": (
        ("E23000018", "Derbyshire", "Derbyshire"),
        ("E23000019", "Nottinghamshire", "Nottinghamshire"),
        ("E23000020", "Lincolnshire", "Lincolnshire"),
        ("E23000021", "Leicestershire", "Leicestershire"),
        ("E23000022", "Northamptonshire", "Northamptonshire"),
    ),
    "West Midlands": (
        ("E23000014", "West Midlands", "West Midlands"),
        ("E23000015", "Staffordshire", "Staffordshire"),
        ("E23000016", "West Mercia", "Worcestershire"),
        ("E23000017", "Warwickshire", "Warwickshire"),
    ),
    "East of England": (
        ("E23000023", "Cambridgeshire", "Cambridgeshire"),
        ("E23000024", "Norfolk", "Norfolk"),
        ("E23000025", "Suffolk", "Suffolk"),
        ("E23000026", "Bedfordshire", "Bedfordshire"),
        ("E23000027", "Hertfordshire", "Hertfordshire"),
        ("E23000028", "Essex", "Essex"),
    ),
    "London": (("E23000001", "Metropolitan Police", "London"),),
    "South East": (
        ("E23000029", "Thames Valley", "Berkshire"),
        ("E23000030", "Hampshire", "Hampshire"),
        ("E23000031", "Surrey", "Surrey"),
        ("E23000032", "Kent", "Kent"),
        ("E23000033", "Sussex", "West Sussex"),
    ),
    "South West": (
        ("E23000035", "Devon & Cornwall", "Devon"),
        ("E23000036", "Avon and Somerset", "Somerset"),
        ("E23000037", "Gloucestershire", "Gloucestershire"),
        ("E23000038", "Wiltshire", "Wiltshire"),
        ("E23000039", "Dorset", "Dorset"),
    ),
}
# How many local authorities each English region has (synthetic ones follow this mix).
_REGION_WEIGHTS = {
    "North East": 12,
    "North West": 39,
    "Yorkshire and The Humber": 21,
    "East Midlands": 40,
    "West Midlands": 30,
    "East of England": 45,
    "London": 33,
    "South East": 64,
    "South West": 29,
}
_WELSH_FORCES = (
    ("W15000001", "North Wales", "Clwyd"),
    ("W15000002", "Gwent", "Gwent"),
    ("W15000003", "South Wales", "Mid Glamorgan"),
    ("W15000004", "Dyfed-Powys", "Dyfed"),
)
_SCOTTISH_COUNTIES = (
    "Lanarkshire",
    "Fife",
    "Midlothian",
    "Renfrewshire",
    "Ayrshire",
    "Perthshire",
    "Stirlingshire",
    "Angus",
    "Inverness-shire",
    "Dunbartonshire",
)
# Postcode areas the synthetic authorities take districts from (none used by the real seven).
_POSTCODE_AREAS = {
    "England": (
        "AL",
        "B",
        "BA",
        "BB",
        "BH",
        "BL",
        "BN",
        "BR",
        "BS",
        "CA",
        "CB",
        "CH",
        "CM",
        "CO",
        "CR",
        "CT",
        "CV",
        "CW",
        "DA",
        "DE",
        "DH",
        "DL",
        "DN",
        "DT",
        "DY",
        "EN",
        "EX",
        "FY",
        "GL",
        "GU",
        "HA",
        "HD",
        "HG",
        "HP",
        "HR",
        "HU",
        "HX",
        "IG",
        "IP",
        "KT",
        "L",
        "LA",
        "LN",
        "LS",
        "LU",
        "M",
        "ME",
        "MK",
        "N",
        "NE",
        "NG",
        "NN",
        "NR",
        "NW",
        "OL",
        "OX",
        "PE",
        "PL",
        "PO",
        "PR",
        "RG",
        "RH",
        "RM",
        "S",
        "SG",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SP",
        "SR",
        "SS",
        "ST",
        "TA",
        "TF",
        "TN",
        "TQ",
        "TR",
        "TS",
        "TW",
        "UB",
        "WA",
        "WD",
        "WF",
        "WN",
        "WR",
        "WS",
        "WV",
        "YO",
    ),
    "Wales": ("LD", "LL", "NP", "SA", "SY"),
    "Scotland": (
        "DD",
        "DG",
        "EH",
        "FK",
        "G",
        "HS",
        "IV",
        "KA",
        "KW",
        "KY",
        "ML",
        "PA",
        "PH",
        "TD",
        "ZE",
    ),
}
# Where synthetic authorities' centres fall: (lat low, lat high, lon low, lon high).
_COUNTRY_BOXES = {
    "England": (50.6, 54.9, -3.3, 1.3),
    "Wales": (51.5, 53.2, -4.4, -3.0),
    "Scotland": (55.0, 57.6, -4.8, -2.3),
}


@dataclass(frozen=True)
class Place:
    """One authority of the world, with everything the builders need about where it is."""

    authority: Authority
    n_premises: int
    facts: AreaFacts
    enforcement_intensity: float
    n_lsoas: int
    template: geography.Template

    @property
    def code(self) -> str:
        return self.authority.code


def _country(authority: Authority) -> str:
    if authority.scheme == "FHIS":
        return "Scotland"
    return "Wales" if authority.key_language == "cy-GB" else "England"


def _synthetic_facts(index: int, authority: Authority, n_premises: int, rng) -> AreaFacts:
    country = _country(authority)
    if country == "England":
        region = rng.choices(list(_REGION_WEIGHTS), weights=list(_REGION_WEIGHTS.values()))[0]
        pfa_code, pfa_name, county = rng.choice(_ENGLISH_FORCES[region])
        gss = f"E07{900000 + index:06d}"
    elif country == "Wales":
        region = "Wales"
        pfa_code, pfa_name, county = rng.choice(_WELSH_FORCES)
        gss = f"W06{900000 + index:06d}"
    else:
        region, pfa_code, pfa_name = "Scotland", "S23000009", "Police Scotland"
        county = rng.choice(_SCOTTISH_COUNTIES)
        gss = f"S12{900000 + index:06d}"
    population = RESIDENTS_PER_ESTABLISHMENT * n_premises
    return AreaFacts(
        gss,
        country,
        region,
        county,
        pfa_code,
        pfa_name,
        population,
        17.5 * math.exp(rng.gauss(0.0, 0.3)),
    )


def _intensities(n: int, rng) -> list[float]:
    """Log-evenly spread over INTENSITY_RANGE, in a seeded order: areas clearly differ."""
    low, high = (math.log(v) for v in INTENSITY_RANGE)
    values = [math.exp(low + (high - low) * (i + rng.random()) / n) for i in range(n)]
    rng.shuffle(values)
    return [round(v, 3) for v in values]


class _DistrictAllocator:
    """Hands out unused postcode districts ("KY7") per country, area by area."""

    def __init__(self) -> None:
        self._next = {country: (0, 1) for country in _POSTCODE_AREAS}

    def take(self, country: str, n: int) -> list[str]:
        area_index, number = self._next[country]
        areas = _POSTCODE_AREAS[country]
        out = []
        for _ in range(n):
            if number > 99:
                area_index, number = area_index + 1, 1
            if area_index >= len(areas):
                raise OverflowError(f"out of synthetic postcode districts in {country}")
            out.append(f"{areas[area_index]}{number}")
            number += 1
        self._next[country] = (area_index, number)
        return out


def _moved_template(
    base: geography.Template, outwards: list[str], lat: float, lon: float
) -> geography.Template:
    """The base template's shape, moved to (lat, lon) and given its own postcode districts."""
    centre_lat = sum(d.latitude for d in base.districts) / len(base.districts)
    centre_lon = sum(d.longitude for d in base.districts) / len(base.districts)
    districts = tuple(
        replace(
            d,
            outward=o,
            latitude=d.latitude - centre_lat + lat,
            longitude=d.longitude - centre_lon + lon,
        )
        for d, o in zip(base.districts, outwards, strict=True)
    )
    return replace(base, districts=districts)


def plan_places(seed: int, scale: str) -> list[Place]:
    """The world's authorities in writing order. Raises ValueError for an unknown scale."""
    plan = authorities_for(scale, seed)
    rng = py_rng(seed, "places")
    intensities = _intensities(len(plan), rng)
    districts = _DistrictAllocator()
    places = []
    for index, ((authority, n_premises), intensity) in enumerate(
        zip(plan, intensities, strict=True)
    ):
        base = geography.TEMPLATES[authority.geography]
        if authority.code in REAL_FACTS:
            facts, template = REAL_FACTS[authority.code], base
        else:
            facts = _synthetic_facts(index, authority, n_premises, rng)
            lat_lo, lat_hi, lon_lo, lon_hi = _COUNTRY_BOXES[facts.country]
            template = _moved_template(
                base,
                districts.take(facts.country, len(base.districts)),
                rng.uniform(lat_lo, lat_hi),
                rng.uniform(lon_lo, lon_hi),
            )
        n_lsoas = min(max(round(facts.population / 2200), SMALL_LSOA_RANGE[0]), SMALL_LSOA_RANGE[1])
        places.append(Place(authority, n_premises, facts, intensity, n_lsoas, template))
    if scale == "small":
        return places
    return _with_national_lsoa_counts(places)


def _with_national_lsoa_counts(places: list[Place]) -> list[Place]:
    """Each country's real number of small areas, shared out by population (largest remainder)."""
    counts: dict[int, int] = {}
    for country, total in NATIONAL_SMALL_AREAS.items():
        members = [i for i, p in enumerate(places) if p.facts.country == country]
        counts |= dict(
            zip(
                members,
                _apportion(
                    [places[i].facts.population for i in members], total, MIN_NATIONAL_LSOAS
                ),
                strict=True,
            )
        )
    return [replace(p, n_lsoas=counts[i]) for i, p in enumerate(places)]


def _apportion(weights: list[int], total: int, minimum: int) -> list[int]:
    """Whole shares of `total` proportional to `weights`, each at least `minimum`, summing to
    `total` exactly: floors first, then one more each for the largest remainders."""
    if minimum * len(weights) > total:
        raise ValueError(f"{len(weights)} areas of at least {minimum} exceed {total}")
    quotas = [w * total / sum(weights) for w in weights]
    shares = [max(minimum, math.floor(q)) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
    surplus = total - sum(shares)
    for i in by_remainder[: max(surplus, 0)]:
        shares[i] += 1
    # Floors raised to the minimum can overshoot: take back from the most over-quota shares.
    while surplus < 0:
        i = max(
            (i for i in range(len(shares)) if shares[i] > minimum),
            key=lambda i: shares[i] - quotas[i],
        )
        shares[i] -= 1
        surplus += 1
    return shares


def authorities_frame(places: list[Place]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "fsa_code": [p.code for p in places],
            "name": [p.authority.name for p in places],
            "gss_code": [p.facts.gss_code for p in places],
            "country": [p.facts.country for p in places],
            "region": [p.facts.region for p in places],
            "county": [p.facts.county for p in places],
            "pfa_code": [p.facts.pfa_code for p in places],
            "pfa_name": [p.facts.pfa_name for p in places],
            "enforcement_intensity": [p.enforcement_intensity for p in places],
        },
        schema={
            "fsa_code": pl.String,
            "name": pl.String,
            "gss_code": pl.String,
            "country": pl.String,
            "region": pl.String,
            "county": pl.String,
            "pfa_code": pl.String,
            "pfa_name": pl.String,
            "enforcement_intensity": pl.Float64,
        },
    )


# --- LSOAs ------------------------------------------------------------------------------------

_normal_cdf = np.vectorize(lambda z: 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))))


def _place_lsoas(place: Place, seed: int) -> dict[str, np.ndarray]:
    """Centres, districts, populations and latent deprivation of one authority's LSOAs."""
    rng = np_rng(seed, "lsoas", place.code)
    n = place.n_lsoas
    districts = place.template.districts
    district_index = rng.permutation(np.arange(n) % len(districts))
    d_lat = np.array([d.latitude for d in districts])[district_index]
    d_lon = np.array([d.longitude for d in districts])[district_index]
    lat = d_lat + rng.normal(0.0, 0.008, n)
    lon = d_lon + rng.normal(0.0, 0.012, n)
    # Clustered deprivation: district effect + a gradient across the authority + noise.
    district_effect = rng.normal(0.0, 0.3, len(districts))[district_index]
    angle = rng.uniform(0.0, 2.0 * math.pi)
    spread = max(float(np.std(lat)), 1e-6)
    gradient = (
        0.25
        * ((lat - lat.mean()) * math.cos(angle) + (lon - lon.mean()) * 0.6 * math.sin(angle))
        / spread
    )
    log_score = (
        math.log(place.facts.imd_median) + district_effect + gradient + rng.normal(0.0, 0.3, n)
    )
    score = np.clip(np.exp(log_score), 0.5, 92.0)
    mean_population = MEAN_LSOA_POPULATION[place.facts.country]
    population = (
        np.clip(
            rng.normal(mean_population, 0.17 * mean_population, n),
            0.6 * mean_population,
            1.9 * mean_population,
        )
        .round()
        .astype(np.int64)
    )
    working_share = rng.uniform(0.56, 0.70, n) + (0.05 if place.facts.region == "London" else 0.0)
    return {
        "district_index": district_index,
        "lat": lat,
        "lon": lon,
        "score": score,
        "population": population,
        "working_age_population": (population * working_share).round().astype(np.int64),
    }


def _lsoa_names(place: Place, lat: np.ndarray, seed: int) -> list[str]:
    """ "Lewisham 001A": MSOAs numbered north to south, 4-6 LSOAs each, lettered A, B, ..."""
    rng = py_rng(seed, "lsoa-names", place.code)
    order = np.argsort(-lat, kind="stable")
    names = [""] * len(order)
    msoa, letter, size = 1, 0, rng.randint(4, 6)
    for i in order:
        if letter == size:
            msoa, letter, size = msoa + 1, 0, rng.randint(4, 6)
        names[i] = f"{place.authority.name} {msoa:03d}{'ABCDEF'[letter]}"
        letter += 1
    return names


def _imd_ranks(score: np.ndarray) -> tuple[np.ndarray, int]:
    """Ranks (1 = most deprived), unique, and the number of LSOAs they rank among.

    A small world ranks its LSOAs against the national reference distribution,
    so ranks and deciles look like England's; the national world, with England's
    32,844 LSOAs, ranks them among themselves. More than England has cannot be ranked.
    """
    n = len(score)
    if n > ENGLISH_LSOAS_2019:
        raise ValueError(f"{n:,} English LSOAs: the IMD 2019 ranks {ENGLISH_LSOAS_2019:,}")
    order = np.argsort(-score, kind="stable")
    if n == ENGLISH_LSOAS_2019:
        ranks = np.empty(n, dtype=np.int64)
        ranks[order] = np.arange(1, n + 1)
        return ranks, n
    z = (np.log(score[order]) - _REFERENCE_LOG_MEDIAN) / _REFERENCE_LOG_SD
    wanted = np.maximum(1, np.round(ENGLISH_LSOAS_2019 * (1.0 - _normal_cdf(z)))).astype(np.int64)
    # Strictly increasing along the descending scores, and never past the last rank.
    steps = np.arange(n)
    unique = np.maximum.accumulate(wanted - steps) + steps
    unique = np.minimum(unique, ENGLISH_LSOAS_2019 - (n - 1 - steps))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = unique
    return ranks, ENGLISH_LSOAS_2019


def build_lsoas(places: list[Place], seed: int) -> pl.DataFrame:
    """Every LSOA, with the contract's columns plus internal ones prefixed "_".

    `_outward` (postcode district), `_lat`, `_lon` (centre) and
    `deprivation_decile` (IMD decile in England; the decile of the same latent
    score elsewhere, for the truth) are dropped before the table is published.
    """
    counters = {"England": 1, "Wales": 1, "Scotland": 6506}
    prefixes = {"England": "E01", "Wales": "W01", "Scotland": "S01"}
    frames = []
    for place in places:
        data = _place_lsoas(place, seed)
        country = place.facts.country
        start = counters[country]
        counters[country] += place.n_lsoas
        outwards = np.array([d.outward for d in place.template.districts])
        frames.append(
            pl.DataFrame(
                {
                    "lsoa_code": [
                        f"{prefixes[country]}{i:06d}" for i in range(start, counters[country])
                    ],
                    "lsoa_name": _lsoa_names(place, data["lat"], seed),
                    "gss_code": place.facts.gss_code,
                    "_country": country,
                    "_score": data["score"],
                    "population": data["population"],
                    "working_age_population": data["working_age_population"],
                    "_outward": outwards[data["district_index"]],
                    "_lat": data["lat"],
                    "_lon": data["lon"],
                }
            )
        )
    lsoas = pl.concat(frames)
    return _with_deprivation(lsoas, seed)


def _with_deprivation(lsoas: pl.DataFrame, seed: int) -> pl.DataFrame:
    rng = np_rng(seed, "imd-domains")
    score = lsoas["_score"].to_numpy()
    english = (lsoas["_country"] == "England").to_numpy()
    rank = np.zeros(len(score), dtype=np.int64)
    english_ranks, among = _imd_ranks(score[english])
    rank[english] = english_ranks
    # As published: decile d holds the ranks (d-1)/10 < rank/among <= d/10 (ceil, in integers).
    decile = np.clip(-(-rank * 10 // max(among, 1)), 1, 10)
    # Outside England: the decile the same score would have in England.
    z = (np.log(score) - _REFERENCE_LOG_MEDIAN) / _REFERENCE_LOG_SD
    latent_decile = np.clip(np.ceil(10.0 * (1.0 - _normal_cdf(z))), 1, 10).astype(np.int64)
    income = np.clip(0.0055 * score + rng.normal(0.0, 0.025, len(score)), 0.005, 0.65)
    employment = np.clip(0.0042 * score + rng.normal(0.0, 0.02, len(score)), 0.005, 0.5)
    only_english = pl.Series(english)
    return lsoas.with_columns(
        imd_rank=pl.when(only_english).then(pl.Series(rank)),
        imd_decile=pl.when(only_english).then(pl.Series(decile)),
        imd_score=pl.when(only_english).then(pl.Series(score).round(3)),
        income_score=pl.when(only_english).then(pl.Series(income).round(3)),
        employment_score=pl.when(only_english).then(pl.Series(employment).round(3)),
        deprivation_decile=pl.when(only_english)
        .then(pl.Series(decile))
        .otherwise(pl.Series(latent_decile)),
        # Standardised latent deprivation (higher = more deprived), for the propensity.
        _deprivation_z=pl.Series(z),
    ).drop("_country", "_score")


def nearest_lsoa(lsoas: pl.DataFrame, points: pl.DataFrame) -> pl.Series:
    """The LSOA of each point (gss_code, outward, lat, lon): the nearest centre in its district."""
    result = np.empty(points.height, dtype=object)
    points = points.with_row_index("_i")
    groups = lsoas.group_by("gss_code", "_outward", maintain_order=True)
    by_district = {key: frame for key, frame in groups}
    for (gss, outward), group in points.group_by("gss_code", "outward", maintain_order=True):
        candidates = by_district.get((gss, outward))
        if candidates is None:  # a district with no LSOA centre: use the authority's
            candidates = lsoas.filter(pl.col("gss_code") == gss)
        c_lat = candidates["_lat"].to_numpy()
        c_lon = candidates["_lon"].to_numpy()
        p_lat = group["lat"].to_numpy()[:, None]
        p_lon = group["lon"].to_numpy()[:, None]
        shrink = math.cos(math.radians(float(c_lat.mean())))
        distance = (p_lat - c_lat) ** 2 + ((p_lon - c_lon) * shrink) ** 2
        codes = candidates["lsoa_code"].to_numpy()[distance.argmin(axis=1)]
        result[group["_i"].to_numpy()] = codes
    return pl.Series("lsoa_code", result.tolist(), dtype=pl.String)
