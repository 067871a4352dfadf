"""A local SparkSession on the machine's Java, configured once for Heyrick's Spark path.

`spark_conf` is the configuration; dbt-spark's `spark` target in dbt_project/profiles.yml
repeats its catalog keys (warehouse folder and metastore), so that tables this process
loads are the tables a later `dbt build --target spark` finds: dbt-spark's session mode
starts its own SparkSession in the dbt process and knows nothing of this one.

Every path Spark writes (warehouse, metastore, scratch, checkpoints) is under one
`work_dir`, so a test or a run keeps its Spark state in its own temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import SparkSession
from splink.backends.spark import similarity_jar_location

# Two cores on the machines Heyrick runs on; the small sample fits in a handful of
# partitions (Spark's default of 200 shuffle partitions costs more than the work).
MASTER = "local[2]"
SHUFFLE_PARTITIONS = 4
DRIVER_MEMORY = "2g"


def warehouse_dir(work_dir: Path) -> Path:
    return work_dir / "warehouse"


def metastore_url(work_dir: Path) -> str:
    """The embedded Derby metastore that keeps the catalog between Spark processes
    (one process at a time: Derby locks it)."""
    return f"jdbc:derby:;databaseName={work_dir / 'metastore_db'};create=true"


def spark_conf(work_dir: Path) -> dict[str, str]:
    return {
        "spark.master": MASTER,
        "spark.app.name": "heyrick",
        "spark.driver.memory": DRIVER_MEMORY,
        "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
        "spark.default.parallelism": str(SHUFFLE_PARTITIONS),
        "spark.ui.enabled": "false",
        # Dates and timestamps read and written as they are, whatever the machine's zone.
        "spark.sql.session.timeZone": "UTC",
        "spark.local.dir": str(work_dir / "scratch"),
        "spark.sql.warehouse.dir": str(warehouse_dir(work_dir)),
        "spark.hadoop.javax.jdo.option.ConnectionURL": metastore_url(work_dir),
        # Derby writes derby.log into the working directory unless told otherwise.
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={work_dir / 'derby'}",
        # Splink's similarity functions (Jaro-Winkler and others) as Spark SQL functions.
        "spark.jars": similarity_jar_location(),
    }


@contextmanager
def local_spark(work_dir: Path, *, catalog: bool = False) -> Iterator[SparkSession]:
    """A local SparkSession, stopped on exit. `catalog=True` keeps tables in the Hive
    metastore under `work_dir` (what dbt-spark reads); without it the catalog lives and
    dies with the session (enough for Splink, which registers its own views).

    Refuses when a session is already running in this process: Spark would hand that
    one back with its own configuration, silently ignoring this one."""
    if SparkSession.getActiveSession() is not None:
        raise RuntimeError("a SparkSession is already running in this process; stop it first")
    work_dir.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.config(map=spark_conf(work_dir))
    if catalog:
        builder = builder.enableHiveSupport()
    spark = builder.getOrCreate()
    spark.sparkContext.setCheckpointDir(str(work_dir / "checkpoints"))
    try:
        yield spark
    finally:
        spark.stop()
