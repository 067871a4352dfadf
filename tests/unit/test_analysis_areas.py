"""Area tables (LSOA, local authority), their correlations and enforcement intensity."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import polars as pl
import pytest

from heyrick_dagster.analysis import stats
from heyrick_dagster.analysis.areas import (
    area_events,
    area_table,
    correlations,
    enforcement_intensity,
    pooled_benjamini_hochberg,
)
from heyrick_dagster.analysis.indicators import premises_indicators
from tests.unit.test_analysis_indicators import contract_tables, premises_row

AS_OF = date(2024, 6, 30)


def _mart(codes: list[str], key: str = "lsoa_code") -> pl.DataFrame:
    return pl.DataFrame(
        {
            key: codes,
            "n_premises": [99] * len(codes),  # recounted from the premises, never read
            "imd_rank": [1000 * (i + 1) for i in range(len(codes))],
            "imd_decile": [min(i + 1, 10) for i in range(len(codes))],
            "imd_quintile": [1] * len(codes),
            "lsoa_name": [f"area {c}" for c in codes],
        }
    )


def test_an_event_counts_once_per_area_and_only_when_published_by_as_of():
    premises = [
        premises_row(1, business_id="B1"),
        premises_row(2, business_id="B1"),
        premises_row(3, lsoa_code="E01000002"),
    ]
    tables = contract_tables(
        premises,
        events=[
            ("iw|a", "illegal_working", date(2023, 1, 1)),
            ("nmw|b", "nmw_naming", date(2023, 6, 1)),
            ("iw|late", "illegal_working", date(2024, 9, 1)),
        ],
        attributions=[("iw|a", 1, 1.0), ("iw|a", 2, 1.0), ("nmw|b", 3, 0.6), ("iw|late", 3, 1.0)],
    )
    counts = area_events(
        tables["dim_premises"],
        tables["fct_enforcement_events"],
        tables["fct_event_premises"],
        AS_OF,
        "lsoa_code",
    ).sort("lsoa_code")
    assert counts.to_dicts() == [
        {
            "lsoa_code": "E01000001",
            "enforcement_events": 1,
            "illegal_working_penalties": 1,
            "nmw_namings": 0,
        },
        {
            "lsoa_code": "E01000002",
            "enforcement_events": 1,
            "illegal_working_penalties": 0,
            "nmw_namings": 1,
        },  # 0.6 expected events round to 1
    ]


def test_area_table_shares_are_over_target_premises_and_exposure_counts_businesses():
    premises = [
        premises_row(1, business_id="B1", rating_numeric=1),
        premises_row(2, business_id="B1", rating_numeric=5),
        premises_row(3, sector="other", is_target_sector=False, rating_numeric=0),
        premises_row(4, lsoa_code="E01000002"),
    ]
    companies = [{"business_id": "B1", "is_distressed": True}]
    tables = contract_tables(premises, companies)
    indicators = premises_indicators(tables, AS_OF)
    table = area_table(
        indicators,
        _mart(["E01000001", "E01000002", "E01000003"]),
        tables["fct_enforcement_events"],
        tables["fct_event_premises"],
        AS_OF,
        "lsoa",
    )
    first = table.row(0, named=True)
    assert first["businesses"] == 2  # B1 (two premises) and B3
    assert first["target_premises"] == 2
    assert first["target_sector_share"] == pytest.approx(2 / 3)
    assert first["mean_hygiene_rating_shortfall"] == pytest.approx(2.0)  # (4 + 0) / 2
    assert first["share_company_distressed"] == 1.0
    assert "imd_quintile" not in table.columns and "n_premises" not in table.columns
    empty = table.row(2, named=True)
    assert empty["businesses"] == 0 and empty["enforcement_events"] == 0


def _random_areas(n: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    indicator = rng.uniform(0, 1, n)
    businesses = rng.integers(20, 60, n)
    events = rng.poisson(businesses * 0.02 * np.exp(1.5 * indicator))
    return pl.DataFrame(
        {
            "area_code": [f"A{i}" for i in range(n)],
            "businesses": businesses,
            "target_premises": businesses // 3,
            "target_sector_share": rng.uniform(0.1, 0.5, n),
            "share_company_distressed": indicator,
            "imd_decile": rng.integers(1, 11, n),
            "enforcement_events": events,
            "illegal_working_penalties": events,
            "nmw_namings": np.zeros(n, dtype=int),
        }
    )


def test_correlations_run_every_indicator_and_outcome_of_a_level_in_the_published_schema():
    table = _random_areas(120)
    result = correlations(table, "lsoa", "2024-11-10")
    assert result.schema == pl.Schema(stats.AREA_CORRELATIONS_SCHEMA)
    assert result.height == 3 * 3 * 3  # indicators x outcomes x (spearman, pearson, count)
    found = result.filter(
        (pl.col("indicator") == "share_company_distressed")
        & (pl.col("outcome") == "enforcement_events")
        & (pl.col("method") == "spearman")
    )
    assert found["estimate"][0] > 0.2 and found["p_adjusted"][0] < 0.05
    # Standardised indicators: the count model's ratio is per standard deviation.
    sd = table["share_company_distressed"].std()
    count = result.filter(
        (pl.col("indicator") == "share_company_distressed")
        & (pl.col("outcome") == "enforcement_events")
        & pl.col("method").is_in(["poisson", "negative_binomial"])
    )
    assert count["estimate"][0] == pytest.approx(np.exp(1.5 * sd), rel=0.35)


def test_pooled_adjustment_is_one_family_across_levels_with_suppressed_rows_as_p_one():
    rows = {
        "indicator": ["a", "b", "c"],
        "outcome": ["y"] * 3,
        "method": ["spearman"] * 3,
        "n": [100, 100, None],
        "estimate": [0.3, 0.1, None],
        "ci_low": [0.1, 0.0, None],
        "ci_high": [0.5, 0.2, None],
        "p_value": [0.01, 0.04, None],
        "p_adjusted": [0.02, 0.04, None],
        "suppressed": [False, False, True],
        "data_vintage": ["v"] * 3,
    }
    lsoa = (
        pl.DataFrame(rows | {"area_level": ["lsoa"] * 3})
        .select(list(stats.AREA_CORRELATIONS_SCHEMA))
        .cast(stats.AREA_CORRELATIONS_SCHEMA)
    )
    la = lsoa.with_columns(
        pl.lit("local_authority").alias("area_level"),
        pl.lit(0.03).alias("p_value"),
        pl.lit(False).alias("suppressed"),
    )
    pooled = pooled_benjamini_hochberg([lsoa, la])
    assert pooled.schema == lsoa.schema
    family = [0.01, 0.04, 1.0, 0.03, 0.03, 0.03]
    expected = stats.benjamini_hochberg(family)
    assert pooled["p_adjusted"].to_list()[:2] == pytest.approx(list(expected[:2]))
    assert pooled["p_adjusted"][2] is None
    assert (pooled["p_adjusted"].drop_nulls() >= pooled["p_value"].drop_nulls()).all()


def test_enforcement_intensity_covers_every_area_and_outcome_and_hides_small_counts():
    rng = random.Random(3)
    table = _random_areas(30).with_columns(
        pl.Series("enforcement_events", [rng.choice((0, 2, 9, 12)) for _ in range(30)])
    )
    intensity = enforcement_intensity(table, "lsoa", "2024-11-10")
    assert intensity.height == 30 * 3
    assert set(intensity["outcome"]) == {
        "enforcement_events",
        "illegal_working_penalties",
        "nmw_namings",
    }
    small = intensity.filter(pl.col("suppressed"))
    assert small["events"].null_count() == small.height and small["rate_per_1000"].is_null().all()
    shown = intensity.filter(~pl.col("suppressed") & (pl.col("events") > 0))
    assert (shown["events"] >= 5).all()
    assert (shown["rate_per_1000"] > 0).all()
