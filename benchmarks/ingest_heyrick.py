"""Heyrick's ingest of one source, alone in its process (benchmarks/compare.py).

    python -m benchmarks.ingest_heyrick SOURCE DUCKDB FILE...

parses the files with the source's connector (streaming, typing and contract-checking
them as the raw asset does) and writes its tables to the raw schema of DUCKDB; prints
one JSON line: seconds of the work and rows written. Left out, as the pandas baseline
leaves them out: the raw store's copy and sha256 and the Great Expectations suites.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from heyrick_dagster import warehouse
from heyrick_dagster.sources.registry import BY_KEY


def ingest(source: str, paths: list[Path], duckdb_path: Path) -> int:
    connector = BY_KEY[source]
    parsed = connector.parse(paths)
    return sum(
        warehouse.replace_table(
            duckdb_path, "raw", connector.table_name(table), parsed.tables[table.name]
        )
        for table in connector.tables
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", choices=sorted(BY_KEY))
    parser.add_argument("duckdb", type=Path)
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = ingest(args.source, args.files, args.duckdb)
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))


if __name__ == "__main__":
    main()
