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

from heyrick_dagster.dbt_targets import prune_invocations
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


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: Settings):
    # "cautious": a test runs with the models of its own run only, never one whose other
    # parent (a mart's relationship to staging, say) belongs to the other run.
    args = ["build", "--indirect-selection", "cautious", "--vars", json.dumps(settings.dbt_vars())]
    invocation = dbt.cli(args, context=context)
    yield from invocation.stream()
    prune_invocations(invocation.target_path.parent, context.op_execution_context.op.name)


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
    yield from _build(context, dbt, settings)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select="path:models/marts path:models/intermediate",
    dagster_dbt_translator=LayerGroups(),
)
def heyrick_dbt_marts(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: dg.ResourceParam[Settings]
):
    """`dbt build` of the marts and their tests."""
    yield from _build(context, dbt, settings)


assets = [heyrick_dbt_staging, heyrick_dbt_marts]
