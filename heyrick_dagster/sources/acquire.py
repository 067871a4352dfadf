"""Getting a source's raw files into the raw store, whatever the mode.

- `sample`: the embedded synthetic sample, generated on first use (and again
  when the seed or scale changes) under `data/sample/<source>/`, then copied in.
- `files`: a folder of files the user already holds, `<files dir>/<source>/`
  (how a secure environment without internet access receives its data).
- `live`: the official addresses, through the connector's `fetch_live`.

Either way the files land in `data/raw/<source>/<vintage>/` with a sha256
manifest before anything parses them, so bad input is never lost. The raw store is
content-addressed (raw_store.py): a file whose sha256 is already stored is re-used, not
written again, and the log says which.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from heyrick_dagster.settings import Settings
from heyrick_dagster.sources import raw_store
from heyrick_dagster.sources.base import Connector, Emit
from heyrick_dagster.sources.errors import SourceError

SAMPLE_SUMMARY = "SAMPLE.json"
SAMPLE_PACKAGE = Path(__file__).resolve().parent.parent / "sample"


@dataclass(frozen=True)
class Acquired:
    files: list[raw_store.RawFile]
    vintage: str
    synthetic: bool
    absent: bool = False  # an optional source with no files (reported, not an error)


def generator_version() -> str:
    """A fingerprint of the sample generator's code: a sample made by other code (an older
    Heyrick, an edited writer) is made again rather than silently reused."""
    digest = hashlib.sha256()
    for path in sorted(SAMPLE_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(SAMPLE_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_sample(settings: Settings) -> dict:
    """Generate the sample unless one with the same seed, scale and generator code is
    already there."""
    summary_path = settings.sample_dir / SAMPLE_SUMMARY
    version = generator_version()
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if (
            summary.get("seed") == settings.sample_seed
            and summary.get("scale") == settings.sample_scale
            and summary.get("generator_version") == version
        ):
            return summary
    from heyrick_dagster.sample.generate import generate_sample

    summary = generate_sample(
        settings.sample_dir, seed=settings.sample_seed, scale=settings.sample_scale
    )
    summary = json.loads(json.dumps(summary, default=str)) | {"generator_version": version}
    # Written aside then renamed: a run killed here must not leave a half-written summary
    # that every later run fails to read.
    partial = summary_path.with_name(summary_path.name + ".tmp")
    partial.write_text(json.dumps(summary, indent=2, sort_keys=True))
    partial.replace(summary_path)
    return summary


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def acquire(connector: Connector, settings: Settings, emit: Emit | None = None) -> Acquired:
    source = connector.key
    if settings.mode == "live":
        vintage = _today()
        folder = raw_store.vintage_dir(settings.raw_dir, source, vintage)
        files = connector.fetch_live(settings, folder, emit)
        _report_reuse(source, files, emit)
        return Acquired(files, vintage, synthetic=False)

    if settings.mode == "sample":
        vintage = str(ensure_sample(settings)["extract_date"])
        folder = settings.sample_dir / source
    else:
        vintage = _today()
        folder = settings.source_files_dir / source
    paths = local_files(connector, folder)
    if connector.select is not None:
        paths = connector.select(paths, settings.areas, emit)
    if not paths:
        if connector.metadata.required:
            raise SourceError(
                source,
                folder,
                f"no files for required source {source} "
                f"(expected {', '.join(connector.file_patterns)})",
                hint=f"put the {connector.metadata.publisher} files in {folder}",
            )
        return Acquired([], vintage, synthetic=settings.is_synthetic, absent=True)
    files = raw_store.copy_in_all(paths, settings.raw_dir, source, vintage)
    _report_reuse(source, files, emit)
    return Acquired(files, vintage, synthetic=settings.is_synthetic)


def _report_reuse(source: str, files: list[raw_store.RawFile], emit: Emit | None) -> None:
    reused = [f.path.name for f in files if f.reused]
    if emit is None or not files:
        return
    if reused:
        shown = ", ".join(reused[:5]) + (f" and {len(reused) - 5} more" if len(reused) > 5 else "")
        emit(
            f"{source}: {len(reused)} of {len(files)} raw file(s) re-used from the raw store "
            f"(sha256 already stored, nothing written): {shown}"
        )
    if len(reused) < len(files):
        emit(f"{source}: {len(files) - len(reused)} raw file(s) with new bytes stored")


def local_files(connector: Connector, folder: Path) -> list[Path]:
    found: set[Path] = set()
    for pattern in connector.file_patterns:
        found.update(p for p in folder.glob(pattern) if p.is_file())
    return sorted(found)
