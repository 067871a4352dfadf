"""A fast reading of a few fields of an FHRS file, for the rating history.

The FHRS parser (`sources/fhrs.py`) walks every element of every establishment in
Python (~40 µs an establishment; ~140 s for the 3.4M establishments of a national
history), and the history needs eight fields. Here lxml parses the file in C and an XSLT
transform (libxslt, also C) writes those fields of each establishment as one line of
tab-separated text, which polars reads: ~3x faster on the sample's files.

It reads what the FHRS parser reads: an element's stripped text, the last one when a
record repeats it, null when absent or empty, Scores' children only under Scores. Where
that is not certain, `read` gives up (returns None) and the caller parses the file with
the FHRS parser, which reads it or names what is wrong with it (file, establishment):
a file lxml cannot parse (truncated, not well-formed, not UTF-8), another root, a header
without ItemCount or ExtractDate or disagreeing with the records, a DOCTYPE (whose
entities lxml is told not to expand), an element name the FHRS parser does not map (a
renamed field among them), an element below a field or below Scores' and Geocode's
children, a value holding a tab or a line break, an establishment without an FHRSID.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from lxml import etree

from heyrick_dagster.sources import fhrs, files

# External entities are never fetched; a DOCTYPE makes `read` give up anyway.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
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


def read(path: Path, columns: list[str]) -> Copy | None:
    """The file's `columns` (FHRS column names, as text) and lineage; None when the file
    needs the FHRS parser."""
    file = str(path)
    # The byte-level checks the FHRS parser makes first, with its errors.
    files.require_not_utf16(files.sniff(path, fhrs.SOURCE, "FHRS XML"), fhrs.SOURCE, file)
    data = path.read_bytes()
    if b"<!DOCTYPE" in data:
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None
    del data
    extract_date = _checked_header(root)
    if extract_date is None:
        return None
    names = {e.tag for c in root.iterfind("EstablishmentCollection") for e in c.iter()}
    if not names <= _MAPPED:
        return None
    lines = bytes(_transform(tuple(columns))(root))
    try:
        frame = pl.read_csv(
            io.BytesIO(lines),
            has_header=False,
            new_columns=["__too_deep", *columns],
            separator="\t",
            quote_char=None,
            infer_schema=False,
            encoding="utf8",
        )
    except pl.exceptions.PolarsError:
        return None  # a value with a tab in it
    if frame.height != len(root.findall(f"EstablishmentCollection/{fhrs.RECORD}")):
        return None  # a value with a line break, or a record elsewhere
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in columns)
    if (frame["__too_deep"] != "0").any() or frame["fhrsid"].null_count():
        return None  # the FHRS parser names the establishment without an FHRSID
    frame = frame.drop("__too_deep").with_columns(
        pl.lit(file).alias("_source_file"),
        pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("_source_row"),
        pl.lit(extract_date).alias("_vintage"),
    )
    return Copy(frame, file, extract_date)


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


_TRANSFORMS: dict[tuple[str, ...], etree.XSLT] = {}


def _transform(columns: tuple[str, ...]) -> etree.XSLT:
    """An XSLT writing, per record, how many elements lie too deep, then each column's
    element's text (the last one), separated by tabs."""
    if columns not in _TRANSFORMS:
        tab = "<xsl:text>&#9;</xsl:text>"
        values = tab.join(f'<xsl:value-of select="({_ELEMENT[c]})[last()]"/>' for c in columns)
        stylesheet = (
            '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
            '<xsl:output method="text" encoding="UTF-8"/><xsl:template match="/">'
            f'<xsl:for-each select="/{fhrs.ROOT}/EstablishmentCollection/{fhrs.RECORD}">'
            f'<xsl:value-of select="{_TOO_DEEP}"/>{tab}{values}<xsl:text>&#10;</xsl:text>'
            "</xsl:for-each></xsl:template></xsl:stylesheet>"
        )
        _TRANSFORMS[columns] = etree.XSLT(etree.XML(stylesheet.encode()))
    return _TRANSFORMS[columns]
