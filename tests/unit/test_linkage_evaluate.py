"""Precision, recall and F1 of links against the truth, counting pairs."""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster.linkage.evaluate import evaluate, format_report, truth_pairs

TRUTH = pl.DataFrame(
    {
        "source": ["fhrs", "fhrs", "fhrs", "companies_house", "companies_house", "illegal_working"],
        "record_id": ["1", "2", "3", "00000001", "00000002", "2024Q1#1"],
        "entity_id": ["B1", "B1", "B2", "B1", "B2", "B2"],
    }
)


def _links(*pairs, left="fhrs", right="companies_house"):
    return pl.DataFrame(
        [(left, a, right, b, 1.0, "exact_name_postcode", "accepted") for a, b in pairs],
        schema=[
            "left_source",
            "left_record_id",
            "right_source",
            "right_record_id",
            "match_probability",
            "match_rule",
            "link_status",
        ],
        orient="row",
    )


def test_truth_pairs_are_every_cross_source_pair_of_an_entity():
    pairs = truth_pairs(TRUTH, "fhrs", "companies_house")
    assert set(pairs.iter_rows()) == {("1", "00000001"), ("2", "00000001"), ("3", "00000002")}


def test_truth_pairs_within_one_source_are_unordered_and_exclude_self():
    assert set(truth_pairs(TRUTH, "fhrs", "fhrs").iter_rows()) == {("1", "2")}


def test_evaluate_counts_true_and_false_links():
    # one right, one wrong (3 is B2, company 1 is B1), one to a record the truth lacks
    links = _links(("1", "00000001"), ("3", "00000001"), ("2", "09999999"))
    row = evaluate(links, TRUTH).row(0, named=True)
    assert (row["links"], row["true_positives"], row["true_pairs"]) == (3, 1, 3)
    assert row["precision"] == pytest.approx(1 / 3)
    assert row["recall"] == pytest.approx(1 / 3)
    assert row["f1"] == pytest.approx(1 / 3)


def test_evaluate_counts_a_duplicated_link_once():
    row = evaluate(_links(("1", "00000001"), ("1", "00000001")), TRUTH).row(0, named=True)
    assert (row["links"], row["precision"]) == (1, 1.0)


def test_a_link_type_without_links_has_zero_recall_and_no_precision():
    report = evaluate(_links(("1", "00000001")), TRUTH, [("illegal_working", "fhrs")])
    row = report.filter(pl.col("left_source") == "illegal_working").row(0, named=True)
    assert (row["links"], row["true_pairs"], row["precision"], row["recall"]) == (0, 1, None, 0.0)
    text = format_report(report)
    assert "illegal_working <-> fhrs" in text and "fhrs <-> companies_house" in text


def test_cluster_purity_counts_businesses_joining_two_true_entities():
    from heyrick_dagster.linkage.evaluate import cluster_purity

    bridge = pl.DataFrame(
        {
            "business_id": ["B1", "B1", "B2", "B2", "B3"],
            "source": ["fhrs", "companies_house", "fhrs", "fhrs", "fhrs"],
            "record_id": ["1", "00000001", "2", "3", "4"],
        }
    )
    truth = pl.DataFrame(
        {
            "source": ["fhrs", "companies_house", "fhrs", "fhrs", "fhrs"],
            "record_id": ["1", "00000001", "2", "3", "4"],
            "entity_id": ["E1", "E1", "E2", "E3", "E4"],
        }
    )
    assert cluster_purity(bridge, truth) == {
        "businesses": 3,
        "businesses_with_several_records": 2,
        "over_merged_businesses": 1,
        "records_in_over_merged": 2,
    }
