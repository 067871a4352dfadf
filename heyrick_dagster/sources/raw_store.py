"""The raw file store: `data/raw/<source>/<vintage>/<file>` plus a sha256 manifest.

Raw bytes are kept exactly as received, before any parsing, so that a file
that fails the contract can be inspected and reported to its publisher.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

MANIFEST = "MANIFEST.json"


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


def record(path: Path, origin: str) -> RawFile:
    """Hash a file already in a vintage folder and add it to that folder's manifest."""
    raw = RawFile(
        path=path,
        sha256=sha256_of(path),
        bytes=path.stat().st_size,
        origin=origin,
        received_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    manifest_path = path.parent / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[path.name] = raw.as_manifest_entry()
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    tmp.replace(manifest_path)
    return raw


def copy_in(src: Path, raw_dir: Path, source: str, vintage: str) -> RawFile:
    """Copy a local file (sample or user-supplied) into the raw store."""
    dest = vintage_dir(raw_dir, source, vintage) / src.name
    part = dest.with_name(dest.name + ".part")
    shutil.copyfile(src, part)  # never a half-copied file under the final name
    part.replace(dest)
    return record(dest, origin=str(src))
