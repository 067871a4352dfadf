"""The local authorities the sample covers, with their scheme, contact details and size.

"small" uses seven real FSA authority codes (five English, one Welsh, one
Scottish). "national" adds synthetic authorities ("Synthetic Authority 1000",
codes 1000+) up to the size of the whole UK register, borrowing the geography
of the real seven so that addresses and postcodes keep their shape.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SCALES = ("small", "national")

# FSA local-authority code -> name, exactly as the FSA spells them.
SAMPLE_AUTHORITIES: dict[str, str] = {
    "404": "Bradford",
    "523": "Lewisham",
    "525": "Newham",
    "530": "Tower Hamlets",
    "878": "Leicester City",
    "556": "Cardiff",
    "760": "Aberdeen City",
}

NATIONAL_AUTHORITY_COUNT = 363
NATIONAL_ESTABLISHMENTS = 613_000
SMALL_SIZE_RANGE = (600, 1000)


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    scheme: str  # "FHRS" or "FHIS" (Scotland)
    key_language: str  # suffix of RatingKey: "en-GB", or "cy-GB" for Welsh authorities
    website: str
    email: str
    geography: str  # key of a template in geography.TEMPLATES
    business_id_style: str  # how LocalAuthorityBusinessID looks, see universe.py
    national_size: int  # roughly the authority's real register size


# Websites are the councils' public addresses; the e-mail addresses are generic
# made-up team mailboxes (the real files name individual officers).
_REAL = (
    Authority("404", "Bradford", "FHRS", "en-GB", "http://www.bradford.gov.uk",
              "food.safety@bradford.gov.uk", "bradford", "numeric", 4250),
    Authority("523", "Lewisham", "FHRS", "en-GB", "http://www.lewisham.gov.uk",
              "food.safety@lewisham.gov.uk", "lewisham", "pi", 2400),
    Authority("525", "Newham", "FHRS", "en-GB", "https://www.newham.gov.uk",
              "food.safety@newham.gov.uk", "newham", "year_food", 2400),
    Authority("530", "Tower Hamlets", "FHRS", "en-GB", "http://www.towerhamlets.gov.uk",
              "food.safety@towerhamlets.gov.uk", "tower_hamlets", "numeric", 2700),
    Authority("878", "Leicester City", "FHRS", "en-GB", "http://www.leicester.gov.uk/food",
              "food.safety@leicester.gov.uk", "leicester", "year_cp", 3000),
    Authority("556", "Cardiff", "FHRS", "cy-GB", "http://www.cardiff.gov.uk",
              "food.safety@cardiff.gov.uk", "cardiff", "numeric", 3100),
    Authority("760", "Aberdeen City", "FHIS", "en-GB", "http://www.aberdeencity.gov.uk",
              "food.safety@aberdeencity.gov.uk", "aberdeen", "fhis", 2300),
)
assert {a.code: a.name for a in _REAL} == SAMPLE_AUTHORITIES

_ENGLISH_GEOGRAPHIES = ("bradford", "lewisham", "newham", "tower_hamlets", "leicester")


def _synthetic(index: int) -> Authority:
    """The index-th synthetic authority (0-based); about 1 in 12 Welsh, 1 in 11 Scottish."""
    code = str(1000 + index)
    domain = f"synthetic-authority-{code}.example"
    if index % 12 == 5:
        scheme, language, geography, style = "FHRS", "cy-GB", "cardiff", "numeric"
    elif index % 11 == 3:
        scheme, language, geography, style = "FHIS", "en-GB", "aberdeen", "fhis"
    else:
        geography = _ENGLISH_GEOGRAPHIES[index % len(_ENGLISH_GEOGRAPHIES)]
        scheme, language, style = "FHRS", "en-GB", ("numeric", "pi", "year_food")[index % 3]
    return Authority(code, f"Synthetic Authority {code}", scheme, language, f"https://www.{domain}",
                     f"food.safety@{domain}", geography, style, 0)


def authority_by_code(code: str) -> Authority:
    """The sample authority with this FSA code (real, or synthetic "1000" and above)."""
    for authority in _REAL:
        if authority.code == code:
            return authority
    if code.isdigit() and 1000 <= int(code) < 1000 + NATIONAL_AUTHORITY_COUNT - len(_REAL):
        return _synthetic(int(code) - 1000)
    raise KeyError(f"no sample authority with FSA code {code!r}")


def authorities_for(scale: str, seed: int) -> list[tuple[Authority, int]]:
    """The authorities of a scale, each with its number of establishments, in writing order."""
    if scale not in SCALES:
        raise ValueError(f"scale={scale!r}: expected one of {', '.join(SCALES)}")
    rng = random.Random(f"heyrick-fhrs-sizes:{seed}:{scale}")
    if scale == "small":
        return [(a, rng.randint(*SMALL_SIZE_RANGE)) for a in _REAL]

    sized = [(a, round(a.national_size * rng.uniform(0.95, 1.05))) for a in _REAL]
    synthetic = [_synthetic(i) for i in range(NATIONAL_AUTHORITY_COUNT - len(_REAL))]
    remaining = NATIONAL_ESTABLISHMENTS - sum(n for _, n in sized)
    # Register sizes are skewed (a few big cities, many small districts).
    weights = [math.exp(rng.gauss(0.0, 0.45)) for _ in synthetic]
    scale_by = remaining / sum(weights)
    sizes = [max(300, round(w * scale_by)) for w in weights]
    sizes[-1] += remaining - sum(sizes)
    return sized + list(zip(synthetic, sizes, strict=True))
