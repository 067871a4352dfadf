"""Precision and recall of links over a hand-labelled set of pairs, on hand-made frames."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from heyrick_dagster.linkage.labelled import (
    LabelsError,
    evaluate_labelled,
    read_labels,
    validate_labels,
)

HEADER = "left_source,left_record_id,right_source,right_record_id,verdict,kind"


def _labels(*rows):
    return pl.DataFrame(
        rows,
        schema=[
            "left_source",
            "left_record_id",
            "right_source",
            "right_record_id",
            "verdict",
            "kind",
        ],
        orient="row",
    )


def _links(*rows):
    return pl.DataFrame(
        [
            (ls, lid, rs, rid, 1.0, "exact_name_postcode", status)
            for ls, lid, rs, rid, status in rows
        ],
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


LABELS = _labels(
    ("illegal_working", "2024Q3#1", "fhrs", "10", "match", "candidate"),
    ("illegal_working", "2024Q3#2", "fhrs", "20", "match", "candidate"),
    ("illegal_working", "2024Q3#2", "fhrs", "21", "non_match", "hard_negative_same_postcode"),
    ("illegal_working", "2024Q3#3", "fhrs", "30", "non_match", "hard_negative_same_name"),
    ("illegal_working", "2024Q3#4", "fhrs", "40", "unsure", "candidate"),
    ("fhrs", "10", "companies_house", "00000001", "match", "candidate"),
    ("fhrs", "11", "companies_house", "00000002", "non_match", "candidate"),
)


def _row(report, left, right):
    rows = report.filter((pl.col("left_source") == left) & (pl.col("right_source") == right))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_precision_and_recall_count_only_labelled_pairs_and_skip_unsure_ones():
    links = _links(
        ("illegal_working", "2024Q3#1", "fhrs", "10", "accepted"),  # true positive
        ("illegal_working", "2024Q3#3", "fhrs", "30", "accepted"),  # false positive
        ("illegal_working", "2024Q3#4", "fhrs", "40", "accepted"),  # unsure: not counted
        ("illegal_working", "2024Q3#9", "fhrs", "99", "accepted"),  # unlabelled: not counted
    )
    row = _row(evaluate_labelled(links, LABELS), "illegal_working", "fhrs")
    assert row["labelled_pairs"] == 4
    assert row["matches"] == 2
    assert row["linked"] == 2
    assert row["true_positives"] == 1
    assert row["precision"] == pytest.approx(0.5)
    assert row["recall"] == pytest.approx(0.5)


def test_a_link_in_the_other_orientation_counts_as_the_labelled_pair():
    links = _links(
        ("fhrs", "20", "illegal_working", "2024Q3#2", "accepted"),
        ("companies_house", "00000001", "fhrs", "10", "accepted"),
    )
    report = evaluate_labelled(links, LABELS)
    assert _row(report, "illegal_working", "fhrs")["true_positives"] == 1
    assert _row(report, "fhrs", "companies_house")["recall"] == pytest.approx(1.0)


def test_possible_links_count_only_when_asked_for():
    links = _links(("illegal_working", "2024Q3#2", "fhrs", "21", "possible"))
    accepted_only = _row(evaluate_labelled(links, LABELS), "illegal_working", "fhrs")
    with_possible = _row(
        evaluate_labelled(links, LABELS, include_possible=True), "illegal_working", "fhrs"
    )
    assert accepted_only["linked"] == 0 and accepted_only["precision"] is None
    assert with_possible["linked"] == 1 and with_possible["precision"] == pytest.approx(0.0)


def test_precision_is_none_without_links_and_recall_none_without_matches():
    labels = _labels(("fhrs", "11", "companies_house", "00000002", "non_match", "candidate"))
    row = _row(evaluate_labelled(_links(), labels), "fhrs", "companies_house")
    assert row["precision"] is None
    assert row["recall"] is None
    assert row["labelled_pairs"] == 1


def test_the_same_link_twice_is_counted_once():
    links = _links(
        ("illegal_working", "2024Q3#1", "fhrs", "10", "accepted"),
        ("fhrs", "10", "illegal_working", "2024Q3#1", "accepted"),
    )
    assert _row(evaluate_labelled(links, LABELS), "illegal_working", "fhrs")["linked"] == 1


def test_read_labels_keeps_ids_as_text(tmp_path: Path):
    path = tmp_path / "labels.csv"
    path.write_text(f"{HEADER}\nfhrs,0010,companies_house,00000001,match,candidate\n")
    labels = read_labels(path)
    assert labels["left_record_id"].to_list() == ["0010"]
    assert labels["right_record_id"].to_list() == ["00000001"]


def test_read_labels_fails_naming_the_row_of_an_unknown_verdict(tmp_path: Path):
    path = tmp_path / "labels.csv"
    path.write_text(
        f"{HEADER}\nfhrs,1,companies_house,00000001,match,candidate\n"
        "fhrs,2,companies_house,00000002,maybe,candidate\n"
    )
    with pytest.raises(LabelsError, match=r"verdict 'maybe' on row 3"):
        read_labels(path)


def test_labels_fail_on_an_unknown_kind():
    labels = _labels(("fhrs", "1", "companies_house", "2", "match", "easy"))
    with pytest.raises(LabelsError, match="kind 'easy'"):
        validate_labels(labels)


def test_labels_fail_when_a_column_is_missing():
    with pytest.raises(LabelsError, match=r"missing column\(s\) \['kind'\]"):
        validate_labels(LABELS.drop("kind"))


def test_labels_fail_on_a_blank_record_id():
    labels = _labels(("fhrs", "", "companies_house", "2", "match", "candidate"))
    with pytest.raises(LabelsError, match=r"blank values on row\(s\) \[2\]"):
        validate_labels(labels)


def test_labels_fail_when_a_pair_is_labelled_twice_in_either_orientation():
    labels = _labels(
        ("illegal_working", "2024Q3#1", "fhrs", "10", "match", "candidate"),
        ("fhrs", "10", "illegal_working", "2024Q3#1", "non_match", "candidate"),
    )
    with pytest.raises(LabelsError, match=r"more than once, rows \[2, 3\]"):
        validate_labels(labels)
