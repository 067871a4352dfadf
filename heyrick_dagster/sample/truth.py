"""The sample's ground truth: which published record belongs to which latent business.

A published contract (DESIGN.md section 9). Evaluation and tests read these
files; pipeline code never does.

- records.parquet:    source, record_id, entity_id -- one row per published record
  that belongs to a business of the world: every FHRS establishment (FHRSID),
  every company run by a business (company number; its phoenix predecessor
  too), every illegal-working penalty and NMW naming ("<period>#<n>", the row
  of that publication). Companies that run no premises in the world have no row.
- businesses.parquet: entity_id, sector, exploitative, n_premises and the traits
  that drive exploitation: legal_form, phoenix, recent_incorporation,
  shared_officers, exploitation_propensity, gss_code, deprivation_decile (the
  IMD 2019 decile of the LSOA of its first located premises; England only,
  null in Wales and Scotland and for businesses with no located premises).
- events.parquet:     entity_id, source, record_id, event_date
- premises.parquet:   fhrsid, entity_id, sector, la_code, postcode_clean
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from heyrick_dagster.sample.world import World

RECORDS_SCHEMA = {"source": pl.String, "record_id": pl.String, "entity_id": pl.String}
BUSINESSES_SCHEMA = {
    "entity_id": pl.String, "sector": pl.String, "exploitative": pl.Boolean,
    "n_premises": pl.Int64, "legal_form": pl.String, "phoenix": pl.Boolean,
    "recent_incorporation": pl.Boolean, "shared_officers": pl.Boolean,
    "exploitation_propensity": pl.Float64, "gss_code": pl.String,
    "deprivation_decile": pl.Int64,
}
EVENTS_SCHEMA = {"entity_id": pl.String, "source": pl.String, "record_id": pl.String,
                 "event_date": pl.Date}
PREMISES_SCHEMA = {"fhrsid": pl.String, "entity_id": pl.String, "sector": pl.String,
                   "la_code": pl.String, "postcode_clean": pl.String}


def records(world: World) -> pl.DataFrame:
    fhrs = world.premises.select(pl.lit("fhrs").alias("source"),
                                 pl.col("fhrsid").alias("record_id"), "entity_id")
    companies = world.companies.filter(pl.col("entity_id").is_not_null()).select(
        pl.lit("companies_house").alias("source"),
        pl.col("company_number").alias("record_id"), "entity_id")
    events = world.events.select("source", "record_id", "entity_id")
    return pl.concat([fhrs, companies, events]).cast(RECORDS_SCHEMA)


def businesses(world: World) -> pl.DataFrame:
    area = (world.premises.filter(pl.col("lsoa_code").is_not_null())
            .group_by("entity_id", maintain_order=True).agg(pl.col("lsoa_code").first())
            .join(world.lsoas.select("lsoa_code", pl.col("imd_decile").alias(
                "deprivation_decile")), on="lsoa_code", how="left"))
    return (world.businesses.join(area, on="entity_id", how="left")
            .select(list(BUSINESSES_SCHEMA)).cast(BUSINESSES_SCHEMA))


def events(world: World) -> pl.DataFrame:
    return world.events.select(list(EVENTS_SCHEMA)).cast(EVENTS_SCHEMA)


def premises(world: World) -> pl.DataFrame:
    return world.premises.select("fhrsid", "entity_id", "sector",
                                 pl.col("fsa_code").alias("la_code"),
                                 pl.col("postcode").alias("postcode_clean")).cast(PREMISES_SCHEMA)


def write(world: World, truth_dir: Path) -> list[Path]:
    """Writes the four truth files (each atomically) and returns their paths."""
    truth_dir = Path(truth_dir)
    truth_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in (("records", records), ("businesses", businesses), ("events", events),
                        ("premises", premises)):
        path = truth_dir / f"{name}.parquet"
        tmp = path.with_name(path.name + ".tmp")
        build(world).write_parquet(tmp)
        os.replace(tmp, path)
        written.append(path)
    return written
