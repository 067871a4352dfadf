"""Regenerating the sample with another seed leaves only that seed's files."""

from __future__ import annotations

from heyrick_dagster.sample.generate import generate_sample


def test_a_second_seed_replaces_every_source_folder_of_the_first(tmp_path):
    first = generate_sample(tmp_path, seed=1, scale="small")
    second = generate_sample(tmp_path, seed=2, scale="small")
    # The precondition that made this a bug: file names (the Companies House zip's date)
    # move with the seed, so the first seed's files would not be overwritten.
    assert first["extract_date"] != second["extract_date"]
    for source, paths in second["sources"].items():
        on_disk = sorted(str(p) for p in (tmp_path / source).rglob("*") if p.is_file())
        assert on_disk == sorted(paths), source
