"""Tables written from polars frames (warehouse.replace_table)."""

from datetime import date

import polars as pl

from heyrick_dagster import warehouse


def test_a_table_written_from_a_frame_reads_back_as_the_same_values_and_types(tmp_path):
    # Written from polars' own string layout (Arrow string views) rather than a copy.
    frame = pl.DataFrame(
        {
            "record_id": ["a" * 64, "short", None, "é" * 20],
            "kind": ["individual-person-with-significant-control", "x", "", None],
            "is_individual": [True, False, None, True],
            "notified_on": [date(2016, 4, 6), None, date(2026, 11, 10), date(1999, 12, 31)],
            "_source_row": [1, 2, 3, 4],
        }
    )
    path = tmp_path / "w.duckdb"

    assert warehouse.replace_table(path, "audit", "psc", frame) == 4

    back = warehouse.query(path, "select * from audit.psc order by _source_row")
    assert back.schema == frame.schema
    assert back.equals(frame)
