"""`make bench`: Heyrick beside plain baselines, stage by stage, on the same data in one run.

    .venv/bin/python -m benchmarks.compare [--scale small|national] [--work DIR]
        [--repeat N] [--link-areas all|AREA,AREA...]

(the scale defaults to HEYRICK_SAMPLE_SCALE, else small: a few minutes; national takes
20-40 minutes and ~13 GB at its peak: run it under `flock /tmp/heyrick-national.lock`).
In a work folder (a temporary one by default; --work keeps DIR/sample from one run to
the next, so that a national sample is generated once; everything else in DIR is
deleted first), nothing in data/ touched, it:
1. generates the synthetic sample (or reuses DIR/sample when it matches) and runs the
   whole pipeline, printing each Dagster step's wall time (benchmarks.sources), unless
   only the ingest is compared (--stages ingest) or --keep-run finds a run to reuse;
2. ingest, per source: Heyrick's connector (benchmarks.ingest_heyrick) and a plain
   pandas reader of the same files (benchmarks.ingest_pandas), rows checked equal;
3. premises <-> company linkage: Heyrick's cascade (benchmarks.link_heyrick) and the
   Python Record Linkage Toolkit (linkage/recordlinkage_baseline.py, in the `bench`
   environment) on the same staging records, both scored against the sample's truth
   with linkage/evaluate.py, on every record by default (nationally the toolkit took
   27.8 s, Heyrick 8.0 s: see the README's bench section). --link-areas limits both to the
   premises and companies of some postcode areas ("SE", "M": the letters of the
   postcode district).
Each implementation runs in its own process (benchmarks.measure): its wall time is the
work (not the interpreter start-up), its peak RSS is its own, imports included; each
runs `--repeat` times (3 on the small sample, whose sub-second stages a shared
machine's neighbours easily double) and the median is shown.
Ratios are baseline / Heyrick: above 1, Heyrick is faster (or smaller). The issue's
target is Heyrick >= 3x faster than each baseline at equal or better accuracy; the
last column says whether this run met it. What the two sides do differently is
printed under the table: the split of each ingest into parse, contract (pandera:
Heyrick only) and DuckDB write, and Heyrick's linkage split into its stages (Splink's
EM training runs in a step of its own in the pipeline, scoring reusing the saved
model), with the ratio for scoring alone beside the all-in one. The sample is SYNTHETIC.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.measure import Measured, run_repeated
from heyrick_dagster.linkage import baselines, cascade, evaluate
from heyrick_dagster.linkage.prepared import staging_frames
from heyrick_dagster.settings import REPO_ROOT, SAMPLE_SCALES, Settings
from heyrick_dagster.sources.acquire import (
    SAMPLE_SUMMARY,
    ensure_sample,
    generator_version,
    local_files,
)
from heyrick_dagster.sources.companies_house import FOOD_SIC
from heyrick_dagster.sources.registry import BY_KEY

# The sources the pandas baseline reads; the other three (penalty and NMW HTML pages,
# NRM ODS workbooks) are small and not compared.
INGEST_SOURCES = ("fhrs", "companies_house", "postcodes", "imd")
TARGET_SPEEDUP = 3.0
PYTHON = sys.executable
NATIONAL_WORK = REPO_ROOT / "data" / "bench-national"


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


def in_areas(frame: pl.DataFrame, areas: tuple[str, ...] | None) -> pl.DataFrame:
    """The records whose postcode district is in one of the postcode `areas` (its leading
    letters: "SE13" is in "SE"); None keeps every record."""
    if areas is None:
        return frame
    area = pl.col("postcode_district").str.extract(r"^([A-Z]{1,2})", 1)
    return frame.filter(area.is_in(list(areas)))


def linkage_rows(
    duckdb_path: Path,
    truth: pl.DataFrame,
    folder: Path,
    repeat: int,
    areas: tuple[str, ...] | None = None,
) -> list[Row]:
    """Heyrick's and the toolkit's premises <-> company linkage of the same records."""
    left, right = cascade.LINK_TYPES[0]
    frames = staging_frames(duckdb_path, (left, right))
    frames = {source: in_areas(frame, areas) for source, frame in frames.items()}
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
    stage = f"link {left} <-> {right}" + (f" ({','.join(areas)})" if areas else "")
    rows = []
    for name, (command, out) in runs.items():
        measured = run_repeated(
            [*command, str(premises), str(companies), str(out)], REPO_ROOT, repeat
        )
        print(f"  compared: {stage} ({name}, {measured.seconds:.1f} s)", flush=True)
        pairs = (
            pl.read_parquet(out)
            .cast(pl.String)
            .with_columns(pl.lit(left).alias("left_source"), pl.lit(right).alias("right_source"))
        )
        report = evaluate.evaluate(pairs, truth, [(left, right)], present)
        rows.append(Row(stage, name, records, measured, report.row(0, named=True)))
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


def ingest_split(rows: list[Row]) -> str:
    """Where each ingest's seconds go, and the ratio without Heyrick's contract."""
    lines = [
        "Ingest split (s): parse [of which pandera contract] + DuckDB write; the pandas "
        "baseline has no contract"
    ]
    for stage in dict.fromkeys(r.stage for r in rows if r.stage.startswith("ingest")):
        heyrick, pandas = (
            next(r for r in rows if r.stage == stage and r.implementation == name)
            for name in ("heyrick", "pandas")
        )
        h, p = heyrick.measured.report["split"], pandas.measured.report["split"]
        uncontracted = _ratio(pandas.measured.seconds, heyrick.measured.seconds - h["contract"])
        lines.append(
            f"  {stage:<24} heyrick {h['parse']:.2f} [{h['contract']:.2f}] + {h['write']:.2f}"
            f"   pandas {p['parse']:.2f} + {p['write']:.2f}"
            f"   pandas/heyrick without the contract {uncontracted}"
        )
    return "\n".join(lines)


def linkage_split(rows: list[Row]) -> str:
    heyrick = next(r for r in rows if r.stage.startswith("link") and r.implementation == "heyrick")
    toolkit = next(r for r in rows if r.stage.startswith("link") and r.implementation != "heyrick")
    stages = heyrick.measured.report["stages"]
    training = sum(v for k, v in stages.items() if k.startswith("train"))
    scoring = heyrick.measured.seconds - training
    named = ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
    lines = [
        f"Heyrick's linkage by stage: {named}; {heyrick.measured.report['model']}",
        f"  Splink training is {training / heyrick.measured.seconds:.0%} of Heyrick's "
        f"linkage; recordlinkage/heyrick all-in "
        f"{_ratio(toolkit.measured.seconds, heyrick.measured.seconds)}, scoring with a "
        "trained model (the pipeline's case once trained) "
        f"{_ratio(toolkit.measured.seconds, scoring)}",
    ]
    for row in (heyrick, toolkit):
        counts = row.measured.report
        unscored = f", {counts['unscored']:,} left unscored by ECM" if "unscored" in counts else ""
        lines.append(f"  {row.implementation}: {counts['comparisons']:,} candidate pairs{unscored}")
    return "\n".join(lines)


@contextmanager
def work_folder(work: Path | None, keep: tuple[str, ...] = ("sample",)):
    """`work` emptied of everything but `keep`, or a temporary folder."""
    if work is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield Path(tmp)
        return
    work.mkdir(parents=True, exist_ok=True)
    for child in work.iterdir():
        if child.name not in keep:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    yield work


def _refuse_stale_national_sample(settings: Settings) -> None:
    """A kept national sample made by other generator code would be made again inside the
    benchmark, silently adding ~25 minutes and ~5 GB of writes: say so instead."""
    summary = settings.sample_dir / SAMPLE_SUMMARY
    if settings.sample_scale != "national" or not summary.exists():
        return
    made_by = json.loads(summary.read_text()).get("generator_version")
    if made_by != generator_version():
        raise SystemExit(
            f"{settings.sample_dir} was made by other sample-generator code ({made_by}, now "
            f"{generator_version()}): delete it to have it generated again (~25 minutes)"
        )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


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
    parser.add_argument(
        "--work",
        type=Path,
        help=f"work folder whose sample/ is kept between runs (default: a temporary folder; "
        f"on the national sample {NATIONAL_WORK.relative_to(REPO_ROOT)})",
    )
    parser.add_argument(
        "--link-areas",
        default="all",
        help="postcode areas of the linkage comparison, comma-separated, or 'all' (default)",
    )
    parser.add_argument(
        "--keep-run",
        action="store_true",
        help="with --work: reuse the pipeline run (warehouse) a previous invocation left there "
        "instead of running the pipeline again",
    )
    parser.add_argument(
        "--stages",
        default="ingest,link",
        help="what to compare, comma-separated: ingest, link (default both)",
    )
    args = parser.parse_args()
    stages = {s.strip() for s in args.stages.split(",")}
    national = args.scale == "national"
    repeat = args.repeat or (1 if national else 3)
    work = args.work or (NATIONAL_WORK if national else None)
    areas = None
    if args.link_areas != "all":
        areas = tuple(a.strip().upper() for a in args.link_areas.split(","))
    from benchmarks import sources  # imports Dagster and every definition: only to run

    if "link" in stages and not baselines.BENCH_PYTHON.exists():
        # Only the toolkit needs its own environment; the pandas baseline runs in this one.
        raise SystemExit(f"{baselines.BENCH_PYTHON} missing: run `make bench-install` first")
    load_before = _load()
    keep_run = args.keep_run and work is not None
    kept = ("sample", "h.duckdb", "raw", "linkage") if keep_run else ("sample",)
    with work_folder(work, kept) as root:
        settings = Settings(data_dir=root, duckdb_path=root / "h.duckdb", sample_scale=args.scale)
        _refuse_stale_national_sample(settings)
        ensure_sample(settings)
        # The linkage compared reads the run's staging tables; the ingest, the sample files.
        if "link" in stages and not (keep_run and settings.duckdb_path.exists()):
            sources.run(f"pipeline on the sample ({args.scale}, SYNTHETIC)", settings)
        rows: list[Row] = []
        for source in INGEST_SOURCES if "ingest" in stages else ():
            files = local_files(BY_KEY[source], settings.sample_dir / source)
            folder = root / "ingest" / source
            folder.mkdir(parents=True)
            rows += ingest_rows(source, files, folder, repeat)
            print(f"  compared: ingest {source}", flush=True)
        if "link" in stages:
            truth = pl.read_parquet(settings.sample_dir / "truth" / "records.parquet")
            (root / "link").mkdir()
            rows += linkage_rows(settings.duckdb_path, truth, root / "link", repeat, areas)
    print(
        f"\nHeyrick beside the baselines ({args.scale} sample, SYNTHETIC; "
        f"median of {repeat} run(s) each; load average {load_before} before, {_load()} after)"
    )
    print(render(rows))
    print()
    if "ingest" in stages:
        print(ingest_split(rows))
    if "link" in stages:
        print(linkage_split(rows))
    print(
        "Wall: the work inside each process (no interpreter start-up); peak RSS: each "
        "process's own, imports included. The Python Record Linkage Toolkit runs on pandas "
        "2 in .tools/bench-venv (recordlinkage 0.16 requires pandas < 3)."
    )


if __name__ == "__main__":
    main()
