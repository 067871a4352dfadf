"""The linkage accuracy report: the cascade against its baselines, per link type.

    python -m heyrick_dagster.linkage.report --duckdb data/heyrick.duckdb \
        --truth data/sample/truth [--labels tests/fixtures/linkage/real_labels.csv] \
        --out data/reports/linkage/accuracy.md

reads the published links (`marts.fct_record_links`) and the staging tables of a run,
and scores the methods against the sample's truth (records the files publish only):
the cascade's accepted links, the exact tiers alone, fuzzy name-only matching and, for
premises <-> company when the `bench` environment is installed (`make bench-install`),
the Python Record Linkage Toolkit (baselines.recordlinkage_toolkit).
With `--labels` (a run over the real files) it scores the cascade on the hand-labelled
real pairs instead. The precision-recall curve is the one the thresholds were read
from (thresholds.json). Evaluation code: it reads the truth; the pipeline does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.linkage import baselines, cascade, evaluate, labelled
from heyrick_dagster.linkage.prepared import Prepared, prepare, staging_frames

METHODS = (
    "cascade (accepted)",
    "exact tiers only",
    "fuzzy name only",
    "recordlinkage toolkit (ECM)",
)
TOOLKIT_LINK_TYPE = cascade.LINK_TYPES[0]  # the toolkit baseline links premises <-> company


def method_links(
    links: pl.DataFrame,
    prepared: Prepared,
    left: str,
    right: str,
    toolkit: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """The pairs each method links for one link type (left_record_id, right_record_id);
    `toolkit`: the toolkit baseline's premises <-> company pairs, when it was run."""
    features = prepared.features
    published = links.filter(
        (pl.col("left_source") == left)
        & (pl.col("right_source") == right)
        & (pl.col("link_status") == "accepted")
    ).select("left_record_id", "right_record_id")
    methods = {
        METHODS[0]: published,
        METHODS[1]: baselines.exact_only(prepared.frames, left, right),
        METHODS[2]: baselines.fuzzy_name_only(features[left], features[right]),
    }
    if toolkit is not None and (left, right) == TOOLKIT_LINK_TYPE:
        methods[METHODS[3]] = toolkit
    return methods


def accuracy_table(
    links: pl.DataFrame,
    prepared: Prepared,
    truth: pl.DataFrame,
    toolkit: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Precision, recall, F1 of every method and link type against the truth."""
    frames, present = prepared.frames, prepared.present()
    rows = []
    for left, right in cascade.LINK_TYPES:
        if frames[left].is_empty() or frames[right].is_empty():
            continue
        for method, pairs in method_links(links, prepared, left, right, toolkit).items():
            found = pairs.with_columns(
                pl.lit(left).alias("left_source"), pl.lit(right).alias("right_source")
            )
            report = evaluate.evaluate(found, truth, [(left, right)], present)
            rows.append({"method": method, **report.row(0, named=True)})
    return pl.DataFrame(rows)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render(
    accuracy: pl.DataFrame | None, real: pl.DataFrame | None, purity: dict | None = None
) -> str:
    lines = [
        "# Linkage accuracy",
        "",
        "Precision = accepted links that are true / accepted links; recall = true pairs "
        "found / true pairs among the records the files publish.",
        "",
    ]
    if accuracy is not None:
        lines += [
            "## Against the synthetic sample's truth (SYNTHETIC)",
            "",
            "| link type | method | links | true | truth pairs | precision | recall | F1 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in accuracy.iter_rows(named=True):
            lines.append(
                f"| {row['left_source']} -> {row['right_source']} | {row['method']} | "
                f"{row['links']} | {row['true_positives']} | {row['true_pairs']} | "
                f"{_number(row['precision'])} | {_number(row['recall'])} | {_number(row['f1'])} |"
            )
    if purity is not None:
        lines += [
            "",
            f"Businesses (marts.bridge_business_records): {purity['businesses']:,}, of which "
            f"{purity['businesses_with_several_records']:,} join several records; "
            f"{purity['over_merged_businesses']:,} join records of more than one true business "
            f"({purity['records_in_over_merged']:,} records).",
        ]
    if real is not None:
        lines += [
            "",
            "## Against the hand-labelled real pairs (tests/fixtures/linkage)",
            "",
            "| link type | labelled pairs | matches | linked | true | precision | recall |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in real.iter_rows(named=True):
            lines.append(
                f"| {row['left_source']} -> {row['right_source']} | {row['labelled_pairs']} | "
                f"{row['matches']} | {row['linked']} | {row['true_positives']} | "
                f"{_number(row['precision'])} | {_number(row['recall'])} |"
            )
    thresholds = json.loads(cascade.THRESHOLDS_PATH.read_text())
    lines += ["", "## Thresholds and the precision-recall curve they came from", ""]
    lines.append(f"Rule: {thresholds['rule']}.")
    for link_type, entry in thresholds["link_types"].items():
        lines += [
            "",
            f"### {link_type}: accept >= {entry['accept']:.4g}, possible >= "
            f"{entry['possible']:.4g} ({entry['derived_from']})",
            "",
            "| threshold | links | precision | recall | F1 |",
            "|---|---|---|---|---|",
        ]
        for point in entry["curve"]:
            if point["links"]:
                lines.append(
                    f"| {point['threshold']:.4g} | {point['links']} | "
                    f"{_number(point['precision'])} | {_number(point['recall'])} | "
                    f"{_number(point['f1'])} |"
                )
    return "\n".join(lines) + "\n"


def _toolkit_pairs(prepared: Prepared) -> pl.DataFrame | None:
    """The toolkit baseline's pairs, or None (said on stderr) without its environment."""
    try:
        return baselines.recordlinkage_toolkit(prepared.frames).pairs
    except FileNotFoundError as missing:
        print(f"recordlinkage toolkit baseline left out: {missing}", file=sys.stderr)
        return None


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--truth", type=Path, help="the sample's truth folder")
    parser.add_argument("--labels", type=Path, help="hand-labelled real pairs (CSV)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    links = warehouse.query(args.duckdb, "select * from marts.fct_record_links")
    accuracy = None
    if args.truth:
        prepared = prepare(staging_frames(args.duckdb), train=False)
        accuracy = accuracy_table(
            links,
            prepared,
            pl.read_parquet(args.truth / "records.parquet"),
            _toolkit_pairs(prepared),
        )
    real = (
        labelled.evaluate_labelled(links, labelled.read_labels(args.labels))
        if args.labels
        else None
    )
    purity = (
        evaluate.cluster_purity(
            warehouse.query(args.duckdb, "select * from marts.bridge_business_records"),
            pl.read_parquet(args.truth / "records.parquet"),
        )
        if args.truth
        else None
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(accuracy, real, purity))
    print(args.out.read_text())


if __name__ == "__main__":
    _main()
