"""The raw store is content-addressed and immutable: bytes already stored are re-used, not
written again, and a stored file is never modified in place (heyrick_dagster/sources/
raw_store.py)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from heyrick_dagster.sources import raw_store


def _objects(raw_dir):
    return sorted(p for p in (raw_dir / "imd" / raw_store.OBJECTS).rglob("*") if p.is_file())


def test_a_file_whose_sha256_is_already_stored_is_reused_and_not_written_again(tmp_path):
    src = tmp_path / "File_7.csv"
    src.write_bytes(b"lsoa,score\nE01000001,12.3\n")
    raw_dir = tmp_path / "raw"
    first = raw_store.copy_in(src, raw_dir, "imd", "2019")
    manifest = (first.path.parent / raw_store.MANIFEST).read_bytes()
    [blob] = _objects(raw_dir)

    again = raw_store.copy_in(src, raw_dir, "imd", "2019")

    assert not first.reused and again.reused
    assert again == first, "same bytes, same entry (received_at kept)"
    assert _objects(raw_dir) == [blob]
    assert blob.name == first.sha256 == raw_store.sha256_of(src)
    assert os.path.samefile(again.path, blob), "the name is a link to the stored bytes"
    assert (first.path.parent / raw_store.MANIFEST).read_bytes() == manifest


def test_the_same_bytes_in_another_vintage_are_stored_once(tmp_path):
    src = tmp_path / "File_7.csv"
    src.write_bytes(b"lsoa,score\n")
    raw_dir = tmp_path / "raw"
    old = raw_store.copy_in(src, raw_dir, "imd", "2019")
    new = raw_store.copy_in(src, raw_dir, "imd", "2026-11-27")
    assert new.reused and new.path != old.path
    assert os.path.samefile(old.path, new.path)
    assert len(_objects(raw_dir)) == 1


def test_a_new_edition_is_a_new_object_and_the_previous_bytes_are_never_modified(tmp_path):
    src = tmp_path / "File_7.csv"
    raw_dir = tmp_path / "raw"
    src.write_bytes(b"first edition\n")
    first = raw_store.copy_in(src, raw_dir, "imd", "2019")
    first_blob = raw_store.object_path(first.path.parent, first.sha256)
    src.write_bytes(b"second edition\n")

    second = raw_store.copy_in(src, raw_dir, "imd", "2019")

    assert not second.reused and second.sha256 != first.sha256
    assert first_blob.read_bytes() == b"first edition\n"
    assert second.path.read_bytes() == b"second edition\n"
    assert len(_objects(raw_dir)) == 2
    entry = json.loads((second.path.parent / raw_store.MANIFEST).read_text())["File_7.csv"]
    assert entry["sha256"] == second.sha256 and "reused" not in entry
    assert not stat.S_IMODE(first_blob.stat().st_mode) & 0o222, "stored bytes are read-only"


def test_a_download_is_moved_into_the_store_and_a_repeated_one_is_dropped(tmp_path):
    folder = tmp_path / "raw" / "imd" / "2026-11-27"
    folder.mkdir(parents=True)
    incoming = folder / ".File_7.csv.incoming"
    incoming.write_bytes(b"bytes from the server\n")
    stored = raw_store.store(incoming, folder / "File_7.csv", "https://x/File_7.csv", move=True)
    assert not incoming.exists() and not stored.reused

    incoming.write_bytes(b"bytes from the server\n")
    again = raw_store.store(incoming, folder / "File_7.csv", "https://x/File_7.csv", move=True)
    assert again.reused and not incoming.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["File_7.csv", raw_store.MANIFEST]


def test_files_stored_together_get_the_entries_and_links_they_would_get_one_by_one(tmp_path):
    sources = []
    for n in range(4):
        src = tmp_path / f"File_{n}.csv"
        src.write_bytes(f"edition {n % 3}\n".encode())  # File_3 repeats File_0's bytes
        sources.append(src)

    together = raw_store.copy_in_all(sources, tmp_path / "together", "imd", "2019")
    apart = [raw_store.copy_in(src, tmp_path / "apart", "imd", "2019") for src in sources]

    assert [(f.path.name, f.sha256, f.bytes, f.reused) for f in together] == [
        (f.path.name, f.sha256, f.bytes, f.reused) for f in apart
    ]
    assert [f.reused for f in together] == [False, False, False, True]
    assert len(_objects(tmp_path / "together")) == 3
    for stored, src in zip(together, sources, strict=True):
        assert stored.path.read_bytes() == src.read_bytes()
    manifests = [
        json.loads((root / "imd" / "2019" / raw_store.MANIFEST).read_text())
        for root in (tmp_path / "together", tmp_path / "apart")
    ]
    assert [sorted(m) for m in manifests] == [[s.name for s in sources]] * 2
    assert [{k: e["sha256"] for k, e in m.items()} for m in manifests] == [
        {f.path.name: f.sha256 for f in together}
    ] * 2


def test_a_batch_that_fails_midway_leaves_no_unnamed_object_and_the_manifest_as_it_was(
    tmp_path,
):
    raw_dir = tmp_path / "raw"
    kept = tmp_path / "File_0.csv"
    kept.write_bytes(b"stored before\n")
    raw_store.copy_in(kept, raw_dir, "imd", "2019")
    manifest_path = raw_dir / "imd" / "2019" / raw_store.MANIFEST
    manifest = manifest_path.read_bytes()
    objects = _objects(raw_dir)
    new = tmp_path / "File_1.csv"
    new.write_bytes(b"new bytes\n")
    missing = tmp_path / "File_2.csv"  # vanished before it was read

    with pytest.raises(FileNotFoundError):
        raw_store.copy_in_all([new, missing], raw_dir, "imd", "2019")

    assert _objects(raw_dir) == objects, "File_1's object, named by nothing, was removed"
    assert manifest_path.read_bytes() == manifest
    assert not (raw_dir / "imd" / "2019" / "File_1.csv").exists()
