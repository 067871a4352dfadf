"""Writes premises as an FSA open-data file (FHRS<code>en-GB.xml), byte for byte in its style.

The official files are one line of UTF-8 with `<?xml version="1.0"?>` and no
encoding declaration; optional elements are left out rather than left empty,
with three exceptions written as empty tags: `<RatingDate xsi:nil="true" />`,
`<Scores />` and `<Geocode />`. Establishments are ordered by business name,
ignoring case and apostrophes, as the FSA orders them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from heyrick_dagster.sample import names
from heyrick_dagster.sample.authorities import Authority
from heyrick_dagster.sample.universe import Premises

_PROLOG = '<?xml version="1.0"?>'
_ROOT_OPEN = '<FHRSEstablishment xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
_ADDRESS_TAGS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4")


def file_name(code: str) -> str:
    return f"FHRS{code}en-GB.xml"


def sort_key(p: Premises) -> tuple[str, int]:
    return p.name.casefold().replace("'", "").replace("-", ""), p.fhrsid


def _element(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


def render_establishment(p: Premises, authority: Authority) -> str:
    parts = [
        "<EstablishmentDetail>",
        _element("FHRSID", str(p.fhrsid)),
        _element("LocalAuthorityBusinessID", p.la_business_id),
        _element("BusinessName", p.name),
        _element("BusinessType", p.business_type),
        _element("BusinessTypeID", str(names.BUSINESS_TYPE_IDS[p.business_type])),
    ]
    parts += [_element(tag, line) for tag, line in zip(_ADDRESS_TAGS, p.address, strict=True)
              if line]
    if p.postcode:
        parts.append(_element("PostCode", p.postcode))
    parts.append(_element("RatingValue", p.outcome.rating_value))
    parts.append(_element("RatingKey", p.outcome.rating_key))
    parts.append(_element("RatingDate", p.rating_date) if p.rating_date
                 else '<RatingDate xsi:nil="true" />')
    parts += [
        _element("LocalAuthorityCode", authority.code),
        _element("LocalAuthorityName", authority.name),
        _element("LocalAuthorityWebSite", authority.website),
        _element("LocalAuthorityEmailAddress", authority.email),
    ]
    if p.outcome.scores is None:
        parts.append("<Scores />")
    else:
        hygiene, structural, confidence = p.outcome.scores
        parts.append(f"<Scores><Hygiene>{hygiene}</Hygiene><Structural>{structural}</Structural>"
                     f"<ConfidenceInManagement>{confidence}</ConfidenceInManagement></Scores>")
    parts.append(_element("SchemeType", authority.scheme))
    parts.append(_element("NewRatingPending", "True" if p.new_rating_pending else "False"))
    if p.longitude is None or p.latitude is None:
        parts.append("<Geocode />")
    else:
        parts.append(f"<Geocode><Longitude>{p.longitude}</Longitude>"
                     f"<Latitude>{p.latitude}</Latitude></Geocode>")
    parts.append("</EstablishmentDetail>")
    return "".join(parts)


def write_file(path: Path, authority: Authority, extract_date: dt.date,
               premises: Iterable[Premises], item_count: int) -> None:
    """Streams one authority's file; written to a temporary name, then moved into place.

    `item_count` goes in the header before the establishments are written, so
    the caller passes how many `premises` will yield; a mismatch raises.
    """
    tmp = path.with_name(path.name + ".tmp")
    written = 0
    with open(tmp, "w", encoding="utf-8", newline="") as out:
        out.write(f"{_PROLOG}{_ROOT_OPEN}<Header><ExtractDate>{extract_date.isoformat()}"
                  f"</ExtractDate><ItemCount>{item_count}</ItemCount>"
                  "<ReturnCode>Success</ReturnCode></Header><EstablishmentCollection>")
        for p in premises:
            out.write(render_establishment(p, authority))
            written += 1
        out.write("</EstablishmentCollection></FHRSEstablishment>")
    if written != item_count:
        tmp.unlink()
        raise ValueError(f"{path.name}: header says {item_count} establishments, wrote {written}")
    os.replace(tmp, path)
