"""A cold full refresh of the pipeline: wall seconds and peak memory per Dagster step.

    .venv/bin/python -m benchmarks.national_refresh [--scale national|small] [--seed N]
        [--work DIR]

Runs `heyrick run` in a child process on a work folder of its own (default
data/refresh-<scale>/, git-ignored) and prints, per step of the run, its wall
seconds, the rows it materialised and the peak resident memory of the whole
process tree (Heyrick and the dbt processes it starts) while the step ran, and
"kept": the Heyrick process's own RSS just after the step ended (what the
in-process executor carries into the next step), then the run's total wall
time and overall peak.

Cold means: the sample (DIR/sample, the stand-in for the publishers' files) is
kept from one invocation to the next, but everything made from it - raw store,
warehouse, linkage models, reports, the Dagster instance - is deleted first.
Generating the sample (first use, or after a change to the generator) is timed
on its own line and is not part of the refresh. The load average is printed
before and after: on a shared machine the figures are only as good as it is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from heyrick_dagster.settings import DEFAULT_SAMPLE_SEED, REPO_ROOT, Settings

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY_S = 0.25


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (0 once it has exited)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_BYTES
    except OSError:
        return 0


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_BYTES
        except OSError:
            continue  # exited between the listing and the read
        pending += _children(pid)
    return total


@dataclass
class MemoryTrace:
    """(time, tree RSS, RSS of the root alone) samples of a running process, taken on a
    thread. The root's own figure tells what the in-process executor keeps between steps
    from what a step's child processes (dbt) add while it runs."""

    pid: int
    samples: list[tuple[float, int, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), tree_rss_bytes(self.pid), rss_bytes(self.pid)))
            self._stop.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._stop.set()

    def peak(self, start: float = 0.0, end: float = float("inf")) -> int:
        """Highest sample in [start, end]; for a step shorter than the sampling interval,
        the last sample before it ended."""
        inside = [rss for t, rss, _ in self.samples if start <= t <= end]
        before = [rss for t, rss, _ in self.samples if t < start]
        return max(inside, default=before[-1] if before else 0)

    def root_after(self, end: float) -> int:
        """The root process's own RSS at the first sample after `end`: what it kept once
        the step was over."""
        after = [own for t, _, own in self.samples if t >= end]
        return after[0] if after else 0


@dataclass
class Step:
    key: str
    start: float
    end: float | None = None
    status: str = "running"
    rows: int = 0


def read_steps(dagster_home: Path) -> list[Step]:
    """Steps of the newest run of the instance, in start order, from its event log."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        steps: dict[str, Step] = {}
        for entry in instance.all_logs(run.run_id):
            event, key = entry.dagster_event, entry.step_key
            if event is None or key is None:
                continue
            kind = event.event_type_value
            if kind == "STEP_START":
                steps[key] = Step(key, entry.timestamp)
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and key in steps:
                steps[key].end = entry.timestamp
                steps[key].status = "ok" if kind == "STEP_SUCCESS" else "FAILED"
            elif kind == "ASSET_MATERIALIZATION" and key in steps:
                rows = event.event_specific_data.materialization.metadata.get("dagster/row_count")
                steps[key].rows += int(rows.value) if rows is not None else 0
    return sorted(steps.values(), key=lambda s: s.start)


def cold_start(work: Path) -> None:
    """Delete everything in the work folder but the sample."""
    work.mkdir(parents=True, exist_ok=True)
    for child in work.iterdir():
        if child.name == "sample":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="national", choices=("small", "national"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SAMPLE_SEED)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = (args.work or REPO_ROOT / "data" / f"refresh-{args.scale}").resolve()
    env = os.environ | {
        "HEYRICK_MODE": "sample",
        "HEYRICK_DATA_DIR": str(work),
        "HEYRICK_SAMPLE_SCALE": args.scale,
        "HEYRICK_SAMPLE_SEED": str(args.seed),
        "DAGSTER_HOME": str(work / "dagster_home"),
        # The child must run this checkout's code, not the one the venv was installed from.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("HEYRICK_DUCKDB_PATH", None)

    from heyrick_dagster.sources.acquire import ensure_sample

    print(f"load average before: {loadavg()}", flush=True)
    started = time.perf_counter()
    settings = Settings(data_dir=work, sample_seed=args.seed, sample_scale=args.scale)
    ensure_sample(settings)  # made once; reused while seed, scale and generator code agree
    print(f"sample ready in {time.perf_counter() - started:.0f} s (not part of the refresh)")

    cold_start(work)
    (work / "dagster_home").mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", work / "dagster_home")
    log_path = work / "run.log"
    print(f"cold refresh at scale {args.scale} in {work} (log: {log_path})", flush=True)
    started_at, started = time.time(), time.perf_counter()
    with log_path.open("wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "heyrick_dagster.cli", "run"],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        trace = MemoryTrace(child.pid)
        sampler = threading.Thread(target=trace.run, daemon=True)
        sampler.start()
        code = child.wait()
        trace.stop()
        sampler.join()
    wall = time.perf_counter() - started
    ended_at = time.time()

    steps = read_steps(work / "dagster_home")
    print(f"\n{'step':<44} {'seconds':>8} {'rows':>11} {'peak RSS GB':>12} {'kept GB':>8}  status")
    for step in steps:
        end = step.end or ended_at
        print(
            f"{step.key[:44]:<44} {end - step.start:>8.1f} {step.rows:>11,} "
            f"{trace.peak(step.start, end) / 1e9:>12.2f} {trace.root_after(end) / 1e9:>8.2f}"
            f"  {step.status}"
        )
    first = steps[0].start if steps else ended_at
    print(f"{'(start-up before the first step)':<44} {first - started_at:>8.1f}")
    print(f"\nexit code {code}; wall {wall:.0f} s ({wall / 60:.1f} min); ", end="")
    print(f"peak RSS of the process tree {trace.peak() / 1e9:.2f} GB")
    print(f"load average after: {loadavg()}")
    return code


if __name__ == "__main__":
    sys.exit(main())
