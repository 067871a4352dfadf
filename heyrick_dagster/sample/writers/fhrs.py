"""Writes the world's premises as FSA open-data files (FHRS<code>en-GB.xml), byte for byte in style.

One file per authority under `out_dir/fhrs/`. The official files are one line
of UTF-8 with `<?xml version="1.0"?>` and no encoding declaration; optional
elements are left out rather than left empty, with three exceptions written as
empty tags: `<RatingDate xsi:nil="true" />`, `<Scores />` and `<Geocode />`.
Establishments are ordered by business name, ignoring case, apostrophes and
hyphens, as the FSA orders them. Coordinates carry 14 decimal places. Files of
authorities no longer in the world (left by a run at another scale) are removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

from heyrick_dagster.sample import names
from heyrick_dagster.sample.authorities import authority_by_code
from heyrick_dagster.sample.world import World

SOURCE = "fhrs"
_PROLOG = '<?xml version="1.0"?>'
_ROOT_OPEN = '<FHRSEstablishment xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
_ADDRESS_COLUMNS = (("AddressLine1", "address_line_1"), ("AddressLine2", "address_line_2"),
                    ("AddressLine3", "address_line_3"), ("AddressLine4", "address_line_4"))


def file_name(code: str) -> str:
    return f"FHRS{code}en-GB.xml"


def contact(code: str, name: str) -> tuple[str, str]:
    """The authority's website and food-team mailbox (made up for authorities not in the sample)."""
    try:
        authority = authority_by_code(code)
        return authority.website, authority.email
    except KeyError:
        domain = f"{name.lower().replace(' ', '')}.gov.uk"
        return f"http://www.{domain}", f"food.safety@{domain}"


def _escaped(text: pl.Expr) -> pl.Expr:
    """As xml.sax.saxutils.escape: &, < and > as entities."""
    return (text.str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True))


def _element(tag: str, text: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit(f"<{tag}>"), _escaped(text), pl.lit(f"</{tag}>")])


def _optional(tag: str, text: pl.Expr) -> pl.Expr:
    """The element when there is text, else nothing (the official files leave it out)."""
    return pl.when(text.is_not_null() & (text != "")).then(_element(tag, text)).otherwise(
        pl.lit(""))


def _degrees(value: pl.Expr) -> pl.Expr:
    """Degrees as the register writes them: whole microdegrees to 14 decimal places,
    e.g. "-0.01078600000000"."""
    micro = (value * 1e6).round(0).cast(pl.Int64)
    return pl.concat_str([
        pl.when(micro < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (micro.abs() // 1_000_000).cast(pl.String), pl.lit("."),
        (micro.abs() % 1_000_000).cast(pl.String).str.zfill(6), pl.lit("00000000")])


def render_establishments(premises: pl.DataFrame, authority: dict) -> pl.Series:
    """One <EstablishmentDetail> string per premises row, in the rows' order.

    Rendered with polars expressions rather than string formatting row by row:
    the national register has ~613,000 establishments.
    """
    constants = "".join(f"<{tag}>{escape(authority[key])}</{tag}>" for tag, key in (
        ("LocalAuthorityCode", "fsa_code"), ("LocalAuthorityName", "name"),
        ("LocalAuthorityWebSite", "website"), ("LocalAuthorityEmailAddress", "email")))
    col = pl.col
    scores = pl.when(col("score_hygiene").is_null()).then(pl.lit("<Scores />")).otherwise(
        pl.concat_str([pl.lit("<Scores><Hygiene>"), col("score_hygiene").cast(pl.String),
                       pl.lit("</Hygiene><Structural>"), col("score_structural").cast(pl.String),
                       pl.lit("</Structural><ConfidenceInManagement>"),
                       col("score_confidence_in_management").cast(pl.String),
                       pl.lit("</ConfidenceInManagement></Scores>")]))
    geocode = pl.when(col("longitude").is_null() | col("latitude").is_null()).then(
        pl.lit("<Geocode />")).otherwise(pl.concat_str([
            pl.lit("<Geocode><Longitude>"), _degrees(col("longitude")),
            pl.lit("</Longitude><Latitude>"), _degrees(col("latitude")),
            pl.lit("</Latitude></Geocode>")]))
    parts = [
        pl.lit("<EstablishmentDetail>"),
        _element("FHRSID", col("fhrsid")),
        _element("LocalAuthorityBusinessID", col("la_business_id")),
        _element("BusinessName", col("business_name")),
        _element("BusinessType", col("business_type")),
        _element("BusinessTypeID", col("business_type").replace_strict(
            {k: str(v) for k, v in names.BUSINESS_TYPE_IDS.items()}, return_dtype=pl.String)),
        *(_optional(tag, col(column)) for tag, column in _ADDRESS_COLUMNS),
        _optional("PostCode", col("postcode_published")),
        _element("RatingValue", col("rating_value")),
        _element("RatingKey", col("rating_key")),
        pl.when(col("rating_date").is_null()).then(pl.lit('<RatingDate xsi:nil="true" />'))
        .otherwise(_element("RatingDate", col("rating_date").dt.strftime("%Y-%m-%d"))),
        pl.lit(constants),
        scores,
        pl.lit(f"<SchemeType>{escape(authority['scheme'])}</SchemeType>"),
        pl.when(col("new_rating_pending")).then(pl.lit("<NewRatingPending>True</NewRatingPending>"))
        .otherwise(pl.lit("<NewRatingPending>False</NewRatingPending>")),
        geocode,
        pl.lit("</EstablishmentDetail>"),
    ]
    return premises.select(pl.concat_str(parts).alias("xml")).to_series()


def in_published_order(premises: pl.DataFrame) -> pl.DataFrame:
    """Ordered by business name ignoring case, apostrophes and hyphens, then FHRSID."""
    key = [name.casefold().replace("'", "").replace("-", "")
           for name in premises["business_name"].to_list()]
    return premises.with_columns(_key=pl.Series(key, dtype=pl.String),
                                 _id=pl.col("fhrsid").cast(pl.Int64)).sort("_key", "_id")


def write_file(path: Path, authority: dict, extract_date: str, rows: Iterable[str],
               item_count: int) -> None:
    """Streams one authority's file from rendered establishments; written to a temporary
    name, then moved into place.

    `item_count` goes in the header before the establishments are written, so
    the caller passes how many `rows` will yield; a mismatch raises.
    """
    tmp = path.with_name(path.name + ".tmp")
    written = 0
    with open(tmp, "w", encoding="utf-8", newline="") as out:
        out.write(f"{_PROLOG}{_ROOT_OPEN}<Header><ExtractDate>{extract_date}"
                  f"</ExtractDate><ItemCount>{item_count}</ItemCount>"
                  "<ReturnCode>Success</ReturnCode></Header><EstablishmentCollection>")
        for row in rows:
            out.write(row)
            written += 1
        out.write("</EstablishmentCollection></FHRSEstablishment>")
    if written != item_count:
        tmp.unlink()
        raise ValueError(f"{path.name}: header says {item_count} establishments, wrote {written}")
    os.replace(tmp, path)


def write(world: World, out_dir: Path) -> list[Path]:
    """One FHRS<code>en-GB.xml per authority of the world, under out_dir/fhrs/."""
    folder = Path(out_dir) / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    authorities = world.authorities.to_dicts()
    wanted = {file_name(a["fsa_code"]) for a in authorities}
    for stale in folder.glob("FHRS*en-GB.xml"):
        if stale.name not in wanted:
            stale.unlink()
    by_code = world.premises.partition_by("fsa_code", as_dict=True, maintain_order=True)
    written = []
    for authority in authorities:
        code = authority["fsa_code"]
        website, email = contact(code, authority["name"])
        details = authority | {"website": website, "email": email,
                               "scheme": "FHIS" if authority["country"] == "Scotland" else "FHRS"}
        premises = by_code.pop((code,), pl.DataFrame(schema=world.premises.schema))
        rows = render_establishments(in_published_order(premises), details)
        path = folder / file_name(code)
        write_file(path, details, world.extract_date, rows, rows.len())
        written.append(path)
    return written
