"""Reading the warehouse for the quality reports: the rejected candidate of a failed gate,
and a warehouse that cannot be read."""

from __future__ import annotations

import datetime as dt

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.reports.quality import (
    load_tables,
    reference_from_warehouse,
    write_quality_reports,
)
from heyrick_dagster.sources.registry import BY_KEY

NOW = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)


def imd_rows(codes: list[str]) -> pl.DataFrame:
    """Staged IMD rows of Lewisham LSOAs `codes` (also used by test_quality_suite_frames)."""
    empty = BY_KEY["imd"].parse([]).tables["lsoa_deprivation"]
    rows = [
        {c: None for c in empty.columns}
        | {
            "lsoa_code": code,
            "lsoa_name": f"Area {i}",
            "lad_code": "E09000023",
            "lad_name": "Lewisham",
            "imd_rank": 100 + i,
            "imd_decile": 1,
            "_source_file": "/raw/imd/2019-09-26/File_1.xlsx",
            "_source_row": i + 2,
            "_vintage": dt.date(2019, 9, 26),
        }
        for i, code in enumerate(codes)
    ]
    return pl.DataFrame(rows, schema=empty.schema)


def test_a_candidate_rejected_by_its_gate_is_reported_in_place_of_the_published_table(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "quality"
    warehouse.replace_table(db, "raw", "imd__lsoa_deprivation", imd_rows(["E01000001"]))
    # Write-audit-publish left the failing candidate (a duplicated LSOA) in audit.
    warehouse.replace_table(db, "audit", "imd__lsoa_deprivation", imd_rows(["E01000001"] * 2))
    loaded = load_tables(db)["imd__lsoa_deprivation"]
    assert loaded.candidate and loaded.frame.height == 2

    write_quality_reports(db, out, mode="files", synthetic=False, now=NOW, build_docs=False)
    text = (out / "mhclg.md").read_text()
    assert "**This run's data were not published.**" in text
    assert "audit.imd__lsoa_deprivation" in text
    assert "Verdict: **failed a blocking gate**" in text
    assert "[LSOA repeated]" in text


def test_check_reference_says_why_a_warehouse_could_not_be_used(tmp_path):
    missing = tmp_path / "none.duckdb"
    reference, note = reference_from_warehouse(missing, NOW.date())
    assert reference.directory is None and note.startswith("not run: no warehouse at")
    assert not missing.exists(), "looking must not create a warehouse"
    broken = tmp_path / "broken.duckdb"
    broken.write_text("not a database")
    reference, note = reference_from_warehouse(broken, NOW.date())
    assert reference.directory is None
    assert note.startswith(f"not run: the warehouse at {broken} could not be read")
