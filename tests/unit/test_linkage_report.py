"""The accuracy report and its baselines, on hand-made records."""

from __future__ import annotations

import polars as pl

from heyrick_dagster.linkage import baselines, features, report


def _features(source: str, rows: list[tuple]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={"record_id": pl.String, "business_name": pl.String, "postcode": pl.String},
        orient="row",
    ).with_columns(
        pl.lit(None, dtype=pl.String).alias(c)
        for c in ("business_type", "address_line_1", "address_line_2", "address_line_3")
    )
    return features.record_features(
        frame.with_columns(
            pl.col("postcode").str.split(" ").list.first().alias("postcode_district")
        ),
        source,
    )


def test_fuzzy_name_only_links_alike_names_anywhere_and_nothing_else():
    left = _features(
        "fhrs", [("1", "Golden Kebab House", "SE6 7NG"), ("2", "Perry Fish Bar", "E1 4LW")]
    )
    right = _features(
        "fhrs",
        [
            ("a", "Golden Kebab Houses", "CF10 1AA"),
            ("b", "Golden Dragon", "SE6 7NG"),
            ("c", None, "E1 4LW"),
        ],
    )
    pairs = baselines.fuzzy_name_only(left, right)
    assert set(pairs.iter_rows()) == {("1", "a")}


def test_render_states_the_sample_is_synthetic_and_prints_each_method():
    accuracy = pl.DataFrame(
        [
            {
                "method": m,
                "left_source": "fhrs",
                "right_source": "companies_house",
                "links": 10,
                "true_positives": 9,
                "true_pairs": 12,
                "precision": 0.9,
                "recall": 0.75,
                "f1": 0.818,
            }
            for m in report.METHODS
        ]
    )
    text = report.render(accuracy, None)
    assert "SYNTHETIC" in text
    for method in report.METHODS:
        assert (
            f"| fhrs -> companies_house | {method} | 10 | 9 | 12 | 0.900 | 0.750 | 0.818 |" in text
        )
    assert "accept >=" in text  # the thresholds and their curve follow
