"""Sample writer: earlier FHRS snapshots, as an archive of the FSA's files would hold them.

FHRS publishes only each premises' latest rating, so a rating trend needs copies of the
files taken earlier (../shared/data/fhrs/history holds such copies of five real files).
For each of SNAPSHOT_YEARS years before the extract, this writes every authority's file
as it stood that day: each premises with its latest inspection dated on or before the
day (`world.inspections` and the current rating), unrated ("AwaitingInspection") when it
had none. Names, addresses and everything else are as today (premises that opened later
are listed too: the world does not date openings). Files are
`fhrs_history/FHRS<code>en-GB_<YYYY-MM-DD>.xml`, the date being the snapshot's
ExtractDate: a unique name per snapshot, as the raw store keeps files by name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from heyrick_dagster.sample.world import World
from heyrick_dagster.sample.writers import fhrs

SOURCE = "fhrs_history"
# Yearly copies back to six years: the time-ordered evaluation fits its weights four years
# before the extract, when a trend needs two inspections seen in copies by then.
SNAPSHOT_YEARS = (1, 2, 3, 4, 5, 6)
_RATING_COLUMNS = (
    "rating_value",
    "rating_key",
    "rating_date",
    "score_hygiene",
    "score_structural",
    "score_confidence_in_management",
)


def file_name(code: str, day: dt.date) -> str:
    return f"FHRS{code}en-GB_{day.isoformat()}.xml"


def snapshot_days(extract_date: str) -> list[dt.date]:
    extract = dt.date.fromisoformat(extract_date)
    return [extract - dt.timedelta(days=365 * years) for years in SNAPSHOT_YEARS]


def as_of(premises: pl.DataFrame, inspections: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The FHRS (0-5 scheme) premises, each with its latest inspection dated on or before
    `day` among its current one and `inspections`, else awaiting inspection."""
    premises = premises.filter(pl.col("rating_key").str.starts_with("fhrs_"))
    current = premises.select("fhrsid", *_RATING_COLUMNS)
    known = (
        pl.concat([current, inspections.select(current.columns)])
        .filter(pl.col("rating_date") <= day)
        .sort("rating_date")
        .group_by("fhrsid", maintain_order=True)
        .last()
    )
    unrated = premises.join(known, on="fhrsid", how="anti").with_columns(
        pl.lit("AwaitingInspection").alias("rating_value"),
        (
            pl.lit("fhrs_awaitinginspection_") + pl.col("rating_key").str.split("_").list.last()
        ).alias("rating_key"),
        pl.lit(None, dtype=pl.Date).alias("rating_date"),
        *[pl.lit(None, dtype=pl.Int64).alias(c) for c in _RATING_COLUMNS[3:]],
    )
    rated = premises.drop(_RATING_COLUMNS).join(known, on="fhrsid")
    return pl.concat([rated, unrated.select(rated.columns)]).with_columns(
        pl.lit(False).alias("new_rating_pending")
    )


def write(world: World, out_dir: Path) -> list[Path]:
    """SNAPSHOT_YEARS earlier copies of every FHRS authority's file under out_dir/fhrs_history/."""
    folder = Path(out_dir) / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for authority in world.authorities.filter(pl.col("country") != "Scotland").to_dicts():
        code = authority["fsa_code"]
        website, email = fhrs.contact(code, authority["name"])
        details = authority | {"website": website, "email": email, "scheme": "FHRS"}
        mine = world.premises.filter(pl.col("fsa_code") == code)
        for day in snapshot_days(world.extract_date):
            snapshot = as_of(mine, world.inspections, day)
            rows = fhrs.render_establishments(fhrs.in_published_order(snapshot), details)
            path = folder / file_name(code, day)
            fhrs.write_file(path, details, day.isoformat(), rows, rows.len())
            written.append(path)
    return written
