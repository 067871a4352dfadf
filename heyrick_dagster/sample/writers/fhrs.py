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
from heyrick_dagster.sample.geography import format_degrees
from heyrick_dagster.sample.world import World

SOURCE = "fhrs"
_PROLOG = '<?xml version="1.0"?>'
_ROOT_OPEN = '<FHRSEstablishment xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
_ADDRESS_COLUMNS = (("AddressLine1", "address_line_1"), ("AddressLine2", "address_line_2"),
                    ("AddressLine3", "address_line_3"), ("AddressLine4", "address_line_4"))


def file_name(code: str) -> str:
    return f"FHRS{code}en-GB.xml"


def _sort_key(row: dict) -> tuple[str, int]:
    return row["business_name"].casefold().replace("'", "").replace("-", ""), int(row["fhrsid"])


def _element(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


def _contact(code: str, name: str) -> tuple[str, str]:
    """The authority's website and food-team mailbox (made up for authorities not in the sample)."""
    try:
        authority = authority_by_code(code)
        return authority.website, authority.email
    except KeyError:
        domain = f"{name.lower().replace(' ', '')}.gov.uk"
        return f"http://www.{domain}", f"food.safety@{domain}"


def render_establishment(row: dict, authority: dict) -> str:
    parts = [
        "<EstablishmentDetail>",
        _element("FHRSID", row["fhrsid"]),
        _element("LocalAuthorityBusinessID", row["la_business_id"]),
        _element("BusinessName", row["business_name"]),
        _element("BusinessType", row["business_type"]),
        _element("BusinessTypeID", str(names.BUSINESS_TYPE_IDS[row["business_type"]])),
    ]
    parts += [_element(tag, row[column]) for tag, column in _ADDRESS_COLUMNS if row[column]]
    if row["postcode_published"]:
        parts.append(_element("PostCode", row["postcode_published"]))
    parts.append(_element("RatingValue", row["rating_value"]))
    parts.append(_element("RatingKey", row["rating_key"]))
    parts.append(_element("RatingDate", row["rating_date"].isoformat()) if row["rating_date"]
                 else '<RatingDate xsi:nil="true" />')
    parts += [
        _element("LocalAuthorityCode", authority["fsa_code"]),
        _element("LocalAuthorityName", authority["name"]),
        _element("LocalAuthorityWebSite", authority["website"]),
        _element("LocalAuthorityEmailAddress", authority["email"]),
    ]
    if row["score_hygiene"] is None:
        parts.append("<Scores />")
    else:
        parts.append(f"<Scores><Hygiene>{row['score_hygiene']}</Hygiene>"
                     f"<Structural>{row['score_structural']}</Structural>"
                     f"<ConfidenceInManagement>{row['score_confidence_in_management']}"
                     "</ConfidenceInManagement></Scores>")
    parts.append(_element("SchemeType", authority["scheme"]))
    parts.append(_element("NewRatingPending", "True" if row["new_rating_pending"] else "False"))
    if row["longitude"] is None or row["latitude"] is None:
        parts.append("<Geocode />")
    else:
        parts.append(f"<Geocode><Longitude>{format_degrees(round(row['longitude'] * 1e6))}"
                     f"</Longitude><Latitude>{format_degrees(round(row['latitude'] * 1e6))}"
                     "</Latitude></Geocode>")
    parts.append("</EstablishmentDetail>")
    return "".join(parts)


def write_file(path: Path, authority: dict, extract_date: str, rows: Iterable[dict],
               item_count: int) -> None:
    """Streams one authority's file; written to a temporary name, then moved into place.

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
            out.write(render_establishment(row, authority))
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
    by_code = {code: group for (code,), group in world.premises.group_by("fsa_code")}
    written = []
    for authority in authorities:
        code = authority["fsa_code"]
        website, email = _contact(code, authority["name"])
        details = authority | {"website": website, "email": email,
                               "scheme": "FHIS" if authority["country"] == "Scotland" else "FHRS"}
        premises = by_code.get(code, pl.DataFrame(schema=world.premises.schema))
        rows = sorted(premises.iter_rows(named=True), key=_sort_key)
        path = folder / file_name(code)
        write_file(path, details, world.extract_date, rows, len(rows))
        written.append(path)
    return written
