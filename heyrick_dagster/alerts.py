"""Alerts: what Heyrick tells its operators when a quality gate fails or the top indications
change.

Knows nothing of Dagster: defs/alerts.py turns a finished run's events into the plain records
here (FailedGate, FailedStep, TopChange); this module words the alert, decides whether the top
of the ranking changed, and POSTs the alert as JSON to the webhook named by
HEYRICK_ALERT_WEBHOOK (off by default: then alerts are only logged).

The payload's `text` is what Slack and Teams incoming webhooks display as it is; the other
fields carry the same facts for a machine. A webhook address is a secret (chat services put
the token in its path), so it never reaches a log line or an error message: only its scheme
and host do (`redact`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import requests

TOP_N = 20
# An alert that cannot be delivered within this is reported as undelivered, not retried: the
# sensor evaluating it must not hang, and the alert is in the Dagster logs either way.
TIMEOUT_S = 10.0
# Gates and steps written out in the text; the JSON fields list them all.
LISTED = 10
DESCRIPTION_CHARS = 300
CAVEAT = "Indications, not evidence."
SYNTHETIC = "SYNTHETIC SAMPLE"


class AlertDeliveryError(RuntimeError):
    """The webhook did not take the alert; the message names its host, never its path."""


@dataclass(frozen=True)
class FailedGate:
    """A blocking (error-severity) check that did not pass."""

    asset: str  # "raw/fhrs__establishments"
    check: str  # "passes_quality_suite"
    description: str


@dataclass(frozen=True)
class FailedStep:
    step: str
    error: str


@dataclass(frozen=True)
class TopChange:
    """The top of the ranking (FHRSIDs, best first) now and at the previous evaluation. Only
    who is in it counts as a change: premises swapping places inside it do not."""

    previous: tuple[str, ...] | None  # None: no earlier ranking to compare with
    current: tuple[str, ...]

    @property
    def entered(self) -> list[str]:
        before = set(self.previous or ())
        return [fhrsid for fhrsid in self.current if fhrsid not in before]

    @property
    def left(self) -> list[str]:
        now = set(self.current)
        return [fhrsid for fhrsid in self.previous or () if fhrsid not in now]

    @property
    def changed(self) -> bool:
        return self.previous is not None and bool(self.entered or self.left)

    def describe(self) -> str:
        size = len(self.current)
        if self.previous is None:
            return f"First ranking recorded: the top {size} premises are kept to compare with."
        if not self.changed:
            return f"The same {size} premises lead the ranking as at the previous evaluation."
        return (
            f"{len(self.entered)} premises entered the top {size} "
            f"({', '.join(self.entered)}); {len(self.left)} left it ({', '.join(self.left)})."
        )


def compare_top(previous: Sequence[str] | None, current: Sequence[str]) -> TopChange:
    return TopChange(tuple(previous) if previous is not None else None, tuple(current))


@dataclass(frozen=True)
class Alert:
    kind: str  # gate_failed | run_failed | top_indications_changed
    title: str
    text: str  # the title and the facts, for a person
    details: dict = field(default_factory=dict)  # the same facts, for a machine

    def payload(self) -> dict:
        return {
            "source": "heyrick",
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            **self.details,
        }


def _labelled(title: str, synthetic: bool) -> str:
    return f"[{SYNTHETIC}] {title}" if synthetic else title


def _short(text: str) -> str:
    """The first line (a traceback or a GX table follows it), cut to DESCRIPTION_CHARS."""
    lines = (text or "").strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= DESCRIPTION_CHARS else first[: DESCRIPTION_CHARS - 1] + "…"


def failure_alert(
    run_id: str,
    job: str,
    gates: Sequence[FailedGate],
    steps: Sequence[FailedStep],
    synthetic: bool,
) -> Alert:
    """A failed run: the blocking gates that failed in it or, when none did (a contract
    violation at ingest, a download that gave up), the steps that failed."""
    run = f"run {run_id[:8]} ({job})"
    if gates:
        kind = "gate_failed"
        title = f"Heyrick: {len(gates)} blocking quality gate(s) failed in {run}"
        lines = [f"- {g.asset} {g.check}: {_short(g.description)}" for g in gates[:LISTED]]
        footer = (
            "Nothing downstream of a failed gate ran; the last good tables keep serving. The "
            "failing examples are on each check in the Dagster UI."
        )
    else:
        kind = "run_failed"
        title = f"Heyrick: {run} failed at {len(steps)} step(s)"
        lines = [f"- {s.step}: {_short(s.error)}" for s in steps[:LISTED]]
        footer = "The last good tables keep serving; the run's logs are in the Dagster UI."
    more = len(gates if gates else steps) - LISTED
    if more > 0:
        lines.append(f"- … and {more} more")
    title = _labelled(title, synthetic)
    return Alert(
        kind=kind,
        title=title,
        text="\n".join([title, *lines, footer]),
        details={
            "run_id": run_id,
            "job": job,
            "synthetic": synthetic,
            "failed_gates": [asdict(g) for g in gates],
            "failed_steps": [asdict(s) for s in steps],
        },
    )


def top_change_alert(run_id: str, job: str, change: TopChange, synthetic: bool) -> Alert:
    size = len(change.current)
    title = _labelled(
        f"Heyrick: {len(change.entered)} premises entered the top {size} indications "
        f"(run {run_id[:8]}, {job})",
        synthetic,
    )
    lines = [
        f"Entered (FHRSID): {', '.join(change.entered) or 'none'}",
        f"Left (FHRSID): {', '.join(change.left) or 'none'}",
        "Each premises' explanation is in analysis.premises_indications. " + CAVEAT,
    ]
    return Alert(
        kind="top_indications_changed",
        title=title,
        text="\n".join([title, *lines]),
        details={
            "run_id": run_id,
            "job": job,
            "synthetic": synthetic,
            "entered": change.entered,
            "left": change.left,
            "top": list(change.current),
            "caveat": CAVEAT,
        },
    )


def redact(url: str) -> str:
    """The part of a webhook address that may be logged: scheme and host, no path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


def post(alert: Alert, url: str, timeout_s: float = TIMEOUT_S) -> int:
    """POST the alert's payload as JSON; returns the HTTP status. Raises AlertDeliveryError,
    naming only the webhook's host, on a timeout, a refused connection or a non-2xx answer."""
    where = redact(url)
    try:
        response = requests.post(url, json=alert.payload(), timeout=timeout_s)
    except requests.Timeout:
        raise AlertDeliveryError(f"webhook {where} did not answer within {timeout_s:g} s") from None
    except requests.RequestException as exc:
        # The exception's own text holds the full address: only its type is kept.
        raise AlertDeliveryError(f"webhook {where} unreachable ({type(exc).__name__})") from None
    if not 200 <= response.status_code < 300:
        raise AlertDeliveryError(f"webhook {where} answered HTTP {response.status_code}")
    return response.status_code
