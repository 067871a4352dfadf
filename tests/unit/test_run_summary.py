"""The summary that ends `heyrick run` says which assets a warm re-run reused."""

from __future__ import annotations

from heyrick_dagster.run_summary import RunSummary, render
from heyrick_dagster.settings import Settings


def test_the_summary_counts_the_assets_reused_because_nothing_changed():
    summary = RunSummary(
        success=True,
        materialized=["raw/imd__lsoa_deprivation", "raw/fhrs__establishments"],
        reused=["raw/imd__lsoa_deprivation"],
    )
    text = render(summary, Settings())
    assert "1 of 2 assets reused, not recomputed (HEYRICK_FORCE_RECOMPUTE=1" in text
    assert "reused" not in render(RunSummary(success=True, materialized=["a"]), Settings())
