"""`heyrick check SOURCE FILE` prints the section the publisher's quality report carries
for the same data: a publisher can check a file before publishing it."""

from __future__ import annotations

import datetime as dt

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.cli import main
from heyrick_dagster.quality.file_check import check_file
from heyrick_dagster.reports.document import to_markdown
from heyrick_dagster.reports.findings import Reference
from heyrick_dagster.reports.quality import reference_from_warehouse, write_quality_reports
from heyrick_dagster.sources.registry import BY_KEY
from tests.conftest import FIXTURES
from tests.unit.test_reports_html import assert_self_contained

GOOD_FHRS = FIXTURES / "fhrs" / "good_FHRS523en-GB.xml"


def _report_section(markdown: str, table: str) -> str:
    """The dataset's section of a publisher report: its heading up to the next top section."""
    start = markdown.index(f"(raw.{table})\n")
    start = markdown.rindex("\n## ", 0, start) + 1
    end = markdown.index("\n## Great Expectations Data Docs", start)
    return markdown[start:end]


def test_check_prints_the_same_section_as_the_publishers_report(tmp_path):
    now = dt.datetime.now(dt.UTC)
    frame = BY_KEY["fhrs"].parse([GOOD_FHRS]).tables["establishments"]
    db, out = tmp_path / "w.duckdb", tmp_path / "quality"
    warehouse.replace_table(db, "raw", "fhrs__establishments", frame)
    write_quality_reports(db, out, mode="files", synthetic=False, now=now, build_docs=False)
    section = _report_section((out / "fsa.md").read_text(), "fhrs__establishments")

    checked = check_file("fhrs", GOOD_FHRS, Reference(today=now.date()))
    assert to_markdown(checked.blocks()) == section
    assert "Failing records:" in section, "the fixture has findings to show"
    assert f"`{GOOD_FHRS.name}` |" in section


def test_heyrick_check_prints_gates_and_findings_and_writes_a_self_contained_page(tmp_path, capsys):
    page = tmp_path / "check.html"
    code = main(
        [
            "check",
            "fhrs",
            str(GOOD_FHRS),
            "--warehouse",
            str(tmp_path / "none.duckdb"),
            "--html",
            str(page),
        ]
    )
    printed = capsys.readouterr().out
    # Four establishments: under the per-authority floor of 20, a blocking suite fails.
    assert code == 1, printed
    assert "Verdict: FAIL" in printed
    assert "| FAIL | error | `expect_column_values_to_be_between` | `establishments` |" in printed
    assert "Cross-source checks: not run: no warehouse at" in printed
    assert "### Usefulness: what would make the data more useful" in printed
    assert "- **Postcode unknown to the ONS postcode directory:** not checked:" in printed
    assert_self_contained(page.read_text())
    assert "Verdict: FAIL" in page.read_text()


def test_check_compares_postcodes_with_the_warehouse_directory(tmp_path):
    frame = BY_KEY["fhrs"].parse([GOOD_FHRS]).tables["establishments"]
    first = frame.filter(frame["postcode"] == "SE12 8RG").row(0, named=True)
    directory = BY_KEY["postcodes"].parse([]).tables["postcodes"]
    # A directory that holds the sector of the first postcode but not the postcode itself.
    sector = first["postcode"][:-2]
    row = {c: None for c in directory.columns} | {
        "postcode": f"{sector}ZZ",
        "introduced": dt.date(2000, 1, 1),
        "_source_file": "ONSPD.csv",
        "_source_row": 1,
        "_vintage": dt.date(2026, 11, 1),
    }
    db = tmp_path / "w.duckdb"
    warehouse.replace_table(
        db, "raw", "postcodes__postcodes", pl.DataFrame([row], schema=directory.schema)
    )
    reference, note = reference_from_warehouse(db, dt.date.today())
    assert note.startswith("against the ONS postcode directory (1 postcodes)")
    checked = check_file("fhrs", GOOD_FHRS, reference, note)
    unknown = next(
        f for f in checked.assessments[0].findings if f.id.endswith("postcode_unknown_to_directory")
    )
    assert unknown.failing >= 1
    assert any(e.values["postcode"] == first["postcode"] for e in unknown.examples)
    assert f"Cross-source checks: {note}" in checked.render()
