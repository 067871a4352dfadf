"""The exact tiers of the linkage cascade on small hand-built staging frames."""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster.linkage.exact import (
    LINKS_SCHEMA,
    RULE_CORE_POSTCODE,
    RULE_NAME_DISTRICT,
    RULE_NAME_POSTCODE,
    RULE_REGISTERED_NAME,
    exact_links,
    link_enforcement,
    link_premises_companies,
)


def _premises(*rows):
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.String,
            "business_name": pl.String,
            "postcode": pl.String,
            "postcode_district": pl.String,
        },
        orient="row",
    )


def _companies(*rows):
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.String,
            "company_name": pl.String,
            "postcode": pl.String,
            "postcode_district": pl.String,
        },
        orient="row",
    )


def _penalties(*rows):
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.String,
            "liable_party": pl.String,
            "trading_name": pl.String,
            "postcode": pl.String,
            "postcode_district": pl.String,
        },
        orient="row",
    )


def _named(*rows):
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.String,
            "employer_name": pl.String,
            "trading_name": pl.String,
            "postcode": pl.String,
            "postcode_district": pl.String,
        },
        orient="row",
    )


def _pairs(links):
    return {
        (r["left_record_id"], r["right_record_id"], r["match_rule"])
        for r in links.iter_rows(named=True)
    }


PREMISES = _premises(
    ("100", "Golden Kebab House", "SE6 7NG", "SE6"),
    ("101", "Golden Kebab House", "SE4 1AA", "SE4"),  # another branch, elsewhere
    ("102", "Perry Fish Bar", "SE6 7NG", "SE6"),  # same postcode, other business
    ("103", "Bosphorus Chinese", "E1 4LW", "E1"),
    ("104", "Bosphorus Balti House", "E1 4LW", "E1"),
    ("105", "Food & Wine", "CF24 3RR", "CF24"),
    ("107", "Ankara Chippy", "BD5 3FJ", "BD5"),
)
COMPANIES = _companies(
    ("00000001", "GOLDEN KEBAB HOUSE LIMITED", "SE6 7NG", "SE6"),
    ("00000002", "H&Z EVANS LTD T/A PERRY FISH BAR", "SE6 7NG", "SE6"),
    ("00000003", "BOSPHORUS (LONDON) LTD", "E1 4LW", "E1"),
    ("00000004", "A&S FOODS (LONDON) LIMITED", "E1 4LW", "E1"),  # accountant-style: no name
    ("00000005", "FOOD & WINE LTD", "CF24 9ZZ", "CF24"),  # same name, other postcode
    ("00000006", "ANKARA CHINESE TAKEAWAY LTD", "BD5 3FJ", "BD5"),  # same core, other trade
)


def test_links_have_the_fct_record_links_shape():
    links = link_premises_companies(PREMISES, COMPANIES)
    assert dict(links.schema) == LINKS_SCHEMA
    assert set(links["match_probability"]) == {1.0}
    assert set(links["link_status"]) == {"accepted"}
    assert set(links["left_source"]) == {"fhrs"} and set(links["right_source"]) == {
        "companies_house"
    }


def test_premises_link_to_company_on_name_and_registered_postcode():
    pairs = _pairs(link_premises_companies(PREMISES, COMPANIES))
    assert ("100", "00000001", RULE_NAME_POSTCODE) in pairs
    # the company's trading name, after "T/A"
    assert ("102", "00000002", RULE_NAME_POSTCODE) in pairs
    # "(LONDON)" and "Balti House" are not identity: the cores agree
    assert ("104", "00000003", RULE_CORE_POSTCODE) in pairs


def test_hard_negatives_do_not_link():
    pairs = {
        (left, right) for left, right, _ in _pairs(link_premises_companies(PREMISES, COMPANIES))
    }
    # same postcode, different business
    assert ("100", "00000002") not in pairs and ("102", "00000001") not in pairs
    assert ("104", "00000004") not in pairs
    # same name, a branch at another postcode: name alone is never enough
    assert ("101", "00000001") not in pairs
    assert ("105", "00000005") not in pairs
    # same core ("ankara") at the same postcode, but a chippy is not a Chinese takeaway
    assert ("107", "00000006") not in pairs


def test_a_record_with_an_empty_name_or_postcode_never_links():
    premises = _premises(
        ("1", "", "SE6 7NG", "SE6"),
        ("2", None, "SE6 7NG", "SE6"),
        ("3", "Golden Kebab House", None, None),
        ("4", "Golden Kebab House", "", ""),
        ("5", "Ltd", "SE6 7NG", "SE6"),
    )
    companies = _companies(
        ("00000009", "", "SE6 7NG", "SE6"),
        ("00000010", None, "SE6 7NG", "SE6"),
        ("00000011", "GOLDEN KEBAB HOUSE LTD", None, None),
        ("00000012", "LIMITED", "SE6 7NG", "SE6"),
    )
    assert link_premises_companies(premises, companies).is_empty()
    # and nothing links to them either, from a well-formed record
    assert link_premises_companies(PREMISES, companies).is_empty()
    penalties = _penalties(
        ("2024Q1#1", None, None, "SE6 7NG", "SE6"),
        ("2024Q1#2", "Golden Kebab House Ltd", "", None, None),
    )
    assert link_enforcement(penalties, "illegal_working", PREMISES, "fhrs").is_empty()
    assert link_enforcement(penalties, "illegal_working", COMPANIES, "companies_house").is_empty()


def test_penalty_links_on_liable_party_or_trading_name_and_postcode():
    penalties = _penalties(
        ("2019Q1#1", "H&Z Evans Ltd", "Perry Fish Bar", "SE6 7NG", "SE6"),
        ("2019Q1#2", "Golden Kebab House Ltd", "Golden Kebab House", "SE4 1AA", "SE4"),
        ("2019Q1#3", "Somebody Else Ltd", "Golden Kebab House", "SE9 9ZZ", "SE9"),
    )
    to_premises = _pairs(link_enforcement(penalties, "illegal_working", PREMISES, "fhrs"))
    assert {(left, right) for left, right, _ in to_premises} == {
        ("2019Q1#1", "102"),
        ("2019Q1#2", "101"),
    }
    to_companies = _pairs(
        link_enforcement(penalties, "illegal_working", COMPANIES, "companies_house")
    )
    # "Golden Kebab House Ltd" is the registered name of 00000001 (SE6 7NG); the penalty
    # was at its SE4 branch: the same company, by exact_registered_name (one company of
    # that name, one postcode area). "Somebody Else Ltd" is no company here.
    assert to_companies == {
        ("2019Q1#1", "00000002", RULE_NAME_POSTCODE),
        ("2019Q1#2", "00000001", RULE_REGISTERED_NAME),
    }


def test_named_employer_with_only_a_district_links_when_the_name_is_unique_there():
    named = _named(
        ("2024-R1#1", "Perry Fish Bar Ltd", None, None, "SE6"),
        ("2024-R1#2", "Golden Kebab House Ltd", None, None, "SE4"),
        ("2024-R1#3", "Golden Kebab House Ltd", None, None, "SE9"),  # right name, wrong district
    )
    premises = pl.concat([PREMISES, _premises(("106", "Golden Kebab House", "SE4 2BB", "SE4"))])
    pairs = _pairs(link_enforcement(named, "nmw_naming", premises, "fhrs"))
    # SE4 has two "Golden Kebab House" premises: ambiguous, left to the probabilistic tier
    assert pairs == {("2024-R1#1", "102", RULE_NAME_DISTRICT)}


def test_district_rule_needs_a_full_name_not_only_a_core():
    named = _named(("2024-R1#1", "Bosphorus Grill Ltd", None, None, "E1"))
    assert link_enforcement(named, "nmw_naming", PREMISES, "fhrs").is_empty()


def test_link_enforcement_refuses_a_source_that_is_not_a_list():
    with pytest.raises(ValueError, match="not an enforcement list"):
        link_enforcement(PREMISES, "fhrs", COMPANIES, "companies_house")


def test_exact_links_gathers_every_tier_and_is_stable():
    penalties = _penalties(("2019Q1#1", "H&Z Evans Ltd", "Perry Fish Bar", "SE6 7NG", "SE6"))
    enforcement = {"illegal_working": penalties}
    links = exact_links(PREMISES, COMPANIES, enforcement)
    assert set(links.select("left_source", "right_source").iter_rows()) == {
        ("fhrs", "companies_house"),
        ("illegal_working", "fhrs"),
        ("illegal_working", "companies_house"),
    }
    assert links.equals(exact_links(PREMISES.reverse(), COMPANIES.reverse(), enforcement))
    assert (
        not links.select("left_source", "left_record_id", "right_source", "right_record_id")
        .is_duplicated()
        .any()
    )


def test_a_legal_form_name_links_to_the_one_company_registered_under_it_in_the_area():
    penalties = _penalties(
        # the company's registered office is at its accountant's, E1 4LW; the penalty at E2
        ("2024Q1#1", "Bosphorus (London) Limited", None, "E2 6DW", "E2"),
        # the same name in another postcode area: a later company may have reused it
        ("2024Q1#2", "Bosphorus (London) Ltd", None, "CF10 1AA", "CF10"),
        # no legal form: a trading name is no registered name
        ("2024Q1#3", "Bosphorus London", None, "E2 6DW", "E2"),
    )
    pairs = _pairs(link_enforcement(penalties, "illegal_working", COMPANIES, "companies_house"))
    assert pairs == {("2024Q1#1", "00000003", RULE_REGISTERED_NAME)}


def test_a_registered_name_shared_by_two_companies_links_to_neither():
    companies = pl.concat(
        [COMPANIES, _companies(("00000007", "BOSPHORUS (LONDON) LIMITED", "E3 2AA", "E3"))]
    )
    penalties = _penalties(("2024Q1#1", "Bosphorus (London) Ltd", None, "E2 6DW", "E2"))
    assert link_enforcement(penalties, "illegal_working", companies, "companies_house").is_empty()
