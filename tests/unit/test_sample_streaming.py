"""Streaming sample zips: chunks in order, the same bytes each time, nothing left on failure."""

from __future__ import annotations

import zipfile

import pytest

from heyrick_dagster.sample.writers._streaming import noise_rng, write_zip

STAMP = (2026, 11, 1, 0, 0, 0)


def _chunks(n: int):
    for i in range(n):
        yield f"row {i}\n".encode() * 1000


def test_members_hold_their_chunks_in_order_and_the_same_chunks_give_the_same_bytes(tmp_path):
    def write(path):
        write_zip(path, [(zipfile.ZipInfo("a.csv", STAMP), _chunks(50)),
                         (zipfile.ZipInfo("b.txt", STAMP), [b"SYNTHETIC"])], b"note")
        return path.read_bytes()

    first, again = write(tmp_path / "x.zip"), write(tmp_path / "y.zip")
    assert first == again
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        assert archive.namelist() == ["a.csv", "b.txt"]
        assert archive.read("a.csv") == b"".join(_chunks(50))
        assert archive.comment == b"note"
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_failure_while_rendering_leaves_no_file_and_is_raised(tmp_path):
    def failing():
        yield b"first chunk\n"
        raise RuntimeError("chunk 2 could not be rendered")

    path = tmp_path / "x.zip"
    with pytest.raises(RuntimeError, match="chunk 2"):
        write_zip(path, [(zipfile.ZipInfo("a.csv", STAMP), failing())])
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_stops_the_rendering_and_is_raised(tmp_path):
    rendered = []

    def chunks():
        for i in range(100):
            rendered.append(i)
            yield "not bytes" if i == 3 else b"x"  # the zip member refuses text

    with pytest.raises(TypeError):
        write_zip(tmp_path / "x.zip", [(zipfile.ZipInfo("a.csv", STAMP), chunks())])
    assert len(rendered) < 100
    assert list(tmp_path.iterdir()) == []


def test_noise_generators_are_named_by_seed_source_and_label():
    draw = noise_rng(1, "companies_house", "rows-0").random(3)
    assert (draw == noise_rng(1, "companies_house", "rows-0").random(3)).all()
    assert (draw != noise_rng(1, "companies_house", "rows-1").random(3)).all()
    assert (draw != noise_rng(2, "companies_house", "rows-0").random(3)).all()
