"""Business-name normalisation for matching (heyrick_dagster/linkage/names.py)."""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster.linkage.names import (
    LOW_IDENTITY_WORDS,
    NAME_COLUMNS,
    core_of,
    name_forms,
    normalise,
    parse_name,
    split_trading_as,
    strip_legal_form,
    trade_words,
    with_name_forms,
)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("H&Z Evans Ltd", "h and z evans ltd"),
        ("Tony's Café", "tonys cafe"),
        ("  S & B  Food & Wine ", "s and b food and wine"),
        ("A.B.C. (Leicester) Ltd.", "a b c leicester ltd"),
        ("!!!", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_lowers_spells_ampersand_and_drops_punctuation(published, expected):
    assert normalise(published) == expected


@pytest.mark.parametrize(
    ("published", "registered", "trading"),
    [
        ("MUHAMMAD UMER T/A MABZ LTD", "MUHAMMAD UMER", "MABZ LTD"),
        (
            "G&G Phoenix Foods Ltd t/as Golden Kebab House",
            "G&G Phoenix Foods Ltd",
            "Golden Kebab House",
        ),
        ("ABC LTD (trading as XYZ)", "ABC LTD", "XYZ"),
        ("ABC Ltd, T.A. Perry Fish Bar", "ABC Ltd", "Perry Fish Bar"),
        ("TA TA TANDOORI", "TA TA TANDOORI", None),
        ("Golden Kebab House", "Golden Kebab House", None),
    ],
)
def test_split_trading_as_separates_registered_and_trading_parts(published, registered, trading):
    assert split_trading_as(published) == (registered, trading)


@pytest.mark.parametrize(
    ("normalised", "expected"),
    [
        ("golden kebab house ltd", ("golden kebab house", "ltd")),
        ("golden kebab house limited the", ("golden kebab house", "ltd")),
        ("kings group llp", ("kings group", "llp")),
        ("hope kitchen c i c", ("hope kitchen", "cic")),
        ("tesco plc", ("tesco", "plc")),
        ("limited edition cafe", ("limited edition cafe", None)),
        ("ltd", (None, "ltd")),
    ],
)
def test_strip_legal_form_looks_only_at_the_end(normalised, expected):
    assert strip_legal_form(normalised) == expected


def test_parse_name_gives_full_and_core_of_both_parts_and_the_legal_form():
    parsed = parse_name("G&G PHOENIX FOODS LTD T/A Golden Kebab House")
    assert parsed.registered.full == "g and g phoenix foods"
    assert parsed.registered.core == "g and g phoenix"
    assert parsed.trading.full == "golden kebab house"
    assert parsed.trading.core == "golden"
    assert parsed.legal_form == "ltd"


def test_parse_name_finds_a_legal_form_that_ends_the_trading_part():
    parsed = parse_name("MUHAMMAD UMER T/A MABZ LTD")
    assert (parsed.registered.full, parsed.trading.full, parsed.legal_form) == (
        "muhammad umer",
        "mabz",
        "ltd",
    )


def test_register_and_shop_front_spellings_share_a_full_form():
    assert (
        parse_name("GOLDEN KEBAB HOUSE LIMITED").registered.full
        == parse_name("Golden Kebab House").registered.full
        == parse_name("Golden Kebab House Ltd").registered.full
    )


@pytest.mark.parametrize(
    ("published", "core"),
    [
        ("Golden Kebab House", "golden"),
        ("GOLDEN KEBAB HOUSE (LEWISHAM) LIMITED", "golden"),
        ("Mensah Brothers (Cardiff) (Uk) Limited", "mensah brothers"),
        ("S & B Food & Wine", "s and b"),
        ("Rose Pizza & Grill", "rose"),
        ("The Royal Pizza Express", "royal"),
        ("Bosphorus Balti House", "bosphorus"),
        ("KINGS GROUP LLP", "kings"),
        ("PARK STREET FOOD 2022 LTD", "park street"),
        ("Cafe 1990", None),
        ("Food & Wine", None),
        ("Kebab & Burger", None),
        ("Express Mini Market", None),
    ],
)
def test_core_drops_trade_words_qualifiers_and_places_in_brackets(published, core):
    assert core_of(published) == core


def test_low_identity_words_are_trade_words_not_identity():
    assert {
        "kebab",
        "pizza",
        "express",
        "food",
        "chicken",
        "grill",
        "house",
        "cafe",
        "store",
    } <= LOW_IDENTITY_WORDS
    assert not {"golden", "royal", "star", "ankara", "best"} & LOW_IDENTITY_WORDS


def test_an_empty_or_legal_form_only_name_has_no_forms():
    for published in ("", "   ", None, "! LTD", "Limited"):
        parsed = parse_name(published)
        assert parsed.registered.full is None and parsed.registered.core is None


def test_with_name_forms_adds_the_columns_row_by_row():
    frame = pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "name": [
                "ABC LTD T/A Perry Fish Bar",
                None,
                "Perry Fish Bar",
                "ABC LTD T/A Perry Fish Bar",
            ],
        }
    )
    out = with_name_forms(frame, "name")
    assert out.height == 4 and out["id"].to_list() == [1, 2, 3, 4]
    assert out["name_full"].to_list() == ["abc", None, "perry fish bar", "abc"]
    assert out["trading_core"].to_list() == ["perry", None, None, "perry"]
    assert out["legal_form"].to_list() == ["ltd", None, None, "ltd"]
    assert out["trading_trade"].to_list() == [["bar", "fish"], None, [], ["bar", "fish"]]


def test_trade_words_are_what_the_core_removed():
    assert trade_words("Golden Kebab House (Lewisham) Ltd") == ("house", "kebab")
    assert trade_words("S & B Food & Wine") == ("food", "wine")
    assert trade_words("BOSPHORUS LTD") == ()


# Names that exercise every step of parse_name: trading-as markers, legal forms (also
# spelt out, or followed by "(THE)"), brackets, phrases, qualifiers, years, a lone "and",
# blanks, and characters the polars parse leaves to parse_name (accents, control
# characters, the Kelvin sign).
HARD_NAMES = [
    "G&G PHOENIX FOODS LTD T/A Golden Kebab House",
    "MUHAMMAD UMER T/A MABZ LTD",
    "ABC LTD (trading as XYZ)",
    "ABC Ltd, T.A. Perry Fish Bar",
    "x t/a ",
    " t/a y",
    "TA TA TANDOORI",
    "GOLDEN KEBAB HOUSE (LEWISHAM) LIMITED",
    "Mensah Brothers (Cardiff) (Uk) Limited",
    "(ABC) LTD",
    "OLD MILL LIMITED (THE)",
    "HOPE KITCHEN C.I.C.",
    "KINGS GROUP LIMITED LIABILITY PARTNERSHIP",
    "THE KEBAB HOUSE 2022 GROUP AND CO LTD",
    "PARK STREET FOOD 2022 LTD",
    "S & B FOOD & WINES",
    "Tony's Pizza & Kebab and Chips",
    "Express Mini Market",
    "Food & Wine",
    "the and of s",
    "The Royal Pizza Express",
    "THE THE ROYAL",
    "AND AND ANDREW",
    "Limited Edition Cafe",
    "! LTD",
    "",
    "   ",
    "Café Zoë",
    "K\u212aBAB KING",
    "A\tB LTD",
]


def test_name_forms_gives_what_parse_name_gives_for_every_name():
    table = name_forms(pl.Series(HARD_NAMES))
    assert sorted(table["name"].to_list()) == sorted(set(HARD_NAMES))
    for row in table.iter_rows(named=True):
        parsed = parse_name(row["name"])
        expected = (
            parsed.registered.full,
            parsed.registered.core,
            list(parsed.registered.trade),
            parsed.trading.full,
            parsed.trading.core,
            list(parsed.trading.trade),
            parsed.legal_form,
        )
        assert tuple(row[c] for c in NAME_COLUMNS) == expected, row["name"]


def test_with_name_forms_reads_a_given_table_of_forms_as_its_own():
    frame = pl.DataFrame({"id": [1, 2, 3], "name": ["ABC LTD T/A Perry Fish Bar", None, "Zoë"]})
    given = name_forms(pl.Series(["Zoë", "ABC LTD T/A Perry Fish Bar", "Unrelated Ltd"]))
    assert with_name_forms(frame, "name", forms=given).equals(with_name_forms(frame, "name"))
