"""What every offline linkage tool starts from: a run's staging records, their comparison
features and the Splink models, made as the pipeline makes them.

calibrate.py, report.py and the benchmarks each need some of these three steps; this
is the one place that does them, so a change to how the pipeline prepares linkage
(defs/linkage.py) is a change here too and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from heyrick_dagster import warehouse
from heyrick_dagster.linkage import cascade
from heyrick_dagster.linkage.inputs import STAGING_INPUTS, read_staging

T = TypeVar("T")
# Runs one named step and returns its result: the benchmarks pass a timer.
Step = Callable[[str, Callable[[], T]], T]


def _run(name: str, func: Callable[[], T]) -> T:
    return func()


@dataclass(frozen=True)
class Prepared:
    frames: dict[str, pl.DataFrame]  # staging records by source (inputs.STAGING_INPUTS)
    features: dict[str, pl.DataFrame]  # features.FEATURE_SCHEMA frames by source
    forms: pl.DataFrame  # names.name_forms of every name of `frames` (cascade.name_forms_of)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # by link type key
    origins: dict[str, str] = field(default_factory=dict)  # how each model was made

    def present(self) -> dict[str, pl.Series]:
        """The record ids given to the linker, per source (evaluate's `present`)."""
        return {s: frame["record_id"].cast(pl.String) for s, frame in self.frames.items()}


def staging_frames(
    duckdb_path: Path, sources: Collection[str] = tuple(STAGING_INPUTS)
) -> dict[str, pl.DataFrame]:
    """The staging records of a run's DuckDB file, of `sources` only."""
    frames = read_staging(lambda sql: warehouse.query(duckdb_path, sql))
    return {source: frame for source, frame in frames.items() if source in sources}


def prepare(frames: dict[str, pl.DataFrame], *, train: bool = True, step: Step = _run) -> Prepared:
    """Features of `frames` and, with `train`, the models of every link type they allow
    (cascade.train_models: the reference model's m, u and the prior from these tables).
    `step(name, func)` runs each stage ("features", "train (u and prior)")."""

    def features() -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
        forms = cascade.name_forms_of(frames)
        return forms, cascade.features_by_source(frames, forms)

    forms, by_source = step("features", features)
    if not train:
        return Prepared(frames, by_source, forms)
    models, origins = step("train (u and prior)", lambda: cascade.train_models(by_source))
    return Prepared(frames, by_source, forms, models, origins)
