"""The whole graph on the synthetic sample, once: the six publisher reports, the Data Docs
and the catalogue exist, say SYNTHETIC, and show real findings with real records."""

from __future__ import annotations

import re
import shutil
from html import escape

import dagster as dg
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.defs.reports import QUALITY_KEY, quality_reports
from heyrick_dagster.reports.data_docs import CDN_NOTICE
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.registry import CONNECTORS
from tests.unit.test_reports_html import assert_self_contained

pytestmark = pytest.mark.slow

PUBLISHERS = ("fsa", "companies_house", "home_office", "dbt", "mhclg", "ons")


@pytest.fixture(scope="module")
def sample_run(sample_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("quality-reports")
    settings = Settings(data_dir=root / "data", duckdb_path=root / "data" / "heyrick.duckdb")
    shutil.copytree(sample_dir, settings.sample_dir)
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    return settings, result


def _quality_metadata(result) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == QUALITY_KEY]
    return event.materialization.metadata


def test_every_publisher_gets_a_synthetic_report_with_findings(sample_run):
    settings, result = sample_run
    assert result.success, result.get_failed_step_keys()
    folder = settings.reports_dir / "quality"
    counts = _quality_metadata(result)["findings_per_publisher"].value
    assert sorted(counts) == sorted(PUBLISHERS)
    for slug in PUBLISHERS:
        md = (folder / f"{slug}.md").read_text()
        page = (folder / f"{slug}.html").read_text()
        assert (folder / f"{slug}.history.json").is_file()
        assert md.startswith("# SYNTHETIC SAMPLE — Data quality report:"), slug
        assert "<strong>SYNTHETIC SAMPLE:</strong>" in page.split("<body>")[1][:600], slug
        assert counts[slug]["accuracy"] + counts[slug]["usefulness"] > 0, slug
        assert "Failing records:" in md, slug
        assert "### Great Expectations suites" in md, slug


def _examples_under(markdown: str, finding: str) -> list[list[str]]:
    """Rows of the failing-records table that follows a finding's summary line."""
    start = markdown.index(f"**{finding}:")
    table = markdown[markdown.index("| file | row |", start) :].split("\n\n")[0]
    return [
        [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        for line in table.splitlines()[2:]
    ]


def test_failing_records_are_the_published_records_at_that_file_and_row(sample_run):
    settings, _ = sample_run
    md = (settings.reports_dir / "quality" / "fsa.md").read_text()
    examples = _examples_under(md, "Postcode missing")
    assert examples
    for file, row, fhrsid, _name, postcode in examples:
        record = warehouse.query(
            settings.duckdb_path,
            "select fhrsid, postcode from raw.fhrs__establishments "
            "where _source_file like ? and _source_row = ?",
            [f"%/{file}", int(row.replace(",", ""))],
        )
        assert record["fhrsid"].to_list() == [int(fhrsid)]
        assert record["postcode"].to_list() == [None] and postcode == "(empty)"


def test_every_page_is_self_contained_and_the_data_docs_are_linked_with_a_warning(sample_run):
    settings, _ = sample_run
    reports = settings.reports_dir
    pages = [*sorted((reports / "quality").glob("*.html")), reports / "catalogue.html"]
    assert len(pages) == len(PUBLISHERS) + 1
    for page in pages:
        assert_self_contained(page.read_text())
    fsa = (reports / "quality" / "fsa.html").read_text()
    assert 'href="data_docs/index.html"' in fsa
    assert (reports / "quality" / "data_docs" / "index.html").is_file()
    linked = re.findall(r'href="(data_docs/validations/[^"]+)"', fsa)
    assert linked and all((reports / "quality" / href).is_file() for href in linked)
    assert escape(CDN_NOTICE) in fsa


def test_the_catalogue_lists_every_dataset_with_freshness_and_verdict(sample_run):
    settings, result = sample_run
    md = (settings.reports_dir / "catalogue.md").read_text()
    assert md.startswith("# SYNTHETIC SAMPLE — Heyrick data catalogue")
    for table, slug in [
        ("fhrs__establishments", "fsa"),
        ("fhrs_history__ratings", "fsa"),
        ("companies_house__companies", "companies_house"),
        ("psc__persons_with_significant_control", "companies_house"),
        ("illegal_working__penalties", "home_office"),
        ("nrm__referrals", "home_office"),
        ("nmw_naming__named_employers", "dbt"),
        ("imd__lsoa_deprivation", "mhclg"),
        ("postcodes__postcodes", "ons"),
    ]:
        assert f"(quality/{slug}.html#{table})" in md, table
    assert "not loaded" not in md
    (event,) = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["reports", "data_catalogue"])
    ]
    every_raw_table = [t for c in CONNECTORS for t in c.tables]
    assert event.materialization.metadata["datasets"].value == len(every_raw_table) == 9


def test_a_later_report_says_how_each_figure_moved(sample_run):
    settings, _ = sample_run
    # Forced: with nothing changed since the first run, the step would reuse its report.
    forced = {"heyrick/force_recompute": "true"}
    assert dg.materialize([quality_reports], resources={"settings": settings}, tags=forced).success
    md = (settings.reports_dir / "quality" / "fsa.md").read_text()
    assert "Changes are against the previous report of" in md
    row = next(line for line in md.splitlines() if line.startswith("| [Postcode missing]"))
    assert row.endswith("| unchanged |"), row
