"""People behind companies: names as the register lists officers, birth month, year, nationality.

Officers are named "SURNAME, Forename Middle" as in the register. People
behind food businesses are drawn from a mix of nationalities closer to the
trade's than to the whole register's.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from heyrick_dagster.sample import names

_NATIONALITIES_ALL = {
    "British": 62, "Indian": 4, "Pakistani": 3, "Bangladeshi": 2, "Polish": 3, "Romanian": 3,
    "Turkish": 2, "Chinese": 2, "Nigerian": 2, "Italian": 2, "Irish": 2, "Afghan": 1,
    "Iraqi": 1, "Sri Lankan": 1, "Portuguese": 1, "Spanish": 1, "German": 1, "French": 1,
    "American": 1, "Greek": 1,
}
_NATIONALITIES_FOOD = {
    "British": 40, "Turkish": 8, "Bangladeshi": 7, "Pakistani": 7, "Indian": 6, "Chinese": 5,
    "Afghan": 3, "Iraqi": 3, "Sri Lankan": 3, "Polish": 3, "Romanian": 3, "Iranian": 3,
    "Nigerian": 2, "Italian": 2, "Vietnamese": 2, "Greek": 1, "Portuguese": 1, "Somali": 1,
}

# Accumulated once (the same draws as `weights=`, without adding them up per person).
_FOOD_NATIONALITIES = list(_NATIONALITIES_FOOD)
_FOOD_CUM_WEIGHTS = list(itertools.accumulate(_NATIONALITIES_FOOD.values()))


@dataclass
class PeopleBook:
    """People drawn one at a time (behind food businesses); ids are given when published."""

    names: list[str] = field(default_factory=list)
    birth_years: list[int] = field(default_factory=list)
    birth_months: list[int] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)

    def draw(self, rng: random.Random) -> int:
        """A new person; returns their index in the book."""
        forename = rng.choice(names.FIRST_NAMES)
        if rng.random() < 0.35:
            forename += " " + rng.choice(names.FIRST_NAMES)
        self.names.append(f"{rng.choice(names.LAST_NAMES).upper()}, {forename}")
        self.birth_years.append(rng.randint(1955, 2002))
        self.birth_months.append(rng.randint(1, 12))
        self.nationalities.append(rng.choices(_FOOD_NATIONALITIES,
                                              cum_weights=_FOOD_CUM_WEIGHTS)[0])
        return len(self.names) - 1

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({"name": self.names, "birth_year": self.birth_years,
                             "birth_month": self.birth_months,
                             "nationality": self.nationalities},
                            schema={"name": pl.String, "birth_year": pl.Int64,
                                    "birth_month": pl.Int64, "nationality": pl.String})


def draw_people(n: int, rng: np.random.Generator) -> pl.DataFrame:
    """n people behind other companies, vectorised (name, birth_year, birth_month, nationality)."""
    # Picked by index from small Series: numpy string arrays of millions convert slowly.
    first = pl.Series(names.FIRST_NAMES, dtype=pl.String)
    last = pl.Series(names.LAST_NAMES, dtype=pl.String).str.to_uppercase()
    has_middle = pl.Series(rng.random(n) < 0.35)
    middle = pl.select(pl.when(has_middle).then(
        pl.lit(" ") + first.gather(rng.integers(0, len(first), n))).otherwise(pl.lit(""))
    ).to_series()
    nationalities = pl.Series(list(_NATIONALITIES_ALL), dtype=pl.String)
    weights = np.array(list(_NATIONALITIES_ALL.values()), dtype=float)
    return pl.DataFrame({
        "name": last.gather(rng.integers(0, len(last), n)) + ", "
        + first.gather(rng.integers(0, len(first), n)) + middle,
        "birth_year": rng.integers(1940, 2004, n),
        "birth_month": rng.integers(1, 13, n),
        "nationality": nationalities.gather(
            rng.choice(len(nationalities), n, p=weights / weights.sum())),
    }, schema={"name": pl.String, "birth_year": pl.Int64, "birth_month": pl.Int64,
               "nationality": pl.String})
