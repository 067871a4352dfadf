"""Dagster wiring for alerts (the logic and the wording are in heyrick_dagster/alerts.py).

- `top_indications_are_unchanged`: a WARN check on analysis/premises_indications that compares
  the top 20 premises with those its previous evaluation recorded (in its own metadata, so the
  history is in the UI). It is not a quality gate and blocks nothing: a change is news for
  the people who review indications.
- `alert_on_failed_run` and `alert_on_successful_run`: run-status sensors that read the run's
  check evaluations and failed steps, log the alert and POST it to HEYRICK_ALERT_WEBHOOK when
  one is set. A failed run alerts with its failed blocking gates (or its failed steps); any
  run in which the top indications changed alerts with who entered and who left.

Sensors see the runs of this code location: those launched from the UI, the schedule and
sensors, not `heyrick run`'s in-process runs.
"""

import dagster as dg

from heyrick_dagster import alerts, warehouse
from heyrick_dagster.defs.analysis import INDICATIONS_KEY
from heyrick_dagster.settings import Settings

TOP_CHECK = dg.AssetCheckKey(INDICATIONS_KEY, "top_indications_are_unchanged")
TOP = "top_fhrsids"
PREVIOUS_TOP = "previous_top_fhrsids"


def _current_top(settings: Settings) -> list[str]:
    frame = warehouse.query(
        settings.duckdb_path,
        "select cast(fhrsid as varchar) as fhrsid from analysis.premises_indications "
        f"order by rank limit {alerts.TOP_N}",
    )
    return frame["fhrsid"].to_list()


def _previous_top(instance: dg.DagsterInstance) -> list[str] | None:
    """The top recorded by this check's last completed evaluation (None before the first)."""
    # Not in dagster's public API (checked on 1.13; the freshness sensor reads it the same way).
    summary = instance.event_log_storage.get_asset_check_summary_records([TOP_CHECK])[TOP_CHECK]
    record = summary.last_completed_check_execution_record
    evaluation = record.event.asset_check_evaluation if record and record.event else None
    if evaluation is None or TOP not in evaluation.metadata:
        return None
    return list(evaluation.metadata[TOP].value)


@dg.asset_check(
    asset=INDICATIONS_KEY,
    name=TOP_CHECK.name,
    blocking=False,
    description=f"Warns when the premises in the top {alerts.TOP_N} of the ranking differ from "
    "those at the previous evaluation (a swap of places inside it is no change); the alert "
    "sensors then say who entered and who left. News for reviewers, not a quality gate.",
)
def top_indications_are_unchanged(
    context: dg.AssetCheckExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.AssetCheckResult:
    change = alerts.compare_top(_previous_top(context.instance), _current_top(settings))
    metadata = {
        TOP: dg.MetadataValue.json(list(change.current)),
        "entered": dg.MetadataValue.json(change.entered),
        "left": dg.MetadataValue.json(change.left),
    }
    if change.previous is not None:
        metadata[PREVIOUS_TOP] = dg.MetadataValue.json(list(change.previous))
    return dg.AssetCheckResult(
        passed=not change.changed,
        severity=dg.AssetCheckSeverity.WARN,
        description=change.describe(),
        metadata=metadata,
    )


def _step_error(entry: dg.EventLogEntry) -> str:
    failure = entry.dagster_event.step_failure_data
    if failure.user_failure_data and failure.user_failure_data.description:
        return failure.user_failure_data.description  # a dg.Failure's own words
    error = failure.error
    # Dagster wraps the user's exception; its cause is what went wrong.
    return (error.cause or error).message if error else "unknown error"


def alerts_for_run(
    instance: dg.DagsterInstance, run: dg.DagsterRun, synthetic: bool
) -> list[alerts.Alert]:
    """The alerts a finished run raises: its failure (when it failed) and a change in the top
    indications (when its check saw one)."""
    entries = instance.all_logs(
        run.run_id,
        of_type={dg.DagsterEventType.ASSET_CHECK_EVALUATION, dg.DagsterEventType.STEP_FAILURE},
    )
    evaluations = [e.asset_check_evaluation for e in entries if e.asset_check_evaluation]
    raised = []
    if run.status == dg.DagsterRunStatus.FAILURE:
        gates = [
            alerts.FailedGate(ev.asset_key.to_user_string(), ev.check_name, ev.description or "")
            for ev in evaluations
            if not ev.passed and ev.blocking and ev.severity == dg.AssetCheckSeverity.ERROR
        ]
        steps = [
            alerts.FailedStep(e.dagster_event.step_key or "run", _step_error(e))
            for e in entries
            if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        raised.append(alerts.failure_alert(run.run_id, run.job_name, gates, steps, synthetic))
    for ev in evaluations:
        if ev.asset_check_key == TOP_CHECK and not ev.passed:
            change = alerts.compare_top(ev.metadata[PREVIOUS_TOP].value, ev.metadata[TOP].value)
            raised.append(alerts.top_change_alert(run.run_id, run.job_name, change, synthetic))
    return raised


def raise_alerts(context: dg.RunStatusSensorContext, settings: Settings) -> None:
    """Log every alert of the run and POST it when a webhook is configured. A webhook that
    fails is logged as an error and not retried: the alert stays in these logs."""
    for alert in alerts_for_run(context.instance, context.dagster_run, settings.is_synthetic):
        context.log.warning(alert.text)
        if settings.alert_webhook is None:
            continue
        try:
            status = alerts.post(alert, settings.alert_webhook)
        except alerts.AlertDeliveryError as exc:
            context.log.error(f"{alert.kind} alert not delivered: {exc}")
        else:
            where = alerts.redact(settings.alert_webhook)
            context.log.info(f"{alert.kind} alert sent to {where} (HTTP {status})")


@dg.run_failure_sensor(
    name="alert_on_failed_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts (log, and HEYRICK_ALERT_WEBHOOK when set) when a run fails: the "
    "blocking quality gates that failed, or the steps that did.",
)
def alert_on_failed_run(context: dg.RunFailureSensorContext, settings: dg.ResourceParam[Settings]):
    raise_alerts(context, settings)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="alert_on_successful_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts (log, and HEYRICK_ALERT_WEBHOOK when set) when a run changed which "
    f"premises are in the top {alerts.TOP_N} indications.",
)
def alert_on_successful_run(
    context: dg.RunStatusSensorContext, settings: dg.ResourceParam[Settings]
):
    raise_alerts(context, settings)


asset_checks = [top_indications_are_unchanged]
sensors = [alert_on_failed_run, alert_on_successful_run]
