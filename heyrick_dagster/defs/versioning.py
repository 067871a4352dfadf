"""Dagster wiring of heyrick_dagster/fingerprints.py: each step decides whether its inputs
changed, and when they did not, re-states its previous results instead of recomputing.

Every step still yields a materialisation per asset (so Dagster never skips a step below
it: another of that step's inputs may have changed), carrying the fingerprint as its
`DataVersion` and the metadata `heyrick/recomputed` with `heyrick/skip_reason` or
`heyrick/recompute_reason`; a skipped step re-states its checks' previous results, named as
such, so the blocking gates downstream see the results that still hold.
"""

import functools
import graphlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping

import dagster as dg

from heyrick_dagster import fingerprints, warehouse
from heyrick_dagster.settings import Settings

# Asset key prefixes that name a warehouse schema: their table must exist to be reused.
WAREHOUSE_SCHEMAS = {"raw", "staging", "intermediate", "marts", "analysis"}


def _selected_keys(context: dg.AssetExecutionContext) -> list[dg.AssetKey]:
    """The step's selected assets, upstream first (Dagster refuses a multi-asset that
    yields an asset before one it depends on)."""
    selected = context.selected_asset_keys
    order = graphlib.TopologicalSorter(
        {
            key: {d for d in context.assets_def.asset_deps.get(key, ()) if d in selected}
            for key in sorted(selected, key=lambda k: k.to_user_string())
        }
    )
    return list(order.static_order())


def upstream_keys(context: dg.AssetExecutionContext) -> list[dg.AssetKey]:
    """The assets this step reads that it does not write itself in this run (a sibling
    model left out of a subset run counts: it may have been rebuilt on its own)."""
    selected = set(context.selected_asset_keys)
    found = set()
    for key in selected:
        found |= set(context.assets_def.asset_deps.get(key, ()))
    return sorted(found - selected, key=lambda k: k.to_user_string())


def tables_of(keys: Iterable[dg.AssetKey]) -> list[str]:
    """The warehouse tables behind asset keys such as ["marts", "dim_premises"]."""
    return [".".join(k.path) for k in keys if len(k.path) == 2 and k.path[0] in WAREHOUSE_SCHEMAS]


def plan(
    context: dg.AssetExecutionContext,
    settings: Settings,
    inputs: Mapping[str, str] | None = None,
    outputs_present: Callable[[], bool] | None = None,
) -> fingerprints.Decision:
    """Decide whether this step recomputes; when it does, its recorded versions are
    forgotten first (a step killed half-way must not look finished)."""
    keys = [k.to_user_string() for k in _selected_keys(context)]
    upstream = [k.to_user_string() for k in upstream_keys(context)]
    recorded = warehouse.read_versions(settings.duckdb_path, keys + upstream)
    step_fingerprint = fingerprints.fingerprint(
        step=context.op_def.name,
        code=fingerprints.code_version(),
        settings=fingerprints.settings_version(settings),
        inputs=inputs or {},
        upstream={u: recorded[u].data_version if u in recorded else None for u in upstream},
    )
    present = outputs_present or (
        lambda: warehouse.tables_exist(settings.duckdb_path, tables_of(_selected_keys(context)))
    )
    force = settings.force_recompute or context.run.tags.get(fingerprints.FORCE_TAG) == "true"
    decision = fingerprints.decide(
        step_fingerprint,
        keys,
        {k: recorded[k] for k in keys if k in recorded},
        outputs_present=_present_with_checks(context, recorded, present),
        force=force,
    )
    if decision.recompute:
        context.log.info(f"{context.op_def.name}: recomputing: {decision.reason}")
        warehouse.forget_versions(settings.duckdb_path, keys)
    else:
        context.log.info(f"{context.op_def.name}: skipped: {decision.reason}")
    return decision


def _present_with_checks(context, recorded, present: Callable[[], bool]) -> bool:
    """Outputs count as present only when every selected check's last result is recorded
    too (a skipped step re-states them)."""
    stored = {
        (key, entry["check_name"])
        for key, version in recorded.items()
        for entry in json.loads(version.checks or "[]")
    }
    checks = {(k.asset_key.to_user_string(), k.name) for k in context.selected_asset_check_keys}
    return checks <= stored and present()


def record(
    context: dg.AssetExecutionContext,
    settings: Settings,
    decision: fingerprints.Decision,
    keys: Iterable[dg.AssetKey],
    checks: Iterable[dg.AssetCheckResult] = (),
) -> None:
    """Record the versions of the assets a recomputing step has written."""
    warehouse.record_versions(settings.duckdb_path, versions(context, decision, keys, checks))


def versions(
    context: dg.AssetExecutionContext,
    decision: fingerprints.Decision,
    keys: Iterable[dg.AssetKey],
    checks: Iterable[dg.AssetCheckResult] = (),
) -> list[warehouse.AssetVersion]:
    by_asset: dict[str, list[dict]] = {}
    for result in checks:
        by_asset.setdefault(result.asset_key.to_user_string(), []).append(_check_entry(result))
    return [
        warehouse.AssetVersion(
            asset_key=k.to_user_string(),
            data_version=decision.versions[k.to_user_string()],
            run_id=context.run_id,
            checks=fingerprints.checks_json(by_asset.get(k.to_user_string(), [])),
        )
        for k in keys
    ]


def _check_entry(result: dg.AssetCheckResult) -> dict:
    return {
        "check_name": result.check_name,
        "passed": result.passed,
        "severity": result.severity.value,
        "description": result.description or "",
    }


def data_version(decision: fingerprints.Decision, key: dg.AssetKey) -> dg.DataVersion:
    return dg.DataVersion(decision.versions[key.to_user_string()])


def skipped_results(
    context: dg.AssetExecutionContext,
    decision: fingerprints.Decision,
    metadata: Mapping[dg.AssetKey, Mapping[str, object]] | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """A materialisation per selected asset saying it was not recomputed, and each selected
    check's previous result, re-stated."""
    for key in _selected_keys(context):
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={**(metadata or {}).get(key, {}), **decision.metadata()},
            data_version=data_version(decision, key),
        )
    for check_key in sorted(context.selected_asset_check_keys, key=str):
        previous = decision.previous[check_key.asset_key.to_user_string()]
        entry = next(e for e in json.loads(previous.checks) if e["check_name"] == check_key.name)
        yield dg.AssetCheckResult(
            asset_key=check_key.asset_key,
            check_name=check_key.name,
            passed=entry["passed"],
            severity=dg.AssetCheckSeverity(entry["severity"]),
            description=f"not re-run: the asset is unchanged since run {previous.run_id[:8]}, "
            f"whose result this is. {entry['description']}".strip(),
            metadata={"heyrick/restated_from_run": previous.run_id},
        )


def skip_when_unchanged(
    gate: Callable[[dg.AssetExecutionContext], object] | None = None,
    files: Callable[[Settings], Iterable] | None = None,
):
    """Decorate a single-asset compute function (its resource param named `settings`, its
    result a MaterializeResult) so that it recomputes only when its inputs or code changed.
    `gate` runs first either way (the analysis refuses to run behind a failed gate);
    `files`: the files it writes, which must exist to be reused (default: its table)."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            context = dg.AssetExecutionContext.get()
            settings: Settings = kwargs["settings"]
            if gate is not None:
                gate(context)
            present = (lambda: all(p.exists() for p in files(settings))) if files else None
            decision = plan(context, settings, outputs_present=present)
            if not decision.recompute:
                return next(iter(skipped_results(context, decision)))
            result = fn(*args, **kwargs)
            record(context, settings, decision, [context.asset_key])
            return dg.MaterializeResult(
                asset_key=result.asset_key,
                metadata={**(result.metadata or {}), **decision.metadata()},
                check_results=result.check_results,
                data_version=data_version(decision, context.asset_key),
            )

        return inner

    return wrap
