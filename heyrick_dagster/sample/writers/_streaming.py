"""Helpers the writers of national-size files share: chunked zip members and seeded noise.

A national sample file is larger than memory should hold at once (the
Companies House CSV is ~2 GB, the ONSPD CSV ~1.4 GB), so writers render a
bounded chunk of rows at a time and hand the bytes to `write_zip`, which
streams them into the member. (A module whose name starts with "_" is not a
writer: `generate.writer_modules` skips it.)
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import threading
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import polars as pl

# Fastest deflate: at level 6 compressing the national files took ~35 s of the run;
# level 1 is ~3x faster for files ~40% larger, and the parsers stream them either way.
COMPRESS_LEVEL = 1
# Chunks rendered ahead of the one being deflated: bounds memory to a few chunks.
CHUNKS_AHEAD = 2


def csv_bytes(frame: pl.DataFrame, **options) -> bytes:
    """`frame.write_csv(**options)` without a header, as bytes: written into a buffer
    rather than returned as text and encoded (~25% faster)."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, **options)
    return buffer.getvalue()


def noise_rng(seed: int, source: str, label: str) -> np.random.Generator:
    """A writer's own generator for one purpose (e.g. one chunk), named by a label."""
    digest = hashlib.sha256(f"heyrick-sample:{seed}:{source}:{label}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))


def write_zip(path: Path, members: Iterable[tuple[zipfile.ZipInfo, Iterable[bytes]]],
              comment: bytes = b"") -> None:
    """Writes a deflated zip of (member, chunks of its bytes), atomically (temporary name).

    Members are streamed, so no member is ever held whole; zip64 is forced because
    a national member passes the 2 GB that plain zip headers can state (and the
    size is not known when the member's header is written). Give each ZipInfo a
    fixed date_time: the same chunks then give the same bytes.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=COMPRESS_LEVEL) as archive:
            archive.comment = comment
            for info, chunks in members:
                info.compress_type = zipfile.ZIP_DEFLATED
                # Python 3.11 names the member's level `_compresslevel` (3.13: compress_level).
                setattr(info, "compress_level" if hasattr(info, "compress_level")
                        else "_compresslevel", COMPRESS_LEVEL)
                with archive.open(info, "w", force_zip64=True) as member:
                    _write_behind(chunks, member.write)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_behind(chunks: Iterable[bytes], write: Callable[[bytes], object]) -> None:
    """Writes the chunks from a second thread while the next ones are rendered.

    Deflating (zlib releases the GIL) then overlaps polars rendering the next
    chunk instead of waiting for it. At most CHUNKS_AHEAD chunks wait in between;
    an error on either side stops both and is raised here.
    """
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=CHUNKS_AHEAD)
    failed: list[BaseException] = []

    def drain() -> None:
        while (chunk := waiting.get()) is not None:
            if not failed:
                try:
                    write(chunk)
                except BaseException as error:  # handed to the producing thread
                    failed.append(error)

    writer = threading.Thread(target=drain, name="zip-writer")
    writer.start()
    try:
        for chunk in chunks:
            if failed:
                break
            waiting.put(chunk)
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]
