"""zip_inflate: deflated zip members inflated by ISA-L read exactly as zipfile reads them,
never inflate ahead of the reader, and report damage as zipfile does."""

from __future__ import annotations

import copy
import io
import random
import tracemalloc
import zipfile

import pytest

from heyrick_dagster.sources import files, zip_inflate
from heyrick_dagster.sources.errors import ParseError

MEMBER = "Data/directory.csv"


def _text(lines: int) -> bytes:
    rng = random.Random(7)
    rows = (
        f'"AB{rng.randrange(100)} {rng.randrange(10)}XY","{rng.random():.6f}"' for _ in range(lines)
    )
    return ("\n".join(rows) + "\n").encode()


def _zip(path, data: bytes, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("Documents/readme.txt", b"first member, so the CSV's header is not at 0")
        archive.writestr(MEMBER, data)
    return path


def _read_all(reader, size: int) -> bytes:
    parts = []
    while part := reader.read(size):
        assert len(part) <= size
        parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize("size", [1, 4096, 100_003, 64 << 20])
def test_a_deflated_member_reads_as_zipfile_reads_it_whatever_the_read_size(tmp_path, size):
    data = _text(20_000 if size > 1 else 300)
    with zipfile.ZipFile(_zip(tmp_path / "d.zip", data)) as archive:
        reader = zip_inflate.member_reader(archive, archive.getinfo(MEMBER))
        assert reader is not None
        with reader:
            assert _read_all(reader, size) == archive.read(MEMBER) == data


def test_read_without_a_size_reads_the_whole_member(tmp_path):
    data = _text(3_000)
    with zipfile.ZipFile(_zip(tmp_path / "d.zip", data)) as archive:
        with zip_inflate.member_reader(archive, archive.getinfo(MEMBER)) as reader:
            assert reader.read() == data
            assert reader.read() == b""


def test_its_crc_is_the_zip_crc(tmp_path):
    data = _text(5_000)
    with zipfile.ZipFile(_zip(tmp_path / "d.zip", data)) as archive:
        assert zip_inflate.crc32(data) == archive.getinfo(MEMBER).CRC


def test_members_it_does_not_read_are_left_to_zipfile(tmp_path):
    data = _text(100)
    stored = _zip(tmp_path / "s.zip", data, zipfile.ZIP_STORED)
    with zipfile.ZipFile(stored) as archive:
        assert zip_inflate.member_reader(archive, archive.getinfo(MEMBER)) is None
    deflated = _zip(tmp_path / "d.zip", data)
    with zipfile.ZipFile(io.BytesIO(deflated.read_bytes())) as archive:
        assert zip_inflate.member_reader(archive, archive.getinfo(MEMBER)) is None
    # zipfile's road gives the same bytes, with the same guards.
    for path in (stored, deflated):
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(MEMBER)
            with files.open_zip_member(archive, info, "postcodes", str(path)) as stream:
                assert stream.read() == data


def test_a_member_crafted_to_inflate_without_end_is_inflated_only_as_far_as_it_is_read(tmp_path):
    bomb = _zip(tmp_path / "bomb.zip", bytes(200 << 20))  # 200 MB of zeros, ~200 KB zipped
    with zipfile.ZipFile(bomb) as archive:
        reader = zip_inflate.member_reader(archive, archive.getinfo(MEMBER))
        with reader:
            tracemalloc.start()
            try:
                assert len(reader.read(1000)) == 1000
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert peak < 8 << 20, f"{peak:,} bytes allocated to read 1,000"


def test_a_member_whose_data_ends_before_its_deflate_stream_is_damaged(tmp_path):
    data = _text(20_000)
    path = _zip(tmp_path / "d.zip", data)
    with zipfile.ZipFile(path) as archive:
        short = copy.copy(archive.getinfo(MEMBER))
        short.compress_size //= 2
        with zip_inflate.member_reader(archive, short) as reader:
            with pytest.raises(EOFError, match="ends before its DEFLATE stream"):
                _read_all(reader, 1 << 20)
        with pytest.raises(ParseError, match="damaged while reading") as caught:
            with files.open_zip_member(archive, short, "postcodes", str(path)) as stream:
                stream.read()
        assert caught.value.source == "postcodes"


def test_a_member_whose_local_header_is_not_where_the_directory_says_is_damaged(tmp_path):
    path = _zip(tmp_path / "d.zip", _text(100))
    with zipfile.ZipFile(path) as archive:
        moved = copy.copy(archive.getinfo(MEMBER))
        moved.header_offset += 1
        with pytest.raises(ParseError, match="damaged while reading .*magic number"):
            with files.open_zip_member(archive, moved, "postcodes", str(path)):
                pass


def test_damaged_compressed_data_is_reported_as_damage(tmp_path):
    path = _zip(tmp_path / "d.zip", _text(20_000))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(MEMBER)
        start = info.header_offset + 30 + len(MEMBER.encode())
    damaged = bytearray(path.read_bytes())
    damaged[start : start + 64] = bytes([0xFF]) * 64  # an invalid DEFLATE block header
    path.write_bytes(bytes(damaged))
    with zipfile.ZipFile(path) as archive:
        with pytest.raises(ParseError, match="damaged while reading"):
            with files.open_zip_member(archive, archive.getinfo(MEMBER), "fhrs", str(path)) as s:
                s.read()
