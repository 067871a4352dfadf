"""The baselines the cascade is measured against, so the gain of each step shows.

- `exact_only`: the cascade's exact tiers alone (the same normalised name at the same
  postcode) -- what a careful analyst's spreadsheet join gets.
- `fuzzy_name_only`: names alike (Jaro-Winkler of the full forms >= 0.92, the cascade's
  own "alike" level), wherever the records are: what a name search gets. Pairs are
  blocked on the first word of the name so the comparison count stays bounded.
- `recordlinkage_toolkit` (premises <-> company only): the same records linked with the
  Python Record Linkage Toolkit (recordlinkage_baseline.py), what an engineer reaching
  for the standard open-source library gets. It runs in the `bench` group's own
  environment (`make bench-install`: recordlinkage needs pandas < 3), in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from heyrick_dagster.linkage import exact
from heyrick_dagster.settings import REPO_ROOT

# The interpreter of the `bench` dependency group's environment (Makefile: bench-install).
BENCH_PYTHON = REPO_ROOT / ".tools" / "bench-venv" / "bin" / "python"
RECORDLINKAGE_MODULE = "heyrick_dagster.linkage.recordlinkage_baseline"

FUZZY_THRESHOLD = 0.92


def exact_only(
    frames: dict[str, pl.DataFrame], left_source: str, right_source: str
) -> pl.DataFrame:
    """left_record_id, right_record_id of the exact tiers for one link type."""
    enforcement = {s: frames[s] for s in ("illegal_working", "nmw_naming") if s in frames}
    links = exact.exact_links(frames["fhrs"], frames["companies_house"], enforcement)
    return links.filter(
        (pl.col("left_source") == left_source) & (pl.col("right_source") == right_source)
    ).select("left_record_id", "right_record_id")


def fuzzy_name_only(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """left_record_id, right_record_id whose full names are alike; `left`/`right` are
    feature frames (features.FEATURE_SCHEMA)."""
    names_left = left.select("unique_id", "name_full").drop_nulls()
    names_right = right.select("unique_id", "name_full").drop_nulls()
    with duckdb.connect() as con:
        con.register("l", names_left.to_arrow())
        con.register("r", names_right.to_arrow())
        return con.sql(
            """
            select l.unique_id as left_record_id, r.unique_id as right_record_id
            from l join r
              on split_part(l.name_full, ' ', 1) = split_part(r.name_full, ' ', 1)
            where jaro_winkler_similarity(l.name_full, r.name_full) >= ?
            """,
            params=[FUZZY_THRESHOLD],
        ).pl()


@dataclass(frozen=True)
class ToolkitRun:
    pairs: pl.DataFrame  # left_record_id, right_record_id
    report: dict  # what the run printed: seconds, comparisons, links


def recordlinkage_command(
    premises: Path, companies: Path, out: Path, python: Path = BENCH_PYTHON
) -> list[str]:
    """The command that links two staging parquet files with the toolkit into `out`.
    Run it with cwd=REPO_ROOT: the bench environment does not install Heyrick."""
    return [str(python), "-m", RECORDLINKAGE_MODULE, str(premises), str(companies), str(out)]


def write_toolkit_inputs(frames: dict[str, pl.DataFrame], folder: Path) -> tuple[Path, Path]:
    """The premises and companies staging frames as the parquet files the toolkit reads."""
    premises, companies = folder / "premises.parquet", folder / "companies.parquet"
    frames["fhrs"].write_parquet(premises)
    frames["companies_house"].write_parquet(companies)
    return premises, companies


def read_toolkit_output(out: Path, stdout: str) -> ToolkitRun:
    pairs = pl.read_parquet(out).cast(pl.String)
    return ToolkitRun(pairs, json.loads(stdout.strip().splitlines()[-1]))


def recordlinkage_toolkit(
    frames: dict[str, pl.DataFrame], python: Path = BENCH_PYTHON
) -> ToolkitRun:
    """Premises <-> company pairs linked by the toolkit baseline. Raises
    FileNotFoundError naming `make bench-install` when its environment is missing."""
    if not python.exists():
        raise FileNotFoundError(f"{python}: run `make bench-install` for the toolkit baseline")
    with tempfile.TemporaryDirectory() as tmp:
        premises, companies = write_toolkit_inputs(frames, Path(tmp))
        out = Path(tmp) / "pairs.parquet"
        done = subprocess.run(
            recordlinkage_command(premises, companies, out, python),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return read_toolkit_output(out, done.stdout)
