"""A truncated dbt manifest (a run killed during `dbt parse`) is parsed again."""

from __future__ import annotations

from heyrick_dagster.defs.dbt import _loads


def test_a_truncated_manifest_does_not_load_and_a_whole_one_does(tmp_path):
    whole = tmp_path / "manifest.json"
    whole.write_text('{"metadata": {"project_name": "heyrick"}, "nodes": {}}')
    cut = tmp_path / "cut.json"
    cut.write_bytes(whole.read_bytes()[:20])
    assert _loads(whole)
    assert not _loads(cut)
