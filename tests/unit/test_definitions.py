"""The Definitions load, and the graph's asset and check keys match the committed list.

The list makes graph changes visible in review: after a deliberate change,
regenerate it with `python -m tests.unit.test_definitions > tests/asset_graph.txt`.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from heyrick_dagster.definitions import build_definitions

GRAPH_FILE = Path(__file__).parent.parent / "asset_graph.txt"


def graph_lines(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = [f"asset {key.to_user_string()}" for key in graph.get_all_asset_keys()]
    lines += [
        f"check {key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys
    ]
    return sorted(lines)


def test_definitions_load_with_in_process_executor(make_settings):
    defs = build_definitions(make_settings())
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.executor_def.name == "in_process"


def test_asset_and_check_keys_match_the_committed_list(make_settings):
    committed = [line for line in GRAPH_FILE.read_text().splitlines() if line.strip()]
    assert graph_lines(build_definitions(make_settings())) == committed


def test_dbt_staging_depends_on_the_raw_python_asset(make_settings):
    graph = build_definitions(make_settings()).resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_fhrs__establishments"])
    assert dg.AssetKey(["raw", "fhrs__establishments"]) in graph.get(staging).parent_keys


def test_daily_schedule_refreshes_every_asset_and_each_layer_has_a_job(make_settings):
    defs = build_definitions(make_settings())
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "Europe/London"
    graph = defs.resolve_asset_graph()
    every = defs.resolve_job_def(schedule.job_name).asset_layer.selected_asset_keys
    assert every == graph.get_all_asset_keys()
    for layer, key in [
        ("sources", ["raw", "fhrs__establishments"]),
        ("staging", ["staging", "stg_fhrs__establishments"]),
        ("marts", ["marts", "dim_premises"]),
    ]:
        selected = defs.resolve_job_def(f"refresh_{layer}").asset_layer.selected_asset_keys
        assert dg.AssetKey(key) in selected
        assert all(graph.get(k).group_name == layer for k in selected)


def test_raw_quality_suite_check_is_blocking(make_settings):
    graph = build_definitions(make_settings()).resolve_asset_graph()
    spec = graph.get_check_spec(
        dg.AssetCheckKey(dg.AssetKey(["raw", "fhrs__establishments"]), "passes_quality_suite")
    )
    assert spec.blocking


if __name__ == "__main__":
    from heyrick_dagster.settings import Settings

    print("\n".join(graph_lines(build_definitions(Settings()))))
