"""Seconds, rows and peak memory of each stage of the synthetic sample's generation.

    .venv/bin/python -m benchmarks.sample_generation [--scale small|national] [--seed N]
        [--out DIR]

Runs `generate_sample` once and prints, per stage (the world, each source's
writer, the truth): wall seconds, CPU seconds (all threads), the records
written and the stage's peak resident memory. The sample goes to a temporary
folder, deleted afterwards (the national one is ~2 GB), or to --out, kept.

Peak memory is the process's resident high-water mark while the stage ran. On
Linux the mark is reset at each stage (/proc/self/clear_refs) so that a stage
is not charged with an earlier one's peak; elsewhere the column shows the
process peak so far (`resource.getrusage`). Only one national generation should
run at a time on a shared machine: it holds ~4-5 GB.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from heyrick_dagster.sample.authorities import SCALES
from heyrick_dagster.sample.generate import DEFAULT_SEED, generate_sample

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")
_ITEM_COUNT = re.compile(rb"<ItemCount>(\d+)</ItemCount>")


def _resettable() -> bool:
    try:
        _CLEAR_REFS.write_text("5")  # "5": reset the peak resident set size
    except OSError:
        return False
    return True


def _peak_mb(resettable: bool) -> int:
    if resettable:
        match = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
        if match:
            return int(match.group(1)) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kB on Linux


@dataclass
class Stage:
    name: str
    seconds: float
    cpu_seconds: float
    peak_mb: int


class Meter:
    """Times each stage generate_sample reports and records its peak memory."""

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.resettable = _resettable()

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.resettable:
            _CLEAR_REFS.write_text("5")
        started, cpu = time.perf_counter(), time.process_time()
        yield
        self.stages.append(
            Stage(
                name,
                time.perf_counter() - started,
                time.process_time() - cpu,
                _peak_mb(self.resettable),
            )
        )


def records_in(paths: list[str]) -> int | None:
    """Records in the written files: data lines of CSV files and CSV zip members, FHRS
    ItemCounts, parquet rows. None when a file is in another format (HTML, ODS, xlsx)."""
    total = 0
    for name in paths:
        path = Path(name)
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.endswith(".csv")]
                if not members:
                    return None
                for member in members:
                    with archive.open(member) as stream:
                        total += _lines(stream) - 1
        elif path.suffix == ".csv":
            with path.open("rb") as stream:
                total += _lines(stream) - 1
        elif path.suffix == ".xml":
            with path.open("rb") as stream:
                match = _ITEM_COUNT.search(stream.read(4096))
            if match is None:
                return None
            total += int(match.group(1))
        elif path.suffix == ".parquet":
            total += pl.scan_parquet(path).select(pl.len()).collect().item()
        else:
            return None
    return total


def _lines(stream) -> int:
    count = 0
    while block := stream.read(1 << 24):
        count += block.count(b"\n")
    return count


def report(summary: dict, meter: Meter, kept_in: Path | None) -> str:
    files = {source: paths for source, paths in summary["sources"].items()}
    files["truth"] = [p for p in summary["files"] if Path(p).parent.name == "truth"]
    lines = [
        f"sample generation ({summary['scale']}, seed {summary['seed']}; SYNTHETIC)",
        f"  {'stage':<18} {'seconds':>8} {'cpu s':>8} {'records':>12} {'MB on disk':>11}"
        f" {'peak RSS MB':>12}",
    ]
    for stage in meter.stages:
        paths = files.get(stage.name, [])
        records = records_in(paths) if paths else None
        size = sum(Path(p).stat().st_size for p in paths) / 1e6
        lines.append(
            f"  {stage.name:<18} {stage.seconds:>8.1f} {stage.cpu_seconds:>8.1f}"
            f" {'-' if records is None else f'{records:,}':>12}"
            f" {'' if not paths else f'{size:,.0f}':>11} {stage.peak_mb:>12,}"
        )
    total = sum(s.seconds for s in meter.stages)
    lines.append(
        f"  {'total':<18} {total:>8.1f} {sum(s.cpu_seconds for s in meter.stages):>8.1f}"
        f" {'':>12} {'':>11} {max(s.peak_mb for s in meter.stages):>12,}"
    )
    lines.append(
        "  world rows: "
        + ", ".join(f"{name} {rows:,}" for name, rows in summary["world_rows"].items())
    )
    if kept_in is not None:
        lines.append(f"  kept in {kept_in}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=SCALES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out", type=Path, help="keep the sample in this folder (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="heyrick-sample-bench-"))
    meter = Meter()
    try:
        summary = generate_sample(out_dir, seed=args.seed, scale=args.scale, observe=meter)
        print(report(summary, meter, out_dir if args.out else None))
    finally:
        if args.out is None:
            shutil.rmtree(out_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
