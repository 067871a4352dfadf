"""Downloads against a local server that misbehaves the way official servers do.

These are the retry rules of every connector (they all download through
`sources/http.py`); the connectors' own live tests keep only what is theirs.
Waits are recorded by the policy instead of slept, so no test measures time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from heyrick_dagster.sources import http, raw_store
from heyrick_dagster.sources.errors import FetchError
from tests.support.http_server import Reply

BODY = b"pcds,lat,long\n" + b"SE13 6JG,51.46,-0.01\n" * 2000  # ~40 kB: several reads
PATH = "/files/ONSPD_FEB_2025_UK.csv"


def _policy(waits: list[float], **overrides) -> http.RetryPolicy:
    values = {"attempts": 3, "backoff_s": 0.5, "timeout_s": 2.0, "sleep": waits.append}
    return http.RetryPolicy(**(values | overrides))


def _download(server, tmp_path, policy):
    return http.download("postcodes", f"{server.base_url}{PATH}", tmp_path / "f.csv", policy=policy)


def _leftovers(tmp_path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir())


def test_a_429_is_retried_after_the_seconds_its_retry_after_asks_for(http_server, tmp_path):
    http_server.route(
        PATH, Reply(429, b"slow down", headers={"Retry-After": "7"}), Reply(body=BODY)
    )
    waits: list[float] = []
    path = _download(http_server, tmp_path, _policy(waits))
    assert path.read_bytes() == BODY
    assert waits == [7.0] and http_server.hits(PATH) == 2


def test_a_retry_after_given_as_an_http_date_is_honoured(http_server, tmp_path):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    http_server.route(PATH, Reply(503, b"busy", headers={"Retry-After": later}), Reply(body=BODY))
    waits: list[float] = []
    _download(http_server, tmp_path, _policy(waits))
    [wait] = waits
    assert 20 < wait <= 30, "about the seconds until the date the server gave"


def test_a_retry_after_longer_than_the_policy_allows_is_capped(http_server, tmp_path):
    http_server.route(PATH, Reply(429, b"", headers={"Retry-After": "86400"}), Reply(body=BODY))
    waits: list[float] = []
    _download(http_server, tmp_path, _policy(waits, max_wait_s=60.0))
    assert waits == [60.0]


def test_5xx_are_retried_with_exponential_backoff_and_jitter(http_server, tmp_path):
    http_server.route(PATH, Reply(500), Reply(502), Reply(503), Reply(body=BODY))
    waits: list[float] = []
    path = _download(http_server, tmp_path, _policy(waits, attempts=4))
    assert path.read_bytes() == BODY and http_server.hits(PATH) == 4
    # backoff 0.5 s doubling, each plus up to half again of jitter
    assert [0.5 <= waits[0] <= 0.75, 1.0 <= waits[1] <= 1.5, 2.0 <= waits[2] <= 3.0] == [True] * 3


def test_the_jitter_spreads_the_waits_of_one_attempt_apart():
    policy = http.RetryPolicy(backoff_s=1.0)
    waits = {policy.wait(1) for _ in range(20)}
    assert len(waits) > 1 and all(1.0 <= w <= 1.5 for w in waits)


def test_a_404_is_final_and_not_retried(http_server, tmp_path):
    with pytest.raises(FetchError, match=r"HTTP 404"):
        _download(http_server, tmp_path, _policy([]))
    assert http_server.hits(PATH) == 1


def test_timeouts_are_retried_then_fail_naming_the_source_and_address(http_server, tmp_path):
    http_server.route(PATH, Reply(body=BODY, delay_s=0.6))
    waits: list[float] = []
    with pytest.raises(FetchError) as caught:
        _download(http_server, tmp_path, _policy(waits, attempts=2, timeout_s=0.2))
    message = str(caught.value)
    assert "source postcodes" in message and PATH in message
    assert "after 2 attempts" in message and "Timeout" in message
    assert len(waits) == 1 and _leftovers(tmp_path) == [], "no file from a failed download"


def test_a_connection_reset_mid_body_is_retried_and_the_file_arrives_whole(http_server, tmp_path):
    http_server.route(PATH, Reply(body=BODY, reset_after=len(BODY) // 2), Reply(body=BODY))
    path = _download(http_server, tmp_path, _policy([]))
    assert path.read_bytes() == BODY and http_server.hits(PATH) == 2
    assert _leftovers(tmp_path) == ["f.csv"]


def test_a_connection_reset_on_every_attempt_fails_and_leaves_no_partial_file(
    http_server, tmp_path
):
    http_server.route(PATH, Reply(body=BODY, reset_after=1000))
    with pytest.raises(
        FetchError, match=r"after 3 attempts: (connection broken|\w*ConnectionError)"
    ):
        _download(http_server, tmp_path, _policy([]))
    assert _leftovers(tmp_path) == []


def test_a_content_length_longer_than_the_body_fails_clearly_and_leaves_no_partial_file(
    http_server, tmp_path
):
    http_server.route(PATH, Reply(body=BODY, content_length=2 * len(BODY)))
    with pytest.raises(FetchError) as caught:
        _download(http_server, tmp_path, _policy([]))
    message = str(caught.value)
    assert f"connection broken before the {2 * len(BODY):,} bytes announced had arrived" in message
    assert f"IncompleteRead({len(BODY)} bytes read" in message
    assert _leftovers(tmp_path) == []


def test_fetch_json_retries_like_a_download_and_names_a_body_that_is_not_json(http_server):
    http_server.route("/api", Reply(503), Reply(body=b"<!DOCTYPE html><title>Sorry</title>"))
    waits: list[float] = []
    with pytest.raises(FetchError, match=r"not JSON .*it begins '<!DOCTYPE html>"):
        http.fetch_json("nrm", f"{http_server.base_url}/api", policy=_policy(waits))
    assert len(waits) == 1


def test_download_all_records_each_file_with_its_origin_and_reports_progress(http_server, tmp_path):
    http_server.route("/a.csv", Reply(body=b"a\n1\n"))
    http_server.route("/b.csv", Reply(body=BODY))
    downloads = [
        http.Download(f"{http_server.base_url}/a.csv", "a.csv", "Lewisham"),
        http.Download(f"{http_server.base_url}/b.csv", "b.csv"),
    ]
    seen: list[str] = []
    files = http.download_all("fhrs", downloads, tmp_path, _policy([]), seen.append)
    manifest = json.loads((tmp_path / raw_store.MANIFEST).read_text())
    assert [f.path.name for f in files] == ["a.csv", "b.csv"]
    assert {n: (e["origin"], e["sha256"]) for n, e in manifest.items()} == {
        f.path.name: (d.url, raw_store.sha256_of(f.path))
        for f, d in zip(files, downloads, strict=True)
    }
    assert seen[-1].startswith("fhrs 2/2 b.csv: 100% (")
    assert any(s.startswith("fhrs 1/2 Lewisham (a.csv): 100% (") for s in seen)
