"""Linkage at scale: seconds per stage, comparisons made and peak memory.

    .venv/bin/python -m benchmarks.linkage --duckdb PATH [--truth DIR]

reads the staging tables of a finished run (PATH: its DuckDB file; for the national
sample, run the pipeline with HEYRICK_SAMPLE_SCALE=national first), then times the
cascade as the pipeline runs it: features, training, the exact tiers and Splink
scoring, and the business clusters. Prints one line per stage and the process's peak
resident memory. With --truth (the sample's truth folder) it also prints accuracy; with
--links-out it writes every link (fct_record_links' columns, sorted), so that two
versions of the code can be proved to link alike (benchmarks.same_links).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import polars as pl

from heyrick_dagster.linkage import cascade, clusters, evaluate, splink_model
from heyrick_dagster.linkage.inputs import STAGING_INPUTS
from heyrick_dagster.linkage.prepared import prepare, staging_frames


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--links-out", type=Path)
    args = parser.parse_args()

    timings: list[tuple[str, float, str]] = []

    def stage(name: str, func, note=lambda result: ""):
        started = time.perf_counter()
        result = func()
        timings.append((name, time.perf_counter() - started, note(result)))
        print(f"  {name:<34} {timings[-1][1]:>8.1f} s  {timings[-1][2]}", flush=True)
        return result

    print(f"linkage benchmark on {args.duckdb}")
    frames = stage(
        "read staging",
        lambda: staging_frames(args.duckdb),
        lambda f: ", ".join(f"{s} {len(x):,}" for s, x in f.items()),
    )
    prepared = prepare(frames, step=stage)
    features, models = prepared.features, prepared.models
    base = cascade.LINK_TYPES[0]
    stage(
        "count comparisons (premises-company)",
        lambda: splink_model.count_comparisons(features[base[0]], features[base[1]]),
        lambda n: (
            f"{n:,} candidate pairs for {len(features[base[0]]):,} x "
            f"{len(features[base[1]]):,} records"
        ),
    )
    links = stage(
        "link (exact tiers + Splink)",
        lambda: cascade.link_records(
            frames, models, cascade.read_thresholds(), features=features, forms=prepared.forms
        ),
        lambda f: f"{len(f):,} links",
    )
    records = pl.concat(
        [
            frame.select(pl.lit(source).alias("source"), pl.col("record_id").cast(pl.String))
            for source, frame in frames.items()
        ]
    )
    bridge = stage(
        "clusters", lambda: clusters.bridge(records, links), lambda b: f"{len(b):,} records"
    )
    if args.links_out:
        links.sort(pl.all()).write_parquet(args.links_out)
    total = sum(seconds for _, seconds, _ in timings)
    print(f"  {'total':<34} {total:>8.1f} s  peak RSS {peak_rss_gb():.2f} GB")
    if args.truth:
        truth = pl.read_parquet(args.truth / "records.parquet")
        accepted = links.filter(pl.col("link_status") == "accepted")
        evaluate.print_report(evaluate.evaluate(accepted, truth, present=prepared.present()))
        print(evaluate.cluster_purity(bridge, truth))
    assert set(frames) == set(STAGING_INPUTS)


if __name__ == "__main__":
    main()
