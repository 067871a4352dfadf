"""The data catalogue: dbt documentation read from the YAML, joins for every dataset,
freshness from the warehouse and the verdict of the latest quality report."""

from __future__ import annotations

import datetime as dt

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.reports import history
from heyrick_dagster.reports.catalogue import JOINS, build_entries, write_catalogue
from heyrick_dagster.reports.dbt_docs import read_docs
from heyrick_dagster.sources.registry import BY_KEY, CONNECTORS
from tests.unit.test_reports_html import assert_self_contained

NOW = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)


def test_dbt_docs_resolve_doc_blocks_to_their_first_paragraph(tmp_path):
    folder = tmp_path / "staging" / "shop"
    folder.mkdir(parents=True)
    (folder / "_shop__docs.md").write_text(
        "{% docs shop_sector %}\nThe sector, from the\nbusiness type.\n\n| a | table |\n"
        "{% enddocs %}\n"
    )
    (folder / "_shop__models.yml").write_text(
        "version: 2\nmodels:\n  - name: stg_shop__shops\n    description: One shop.\n"
        "    columns:\n      - name: sector\n        description: \"{{ doc('shop_sector') }}\"\n"
        "      - name: undocumented\n"
    )
    (folder / "_shop__sources.yml").write_text(
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: shop__shops\n"
        "        description: >\n          Shops as\n          published.\n"
        "        columns:\n          - name: _source_row\n            description: The row.\n"
    )
    docs = read_docs(tmp_path / "staging")
    model = docs.models["stg_shop__shops"]
    assert model.columns == {"sector": "The sector, from the business type.", "undocumented": ""}
    assert docs.sources["shop__shops"].description == "Shops as published."
    assert docs.sources["shop__shops"].columns["_source_row"] == "The row."


def test_the_real_staging_docs_document_every_staging_model():
    docs = read_docs()
    for connector in CONNECTORS:
        for table in connector.tables:
            name = connector.table_name(table)
            assert f"stg_{name}" in docs.models, name
            assert name in docs.sources, name
    sector = docs.models["stg_fhrs__establishments"].columns["sector"]
    assert sector.startswith("Heyrick's sector, from the FSA BusinessType")


def test_every_dataset_says_how_it_joins_the_others():
    tables = {c.table_name(t) for c in CONNECTORS for t in c.tables}
    assert set(JOINS) == tables
    assert all(JOINS[t] for t in tables)


def _fhrs_rows() -> pl.DataFrame:
    empty = BY_KEY["fhrs"].parse([]).tables["establishments"]
    rows = [
        {c: None for c in empty.columns}
        | {
            "fhrsid": i,
            "local_authority_code": "523",
            "_source_file": "/raw/fhrs/2026-11-20/FHRS523en-GB.xml",
            "_source_row": i,
            "_vintage": dt.date(2026, 11, 20),
        }
        for i in (1, 2)
    ]
    return pl.DataFrame(rows, schema=empty.schema)


def test_catalogue_shows_freshness_and_the_latest_quality_verdict(tmp_path):
    db, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    warehouse.replace_table(db, "raw", "fhrs__establishments", _fhrs_rows())
    history.append(
        reports / "quality" / "fsa.history.json",
        "fsa",
        {
            "generated_at": "2026-11-27T06:00:00+00:00",
            "figures": {"datasets": {"fhrs__establishments": {"verdict": "accuracy issues"}}},
        },
    )
    md, page, entries = write_catalogue(db, reports, synthetic=True, now=NOW)
    fhrs = next(e for e in entries if e.table == "fhrs__establishments")
    assert (fhrs.freshness.rows, fhrs.freshness.files) == (2, 1)
    assert fhrs.freshness.vintage == dt.date(2026, 11, 20)
    assert fhrs.verdict.report == "quality/fsa.html#fhrs__establishments"
    text = md.read_text()
    assert text.startswith("# SYNTHETIC SAMPLE — Heyrick data catalogue")
    assert "[accuracy issues](quality/fsa.html#fhrs__establishments)" in text
    assert "2 records from 1 file(s), data dated 2026-11-20" in text
    assert "| Companies House | not loaded |" in text
    # Meaning of a raw field: the source YAML's, else the staging column kept as published.
    postcode = next(f for f in fhrs.fields if f.name == "postcode")
    assert postcode.meaning == "The PostCode element exactly as published."
    assert "postcode must look like a UK postcode" in "; ".join(postcode.rules)
    assert_self_contained(page.read_text())
    assert 'href="https://ratings.food.gov.uk/open-data"' in page.read_text()


def test_catalogue_without_any_run_lists_every_dataset_as_not_loaded(tmp_path):
    entries = build_entries(tmp_path / "missing.duckdb", tmp_path / "reports")
    assert len(entries) == sum(len(c.tables) for c in CONNECTORS)
    assert all(e.freshness is None and e.verdict is None for e in entries)
