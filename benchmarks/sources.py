"""Rows and seconds per source: the whole pipeline on the sample and on the real files.

    .venv/bin/python -m benchmarks.sources [--scale small|national] [--skip-real]

Prints one table per run: each step's wall time (from Dagster's step events)
and the rows of each raw table. Runs in a temporary folder; nothing in data/
is touched. The real-file run needs ../shared/data.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import dagster as dg

from heyrick_dagster import warehouse
from heyrick_dagster.definitions import build_definitions
from heyrick_dagster.settings import REPO_ROOT, Settings
from heyrick_dagster.sources.acquire import ensure_sample

SHARED = REPO_ROOT.parent / "shared" / "data"
REAL_FILES = {
    "fhrs": sorted((SHARED / "fhrs").glob("FHRS*.xml")),
    "postcodes": [SHARED / "postcodes" / "lbl_postcode_oa11_lsoa11_msoa11_wd22.csv"],
    "imd": [SHARED / "imd" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"],
    "illegal_working": [SHARED / "illegal_working" / "illegal_working_Q3_2024_enriched.xlsx"],
    "companies_house": [
        SHARED / "companies_house" / "BasicCompanyDataAsOneFile-2020-05-01_sample.csv"
    ],
}


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    return {
        stat.step_key: (stat.end_time or stat.start_time) - stat.start_time
        for stat in instance.get_run_step_stats(run_id)
        if stat.start_time
    }


def run(label: str, settings: Settings) -> None:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    total = time.perf_counter() - started
    rows = warehouse.row_counts(settings.duckdb_path, ("raw",))
    print(f"\n{label}: {'succeeded' if result.success else 'FAILED'} in {total:.1f} s")
    print(f"  {'step':<62} {'seconds':>8} {'raw rows':>10}")
    for step, secs in sorted(step_seconds(instance, result.run_id).items()):
        source = step.removeprefix("raw_")
        table = next((t for t in rows if t.startswith(f"raw.{source}__")), None)
        n = f"{rows[table]:,}" if table else ""
        print(f"  {step:<62} {secs:>8.2f} {n:>10}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small", choices=["small", "national"])
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sample = Settings(
            data_dir=root / "sample-run",
            duckdb_path=root / "sample-run" / "h.duckdb",
            sample_scale=args.scale,
        )
        started = time.perf_counter()
        ensure_sample(sample)
        print(
            f"sample generation ({args.scale}): {time.perf_counter() - started:.1f} s (SYNTHETIC)"
        )
        run(f"sample mode ({args.scale}, synthetic)", sample)
        if not args.skip_real and SHARED.is_dir():
            files = root / "files"
            for source, paths in REAL_FILES.items():
                (files / source).mkdir(parents=True)
                for path in paths:
                    (files / source / path.name).symlink_to(path)
            real = Settings(
                mode="files",
                data_dir=root / "real-run",
                files_dir=files,
                duckdb_path=root / "real-run" / "h.duckdb",
            )
            run("files mode over the real files in ../shared/data", real)


if __name__ == "__main__":
    main()
