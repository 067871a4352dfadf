"""Generating the sample: one seed's files, byte for byte the same each time."""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from pathlib import Path

from heyrick_dagster.sample.generate import generate_sample


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_second_seed_replaces_every_source_folder_of_the_first(tmp_path):
    first = generate_sample(tmp_path, seed=1, scale="small")
    second = generate_sample(tmp_path, seed=2, scale="small")
    # The precondition that made this a bug: file names (the Companies House zip's date)
    # move with the seed, so the first seed's files would not be overwritten.
    assert first["extract_date"] != second["extract_date"]
    for source, paths in second["sources"].items():
        on_disk = sorted(str(p) for p in (tmp_path / source).rglob("*") if p.is_file())
        assert on_disk == sorted(paths), source


def test_the_same_seed_writes_every_file_byte_for_byte_the_same(tmp_path):
    # Writers draw their noise chunk by chunk (national files are streamed), so this
    # guards every source, the truth and the README, not only one writer's bytes.
    generate_sample(tmp_path / "a", seed=3, scale="small")
    generate_sample(tmp_path / "b", seed=3, scale="small")
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert len(first) > 50 and first == second


def test_every_stage_is_observed_and_the_world_rows_are_reported(tmp_path):
    seen = []

    def observe(stage):
        seen.append(stage)
        return nullcontext()

    summary = generate_sample(tmp_path, seed=3, scale="small", observe=observe)
    assert seen == ["world", *summary["sources"], "truth"]
    assert summary["world_rows"]["companies"] > summary["world_rows"]["premises"] > 0
