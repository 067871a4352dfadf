"""Postcodes as officers type them: mostly canonical, a few in lower case or badly spaced."""

from __future__ import annotations

import random
import re

_CANONICAL = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


def canonical(postcode: str) -> str:
    """ "se136jg" -> "SE13 6JG": upper case, no spaces, then one space before the inward code."""
    compact = "".join(postcode.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def is_canonical(postcode: str) -> bool:
    return _CANONICAL.match(postcode) is not None


def as_typed(postcode: str, rng: random.Random, messy_share: float = 0.03) -> str:
    """The canonical postcode, or (with probability `messy_share`) a messy spelling of it."""
    if rng.random() >= messy_share:
        return postcode
    outward, inward = postcode.split(" ")
    kind = rng.randrange(5)
    if kind == 0:
        return postcode.lower()  # "se13 6jg"
    if kind == 1:
        return outward + inward  # "SE136JG"
    if kind == 2:
        return (outward + inward).lower()  # "se136jg"
    if kind == 3:
        return f"{outward}  {inward}"  # two spaces
    return f"{outward[:-1]} {outward[-1]}{inward}"  # space in the wrong place: "SE1 36JG"
