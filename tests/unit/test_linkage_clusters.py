"""Businesses as connected components of accepted links, and the stability of their ids."""

from __future__ import annotations

import random

import polars as pl
import pytest

from heyrick_dagster.linkage.cascade import LINKS_SCHEMA
from heyrick_dagster.linkage.clusters import BRIDGE_SCHEMA, bridge, business_id

RECORDS = [
    ("fhrs", "1001"),
    ("fhrs", "1002"),
    ("fhrs", "1003"),
    ("fhrs", "1004"),
    ("companies_house", "00000001"),
    ("companies_house", "00000002"),
    ("companies_house", "00000003"),
    ("illegal_working", "2024Q1#7"),
    ("nmw_naming", "2023#12"),
]


def _records(rows=RECORDS) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"source": pl.String, "record_id": pl.String}, orient="row")


def _links(*links: tuple[str, str, str, str, str]) -> pl.DataFrame:
    """(left_source, left_id, right_source, right_id, status) as LINKS_SCHEMA rows."""
    rows = [
        {
            "left_source": ls,
            "left_record_id": li,
            "right_source": rs,
            "right_record_id": ri,
            "match_probability": 1.0 if status == "accepted" else 0.4,
            "match_rule": "splink",
            "link_status": status,
        }
        for ls, li, rs, ri, status in links
    ]
    return pl.DataFrame(rows, schema=LINKS_SCHEMA)


PREMISES_COMPANY = ("fhrs", "1001", "companies_house", "00000001", "accepted")
PENALTY_PREMISES = ("illegal_working", "2024Q1#7", "fhrs", "1001", "accepted")
SECOND_SHOP = ("fhrs", "1002", "companies_house", "00000001", "accepted")


def _ids(frame: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(s, r): b for b, s, r in frame.iter_rows()}


def _businesses(frame: pl.DataFrame) -> set[frozenset[tuple[str, str]]]:
    groups: dict[str, set[tuple[str, str]]] = {}
    for business, source, record in frame.iter_rows():
        groups.setdefault(business, set()).add((source, record))
    return {frozenset(members) for members in groups.values()}


def test_every_record_is_in_exactly_one_business():
    result = bridge(_records(), _links(PREMISES_COMPANY, PENALTY_PREMISES))
    assert result.schema == pl.Schema(BRIDGE_SCHEMA)
    assert sorted(result.select("source", "record_id").iter_rows()) == sorted(RECORDS)


def test_accepted_links_merge_their_records_and_the_rest_stay_alone():
    result = bridge(_records(), _links(PREMISES_COMPANY, PENALTY_PREMISES))
    merged = frozenset(
        {("fhrs", "1001"), ("companies_house", "00000001"), ("illegal_working", "2024Q1#7")}
    )
    singles = {frozenset({record}) for record in RECORDS if record not in merged}
    assert _businesses(result) == {merged} | singles


def test_a_possible_link_never_merges():
    possible = ("fhrs", "1003", "companies_house", "00000003", "possible")
    result = bridge(_records(), _links(PREMISES_COMPANY, possible))
    ids = _ids(result)
    assert ids[("fhrs", "1003")] != ids[("companies_house", "00000003")]
    assert ids[("fhrs", "1001")] == ids[("companies_house", "00000001")]


def test_a_chain_of_links_is_one_business():
    chain = _links(
        ("fhrs", "1001", "companies_house", "00000001", "accepted"),
        ("fhrs", "1002", "companies_house", "00000001", "accepted"),
        ("nmw_naming", "2023#12", "fhrs", "1002", "accepted"),
    )
    ids = _ids(bridge(_records(), chain))
    chained = [("fhrs", "1001"), ("companies_house", "00000001"), ("fhrs", "1002")]
    assert len({ids[r] for r in [*chained, ("nmw_naming", "2023#12")]}) == 1
    assert len(set(ids.values())) == len(RECORDS) - 3


def test_the_same_record_id_in_two_sources_is_two_records():
    records = _records([("fhrs", "1"), ("companies_house", "1")])
    assert bridge(records, _links()).select("business_id").n_unique() == 2


def test_a_business_id_is_the_hash_of_its_smallest_member_key():
    ids = _ids(bridge(_records(), _links(PREMISES_COMPANY, PENALTY_PREMISES)))
    # "companies_house:..." < "fhrs:..." < "illegal_working:..."
    assert ids[("fhrs", "1001")] == business_id("companies_house:00000001")
    assert ids[("fhrs", "1004")] == business_id("fhrs:1004")


def test_ids_are_the_same_on_a_second_call_and_in_any_row_order():
    links = _links(PREMISES_COMPANY, PENALTY_PREMISES, SECOND_SHOP)
    first = bridge(_records(), links)
    assert bridge(_records(), links).equals(first)
    shuffled = list(RECORDS)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        again = bridge(_records(shuffled), links.sample(fraction=1.0, shuffle=True, seed=seed))
        assert _ids(again) == _ids(first)


def test_duplicate_and_null_records_are_placed_once_or_not_at_all():
    rows = [*RECORDS, ("fhrs", "1001"), (None, "9"), ("fhrs", None)]
    result = bridge(_records(rows), _links(PREMISES_COMPANY))
    assert result.height == len(RECORDS)


def test_a_link_to_a_record_not_placed_adds_no_record():
    stray = ("fhrs", "1004", "companies_house", "99999999", "accepted")
    result = bridge(_records(), _links(stray))
    assert ("companies_house", "99999999") not in _ids(result)
    assert result.height == len(RECORDS)


def test_adding_an_unrelated_record_changes_no_other_business_id():
    links = _links(PREMISES_COMPANY, PENALTY_PREMISES)
    before = _ids(bridge(_records(), links))
    after = _ids(bridge(_records([*RECORDS, ("fhrs", "0000")]), links))
    assert set(after) - set(before) == {("fhrs", "0000")}
    assert {r: after[r] for r in before} == before


def test_linking_two_businesses_changes_only_the_ids_of_the_records_merged_in():
    # Business X: companies_house:00000001 (its smallest key), fhrs:1001, illegal_working.
    # Business Y: companies_house:00000002, fhrs:1003. Linking them merges Y into X's id.
    y_link = ("fhrs", "1003", "companies_house", "00000002", "accepted")
    links = _links(PREMISES_COMPANY, PENALTY_PREMISES, y_link)
    before = _ids(bridge(_records(), links))
    x_to_y = ("fhrs", "1001", "companies_house", "00000002", "accepted")
    after = _ids(bridge(_records(), pl.concat([links, _links(x_to_y)])))

    changed = {record for record in before if before[record] != after[record]}
    business_y = {r for r in before if before[r] == before[("companies_house", "00000002")]}
    assert len(changed) == len(business_y) == 2
    assert changed == business_y
    assert len({after[r] for r in business_y | {("fhrs", "1001")}}) == 1


def test_a_link_between_two_records_of_one_business_changes_nothing():
    links = _links(PREMISES_COMPANY, PENALTY_PREMISES)
    redundant = ("illegal_working", "2024Q1#7", "companies_house", "00000001", "accepted")
    before = bridge(_records(), links)
    assert bridge(_records(), pl.concat([links, _links(redundant)])).equals(before)


@pytest.mark.parametrize("records", [[], [("fhrs", "1001")]])
def test_no_links_leave_every_record_a_business_of_its_own(records):
    result = bridge(_records(records), _links())
    assert result.schema == pl.Schema(BRIDGE_SCHEMA)
    assert result.height == len(records) == result["business_id"].n_unique()
