"""People with significant control never reach the warehouse: a whole run on the sample,
then every table of every schema is scanned for their names and birth dates."""

from __future__ import annotations

import json
import shutil
import zipfile

import dagster as dg
import duckdb
import polars as pl
import pytest

from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.sources.psc_pseudonyms import normalised_name

pytestmark = pytest.mark.slow

# Columns that would hold a person's identity if it had been kept anywhere.
PERSONAL_COLUMNS = {
    "name_elements",
    "forename",
    "middle_name",
    "surname",
    "date_of_birth",
    "birth_year",
    "birth_month",
    "nationality",
    "country_of_residence",
}


def _people(sample_dir) -> pl.DataFrame:
    """The name of every PSC of the sample's snapshot, in each form a table could hold it
    (upper case: with title, without, "SURNAME, Forename", normalised)."""
    [path] = (sample_dir / "psc").glob("psc-snapshot-*.zip")
    with zipfile.ZipFile(path) as archive:
        lines = archive.read(archive.namelist()[0]).decode().splitlines()
    rows = []
    for line in lines:
        data = json.loads(line)["data"]
        if "name_elements" not in data:
            continue
        parts = data["name_elements"]
        plain = " ".join(
            p for p in (parts["forename"], parts.get("middle_name"), parts["surname"]) if p
        )
        register = f"{parts['surname'].upper()}, {parts['forename']}"
        for form in (data["name"], plain, register):
            rows += [form.upper(), normalised_name(form)]
    return pl.DataFrame({"name": rows}).unique()


def test_no_name_or_birth_date_of_a_person_with_significant_control_reaches_any_table(
    sample_dir, make_settings
):
    settings = make_settings()
    shutil.copytree(sample_dir, settings.sample_dir)
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success, result.get_failed_step_keys()

    people = _people(settings.sample_dir)
    assert people.height > 1000, "the sample has PSCs to look for"
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        con.register("people", people.to_arrow())
        columns = con.sql(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns "
            "where table_schema not in ('main', 'information_schema')"
        ).pl()
        assert {"raw", "staging", "marts", "analysis"} <= set(columns["table_schema"])
        controls = con.sql("select * from marts.fct_company_controls").pl()
        found = []
        for schema, table, column, kind in columns.iter_rows():
            assert column.lower() not in PERSONAL_COLUMNS, (schema, table, column)
            if kind != "VARCHAR":
                continue
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" t join people p '
                f'on upper(trim(t."{column}")) = p.name'
            ).fetchone()[0]
            if hits:
                found.append((schema, table, column, hits))
    assert found == [], f"PSC names found in the warehouse: {found}"
    # The controls reach the marts, as pseudonyms only.
    assert controls.height > 1000
    assert controls["controller_id"].str.contains(r"^[0-9a-f]{64}$").all()
