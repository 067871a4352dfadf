"""Run a committed Great Expectations suite against a pandas DataFrame.

The suites live as JSON under ``expectations/expectations/<suite>.json`` (the GX 1.x
file-context layout) and are the human-editable source of truth. Each expectation
carries ``meta.severity`` (``"error"`` blocks, ``"warn"`` only reports) and
``meta.notes`` (why the rule exists); its GX ``description`` is the rule in words.

This module has no Dagster imports, and running a suite writes nothing to disk: the
JSON is read, and validation happens in an *ephemeral* GX context (pandas data
source, whole-dataframe batch definition). Great Expectations is imported lazily
because its import takes several seconds.

Callers should set ``GX_ANALYTICS_ENABLED=false`` in the environment (this module
reads no environment variables); the context is also built with analytics and
progress bars switched off.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

DEFAULT_EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
SEVERITIES = ("error", "warn")
# COMPLETE (not SUMMARY) so that uniqueness failures can count distinct duplicated values;
# measured no slower than SUMMARY (~1.4 s for the main suite on 200k rows either way).
_RESULT_FORMAT = "COMPLETE"
# How many unexpected values GX hands back per expectation; ExpectationOutcome keeps 10.
_PARTIAL_COUNT = 20
_MAX_EXAMPLES = 10
_MAX_IDS_IN_DESCRIPTION = 5
_SUITE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
# The kwargs in which an expectation names the columns it reads.
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


# How a suite is validated: (GX suite, frame, result_format=, expectation_parameters=) ->
# GX's ExpectationSuiteValidationResult.
Validate = Callable[..., Any]


class SuiteError(ValueError):
    """A suite file is missing or malformed, or the call lacks a suite parameter."""


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # e.g. "expect_column_values_to_be_unique"
    column: str | None
    severity: str  # "error" | "warn" (from the expectation's meta)
    success: bool
    observed: Any  # observed_value, or unexpected_percent for row-level expectations
    unexpected_count: int | None
    examples: list[Any]  # up to 10 distinct unexpected values (ids of the rows for not-null)
    description: str  # one line for a data publisher

    def to_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "severity": self.severity,
            "success": self.success,
            "observed": self.observed,
            "unexpected_count": self.unexpected_count,
            "examples": list(self.examples),
            "description": self.description,
        }


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool  # True iff every ERROR-severity expectation passed
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    def failures(self, severity: str | None = None) -> list[ExpectationOutcome]:
        """Failed expectations, optionally only those of one severity ("error" or "warn")."""
        if severity is not None and severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES} or None, not {severity!r}")
        return [
            o
            for o in self.outcomes
            if not o.success and (severity is None or o.severity == severity)
        ]

    def summary(self) -> str:
        errors = len(self.failures("error"))
        warns = len(self.failures("warn"))
        n_error = sum(1 for o in self.outcomes if o.severity == "error")
        n_warn = len(self.outcomes) - n_error
        verdict = "passed" if self.success else "FAILED"
        parts = []
        if n_error:
            parts.append(f"{errors} of {n_error} error checks failed")
        if n_warn:
            parts.append(f"{warns} of {n_warn} warning checks failed")
        return f"{self.suite}: {verdict} ({'; '.join(parts) or 'no checks'})"

    def to_markdown(self) -> str:
        """A table for Dagster metadata (MetadataValue.md) and CLI reports."""
        lines = [
            f"**{_md_cell(self.summary())}**",
            "",
            "| result | severity | expectation | column | observed | detail |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for o in self.outcomes:
            if o.success:
                result = "pass"
            else:
                result = "FAIL" if o.severity == "error" else "WARN"
            lines.append(
                "| "
                + " | ".join(
                    _md_cell(x)
                    for x in (
                        result,
                        o.severity,
                        o.expectation,
                        o.column or "",
                        _fmt_observed(o.observed, o.expectation),
                        o.description,
                    )
                )
                + " |"
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, for keeping every check's result."""
        return {
            "suite": self.suite,
            "success": self.success,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


# --------------------------------------------------------------------------- suite files


def suite_path(suite_name: str, expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR) -> Path:
    if not _SUITE_NAME.match(suite_name):
        raise SuiteError(f"not a valid suite name: {suite_name!r}")
    return Path(expectations_dir) / "expectations" / f"{suite_name}.json"


def list_suites(expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR) -> list[str]:
    """Names of every committed suite."""
    return sorted(p.stem for p in (Path(expectations_dir) / "expectations").glob("*.json"))


def load_suite_json(
    suite_name: str, expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR
) -> dict[str, Any]:
    """Read and check a suite file (without importing GX). Raises SuiteError if malformed."""
    path = suite_path(suite_name, expectations_dir)
    if not path.is_file():
        known = ", ".join(list_suites(expectations_dir)) or "none"
        raise SuiteError(f"no suite {suite_name!r} at {path} (suites: {known})")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("name") != suite_name:
        raise SuiteError(f"{path}: its 'name' must be {suite_name!r}")
    expectations = doc.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise SuiteError(f"{path}: 'expectations' must be a non-empty list")
    seen_ids: set[str] = set()
    for i, exp in enumerate(expectations):
        where = f"{path}: expectation {i} ({exp.get('type') if isinstance(exp, dict) else '?'})"
        if not isinstance(exp, dict) or not isinstance(exp.get("type"), str):
            raise SuiteError(f"{where}: needs a 'type'")
        if not isinstance(exp.get("kwargs"), dict):
            raise SuiteError(f"{where}: needs a 'kwargs' object")
        meta = exp.get("meta")
        if not isinstance(meta, dict) or meta.get("severity") not in SEVERITIES:
            raise SuiteError(f"{where}: meta.severity must be one of {SEVERITIES}")
        exp_id = exp.get("id")
        if not isinstance(exp_id, str) or not exp_id or exp_id in seen_ids:
            raise SuiteError(f"{where}: needs a unique 'id' (GX's file store requires one)")
        seen_ids.add(exp_id)
    return doc


def suite_parameter_names(doc: Mapping[str, Any]) -> set[str]:
    """Names used as {"$PARAMETER": name} anywhere in the suite's kwargs."""
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("$PARAMETER"), str):
                names.add(value["$PARAMETER"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for exp in doc.get("expectations", []):
        walk(exp.get("kwargs", {}))
    return names


# --------------------------------------------------------------------------- running


def run_suite(
    suite_name: str,
    df: pandas.DataFrame,
    parameters: dict[str, Any] | None = None,
    expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR,
    validate: Validate | None = None,
) -> SuiteOutcome:
    """Validate ``df`` against the committed suite ``suite_name``; writes nothing to disk
    (unless ``validate`` does: the quality report's Data Docs session stores the result).

    ``parameters`` fills ``{"$PARAMETER": name}`` references (e.g. ``{"today": date}``);
    ``datetime.date`` values are passed to GX as ``pandas.Timestamp`` so that they
    compare with the ``datetime64`` columns DuckDB's ``.df()`` returns.
    """
    doc = load_suite_json(suite_name, expectations_dir)
    parameters = dict(parameters or {})
    missing = suite_parameter_names(doc) - parameters.keys()
    if missing:
        raise SuiteError(
            f"suite {suite_name!r} needs parameter(s) {sorted(missing)}; pass them in `parameters`"
        )

    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=doc["name"],
        expectations=[copy.deepcopy(e) for e in doc["expectations"]],
        meta=copy.deepcopy(doc.get("meta")),
        id=doc.get("id"),
    )
    if len(suite.expectations) != len(doc["expectations"]):
        # GX logs and drops an expectation it cannot build instead of raising.
        built = {e.id for e in suite.expectations}
        dropped = [e["type"] for e in doc["expectations"] if e["id"] not in built]
        raise SuiteError(f"suite {suite_name!r}: GX could not build {dropped}")

    id_columns = _id_columns(doc, df)
    result_format: dict[str, Any] = {
        "result_format": _RESULT_FORMAT,
        "partial_unexpected_count": _PARTIAL_COUNT,
    }
    if id_columns:
        result_format["unexpected_index_column_names"] = id_columns
    result = (validate or validate_ephemeral)(
        suite,
        _suite_frame(df, doc),
        result_format=result_format,
        expectation_parameters={k: _gx_parameter(v) for k, v in parameters.items()},
    )

    # GX does not return results in suite order; match them back by expectation id.
    by_id = {r.expectation_config.id: r for r in result.results}
    outcomes = [_outcome(exp, by_id.get(exp["id"]), id_columns) for exp in doc["expectations"]]
    success = all(o.success for o in outcomes if o.severity == "error")
    return SuiteOutcome(suite=suite_name, success=success, outcomes=outcomes)


def validate_ephemeral(
    suite: Any, frame: pandas.DataFrame, *, result_format: dict, expectation_parameters: dict
) -> Any:
    """GX's validation result of `frame` against `suite`, in a context of its own that is
    forgotten afterwards: the default `Validate` of `run_suite`."""
    with released_context(_ephemeral_context()) as context:
        batch_definition = (
            context.data_sources.add_pandas("heyrick")
            .add_dataframe_asset(suite.name)
            .add_batch_definition_whole_dataframe("whole_dataframe")
        )
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(
            suite, result_format=result_format, expectation_parameters=expectation_parameters
        )


def _suite_frame(df: pandas.DataFrame, doc: Mapping[str, Any]) -> pandas.DataFrame:
    return _dates_as_datetime64(_columns_read(df, doc, _id_columns(doc, df)))


def _id_columns(doc: Mapping[str, Any], df: pandas.DataFrame) -> list[str]:
    return [c for c in (doc.get("meta") or {}).get("id_columns", []) if c in df.columns]


def _columns_read(
    df: pandas.DataFrame, doc: Mapping[str, Any], id_columns: list[str]
) -> pandas.DataFrame:
    """Only the columns the suite reads, and those its failures are reported by.

    GX filters, copies and hashes the whole frame for every expectation, so on a wide
    table most of its time went to columns no expectation reads (measured on the
    national sample: 2.6M postcodes, 600k companies). Results are the same: rows keep
    their index. A suite with a row condition (which may name any column) or naming no
    column at all gets the whole frame.
    """
    wanted = _wanted(doc, id_columns)
    if wanted is None:
        return df
    return df[[c for c in df.columns if c in wanted]]


def _wanted(doc: Mapping[str, Any], id_columns: list[str]) -> set[str] | None:
    """The columns a suite reads and reports by; None when it may read any."""
    wanted = set(id_columns)
    for exp in doc["expectations"]:
        kwargs = exp["kwargs"]
        if "row_condition" in kwargs:
            return None
        for key in _COLUMN_KWARGS:
            value = kwargs.get(key)
            wanted.update([value] if isinstance(value, str) else value or [])
    return wanted or None


def columns_read(
    suite_names: Iterable[str],
    columns: Iterable[str],
    expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR,
) -> list[str]:
    """Those of `columns` that any of the suites reads or reports by, in their order (all of
    them when a suite may read any). Converting only these to pandas is what kept a
    national run's 5.4M-row PSC table from taking several GB in pandas."""
    columns = list(columns)
    wanted: set[str] = set()
    for name in suite_names:
        doc = load_suite_json(name, expectations_dir)
        more = _wanted(doc, [c for c in (doc.get("meta") or {}).get("id_columns", [])])
        if more is None:
            return columns
        wanted |= more
    return [c for c in columns if c in wanted]


def skip_batch_fingerprints() -> None:
    """GX fingerprints every pandas batch by hashing all its rows (a marker in the result
    that Heyrick never reads) unless the frame's memory exceeds HASH_THRESHOLD: ~30 s of
    each national run. A threshold of 0 skips the fingerprint."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


@contextmanager
def released_context(context):
    """`context` while in use, then forgotten by GX. `gx.get_context` makes every context
    GX's global project context, which keeps the last frame validated through it (its
    batch data) alive until the next `get_context`: between two raw assets of a national
    run that held the 5.4M-row PSC frame, in pandas, into the steps that followed."""
    import great_expectations as gx

    try:
        yield context
    finally:
        gx.data_context.set_context(None)


def _ephemeral_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    skip_batch_fingerprints()
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _dates_as_datetime64(df: pandas.DataFrame) -> pandas.DataFrame:
    """Date columns held as Python ``date`` objects or Arrow ``date32`` become ``datetime64``,
    in nanoseconds where the values fit (1677-2262).

    GX compares them with ``pandas.Timestamp`` parameters, which pandas refuses for plain
    dates (the expectation would fail with "Cannot compare Timestamp with datetime.date").
    Nanoseconds because GX compares only ``datetime64[ns]`` columns vectorised; others
    (polars' dates arrive as ``datetime64[ms]``) it compares value by value, which took
    ~25 s per run on the national sample's date columns. Returns the frame itself when
    nothing needs converting, else a shallow copy: the caller's frame is never changed.
    """
    import pandas as pd

    converted: dict[str, Any] = {}
    for name in df.columns:
        col = df[name]
        dtype = col.dtype
        if isinstance(dtype, pd.ArrowDtype) and dtype.kind == "M":
            pa_type = dtype.pyarrow_dtype
            if str(pa_type).startswith("date"):
                converted[name] = _nanoseconds_if_they_fit(col.astype("datetime64[us]"))
        elif pd.api.types.is_datetime64_dtype(dtype) and dtype != "datetime64[ns]":
            converted[name] = _nanoseconds_if_they_fit(col)
        elif pd.api.types.is_object_dtype(dtype):
            first = col.first_valid_index()
            if first is None:
                continue
            value = col.loc[first]
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                try:
                    converted[name] = _nanoseconds_if_they_fit(
                        pd.to_datetime(col).astype("datetime64[us]")
                    )
                except (TypeError, ValueError):
                    pass  # mixed content: leave it, GX reports the comparison error
    if not converted:
        return df
    out = df.copy(deep=False)
    for name, col in converted.items():
        out[name] = col
    return out


def _nanoseconds_if_they_fit(col: pandas.Series) -> pandas.Series:
    import pandas as pd

    try:
        return col.astype("datetime64[ns]")
    except pd.errors.OutOfBoundsDatetime:  # e.g. a 9999-12-31 placeholder: compared slowly
        return col


def _gx_parameter(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, dt.date):  # also datetime.datetime
        return pd.Timestamp(value)
    return value


# --------------------------------------------------------------------------- outcomes


def _outcome(exp: Mapping[str, Any], r: Any, id_columns: list[str]) -> ExpectationOutcome:
    type_ = exp["type"]
    kwargs = exp["kwargs"]
    column = kwargs.get("column")
    severity = exp["meta"]["severity"]
    rule = exp.get("description") or _default_rule(type_, kwargs)

    if r is None:  # should not happen; fail loudly rather than pass silently
        return ExpectationOutcome(
            type_, column, severity, False, None, None, [], f"{rule}: GX returned no result"
        )

    res: dict[str, Any] = dict(r.result or {})
    error = _exception_message(r.exception_info)
    if error is not None:
        return ExpectationOutcome(
            type_,
            column,
            severity,
            False,
            None,
            None,
            [],
            f"{rule}: could not be evaluated: {_one_line(error)}",
        )

    evaluated_kwargs = dict(r.expectation_config.kwargs)
    unexpected_count = res.get("unexpected_count")
    if "observed_value" in res:
        observed = _plain(res.get("observed_value"))
    else:
        observed = _plain(res.get("unexpected_percent"))
    ids = _row_ids(res.get("partial_unexpected_index_list") or [], id_columns)
    examples = _examples(res.get("partial_unexpected_list") or [])
    if unexpected_count and not examples:  # e.g. not-null: the values are all null
        examples = ids[:_MAX_EXAMPLES]
        ids_are_examples = True
    else:
        ids_are_examples = False

    detail = _detail(
        type_, bool(r.success), evaluated_kwargs, res, examples, ids, ids_are_examples, id_columns
    )
    return ExpectationOutcome(
        expectation=type_,
        column=column,
        severity=severity,
        success=bool(r.success),
        observed=observed,
        unexpected_count=int(unexpected_count) if unexpected_count is not None else None,
        examples=examples,
        description=f"{rule}: {detail}",
    )


def _detail(
    type_: str,
    success: bool,
    kwargs: Mapping[str, Any],
    res: Mapping[str, Any],
    examples: list[Any],
    ids: list[Any],
    ids_are_examples: bool,
    id_columns: list[str],
) -> str:
    if type_ == "expect_table_row_count_to_be_between":
        n = res.get("observed_value")
        text = f"{_fmt_int(n)} rows" if isinstance(n, int) else f"observed {n!r}"
        return text if success else f"{text}, expected {_range(kwargs)}"

    if "unexpected_count" not in res:  # other aggregate expectations
        observed = res.get("observed_value")
        if success:
            return f"passed (observed {_fmt_value(observed)})"
        return f"observed {_fmt_value(observed)}, expected {_range(kwargs)}"

    count = int(res.get("unexpected_count") or 0)
    element_count = int(res.get("element_count") or 0)
    pct = res.get("unexpected_percent") or 0.0
    mostly = kwargs.get("mostly")

    if type_ == "expect_column_values_to_not_be_null":
        present = 100.0 - pct
        if success:
            if count == 0:
                return "passed (none missing)"
            return f"passed ({_fmt_pct(present)} present)"
        text = (
            f"{_fmt_pct(present)} present ({_fmt_int(count)} of {_fmt_int(element_count)} missing)"
            if mostly is not None
            else f"{_fmt_int(count)} {_rows(count)} missing it ({_fmt_pct(pct)})"
        )
        return text + _ids_suffix(ids, id_columns)

    if success:
        if count == 0:
            return "passed"
        within = f"allowed by mostly={mostly}"
        return f"passed ({_fmt_int(count)} {_rows(count)}, {_fmt_pct(pct)}, {within})"

    eg = f", e.g. {_fmt_examples(examples)}" if examples and not ids_are_examples else ""
    ids_text = _ids_suffix(ids, id_columns)

    if type_ == "expect_column_values_to_be_unique":
        distinct = res.get("unexpected_list")
        n_values = len({_hashable(v) for v in distinct}) if distinct is not None else None
        head = (
            f"{_fmt_int(n_values)} duplicated {'value' if n_values == 1 else 'values'} "
            f"({_fmt_int(count)} rows, {_fmt_pct(pct)})"
            if n_values is not None
            else f"{_fmt_int(count)} rows share a value ({_fmt_pct(pct)})"
        )
        return head + eg
    if mostly is not None:
        allowed = _fmt_pct(100.0 * (1.0 - float(mostly)))
        head = (
            f"{_fmt_pct(pct)} of non-empty values fail ({_fmt_int(count)} {_rows(count)}; "
            f"at most {allowed} allowed)"
        )
    elif type_ == "expect_column_values_to_be_in_set":
        head = f"{_fmt_int(count)} {_rows(count)} ({_fmt_pct(pct)}) {_has(count)} other values"
    elif type_ == "expect_column_values_to_match_regex":
        verb = "does" if count == 1 else "do"
        head = f"{_fmt_int(count)} {_rows(count)} ({_fmt_pct(pct)}) {verb} not match the pattern"
    elif type_ == "expect_column_values_to_be_between":
        head = f"{_fmt_int(count)} {_rows(count)} ({_fmt_pct(pct)}) {_outside(kwargs)}"
    else:
        head = f"{_fmt_int(count)} unexpected {_rows(count)} ({_fmt_pct(pct)})"
    return head + eg + ids_text


def _exception_message(info: Any) -> str | None:
    """GX puts either one exception dict or {metric id: exception dict} in exception_info."""
    if not isinstance(info, Mapping) or not info:
        return None
    if "raised_exception" in info:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error")
        return None
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message") or "unknown error")
    return None


def _examples(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[Any] = set()
    for v in values:
        v = _plain(v)
        if v is None:
            continue
        key = _hashable(v)
        if key in seen:
            continue
        seen.add(key)
        out.append(v)
        if len(out) == _MAX_EXAMPLES:
            break
    return out


def _row_ids(index_list: Iterable[Any], id_columns: list[str]) -> list[Any]:
    """Identifying values of unexpected rows: a scalar for one id column, else a dict."""
    if not id_columns:
        return []
    out: list[Any] = []
    for item in index_list:
        if not isinstance(item, Mapping):
            continue
        record = {c: _plain(item.get(c)) for c in id_columns}
        if all(v is None for v in record.values()):
            continue
        value = record[id_columns[0]] if len(id_columns) == 1 else record
        if value not in out:
            out.append(value)
    return out


def _plain(value: Any) -> Any:
    """JSON-friendly Python value: numpy scalars unwrapped, NA to None, dates as ISO text."""
    import numpy as np
    import pandas as pd

    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


# --------------------------------------------------------------------------- formatting


def _default_rule(type_: str, kwargs: Mapping[str, Any]) -> str:
    column = kwargs.get("column")
    name = type_.removeprefix("expect_").replace("_", " ")
    return f"{column}: {name}" if column else name


def _range(kwargs: Mapping[str, Any]) -> str:
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    if lo is not None and hi is not None:
        return f"between {_fmt_value(lo)} and {_fmt_value(hi)}"
    if lo is not None:
        return f"at least {_fmt_value(lo)}"
    if hi is not None:
        return f"at most {_fmt_value(hi)}"
    return "any value"


def _outside(kwargs: Mapping[str, Any]) -> str:
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    if lo is not None and hi is not None:
        return f"outside {_fmt_value(lo)} to {_fmt_value(hi)}"
    if lo is not None:
        return f"below the minimum of {_fmt_value(lo)}"
    if hi is not None:
        return f"above the maximum of {_fmt_value(hi)}"
    return "out of range"


def _has(n: int) -> str:
    return "has" if n == 1 else "have"


def _rows(n: int) -> str:
    return "row" if n == 1 else "rows"


def _fmt_int(n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


def _fmt_pct(p: Any) -> str:
    p = float(p)
    if 0 < p < 0.01:
        return "<0.01%"
    return f"{p:.2f}%"


def _fmt_value(v: Any) -> str:
    v = _plain(v)
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.4g}"
    return str(v)


def _fmt_examples(values: list[Any]) -> str:
    shown = values[:_MAX_IDS_IN_DESCRIPTION]
    text = ", ".join(repr(v) if isinstance(v, str) else _fmt_value(v) for v in shown)
    return text + (", …" if len(values) > len(shown) else "")


def _ids_suffix(ids: list[Any], id_columns: list[str]) -> str:
    if not ids:
        return ""
    label = id_columns[0] if len(id_columns) == 1 else "rows"
    shown = ", ".join(str(i) for i in ids[:_MAX_IDS_IN_DESCRIPTION])
    more = ", …" if len(ids) > _MAX_IDS_IN_DESCRIPTION else ""
    return f" ({label} {shown}{more})"


def _fmt_observed(observed: Any, type_: str) -> str:
    if observed is None:
        return ""
    if isinstance(observed, float) and type_ != "expect_table_row_count_to_be_between":
        return (
            _fmt_pct(observed) if type_.startswith("expect_column_values_") else f"{observed:.4g}"
        )
    return _fmt_value(observed)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _md_cell(value: Any) -> str:
    return _one_line(str(value)).replace("|", "\\|")
