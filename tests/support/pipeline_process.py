"""`heyrick run` as a subprocess that a test can watch and kill -9 at a chosen stage.

Each `PipelineEnv` is a private world: its own data folder (and so DuckDB file and raw
store), a copy of the repository's Dagster instance config, and a dbt target folder,
so that runs under test share nothing with the repository or with each other.
`PipelineRun` reads the run's merged stdout/stderr line by line (Dagster's log on
stderr names each step: `... - raw_fhrs - ...`, `... - heyrick_dbt_marts - Running dbt
command ...`) and kills the run's whole process group, dbt included.

`published_tables` fingerprints what a run publishes, so two runs can be compared
byte for byte on their tables.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from heyrick_dagster.settings import REPO_ROOT
from heyrick_dagster.warehouse import VERSIONS_SCHEMA

# The schemas a run publishes (DESIGN.md section 4). `audit` is not among them: it holds
# raw candidates while their quality suites run (write-audit-publish).
PUBLISHED_SCHEMAS = ("raw", "staging", "intermediate", "marts", "analysis")
# Every row is compared in full. The only run-dependent value in the published tables is
# the data folder, inside `_source_file` (raw) and `source_file` (staging, marts): it is
# written as this placeholder so that runs in different folders compare equal. No column
# is excluded: none holds a timestamp (the raw manifests' `received_at` and the linkage
# models' `trained_at` live in files, not in tables).
DATA_DIR_PLACEHOLDER = "<data_dir>"


@dataclass(frozen=True)
class PipelineEnv:
    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def duckdb_path(self) -> Path:
        return self.data_dir / "heyrick.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @classmethod
    def create(cls, root: Path, sample_dir: Path | None = None) -> PipelineEnv:
        """A private world, holding a copy of an already generated sample when given (so
        that the run reuses it rather than spending a minute making it again)."""
        env = cls(root)
        env.data_dir.mkdir(parents=True)
        if sample_dir is not None:
            shutil.copytree(sample_dir, env.data_dir / "sample")
        env.dagster_home.mkdir()
        shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", env.dagster_home)
        return env

    def environ(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("HEYRICK_", "DBT_"))}
        return keep | {
            "HEYRICK_MODE": "sample",
            "HEYRICK_DATA_DIR": str(self.data_dir),
            "HEYRICK_DUCKDB_PATH": str(self.duckdb_path),
            "DAGSTER_HOME": str(self.dagster_home),
            # dagster-dbt makes one target folder per dbt invocation under this one.
            "DBT_TARGET_PATH": str(self.root / "dbt_target"),
            "GX_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            # Lines as they are written, so that a stage is seen while it runs.
            "PYTHONUNBUFFERED": "1",
        }


class PipelineRun:
    """One `heyrick run` in its own session (process group), its output collected by a
    reader thread, which also keeps the pipe drained."""

    def __init__(self, env: PipelineEnv, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        heyrick = Path(sys.executable).with_name("heyrick")
        self.process = subprocess.Popen(
            [str(heyrick), "run"],
            cwd=REPO_ROOT,
            env=env.environ(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with self.log_path.open("w") as log:
            for line in self.process.stdout:
                log.write(line)
                self.lines.append(line)
                self._new.put(line)
        self._new.put(None)

    def wait_for_line(self, pattern: str, timeout: float, occurrence: int = 1) -> str:
        """The `occurrence`-th output line matching `pattern`; AssertionError when the run
        ends or `timeout` seconds pass first (a guard against hanging, not a measurement)."""
        regex = re.compile(pattern)
        seen = 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._new.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {timeout:.0f}s") from None
            if line is None:
                raise AssertionError(
                    f"the run ended (exit {self.process.wait()}) before a line matching "
                    f"{pattern!r}; its output is in {self.log_path}"
                )
            if regex.search(line):
                seen += 1
                if seen == occurrence:
                    return line

    def kill_at_next_write(self, wal: Path, stop_line: str, timeout: float) -> bool:
        """Kill the run as soon as DuckDB is writing (its `.wal` file exists, polled every few
        milliseconds), or when a line matching `stop_line` appears first (the stage is
        ending). Returns whether the kill landed during a DuckDB write."""
        regex = re.compile(stop_line)
        start = len(self.lines)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if wal.exists():
                break
            if any(regex.search(line) for line in self.lines[start:]):
                break
            time.sleep(0.002)
        mid_write = wal.exists()
        self.kill()
        return mid_write

    def kill(self) -> None:
        """SIGKILL to the whole process group: the run and its dbt subprocess die at once,
        with no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reader.join()

    def finish(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the run did not finish in {timeout:.0f}s") from None
        self._reader.join()
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


def published_tables(duckdb_path: Path, data_dir: Path) -> dict[str, str]:
    """{"schema.table": fingerprint} of every table and view in PUBLISHED_SCHEMAS. The
    fingerprint is the md5 of the column names and types and of every row as text (the
    data folder written as DATA_DIR_PLACEHOLDER), rows in text order: a total order, so
    equal tables give equal fingerprints whatever order the rows were written in."""
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) order by 1, 2",
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        fingerprints = {}
        for schema, table in tables:
            columns = con.execute(
                "select string_agg(column_name || ' ' || data_type, ', ' order by "
                "ordinal_position) from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
            # Identifiers from the catalogue, quoted; the folder is a parameter.
            rows = con.execute(
                f"select md5(coalesce(string_agg(r, chr(10) order by r), '')), count(*) "
                f'from (select replace(t::varchar, ?, ?) as r from "{schema}"."{table}" t)',
                [str(data_dir), DATA_DIR_PLACEHOLDER],
            ).fetchone()
            fingerprints[f"{schema}.{table}"] = f"{columns} | {rows[1]} rows | {rows[0]}"
        return fingerprints
    finally:
        con.close()


def other_tables(duckdb_path: Path) -> list[str]:
    """Tables outside the published schemas (leftover `audit.*` or `audit_marts.*`
    candidates, say), except the pipeline's record of the published versions."""
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        return [
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema not in (select unnest(?)) order by 1, 2",
                [[*PUBLISHED_SCHEMAS, VERSIONS_SCHEMA]],
            ).fetchall()
        ]
    finally:
        con.close()
