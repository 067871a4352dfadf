"""The Splink model on a small synthetic town (tests/support/linkage_frames.py): training,
regularising, scoring, and carrying the model to an enforcement list."""

from __future__ import annotations

import copy

import polars as pl
import pytest

from heyrick_dagster.linkage import cascade, splink_model
from heyrick_dagster.linkage.features import record_features
from tests.support.linkage_frames import premises_and_companies, staging_frame

SCORE_COLUMNS = [
    "left_record_id",
    "right_record_id",
    "match_probability",
    "match_weight",
    "weight_name",
    "weight_location",
    "weight_activity",
]


@pytest.fixture(scope="module")
def town():
    return premises_and_companies()


@pytest.fixture(scope="module")
def premises(town):
    return record_features(town.premises, "fhrs")


@pytest.fixture(scope="module")
def companies(town):
    return record_features(town.companies, "companies_house")


@pytest.fixture(scope="module")
def model(premises, companies):
    return splink_model.train(premises, companies, "fhrs", "companies_house")


@pytest.fixture(scope="module")
def scored(premises, companies, model, town):
    """Every blocked pair, marked true or not by the town's construction."""
    pairs = splink_model.score(premises, companies, model, threshold=0.0)
    truth = town.true_pairs.with_columns(pl.lit(True).alias("true"))
    return pairs.join(truth, on=["left_record_id", "right_record_id"], how="left").with_columns(
        pl.col("true").fill_null(False)
    )


def _trained_levels(model):
    for comparison in model["comparisons"]:
        yield (
            comparison,
            [level for level in comparison["comparison_levels"] if "m_probability" in level],
        )


def _hand_made_model():
    """Two comparisons as Splink saves them: a null level (no m), trained levels, one level
    EM drove to nothing."""
    return {
        "comparisons": [
            {
                "output_column_name": "name",
                "comparison_levels": [
                    {"sql_condition": "name_l is null", "is_null_level": True},
                    {
                        "sql_condition": "name_l = name_r",
                        "m_probability": 0.6,
                        "u_probability": 0.01,
                    },
                    {"sql_condition": "jw >= 0.9", "m_probability": 0.4, "u_probability": 0.09},
                    {"sql_condition": "ELSE", "m_probability": 1e-50, "u_probability": 0.9},
                ],
            },
            {
                "output_column_name": "activity",
                "comparison_levels": [
                    {"sql_condition": "a_l = a_r", "m_probability": 0.7, "u_probability": 0.8},
                    {"sql_condition": "ELSE", "m_probability": 0.3, "u_probability": 0.2},
                ],
            },
        ]
    }


def test_training_leaves_every_comparison_a_distribution_with_no_veto_level(model):
    """Flooring then renormalising keeps each trained m within one renormalisation of the
    floor: no field can veto a pair whatever else agrees."""
    for comparison, levels in _trained_levels(model):
        ms = [level["m_probability"] for level in levels]
        assert sum(ms) == pytest.approx(1.0), comparison["output_column_name"]
        lowest_after_renormalising = splink_model.M_FLOOR / (1 + len(ms) * splink_model.M_FLOOR)
        assert min(ms) >= lowest_after_renormalising, comparison["output_column_name"]
    assert 0 < model["probability_two_random_records_match"] < 1


def test_training_saves_every_comparison_of_the_settings(model):
    names = [c["output_column_name"] for c in model["comparisons"]]
    assert names == list(splink_model.COMPARISONS)


def test_training_is_deterministic(premises, companies, model):
    again = splink_model.train(premises, companies, "fhrs", "companies_house")
    assert again == model


def test_score_returns_the_documented_columns_at_or_above_the_threshold(
    premises, companies, model, scored
):
    strict = splink_model.score(premises, companies, model, threshold=0.5)
    assert strict.columns == SCORE_COLUMNS
    assert strict.schema == pl.Schema(
        {c: pl.String if c.endswith("_id") else pl.Float64 for c in SCORE_COLUMNS}
    )
    assert strict["match_probability"].min() >= 0.5
    # Raising the threshold only drops pairs: those kept are exactly the ones above it.
    above = scored.filter(pl.col("match_probability") >= 0.5)
    assert set(strict.select("left_record_id", "right_record_id").iter_rows()) == set(
        above.select("left_record_id", "right_record_id").iter_rows()
    )


def test_score_weights_say_which_comparison_made_the_score(scored):
    slot = pl.col("right_record_id").str.slice(7)
    own_slot = pl.col("left_record_id").str.slice(5) == slot
    # An unrelated company in the premises' own building: the address for, the name against.
    same_building = scored.filter(own_slot & slot.is_in(["5", "6"]))
    # The premises' own name at the accountant's: the name for, the address much less so.
    accountant = scored.filter(pl.col("true") & (slot == "3"))
    assert same_building.height and accountant.height
    assert (same_building["weight_location"] > 0).all()
    assert (same_building["weight_name"] < 0).all()
    assert (accountant["weight_name"] > 0).all()
    assert accountant["weight_location"].max() < same_building["weight_location"].min()


def test_a_trading_name_equal_to_the_premises_name_outweighs_a_misspelt_name(scored):
    """Slot 2 trades as the premises' exact name under an unrelated registered name; slot 4
    has the premises' name with one letter added. Every name of one record is compared
    with every name of the other, so the exact trading name is the stronger evidence."""
    slot = pl.col("right_record_id").str.slice(7)
    trading_as = scored.filter(pl.col("true") & (slot == "2"))["weight_name"]
    misspelt = scored.filter(pl.col("true") & (slot == "4"))["weight_name"]
    assert trading_as.len() == misspelt.len() == 30
    assert trading_as.min() > misspelt.max() > 0


def test_score_puts_the_left_table_ids_on_the_left_whichever_order_splink_uses(
    premises, companies, model
):
    forward = splink_model.score(premises, companies, model, threshold=0.5)
    backward = splink_model.score(companies, premises, model, threshold=0.5)
    assert set(forward["left_record_id"]) <= set(premises["unique_id"])
    assert set(forward["right_record_id"]) <= set(companies["unique_id"])
    assert set(backward["left_record_id"]) <= set(companies["unique_id"])
    assert set(backward.select("right_record_id", "left_record_id").iter_rows()) == set(
        forward.select("left_record_id", "right_record_id").iter_rows()
    )


def test_score_of_an_empty_table_is_an_empty_frame_of_the_same_columns(premises, model):
    empty = premises.clear()
    for left, right in ((empty, premises), (premises, empty)):
        result = splink_model.score(left, right, model, threshold=0.0)
        assert result.is_empty() and result.columns == SCORE_COLUMNS


def test_true_pairs_outscore_the_other_pairs_at_the_same_postcodes(scored, town):
    found = scored.filter("true")
    assert found.height == town.true_pairs.height, "blocking lost a true pair"
    true_mean = found["match_weight"].mean()
    others = scored.filter(~pl.col("true"))
    assert true_mean > others["match_weight"].mean()
    # The decoys in the very same building, with an unrelated name and another activity.
    assert true_mean > others["match_weight"].max()


def test_each_premises_with_a_company_ranks_that_company_first(scored, town):
    best = (
        scored.sort("match_weight", descending=True)
        .group_by("left_record_id", maintain_order=True)
        .first()
        .select("left_record_id", "right_record_id")
    )
    truth = set(town.true_pairs.iter_rows())
    wrong = [pair for pair in best.iter_rows() if pair[0] in dict(truth) and pair not in truth]
    assert wrong == []


def test_a_name_alone_never_makes_a_candidate_pair(premises, companies, model, town):
    """The town's first premises is "Golden Anchor Kebab House", 1 Kirkgate, LS; the same
    name at the same number and street in Manchester is not even scored."""
    elsewhere = town.premises.head(1).with_columns(
        record_id=pl.lit("M-1"), postcode=pl.lit("M1 1AE"), postcode_district=pl.lit("M1")
    )
    lookalike = record_features(elsewhere, "fhrs")
    assert lookalike["name_full"].item() == premises["name_full"][0]
    every_pair = splink_model.score(lookalike, companies, model, threshold=0.0)
    assert every_pair.is_empty()


def test_a_premises_company_registered_at_the_accountants_still_outscores_its_neighbours(scored):
    # Slot j = 3 of each postcode: the same name, the accountant's postcode and street.
    accountant = scored.filter(pl.col("true") & (pl.col("right_record_id").str.slice(7) == "3"))
    assert accountant.height == 30
    neighbours = scored.filter(~pl.col("true"))
    assert accountant["match_weight"].min() > neighbours["match_weight"].median()


def test_regularise_raises_a_level_em_drove_to_nothing_and_renormalises():
    model = splink_model.regularise(_hand_made_model())
    name = model["comparisons"][0]["comparison_levels"]
    ms = [level.get("m_probability") for level in name]
    assert ms[0] is None  # the null level has no m and gets none
    assert sum(ms[1:]) == pytest.approx(1.0)
    assert ms[3] > 1e-3
    # The levels above the floor keep their ratio.
    assert ms[1] / ms[2] == pytest.approx(0.6 / 0.4)


def test_regularise_leaves_a_comparison_with_no_level_below_the_floor_unchanged():
    original = _hand_made_model()
    activity = splink_model.regularise(copy.deepcopy(original))["comparisons"][1]
    assert activity == original["comparisons"][1]


def test_regularise_uses_the_floor_it_is_given():
    loose = splink_model.regularise(_hand_made_model(), floor=0.2)
    ms = [level["m_probability"] for level in loose["comparisons"][0]["comparison_levels"][1:]]
    # The floored level sits at the floor exactly; the others share the rest.
    assert ms == pytest.approx([0.6 * 0.8, 0.4 * 0.8, 0.2])


def test_regularise_never_touches_u():
    model = splink_model.regularise(_hand_made_model())
    us = [
        level.get("u_probability")
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    assert us == [None, 0.01, 0.09, 0.9, 0.8, 0.2]


def test_regularise_keeps_every_m_at_or_above_the_floor():
    model = splink_model.regularise(_hand_made_model())
    for _, levels in _trained_levels(model):
        assert min(level["m_probability"] for level in levels) >= splink_model.M_FLOOR


def _penalties(town, covered: int, uncovered: int) -> pl.DataFrame:
    """`covered` entries named after premises at their postcodes, and `uncovered` entries
    in a district with no premises (NE99)."""
    names = town.premises.select("business_name", "postcode").head(covered).rows()
    rows = [
        {"record_id": f"IW{i}", "liable_party": name, "postcode": postcode}
        for i, (name, postcode) in enumerate(names)
    ]
    rows += [
        {"record_id": f"IW-NE{i}", "liable_party": f"Tyne Works {i}", "postcode": f"NE99 {i}AA"}
        for i in range(uncovered)
    ]
    return record_features(staging_frame("illegal_working", rows), "illegal_working")


def test_adapt_keeps_m_and_re_estimates_u_and_the_prior(model, premises, town):
    before = copy.deepcopy(model)
    penalties = _penalties(town, covered=30, uncovered=10)
    adapted = splink_model.adapt(model, penalties, premises, "illegal_working", "fhrs")

    assert model == before, "adapt changed the base model"
    pairs = [
        (base_level, new_level)
        for base_c, new_c in zip(model["comparisons"], adapted["comparisons"], strict=True)
        for base_level, new_level in zip(
            base_c["comparison_levels"], new_c["comparison_levels"], strict=True
        )
    ]
    assert all(b.get("m_probability") == a.get("m_probability") for b, a in pairs)
    assert any(b.get("u_probability") != a.get("u_probability") for b, a in pairs)
    # 30 of the 40 entries are in a district the premises cover; 300 premises.
    assert adapted["probability_two_random_records_match"] == pytest.approx((30 / 40) / 300)
    assert adapted["linker_uid"].endswith(":illegal_working:fhrs")


def test_adapt_gives_at_least_one_expected_match_when_no_district_is_covered(model, premises, town):
    penalties = _penalties(town, covered=0, uncovered=4)
    adapted = splink_model.adapt(model, penalties, premises, "illegal_working", "fhrs")
    assert adapted["probability_two_random_records_match"] == pytest.approx((1 / 4) / 300)


def test_an_adapted_model_ranks_the_premises_an_entry_is_named_after_first(model, premises, town):
    penalties = _penalties(town, covered=30, uncovered=10)
    adapted = splink_model.adapt(model, penalties, premises, "illegal_working", "fhrs")
    scored = splink_model.score(penalties, premises, adapted, threshold=0.0)
    best = (
        scored.sort("match_weight", descending=True)
        .group_by("left_record_id", maintain_order=True)
        .first()
    )
    assert sorted(best.select("left_record_id", "right_record_id").iter_rows()) == sorted(
        (f"IW{i}", str(100000 + i)) for i in range(30)
    )
    # No premises is in NE99: blocking demands a shared location, so those entries have no pair.
    assert not scored["left_record_id"].str.starts_with("IW-NE").any()


@pytest.mark.parametrize("which", ["trained on the town", "committed reference"])
def test_a_model_gives_every_level_an_m(which, model):
    chosen = model if which == "trained on the town" else cascade.read_reference_model()
    untrained = [
        (comparison["output_column_name"], level["label_for_charts"])
        for comparison in chosen["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level") and "m_probability" not in level
    ]
    assert untrained == []


def test_a_trained_model_takes_the_structural_prior_not_ems(model, premises, companies):
    assert model["probability_two_random_records_match"] == pytest.approx(
        splink_model.structural_prior(premises, companies)
    )


def test_a_name_shared_by_many_premises_of_the_area_weighs_less_than_a_unique_one():
    """Two premises at other postcodes of one district carry the same company trading name:
    "Costa Coffee" (ten premises of the area) and "Hilltop Canteen" (one)."""
    premises = [
        {"record_id": f"P{i}", "business_name": "Costa Coffee", "postcode": f"SE13 {i}AA"}
        for i in range(10)
    ]
    premises.append({"record_id": "PH", "business_name": "Hilltop Canteen", "postcode": "SE13 5ZZ"})
    companies = [
        {"record_id": "CC", "company_name": "A&S FOODS LTD", "trading_name": "Costa Coffee",
         "postcode": "SE13 9XX"},
        {"record_id": "CH", "company_name": "B&T FOODS LTD", "trading_name": "Hilltop Canteen",
         "postcode": "SE13 8XX"},
    ]  # fmt: skip
    left = record_features(staging_frame("fhrs", premises), "fhrs")
    right = record_features(staging_frame("companies_house", companies), "companies_house")
    reference = cascade.read_reference_model()
    scored = splink_model.score(left, right, reference, threshold=0.0)
    weight = dict(zip(scored["right_record_id"], scored["weight_name"], strict=False))
    assert weight["CH"] > weight["CC"] + 3  # bits


def test_location_u_is_the_share_of_pairs_at_each_nested_level():
    premises = record_features(
        staging_frame(
            "fhrs",
            [
                {"record_id": "P1", "address_line_1": "4 High Street", "postcode": "SE13 6JG"},
                {"record_id": "P2", "address_line_1": "9 Low Road", "postcode": "SE13 6AB"},
            ],
        ),
        "fhrs",
    )
    companies = record_features(
        staging_frame(
            "companies_house",
            [
                {"record_id": "C1", "address_line_1": "4 High Street", "postcode": "SE13 6JG"},
                {"record_id": "C2", "address_line_1": "1 Hill Road", "postcode": "SE13 6JG"},
                {"record_id": "C3", "address_line_1": "2 Far Lane", "postcode": "BD7 1NQ"},
            ],
        ),
        "companies_house",
    )
    model = splink_model.with_location_u(
        copy.deepcopy(cascade.read_reference_model()), premises, companies
    )
    location = next(c for c in model["comparisons"] if c["output_column_name"] == "location")
    u = {lvl["label_for_charts"]: lvl.get("u_probability") for lvl in location["comparison_levels"]}
    # 6 pairs: P1-C1 one address; P1-C2 one postcode; P2-C1, P2-C2 one sector; P*-C3 none.
    assert u["Exact match on address_key"] == pytest.approx(1 / 6)
    assert u["same postcode"] == pytest.approx(1 / 6)
    assert u["same sector"] == pytest.approx(2 / 6)
    assert u["same district"] == u["same area"] == pytest.approx(1 / 6)  # no pair: one's share
    assert u["All other comparisons"] > 0  # floored: the floors above overfill a 6-pair world
