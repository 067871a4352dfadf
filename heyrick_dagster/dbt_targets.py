"""Keep dbt's per-invocation target folders from piling up.

dagster-dbt gives every `dbt build` its own folder under `dbt_project/target`
(`<op>-<run id>-<random>`, a few MB each: manifest, compiled SQL, run results,
logs), and never removes them: a daily schedule fills the disk. The newest few
of each op stay, so the last runs can still be inspected.
"""

from __future__ import annotations

import shutil
from pathlib import Path

KEEP_PER_OP = 5


def prune_invocations(target_dir: Path, op_name: str, keep: int = KEEP_PER_OP) -> list[Path]:
    """Remove all but the `keep` newest invocation folders of `op_name`; returns the removed."""
    folders = sorted(
        (p for p in target_dir.glob(f"{op_name}-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = folders[keep:]
    for folder in removed:
        # A folder another process is still writing can vanish or refuse: not worth failing for.
        shutil.rmtree(folder, ignore_errors=True)
    return removed
