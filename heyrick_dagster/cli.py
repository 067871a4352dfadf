"""The `heyrick` command: run the pipeline, check a publisher's file, make the sample,
evaluate the indications."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from heyrick_dagster.settings import SettingsError
from heyrick_dagster.sources.registry import BY_KEY


def _run(args: argparse.Namespace) -> int:
    import dagster as dg

    from heyrick_dagster.definitions import build_definitions
    from heyrick_dagster.run_summary import render, summarise
    from heyrick_dagster.settings import Settings

    settings = Settings.from_env()
    defs = build_definitions(settings)
    job = defs.resolve_implicit_global_asset_job_def()
    # A persistent instance when DAGSTER_HOME is set (make does), so that runs
    # made from the command line appear in the Dagster UI.
    try:
        instance = dg.DagsterInstance.get()
    except dg.DagsterError:  # DAGSTER_HOME unset: a throwaway instance
        instance = dg.DagsterInstance.ephemeral()
    with instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    summary = summarise(result, settings)
    print(render(summary, settings))
    return 0 if summary.success and not summary.blocking_failures else 1


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

    from heyrick_dagster import warehouse
    from heyrick_dagster.analysis.evaluation import evaluate, read_truth
    from heyrick_dagster.analysis.indicators import TABLES
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
        tables = {t: warehouse.query(path, f"select * from marts.{t}") for t in TABLES}
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
