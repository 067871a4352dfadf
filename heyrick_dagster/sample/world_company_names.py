"""Registered company names and how other lists write them.

A company may be registered under its trading name ("GOLDEN KEBAB HOUSE LTD"),
with a place added ("GOLDEN KEBAB HOUSE (LEWISHAM) LIMITED"), or under a quite
different name ("A&S FOODS (LONDON) LIMITED") -- always so for franchisees of a
brand. A few registered names carry a typo against the shop front. Enforcement
lists write the same company in title case and swap "Limited" and "Ltd".
"""

from __future__ import annotations

import random
import re

import polars as pl

from heyrick_dagster.sample import names

_LIMITED = re.compile(r"\s*\b(ltd\.?|limited)$", re.IGNORECASE)
_SUFFIX = re.compile(r"^(.*?)(\s+(?:LTD\.?|LIMITED|LLP|LP|PLC|CIC))$")
_INITIALS = "ABDGHJKMNPRSTZ"
_DIFFERENT = (
    "{i}&{i} FOODS ({town})", "{i}&{i} {last}", "{i}&{i} {word} FOODS", "{first} {last} TRADING",
    "{last} {word} RETAIL", "{last} BROTHERS ({town})", "{last} & {last}",
    "{adj} {word} ENTERPRISES", "{first} {last} HOLDINGS", "{i}{i}{i} {word}",
    "{word} {word} CATERING", "{adj} {word} FOOD SERVICES", "{last} {word} ({town})",
    "{i}.{i}. {last} & CO",
)


def _literal_names() -> frozenset[str]:
    """Names used as they stand (brands, fixed shop names): franchisees register other names."""
    found: set[str] = set()
    for value in vars(names).values():
        groups = value.values() if isinstance(value, dict) else (value,)
        for group in groups:
            if isinstance(group, tuple) and all(isinstance(v, str) for v in group):
                found.update(v for v in group if "{" not in v)
    return frozenset(found)


LITERAL_NAMES = _literal_names()


def _suffix(rng: random.Random) -> str:
    return "LTD" if rng.random() < 0.6 else "LIMITED"


def different_name(town: str, rng: random.Random) -> str:
    """A registered name unrelated to the shop front (no legal suffix)."""
    pattern = rng.choice(_DIFFERENT)
    text = pattern.replace("{town}", town.upper())
    for key, pool in (("{last}", names.LAST_NAMES), ("{first}", names.FIRST_NAMES),
                      ("{adj}", names.ADJECTIVES), ("{word}", names.WORDS)):
        while key in text:
            text = text.replace(key, rng.choice(pool).upper(), 1)
    while "{i}" in text:
        text = text.replace("{i}", rng.choice(_INITIALS), 1)
    return text


def typo(text: str, rng: random.Random) -> str:
    """One slip of the keyboard inside a word: a swap, a dropped or a doubled letter."""
    spots = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def registered_name(trading_name: str, town: str, rng: random.Random) -> str:
    """The name a business's company is registered under, given its trading name."""
    stem = _LIMITED.sub("", trading_name).strip().upper()
    brand = trading_name in LITERAL_NAMES or _LIMITED.sub("", trading_name) in LITERAL_NAMES
    roll = rng.random()
    if not brand and roll < 0.5:
        name = stem
    elif not brand and roll < 0.62:
        name = f"{stem} ({town.upper()})"
    else:
        name = different_name(town, rng)
    if rng.random() < 0.04:
        name = typo(name, rng)
    return f"{name} {_suffix(rng)}"


def successor_name(predecessor: str, town: str, year: int, rng: random.Random) -> str:
    """The name of a phoenix: the old name dressed up, or a new one."""
    match = _SUFFIX.match(predecessor)
    stem = match.group(1) if match else predecessor
    roll = rng.random()
    if roll < 0.35:
        name = f"{stem} ({year})"
    elif roll < 0.5:
        name = f"{stem} {town.upper()}"
    elif roll < 0.7:
        name = f"{stem} {rng.choice(('UK', '1', 'NEW', 'GROUP'))}"
    else:
        name = different_name(town, rng)
    return f"{name} {_suffix(rng)}"


def title(text: str) -> str:
    """Title case as lists and registers write it; short initialisms ("A&S", "JJB") stay."""
    words = []
    for word in text.split(" "):
        letters = [c for c in word if c.isalpha()]
        if ("&" in word or "." in word) and len(letters) <= 3:
            words.append(word)
        else:
            first = next((i for i, c in enumerate(word) if c.isalpha()), None)
            words.append(word if first is None
                         else word[:first] + word[first].upper() + word[first + 1:].lower())
    return " ".join(words)


def as_listed(company_name: str, rng: random.Random) -> str:
    """A company's name as an enforcement list prints it."""
    roll = rng.random()
    if roll < 0.1:
        name = company_name
    else:
        name = title(company_name)
    if rng.random() < 0.15:
        if name.endswith(("Limited", "LIMITED")):
            name = name[: -len("Limited")] + ("Ltd" if name.endswith("Limited") else "LTD")
        elif name.endswith(("Ltd", "LTD")):
            name = name[:-3] + ("Limited" if name.endswith("Ltd") else "LIMITED")
    return name


# What a company adds to a name already taken, in the order registrants reach for them.
_QUALIFIERS = ("(UK)", "GROUP", "SERVICES", "INTERNATIONAL", "ENTERPRISES", "(GB)", "HOLDINGS")


def make_unique(names: pl.Series) -> pl.Series:
    """Registered names are unique: a repeat gains "(UK)", "GROUP", ... then a number.

    The first holder of a name keeps it. Only the later holders are touched, so the
    national register (millions of names, most of them repeats of a few hundred
    thousand) is hashed a few times and never copied whole.
    """
    names = names.clone()
    for _ in range(10):
        later = ~names.is_first_distinct()
        if not later.any():
            return names
        rows = later.arg_true()
        names.scatter(rows, _qualified(names.gather(rows)))
    raise AssertionError("company names still repeat after qualifying them")


# The legal suffix ending a name, with the spaces before it (as _SUFFIX's second group).
_SUFFIX_AT_END = r"(\s+(?:LTD\.?|LIMITED|LLP|LP|PLC|CIC))$"


def _qualified(later: pl.Series) -> pl.Series:
    """Each later holder of a name, qualified: the first of them with "(UK)", the next
    with "GROUP", ..., then with numbers from 9 (the name's 9th holder), in row order."""
    k = pl.int_range(pl.len()).over("company_name")
    qualifier = pl.coalesce(
        k.replace_strict(dict(enumerate(_QUALIFIERS)), default=None, return_dtype=pl.String),
        (k + 2).cast(pl.String))
    name, suffix = pl.col("company_name"), pl.col("_suffix")
    stem = name.str.slice(0, name.str.len_chars() - suffix.str.len_chars())
    return (later.to_frame("company_name")
            .with_columns(_suffix=name.str.extract(_SUFFIX_AT_END, 1), _qualifier=qualifier)
            .select(pl.when(suffix.is_not_null())
                    .then(pl.concat_str([stem, pl.lit(" "), pl.col("_qualifier"), suffix]))
                    .otherwise(pl.concat_str([name, pl.lit(" "), pl.col("_qualifier")])))
            .to_series())
