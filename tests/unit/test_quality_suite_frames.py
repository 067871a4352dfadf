"""Suites validate what the warehouse holds, read column by column: the same frames, the same
results and failing rows as from the table in memory, with the table's own frame let go."""

from __future__ import annotations

import datetime as dt
import gc

import pandas as pd
import polars as pl
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.defs import sources as source_defs
from heyrick_dagster.quality import gx_runner
from heyrick_dagster.quality.suite_frames import read_suite_frame
from heyrick_dagster.reports.quality import write_quality_reports
from heyrick_dagster.sources.registry import BY_KEY
from tests.conftest import FIXTURES
from tests.unit.test_reports_quality import imd_rows

NOW = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)
# Fixtures with strings, dates, decimals, floats and nulls, and a suite on a derived frame
# (FHRS establishments per authority).
PARSED = {
    "fhrs": ["fhrs/good_FHRS523en-GB.xml"],
    "nmw_naming": ["nmw_naming/2024-R1_2024-02-20_employers-named.csv"],
    "companies_house": ["companies_house/good_BasicCompanyData-2026-11-01-part1_1.csv"],
    "postcodes": ["postcodes/ONSPD_NOV_2025_UK.csv"],
    "nrm": [
        "nrm/good_national-referral-mechanism-statistics-uk-quarter-3-2025-jul-to-sep-tables.ods"
    ],
    "imd": [
        "imd/good_File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
    ],
}


@pytest.mark.parametrize("source", sorted(PARSED))
def test_a_suite_frame_read_from_the_warehouse_is_the_one_made_from_the_frame_in_memory(
    tmp_path, source
):
    connector = BY_KEY[source]
    parsed = connector.parse([FIXTURES / p for p in PARSED[source]])
    db = tmp_path / "w.duckdb"
    for table in connector.tables:
        frame = parsed.tables[table.name]
        assert frame.height, "the fixture must give rows"
        name = connector.table_name(table)
        warehouse.replace_table(db, "audit", name, frame)
        for spec in table.checks:
            if spec.frame:
                in_memory = spec.frame(frame.to_pandas())
            else:
                wanted = gx_runner.columns_read([spec.suite], frame.columns)
                in_memory = frame.select(wanted).to_pandas()
            pd.testing.assert_frame_equal(read_suite_frame(db, "audit", name, spec), in_memory)


# Seven records, one LSOA twice: a height no other frame of the report has.
CODES = [f"E0100000{i}" for i in range(1, 7)] + ["E01000003"]


def _table_frames_alive() -> int:
    return sum(
        1
        for o in gc.get_objects()
        if isinstance(o, pl.DataFrame) and o.height == len(CODES) and "lsoa_name" in o.columns
    )


def test_the_quality_report_lets_a_table_go_before_its_suites_run_and_still_names_failing_rows(
    tmp_path, monkeypatch
):
    db, out = tmp_path / "w.duckdb", tmp_path / "quality"
    warehouse.replace_table(db, "audit", "imd__lsoa_deprivation", imd_rows(CODES))
    alive_during_validation = []
    validate = gx_runner.validate_ephemeral

    def watched(suite, frame, **options):
        alive_during_validation.append(_table_frames_alive())
        return validate(suite, frame, **options)

    monkeypatch.setattr(gx_runner, "validate_ephemeral", watched)
    write_quality_reports(db, out, mode="files", synthetic=False, now=NOW, build_docs=False)

    suites = BY_KEY["imd"].tables[0].checks
    assert len(alive_during_validation) == len(suites)
    assert alive_during_validation == [0] * len(suites), "the table's frame was held during GX"
    text = (out / "mhclg.md").read_text()
    assert "must be unique: 1 duplicated value (2 rows, 28.57%), e.g. 'E01000003'" in text
    # GX's duplicated value, located in its file at both of its rows.
    located = text.split("Records failing expect_column_values_to_be_unique on lsoa_code")[1]
    located = located.split("**imd__lsoa_deprivation_deciles")[0]
    assert "| `File_1.xlsx` | 4 | `E01000003` |" in located
    assert "| `File_1.xlsx` | 8 | `E01000003` |" in located


def test_a_raw_tables_check_validates_the_candidate_written_to_audit(make_settings):
    settings = make_settings()
    connector = BY_KEY["imd"]
    table = connector.tables[0]
    warehouse.replace_table(settings.duckdb_path, "audit", "imd__lsoa_deprivation", imd_rows(CODES))
    spec = next(s for s in table.checks if s.blocking)

    result = source_defs.run_check(connector, table, spec, settings, rows=len(CODES))

    assert not result.passed
    assert "E01000003" in result.description
