"""`dbt build --target spark`: the dbt models on Spark, from a DuckDB warehouse's sources.

The raw and intermediate tables are exported from DuckDB and declared in the Spark
catalog under `work_dir` (loaders.py), then dbt-spark builds every seed, model and test
in a SparkSession of its own, reading that catalog (profiles.yml, target `spark`). Each
step runs in a process of its own: the catalog's Derby metastore admits one JVM.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from heyrick_dagster.settings import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def load_sources(duckdb_path: Path, work_dir: Path) -> None:
    """The warehouse's source tables in the Spark catalog under `work_dir`, loaded by a
    process of its own: Hive's metastore client keeps the embedded Derby database open in
    its JVM after the session stops, and Derby admits one JVM, so dbt-spark could not open
    the catalog while this process's JVM held it (measured: "Unable to instantiate
    SessionHiveMetaStoreClient")."""
    loader = [
        sys.executable,
        "-m",
        "heyrick_dagster.spark.loaders",
        str(duckdb_path),
        str(work_dir),
    ]
    done = subprocess.run(loader, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"loading the sources into Spark failed:\n{done.stderr[-3000:]}")


def dbt_build_on_spark(work_dir: Path, synthetic: bool) -> subprocess.CompletedProcess[str]:
    """Run `dbt build --target spark` over the catalog under `work_dir`; dbt's
    run_results.json lands in `work_dir/target`. Returns the finished process."""
    args = [
        # The dbt of this environment: the spark group's, which has dbt-spark.
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--target",
        "spark",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--vars",
        json.dumps({"spark_dir": str(work_dir), "synthetic": synthetic}),
    ]
    return subprocess.run(args, capture_output=True, text=True, check=False)
