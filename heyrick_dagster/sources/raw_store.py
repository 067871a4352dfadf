"""The raw file store: `data/raw/<source>/<vintage>/<file>` plus a sha256 manifest.

Raw bytes are kept exactly as received, before any parsing, so that a file
that fails the contract can be inspected and reported to its publisher.

Nothing here is ever half-written under its final name: files and manifests are
written beside it (`.part`, `.tmp`) and renamed. A write that fails (a full disk)
removes its temporary file and raises `RawWriteError` naming the file; the previous
file and manifest are left as they were. A process killed mid-write can leave a
`.part` or `.tmp` behind; the next write of the same file overwrites it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from heyrick_dagster.sources.errors import SourceError

MANIFEST = "MANIFEST.json"


class RawWriteError(SourceError):
    """A raw file or its manifest could not be written (disk full, permissions)."""


@dataclass(frozen=True)
class RawFile:
    path: Path
    sha256: str
    bytes: int
    origin: str  # URL or local path it came from
    received_at: str

    def as_manifest_entry(self) -> dict:
        entry = asdict(self)
        entry["path"] = self.path.name
        return entry


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def vintage_dir(raw_dir: Path, source: str, vintage: str) -> Path:
    path = raw_dir / source / vintage
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_error(path: Path, what: str, exc: OSError) -> RawWriteError:
    # The layout is <raw dir>/<source>/<vintage>/<file>, so the folder names the source.
    return RawWriteError(
        path.parent.parent.name,
        path,
        f"could not write {what}: {exc.strerror or exc}",
        hint=f"free space on the disk holding {path.parent} and run again; the previous "
        f"{path.name} is as it was, and no table was changed",
    )


def record(path: Path, origin: str) -> RawFile:
    """Hash a file already in a vintage folder and add it to that folder's manifest."""
    return _record_as(path, path, origin)


def _record_as(data: Path, path: Path, origin: str) -> RawFile:
    """Add `data` to the manifest of `path`'s folder under `path`'s name (copy_in records
    its `.part` before renaming it, so a manifest that cannot be written changes nothing)."""
    raw = RawFile(
        path=path,
        sha256=sha256_of(data),
        bytes=data.stat().st_size,
        origin=origin,
        received_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    manifest_path = path.parent / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[path.name] = raw.as_manifest_entry()
    tmp = manifest_path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        tmp.replace(manifest_path)
    except OSError as exc:
        raise _write_error(manifest_path, f"the manifest entry of {path.name}", exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return raw


def copy_in(src: Path, raw_dir: Path, source: str, vintage: str) -> RawFile:
    """Copy a local file (sample or user-supplied) into the raw store: copied to `.part`,
    recorded in the manifest, then renamed, so a failure at any step leaves the previous
    file and its manifest entry as they were."""
    dest = vintage_dir(raw_dir, source, vintage) / src.name
    part = dest.with_name(dest.name + ".part")
    try:
        try:
            shutil.copyfile(src, part)  # never a half-copied file under the final name
        except OSError as exc:
            raise _write_error(dest, "the raw file", exc) from exc
        raw = _record_as(part, dest, origin=str(src))
        part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    return raw
