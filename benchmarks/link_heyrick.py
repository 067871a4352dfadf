"""Heyrick's premises <-> company linkage, alone in its process (benchmarks/compare.py).

    python -m benchmarks.link_heyrick PREMISES.parquet COMPANIES.parquet OUT.parquet

reads the staging records the toolkit baseline reads (the same files), runs what the
pipeline runs for them -- features, the models (EM, or the adapted reference model
when the data are too few), the exact tiers and Splink scoring -- and writes the
accepted premises <-> company pairs (left_record_id, right_record_id). Prints one JSON
line: the seconds of the work and of each stage, and the candidate pairs Splink scored.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import polars as pl

from heyrick_dagster.linkage import cascade, splink_model
from heyrick_dagster.linkage.prepared import prepare

LEFT, RIGHT = cascade.LINK_TYPES[0]


def main(argv: list[str]) -> None:
    premises, companies, out = (Path(a) for a in argv)
    frames = {LEFT: pl.read_parquet(premises), RIGHT: pl.read_parquet(companies)}
    stages: dict[str, float] = {}

    def step(name, func):
        started = time.perf_counter()
        result = func()
        stages[name] = time.perf_counter() - started
        return result

    prepared = prepare(frames, step=step)
    links = step(
        "link (exact tiers + Splink)",
        lambda: cascade.link_records(
            frames,
            prepared.models,
            cascade.read_thresholds(),
            features=prepared.features,
            forms=prepared.forms,
        ),
    )
    accepted = links.filter(
        (pl.col("left_source") == LEFT)
        & (pl.col("right_source") == RIGHT)
        & (pl.col("link_status") == "accepted")
    ).select("left_record_id", "right_record_id")
    accepted.write_parquet(out)
    comparisons = splink_model.count_comparisons(prepared.features[LEFT], prepared.features[RIGHT])
    print(
        json.dumps(
            {
                "seconds": sum(stages.values()),
                "stages": stages,
                "comparisons": comparisons,
                "links": accepted.height,
                "model": prepared.origins.get(cascade.link_type_key(LEFT, RIGHT), ""),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
