"""`make bench`: Heyrick beside plain baselines, stage by stage, on the same data in one run.

    .venv/bin/python -m benchmarks.compare [--scale small|national]

(the scale defaults to HEYRICK_SAMPLE_SCALE, else small: a few minutes; national takes
much longer). In a temporary folder, nothing in data/ touched, it:
1. generates the synthetic sample and runs the whole pipeline, printing each Dagster
   step's wall time (benchmarks.sources);
2. ingest, per source: Heyrick's connector (benchmarks.ingest_heyrick) and a plain
   pandas reader of the same files (benchmarks.ingest_pandas), rows checked equal;
3. premises <-> company linkage: Heyrick's cascade (benchmarks.link_heyrick) and the
   Python Record Linkage Toolkit (linkage/recordlinkage_baseline.py, in the `bench`
   environment) on the same staging records, both scored against the sample's truth
   with linkage/evaluate.py.
Each implementation runs in its own process (benchmarks.measure): its wall time is the
work (not the interpreter start-up), its peak RSS is its own, imports included; each
runs `--repeat` times (3 on the small sample, whose sub-second stages a shared
machine's neighbours easily double) and the median is shown.
Ratios are baseline / Heyrick: above 1, Heyrick is faster (or smaller). The issue's
target is Heyrick >= 3x faster than each baseline at equal or better accuracy; the
last column says whether this run met it. The sample is SYNTHETIC.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.measure import Measured, run_repeated
from heyrick_dagster.linkage import baselines, cascade, evaluate
from heyrick_dagster.linkage.prepared import staging_frames
from heyrick_dagster.settings import REPO_ROOT, SAMPLE_SCALES, Settings
from heyrick_dagster.sources.acquire import ensure_sample, local_files
from heyrick_dagster.sources.companies_house import FOOD_SIC
from heyrick_dagster.sources.registry import BY_KEY

# The sources the pandas baseline reads; the other three (penalty and NMW HTML pages,
# NRM ODS workbooks) are small and not compared.
INGEST_SOURCES = ("fhrs", "companies_house", "postcodes", "imd")
TARGET_SPEEDUP = 3.0
PYTHON = sys.executable


@dataclass(frozen=True)
class Row:
    stage: str
    implementation: str
    rows: int
    measured: Measured
    accuracy: dict | None = None  # precision, recall, f1 (linkage only)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.measured.seconds if self.measured.seconds else float("inf")


def ingest_rows(source: str, files: list[Path], folder: Path, repeat: int) -> list[Row]:
    """Heyrick's and pandas' ingest of one source's files, each in its own process."""
    paths = [str(p) for p in files]
    heyrick = run_repeated(
        [PYTHON, "-m", "benchmarks.ingest_heyrick", source, str(folder / "h.duckdb"), *paths],
        REPO_ROOT,
        repeat,
    )
    options = ["--sic", ",".join(sorted(FOOD_SIC))] if source == "companies_house" else []
    pandas = run_repeated(
        [PYTHON, "-m", "benchmarks.ingest_pandas", source, str(folder / "p.duckdb"), *paths]
        + options,
        REPO_ROOT,
        repeat,
    )
    if heyrick.report["rows"] != pandas.report["rows"]:
        raise SystemExit(
            f"ingest {source}: pandas wrote {pandas.report['rows']:,} rows, Heyrick "
            f"{heyrick.report['rows']:,}: the baseline does not read the same data"
        )
    stage = f"ingest {source}"
    return [
        Row(stage, "heyrick", heyrick.report["rows"], heyrick),
        Row(stage, "pandas", pandas.report["rows"], pandas),
    ]


def linkage_rows(duckdb_path: Path, truth: pl.DataFrame, folder: Path, repeat: int) -> list[Row]:
    """Heyrick's and the toolkit's premises <-> company linkage of the same records."""
    left, right = cascade.LINK_TYPES[0]
    frames = staging_frames(duckdb_path, (left, right))
    premises, companies = baselines.write_toolkit_inputs(frames, folder)
    present = {source: frame["record_id"].cast(pl.String) for source, frame in frames.items()}
    records = sum(frame.height for frame in frames.values())
    runs = {
        "heyrick": (
            [PYTHON, "-m", "benchmarks.link_heyrick"],
            folder / "heyrick_pairs.parquet",
        ),
        "recordlinkage": (
            [str(baselines.BENCH_PYTHON), "-m", baselines.RECORDLINKAGE_MODULE],
            folder / "toolkit_pairs.parquet",
        ),
    }
    rows = []
    for name, (command, out) in runs.items():
        measured = run_repeated(
            [*command, str(premises), str(companies), str(out)], REPO_ROOT, repeat
        )
        pairs = (
            pl.read_parquet(out)
            .cast(pl.String)
            .with_columns(pl.lit(left).alias("left_source"), pl.lit(right).alias("right_source"))
        )
        report = evaluate.evaluate(pairs, truth, [(left, right)], present)
        rows.append(
            Row(f"link {left} <-> {right}", name, records, measured, report.row(0, named=True))
        )
    return rows


def _ratio(baseline: float, heyrick: float) -> str:
    return f"{baseline / heyrick:.2f}x" if heyrick else "-"


def _accuracy(row: Row) -> str:
    if row.accuracy is None:
        return ""
    numbers = [row.accuracy[k] for k in ("precision", "recall", "f1")]
    return " ".join("  -  " if n is None else f"{n:.3f}" for n in numbers)


def render(rows: list[Row]) -> str:
    """The side-by-side table: each stage's implementations, then the ratios."""
    header = (
        f"{'stage':<36} {'implementation':<14} {'rows':>9} {'wall s':>8} {'rows/s':>10} "
        f"{'peak RSS MB':>11}  {'P / R / F1':<19}"
    )
    lines = [header, "-" * len(header)]
    stages = list(dict.fromkeys(row.stage for row in rows))
    for stage in stages:
        group = [row for row in rows if row.stage == stage]
        heyrick = next(row for row in group if row.implementation == "heyrick")
        for row in group:
            lines.append(
                f"{stage:<36} {row.implementation:<14} {row.rows:>9,} "
                f"{row.measured.seconds:>8.2f} {row.rows_per_second:>10,.0f} "
                f"{row.measured.peak_rss_mb:>11,.0f}  {_accuracy(row):<19}"
            )
        for row in group:
            if row is heyrick:
                continue
            faster = row.measured.seconds / heyrick.measured.seconds
            as_good = row.accuracy is None or (heyrick.accuracy["f1"] or 0) >= (
                row.accuracy["f1"] or 0
            )
            met = "met" if faster >= TARGET_SPEEDUP and as_good else "NOT met"
            lines.append(
                f"{'':<36} {row.implementation + '/heyrick':<14} {'':>9} "
                f"{_ratio(row.measured.seconds, heyrick.measured.seconds):>8} "
                f"{_ratio(heyrick.rows_per_second, row.rows_per_second):>10} "
                f"{_ratio(row.measured.peak_rss_mb, heyrick.measured.peak_rss_mb):>11}  "
                f"target (>= {TARGET_SPEEDUP:g}x faster"
                f"{', F1 >=' if row.accuracy else ''}): {met}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        default=os.environ.get("HEYRICK_SAMPLE_SCALE", "small"),
        choices=SAMPLE_SCALES,
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs of each implementation, the median reported (default: 3 on the small "
        "sample, 1 on the national one)",
    )
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.scale == "small" else 1)
    from benchmarks import sources  # imports Dagster and every definition: only to run

    if not baselines.BENCH_PYTHON.exists():
        raise SystemExit(f"{baselines.BENCH_PYTHON} missing: run `make bench-install` first")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(
            data_dir=root / "run", duckdb_path=root / "run" / "h.duckdb", sample_scale=args.scale
        )
        ensure_sample(settings)
        sources.run(f"pipeline on the sample ({args.scale}, SYNTHETIC)", settings)
        rows: list[Row] = []
        for source in INGEST_SOURCES:
            files = local_files(BY_KEY[source], settings.sample_dir / source)
            folder = root / "ingest" / source
            folder.mkdir(parents=True)
            rows += ingest_rows(source, files, folder, repeat)
            print(f"  compared: ingest {source}", flush=True)
        truth = pl.read_parquet(settings.sample_dir / "truth" / "records.parquet")
        (root / "link").mkdir()
        rows += linkage_rows(settings.duckdb_path, truth, root / "link", repeat)
    print(
        f"\nHeyrick beside the baselines ({args.scale} sample, SYNTHETIC; "
        f"median of {repeat} run(s) each)"
    )
    print(render(rows))
    heyrick_link = next(
        r for r in rows if r.stage.startswith("link") and r.implementation == "heyrick"
    )
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in heyrick_link.measured.report["stages"].items())
    print(f"\nHeyrick's linkage by stage: {stages}; {heyrick_link.measured.report['model']}")
    for row in rows:
        if row.stage.startswith("link"):
            counts = row.measured.report
            unscored = (
                f", {counts['unscored']:,} left unscored by ECM" if "unscored" in counts else ""
            )
            print(f"{row.implementation}: {counts['comparisons']:,} candidate pairs{unscored}")
    print(
        "Wall: the work inside each process (no interpreter start-up); peak RSS: each "
        "process's own, imports included. The Python Record Linkage Toolkit runs on pandas "
        "2 in .tools/bench-venv (recordlinkage 0.16 requires pandas < 3)."
    )


if __name__ == "__main__":
    main()
