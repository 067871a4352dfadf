"""The sample's ground truth: which published record belongs to which latent business.

Evaluation and tests read these files; pipeline code never does.

- records.parquet:    source, record_id, entity_id  (one row per published record)
- businesses.parquet: entity_id, sector, exploitative, n_premises
- premises.parquet:   fhrsid, entity_id, sector, la_code, postcode_clean
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from heyrick_dagster.sample.universe import Business, Premises

RECORDS_SCHEMA = {"source": pl.Utf8, "record_id": pl.Utf8, "entity_id": pl.Utf8}
BUSINESSES_SCHEMA = {"entity_id": pl.Utf8, "sector": pl.Utf8, "exploitative": pl.Boolean,
                     "n_premises": pl.Int64}
PREMISES_SCHEMA = {"fhrsid": pl.Utf8, "entity_id": pl.Utf8, "sector": pl.Utf8,
                   "la_code": pl.Utf8, "postcode_clean": pl.Utf8}


class TruthCollector:
    """Collects truth one authority at a time as compact frames (memory-light at national scale)."""

    def __init__(self) -> None:
        self._records: list[pl.DataFrame] = []
        self._businesses: list[pl.DataFrame] = []
        self._premises: list[pl.DataFrame] = []

    def add(self, businesses: list[Business], premises: list[Premises]) -> None:
        fhrsids = [str(p.fhrsid) for p in premises]
        entity_ids = [p.entity_id for p in premises]
        self._records.append(pl.DataFrame(
            {"source": ["fhrs"] * len(premises), "record_id": fhrsids, "entity_id": entity_ids},
            schema=RECORDS_SCHEMA))
        self._premises.append(pl.DataFrame({
            "fhrsid": fhrsids,
            "entity_id": entity_ids,
            "sector": [p.sector for p in premises],
            "la_code": [p.la_code for p in premises],
            "postcode_clean": [p.postcode_clean for p in premises],
        }, schema=PREMISES_SCHEMA))
        self._businesses.append(pl.DataFrame({
            "entity_id": [b.entity_id for b in businesses],
            "sector": [b.sector for b in businesses],
            "exploitative": [b.exploitative for b in businesses],
            "n_premises": [b.n_premises for b in businesses],
        }, schema=BUSINESSES_SCHEMA))

    def write(self, truth_dir: Path) -> list[Path]:
        truth_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frames, schema in (("records", self._records, RECORDS_SCHEMA),
                                     ("businesses", self._businesses, BUSINESSES_SCHEMA),
                                     ("premises", self._premises, PREMISES_SCHEMA)):
            frame = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
            path = truth_dir / f"{name}.parquet"
            tmp = path.with_name(path.name + ".tmp")
            frame.write_parquet(tmp)
            os.replace(tmp, path)
            written.append(path)
        return written
