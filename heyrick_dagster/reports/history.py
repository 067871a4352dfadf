"""A small JSON history per publisher, so each report says how every figure moved.

`data/reports/quality/<publisher>.history.json` keeps the figures of the last runs
(failing and total per finding, unexpected count per expectation, rows, vintage and
verdict per dataset): enough to compare, small enough to read by eye.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from heyrick_dagster.quality.gx_runner import ExpectationOutcome, SuiteOutcome
from heyrick_dagster.reports.assessment import DatasetAssessment
from heyrick_dagster.reports.findings import Finding

KEEP_RUNS = 50
NO_PREVIOUS = "—"  # no earlier run to compare with (the report says so once, at the top)


def load(path: Path) -> list[dict[str, Any]]:
    """The runs recorded so far, oldest first; none when the file is missing or unreadable
    (a damaged history costs the comparison, never the report)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    runs = doc.get("runs") if isinstance(doc, dict) else None
    return runs if isinstance(runs, list) else []


def append(path: Path, publisher: str, run: dict[str, Any], keep: int = KEEP_RUNS) -> None:
    runs = [*load(path), run][-keep:]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"publisher": publisher, "runs": runs}, indent=1), encoding="utf-8")
    tmp.replace(path)


def figures(assessments: Sequence[DatasetAssessment]) -> dict[str, Any]:
    """What a later run compares itself with."""
    return {
        "datasets": {
            a.table: {
                "rows": a.rows,
                "vintage": a.vintage.isoformat() if a.vintage else None,
                "verdict": a.verdict,
                "candidate": a.candidate,
            }
            for a in assessments
        },
        "findings": {
            f.id: {"failing": f.failing, "total": f.total} for a in assessments for f in a.findings
        },
        "expectations": {
            key: {"success": o.success, "unexpected": o.unexpected_count, "observed": _scalar(o)}
            for a in assessments
            for s in a.suites
            for key, o in zip(expectation_keys(s.outcome), s.outcome.outcomes, strict=True)
        },
    }


def expectation_keys(outcome: SuiteOutcome) -> list[str]:
    """Stable names for a suite's expectations: suite, type and column (numbered when a
    suite checks the same column twice with the same type)."""
    keys: list[str] = []
    for o in outcome.outcomes:
        base = f"{outcome.suite}:{o.expectation}:{o.column or ''}"
        key, n = base, 2
        while key in keys:
            key, n = f"{base}#{n}", n + 1
        keys.append(key)
    return keys


def finding_change(finding: Finding, previous_run: dict[str, Any] | None) -> str:
    """How a finding moved since the previous run, in words for a table cell."""
    if previous_run is None:
        return NO_PREVIOUS
    before = previous_run.get("figures", {}).get("findings", {}).get(finding.id)
    if before is None:
        return "new check"
    return change(finding.failing, finding.total, before.get("failing"), before.get("total"))


def expectation_change(key: str, outcome: ExpectationOutcome, previous_run: dict | None) -> str:
    """Row-level expectations compare their unexpected counts; aggregate ones (row counts,
    distinct values) what they observed."""
    if previous_run is None:
        return NO_PREVIOUS
    before = previous_run.get("figures", {}).get("expectations", {}).get(key)
    if before is None:
        return "new check"
    if outcome.unexpected_count is not None and before.get("unexpected") is not None:
        return change(outcome.unexpected_count, None, before["unexpected"], None)
    now, then = _scalar(outcome), before.get("observed")
    if now == then:
        return "unchanged"
    if now is None or then is None:
        return "n/a"
    return f"{_fmt(then)} → {_fmt(now)}"


def _scalar(o: ExpectationOutcome) -> Any:
    """The observed value when it is a plain number or text (JSON-safe), else None."""
    value = o.observed
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None


def _fmt(value: Any) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def change(failing: int | None, total: int | None, before: int | None, before_total: int | None):
    """'+12 (+0.21 pts)', '-3', 'unchanged', or 'n/a' when either side was not checked."""
    if failing is None or before is None:
        return "n/a"
    diff = failing - before
    rate_text = ""
    if total and before_total:
        points = 100 * (failing / total - before / before_total)
        if round(points, 2) != 0:
            rate_text = f" ({points:+.2f} pts)"
    if diff == 0 and not rate_text:
        return "unchanged"
    return f"{diff:+,}{rate_text}"
