"""The hand-labelled real pairs (tests/fixtures/linkage/real_labels.csv) against the real files.

The labels hold only record ids; they are worth something only while every id still names
a record of the files they were read from. The staging frames are built the cheap way:
the connectors' parsers and the Python mirror of the dbt staging keys
(heyrick_dagster/linkage/staging.py), over the same files test_pipeline_real_files.py runs.
Target precision and recall are not asserted here yet (the probabilistic tier comes first);
the exact tier's figures are printed for the record.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.linkage import staging
from heyrick_dagster.linkage.exact import exact_links
from heyrick_dagster.linkage.labelled import evaluate_labelled, read_labels
from heyrick_dagster.sources.registry import BY_KEY
from tests.conftest import FIXTURES

pytestmark = [pytest.mark.real_data]

LABELS = FIXTURES / "linkage" / "real_labels.csv"

# The files the labels were read from (tests/fixtures/linkage/README.md).
REAL_FILES = {
    "fhrs": [
        "fhrs/FHRS404en-GB.xml",
        "fhrs/FHRS523en-GB.xml",
        "fhrs/FHRS525en-GB.xml",
        "fhrs/FHRS530en-GB.xml",
        "fhrs/FHRS878en-GB.xml",
    ],
    "companies_house": ["companies_house/BasicCompanyDataAsOneFile-2020-05-01_sample.csv"],
    "illegal_working": ["illegal_working/illegal_working_Q3_2024_enriched.xlsx"],
}


def _raw(shared_data: Path, source: str) -> pl.DataFrame:
    (table,) = BY_KEY[source].parse([shared_data / f for f in REAL_FILES[source]]).tables.values()
    return table


@pytest.fixture(scope="module")
def staged(shared_data) -> dict[str, pl.DataFrame]:
    """Staging-shaped frames of the real files, by source key."""
    return {
        "fhrs": staging.premises(_raw(shared_data, "fhrs")),
        "companies_house": staging.companies(_raw(shared_data, "companies_house")),
        "illegal_working": staging.illegal_working(_raw(shared_data, "illegal_working")),
    }


@pytest.fixture(scope="module")
def labels() -> pl.DataFrame:
    return read_labels(LABELS)


def test_every_labelled_record_id_names_a_record_of_the_real_staging_tables(staged, labels):
    sides = pl.concat(
        [
            labels.select(
                pl.col(f"{side}_source").alias("source"), pl.col(f"{side}_record_id")
            ).rename({f"{side}_record_id": "record_id"})
            for side in ("left", "right")
        ]
    ).unique()
    assert set(sides["source"]) <= set(staged), "labels name a source the test does not build"
    missing = {
        source: sorted(set(group["record_id"]) - set(staged[source]["record_id"]))
        for (source,), group in sides.group_by("source")
    }
    assert {s: ids for s, ids in missing.items() if ids} == {}


def test_the_exact_tier_is_measured_on_every_labelled_link_type(staged, labels):
    no_naming = pl.DataFrame(
        schema={
            c: pl.String
            for c in ("record_id", "employer_name", "trading_name", "postcode", "postcode_district")
        }
    )
    links = exact_links(
        staged["fhrs"],
        staged["companies_house"],
        {"illegal_working": staged["illegal_working"], "nmw_naming": no_naming},
    )
    report = evaluate_labelled(links, labels)
    print("\nexact tier on the hand-labelled real pairs:\n" + str(report))
    judged = labels.filter(pl.col("verdict") != "unsure")
    expected = judged.group_by("left_source", "right_source").agg(
        pl.len().cast(pl.Int64).alias("labelled_pairs"),
        (pl.col("verdict") == "match").sum().cast(pl.Int64).alias("matches"),
    )
    assert (
        report.select(expected.columns)
        .sort("left_source", "right_source")
        .equals(expected.sort("left_source", "right_source"))
    )
    assert (report["true_positives"] <= report["linked"]).all()
