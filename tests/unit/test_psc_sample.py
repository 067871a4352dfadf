"""The PSC sample writer: the official layout, dissolved companies' records, a round trip
through the parser that leaves no name or birth date behind."""

from __future__ import annotations

import json
import zipfile
from datetime import date

import polars as pl

from heyrick_dagster.sample.world import SCHEMAS, World
from heyrick_dagster.sample.writers import psc as writer
from heyrick_dagster.sources import psc
from heyrick_dagster.sources.psc_pseudonyms import SAMPLE_KEY, person_identity, pseudonym

EXTRACT = "2026-11-10"


def tiny_world() -> World:
    """Three companies: live, a phoenix predecessor dissolved in 2022, and one dissolved
    before the PSC register began; one person controls the first two."""
    tables = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
    companies = [
        ("00000001", "NEW FRY LTD", None, "Active", date(2022, 3, 1), None),
        ("00000002", "OLD FRY LTD", None, "Dissolved", date(2015, 1, 1), date(2022, 6, 1)),
        ("00000003", "GONE LTD", None, "Dissolved", date(2001, 1, 1), date(2014, 1, 1)),
    ]
    tables["companies"] = pl.DataFrame(
        [
            {
                "company_number": number,
                "company_name": name,
                "entity_id": entity,
                "company_category": "Private Limited Company",
                "company_status": status,
                "incorporation_date": incorporated,
                "dissolution_date": dissolved,
                "reg_address_line_1": "1 HIGH STREET",
                "reg_address_line_2": None,
                "reg_post_town": "LONDON",
                "reg_postcode": "SE13 6JG",
                "reg_at_accountant": False,
                "sic_codes": ["56103"],
                "previous_company_number": None,
            }
            for number, name, entity, status, incorporated, dissolved in companies
        ],
        schema=SCHEMAS["companies"],
    )
    tables["people"] = pl.DataFrame(
        [
            ("P00000001", "KHAN, Imran Ali", 1980, 7, "British"),
            ("P00000002", "SMITH, Jo", 1950, 1, "Irish"),
        ],
        schema=SCHEMAS["people"],
        orient="row",
    )
    tables["officers"] = pl.DataFrame(
        [
            ("00000001", "P00000001", "director", date(2022, 3, 1), None),
            ("00000001", "P00000001", "psc", date(2022, 3, 1), None),
            ("00000002", "P00000001", "psc", date(2016, 4, 6), None),
            ("00000003", "P00000002", "psc", date(2016, 4, 6), None),
            ("00000003", "P00000002", "director", date(2001, 1, 1), None),
        ],
        schema=SCHEMAS["officers"],
        orient="row",
    )
    return World(seed=1, scale="small", extract_date=EXTRACT, tables=tables)


def test_writer_emits_the_official_json_lines_with_a_statement_and_the_totals_trailer(tmp_path):
    [path] = writer.write(tiny_world(), tmp_path)

    assert path.name == f"psc-snapshot-{EXTRACT}_1of1.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.comment.startswith(psc.SYNTHETIC_MARK)
        [member] = archive.namelist()
        lines = [json.loads(line) for line in archive.read(member).decode().splitlines()]
    kinds = [line["data"]["kind"] for line in lines]
    # The company dissolved before April 2016 never filed a PSC: a statement stands for it.
    assert kinds == [
        psc.INDIVIDUAL,
        psc.INDIVIDUAL,
        "persons-with-significant-control-statement",
        "totals#persons-of-significant-control-snapshot",
    ]
    first = lines[0]["data"]
    assert first["name_elements"]["surname"] == "Khan"
    assert first["name"].endswith("Imran Ali Khan")
    assert first["date_of_birth"] == {"month": 7, "year": 1980}
    assert "ceased_on" not in first, "absent fields are left out, not written as null"
    assert lines[-1]["data"]["persons_of_significant_control_count"] == 2


def test_round_trip_keeps_dissolved_companies_and_one_pseudonym_per_person_and_no_name(tmp_path):
    [path] = writer.write(tiny_world(), tmp_path)
    frame, _ = psc.read_controls([path], None)

    assert sorted(frame["company_number"]) == ["00000001", "00000002"]
    expected = pseudonym(SAMPLE_KEY.encode(), person_identity("Imran Ali Khan", 1980, 7))
    assert frame["controller_id"].unique().to_list() == [expected]
    text = frame.write_csv()
    for personal in ("Imran", "KHAN", "Khan", "1980", "British", "P00000001"):
        assert personal not in text
