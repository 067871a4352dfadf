"""Companies House read in blocks by polars: the same rows, lines and errors as the csv
module gives, whichever blocks polars reads and whichever it hands back."""

from __future__ import annotations

import io
import threading

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from heyrick_dagster.sources import companies_house as ch
from heyrick_dagster.sources import companies_house_blocks as blocks
from heyrick_dagster.sources.errors import ParseError
from tests.conftest import FIXTURES

GOOD = FIXTURES / "companies_house" / "good_BasicCompanyData-2026-11-01-part1_1.csv"
WIDTH = len(ch.FIELDS)


def _read_by_csv_module_only(monkeypatch, path, **filters):
    with monkeypatch.context() as patch:
        patch.setattr(ch, "read_block", lambda block, width: None)
        return ch.read_companies([path], **filters)


def _record(number: str, name: str = "A LTD") -> list[str]:
    values = [""] * WIDTH
    values[0], values[1] = name, number
    values[list(ch.FIELDS).index("SICCode.SicText_1")] = "56103 - Take-away food shops"
    return values


def _csv(records: list[list[str]]) -> bytes:
    lines = [",".join(f'"{v}"' for v in record) for record in records]
    return ("\n".join([ch.PUBLISHED_HEADER, *lines]) + "\n").encode()


def test_blocks_end_only_at_line_breaks_outside_quotes():
    data = b'"a","b\nstill b"\n"c","d"\n"e","f"\n'
    read = list(blocks.record_blocks(io.BytesIO(data), size=12))
    # The first 12 bytes end inside the quotes: the block waits for the next 12.
    assert [block.data for block in read] == [b'"a","b\nstill b"\n"c","d"\n', b'"e","f"\n']
    assert all(block.even_quotes for block in read)


def test_each_block_is_prepared_on_the_reading_thread_and_given_in_order():
    data = b"".join(b'"%d","x"\n' % i for i in range(50))
    main = threading.get_ident()
    prepared = list(
        blocks.record_blocks(
            io.BytesIO(data), size=16, prepare=lambda b: (b.data, threading.get_ident())
        )
    )
    assert b"".join(d for d, _ in prepared) == data
    assert main not in {thread for _, thread in prepared}


def test_a_block_prepared_as_none_does_not_end_the_blocks():
    data = b'"a","b"\n"c"\n"d","e"\n'
    read = list(blocks.record_blocks(io.BytesIO(data), size=8, prepare=lambda b: None))
    assert read == [None] * len(list(blocks.record_blocks(io.BytesIO(data), size=8)))


@pytest.mark.parametrize("size", range(4, 40))  # 4 reads hold the longest record
def test_blocks_cut_only_at_record_ends_whatever_the_read_size(size):
    """A record whose quotes open in one read and close in a later one (the unfinished
    record carried over holds an odd count of quotes) is never cut inside its quotes."""
    data = b'"a","b\n""x""\nc"\n"d","e"\n"f\n","g"\n"h","i"'
    read = list(blocks.record_blocks(io.BytesIO(data), size=size))
    assert b"".join(block.data for block in read) == data
    records = [b'"a","b\n""x""\nc"\n', b'"d","e"\n', b'"f\n","g"\n', b'"h","i"']
    ends = {len(b"".join(records[:i])) for i in range(1, len(records) + 1)}
    cuts = [len(b"".join(block.data for block in read[: i + 1])) for i in range(len(read))]
    assert set(cuts) <= ends
    assert all(block.even_quotes for block in read)


@pytest.mark.parametrize("block_bytes", [300, 1 << 20])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"postcode_districts": frozenset({"SE13", "E1"})},
        {"sic_codes": None, "postcode_districts": frozenset({"SE13"})},
        {"sic_codes": None, "postcode_districts": None},
    ],
)
def test_polars_blocks_keep_the_rows_and_counts_the_csv_module_keeps(
    monkeypatch, block_bytes, filters
):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", block_bytes)
    frame, [parsed] = ch.read_companies([GOOD], **filters)
    expected, [reference] = _read_by_csv_module_only(monkeypatch, GOOD, **filters)
    assert_frame_equal(frame, expected)
    assert parsed.note() == reference.note()


def test_a_quoted_line_break_is_read_with_the_line_numbers_of_the_file(tmp_path):
    records = [_record("00000001"), _record("00000002", "TWO\nLINES LTD"), _record("00000003")]
    path = tmp_path / GOOD.name
    path.write_bytes(_csv(records))
    frame, [parsed] = ch.read_companies([path])
    assert frame["company_name"].to_list() == ["A LTD", "TWO\nLINES LTD", "A LTD"]
    assert frame["_source_row"].to_list() == [2, 3, 5]  # the third record starts on line 5
    assert parsed.rows_read == 3


def test_a_short_record_in_a_block_polars_would_pad_is_refused_at_its_line(monkeypatch, tmp_path):
    records = [_record(f"{n:08d}") for n in range(1, 40)]
    records[29] = records[29][:-1]  # line 31 lacks its last field
    path = tmp_path / GOOD.name
    path.write_bytes(_csv(records))
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 2000)  # several blocks, most of them plain
    with pytest.raises(ParseError, match=r"line 31 has 54 fields, expected 55") as caught:
        ch.read_companies([path])
    assert caught.value.row == 31


def test_polars_refuses_a_block_unless_every_line_has_the_width():
    good = _csv([_record("00000001"), _record("00000002")]).split(b"\n", 1)[1]
    short = good.replace(b',""\n', b"\n", 1)
    long = good.replace(b"\n", b',""\n', 1)
    for data, plain in ((good, True), (short, False), (long, False)):
        block = blocks.read_block(blocks.Block(data, even_quotes=True), WIDTH)
        assert (block.columns([0]) is not None) is plain, data[:40]
    read = blocks.read_block(blocks.Block(good, even_quotes=True), WIDTH)
    assert read.columns([1])["c1"].to_list() == ["00000001", "00000002"]
    assert read.rows(pl.Series([1]).to_numpy())["c1"].to_list() == ["00000002"]
