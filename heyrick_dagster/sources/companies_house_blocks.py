"""Reading a large quoted CSV in blocks of whole records, each parsed by polars (the
Companies House register, and a postcode directory's zip member: sources/postcodes.py).

The Companies House register is ~5.5 million rows (2.5 GB) of which ~5% are kept. Read
record by record with Python's csv module, 1.08 million rows took 7.0 s, nearly all of
it in the interpreter; read here, 2.6 s (measured on a 2-core machine at load ~5).
polars parses a block of 8 MB in native code, only the few columns the filters
need (`PlainBlock.columns`), and then every column of the rows kept (`PlainBlock.rows`).

polars does not say WHERE a CSV is wrong, and pads a short record with nulls instead of
refusing it. So a block is read here only when it is provably plain: every record one
line, every line exactly `width` fields. Anything else (a quoted line break, a blank
line, a short or long record, a byte that is not UTF-8, an unclosed quote) gives None,
and the caller reads that block with the csv module, which names the line. The checks:
- blocks end at a line break outside quotes: the count of `"` before it is even (a
  doubled quote inside a field counts twice, so RFC 4180 quoting keeps the parity);
- a sentinel field is appended to every line before parsing: in a record of exactly
  `width` fields it lands in the extra last column; in a short one it lands earlier;
  a long record overflows the schema, which polars refuses;
- the rows polars returns equal the lines of the block, so row i is line first + i.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TypeVar

import numpy as np
import polars as pl

# 8 MB: blocks of 32 MB are each a fresh mmap of the C allocator (its threshold tops out
# at 32 MB), so every copy of a block faulted its pages in anew. The national ONSPD
# member read in 32 MB blocks: 2.4 s in the kernel, and 3.9 s against 2.2 s in 8 MB ones.
BLOCK_BYTES = 8 << 20
_SENTINEL = "\x01"
_TAGGED_EOL = b"," + _SENTINEL.encode() + b"\n"
_NEWLINE = ord("\n")
_QUOTE = ord('"')
T = TypeVar("T")
_END = object()


@dataclass(frozen=True)
class Block:
    data: bytes
    even_quotes: bool  # the count of `"` in data is even (it ends outside quotes)


def record_blocks(
    stream: IO[bytes], size: int | None = None, prepare: Callable[[Block], T] | None = None
) -> Iterator[T]:
    """The stream in blocks that end at a record boundary (the last may not, when the
    file ends without a line break or inside quotes), each passed through `prepare`
    (default: none; read_block below, for instance). The next block is read (inflated,
    for a zip member), cut at its last record end and prepared on a second thread while
    the caller parses this one: zlib, numpy and polars release the GIL, so the two
    overlap on a multi-core machine (cut and prepared on the caller's thread, the
    national Companies House snapshot's blocks spent 5.4 s of its 23.6 s parse there
    in a profile, the second thread waiting on the first)."""
    blocks = _cut(stream, size or BLOCK_BYTES)
    ready = prepare or (lambda block: block)

    def next_item():
        block = next(blocks, None)
        return _END if block is None else ready(block)

    with ThreadPoolExecutor(max_workers=1) as reader:
        pending = reader.submit(next_item)
        while (item := pending.result()) is not _END:
            pending = reader.submit(next_item)
            yield item


def _cut(stream: IO[bytes], size: int) -> Iterator[Block]:
    """The blocks of record_blocks. Each is copied once, the unfinished record before a
    read joined to the read up to its last record end (concatenating and then cutting
    copied every block twice: 2.5 s in a profile of the national snapshot's parse)."""
    rest = b""
    while True:
        chunk = stream.read(size)
        if not chunk:
            if rest:
                yield Block(rest, _count_quotes(rest, len(rest)) % 2 == 0)
            return
        cut = _record_end(chunk, _count_quotes(rest, len(rest)))
        if cut:
            yield Block(b"".join((rest, memoryview(chunk)[:cut])), True)
            rest = chunk[cut:]
            continue
        rest += chunk
        if len(rest) >= 4 * size:
            # No boundary in several blocks' worth: the first line opens a quote that
            # never closes (the csv module then reports that line), or has a stray
            # quote in an unquoted field (which the csv module reads as text).
            cut = rest.rfind(b"\n") + 1 or len(rest)
            yield Block(rest[:cut], False)
            rest = rest[cut:]


def _record_end(data: bytes, quotes_before: int = 0) -> int:
    """The index just past the last line break of `data` outside quotes, `quotes_before`
    being the count of `"` before data; 0 when there is none."""
    end = data.rfind(b"\n")
    quotes = quotes_before + (_count_quotes(data, end) if end >= 0 else 0)
    while end >= 0:
        if quotes % 2 == 0:
            return end + 1
        previous = data.rfind(b"\n", 0, end)
        quotes -= data.count(b'"', max(previous, 0), end)
        end = previous
    return 0


def _count_quotes(data: bytes, end: int) -> int:
    """The count of `"` in data[:end]: numpy's compare-and-count, 0.08 s per 1.4 GB here
    against 0.42 s for bytes.count (the blocks of a national file are counted whole)."""
    return int(np.count_nonzero(np.frombuffer(data, np.uint8, count=end) == _QUOTE))


class PlainBlock:
    """A block of one-line records of `width` fields, as polars reads them."""

    def __init__(self, data: bytes, width: int):
        self._data, self._width = data, width
        # Each line tagged with the sentinel field, made here (on record_blocks' second
        # thread when read_block is its `prepare`), dropped once `columns` has read it.
        self._tagged: bytes | None = data.replace(b"\n", _TAGGED_EOL)
        # Each tag adds two bytes: the lines counted without another pass over the block.
        self.lines = (len(self._tagged) - len(data)) // (len(_TAGGED_EOL) - 1)

    def columns(self, indices: list[int]) -> pl.DataFrame | None:
        """Columns c<i> of every line, text (empty fields null); None unless every line
        has exactly `width` fields."""
        tagged, self._tagged = self._tagged, None
        if tagged is None:
            raise RuntimeError("PlainBlock.columns reads a block once")
        frame = _read(tagged, self._width, [*indices, self._width], sentinel=True)
        if frame is None or frame.height != self.lines:
            return None
        if not frame["sentinel"].eq_missing(_SENTINEL).all():
            return None
        return frame.drop("sentinel")

    def rows(self, lines: np.ndarray) -> pl.DataFrame:
        """Every column c0.. of the given lines (0-based, ascending), once `columns` has
        checked the block: its lines are known to be of `width` fields, so they are read
        as they are, without a sentinel. Where each line ends is found only here (a
        postcode directory's blocks never need it)."""
        ends = np.flatnonzero(np.frombuffer(self._data, np.uint8) == _NEWLINE)
        starts = np.concatenate(([0], ends[:-1] + 1))[lines]
        spans = zip(starts.tolist(), (ends[lines] + 1).tolist(), strict=True)
        picked = b"".join(self._data[start:end] for start, end in spans)
        frame = _read(picked, self._width, None, sentinel=False)
        if frame is None or frame.height != len(lines):
            raise RuntimeError("lines that polars read as a whole block failed alone")
        return frame


def read_block(block: Block, width: int) -> PlainBlock | None:
    """The block ready for polars, or None when it cannot be plain (see the module note);
    `PlainBlock.columns` makes the remaining checks."""
    if not block.even_quotes:
        return None
    data = block.data
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    return PlainBlock(data, width)


def _read(
    data: bytes, width: int, columns: list[int] | None, sentinel: bool
) -> pl.DataFrame | None:
    """`data` read by polars as text columns c0.. (and `sentinel`, when its lines are
    tagged); None when polars refuses it."""
    names = [f"c{i}" for i in range(width)] + (["sentinel"] if sentinel else [])
    try:
        return pl.read_csv(
            data,
            has_header=False,
            schema=dict.fromkeys(names, pl.String),
            columns=columns,
            encoding="utf8",
        )
    except pl.exceptions.PolarsError:
        return None
