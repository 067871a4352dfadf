"""One implementation, one process: its seconds and peak memory, measured apart.

Every implementation compared by benchmarks/compare.py runs in a child process of its
own, so that one's imports, caches and garbage never count against another. The child
prints one JSON line last (at least `seconds`: the work, timed inside the child,
without the interpreter's start-up and imports). Its peak resident memory comes from
the kernel (`wait4`'s rusage), taken by a small launcher process
(`python -m benchmarks.measure COMMAND...`): Linux starts a child's maximum RSS at its
parent's size when it forks, so measured straight from the benchmark's own process
(hundreds of MB after the pipeline run) every child would weigh at least that much.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    seconds: float  # the work, as the child timed it
    peak_rss_mb: float  # the child's maximum resident set, imports included
    report: dict  # everything the child printed in its JSON line


class ChildFailed(RuntimeError):
    pass


def run_measured(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run `command` through the launcher and measure it; stderr passes through."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or len(lines) < 2:
        raise ChildFailed(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-2000:]}")
    report, usage = json.loads(lines[-2]), json.loads(lines[-1])
    return Measured(report["seconds"], usage["peak_rss_kb"] / 1024, report)  # Linux: KiB


def run_repeated(command: list[str], cwd: Path, times: int) -> Measured:
    """`command` run `times` times: the median run's seconds and report, the largest peak
    RSS. On a shared machine one run's wall time says as much about the neighbours."""
    runs = sorted((run_measured(command, cwd) for _ in range(times)), key=lambda m: m.seconds)
    median = runs[len(runs) // 2]
    return Measured(median.seconds, max(m.peak_rss_mb for m in runs), median.report)


def _launch(command: list[str]) -> int:
    """Run `command`, echo its stdout, then a JSON line of its own peak RSS; its exit code."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    sys.stdout.write(stdout)
    print(json.dumps({"peak_rss_kb": usage.ru_maxrss}))
    return child.returncode


if __name__ == "__main__":
    sys.exit(_launch(sys.argv[1:]))
