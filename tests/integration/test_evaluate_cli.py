"""`heyrick evaluate`: the time-ordered evaluation from the published tables, as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.cli import main
from tests.unit.test_analysis_scorecard import AS_OF, world


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A warehouse holding the four marts the evaluation reads, and an empty sample folder."""
    data_dir = tmp_path / "data"
    duckdb_path = data_dir / "heyrick.duckdb"
    monkeypatch.setenv("HEYRICK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("HEYRICK_DUCKDB_PATH", str(duckdb_path))
    monkeypatch.delenv("HEYRICK_MODE", raising=False)
    later = [(f"late|{i}", i, AS_OF + timedelta(days=40)) for i in range(1, 31, 3)]

    def publish(data_origin: str = "synthetic sample") -> dict[str, pl.DataFrame]:
        tables = world(extra_events=later)
        tables["dim_premises"] = tables["dim_premises"].with_columns(
            pl.lit(data_origin).alias("data_origin")
        )
        for name, frame in tables.items():
            warehouse.replace_table(duckdb_path, "marts", name, frame)
        return tables

    return data_dir, publish


def _truth(data_dir, tables: dict[str, pl.DataFrame]) -> None:
    """Every later event of the marts, as the generator would have recorded it."""
    truth_dir = data_dir / "sample" / "truth"
    truth_dir.mkdir(parents=True)
    premises = tables["dim_premises"].select(
        pl.col("fhrsid").cast(pl.String), pl.col("business_id").alias("entity_id")
    )
    premises.write_parquet(truth_dir / "premises.parquet")
    events = (
        tables["fct_event_premises"]
        .join(tables["fct_enforcement_events"], on="event_key")
        .join(tables["dim_premises"].select("fhrsid", "business_id"), on="fhrsid")
        .select(
            pl.col("business_id").alias("entity_id"),
            "source",
            pl.col("event_key").alias("record_id"),
            pl.col("published_date").alias("event_date"),
        )
    )
    events.write_parquet(truth_dir / "events.parquet")


def test_evaluate_prints_capture_precision_and_baselines_as_json(published, capsys):
    data_dir, publish = published
    publish()
    code = main(["evaluate", "--cutoff", AS_OF.isoformat()])
    out = capsys.readouterr().out
    assert code == 0, out
    result = json.loads(out)
    assert result["cutoff"] == AS_OF.isoformat()
    assert result["data_origin"] == ["synthetic sample"]
    published_variant = result["variants"]["published"]
    assert published_variant["later_events"] == 10.0
    for ranking in ("scorecard", "baseline_random", "baseline_fhrs_rating"):
        for top in ("top_1pct", "top_5pct", "top_10pct"):
            figures = published_variant[ranking][top]
            assert 0.0 <= figures["capture"] <= 1.0 and 0.0 <= figures["precision_at_k"] <= 1.0
    assert published_variant["baseline_random"]["top_10pct"]["capture"] == pytest.approx(0.1)
    assert result["bias_audit"] and "truth" not in result["variants"]


def test_evaluate_adds_the_truth_variant_when_the_sample_truth_is_present(published, capsys):
    data_dir, publish = published
    _truth(data_dir, publish())
    assert main(["evaluate", "--cutoff", AS_OF.isoformat()]) == 0
    result = json.loads(capsys.readouterr().out)
    truth = result["variants"]["truth"]
    assert truth["later_events"] == result["variants"]["published"]["later_events"]
    assert truth["scorecard"] == result["variants"]["published"]["scorecard"]


def test_evaluate_never_compares_official_data_with_the_sample_truth(published, capsys):
    data_dir, publish = published
    _truth(data_dir, publish(data_origin="official open data"))
    assert main(["evaluate", "--cutoff", AS_OF.isoformat()]) == 0
    assert "truth" not in json.loads(capsys.readouterr().out)["variants"]


def test_evaluate_without_a_warehouse_exits_2_and_creates_none(published, capsys):
    data_dir, _ = published
    assert main(["evaluate"]) == 2
    assert "run `heyrick run` first" in capsys.readouterr().err
    assert not (data_dir / "heyrick.duckdb").exists()


def test_evaluate_rejects_a_malformed_cutoff(published, capsys):
    _, publish = published
    publish()
    assert main(["evaluate", "--cutoff", "30/06/2024"]) == 2
    assert "'30/06/2024' is not a date" in capsys.readouterr().err
