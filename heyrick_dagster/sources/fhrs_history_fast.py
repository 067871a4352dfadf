"""A fast reading of a few fields of an FHRS file, for the rating history.

The FHRS parser (`sources/fhrs.py`) walks every element of every establishment in
Python (~40 µs an establishment; ~140 s for the 3.4M establishments of a national
history), and the history needs eight fields. Here lxml parses the file in C and an XSLT
transform (libxslt, also C) writes those fields of each establishment as one line of
tab-separated text, which polars reads: ~3x faster on the sample's files.

It reads what the FHRS parser reads: an element's stripped text, the last one when a
record repeats it, null when absent or empty, Scores' children only under Scores. Where
that is not certain, `lines` or `frames` gives the file up and the caller parses it with
the FHRS parser, which reads it or names what is wrong with it (file, establishment):
a file lxml cannot parse (truncated, not well-formed, not UTF-8), another root, a header
without ItemCount or ExtractDate or disagreeing with the records, a DOCTYPE (whose
entities lxml is told not to expand), an element name the FHRS parser does not map (a
renamed field among them), a comment or processing instruction in a collection, an
element below a field or below Scores' and Geocode's children, a value holding a tab or
a line break, an establishment without an FHRSID.

Every check of the structure runs in C: the element names of the collections are matched
by the transform's templates (a first version gathered them in Python, element by
element: 15% of its time on the national history's files, holding the GIL). libxml2 and
libxslt release the GIL, so `lines` runs on several threads at once, each with its own
parser and compiled transform (lxml's are not to be shared between threads); `frames`
then reads every file's lines with one call to polars.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from lxml import etree

from heyrick_dagster.sources import fhrs, files

_ELEMENT = {column: element for element, column in fhrs.FIELDS.items()}
_CONTAINERS = sorted({e.split("/")[0] for e in fhrs.FIELDS if "/" in e})
_MAPPED = {part for element in fhrs.FIELDS for part in element.split("/")}
_MAPPED |= {fhrs.RECORD, "EstablishmentCollection"}
# Elements of a record that are neither its children nor its containers' children.
_TOO_DEEP = "count(.//*) - count(*) - " + " - ".join(f"count({c}/*)" for c in _CONTAINERS)


@dataclass(frozen=True)
class Copy:
    # The columns asked for, as text (to be typed with contract.cast_strict, as the FHRS
    # parser types them), and the lineage columns.
    frame: pl.DataFrame
    file: str
    extract_date: date


@dataclass(frozen=True)
class Lines:
    """A copy's records as the transform writes them: per record a line of tab-separated
    fields, the count of elements too deep and then the columns asked for."""

    text: bytes
    file: str
    extract_date: date
    records: int


def read(path: Path, columns: list[str]) -> Copy | None:
    """The file's `columns` (FHRS column names, as text) and lineage; None when the file
    needs the FHRS parser."""
    copy = lines(path, columns)
    if copy is None:
        return None
    frame, unsure = frames([copy], columns)
    return None if unsure else Copy(frame, copy.file, copy.extract_date)


def lines(path: Path, columns: list[str]) -> Lines | None:
    """The file's records as text lines (see Lines); None when the file needs the FHRS
    parser. Safe to call from several threads at once."""
    file = str(path)
    # The byte-level checks the FHRS parser makes first, with its errors.
    files.require_not_utf16(files.sniff(path, fhrs.SOURCE, "FHRS XML"), fhrs.SOURCE, file)
    data = path.read_bytes()
    if b"<!DOCTYPE" in data:
        return None
    try:
        root = etree.fromstring(data, _thread_parser())
    except etree.XMLSyntaxError:
        return None
    del data
    extract_date = _checked_header(root)
    if extract_date is None:
        return None
    unmapped, _, text = bytes(_transform(tuple(columns))(root)).partition(b"\n")
    records = int(root.xpath(f"count(EstablishmentCollection/{fhrs.RECORD})"))
    # The transform writes a line break and a tab per column for each record: a value
    # holding either (or a record elsewhere) makes a count differ.
    lines_right = text.count(b"\n") == records and text.count(b"\t") == records * len(columns)
    if unmapped or not records or not lines_right:
        return None
    return Lines(text, file, extract_date, records)


def frames(copies: list[Lines], columns: list[str]) -> tuple[pl.DataFrame, set[str]]:
    """The records of `copies`, in their order, read by polars at once: `columns` as text
    (stripped, empty as null) and the lineage columns; and the files among them that the
    FHRS parser must read instead (an element too deep, an establishment without FHRSID),
    whose rows are left out. Read copy by copy, polars' fixed costs per call were a fifth
    of the reading of a national history's ~2,000 small files."""
    counts = np.array([c.records for c in copies], dtype=np.int64)
    firsts = np.repeat(np.cumsum(counts) - counts, counts)
    owner = pl.Series(np.repeat(np.arange(len(copies)), counts))
    frame = pl.read_csv(
        b"".join(c.text for c in copies),
        has_header=False,
        new_columns=["__too_deep", *columns],
        separator="\t",
        quote_char=None,
        infer_schema=False,
        encoding="utf8",
    ).with_columns(
        *[pl.col(c).str.strip_chars().replace("", None) for c in columns],
        pl.Series("_source_file", [c.file for c in copies]).gather(owner),
        pl.Series("_source_row", np.arange(counts.sum(), dtype=np.int64) - firsts + 1),
        pl.Series("_vintage", [c.extract_date for c in copies], pl.Date).gather(owner),
    )
    unsure = (pl.col("__too_deep") != "0") | pl.col("fhrsid").is_null()
    unsure_files = set(frame.filter(unsure)["_source_file"].unique().to_list())
    if unsure_files:
        frame = frame.filter(~pl.col("_source_file").is_in(sorted(unsure_files)))
    return frame.drop("__too_deep"), unsure_files


def _checked_header(root: etree._Element) -> date | None:
    """The ExtractDate, when the root, the header and its ItemCount are as published."""
    if root.tag != fhrs.ROOT:
        return None
    header = {e.tag: (e.text or "").strip() for e in root.iterfind("Header/*")}
    try:
        count = int(header["ItemCount"])
        extract_date = date.fromisoformat(header["ExtractDate"][:10])
    except (KeyError, ValueError):
        return None
    records = int(root.xpath(f"count(//{fhrs.RECORD})"))
    return extract_date if count == records else None


# Per thread: lxml's parsers and compiled stylesheets are not to be shared between threads.
_local = threading.local()


def _thread_parser() -> etree.XMLParser:
    if not hasattr(_local, "parser"):
        # External entities are never fetched; a DOCTYPE makes `read` give up anyway.
        _local.parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return _local.parser


def _transform(columns: tuple[str, ...]) -> etree.XSLT:
    """An XSLT writing first a line with a `?` for every node of the collections that is
    neither text nor an element of a mapped name (a comment, a processing instruction,
    an element the FHRS parser does not map): empty when there is none; then per record
    how many elements lie too deep and each column's element's text (the last one),
    separated by tabs. Templates match names by a lookup, where an XPath predicate
    testing each name cost ~4x more."""
    transforms = _local.__dict__.setdefault("transforms", {})
    if columns not in transforms:
        tab = "<xsl:text>&#9;</xsl:text>"
        values = tab.join(f'<xsl:value-of select="({_ELEMENT[c]})[last()]"/>' for c in columns)
        stylesheet = (
            '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:output method="text" encoding="UTF-8"/><xsl:template match="/">'
            f'<xsl:apply-templates mode="name" select="/{fhrs.ROOT}/EstablishmentCollection'
            '/descendant-or-self::node()"/><xsl:text>&#10;</xsl:text>'
            f'<xsl:for-each select="/{fhrs.ROOT}/EstablishmentCollection/{fhrs.RECORD}">'
            f'<xsl:value-of select="{_TOO_DEEP}"/>{tab}{values}<xsl:text>&#10;</xsl:text>'
            "</xsl:for-each></xsl:template>"
            f'<xsl:template mode="name" priority="1" match="text()|{"|".join(sorted(_MAPPED))}"/>'
            '<xsl:template mode="name" match="node()"><xsl:text>?</xsl:text></xsl:template>'
            "</xsl:stylesheet>"
        )
        transforms[columns] = etree.XSLT(etree.XML(stylesheet.encode()))
    return transforms[columns]
