"""The comparison record every source is reduced to before Splink compares them."""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster.linkage.features import (
    FEATURE_SCHEMA,
    activity_of_sic,
    address_key,
    record_features,
)
from heyrick_dagster.linkage.inputs import STAGING_INPUTS
from tests.support.linkage_frames import staging_frame


def _one(source: str, **fields: str | None) -> dict[str, str | None]:
    """The feature row of a single staging row of `source`."""
    frame = record_features(staging_frame(source, [{"record_id": "1", **fields}]), source)
    assert frame.height == 1
    return frame.row(0, named=True)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Unit 22", "43 Legrams Lane"], ("unit 22/43", "legrams lane")),
        (["7-9 Kirkgate"], ("7", "kirkgate")),
        (["12a High St"], ("12a", "high street")),
        (["43, Legrams Lane", "Bradford"], ("43", "legrams lane")),
        ([None, "5 Station Rd"], ("5", "station road")),
        (["25 CANADA SQUARE", "LEVEL 37", "LONDON"], ("level 37/25", "canada square")),
        (["Flat 3", "12 Kirkgate"], ("flat 3/12", "kirkgate")),
        (["The Old Mill", "Church Road"], (None, None)),
        ([None, None], (None, None)),
        ([], (None, None)),
    ],
)
def test_address_key_is_the_first_numbered_line_with_its_unit(lines, expected):
    assert address_key(lines) == expected


def test_address_key_tells_apart_two_units_of_one_numbered_building():
    hall = "43 Legrams Lane"
    assert address_key(["Unit 22", hall]) != address_key(["Unit 23", hall])
    assert address_key(["Unit 22", hall]) != address_key([hall])
    # A registered office on one floor of a tower is not the caterer at its street number.
    assert address_key(["25 Canada Square", "London"]) != address_key(
        ["25 CANADA SQUARE", "LEVEL 37", "LONDON"]
    )


@pytest.mark.parametrize(
    ("code", "activity"),
    [
        ("56103", "catering"),  # takeaway
        ("56101", "catering"),  # licensed restaurant: a takeaway's company often says so
        ("56302", "pub"),
        ("47110", "retail"),
        ("47210", "retail"),
        ("47190", None),  # a store where food does not predominate (4711: where it does)
        ("563", "pub"),
        ("01", "production"),
        ("5", None),
        ("10710", "production"),
        ("69201", None),  # an accountant: no evidence either way
        ("99999", None),
        (None, None),
        ("", None),
    ],
)
def test_activity_of_a_sic_code_is_its_coarse_group(code, activity):
    codes = pl.DataFrame({"code": [code]}, schema={"code": pl.String})
    assert codes.select(activity_of_sic(pl.col("code"))).item() == activity


@pytest.mark.parametrize(
    ("business_type", "activity"),
    [
        ("Takeaway/sandwich shop", "catering"),
        ("Restaurant/Cafe/Canteen", "catering"),
        ("Pub/bar/nightclub", "pub"),
        ("Retailers - other", "retail"),
        ("A type the FSA adds next year", None),
        (None, None),
    ],
)
def test_premises_activity_comes_from_the_fsa_business_type(business_type, activity):
    assert _one("fhrs", business_type=business_type)["activity"] == activity


def test_company_activity_comes_from_its_primary_sic_code():
    companies = staging_frame(
        "companies_house",
        [
            {"record_id": "1", "primary_sic_code": "56103"},
            {"record_id": "2", "primary_sic_code": "56302"},
            {"record_id": "3", "primary_sic_code": "47110"},
            {"record_id": "4", "primary_sic_code": "69201"},
            {"record_id": "5", "primary_sic_code": None},
        ],
    )
    features = record_features(companies, "companies_house")
    assert features["activity"].to_list() == ["catering", "pub", "retail", None, None]


@pytest.mark.parametrize("source", ["illegal_working", "nmw_naming"])
def test_enforcement_lists_have_no_activity(source):
    assert _one(source, postcode="LS1 1AA")["activity"] is None


def test_the_trading_part_of_a_company_name_is_its_alternative_name():
    row = _one("companies_house", company_name="G&G PHOENIX FOODS LTD T/A Golden Kebab House")
    assert (row["name_full"], row["alt_full"]) == ("g and g phoenix foods", "golden kebab house")
    assert row["alt_core"] == "golden"


def test_a_published_trading_name_is_the_alternative_when_the_name_has_no_trading_part():
    row = _one("companies_house", company_name="ABC FOODS LIMITED", trading_name="Golden Fry")
    assert (row["name_full"], row["alt_full"]) == ("abc foods", "golden fry")


def test_the_trading_part_of_the_name_wins_over_a_published_trading_name():
    row = _one(
        "companies_house",
        company_name="G&G PHOENIX FOODS LTD T/A Golden Kebab House",
        trading_name="Phoenix Catering",
    )
    assert row["alt_full"] == "golden kebab house"


def test_a_record_with_one_name_has_no_alternative():
    row = _one("fhrs", business_name="Golden Kebab House")
    assert (row["name_full"], row["name_core"]) == ("golden kebab house", "golden")
    assert (row["alt_full"], row["alt_core"]) == (None, None)


def test_an_enforcement_entry_compares_liable_party_and_trading_name():
    row = _one("illegal_working", liable_party="Mr Ali Khan", trading_name="Khan's Kitchen")
    assert (row["name_full"], row["alt_full"]) == ("mr ali khan", "khans kitchen")


def test_premises_address_lines_give_the_unit_number_and_street():
    row = _one("fhrs", address_line_1="Unit 22", address_line_2="43 Legrams Lane")
    assert (row["house_number"], row["street"]) == ("unit 22/43", "legrams lane")


def test_a_company_address_is_read_from_its_registered_office_lines():
    row = _one("companies_house", address_line_1="Suite 4", address_line_2="12a High St")
    assert (row["house_number"], row["street"]) == ("suite 4/12a", "high street")


def test_a_penalty_address_is_read_from_its_street_address():
    row = _one("illegal_working", street_address="7-9 Kirkgate")
    assert (row["house_number"], row["street"]) == ("7", "kirkgate")


def _address_keys(*rows: tuple[str | None, str | None]) -> list[str | None]:
    frame = staging_frame(
        "fhrs",
        [
            {"record_id": str(i), "address_line_1": line, "postcode": postcode}
            for i, (line, postcode) in enumerate(rows)
        ],
    )
    return record_features(frame, "fhrs")["address_key"].to_list()


def test_the_address_key_is_shared_only_by_the_same_postcode_number_and_street():
    keys = _address_keys(
        ("43 Legrams Lane", "BD7 1NQ"),
        ("43, Legrams Ln", "BD7 1NQ"),  # the same address, written differently
        ("45 Legrams Lane", "BD7 1NQ"),
        ("43 Legrams Road", "BD7 1NQ"),
        ("43 Legrams Lane", "BD7 1NR"),
    )
    assert keys[0] is not None and keys[0] == keys[1]
    assert len(set(keys[1:])) == 4


def test_an_address_without_number_or_postcode_has_no_address_key():
    assert _address_keys(("The Old Mill", "BD7 1NQ"), ("43 Legrams Lane", None)) == [None, None]


def test_a_full_postcode_gives_every_level():
    row = _one("fhrs", postcode="SE13 6JG")
    assert (
        row["postcode"],
        row["postcode_sector"],
        row["postcode_district"],
        row["postcode_area"],
    ) == ("SE13 6JG", "SE13 6", "SE13", "SE")


def test_a_bare_published_district_keeps_district_and_area_only():
    row = _one("nmw_naming", employer_name="A LTD", postcode=None, postcode_district="AL7")
    assert (
        row["postcode"],
        row["postcode_sector"],
        row["postcode_district"],
        row["postcode_area"],
    ) == (None, None, "AL7", "AL")


def test_a_one_letter_area_is_read_from_its_district():
    assert _one("fhrs", postcode="M1 1AE")["postcode_area"] == "M"


def test_rows_without_a_record_id_are_dropped_and_the_others_keep_their_values():
    frame = staging_frame(
        "fhrs",
        [
            {"record_id": "1", "business_name": "Ruby Anchor", "postcode": "LS1 1AP"},
            {"record_id": None, "business_name": "Nobody's Cafe", "postcode": "LS1 1AP"},
            {"record_id": "3", "business_name": "Jade Tower", "postcode": "BD2 1BQ"},
        ],
    )
    features = record_features(frame, "fhrs")
    assert features.select("unique_id", "name_full", "postcode").rows() == [
        ("1", "ruby anchor", "LS1 1AP"),
        ("3", "jade tower", "BD2 1BQ"),
    ]


@pytest.mark.parametrize("source", sorted(STAGING_INPUTS))
def test_every_record_is_tagged_with_its_source(source):
    assert _one(source)["source_dataset"] == source


@pytest.mark.parametrize("source", sorted(STAGING_INPUTS))
def test_an_empty_staging_frame_gives_an_empty_feature_frame(source):
    features = record_features(staging_frame(source), source)
    assert features.is_empty()
    assert features.schema == pl.Schema(FEATURE_SCHEMA)


def test_name_count_is_the_records_with_that_name_in_the_postcode_area():
    rows = [
        ("Costa Coffee", "SE13 6JG"),
        ("COSTA COFFEE", "SE4 1AA"),
        ("Costa Coffee", "BD7 1NQ"),
        ("Hilltop Canteen", "SE13 6JG"),
        (None, "SE13 6JG"),
    ]
    frame = staging_frame(
        "fhrs",
        [
            {"record_id": str(i), "business_name": name, "postcode": postcode}
            for i, (name, postcode) in enumerate(rows)
        ],
    )
    counts = record_features(frame, "fhrs").sort("unique_id")["name_count"].to_list()
    assert counts == [2, 2, 1, 1, None]


def test_the_trade_words_of_each_name_are_kept_beside_its_core():
    row = _one("companies_house", company_name="G&G PHOENIX FOODS LTD T/A Golden Kebab House")
    assert (row["name_core"], row["name_trade"]) == ("g and g phoenix", "foods")
    assert (row["alt_core"], row["alt_trade"]) == ("golden", "house kebab")


# Address lines that exercise every step of address_key: units before and after the
# number, ranges, abbreviations, punctuation, blanks, and lines the polars reading leaves
# to address_key (accents, a tab, the Kelvin sign).
HARD_ADDRESSES = [
    ("Unit 22", "43 Legrams Lane", None),
    ("25 CANADA SQUARE", "LEVEL 37", "LONDON"),
    ("7 - 9 Kirkgate", "Flat 3", "Shop 4"),
    ("12a High St", None, None),
    ("43, Legrams Ln.", "Bradford", None),
    (None, "", "5 Station Rd"),
    ("The Old Mill", "Church Road", "Kiosk 17"),
    ("12 x", "13 ab", None),
    ("UNIT 5A", "rd st 8 ave ln", "14 st ln"),
    ("   ", "ARCH 3", "2 Rue Café"),
    ("4\tHigh Street", None, None),
    ("\u212aIOSK 4", "9 Market Place", None),
    (None, None, None),
]


def test_record_features_read_each_address_as_address_key_does():
    frame = staging_frame(
        "fhrs",
        [
            {
                "record_id": str(i),
                "address_line_1": a,
                "address_line_2": b,
                "address_line_3": c,
                "postcode": "BD7 1NQ",
            }
            for i, (a, b, c) in enumerate(HARD_ADDRESSES)
        ],
    )
    features = record_features(frame, "fhrs").sort(pl.col("unique_id").cast(pl.Int64))
    read = list(zip(features["house_number"], features["street"], strict=True))
    assert read == [address_key(list(lines)) for lines in HARD_ADDRESSES]
