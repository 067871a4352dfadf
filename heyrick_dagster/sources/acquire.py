"""Getting a source's raw files into the raw store, whatever the mode.

- `sample`: the embedded synthetic sample, generated on first use (and again
  when the seed or scale changes) under `data/sample/`, then copied in.
- `live`: the official addresses, through each source's `fetch_live`.

Either way the files land in `data/raw/<source>/<vintage>/` with a sha256
manifest before anything parses them, so bad input is never lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from heyrick_dagster.settings import Settings
from heyrick_dagster.sources import fhrs, http, raw_store
from heyrick_dagster.sources.errors import SourceError

SAMPLE_SUMMARY = "SAMPLE.json"
_FHRS_FILE = re.compile(r"^FHRS(\d+)[a-z]{2}-GB\.xml$")


@dataclass(frozen=True)
class Acquired:
    files: list[raw_store.RawFile]
    vintage: str
    synthetic: bool


def ensure_sample(settings: Settings) -> dict:
    """Generate the sample unless one with the same seed and scale is already there."""
    summary_path = settings.sample_dir / SAMPLE_SUMMARY
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if (
            summary.get("seed") == settings.sample_seed
            and summary.get("scale") == settings.sample_scale
        ):
            return summary
    from heyrick_dagster.sample.generate import generate_sample

    summary = generate_sample(
        settings.sample_dir, seed=settings.sample_seed, scale=settings.sample_scale
    )
    summary = json.loads(json.dumps(summary, default=str))
    summary_path.write_text(json.dumps(summary, indent=2, sort_keys=True))
    return summary


def acquire_fhrs(settings: Settings, emit: Callable[[str], None] | None = None) -> Acquired:
    if settings.mode == "live":
        vintage = datetime.now(UTC).date().isoformat()
        files = fhrs.fetch_live(
            settings.fhrs_api_base,
            settings.raw_dir,
            settings.areas,
            vintage,
            http.RetryPolicy(attempts=settings.http_retries, timeout_s=settings.http_timeout_s),
            emit,
        )
        return Acquired(files, vintage, synthetic=False)

    summary = ensure_sample(settings)
    vintage = str(summary["extract_date"])
    paths = _fhrs_files_in_scope(settings.sample_dir / fhrs.SOURCE, settings.areas)
    files = [raw_store.copy_in(p, settings.raw_dir, fhrs.SOURCE, vintage) for p in paths]
    return Acquired(files, vintage, synthetic=True)


def _fhrs_files_in_scope(folder: Path, areas: tuple[str, ...]) -> list[Path]:
    by_code = {}
    for path in sorted(folder.glob("*.xml")):
        match = _FHRS_FILE.match(path.name)
        if match:
            by_code[match.group(1)] = path
    if areas:
        missing = sorted(set(areas) - set(by_code))
        if missing:
            raise SourceError(
                fhrs.SOURCE,
                folder,
                f"the sample has no authority file for HEYRICK_AREAS code(s) {missing}; "
                f"it has {sorted(by_code)}",
            )
        return [by_code[a] for a in areas]
    return list(by_code.values())
