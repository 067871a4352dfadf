"""ensure_sample reuses a sample only when the same code made it with the same seed."""

from __future__ import annotations

import json

from heyrick_dagster.sources import acquire


def test_a_sample_is_reused_while_seed_scale_and_generator_code_are_unchanged(
    make_settings, monkeypatch
):
    settings = make_settings()
    made = []

    def fake_generate(folder, seed, scale):
        folder.mkdir(parents=True, exist_ok=True)
        made.append(seed)
        return {"seed": seed, "scale": scale, "extract_date": "2026-11-10"}

    monkeypatch.setattr("heyrick_dagster.sample.generate.generate_sample", fake_generate)
    first = acquire.ensure_sample(settings)
    (settings.sample_dir / acquire.SAMPLE_SUMMARY).write_text(json.dumps(first))
    acquire.ensure_sample(settings)
    assert len(made) == 1, "an unchanged sample is reused"

    monkeypatch.setattr(acquire, "generator_version", lambda: "edited-writer")
    again = acquire.ensure_sample(settings)
    assert len(made) == 2, "a sample made by other generator code is made again"
    assert again["generator_version"] == "edited-writer"


def test_the_generator_version_changes_when_any_generator_file_changes(tmp_path, monkeypatch):
    package = tmp_path / "sample"
    (package / "writers").mkdir(parents=True)
    (package / "world.py").write_text("A = 1\n")
    (package / "writers" / "fhrs.py").write_text("B = 1\n")
    monkeypatch.setattr(acquire, "SAMPLE_PACKAGE", package)
    before = acquire.generator_version()
    (package / "writers" / "fhrs.py").write_text("B = 2\n")
    assert acquire.generator_version() != before
