"""The live illegal-working connector against a local server playing the GOV.UK content API."""

from __future__ import annotations

import json

import pytest

from heyrick_dagster.sources import http, illegal_working, raw_store
from heyrick_dagster.sources.acquire import acquire
from heyrick_dagster.sources.errors import FetchError
from tests.conftest import FIXTURES
from tests.support.http_server import Reply

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
IW = FIXTURES / "illegal_working"
INDEX = (IW / "illegal-working-penalties-uk-report.json").read_bytes()
Q4 = (IW / "illegal-working-civil-penalties-2024Q4.json").read_bytes()
API = "/api/content/government/publications/illegal-working-penalties-uk-report"
Q3_PATH = f"{API}/illegal-working-civil-penalties-for-uk-employers-1-july-to-30-september-2024"
Q4_PATH = f"{API}/illegal-working-civil-penalties-for-uk-employers-1-october-to-31-december-2024"


def _q3_content_item() -> bytes:
    """The Q3 page's body as the content API serves it (details.body)."""
    page = (IW / "illegal-working-civil-penalties-2024Q3.html").read_text(encoding="utf-8")
    body = page[page.index('<div class="govspeak">') : page.rindex("</main>")]
    return json.dumps(
        {
            "document_type": "html_publication",
            "title": "Illegal working civil penalties for UK employers: 1 July to 30 September "
            "2024",
            "public_updated_at": "2024-11-14T09:30:00.000+00:00",
            "details": {"body": body},
        }
    ).encode()


Q3 = _q3_content_item()


def _serve(server, q3: list[Reply] | None = None, q4: list[Reply] | None = None) -> None:
    json_type = {"Content-Type": "application/json"}
    server.route(API, Reply(body=INDEX, headers=json_type))
    server.route(Q3_PATH, *(q3 or [Reply(body=Q3, headers=json_type)]))
    server.route(Q4_PATH, *(q4 or [Reply(body=Q4, headers=json_type)]))


def test_live_fetch_reads_the_index_fetches_every_html_quarter_and_records_sha256(
    http_server, tmp_path
):
    _serve(http_server)
    files = illegal_working.fetch_live(http_server.base_url, tmp_path, FAST)
    assert [f.path.name for f in files] == [
        "illegal-working-penalties-uk-report.json",
        "illegal-working-civil-penalties-2024Q3.json",
        "illegal-working-civil-penalties-2024Q4.json",
    ]
    assert files[2].path.read_bytes() == Q4, "the raw bytes are kept as served"
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text())
    for f in files:
        assert manifest[f.path.name]["sha256"] == raw_store.sha256_of(f.path)
    assert manifest[files[1].path.name]["origin"] == http_server.base_url + Q3_PATH
    # Nothing lies beside them under another name: every download was stored whole.
    assert {f.name for f in tmp_path.iterdir() if f.is_file()} == {*manifest, "MANIFEST.json"}
    frame, parsed = illegal_working.parse_files(f.path for f in files)
    assert frame["record_id"].to_list() == [f"2024Q3#{n}" for n in range(1, 6)] + [
        "2024Q4#1",
        "2024Q4#2",
    ]
    assert "publication's index" in parsed[0].notes[0]


def test_live_fetch_keeps_only_the_newest_quarters_when_asked(http_server, tmp_path):
    _serve(http_server)
    files = illegal_working.fetch_live(http_server.base_url, tmp_path, FAST, newest=1)
    assert [f.path.name for f in files][1:] == ["illegal-working-civil-penalties-2024Q4.json"]
    assert http_server.hits(Q3_PATH) == 0


def test_live_fetch_reports_the_pdf_and_ods_releases_it_leaves_out(http_server, tmp_path):
    _serve(http_server)
    seen: list[str] = []
    illegal_working.fetch_live(http_server.base_url, tmp_path, FAST, emit=seen.append)
    skipped = [m for m in seen if "not fetched" in m]
    assert len(skipped) == 1 and "2 attachment(s)" in skipped[0]
    assert "London, 1 January to 31 March 2019" in skipped[0]
    assert any(m.endswith("100% (0.0 MiB of 0.0 MiB)") and "2024Q4" in m for m in seen)


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path
):
    _serve(http_server, q4=[Reply(body=Q4, cut_after=100)])
    with pytest.raises(FetchError, match=rf"source illegal_working, file .*{Q4_PATH}"):
        illegal_working.fetch_live(http_server.base_url, tmp_path, FAST)
    assert not (tmp_path / "illegal-working-civil-penalties-2024Q4.json").exists()


def test_live_fetch_fails_clearly_when_the_publication_lists_no_html_quarter(http_server, tmp_path):
    index = json.loads(INDEX)
    index["details"]["attachments"] = index["details"]["attachments"][2:]  # PDF and ODS only
    http_server.route(API, Reply(body=json.dumps(index).encode()))
    with pytest.raises(FetchError, match=r"lists no quarter as HTML"):
        illegal_working.fetch_live(http_server.base_url, tmp_path, FAST)


def test_live_fetch_refuses_two_attachments_for_one_quarter(http_server, tmp_path):
    index = json.loads(INDEX)
    index["details"]["attachments"].append(dict(index["details"]["attachments"][0]))
    http_server.route(API, Reply(body=json.dumps(index).encode()))
    with pytest.raises(FetchError, match=r"two HTML attachments cover 2024Q4"):
        illegal_working.fetch_live(http_server.base_url, tmp_path, FAST)


def test_live_fetch_names_an_index_that_is_not_json(http_server, tmp_path):
    http_server.route(API, Reply(body=b"<html><title>Sorry</title></html>"))
    with pytest.raises(FetchError, match=r"content API answer is not JSON; it begins .<html>"):
        illegal_working.fetch_live(http_server.base_url, tmp_path, FAST)


def test_newest_must_be_a_positive_number(tmp_path):
    with pytest.raises(ValueError, match=r"newest must be at least 1"):
        illegal_working.fetch_live("http://127.0.0.1:9", tmp_path, FAST, newest=0)


def test_live_mode_acquires_through_the_connector(http_server, make_settings, monkeypatch):
    _serve(http_server)
    monkeypatch.setattr(illegal_working, "GOVUK_BASE", http_server.base_url)
    settings = make_settings(mode="live", http_retries=2, http_timeout_s=2.0)
    acquired = acquire(illegal_working.CONNECTOR, settings)
    assert not acquired.synthetic and len(acquired.files) == 3
    result = illegal_working.CONNECTOR.parse([f.path for f in acquired.files])
    assert result.tables["penalties"].height == 7


def test_a_download_the_store_cannot_record_never_shows_under_its_name(
    http_server, tmp_path, monkeypatch
):
    """The bytes land aside and get their name only once recorded: a failure in between
    (a full disk writing the manifest) leaves no unrecorded file that a later run or
    reader could take for the stored one."""
    _serve(http_server)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(raw_store, "_record", full_disk)
    with pytest.raises(OSError, match="No space left"):
        illegal_working.fetch_live(http_server.base_url, tmp_path, FAST)
    # Only the hidden download in progress is left, which the next attempt overwrites.
    assert [f.name for f in tmp_path.iterdir() if not f.name.startswith(".")] == []
