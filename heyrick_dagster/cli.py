"""The `heyrick` command: run the pipeline, check a publisher's file, make the sample,
evaluate the indications."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from pathlib import Path

from heyrick_dagster.settings import SettingsError
from heyrick_dagster.sources.registry import BY_KEY

# sysexits' EX_TEMPFAIL: the run did not start because another holds the warehouse; try later.
EXIT_LOCKED = 75
# Tags of the runs this command makes, so that the next one can tell a run whose process died.
LAUNCHER_TAG, PID_TAG, HOST_TAG = "heyrick/launched_by", "heyrick/pid", "heyrick/host"


def _run(args: argparse.Namespace) -> int:
    from heyrick_dagster import warehouse
    from heyrick_dagster.settings import Settings

    settings = Settings.from_env()
    try:
        # One run at a time per warehouse, decided before the slow start-up: a second
        # `heyrick run` fails at once naming the lock (or DuckDB's holder) instead of
        # interleaving its writes with the first run's or failing on a raw DuckDB error.
        with warehouse.run_lock(settings.duckdb_path):
            with warehouse.connect(settings.duckdb_path):
                pass  # DuckDB itself may be held by another program (the UI, a notebook)
            return _run_pipeline(settings)
    except warehouse.WarehouseLocked as exc:
        print(f"heyrick run: {exc}", file=sys.stderr)
        return EXIT_LOCKED


def _run_pipeline(settings) -> int:
    import dagster as dg

    from heyrick_dagster.definitions import build_definitions
    from heyrick_dagster.run_summary import render, summarise

    defs = build_definitions(settings)
    job = defs.resolve_implicit_global_asset_job_def()
    # A persistent instance when DAGSTER_HOME is set (make does), so that runs
    # made from the command line appear in the Dagster UI.
    try:
        instance = dg.DagsterInstance.get()
    except dg.DagsterError:  # DAGSTER_HOME unset: a throwaway instance
        instance = dg.DagsterInstance.ephemeral()
    with instance:
        _fail_runs_of_dead_processes(instance)
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            tags={LAUNCHER_TAG: "cli", PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
        )
    summary = summarise(result, settings)
    print(render(summary, settings))
    return 0 if summary.success and not summary.blocking_failures else 1


def _fail_runs_of_dead_processes(instance) -> None:
    """Mark as failed the runs of this command whose process died without ending them
    (kill -9, a power cut). Left STARTED they would look in progress for ever, and the
    instance's run queue of one (dagster_home/dagster.yaml) would never start another."""
    import dagster as dg

    active = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=active,
            tags={LAUNCHER_TAG: "cli", HOST_TAG: socket.gethostname()},
        )
    )
    for run in runs:
        pid = int(run.tags.get(PID_TAG, "0"))
        if pid and not _alive(pid):
            instance.report_run_failed(
                run,
                message=f"the `heyrick run` process (pid {pid}) ended before the run did "
                "(killed?); marked failed by the next `heyrick run`",
            )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _check(args: argparse.Namespace) -> int:
    import datetime as dt

    from heyrick_dagster.quality.file_check import check_file
    from heyrick_dagster.reports.quality import reference_from_warehouse
    from heyrick_dagster.settings import Settings

    path = Path(args.file)
    if not path.is_file():
        print(f"heyrick check: no such file: {path}", file=sys.stderr)
        return 2
    # Cross-source findings compare the file with the last run's postcode directory and IMD.
    warehouse = Path(args.warehouse) if args.warehouse else Settings.from_env().duckdb_path
    reference, note = reference_from_warehouse(warehouse, dt.date.today())
    report = check_file(args.source, path, reference, note)
    print(report.render())
    if args.html:
        Path(args.html).write_text(report.render_html(), encoding="utf-8")
        print(f"HTML report written to {args.html}")
    return 0 if report.passed else 1


def _sample(args: argparse.Namespace) -> int:
    from heyrick_dagster.settings import Settings
    from heyrick_dagster.sources.acquire import ensure_sample

    settings = Settings.from_env()
    summary = ensure_sample(settings)
    print(
        f"Synthetic sample (seed {summary['seed']}, scale {summary['scale']}) "
        f"in {settings.sample_dir}"
    )
    for code, n in summary.get("authorities", {}).items():
        print(f"  authority {code}: {n:,} establishments")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import datetime as dt
    import json

    import duckdb

    from heyrick_dagster.analysis.evaluation import evaluate, read_truth
    from heyrick_dagster.analysis.marts import read_marts
    from heyrick_dagster.settings import Settings

    settings = Settings.from_env()
    try:
        cutoff = dt.date.fromisoformat(args.cutoff) if args.cutoff else None
    except ValueError:
        print(
            f"heyrick evaluate: --cutoff {args.cutoff!r} is not a date (YYYY-MM-DD)",
            file=sys.stderr,
        )
        return 2
    path = settings.duckdb_path
    try:
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}")
        tables = read_marts(path)
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"heyrick evaluate: {exc}; run `heyrick run` first", file=sys.stderr)
        return 2
    # The truth describes the sample only: never compare it with tables from real files.
    synthetic = "synthetic sample" in set(tables["dim_premises"]["data_origin"].drop_nulls())
    truth = read_truth(settings.sample_dir / "truth") if synthetic else None
    print(json.dumps(evaluate(tables, cutoff=cutoff, truth=truth), indent=2, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="heyrick",
        description="Heyrick: UK open data joined up to indicate where labour exploitation may "
        "be happening. Indications, not evidence.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="materialise the whole pipeline (HEYRICK_MODE: sample or live)")
    check = sub.add_parser(
        "check",
        help="check one file as the pipeline would (contract, quality suites) and print its "
        "section of the publisher's quality report",
    )
    check.add_argument("source", choices=sorted(BY_KEY), help="which source the file belongs to")
    check.add_argument("file", help="path of the file to check")
    check.add_argument(
        "--warehouse",
        help="DuckDB warehouse whose postcode directory and IMD the file is checked against "
        "(default: HEYRICK_DUCKDB_PATH)",
    )
    check.add_argument("--html", help="also write the report as a self-contained HTML page here")
    sub.add_parser("sample", help="generate the synthetic sample under data/sample")
    evaluate = sub.add_parser(
        "evaluate",
        help="rerun the time-ordered evaluation of the indications from the published tables "
        "(and the sample truth when present); prints JSON",
    )
    evaluate.add_argument(
        "--cutoff",
        help="fit on data published up to this date (YYYY-MM-DD); default: two years before "
        "the last publication, at the end of its quarter",
    )
    args = parser.parse_args(argv)
    # Heyrick's own progress at INFO; the libraries' chatter (alembic, GX) only when it matters.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("heyrick_dagster").setLevel(logging.INFO)
    # Dagster prints its run log itself; without this each line would show twice.
    logging.getLogger("dagster.builtin").propagate = False
    handlers = {"run": _run, "check": _check, "sample": _sample, "evaluate": _evaluate}
    try:
        return handlers[args.command](args)
    except SettingsError as exc:
        print(f"heyrick: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
