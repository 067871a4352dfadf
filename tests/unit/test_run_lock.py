"""Every run holds the warehouse's run lock, however it was launched (definitions.py)."""

import fcntl
import subprocess
import sys

import dagster as dg
import pytest

from heyrick_dagster import warehouse
from heyrick_dagster.definitions import locked_settings
from heyrick_dagster.settings import Settings

HOLD = """
import sys, time
from pathlib import Path
from heyrick_dagster import warehouse
with warehouse.run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def settings(tmp_path):
    return Settings.from_env({"HEYRICK_DATA_DIR": str(tmp_path / "data")})


def _lock_is_free(settings: Settings) -> bool:
    """Whether another open of the lock file could take it now (as another process would)."""
    lock = settings.duckdb_path.with_name(settings.duckdb_path.name + ".run.lock")
    with lock.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_a_run_holds_the_warehouse_lock_while_its_steps_run(settings):
    seen = {}

    @dg.asset
    def step(settings: dg.ResourceParam[Settings]):
        seen["free during the run"] = _lock_is_free(settings)

    assert dg.materialize([step], resources={"settings": locked_settings(settings)}).success
    assert seen == {"free during the run": False}
    assert _lock_is_free(settings)


def test_a_run_fails_at_once_naming_the_holder_when_another_process_holds_the_lock(settings):
    @dg.asset
    def step(settings: dg.ResourceParam[Settings]):
        raise AssertionError("no step may run while another run holds the warehouse")

    settings.duckdb_path.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(settings.duckdb_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = dg.materialize(
            [step], resources={"settings": locked_settings(settings)}, raise_on_error=False
        )
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE"]
    error = failure.event_specific_data.error
    assert "WarehouseLocked" in error.to_string()
    assert f"another Heyrick run (pid {holder.pid} on" in error.to_string()


def test_the_lock_is_re_entrant_within_a_process_and_released_by_the_outermost(settings):
    # `heyrick run` takes the lock, then its run's resource takes it again.
    with warehouse.run_lock(settings.duckdb_path):
        with warehouse.run_lock(settings.duckdb_path):
            assert not _lock_is_free(settings)
        assert not _lock_is_free(settings)
    assert _lock_is_free(settings)
