"""Area-level analysis: indicators, statistics and their evaluation.

Pure functions over polars frames and numpy arrays; nothing here imports Dagster
(DESIGN.md section 3). Results are correlational indications, not evidence.
"""
