"""Precision and recall of links against a hand-labelled set of record pairs.

The sample has a complete truth (evaluate.py); real data has only the pairs a person
looked at (tests/fixtures/linkage/real_labels.csv, built with label_candidates.py).
So on real data both measures are taken over the LABELLED pairs only:

- precision = linked labelled pairs that are matches / linked labelled pairs
  (a link between two records nobody labelled is neither right nor wrong here);
- recall    = labelled matches that were linked / labelled matches.

`unsure` labels are kept in the file (so nobody labels the pair again) but count in
neither measure. A pair may appear in either orientation in the links
(illegal_working -> fhrs or fhrs -> illegal_working): both sides are compared
unordered, and the report uses the labels' orientation.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

LABEL_COLUMNS = (
    "left_source",
    "left_record_id",
    "right_source",
    "right_record_id",
    "verdict",
    "kind",
)
VERDICTS = frozenset({"match", "non_match", "unsure"})
# Why a pair is in the set (tests/fixtures/linkage/README.md says what each means).
KINDS = frozenset(
    {
        "candidate",
        "hard_negative_same_postcode",
        "hard_negative_same_address",
        "hard_negative_same_name",
    }
)
LINK_STATUSES = ("accepted", "possible")

REPORT_SCHEMA: dict[str, pl.DataType] = {
    "left_source": pl.String,
    "right_source": pl.String,
    "labelled_pairs": pl.Int64,
    "matches": pl.Int64,
    "linked": pl.Int64,
    "true_positives": pl.Int64,
    "precision": pl.Float64,
    "recall": pl.Float64,
}


class LabelsError(ValueError):
    """The label file breaks its contract; the message names the file and the rows."""


def _unordered(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds `_key`: the pair as one string, the same whichever record is on the left."""
    left = pl.concat_str([pl.col("left_source"), pl.col("left_record_id")], separator="\x1f")
    right = pl.concat_str([pl.col("right_source"), pl.col("right_record_id")], separator="\x1f")
    return frame.with_columns(
        pl.concat_str(
            [pl.min_horizontal(left, right), pl.max_horizontal(left, right)], separator="\x1e"
        ).alias("_key")
    )


def validate_labels(labels: pl.DataFrame, origin: str = "labels") -> pl.DataFrame:
    """The columns, verdict and kind vocabularies, no blank ids, and no pair twice (in
    either orientation); returns the six columns as strings."""
    missing = [c for c in LABEL_COLUMNS if c not in labels.columns]
    if missing:
        raise LabelsError(f"{origin}: missing column(s) {missing}; expected {list(LABEL_COLUMNS)}")
    frame = labels.select([pl.col(c).cast(pl.String).str.strip_chars() for c in LABEL_COLUMNS])
    numbered = frame.with_row_index("_row", offset=2)  # row 1 of a CSV is the header
    blank = numbered.filter(
        pl.any_horizontal([pl.col(c).fill_null("") == "" for c in LABEL_COLUMNS])
    )
    if blank.height:
        raise LabelsError(f"{origin}: blank values on row(s) {blank['_row'].to_list()[:10]}")
    for column, allowed in (("verdict", VERDICTS), ("kind", KINDS)):
        bad = numbered.filter(~pl.col(column).is_in(sorted(allowed)))
        if bad.height:
            first = bad.row(0, named=True)
            raise LabelsError(
                f"{origin}: {column} {first[column]!r} on row {first['_row']} "
                f"({bad.height} row(s) in all); expected one of {sorted(allowed)}"
            )
    keyed = _unordered(numbered)
    twice = keyed.filter(pl.col("_key").is_duplicated())
    if twice.height:
        rows = twice["_row"].to_list()[:10]
        raise LabelsError(f"{origin}: the same pair is labelled more than once, rows {rows}")
    return frame


def read_labels(path: Path) -> pl.DataFrame:
    """The label CSV, validated (`validate_labels`); ids are read as text, never numbers."""
    frame = pl.read_csv(path, infer_schema=False)
    return validate_labels(frame, origin=str(path))


def evaluate_labelled(
    links: pl.DataFrame, labels: pl.DataFrame, include_possible: bool = False
) -> pl.DataFrame:
    """Per link type of the labels (left_source, right_source): labelled_pairs (match or
    non_match; unsure left out), matches, linked (labelled pairs that are links),
    true_positives, precision (None when nothing labelled was linked) and recall (None
    when nothing labelled is a match). Links with `link_status` "accepted" count;
    "possible" ones too when `include_possible`."""
    statuses = list(LINK_STATUSES if include_possible else LINK_STATUSES[:1])
    linked_keys = (
        _unordered(links.filter(pl.col("link_status").is_in(statuses)))
        .select("_key")
        .unique()
        .with_columns(pl.lit(True).alias("_linked"))
    )
    judged = _unordered(validate_labels(labels).filter(pl.col("verdict") != "unsure"))
    scored = judged.join(linked_keys, on="_key", how="left").with_columns(
        pl.col("_linked").fill_null(False),
        (pl.col("verdict") == "match").alias("_match"),
    )
    report = (
        scored.group_by("left_source", "right_source")
        .agg(
            pl.len().cast(pl.Int64).alias("labelled_pairs"),
            pl.col("_match").sum().cast(pl.Int64).alias("matches"),
            pl.col("_linked").sum().cast(pl.Int64).alias("linked"),
            (pl.col("_match") & pl.col("_linked")).sum().cast(pl.Int64).alias("true_positives"),
        )
        .with_columns(
            pl.when(pl.col("linked") > 0)
            .then(pl.col("true_positives") / pl.col("linked"))
            .alias("precision"),
            pl.when(pl.col("matches") > 0)
            .then(pl.col("true_positives") / pl.col("matches"))
            .alias("recall"),
        )
    )
    return (
        report.select(list(REPORT_SCHEMA)).cast(REPORT_SCHEMA).sort("left_source", "right_source")
    )
