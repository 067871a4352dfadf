"""The readable summary that ends `heyrick run` (and `make run`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from heyrick_dagster import warehouse
from heyrick_dagster.settings import Settings

# Schemas whose tables the summary counts, in reading order.
LAYERS = ("raw", "staging", "intermediate", "marts", "analysis")


@dataclass
class RunSummary:
    success: bool
    materialized: list[str] = field(default_factory=list)
    # Assets whose inputs and code were unchanged, so their published result was reused
    # (heyrick_dagster/fingerprints.py).
    reused: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    untouched: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool, str, str]] = field(
        default_factory=list
    )  # key, passed, severity, text
    table_rows: dict[str, int] = field(default_factory=dict)
    absent_sources: list[str] = field(default_factory=list)
    vintages: dict[str, str] = field(default_factory=dict)
    sector_counts: dict[str, int] = field(default_factory=dict)

    @property
    def blocking_failures(self) -> list[str]:
        return [k for k, passed, sev, _ in self.checks if not passed and sev == "ERROR"]


def summarise(result: dg.ExecuteInProcessResult, settings: Settings) -> RunSummary:
    summary = RunSummary(success=result.success)
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        summary.materialized.append(key)
        metadata = event.materialization.metadata
        if "heyrick/recomputed" in metadata and metadata["heyrick/recomputed"].value is False:
            summary.reused.append(key)
        if "absent" in metadata and metadata["absent"].value:
            summary.absent_sources.append(key)
        if "vintage" in metadata:
            summary.vintages[key] = str(metadata["vintage"].value)
    summary.failed_steps = list(result.get_failed_step_keys())
    for evaluation in result.get_asset_check_evaluations():
        key = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        text = evaluation.description or ""
        summary.checks.append((key, evaluation.passed, evaluation.severity.value, text))
    summary.table_rows = warehouse.row_counts(settings.duckdb_path, LAYERS)
    if summary.table_rows.get("marts.dim_premises"):
        counts = warehouse.query(
            settings.duckdb_path,
            "select sector, count(*) as n from marts.dim_premises group by sector order by n desc",
        )
        summary.sector_counts = dict(zip(counts["sector"], counts["n"], strict=True))
    return summary


def render(summary: RunSummary, settings: Settings) -> str:
    origin = (
        "SYNTHETIC SAMPLE — every figure below describes generated data, not real businesses"
        if settings.is_synthetic
        else "official open data (live mode)"
    )
    ok = summary.success and not summary.blocking_failures
    lines = [
        "",
        "=" * 72,
        f"Heyrick run: {'SUCCEEDED' if ok else 'FAILED'}",
        f"Data: {origin}",
        "=" * 72,
        "",
        "Tables (rows):",
    ]
    for name, rows in summary.table_rows.items():
        vintage = summary.vintages.get(name.replace(".", "/"), "")
        lines.append(f"  {name:<44} {rows:>10,}  {vintage}")
    if summary.absent_sources:
        lines.append(
            "Absent optional sources (the analysis does not rest on them): "
            + ", ".join(summary.absent_sources)
        )
    if summary.sector_counts:
        lines += ["", "Premises by sector (marts.dim_premises):"]
        lines += [f"  {sector:<40} {n:>10,}" for sector, n in summary.sector_counts.items()]
    if summary.reused:
        lines += [
            "",
            f"Unchanged inputs and code: {len(summary.reused)} of {len(summary.materialized)} "
            "assets reused, not recomputed (HEYRICK_FORCE_RECOMPUTE=1 recomputes them)",
        ]
    passed = sum(1 for _, p, _, _ in summary.checks if p)
    warned = sum(1 for _, p, sev, _ in summary.checks if not p and sev != "ERROR")
    failed = len(summary.checks) - passed - warned
    lines += ["", f"Checks: {passed} passed, {failed} failed, {warned} warnings"]
    for key, ok_check, severity, text in sorted(summary.checks):
        mark = "pass" if ok_check else ("FAIL" if severity == "ERROR" else "warn")
        detail = "" if ok_check else f" — {text[:160]}"
        lines.append(f"  [{mark}] {key}{detail}")
    if summary.failed_steps:
        lines += ["", "Failed steps: " + ", ".join(summary.failed_steps)]
        lines.append("  The last good tables were kept; see the Dagster logs above for the cause.")
    lines += [
        "",
        "Outputs:",
        f"  DuckDB warehouse   {settings.duckdb_path}",
        f"  raw files + sha256 {settings.raw_dir}",
        *(
            [f"  synthetic sample   {settings.sample_dir} (ground truth in truth/)"]
            if settings.is_synthetic
            else []
        ),
        "  Dagster UI         make ui  (http://127.0.0.1:3000)",
        "",
        "Heyrick's outputs are indications, not evidence.",
        "",
    ]
    return "\n".join(lines)
