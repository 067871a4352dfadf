"""The whole pipeline in `files` mode over the recorded real files in ../shared/data.

This is how a secure environment without internet access receives its data:
a folder with one subfolder per source. The test records which gates pass on
real data; a gate that fails here is either a real data problem (asserted and
named below) or a wrong gate to fix.
"""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.definitions import build_definitions

pytestmark = [pytest.mark.slow, pytest.mark.real_data]

# Real files per source (PROVENANCE.md). The ONSPD extract covers Aberdeen, not
# the FHRS authorities, and repeats a few Lewisham postcodes: the council's own
# lookup is the one that covers Lewisham.
REAL_FILES = {
    "fhrs": [
        "fhrs/FHRS404en-GB.xml",
        "fhrs/FHRS523en-GB.xml",
        "fhrs/FHRS525en-GB.xml",
        "fhrs/FHRS530en-GB.xml",
        "fhrs/FHRS878en-GB.xml",
    ],
    "postcodes": ["postcodes/lbl_postcode_oa11_lsoa11_msoa11_wd22.csv"],
    "imd": ["imd/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"],
    "illegal_working": ["illegal_working/illegal_working_Q3_2024_enriched.xlsx"],
    "companies_house": ["companies_house/BasicCompanyDataAsOneFile-2020-05-01_sample.csv"],
}


@pytest.fixture(scope="module")
def real_run(shared_data, tmp_path_factory):
    from heyrick_dagster.settings import Settings

    root = tmp_path_factory.mktemp("real")
    files_dir = root / "files"
    for source, names in REAL_FILES.items():
        (files_dir / source).mkdir(parents=True)
        for name in names:
            (files_dir / source / name.split("/")[-1]).symlink_to(shared_data / name)
    settings = Settings(
        mode="files",
        data_dir=root / "data",
        duckdb_path=root / "data" / "heyrick.duckdb",
        files_dir=files_dir,
    )
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    return settings, result


def _checks(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e
        for e in result.get_asset_check_evaluations()
    }


def test_every_real_file_lands_in_its_raw_table(real_run):
    settings, _ = real_run
    counts = warehouse.row_counts(settings.duckdb_path, ("raw",))
    assert counts["raw.fhrs__establishments"] == 4246 + 2411 + 2385 + 2691 + 3004
    assert counts["raw.imd__lsoa_deprivation"] == 32844
    assert counts["raw.postcodes__postcodes"] == 8419
    assert counts["raw.illegal_working__penalties"] == 201
    # The food-sector filter keeps a small share of a random 0.1% company sample.
    assert 100 < counts["raw.companies_house__companies"] < 400
    # Optional sources with no real copy are absent, not errors.
    assert counts["raw.nmw_naming__named_employers"] == 0
    assert counts["raw.nrm__referrals"] == 0


def test_raw_quality_gates_pass_on_the_real_files(real_run):
    _, result = real_run
    checks = _checks(result)
    failed = {
        k: e.description
        for k, e in checks.items()
        if k.startswith("raw/") and not e.passed and not k.endswith(":freshness_check")
    }
    assert failed == {}
    # The recorded FHRS files are from 2020: the freshness check (a warning, it blocks
    # nothing) rightly calls them stale, measured from their own vintage.
    fhrs_fresh = checks["raw/fhrs__establishments:freshness_check"]
    assert not fhrs_fresh.passed
    assert fhrs_fresh.severity == dg.AssetCheckSeverity.WARN


def test_lewisham_premises_resolve_to_lsoas_and_deprivation(real_run):
    settings, result = real_run
    assert not result.is_node_untouched("heyrick_dbt_marts")
    lewisham = warehouse.query(
        settings.duckdb_path,
        "select postcode, lsoa_code, imd_decile from marts.dim_premises "
        "where la_code = '523' and postcode is not null",
    )
    resolved = lewisham.filter(pl.col("lsoa_code").is_not_null()).height / lewisham.height
    assert resolved >= 0.99  # PROVENANCE.md: 2,015 of 2,017 postcodes match
    assert lewisham.filter(pl.col("lsoa_code").is_not_null())["imd_decile"].null_count() == 0
    assert set(
        warehouse.query(
            settings.duckdb_path, "select distinct data_origin from marts.dim_premises"
        )["data_origin"]
    ) == {"official open data"}


def test_published_links_agree_with_the_hand_labelled_real_pairs(real_run):
    """tests/fixtures/linkage/real_labels.csv: 257 pairs read by a person. The real files
    overlap little (4 matches, all penalty <-> premises), so this holds the cascade to: no
    accepted link a person labelled a non-match, and most labelled matches found."""
    from heyrick_dagster.linkage.labelled import evaluate_labelled, read_labels
    from tests.conftest import FIXTURES

    settings, result = real_run
    assert not result.is_node_untouched("intermediate__int_links__cascade")
    links = warehouse.query(settings.duckdb_path, "select * from marts.fct_record_links")
    labels = read_labels(FIXTURES / "linkage" / "real_labels.csv")
    report = evaluate_labelled(links, labels)
    assert report["linked"].sum() > 0, "the cascade accepted none of the labelled pairs"
    for row in report.filter(pl.col("linked") > 0).iter_rows(named=True):
        assert row["precision"] >= 0.95, row
    penalties = report.filter(
        (pl.col("left_source") == "illegal_working") & (pl.col("right_source") == "fhrs")
    ).row(0, named=True)
    assert penalties["recall"] >= 0.75, penalties


def test_the_evaluation_on_the_real_files_says_it_cannot_fit_and_counts_the_later_events(
    real_run, monkeypatch, capsys
):
    """Issue 5 asks for the time-ordered evaluation on the real files where they overlap in
    time and place. They overlap barely: the penalties are one quarter (2024 Q3), the FHRS
    copies from 2020, so nothing was published in the fit window. The evaluation must say
    that no weight could be fitted, not rank by noise, and still count the later events
    that reach a scored premises."""
    import json

    from heyrick_dagster.cli import main

    settings, _ = real_run
    monkeypatch.setenv("HEYRICK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HEYRICK_DUCKDB_PATH", str(settings.duckdb_path))
    assert main(["evaluate"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["data_origin"] == ["official open data"]
    assert "truth" not in result["variants"]
    assert result["fit"]["expected_events"] == 0
    assert set(result["fit"]["weights"].values()) == {0.0}
    assert "no enforcement event in the fit window" in result["fit"]["note"]
    later = warehouse.query(
        settings.duckdb_path,
        "select coalesce(sum(ep.attribution_probability), 0) as events "
        "from marts.fct_event_premises ep "
        "join marts.fct_enforcement_events e using (event_key) "
        "join analysis.premises_indicators i on i.fhrsid = ep.fhrsid "
        "where i.is_target_sector and e.published_date > ?",
        [result["cutoff"]],
    )["events"][0]
    assert later > 0, "no penalty of the real list reaches a scored premises"
    assert result["variants"]["published"]["later_events"] == pytest.approx(later)
