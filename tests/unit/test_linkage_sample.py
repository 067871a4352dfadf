"""End to end on the synthetic sample: parse with the connectors, derive the staging
columns in Python, link with the exact tiers, and measure against the sample's truth."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.linkage import staging
from heyrick_dagster.linkage.evaluate import evaluate, format_report, truth_pairs
from heyrick_dagster.linkage.exact import LINKS_SCHEMA, exact_links
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources.acquire import ensure_sample
from heyrick_dagster.sources.registry import BY_KEY

LINK_TYPES = [
    ("fhrs", "companies_house"),
    ("illegal_working", "fhrs"),
    ("illegal_working", "companies_house"),
    ("nmw_naming", "fhrs"),
    ("nmw_naming", "companies_house"),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("linkage-sample")
    ensure_sample(Settings(data_dir=data_dir, duckdb_path=data_dir / "x.duckdb"))
    return data_dir / "sample"


def _raw(sample: Path, key: str) -> pl.DataFrame:
    paths = sorted(p for p in (sample / key).iterdir() if p.is_file())
    (table,) = BY_KEY[key].parse(paths).tables.values()
    return table


@pytest.fixture(scope="module")
def measured(sample):
    premises = staging.premises(_raw(sample, "fhrs"))
    companies = staging.companies(_raw(sample, "companies_house"))
    enforcement = {
        "illegal_working": staging.illegal_working(_raw(sample, "illegal_working")),
        "nmw_naming": staging.nmw_naming(_raw(sample, "nmw_naming")),
    }
    links = exact_links(premises, companies, enforcement)
    truth = pl.read_parquet(sample / "truth" / "records.parquet")
    report = evaluate(links, truth, LINK_TYPES)
    print("\n" + format_report(report))
    return links, truth, report


def _row(report: pl.DataFrame, left: str, right: str) -> dict:
    return report.filter((pl.col("left_source") == left) & (pl.col("right_source") == right)).row(
        0, named=True
    )


def test_record_ids_are_the_truth_keys(measured):
    links, truth, _ = measured
    assert dict(links.schema) == LINKS_SCHEMA
    for side in ("left", "right"):
        ids = links.select(
            pl.col(f"{side}_source").alias("source"), pl.col(f"{side}_record_id").alias("record_id")
        )
        # Every linked id is a published record id: most are in the truth (a company that
        # runs no premises is not), and the FHRS and list ids all are.
        known = ids.join(truth, on=["source", "record_id"], how="semi").height
        assert known / ids.height >= 0.95


def test_premises_company_exact_links_are_precise(measured):
    _, _, report = measured
    row = _row(report, "fhrs", "companies_house")
    assert row["precision"] >= 0.95
    assert 0 < row["recall"] < 1


@pytest.mark.parametrize(("left", "right"), LINK_TYPES[1:])
def test_enforcement_exact_links_are_precise_and_find_some(measured, left, right):
    _, _, report = measured
    row = _row(report, left, right)
    assert row["links"] > 0 and row["recall"] > 0
    assert row["precision"] >= 0.95


def test_evaluate_scores_the_truth_itself_as_perfect(measured):
    _, truth, _ = measured
    pairs = truth_pairs(truth, "fhrs", "companies_house")
    links = pairs.select(
        pl.lit("fhrs").alias("left_source"),
        "left_record_id",
        pl.lit("companies_house").alias("right_source"),
        "right_record_id",
    )
    row = evaluate(links, truth).row(0, named=True)
    assert (row["precision"], row["recall"], row["f1"]) == (1.0, 1.0, 1.0)
