"""Earlier food-hygiene inspections: the ratings a premises had before its latest one.

An FHRS premises is re-inspected every six months to two years, more often when it is
higher risk. Each premises rated on the 0-5 scale gets up to MAX_EARLIER inspections
before its latest, each one to three years before the next, back to HISTORY_YEARS
before the extract. Every earlier inspection is drawn by the same process as the
latest (ratings.inspected): the premises' compliance grade and whether its business
exploits workers, which the world holds fixed over time. So a change between two
ratings is inspection noise around the same level, as nothing in the world makes a
business get worse or better; the sample has no planted trend for an indicator to find.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from heyrick_dagster.sample import ratings
from heyrick_dagster.sample.universe import AuthorityWorld
from heyrick_dagster.sample.world_businesses import BusinessDraft
from heyrick_dagster.sample.world_random import py_rng

MAX_EARLIER = 4
HISTORY_YEARS = 8  # two more than the oldest copy the sample writes
GAP_DAYS = (365, 3 * 365)

SCHEMA = {
    "fhrsid": pl.String,
    "rating_date": pl.Date,
    "rating_value": pl.String,
    "rating_key": pl.String,
    "score_hygiene": pl.Int64,
    "score_structural": pl.Int64,
    "score_confidence_in_management": pl.Int64,
}


def earlier_inspections(
    worlds: list[AuthorityWorld], drafts: list[BusinessDraft], extract: dt.date, seed: int
) -> pl.DataFrame:
    """One row per earlier inspection of every 0-5-rated premises (world table
    `inspections`), drawn from their own seeded generators so that the latest ratings
    are the same with or without this history."""
    language = {w.authority.code: w.authority.key_language for w in worlds}
    rngs = {code: py_rng(seed, "earlier-inspections", code) for code in language}
    oldest = extract - dt.timedelta(days=HISTORY_YEARS * 365)
    rows: dict[str, list] = {column: [] for column in SCHEMA}
    for draft in drafts:
        for p in draft.premises:
            if p.outcome is None or p.outcome.scores is None or p.rating_date is None:
                continue
            rng = rngs[p.la_code]
            day = p.rating_date
            for _ in range(MAX_EARLIER):
                day -= dt.timedelta(days=rng.randint(*GAP_DAYS))
                if day < oldest:
                    break
                outcome = ratings.inspected(language[p.la_code], p.grade, draft.exploitative, rng)
                for column, value in zip(
                    SCHEMA,
                    (str(p.fhrsid), day, outcome.rating_value, outcome.rating_key, *outcome.scores),
                    strict=True,
                ):
                    rows[column].append(value)
    return pl.DataFrame(rows, schema=SCHEMA)
