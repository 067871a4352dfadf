"""Alerts: change detection in the top indications, the wording of gate failures, the POST to
the webhook (against the local test server), and the sensors and check that raise them."""

from __future__ import annotations

import json

import dagster as dg
import polars as pl
import pytest

from heyrick_dagster import alerts, warehouse
from heyrick_dagster.defs.alerts import (
    alert_on_failed_run,
    alert_on_successful_run,
    top_indications_are_unchanged,
)
from heyrick_dagster.defs.analysis import INDICATIONS_KEY
from heyrick_dagster.settings import Settings, SettingsError
from tests.support.http_server import Reply

SECRET = "T0KEN-s3cret"
HOOK_PATH = f"/services/{SECRET}"


@pytest.fixture
def webhook(http_server):
    """The local server taking POSTs: it records each JSON body, then answers as the path's
    scripted replies say (tests/support/http_server.py serves GET only)."""
    bodies: list[dict] = []

    class Handler(http_server.httpd.RequestHandlerClass):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            bodies.append(json.loads(self.rfile.read(length)))
            self.do_GET()

    http_server.httpd.RequestHandlerClass = Handler
    http_server.route(HOOK_PATH, Reply(200, b"ok"))
    http_server.bodies = bodies
    http_server.url = http_server.base_url + HOOK_PATH
    return http_server


def _gate(check="passes_quality_suite"):
    return alerts.FailedGate("raw/fhrs__establishments", check, "postcode_is_valid: 12 rows fail")


# -- what changed at the top ------------------------------------------------------------------


def test_a_premises_entering_the_top_is_a_change_naming_who_entered_and_who_left():
    change = alerts.compare_top(["1", "2", "3"], ["1", "4", "3"])
    assert change.changed
    assert (change.entered, change.left) == (["4"], ["2"])
    assert "4" in change.describe() and "2" in change.describe()


def test_a_swap_of_places_inside_the_top_is_no_change():
    change = alerts.compare_top(["1", "2", "3"], ["3", "1", "2"])
    assert not change.changed
    assert change.entered == change.left == []


def test_the_first_ranking_is_recorded_not_reported_as_a_change():
    change = alerts.compare_top(None, ["1", "2"])
    assert not change.changed
    assert change.entered == ["1", "2"]
    assert change.describe().startswith("First ranking")


# -- wording ----------------------------------------------------------------------------------


def test_a_gate_failure_alert_names_each_failed_gate_and_says_the_last_good_tables_serve():
    gates = [_gate(), _gate("every_authority_meets_row_floor")]
    alert = alerts.failure_alert("abcdef1234", "heyrick_daily_refresh", gates, [], False)
    payload = alert.payload()
    assert payload["kind"] == "gate_failed"
    assert "2 blocking quality gate(s) failed" in payload["title"]
    assert "raw/fhrs__establishments every_authority_meets_row_floor" in payload["text"]
    assert "last good tables keep serving" in payload["text"]
    assert [g["check"] for g in payload["failed_gates"]] == [g.check for g in gates]
    assert payload["synthetic"] is False and "SYNTHETIC" not in payload["title"]


def test_a_failed_run_without_a_failed_gate_alerts_with_its_failed_steps():
    step = alerts.FailedStep("raw_fhrs", "fhrs: FHRS523en-GB.xml row 12: malformed date\nmore")
    alert = alerts.failure_alert("abcdef1234", "refresh_sources", [], [step], False)
    assert alert.kind == "run_failed"
    assert "- raw_fhrs: fhrs: FHRS523en-GB.xml row 12: malformed date" in alert.text
    assert "more" not in alert.text


def test_an_alert_from_the_synthetic_sample_says_so_and_carries_the_caveat():
    alert = alerts.top_change_alert("abcdef1234", "job", alerts.compare_top(["1"], ["2"]), True)
    payload = alert.payload()
    assert payload["title"].startswith("[SYNTHETIC SAMPLE]")
    assert payload["synthetic"] is True
    assert (payload["entered"], payload["left"], payload["top"]) == (["2"], ["1"], ["2"])
    assert alerts.CAVEAT in payload["text"]


# -- the POST ---------------------------------------------------------------------------------


def test_post_sends_the_alert_as_json_to_the_webhook(webhook):
    alert = alerts.failure_alert("abcdef1234", "job", [_gate()], [], False)
    assert alerts.post(alert, webhook.url) == 200
    assert webhook.bodies == [alert.payload()]
    assert webhook.requests[0][1]["Content-Type"] == "application/json"


def test_post_gives_up_after_its_timeout_naming_only_the_webhook_host(webhook):
    webhook.route(HOOK_PATH, Reply(200, b"ok", delay_s=3))
    alert = alerts.failure_alert("abcdef1234", "job", [_gate()], [], False)
    with pytest.raises(alerts.AlertDeliveryError, match="did not answer within 0.5 s") as err:
        alerts.post(alert, webhook.url, timeout_s=0.5)
    assert SECRET not in str(err.value) and err.value.__cause__ is None
    assert webhook.base_url in str(err.value)


def test_post_raises_on_an_error_status_without_the_secret_path(webhook):
    webhook.route(HOOK_PATH, Reply(403, b"invalid token"))
    alert = alerts.failure_alert("abcdef1234", "job", [_gate()], [], False)
    with pytest.raises(alerts.AlertDeliveryError, match="HTTP 403") as err:
        alerts.post(alert, webhook.url)
    assert SECRET not in str(err.value)


def test_the_webhook_is_off_by_default_and_kept_out_of_the_settings_repr():
    assert Settings.from_env({}).alert_webhook is None
    url = f"https://hooks.example.org{HOOK_PATH}"
    settings = Settings.from_env({"HEYRICK_ALERT_WEBHOOK": f" {url} "})
    assert settings.alert_webhook == url
    assert SECRET not in repr(settings)
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"HEYRICK_ALERT_WEBHOOK": f"hooks.example.org{HOOK_PATH}"})
    assert SECRET not in str(err.value)


# -- the Dagster wiring -----------------------------------------------------------------------


def _sensor_context(instance, run_id, event_type, sensor_name, settings):
    run = instance.get_run_by_id(run_id)
    event = instance.all_logs(run_id, of_type=event_type)[0].dagster_event
    return dg.build_run_status_sensor_context(
        sensor_name=sensor_name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event,
        resources={"settings": settings},
    )


def test_a_failed_blocking_gate_is_posted_by_the_failure_sensor(webhook, make_settings):
    @dg.asset(check_specs=[dg.AssetCheckSpec("rows_are_valid", asset="table", blocking=True)])
    def table():
        yield dg.MaterializeResult()
        yield dg.AssetCheckResult(passed=False, description="12 rows have no postcode")

    @dg.asset(deps=[table])
    def downstream():
        pass

    settings = make_settings(alert_webhook=webhook.url)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([table, downstream], instance=instance, raise_on_error=False)
        assert not result.success
        context = _sensor_context(
            instance,
            result.run_id,
            dg.DagsterEventType.RUN_FAILURE,
            "alert_on_failed_run",
            settings,
        )
        alert_on_failed_run(context.for_run_failure())
    [payload] = webhook.bodies
    assert payload["kind"] == "gate_failed"
    assert payload["failed_gates"] == [
        {"asset": "table", "check": "rows_are_valid", "description": "12 rows have no postcode"}
    ]
    assert payload["run_id"] == result.run_id


def _rank(settings: Settings, fhrsids: list[int]) -> None:
    frame = pl.DataFrame({"fhrsid": fhrsids, "rank": list(range(1, len(fhrsids) + 1))})
    warehouse.replace_table(settings.duckdb_path, "analysis", "premises_indications", frame)


def test_a_change_in_the_top_indications_warns_and_is_posted_by_the_success_sensor(
    webhook, make_settings
):
    @dg.asset(key=INDICATIONS_KEY)
    def premises_indications():
        pass

    settings = make_settings(alert_webhook=webhook.url)
    premises = list(range(1000, 1030))
    with dg.DagsterInstance.ephemeral() as instance:

        def run():
            result = dg.materialize(
                [premises_indications, top_indications_are_unchanged],
                instance=instance,
                resources={"settings": settings},
            )
            [evaluation] = result.get_asset_check_evaluations()
            return result, evaluation

        _rank(settings, premises)
        _, first = run()
        # Two premises from below the top 20 overtake the first two.
        _rank(settings, [premises[20], premises[21], *premises[2:20], *premises[:2]])
        second_run, second = run()
        context = _sensor_context(
            instance,
            second_run.run_id,
            dg.DagsterEventType.RUN_SUCCESS,
            "alert_on_successful_run",
            settings,
        )
        alert_on_successful_run(context)
    assert first.passed and first.description.startswith("First ranking")
    assert not second.passed and second.severity == dg.AssetCheckSeverity.WARN
    [payload] = webhook.bodies
    assert payload["kind"] == "top_indications_changed"
    assert payload["entered"] == ["1020", "1021"]
    assert payload["left"] == ["1000", "1001"]
    assert len(payload["top"]) == alerts.TOP_N
