"""Heyrick's ingest of one source, alone in its process (benchmarks/compare.py).

    python -m benchmarks.ingest_heyrick SOURCE DUCKDB FILE...

parses the files with the source's connector (streaming, typing and contract-checking
them as the raw asset does) and writes its tables to the raw schema of DUCKDB; prints
one JSON line: seconds of the work and rows written, and the split of the seconds:
`parse` (of which `contract`: the pandera validation, which the pandas baseline has no
counterpart for) and `write` (the DuckDB table, as the baseline writes its own). Left
out, as the pandas baseline leaves them out: the raw store's copy and sha256 and the
Great Expectations suites.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from heyrick_dagster import warehouse
from heyrick_dagster.sources import contract
from heyrick_dagster.sources.registry import BY_KEY


def _time_contract(split: dict[str, float]) -> None:
    """Count the seconds spent in contract.validate into split["contract"]: each connector
    module holds the function under its own name, so each holder is rebound."""
    validate = contract.validate

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return validate(*args, **kwargs)
        finally:
            split["contract"] += time.perf_counter() - started

    for module in list(sys.modules.values()):
        if getattr(module, "validate", None) is validate:
            module.validate = timed


def ingest(source: str, paths: list[Path], duckdb_path: Path, split: dict[str, float]) -> int:
    connector = BY_KEY[source]
    started = time.perf_counter()
    parsed = connector.parse(paths)
    split["parse"] = time.perf_counter() - started
    rows = sum(
        warehouse.replace_table(
            duckdb_path, "raw", connector.table_name(table), parsed.tables[table.name]
        )
        for table in connector.tables
    )
    split["write"] = time.perf_counter() - started - split["parse"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", choices=sorted(BY_KEY))
    parser.add_argument("duckdb", type=Path)
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    split = {"parse": 0.0, "contract": 0.0, "write": 0.0}
    _time_contract(split)
    started = time.perf_counter()
    rows = ingest(args.source, args.files, args.duckdb, split)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "split": split}))


if __name__ == "__main__":
    main()
