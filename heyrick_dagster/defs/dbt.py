"""Dagster wiring for the dbt project: staging and marts, with dbt tests as checks.
dagster-dbt 0.29 turns error-severity dbt tests into blocking asset checks, so
a failed `unique`/`not_null` on staging leaves the marts (and later the
analysis) untouched in the same run. The dbt source `raw` lines up with the
Python raw assets' keys (`["raw", "<source>__<table>"]`) with no translator.
"""

import json
import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from heyrick_dagster import publishing, warehouse
from heyrick_dagster.dbt_targets import prune_invocations
from heyrick_dagster.defs import versioning
from heyrick_dagster.defs.metadata import ENGINEERING_OWNERS
from heyrick_dagster.settings import REPO_ROOT, Settings

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """dbt from the same virtual environment as this interpreter, else from PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """Parse the dbt project when its manifest is missing or older than any model,
    macro or config file, so `make run`, tests and `dagster dev` all see the
    current models without a separate build step."""
    manifest = project.manifest_path
    sources = [
        p
        for p in DBT_PROJECT_DIR.rglob("*")
        if p.suffix in {".sql", ".yml", ".md"}
        and "target" not in p.parts
        and "dbt_packages" not in p.parts
    ]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest or not _loads(manifest):
        # dagster-dbt's own preparer looks for `dbt` on PATH only; use the venv's.
        dbt_resource().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return manifest


def _loads(manifest: Path) -> bool:
    """dbt writes manifest.json in place, not atomically: a run killed during `dbt parse`
    leaves a truncated file that is newer than every model. Parse again then."""
    try:
        json.loads(manifest.read_bytes())
    except ValueError:
        return False
    return True


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


ensure_manifest()


# Who answers for the dbt models: Heyrick's own SQL over the publishers' data (the raw tables
# are owned by their publishers, defs/metadata.py source_owner).


class LayerGroups(DagsterDbtTranslator):
    """Group dbt models by layer (their schema: staging, marts), as the UI shows them, and
    name their owners. Kinds need nothing here: dagster-dbt 0.29 gives every model `dbt` and
    its adapter, `duckdb`."""

    def get_group_name(self, dbt_resource_props):
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"

    def get_owners(self, dbt_resource_props):
        # A model's own `meta.dagster.owners` (dbt yml) wins over the default.
        return super().get_owners(dbt_resource_props) or ENGINEERING_OWNERS


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    settings: Settings,
    candidates: bool,
):
    """`dbt build` of this step's selection, unless its inputs and code are unchanged
    (defs/versioning.py). With `candidates`, the models are built and tested under
    `audit_<schema>` and only those that passed are published (heyrick_dagster/publishing.py)."""
    decision = versioning.plan(context, settings)
    if not decision.recompute:
        yield from versioning.skipped_results(context, decision)
        return
    dbt_vars = settings.dbt_vars()
    if candidates:
        dbt_vars["candidate_schemas"] = list(publishing.CANDIDATE_SCHEMAS)
    # "cautious": a test runs with the models of its own run only, never one whose other
    # parent (a mart's relationship to staging, say) belongs to the other run.
    args = ["build", "--indirect-selection", "cautious", "--vars", json.dumps(dbt_vars)]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    # Held back until the build is over: a model's materialisation must say whether it was
    # published, which is known only once all its tests (and its upstream's) have run.
    events = list(invocation.stream())
    checks = [e for e in events if isinstance(e, dg.AssetCheckResult)]
    if candidates:
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:  # dbt stopped before running anything: nothing to publish
            run_results = {"results": []}
        verdicts = publishing.verdicts(invocation.manifest, run_results)
        events, kept = _publish(context, settings, decision, verdicts, events, checks)
    else:
        failed = {c.asset_key for c in checks if not c.passed and _blocks(c)}
        built = {_output_key(context, e) for e in events if isinstance(e, dg.Output)}
        kept = built & failed
        versioning.record(context, settings, decision, sorted(built - kept), checks)
    prune_invocations(invocation.target_path.parent, context.op_execution_context.op.name)
    for event in events:
        if isinstance(event, dg.Output):
            key = _output_key(context, event)
            # A table left unpublished (or failing its gate) has no new data version.
            event = dg.Output(
                value=event.value,
                output_name=event.output_name,
                metadata={**event.metadata, **decision.metadata()},
                data_version=None if key in kept else versioning.data_version(decision, key),
                tags=event.tags,
            )
        yield event
    error = invocation.get_error()
    if error is not None:
        raise error


def _publish(context, settings, decision, verdicts, events, checks) -> tuple[list, set]:
    """Publish the candidates that passed in one transaction, with their versions; return
    the events with each model's materialisation saying whether it was published, and the
    keys of the models left unpublished."""
    by_id = {v.unique_id: v for v in verdicts}
    published = [v for v in verdicts if v.publish]
    keys = {
        _output_key(context, e): by_id[e.metadata["unique_id"].value]
        for e in events
        if isinstance(e, dg.Output)
        and e.metadata.get("unique_id") is not None
        and e.metadata["unique_id"].value in by_id
    }
    warehouse.publish_tables(
        settings.duckdb_path,
        [(publishing.candidate_schema(v.schema), v.schema, v.table) for v in published],
        versioning.versions(context, decision, [k for k, v in keys.items() if v.publish], checks),
    )
    for verdict in verdicts:
        if verdict.publish:
            context.log.info(f"published {verdict.published_name}")
        else:
            context.log.error(
                f"{verdict.published_name} not published: {verdict.reason}; the previous "
                f"table still serves and the candidate stays in {verdict.candidate_name}"
            )
    out = []
    for event in events:
        verdict = keys.get(_output_key(context, event)) if isinstance(event, dg.Output) else None
        if verdict is not None:
            event = event.with_metadata(
                {
                    **event.metadata,
                    "published": verdict.publish,
                    "published_table": verdict.published_name,
                    "candidate_table": verdict.candidate_name,
                    **({} if verdict.publish else {"not_published_because": verdict.reason}),
                    **(
                        {"failed_tests": dg.MetadataValue.json(list(verdict.failed_tests))}
                        if verdict.failed_tests
                        else {}
                    ),
                }
            )
        out.append(event)
    return out, {k for k, v in keys.items() if not v.publish}


def _output_key(context: dg.AssetExecutionContext, output: dg.Output) -> dg.AssetKey:
    return context.asset_key_for_output(output.output_name)


def _blocks(result: dg.AssetCheckResult) -> bool:
    return result.severity == dg.AssetCheckSeverity.ERROR


# Two dbt runs, because Python linkage sits between them: staging (with its seeds),
# then the marts that read the links. One @dbt_assets around both would make Dagster
# split it into steps whose tests can run before the models they need exist.
@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select="path:models/staging path:seeds",
    dagster_dbt_translator=LayerGroups(),
)
def heyrick_dbt_staging(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: dg.ResourceParam[Settings]
):
    """`dbt build` of staging views, seeds and their tests (error severity blocks)."""
    yield from _build(context, dbt, settings, candidates=False)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select="path:models/marts path:models/intermediate",
    dagster_dbt_translator=LayerGroups(),
)
def heyrick_dbt_marts(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: dg.ResourceParam[Settings]
):
    """`dbt build` of the marts as candidates, their tests, then the atomic publish of those
    that passed: a failed test leaves the previous mart serving (`published: false`)."""
    yield from _build(context, dbt, settings, candidates=True)


assets = [heyrick_dbt_staging, heyrick_dbt_marts]
