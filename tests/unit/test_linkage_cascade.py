"""The linkage cascade: thresholds, the exact tiers before Splink, and what never links."""

from __future__ import annotations

import copy
import json

import polars as pl
import pytest

from heyrick_dagster.linkage import cascade, splink_model
from heyrick_dagster.linkage.cascade import LINK_TYPES, Thresholds
from heyrick_dagster.linkage.exact import RULE_NAME_POSTCODE
from heyrick_dagster.linkage.inputs import STAGING_INPUTS
from tests.support.linkage_frames import premises_and_companies, staging_frame

NAME_COLUMNS = {
    "business_name",
    "company_name",
    "trading_name",
    "liable_party",
    "employer_name",
}
POSTCODE_COLUMNS = {"postcode", "postcode_district"}


@pytest.fixture(scope="module")
def town():
    return premises_and_companies()


@pytest.fixture(scope="module")
def frames(town):
    """The town, a penalty list naming 20 of its premises at their postcodes, and an NMW
    list naming 20 others by district only (as the lists have since 2020)."""
    names = town.premises.select("business_name", "postcode").rows()
    penalties = [
        {"record_id": f"IW{i}", "liable_party": name, "postcode": postcode}
        for i, (name, postcode) in enumerate(names[:200:10])
    ]
    named = [
        {
            "record_id": f"NMW{i}",
            "employer_name": f"{name} Ltd",
            "postcode_district": postcode.split()[0],
        }
        for i, (name, postcode) in enumerate(names[5::15])
    ]
    return {
        "fhrs": town.premises,
        "companies_house": town.companies,
        "illegal_working": staging_frame("illegal_working", penalties),
        "nmw_naming": staging_frame("nmw_naming", named),
    }


@pytest.fixture(scope="module")
def trained(frames):
    """The models of the town and how each was made (the reference model adapted to it)."""
    return cascade.train_models(cascade.features_by_source(frames))


@pytest.fixture(scope="module")
def models(trained):
    models, _ = trained
    assert set(models) == {cascade.link_type_key(*t) for t in LINK_TYPES}
    return models


@pytest.fixture(scope="module")
def thresholds():
    return cascade.read_thresholds()


@pytest.fixture(scope="module")
def links(frames, models, thresholds):
    return cascade.link_records(frames, models, thresholds)


def test_committed_thresholds_cover_every_link_type_in_order(thresholds):
    assert set(thresholds) == set(LINK_TYPES)
    for link_type, chosen in thresholds.items():
        assert 0 < chosen.possible <= chosen.accept < 1, link_type


@pytest.mark.parametrize(
    ("accept", "possible"),
    [(0.5, 0.9), (1.0, 0.5), (0.9, 0.0), (0.9, -0.1), (1.2, 0.5)],
)
def test_thresholds_reject_values_out_of_order(accept, possible):
    with pytest.raises(ValueError, match="out of order"):
        Thresholds(accept=accept, possible=possible)


def test_thresholds_allow_no_possible_band():
    assert Thresholds(accept=0.9, possible=0.9).possible == 0.9


def test_read_thresholds_refuses_a_file_with_a_band_above_accept(tmp_path):
    path = tmp_path / "thresholds.json"
    path.write_text(
        json.dumps({"link_types": {"fhrs->companies_house": {"accept": 0.5, "possible": 0.8}}})
    )
    with pytest.raises(ValueError, match="out of order"):
        cascade.read_thresholds(path)


def test_read_thresholds_keys_each_link_type_by_its_two_sources(tmp_path):
    path = tmp_path / "thresholds.json"
    path.write_text(
        json.dumps({"link_types": {"nmw_naming->fhrs": {"accept": 0.9, "possible": 0.3}}})
    )
    assert cascade.read_thresholds(path) == {
        ("nmw_naming", "fhrs"): Thresholds(accept=0.9, possible=0.3)
    }


def test_links_have_the_published_shape(links):
    assert links.schema == pl.Schema(cascade.LINKS_SCHEMA)
    pair = ["left_source", "left_record_id", "right_source", "right_record_id"]
    assert links.select(pair).is_unique().all()


def test_an_exact_pair_keeps_its_exact_rule_when_splink_also_finds_it(
    frames, models, thresholds, links
):
    features = cascade.features_by_source(frames)
    splink = splink_model.score(
        features["fhrs"],
        features["companies_house"],
        models["fhrs->companies_house"],
        thresholds[("fhrs", "companies_house")].possible,
    )
    exact = cascade.exact_tier(frames)
    both = exact.join(splink, on=["left_record_id", "right_record_id"]).select(
        "left_record_id", "right_record_id"
    )
    assert both.height > 0, "the test needs pairs found by both tiers"
    kept = links.join(both, on=["left_record_id", "right_record_id"])
    assert kept.height == both.height
    assert set(kept["match_rule"]) <= {r for r in exact["match_rule"]}
    assert RULE_NAME_POSTCODE in set(kept["match_rule"])
    assert (kept["match_probability"] == 1.0).all()
    assert kept["match_weight"].is_null().all()


def test_splink_adds_the_pairs_the_exact_rules_miss(links, town):
    # Slot 3: the same name at the accountant's postcode; slot 4: the name misspelt.
    missed = {pair for pair in town.true_pairs.iter_rows() if pair[1][-1] in "34"}
    assert len(missed) == 60
    found = links.select("left_record_id", "right_record_id", "match_rule")
    assert {(a, b, cascade.RULE_SPLINK) for a, b in missed} <= set(found.iter_rows())


def test_splink_links_are_accepted_at_or_above_accept_and_possible_below(frames, models):
    chosen = {link_type: Thresholds(accept=0.5, possible=0.05) for link_type in LINK_TYPES}
    scored = cascade.link_records(frames, models, chosen).filter(
        pl.col("match_rule") == cascade.RULE_SPLINK
    )
    assert set(scored["link_status"]) == {"accepted", "possible"}
    assert scored["match_probability"].min() >= 0.05
    enforcement = pl.col("left_source").is_in(cascade.ENFORCEMENT_SOURCES)
    expected = (pl.col("match_probability") >= 0.5) & (~enforcement | (pl.col("weight_name") > 0))
    assert scored.select((pl.col("link_status") == "accepted") == expected).to_series().all()
    assert scored.select(cascade.WEIGHT_COLUMNS).null_count().sum_horizontal().item() == 0


def test_features_given_link_as_the_features_built_from_the_frames(frames, models, links):
    features = cascade.features_by_source(frames)
    given = cascade.link_records(frames, models, cascade.read_thresholds(), features=features)
    assert given.equals(links)
    # They are used, not rebuilt: without a source's features that link type is not scored.
    partial = features | {"companies_house": features["companies_house"].clear()}
    fewer = cascade.link_records(frames, models, cascade.read_thresholds(), features=partial)
    assert cascade.RULE_SPLINK not in set(
        fewer.filter(pl.col("right_source") == "companies_house")["match_rule"]
    )


def test_without_models_only_the_exact_tiers_link(frames, links):
    exact_only = cascade.link_records(frames, {}, cascade.read_thresholds())
    assert exact_only.height > 0
    assert cascade.RULE_SPLINK not in set(exact_only["match_rule"])
    assert exact_only.height < links.height


def test_train_models_trains_nothing_without_premises_or_companies(frames):
    features = cascade.features_by_source(frames)
    for missing in ("fhrs", "companies_house"):
        emptied = features | {missing: features[missing].clear()}
        assert cascade.train_models(emptied) == ({}, {})


def _m_values(model):
    return [
        level.get("m_probability")
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
    ]


def _u_values(model):
    return [
        level.get("u_probability")
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
    ]


def test_every_model_takes_the_reference_m_and_estimates_u_on_its_own_tables(frames, trained):
    models, origins = trained
    reference = cascade.read_reference_model()
    for key, model in models.items():
        assert _m_values(model) == _m_values(reference), key
        assert _u_values(model) != _u_values(reference), key
        assert "reference model" in origins[key], key
    # Each link type's u is its own tables': a penalty list and the register do not
    # agree by chance as premises and the register do.
    assert _u_values(models["illegal_working->companies_house"]) != _u_values(
        models["fhrs->companies_house"]
    )


def test_a_base_model_given_lends_its_m_to_every_link_type(frames):
    features = cascade.features_by_source(frames)
    base = copy.deepcopy(cascade.read_reference_model())
    name_levels = base["comparisons"][0]["comparison_levels"]
    name_levels[-1]["m_probability"], name_levels[1]["m_probability"] = (
        name_levels[1]["m_probability"],
        name_levels[-1]["m_probability"],
    )
    subset = {s: features[s] for s in ("fhrs", "companies_house", "nmw_naming")}
    models, origins = cascade.train_models(subset, base=base, base_origin="EM on these tables")
    assert set(models) == {
        "fhrs->companies_house",
        "nmw_naming->fhrs",
        "nmw_naming->companies_house",
    }
    for key, model in models.items():
        assert _m_values(model) == _m_values(base), key
        assert "EM on these tables" in origins[key], key


def _blanked(frames: dict[str, pl.DataFrame], blank: str | None) -> dict[str, pl.DataFrame]:
    """The frames with every name and postcode column set to `blank`; ids, addresses and
    activities kept as they were."""
    return {
        source: frame.with_columns(
            pl.lit(blank, dtype=pl.String).alias(c)
            for c in frame.columns
            if c in NAME_COLUMNS | POSTCODE_COLUMNS
        )
        for source, frame in frames.items()
    }


# Staging gives null for a missing postcode; a blank string is what a careless upstream
# change (or another caller) would pass: features read it as null, as exact.name_keys does
# (before that fix, '' = '' blocked every blank record with every other).
@pytest.mark.parametrize(
    "blank",
    [
        None,
        "",
        "  ",
    ],
)
def test_records_without_names_or_postcodes_never_link(frames, models, thresholds, blank):
    bad = _blanked(frames, blank)
    assert set(bad) == set(STAGING_INPUTS)
    links = cascade.link_records(bad, models, thresholds)
    per_type = {
        link_type: links.filter(
            (pl.col("left_source") == link_type[0]) & (pl.col("right_source") == link_type[1])
        ).height
        for link_type in LINK_TYPES
    }
    assert per_type == dict.fromkeys(LINK_TYPES, 0)


def test_a_name_shared_across_postcode_areas_is_never_accepted(frames, models, thresholds):
    """The town's first premises and company are "Golden Anchor Kebab House" in LS; the
    same name in four other areas, in every source, must not be accepted as them."""
    name = "Golden Anchor Kebab House"
    elsewhere = {
        "fhrs": staging_frame(
            "fhrs",
            [
                {
                    "record_id": "B-1",
                    "business_name": name,
                    "business_type": "Takeaway/sandwich shop",
                    "address_line_1": "1 Kirkgate",
                    "postcode": "B1 1AA",
                }
            ],
        ),
        "companies_house": staging_frame(
            "companies_house",
            [
                {
                    "record_id": "M-1",
                    "company_name": f"{name} LTD",
                    "primary_sic_code": "56103",
                    "address_line_1": "1 Kirkgate",
                    "postcode": "M1 1AE",
                }
            ],
        ),
        "illegal_working": staging_frame(
            "illegal_working",
            [
                {
                    "record_id": "NE-1",
                    "liable_party": name,
                    "street_address": "1 Kirkgate",
                    "postcode": "NE1 1AA",
                }
            ],
        ),
        "nmw_naming": staging_frame(
            "nmw_naming",
            [
                {
                    "record_id": "CF-1",
                    "employer_name": f"{name} Limited",
                    "postcode_district": "CF10",
                }
            ],
        ),
    }
    combined = {s: pl.concat([frames[s], elsewhere[s]]) for s in frames}
    links = cascade.link_records(combined, models, thresholds)
    lookalikes = {"B-1", "M-1", "NE-1", "CF-1"}
    touching = links.filter(
        pl.col("left_record_id").is_in(lookalikes) | pl.col("right_record_id").is_in(lookalikes)
    )
    assert touching.filter(pl.col("link_status") == "accepted").is_empty()
    # Nor is it even a candidate: every blocking rule demands a shared location.
    assert touching.is_empty()
    # The originals still link to each other: the name is not what failed.
    assert (
        links.filter(
            (pl.col("left_record_id") == "100000") & (pl.col("right_record_id") == "00000000")
        ).height
        == 1
    )


def test_an_enforcement_entry_matching_only_by_address_is_never_accepted(frames, models):
    """A shop unit changes hands: a penalty at a premises' address under another name
    stays "possible", however low the accept threshold."""
    premises = frames["fhrs"].row(0, named=True)
    tenant = {
        "record_id": "IW-next",
        "liable_party": "Pennine Dental Care",
        "street_address": premises["address_line_1"],
        "postcode": premises["postcode"],
    }
    combined = frames | {
        "illegal_working": pl.concat(
            [frames["illegal_working"], staging_frame("illegal_working", [tenant])]
        )
    }
    permissive = {link_type: Thresholds(accept=1e-6, possible=1e-6) for link_type in LINK_TYPES}
    links = cascade.link_records(combined, models, permissive)
    found = links.filter(
        (pl.col("left_record_id") == "IW-next")
        & (pl.col("right_record_id") == premises["record_id"])
    )
    assert found.height == 1, "the pair must be scored for the test to mean anything"
    assert found.row(0, named=True)["link_status"] == "possible"
    # A premises <-> company pair needs no name at an address that pairs them alone.
    assert "accepted" in set(
        links.filter(
            (pl.col("left_source") == "fhrs") & (pl.col("match_rule") == cascade.RULE_SPLINK)
        )["link_status"]
    )


def _pairs(*rows: tuple[str, str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["left_record_id", "right_record_id", "weight_name"], orient="row"
    )


def _addresses(**keys: str | None) -> pl.DataFrame:
    return pl.DataFrame(
        {"unique_id": list(keys), "address_key": list(keys.values())},
        schema={"unique_id": pl.String, "address_key": pl.String},
    )


def test_an_enforcement_entry_is_acceptable_only_when_a_name_agrees():
    scored = _pairs(("E1", "P1", 2.0), ("E2", "P2", 0.0), ("E3", "P3", -3.0), ("E4", "P4", None))
    places = _addresses(E1="a", E2="a", E3="a", E4="a", P1="a", P2="a", P3="a", P4="a")
    for source in cascade.ENFORCEMENT_SOURCES:
        allowed = cascade.acceptable_pairs(scored, places, places, source).to_list()
        assert allowed == [True, False, False, False]


def test_a_premises_and_a_company_without_a_name_need_one_address_that_pairs_them_alone():
    scored = _pairs(
        ("P1", "C1", 5.0),  # a name agrees: acceptable wherever they are
        ("P2", "C2", -1.0),  # the same full address, nothing else there: acceptable
        ("P3", "C3", -1.0),  # the same postcode, another address: not
        ("P4", "C4", -1.0),  # one registered office at the address of two premises: neither
        ("P5", "C4", -1.0),
    )
    premises = _addresses(P1="x", P2="a", P3="b", P4="d", P5="d")
    companies = _addresses(C1="y", C2="a", C3="c", C4="d")
    allowed = cascade.acceptable_pairs(scored, premises, companies, "fhrs").to_list()
    assert allowed == [True, True, False, False, False]


def test_link_records_reports_progress_per_tier_and_link_type(frames, models, thresholds):
    heard: list[str] = []
    cascade.link_records(frames, models, thresholds, emit=heard.append)
    assert heard[0].startswith("linkage: features of")
    assert heard[1].startswith("linkage: exact tiers found")
    scored = [line for line in heard if " scored, " in line]
    assert [line.split()[1] for line in scored] == list(models)


def _company_links(*rows: tuple[str, str, str, float]) -> pl.DataFrame:
    """Accepted premises -> company links (premises, company, rule, probability), and one
    enforcement link that the premises rule must leave alone."""
    links = [
        ("fhrs", premises, "companies_house", company, probability, rule, "accepted")
        for premises, company, rule, probability in rows
    ]
    links.append(("nmw_naming", "N1", "companies_house", "C1", 0.9, "splink", "accepted"))
    return pl.DataFrame(links, schema=list(cascade.exact.LINKS_SCHEMA), orient="row")


def _statuses(links: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {
        (row["left_record_id"], row["right_record_id"]): row["link_status"]
        for row in links.iter_rows(named=True)
    }


def test_a_premises_keeps_only_its_best_company_link_accepted():
    links = _company_links(
        ("P1", "C1", RULE_NAME_POSTCODE, 1.0),
        ("P1", "C2", "splink", 0.999),
        ("P2", "C3", "splink", 0.7),
        ("P2", "C4", "splink", 0.9),
    )
    assert _statuses(cascade.one_company_per_premises(links)) == {
        ("P1", "C1"): "accepted",
        ("P1", "C2"): "possible",
        ("P2", "C3"): "possible",
        ("P2", "C4"): "accepted",
        ("N1", "C1"): "accepted",
    }


def test_a_premises_whose_two_best_company_links_tie_keeps_neither_accepted():
    links = _company_links(("P1", "C1", "splink", 0.9), ("P1", "C2", "splink", 0.9))
    statuses = _statuses(cascade.one_company_per_premises(links))
    assert statuses[("P1", "C1")] == statuses[("P1", "C2")] == "possible"


def test_two_exact_company_links_of_a_premises_both_stay_accepted():
    links = _company_links(
        ("P1", "C1", RULE_NAME_POSTCODE, 1.0),
        ("P1", "C2", RULE_NAME_POSTCODE, 1.0),
        ("P1", "C3", "splink", 0.99),
    )
    statuses = _statuses(cascade.one_company_per_premises(links))
    assert statuses[("P1", "C1")] == statuses[("P1", "C2")] == "accepted"
    assert statuses[("P1", "C3")] == "possible"


def test_calibration_scores_only_the_companies_a_premises_could_keep_accepted():
    scored = pl.DataFrame(
        {
            "left_record_id": ["P1", "P1", "P2", "P2", "P3", "P4", "P4", "P4"],
            "right_record_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
            "match_probability": [0.4, 0.9, 0.8, 0.8, 0.1, 1.0, 1.0, 0.9],
        }
    )
    best = cascade.best_company_per_premises(scored)
    assert best.select("left_record_id", "right_record_id").rows() == [
        ("P1", "C2"),
        ("P3", "C5"),
        ("P4", "C6"),
        ("P4", "C7"),
    ]


def test_published_links_give_each_premises_at_most_one_accepted_company(links):
    accepted = links.filter(
        (pl.col("left_source") == "fhrs")
        & (pl.col("right_source") == "companies_house")
        & (pl.col("link_status") == "accepted")
    )
    assert not accepted.is_empty()
    assert accepted["left_record_id"].is_unique().all()
