"""The evidence classes of the error analysis (linkage/misses.py)."""

from __future__ import annotations

import polars as pl

from heyrick_dagster.linkage.features import record_features
from heyrick_dagster.linkage.misses import linkable, pair_evidence
from tests.support.linkage_frames import staging_frame

PREMISES = [
    {"record_id": "P1", "business_name": "Hilltop Canteen", "address_line_1": "4 High Street",
     "postcode": "SE13 6JG"},
    {"record_id": "P2", "business_name": "Golden Kebab House", "postcode": "SE4 1AA"},
    {"record_id": "P3", "business_name": "Rosa's Cafe", "postcode": "BD7 1NQ"},
]  # fmt: skip
COMPANIES = [
    {"record_id": "C1", "company_name": "A&S FOODS LTD", "address_line_1": "4 High Street",
     "postcode": "SE13 6JG"},
    {"record_id": "C2", "company_name": "GOLDEN KEBAB LTD", "postcode": "SE9 9ZZ"},
    {"record_id": "C3", "company_name": "ROSAS CAFE LIMITED", "postcode": "M1 1AA"},
]  # fmt: skip


def _evidence() -> pl.DataFrame:
    pairs = pl.DataFrame(
        {"left_record_id": ["P1", "P2", "P3"], "right_record_id": ["C1", "C2", "C3"]}
    )
    left = record_features(staging_frame("fhrs", PREMISES), "fhrs")
    right = record_features(staging_frame("companies_house", COMPANIES), "companies_house")
    return pair_evidence(pairs, left, right).sort("left_record_id")


def test_pairs_are_classed_by_location_name_and_address():
    evidence = _evidence()
    assert evidence.select("location", "name", "same_address").rows() == [
        ("1 postcode", "4 unrelated", True),
        ("4 area", "2 core equal", False),
        ("5 none", "1 full equal", False),
    ]


def test_a_name_agreeing_only_across_postcode_areas_is_not_linkable():
    assert linkable(_evidence()).to_list() == [True, True, False]
