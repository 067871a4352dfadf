"""The repo-local Dagster instance (dagster_home/dagster.yaml) that make, the UI and
`heyrick run` use."""

import dagster as dg

from heyrick_dagster.settings import REPO_ROOT


def _instance(tmp_path) -> dg.DagsterInstance:
    # The repo's own file, in a private home so that the test writes no runs there.
    repo_config = REPO_ROOT / "dagster_home" / "dagster.yaml"
    (tmp_path / "dagster.yaml").write_text(repo_config.read_text())
    return dg.DagsterInstance.from_config(str(tmp_path))


def test_the_instance_admits_one_run_at_a_time(tmp_path):
    with _instance(tmp_path) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_runs_that_never_start_or_outlive_any_refresh_are_failed_by_the_daemon(tmp_path):
    with _instance(tmp_path) as instance:
        assert instance.run_monitoring_enabled
        assert 0 < instance.run_monitoring_start_timeout_seconds <= 600
        assert 0 < instance.run_monitoring_max_runtime_seconds <= 4 * 3600
