"""Which dbt candidates are published: those dbt built whose own tests passed and whose
upstream models were published too (heyrick_dagster/publishing.py)."""

from __future__ import annotations

from heyrick_dagster.publishing import candidate_schema, verdicts


def _model(name: str, *parents: str, schema: str = "marts") -> tuple[str, dict]:
    uid = f"model.heyrick.{name}"
    return uid, {
        "name": name,
        "alias": name,
        "config": {"schema": schema, "materialized": "table"},
        "depends_on": {"nodes": [f"model.heyrick.{p}" for p in parents]},
    }


def _test(name: str, on: str | None, *reads: str) -> tuple[str, dict]:
    uid = f"test.heyrick.{name}"
    return uid, {
        "name": name,
        "attached_node": f"model.heyrick.{on}" if on else None,
        "depends_on": {"nodes": [f"model.heyrick.{r}" for r in reads]},
    }


NODES = dict(
    [
        _model("stg_fhrs", schema="staging"),
        _model("bridge"),
        _model("dim_premises", "stg_fhrs", "bridge"),
        _model("area_lsoa", "dim_premises"),
        _model("dim_companies", "bridge"),
        _test("unique_dim_premises_fhrsid", "dim_premises", "dim_premises"),
        _test("event_not_public_before_quarter_end", None, "dim_companies", "bridge"),
        _test("accepted_values_dim_companies_status", "dim_companies", "dim_companies"),
    ]
)


def _results(**statuses: str) -> dict:
    return {
        "results": [
            {"unique_id": next(uid for uid in NODES if uid.endswith("." + name)), "status": s}
            for name, s in statuses.items()
        ]
    }


def _by_table(manifest_nodes: dict, run_results: dict) -> dict:
    return {v.table: v for v in verdicts({"nodes": manifest_nodes}, run_results)}


def test_every_candidate_is_published_when_every_model_and_test_passed():
    found = _by_table(
        NODES,
        _results(
            bridge="success",
            dim_premises="success",
            area_lsoa="success",
            dim_companies="success",
            unique_dim_premises_fhrsid="pass",
            event_not_public_before_quarter_end="pass",
            accepted_values_dim_companies_status="pass",
        ),
    )
    assert sorted(found) == ["area_lsoa", "bridge", "dim_companies", "dim_premises"]
    assert all(v.publish and v.reason == "" for v in found.values())
    assert found["dim_premises"].candidate_name == f"{candidate_schema('marts')}.dim_premises"
    assert found["dim_premises"].published_name == "marts.dim_premises"


def test_a_failed_test_keeps_its_model_and_everything_built_from_it_unpublished():
    found = _by_table(
        NODES,
        _results(
            bridge="success",
            dim_premises="success",
            unique_dim_premises_fhrsid="fail",
            area_lsoa="success",
            dim_companies="success",
            accepted_values_dim_companies_status="pass",
        ),
    )
    assert not found["dim_premises"].publish
    assert found["dim_premises"].failed_tests == ("unique_dim_premises_fhrsid (fail)",)
    assert "unique_dim_premises_fhrsid" in found["dim_premises"].reason
    assert not found["area_lsoa"].publish
    assert found["area_lsoa"].reason == "built from models that were not published: dim_premises"
    assert found["bridge"].publish and found["dim_companies"].publish


def test_a_singular_test_speaks_for_every_model_it_reads_and_a_warning_blocks_nothing():
    found = _by_table(
        NODES,
        _results(
            bridge="success",
            dim_companies="success",
            event_not_public_before_quarter_end="error",
            accepted_values_dim_companies_status="warn",
        ),
    )
    assert not found["bridge"].publish and not found["dim_companies"].publish
    assert found["dim_companies"].failed_tests == ("event_not_public_before_quarter_end (error)",)


def test_a_model_dbt_skipped_or_failed_is_not_published_and_staging_is_never_a_candidate():
    found = _by_table(
        NODES,
        _results(stg_fhrs="success", bridge="error", dim_premises="skipped"),
    )
    assert "stg_fhrs" not in found, "staging views are built in place"
    assert found["bridge"].reason == "dbt did not build it (status error)"
    assert found["dim_premises"].reason == (
        "dbt did not build it (status skipped): an upstream model failed (bridge)"
    )
