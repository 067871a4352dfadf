"""Skipping work whose inputs have not changed: a warm re-run with unchanged raw files
recomputes nothing.

Each step's data version is a fingerprint of everything its result depends on: the code
(every file of the package, the dbt project and the Great Expectations suites), the
settings that shape the data (mode, areas, seed and scale), what the step reads directly
(a raw asset: the sha256 of each raw file) and the data versions of its upstream assets.
When every asset of a step was last published at exactly the fingerprint it would have
now, and its tables are still there, the step does not recompute: it says so and re-states
the previous results. Anything else (a changed file, changed code, an upstream asset that
was recomputed into something new, a version never recorded) recomputes.

Dagster's own data versions would say the same, but a run does not skip a step whose
upstream data version is unchanged (dagster-io/dagster#14842, open), and a step left out
with an optional output would skip every step below it even when another of their inputs
changed. So every step still yields its materialisations, each carrying its fingerprint as
its `DataVersion`, and decides for itself here. The versions are kept in the warehouse
(warehouse.AssetVersion), not only in Dagster's instance, so that a new or deleted
warehouse is never mistaken for an unchanged one.

Force a full recompute with HEYRICK_FORCE_RECOMPUTE=1 or the run tag
`heyrick/force_recompute=true` (Dagster UI launchpad).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from heyrick_dagster.settings import REPO_ROOT, Settings
from heyrick_dagster.warehouse import AssetVersion

FORCE_TAG = "heyrick/force_recompute"
# What the pipeline's results are computed by. Sample data and runtime output (dbt's
# target/, caches) are not code; GX writes nothing into expectations/expectations/.
CODE_ROOTS = ("heyrick_dagster", "dbt_project", "expectations/expectations")
_NOT_CODE = {"target", "logs", "dbt_packages", "__pycache__", ".pytest_cache"}
_CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".json", ".csv", ".md"}


@functools.cache
def code_version(root: str = str(REPO_ROOT)) -> str:
    """sha256 of every code and configuration file that can change a result. Coarse on
    purpose: any edit recomputes everything, which is never wrong, only slower."""
    digest = hashlib.sha256()
    base = REPO_ROOT.__class__(root)
    for top in CODE_ROOTS:
        for path in sorted((base / top).rglob("*")):
            parts = set(path.relative_to(base).parts)
            if path.is_file() and path.suffix in _CODE_SUFFIXES and not parts & _NOT_CODE:
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def settings_version(settings: Settings) -> dict[str, object]:
    """The settings that shape the data (paths do not)."""
    return {
        "mode": settings.mode,
        "areas": sorted(settings.areas),
        "sample_seed": settings.sample_seed,
        "sample_scale": settings.sample_scale,
    }


def fingerprint(
    step: str,
    code: str,
    settings: Mapping[str, object],
    inputs: Mapping[str, str],
    upstream: Mapping[str, str | None],
) -> str:
    """The step's fingerprint; `inputs` are what it reads directly (file -> sha256),
    `upstream` the recorded data version of each upstream asset (None: never recorded)."""
    document = {
        "step": step,
        "code": code,
        "settings": settings,
        "inputs": dict(sorted(inputs.items())),
        "upstream": dict(sorted(upstream.items())),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def asset_version(step_fingerprint: str, asset_key: str) -> str:
    """Each asset of a step gets its own data version, derived from the step's."""
    return hashlib.sha256(f"{step_fingerprint}\0{asset_key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Decision:
    """Whether a step recomputes, why, and the data version each of its assets gets."""

    recompute: bool
    reason: str
    versions: dict[str, str]  # asset key -> data version
    previous: dict[str, AssetVersion]

    def metadata(self) -> dict[str, object]:
        """What the UI shows on each materialisation of the step."""
        meta: dict[str, object] = {"heyrick/recomputed": self.recompute}
        meta["heyrick/" + ("recompute_reason" if self.recompute else "skip_reason")] = self.reason
        return meta


def decide(
    fingerprint_now: str,
    asset_keys: Iterable[str],
    recorded: Mapping[str, AssetVersion],
    *,
    outputs_present: bool,
    force: bool,
) -> Decision:
    versions = {key: asset_version(fingerprint_now, key) for key in asset_keys}
    if force:
        return Decision(True, f"forced ({FORCE_TAG} / HEYRICK_FORCE_RECOMPUTE)", versions, {})
    never = sorted(k for k in versions if k not in recorded)
    if never:
        return Decision(True, f"no recorded version of {', '.join(never)}", versions, {})
    changed = sorted(k for k, v in versions.items() if recorded[k].data_version != v)
    if changed:
        return Decision(
            True,
            f"inputs or code changed since the recorded version of {', '.join(changed)}",
            versions,
            {},
        )
    if not outputs_present:
        return Decision(True, "a table or file it writes is missing", versions, {})
    runs = sorted({recorded[k].run_id[:8] for k in versions})
    return Decision(
        False,
        "inputs (raw files by sha256, upstream data versions) and code unchanged since run "
        f"{', '.join(runs)}: the published result is reused",
        versions,
        {k: recorded[k] for k in versions},
    )


def checks_json(results: Iterable[Mapping[str, object]]) -> str:
    """A step's check results as stored with its version, to be re-stated when it skips."""
    return json.dumps(list(results), sort_keys=True, default=str)
