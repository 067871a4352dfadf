"""Latent sectors of the sample's premises, and the documented rules that staging applies.

The generator gives each premises a latent sector, then picks a business type
and name that the documented rules classify correctly -- except for a small,
deliberate share of realistic misses (a corner shop registered only as
"A & S Patel Ltd"). The rules are written out here so that the generator can
check its own output; the pipeline has its own implementation (dbt staging)
and must never import this module.

Word lists are matched under three readings (plain substring, whole word with
an optional plural "s", and whole word after punctuation is normalised) and a
name is accepted only when all three agree. That way the truth does not hinge
on how staging happens to tokenise "Newsagents" or "Food&Wine".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

HOT_FOOD_TAKEAWAY = "hot_food_takeaway"
CONVENIENCE_STORE = "convenience_store"
RESTAURANT_CAFE = "restaurant_cafe"
OTHER = "other"
SECTORS = (HOT_FOOD_TAKEAWAY, CONVENIENCE_STORE, RESTAURANT_CAFE, OTHER)

TAKEAWAY = "Takeaway/sandwich shop"
RESTAURANT = "Restaurant/Cafe/Canteen"
RETAIL_OTHER = "Retailers - other"
SUPERMARKET = "Retailers - supermarkets/hypermarkets"

SANDWICH_WORDS = (
    "sandwich", "coffee", "cafe", "bakery", "baker", "deli", "greggs", "subway", "pret",
    "costa", "starbucks", "bagel",
)
TAKEAWAY_WORDS = (
    "takeaway", "take away", "take-away", "kebab", "fried chicken", "chippy", "fish bar",
    "chicken & ribs", "peri peri",
)
CONVENIENCE_WORDS = (
    "convenience", "mini market", "minimarket", "mini mart", "food & wine", "food and wine",
    "off licence", "off license", "news", "newsagent", "grocer", "grocery", "express", "local",
    "supermarket", "store", "stores", "food centre", "wines", "booze", "costcutter", "londis",
    "nisa", "premier", "spar", "one stop", "best one", "best-one", "mace", "budgens",
    "bargain booze",
)
SMALL_SUPERMARKET_WORDS = ("express", "local", "metro", "mini", "convenience")


def _normalise(text: str) -> str:
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return f" {' '.join(text.split())} "


def _compile(words: Iterable[str]) -> tuple[tuple[str, ...], re.Pattern, tuple[str, ...]]:
    words = tuple(w.casefold() for w in words)
    plural = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")s?\b")
    normalised = tuple(sorted({_normalise(w) for w in words}))
    return words, plural, normalised


_LISTS = {
    "sandwich": _compile(SANDWICH_WORDS),
    "takeaway": _compile(TAKEAWAY_WORDS),
    "convenience": _compile(CONVENIENCE_WORDS),
    "small_supermarket": _compile(SMALL_SUPERMARKET_WORDS),
}


def _has_word(name: str, list_key: str, reading: int) -> bool:
    words, plural, normalised = _LISTS[list_key]
    if reading == 0:
        folded = name.casefold()
        return any(w in folded for w in words)
    if reading == 1:
        return plural.search(name.casefold()) is not None
    padded = _normalise(name)
    return any(w in padded for w in normalised)


def rule_sector(business_type: str, name: str, reading: int = 1) -> str:
    """The sector the documented staging rules give, under one reading of the word lists."""
    if business_type == TAKEAWAY:
        return RESTAURANT_CAFE if _has_word(name, "sandwich", reading) else HOT_FOOD_TAKEAWAY
    if business_type == RESTAURANT:
        return HOT_FOOD_TAKEAWAY if _has_word(name, "takeaway", reading) else RESTAURANT_CAFE
    if business_type == RETAIL_OTHER:
        return CONVENIENCE_STORE if _has_word(name, "convenience", reading) else OTHER
    if business_type == SUPERMARKET:
        return CONVENIENCE_STORE if _has_word(name, "small_supermarket", reading) else OTHER
    return OTHER


@functools.lru_cache(maxsize=1 << 16)
def rules_agree_on(business_type: str, name: str, expected: str) -> bool:
    """True when every reading of the rules classifies (type, name) as `expected`.

    Cached: the generator asks about the same names again and again (~600k premises
    at national scale, drawn from a few thousand name patterns).
    """
    return all(rule_sector(business_type, name, reading) == expected for reading in (0, 1, 2))
