"""A step recomputes only when what its result depends on changed (heyrick_dagster/
fingerprints.py), and the versions live in the warehouse beside the tables (warehouse.py)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from heyrick_dagster import fingerprints, warehouse
from heyrick_dagster.settings import Settings

KEYS = ["raw/imd__lsoa_deprivation"]


def _fingerprint(files=None, upstream=None, code="code-1") -> str:
    return fingerprints.fingerprint(
        step="raw_imd",
        code=code,
        settings=fingerprints.settings_version(Settings()),
        inputs=files or {"file:File_7.csv": "aa"},
        upstream=upstream or {},
    )


def _recorded(fingerprint: str) -> dict[str, warehouse.AssetVersion]:
    return {
        k: warehouse.AssetVersion(k, fingerprints.asset_version(fingerprint, k), "run-1")
        for k in KEYS
    }


def test_unchanged_files_code_and_upstream_skip_naming_the_run_that_made_the_result():
    now = _fingerprint()
    decision = fingerprints.decide(
        now, KEYS, _recorded(_fingerprint()), outputs_present=True, force=False
    )
    assert not decision.recompute
    assert "unchanged since run run-1" in decision.reason
    assert decision.metadata()["heyrick/recomputed"] is False


@pytest.mark.parametrize(
    "changed",
    [
        {"files": {"file:File_7.csv": "bb"}},
        {"code": "code-2"},
        {"upstream": {"raw/fhrs__establishments": "v2"}},
    ],
)
def test_a_changed_file_code_or_upstream_version_recomputes(changed):
    before = _fingerprint()
    decision = fingerprints.decide(
        _fingerprint(**changed), KEYS, _recorded(before), outputs_present=True, force=False
    )
    assert decision.recompute and "changed" in decision.reason


def test_a_missing_version_or_table_or_a_forced_run_recomputes():
    now = _fingerprint()
    assert fingerprints.decide(now, KEYS, {}, outputs_present=True, force=False).recompute
    missing = fingerprints.decide(now, KEYS, _recorded(now), outputs_present=False, force=False)
    assert missing.recompute and "missing" in missing.reason
    forced = fingerprints.decide(now, KEYS, _recorded(now), outputs_present=True, force=True)
    assert forced.recompute and "forced" in forced.reason


def test_the_code_version_changes_when_a_dbt_model_changes(tmp_path):
    model = tmp_path / "dbt_project" / "models" / "m.sql"
    model.parent.mkdir(parents=True)
    model.write_text("select 1")
    (tmp_path / "dbt_project" / "target").mkdir()
    (tmp_path / "dbt_project" / "target" / "manifest.json").write_text("{}")
    before = fingerprints.code_version(str(tmp_path))
    (tmp_path / "dbt_project" / "target" / "manifest.json").write_text('{"a": 1}')
    fingerprints.code_version.cache_clear()
    assert fingerprints.code_version(str(tmp_path)) == before, "dbt's target/ is not code"
    model.write_text("select 2")
    fingerprints.code_version.cache_clear()
    assert fingerprints.code_version(str(tmp_path)) != before


def test_publishing_candidates_and_their_versions_is_one_transaction(tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse.replace_table(db, "marts", "a", pl.DataFrame({"x": [1]}))
    warehouse.replace_table(db, "audit_marts", "a", pl.DataFrame({"x": [2]}))
    version = warehouse.AssetVersion("marts/a", "v2", "run-2")
    # The second candidate does not exist: nothing of the publish may remain.
    with pytest.raises(duckdb.Error):
        warehouse.publish_tables(
            db, [("audit_marts", "marts", "a"), ("audit_marts", "marts", "b")], [version]
        )
    assert warehouse.query(db, "select x from marts.a")["x"].to_list() == [1]
    assert warehouse.read_versions(db, ["marts/a"]) == {}

    warehouse.publish_tables(db, [("audit_marts", "marts", "a")], [version])
    assert warehouse.query(db, "select x from marts.a")["x"].to_list() == [2]
    assert not warehouse.tables_exist(db, ["audit_marts.a"])
    assert warehouse.read_versions(db, ["marts/a"])["marts/a"].data_version == "v2"
    warehouse.forget_versions(db, ["marts/a"])
    assert warehouse.read_versions(db, ["marts/a"]) == {}
