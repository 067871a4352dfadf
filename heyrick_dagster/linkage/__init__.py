"""Entity resolution: name normalisation, the linkage cascade, and its evaluation.

Pure functions over polars frames; nothing here imports Dagster (DESIGN.md section 3).
"""
