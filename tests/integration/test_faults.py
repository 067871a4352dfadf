"""Faults: kill -9 at any stage, two runs at once, a full disk.

- Kill -9 during ingest, during linkage and during dbt (one killed run each, in that
  order, on one warehouse); then the next run completes and publishes tables equal, byte
  for byte, to those of a clean run (tests/support/pipeline_process.py says how tables
  are compared and what is normalised: only the data folder inside `_source_file`).
- Two runs launched at once: one fails at once naming the run lock, the other completes.
- DuckDB held by another program: `heyrick run` says so, naming the file and the holder.
- A full disk while writing a raw file, a manifest or a DuckDB table: a clear error naming
  what could not be written; the last good raw tables, raw files and manifests intact.
  Simulated by making the write raise ENOSPC where it happens; on a machine that allows
  mounting a tiny tmpfs (root), the same faults are also provoked for real.

Runs are subprocesses (`heyrick run`) in private folders; their logs are kept beside
them (pytest's tmp folders) for diagnosis. The clean run happens once per module.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.cli import EXIT_LOCKED
from heyrick_dagster.defs.sources import build_raw_asset
from heyrick_dagster.settings import Settings
from heyrick_dagster.sources import http, raw_store
from heyrick_dagster.sources.errors import SourceError
from heyrick_dagster.sources.registry import BY_KEY
from tests.support.http_server import Reply
from tests.support.pipeline_process import (
    PipelineEnv,
    PipelineRun,
    other_tables,
    published_tables,
)

pytestmark = pytest.mark.slow

# Guards against a hung run on a shared machine, not measurements: a whole run takes
# about 70 s on an idle machine and several minutes on a busy one.
RUN_TIMEOUT = 1800
STAGE_TIMEOUT = 900


@dataclass(frozen=True)
class Outcome:
    """What a finished run left behind."""

    env: PipelineEnv
    tables: dict[str, str]
    other_tables: list[str]
    raw_files: dict[str, str]


def _raw_files(raw_dir: Path) -> dict[str, str]:
    """{path under raw/: sha256} of every file in the raw store; a manifest's entries are
    compared without when and from where each file was copied in (that differs per run)."""
    files = {}
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        if path.name == raw_store.MANIFEST:
            entries = json.loads(path.read_text())
            for entry in entries.values():
                entry.pop("received_at")
                entry.pop("origin")
            data = json.dumps(entries, sort_keys=True).encode()
        else:
            data = path.read_bytes()
        files[path.relative_to(raw_dir).as_posix()] = hashlib.sha256(data).hexdigest()
    return files


def _outcome(env: PipelineEnv) -> Outcome:
    return Outcome(
        env=env,
        tables=published_tables(env.duckdb_path, env.data_dir),
        other_tables=other_tables(env.duckdb_path),
        raw_files=_raw_files(env.data_dir / "raw"),
    )


def _tail(run: PipelineRun, lines: int = 40) -> str:
    return "".join(run.lines[-lines:])


@pytest.fixture(scope="module")
def clean_run(sample_dir, tmp_path_factory) -> Outcome:
    env = PipelineEnv.create(tmp_path_factory.mktemp("clean-run"), sample_dir)
    run = PipelineRun(env, env.root / "run.log")
    assert run.finish(RUN_TIMEOUT) == 0, _tail(run)
    return _outcome(env)


@dataclass(frozen=True)
class Kill:
    stage: str
    step: str  # the step that logged last before the kill
    mid_write: bool  # whether DuckDB was writing (its .wal existed); luck, not asserted


@dataclass
class KilledThenRun:
    env: PipelineEnv
    kills: list[Kill]
    finished: list[tuple[int, PipelineRun]]  # the two runs launched at once at the end


# Dagster's log lines read "... - <run id> - <step> - <message>".
_STEP = re.compile(r" - [0-9a-f-]{36} - (\S+) - ")


def _last_step(run: PipelineRun) -> str:
    return next(m.group(1) for line in reversed(run.lines) if (m := _STEP.search(line)))


@pytest.fixture(scope="module")
def killed_then_run(sample_dir, tmp_path_factory) -> KilledThenRun:
    """One warehouse, built from nothing by runs killed with SIGKILL during ingest, during
    linkage and during dbt; then two runs launched at once to finish the job."""
    env = PipelineEnv.create(tmp_path_factory.mktemp("killed-runs"), sample_dir)
    wal = env.duckdb_path.with_name(env.duckdb_path.name + ".wal")
    kills = []

    # Ingest: once companies_house has its file, at the next DuckDB write (its candidate
    # table, or the publishing of it); at the latest when a step other than a source's logs.
    run = PipelineRun(env, env.root / "1-killed-during-ingest.log")
    run.wait_for_line(r" - raw_companies_house - companies_house: \d+ file", STAGE_TIMEOUT)
    not_ingest = r" - [0-9a-f-]{36} - (?!raw_)\S+ - "
    mid_write = run.kill_at_next_write(wal, stop_line=not_ingest, timeout=STAGE_TIMEOUT)
    kills.append(Kill("ingest", _last_step(run), mid_write))

    # Linkage: while the Splink models train (the step logs that it starts training).
    run = PipelineRun(env, env.root / "2-killed-during-linkage.log")
    run.wait_for_line(r" - linkage__splink_models - training Splink models", STAGE_TIMEOUT)
    run.kill()
    kills.append(Kill("linkage", _last_step(run), wal.exists()))

    # dbt: the marts build, while it creates its second table (the first one is new).
    run = PipelineRun(env, env.root / "3-killed-during-dbt.log")
    run.wait_for_line(r" - heyrick_dbt_marts - Running dbt command", STAGE_TIMEOUT)
    # The marts are built as candidates (audit_marts.*) and published afterwards.
    run.wait_for_line(r"START sql table model audit_marts\.", STAGE_TIMEOUT, occurrence=2)
    run.kill()
    kills.append(Kill("dbt", _last_step(run), wal.exists()))
    (env.root / "kills.json").write_text(json.dumps([k.__dict__ for k in kills], indent=2))

    both = [PipelineRun(env, env.root / f"4-launched-at-once-{n}.log") for n in (1, 2)]
    finished = [(run.finish(RUN_TIMEOUT), run) for run in both]
    return KilledThenRun(env, kills, finished)


def _generator_version(env: PipelineEnv) -> str:
    return json.loads((env.data_dir / "sample" / "SAMPLE.json").read_text())["generator_version"]


def test_runs_killed_during_ingest_linkage_and_dbt_are_completed_by_the_next_run_with_identical_tables(  # noqa: E501
    clean_run, killed_then_run
):
    steps = [(kill.stage, kill.step) for kill in killed_then_run.kills]
    assert steps[0][1].startswith("raw_"), steps
    assert steps[1:] == [("linkage", "linkage__splink_models"), ("dbt", "heyrick_dbt_marts")]
    [completed] = [run for code, run in killed_then_run.finished if code == 0]
    assert "Heyrick run: SUCCEEDED" in completed.output, _tail(completed)
    # Both worlds must rest on the same sample: a run regenerates it when the generator's
    # code changed (an edit made while this test ran), and then no table could compare.
    assert _generator_version(killed_then_run.env) == _generator_version(clean_run.env)
    after = _outcome(killed_then_run.env)
    assert sorted(after.tables) == sorted(clean_run.tables), "the same tables, nothing left over"
    differ = {
        name: (clean_run.tables[name], fingerprint)
        for name, fingerprint in after.tables.items()
        if fingerprint != clean_run.tables[name]
    }
    # The names first: pytest cuts a long dict short, and the names say where to look.
    assert differ == {}, f"tables differ: {sorted(differ)}"
    # No candidate left in audit.* (a __dbt_tmp or __dbt_backup relation left by dbt would
    # have shown as an extra table above).
    assert after.other_tables == clean_run.other_tables == []
    # The raw store: the same files with the same bytes, no .part or .tmp left by a kill.
    assert after.raw_files == clean_run.raw_files


def test_two_runs_launched_at_once_one_fails_at_once_naming_the_lock(killed_then_run):
    codes = sorted(code for code, _ in killed_then_run.finished)
    assert codes == [0, EXIT_LOCKED]
    [loser] = [run for code, run in killed_then_run.finished if code == EXIT_LOCKED]
    lock = killed_then_run.env.duckdb_path.with_name("heyrick.duckdb.run.lock")
    assert f"the lock {lock} is held" in loser.output
    assert "another Heyrick run (pid " in loser.output
    assert "Traceback" not in loser.output and "Running dbt" not in loser.output


def test_runs_killed_mid_run_are_marked_failed_so_the_ui_run_queue_is_not_blocked(
    killed_then_run,
):
    with dg.DagsterInstance.from_config(str(killed_then_run.env.dagster_home)) as instance:
        runs = instance.get_runs()
        statuses = sorted(run.status.value for run in runs)
        failures = [
            event.message
            for run in runs
            if run.status == dg.DagsterRunStatus.FAILURE
            for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        ]
    # The three killed runs, then the one that completed (the loser never made a run).
    assert statuses == ["FAILURE", "FAILURE", "FAILURE", "SUCCESS"]
    assert len(failures) == 3
    assert all("ended before the run did (killed?)" in m for m in failures), failures


def test_run_says_the_warehouse_is_locked_when_another_program_holds_duckdb(tmp_path):
    env = PipelineEnv.create(tmp_path / "world")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(env.duckdb_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        run = PipelineRun(env, tmp_path / "run.log")
        code = run.finish(RUN_TIMEOUT)
    finally:
        holder.communicate("")
    assert code == EXIT_LOCKED, run.output
    assert f"the warehouse {env.duckdb_path} is locked by another process" in run.output
    assert f"(PID {holder.pid})" in run.output
    assert "Traceback" not in run.output


# A full disk, simulated where the write happens. The last good state is one run of the
# imd source (two files, one table) in a private folder.

IMD = BY_KEY["imd"]
IMD_TABLE = "imd__lsoa_deprivation"


@pytest.fixture
def last_good(sample_dir, make_settings) -> Settings:
    settings = make_settings()
    shutil.copytree(sample_dir / "imd", settings.sample_dir / "imd")
    shutil.copy(sample_dir / "SAMPLE.json", settings.sample_dir)
    result = _ingest_imd(settings)
    assert result.success, result.get_failed_step_keys()
    return settings


def _ingest_imd(settings: Settings) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_raw_asset(IMD)],
        resources={"settings": settings},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _state(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """The raw tables' fingerprints and the raw store's files."""
    return published_tables(settings.duckdb_path, settings.data_dir), _raw_files(settings.raw_dir)


def _failure(result: dg.ExecuteInProcessResult) -> str:
    """The step's error as the Dagster UI shows it: the error and its causes."""
    assert not result.success
    error, messages = result.failure_data_for_node("raw_imd").error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)


def _changed_sample(settings: Settings) -> str:
    """A new edition of the csv file, so that keeping the old one is visible; its sha256."""
    [csv] = (settings.sample_dir / "imd").glob("*.csv")
    csv.write_bytes(csv.read_bytes().replace(b"\n", b"\r\n"))
    return hashlib.sha256(csv.read_bytes()).hexdigest()


def _half_then_full(write):
    """A write that puts half of its data down and then finds the disk full, as a real
    one does."""

    def fail(path: Path, data):
        write(path, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    return fail


def test_a_full_disk_while_copying_a_raw_file_names_it_and_keeps_the_last_good_state(
    last_good, monkeypatch
):
    before = _state(last_good)
    _changed_sample(last_good)

    copyfile = shutil.copyfile
    fill = _half_then_full(Path.write_bytes)

    def csv_fills_the_disk(src, dst):
        if str(dst).endswith(".csv.part"):
            return fill(Path(dst), Path(src).read_bytes())
        return copyfile(src, dst)

    monkeypatch.setattr(raw_store.shutil, "copyfile", csv_fills_the_disk)
    message = _failure(_ingest_imd(last_good))
    assert "[source imd, file " in message and ".csv] could not write the raw file" in message
    assert "No space left on device" in message and "is as it was" in message
    assert _state(last_good) == before, "no .part left, files, manifest and table as they were"


def test_a_full_disk_while_writing_a_manifest_names_it_and_keeps_the_last_good_state(
    last_good, monkeypatch
):
    before = _state(last_good)
    new_edition = _changed_sample(last_good)
    write_text = Path.write_text
    fill = _half_then_full(write_text)

    def manifest_of_the_new_csv_fills_the_disk(self, data, *args, **kwargs):
        if self.name == "MANIFEST.tmp" and new_edition in data:
            return fill(self, data)
        return write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", manifest_of_the_new_csv_fills_the_disk)
    message = _failure(_ingest_imd(last_good))
    assert "could not write the manifest entry of File_7_" in message
    assert "MANIFEST.json" in message and "No space left on device" in message
    assert _state(last_good) == before, "no .tmp or .part left, files and manifest unchanged"


class _FullDiskConnection:
    """A DuckDB connection whose statements starting with `failing` raise what DuckDB
    raises when the disk is full (the message is DuckDB's, seen on a full tmpfs)."""

    def __init__(self, con, path: str, failing: str):
        self._con, self._path, self._failing = con, path, failing

    def execute(self, sql, *args, **kwargs):
        if sql.startswith(self._failing):
            raise duckdb.IOException(
                f'IO Error: Could not write file "{self._path}": No space left on device'
            )
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.mark.parametrize(
    "statement, table",
    [
        ("CREATE OR REPLACE TABLE audit.", f"audit.{IMD_TABLE}"),
        ("CREATE OR REPLACE TABLE raw.", f"raw.{IMD_TABLE}"),
    ],
    ids=["writing the candidate", "publishing it"],
)
def test_a_full_disk_while_writing_a_table_names_it_and_the_last_good_table_serves(
    last_good, monkeypatch, statement, table
):
    before = _state(last_good)
    connect = duckdb.connect

    def full_disk_connect(path, *args, **kwargs):
        return _FullDiskConnection(connect(path, *args, **kwargs), path, statement)

    monkeypatch.setattr(warehouse.duckdb, "connect", full_disk_connect)
    # Forced: the same files would otherwise be recognised by sha256 and not written again.
    message = _failure(_ingest_imd(dataclasses.replace(last_good, force_recompute=True)))
    monkeypatch.undo()
    assert f"could not write {table} to the warehouse {last_good.duckdb_path}" in message
    assert "No space left on device" in message and "rolled back" in message
    assert _state(last_good) == before, "the last good raw table serves, the raw store as it was"


class _FillingFile:
    """A file on a disk with `room` bytes left: a write beyond it raises ENOSPC."""

    def __init__(self, handle, path: Path, room: int):
        self._handle, self._path, self._room = handle, path, room

    def write(self, data) -> int:
        if self._handle.tell() + len(data) > self._room:
            raise OSError(errno.ENOSPC, "No space left on device", str(self._path))
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def test_a_full_disk_while_downloading_names_the_file_and_is_not_retried(
    http_server, tmp_path, monkeypatch
):
    body = b"pcds,lat,long\n" + b"SE13 6JG,51.46,-0.01\n" * 2000  # ~40 kB
    http_server.route("/ONSPD.csv", Reply(body=body))
    opened = Path.open

    def open_filling(self, mode="r", *args, **kwargs):
        handle = opened(self, mode, *args, **kwargs)
        if self.suffix == ".part" and "w" in mode:
            return _FillingFile(handle, self, room=len(body) // 2)
        return handle

    monkeypatch.setattr(Path, "open", open_filling)
    dest = tmp_path / "raw" / "postcodes" / "2026-11-27" / "ONSPD.csv"
    policy = http.RetryPolicy(attempts=3, sleep=lambda s: None)
    with pytest.raises(SourceError) as caught:
        http.download("postcodes", f"{http_server.base_url}/ONSPD.csv", dest, policy=policy)
    monkeypatch.undo()
    assert f"[source postcodes, file {dest}] could not write the download of" in str(caught.value)
    assert "No space left on device" in str(caught.value)
    assert http_server.hits("/ONSPD.csv") == 1, "a full disk is not the server's fault"
    assert list(dest.parent.iterdir()) == [], "no .part left"


# The same faults for real, on a tmpfs too small for the write (needs the right to mount).


@pytest.fixture
def tiny_disk(tmp_path) -> Path:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def test_a_really_full_disk_keeps_the_last_good_table_and_raw_file(tiny_disk, tmp_path):
    db = tiny_disk / "heyrick.duckdb"
    warehouse.replace_table(db, "raw", "t", pl.DataFrame({"a": range(1000)}))
    big = pl.DataFrame({"a": range(2_000_000), "b": [f"row {i}" for i in range(2_000_000)]})
    with pytest.raises(warehouse.WarehouseWriteError) as caught:
        warehouse.replace_table(db, "raw", "t", big)
    assert f"could not write raw.t to the warehouse {db}" in str(caught.value)
    assert "No space left on device" in str(caught.value)
    assert warehouse.query(db, "select count(*) as n from raw.t")["n"][0] == 1000

    db.unlink()
    small, large = tmp_path / "f.csv", tmp_path / "big" / "f.csv"
    small.write_bytes(b"a\n1\n")
    large.parent.mkdir()
    large.write_bytes(b"a\n" + b"1\n" * 2_000_000)
    raw_dir = tiny_disk / "raw"
    good = raw_store.copy_in(small, raw_dir, "imd", "2019")
    manifest = (good.path.parent / raw_store.MANIFEST).read_bytes()
    with pytest.raises(raw_store.RawWriteError) as caught:
        raw_store.copy_in(large, raw_dir, "imd", "2019")
    assert f"[source imd, file {good.path}] could not write the raw file" in str(caught.value)
    assert sorted(p.name for p in good.path.parent.iterdir()) == ["MANIFEST.json", "f.csv"]
    assert good.path.read_bytes() == b"a\n1\n"
    assert (good.path.parent / raw_store.MANIFEST).read_bytes() == manifest
