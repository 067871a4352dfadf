"""The raw file store: `data/raw/<source>/<vintage>/<file>` plus a sha256 manifest.

Raw bytes are kept exactly as received, before any parsing, so that a file
that fails the contract can be inspected and reported to its publisher.

Content-addressed and immutable: the bytes live once, under their sha256, in
`data/raw/<source>/objects/<sha256[:2]>/<sha256>` (read-only), and each
`<vintage>/<file>` is a hard link to its object. A file whose sha256 is already
stored is not written again: its object is re-used (`RawFile.reused`, said in the
log and the raw asset's metadata). A stored object is never modified: a new edition
of a file is a new object, and the name is re-pointed to it by an atomic rename.

Nothing here is ever half-written under its final name: objects, links and manifests
are written beside it (`.part`, `.tmp`) and renamed. A write that fails (a full disk)
removes what it had begun and raises `RawWriteError` naming the file; the previous
file and manifest are left as they were. A process killed mid-write can leave a
`.part`, a `.tmp` or an object nothing names yet; the next write of the same file
overwrites the first two and re-uses the third.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
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
    # True when these bytes were already stored (same sha256): nothing was written.
    reused: bool = field(default=False, compare=False)

    def as_manifest_entry(self) -> dict:
        entry = asdict(self)
        entry["path"] = self.path.name
        del entry["reused"]
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


OBJECTS = "objects"


def object_path(folder: Path, sha256: str) -> Path:
    """Where the bytes with this sha256 live, for a file of the vintage folder `folder`."""
    return folder.parent / OBJECTS / sha256[:2] / sha256


def copy_in(src: Path, raw_dir: Path, source: str, vintage: str) -> RawFile:
    """Store a local file (sample or user-supplied) under `<source>/<vintage>/<name>`."""
    return copy_in_all([src], raw_dir, source, vintage)[0]


def copy_in_all(srcs: Sequence[Path], raw_dir: Path, source: str, vintage: str) -> list[RawFile]:
    """`copy_in` for the files of one vintage, with one manifest write for them all."""
    folder = vintage_dir(raw_dir, source, vintage)
    return store_all([(src, folder / src.name, str(src)) for src in srcs], move=False)


def store(data: Path, dest: Path, origin: str, *, move: bool) -> RawFile:
    """Put the bytes of `data` in the object store (unless their sha256 is there already),
    record them in the manifest of `dest`'s folder, then point `dest` at them. `move`: the
    file `data` is consumed (a download); otherwise it is copied and left alone.

    The order makes every failure harmless: the object first (nothing names it yet), the
    manifest next (written aside and renamed), the name last (a link renamed over it). A
    new object that ends up named by nothing, because a later step failed, is removed."""
    return store_all([(data, dest, origin)], move=move)[0]


def store_all(items: Sequence[tuple[Path, Path, str]], *, move: bool) -> list[RawFile]:
    """`store` for many (data, dest, origin) whose dests share one folder, in the same order
    of steps: every object, then the manifest once, then every name. The manifest is read
    and rewritten once for the lot: per file, the 1,986 rating-history copies of a national
    run rewrote a growing manifest 1,986 times (~30 s)."""
    if not items:
        return []
    folders = {dest.parent for _, dest, _ in items}
    if len(folders) != 1:
        raise ValueError(f"one folder at a time, not {sorted(map(str, folders))}")
    planned = []  # (dest, object, sha256, origin, reused)
    written: list[tuple[Path, Path]] = []  # (object, dest) of the objects written here
    try:
        for data, dest, origin in items:
            sha = sha256_of(data)
            blob = object_path(dest.parent, sha)
            reused = blob.exists()
            if not reused:
                _write_object(data, blob, dest, move)
                written.append((blob, dest))
            planned.append((dest, blob, sha, origin, reused))
        raws = _record(folders.pop(), planned)
        for dest, blob, *_ in planned:
            _link(blob, dest)
    except BaseException:
        for blob, dest in written:
            if not _named(blob, dest):
                blob.unlink(missing_ok=True)
        raise
    if move:
        for data, dest, _ in items:
            if data != dest:
                data.unlink(missing_ok=True)
    return raws


def _write_object(data: Path, blob: Path, dest: Path, move: bool) -> None:
    blob.parent.mkdir(parents=True, exist_ok=True)
    # Named after the file too, so that a failure shows which file it was.
    part = blob.with_name(f"{blob.name}-{dest.name}.part")
    try:
        try:
            if move:
                _hard_link_or_copy(data, part)  # a download's bytes are not copied
            else:
                shutil.copyfile(data, part)  # never a half-copied object under its name
        except OSError as exc:
            raise _write_error(dest, "the raw file", exc) from exc
        part.chmod(0o444)
        part.replace(blob)
    finally:
        part.unlink(missing_ok=True)


def _hard_link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def _record(folder: Path, planned: list[tuple[Path, Path, str, str, bool]]) -> list[RawFile]:
    """The manifest entries of the (dest, object, sha256, origin, reused) of `folder`, the
    manifest written once; an entry that already names these bytes is left untouched."""
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    raws, changed = [], []
    for dest, blob, sha, origin, reused in planned:
        entry = manifest.get(dest.name)
        if entry and entry["sha256"] == sha and _named(blob, dest):
            raws.append(
                RawFile(dest, sha, entry["bytes"], entry["origin"], entry["received_at"], True)
            )
            continue
        raw = RawFile(
            path=dest,
            sha256=sha,
            bytes=blob.stat().st_size,
            origin=origin,
            received_at=datetime.now(UTC).isoformat(timespec="seconds"),
            reused=reused,
        )
        manifest[dest.name] = raw.as_manifest_entry()
        raws.append(raw)
        changed.append(dest.name)
    if not changed:
        return raws
    tmp = manifest_path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        tmp.replace(manifest_path)
    except OSError as exc:
        what = (
            f"the manifest entry of {changed[0]}"
            if len(changed) == 1
            else f"the manifest entries of {', '.join(changed[:3])}"
            + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        )
        raise _write_error(manifest_path, what, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return raws


def _link(blob: Path, dest: Path) -> None:
    """Point `dest` at `blob` (a hard link, renamed over the previous name)."""
    if _named(blob, dest):
        return
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    try:
        _hard_link_or_copy(blob, part)
        part.chmod(0o444)
        part.replace(dest)
    except OSError as exc:
        raise _write_error(dest, "the raw file", exc) from exc
    finally:
        part.unlink(missing_ok=True)


def _named(blob: Path, dest: Path) -> bool:
    try:
        return dest.exists() and os.path.samefile(blob, dest)
    except OSError:
        return False
