"""Write-audit-publish for the tables dbt builds after linkage (the marts).

dbt builds every such model under a candidate schema (`audit_marts.dim_premises`: the
macro `generate_schema_name` does it when the var `candidate_schemas` names the schema),
so the marts' dbt tests run against the candidates while the published `marts.*` go on
serving. Once `dbt build` has finished, `verdicts` reads its run_results.json and the
manifest: a candidate is published only when dbt built it, none of its own tests failed
or errored, and every model it was built from (in the same build) is published too. Those
candidates then replace the published tables in one DuckDB transaction
(`warehouse.publish_tables`); the others stay in `audit_<schema>` for inspection, and the
previous published table serves, byte for byte.

No Dagster here: defs/dbt.py wires it into the marts' dbt asset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Schemas whose dbt models are built as candidates and published (the Python linkage assets
# write `intermediate` themselves; a dbt model configured there would be a candidate too).
CANDIDATE_SCHEMAS = ("marts", "intermediate")
# Must match dbt_project/macros/generate_schema_name.sql.
CANDIDATE_PREFIX = "audit_"
# dbt statuses of a test that must stop its model being published: `warn` does not (a
# warn-severity test blocks nothing, as in Dagster), `skipped` does (it was not checked).
_BLOCKING_TEST_STATUSES = {"fail", "error", "skipped", "runtime error"}
# Materialisations that leave a relation behind to publish.
_RELATIONS = {"table", "view", "incremental"}


def candidate_schema(schema: str) -> str:
    return CANDIDATE_PREFIX + schema


@dataclass(frozen=True)
class Verdict:
    """Whether one model's candidate is published, and if not, why."""

    unique_id: str
    schema: str  # the published schema (the candidate is candidate_schema(schema))
    table: str
    publish: bool
    reason: str = ""  # empty when published
    failed_tests: tuple[str, ...] = ()

    @property
    def published_name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def candidate_name(self) -> str:
        return f"{candidate_schema(self.schema)}.{self.table}"


def verdicts(manifest: Mapping[str, Any], run_results: Mapping[str, Any]) -> list[Verdict]:
    """One verdict per candidate model that the build in `run_results` touched, in the
    order dbt ran them."""
    nodes = manifest["nodes"]
    results = {r["unique_id"]: r for r in run_results["results"]}
    candidates = {
        uid: nodes[uid]
        for uid in results
        if uid.startswith("model.")
        and uid in nodes
        and nodes[uid]["config"].get("schema") in CANDIDATE_SCHEMAS
        and nodes[uid]["config"].get("materialized") in _RELATIONS
    }
    failed_tests: dict[str, list[str]] = {uid: [] for uid in candidates}
    for uid, result in results.items():
        if not uid.startswith("test.") or result["status"] not in _BLOCKING_TEST_STATUSES:
            continue
        test = nodes.get(uid, {})
        for owner in _tested_models(test):
            if owner in failed_tests:
                failed_tests[owner].append(f"{test.get('name', uid)} ({result['status']})")

    decided: dict[str, Verdict] = {}

    def decide(uid: str) -> Verdict:
        if uid in decided:
            return decided[uid]
        node = candidates[uid]
        status = results[uid]["status"]
        upstream = [n for n in node["depends_on"]["nodes"] if n in candidates]
        blocked_by = [candidates[n]["name"] for n in upstream if not decide(n).publish]
        tests = tuple(sorted(failed_tests[uid]))
        if status != "success":
            reason = f"dbt did not build it (status {status})"
            if status == "skipped" and blocked_by:
                reason += f": an upstream model failed ({', '.join(blocked_by)})"
        elif tests:
            reason = f"its dbt tests failed: {', '.join(tests)}"
        elif blocked_by:
            reason = f"built from models that were not published: {', '.join(blocked_by)}"
        else:
            reason = ""
        decided[uid] = Verdict(
            unique_id=uid,
            schema=node["config"]["schema"],
            table=node.get("alias") or node["name"],
            publish=not reason,
            reason=reason,
            failed_tests=tests,
        )
        return decided[uid]

    return [decide(uid) for uid in candidates]


def _tested_models(test: Mapping[str, Any]) -> list[str]:
    """The models a test speaks for: the one it is declared on (a generic test's
    `attached_node`), else every model it reads (a singular test)."""
    if test.get("attached_node"):
        return [test["attached_node"]]
    return [n for n in test.get("depends_on", {}).get("nodes", []) if n.startswith("model.")]
