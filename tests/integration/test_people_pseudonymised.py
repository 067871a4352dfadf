"""People with significant control never reach the warehouse or the reports: canary people
are added to the sample's PSC snapshot, the whole graph runs, and every table of every
schema and every report file is scanned for their names and nationality; their pseudonyms
must be in the marts instead.

Canaries rather than the sample's own people: the sample draws sole traders' names (FHRS
business names, penalised employers) from the same name pools, so "Ewa Santos" is both a
PSC and an unrelated takeaway; invented words cannot collide."""

from __future__ import annotations

import json
import shutil
import zipfile

import dagster as dg
import duckdb
import pytest

from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.sources.psc import INDIVIDUAL
from heyrick_dagster.sources.psc_pseudonyms import SAMPLE_KEY, person_identity, pseudonym

pytestmark = pytest.mark.slow

# (forename, surname, birth year, birth month): words no generator or register uses.
CANARIES = (
    ("Qwertzuiop", "Canaryfieldsworth", 1931, 7),
    ("Zyxwvutsr", "Mockingjayashby", 1932, 11),
)
NATIONALITY = "Canarian-Pseudotopian"
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


def _add_canaries(sample_dir) -> None:
    """The canaries as PSCs of the snapshot's first company, before its totals line; the
    zip keeps its synthetic comment, so the sample key still applies."""
    [path] = (sample_dir / "psc").glob("psc-snapshot-*.zip")
    with zipfile.ZipFile(path) as archive:
        [member] = archive.namelist()
        lines = archive.read(member).decode().splitlines()
        comment = archive.comment
    company = json.loads(lines[0])["company_number"]
    added = []
    for n, (forename, surname, year, month) in enumerate(CANARIES):
        data = {
            "kind": INDIVIDUAL,
            "name": f"Mr {forename} {surname}",
            "name_elements": {"title": "Mr", "forename": forename, "surname": surname},
            "date_of_birth": {"month": month, "year": year},
            "nationality": NATIONALITY,
            "country_of_residence": NATIONALITY,
            "address": {"address_line_1": f"1 {surname} Road", "postal_code": "SE13 6JG"},
            "natures_of_control": ["ownership-of-shares-75-to-100-percent"],
            "notified_on": "2017-01-01",
            "links": {
                "self": f"/company/{company}/persons-with-significant-control/individual/c{n}"
            },
        }
        added.append(json.dumps({"company_number": company, "data": data}))
    lines[-1:-1] = added
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        archive.writestr(member, "\n".join(lines) + "\n")


def test_no_name_birth_date_or_nationality_of_a_person_with_significant_control_reaches_a_table(
    sample_dir, make_settings
):
    settings = make_settings()
    shutil.copytree(sample_dir, settings.sample_dir)
    _add_canaries(settings.sample_dir)
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success, result.get_failed_step_keys()

    words = [w.upper() for forename, surname, _, _ in CANARIES for w in (forename, surname)]
    words.append(NATIONALITY.upper())
    found = []
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        columns = con.sql(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns "
            "where table_schema not in ('main', 'information_schema')"
        ).pl()
        assert {"raw", "staging", "marts", "analysis"} <= set(columns["table_schema"])
        for schema, table, column, kind in columns.iter_rows():
            assert column.lower() not in PERSONAL_COLUMNS, (schema, table, column)
            if kind != "VARCHAR":
                continue
            for word in words:
                [(hits,)] = con.execute(
                    f'select count(*) from "{schema}"."{table}" '
                    f'where contains(upper("{column}"), ?)',
                    [word],
                ).fetchall()
                if hits:
                    found.append((schema, table, column, word))
        controllers = set(
            con.sql("select controller_id from marts.fct_company_controls").pl()["controller_id"]
        )
    assert found == [], f"a PSC's identity reached the warehouse: {found}"
    reports = [p for p in settings.reports_dir.rglob("*") if p.is_file()]
    assert reports, "the run wrote its reports"
    for path in reports:
        text = path.read_bytes().decode("utf-8", "replace").upper()
        assert not [w for w in words if w in text], f"a PSC's identity reached {path}"
    # The canaries did arrive, as their keyed pseudonyms.
    for forename, surname, year, month in CANARIES:
        identity = person_identity(f"{forename} {surname}", year, month)
        assert pseudonym(SAMPLE_KEY.encode(), identity) in controllers
