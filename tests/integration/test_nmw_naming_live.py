"""The live NMW naming connector against a local server playing the GOV.UK content API."""

from __future__ import annotations

import json
from datetime import date

import pytest

from heyrick_dagster.sources import http, nmw_naming, raw_store
from heyrick_dagster.sources.errors import FetchError
from heyrick_dagster.sources.nmw_naming import round_ids
from heyrick_dagster.sources.nmw_naming_govuk import fetch_live
from tests.conftest import FIXTURES
from tests.support.http_server import Reply

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
COLLECTION = "/api/content" + nmw_naming.COLLECTION_PATH
HTML_BODY = (FIXTURES / "nmw_naming" / "2015-R1_2015-03-24_employers-named.html").read_text(
    encoding="utf-8"
)
CSV = (FIXTURES / "nmw_naming" / "2024-R1_2024-02-20_employers-named.csv").read_bytes()
CSV_PATH = "/media/def/employers-named-round-2024.csv"


def _json(doc: dict) -> Reply:
    return Reply(body=json.dumps(doc).encode(), headers={"Content-Type": "application/json"})


def _govuk(server, csv_reply: tuple[Reply, ...] = (Reply(body=CSV),)) -> None:
    """A collection with a 2015 news story (the list in its body), a 2024 publication (a PDF
    and a CSV attachment), a 2024 press release naming a few of the same employers, and a
    policy page with no list."""
    docs = {
        "/government/news/nmw-offenders-named-2015": {
            "first_published_at": "2015-03-24T00:01:00.000+00:00",
            "details": {"body": HTML_BODY},
        },
        "/government/publications/nmw-naming-round-2024": {
            "first_published_at": "2024-02-20T09:30:00.000+00:00",
            "details": {
                "body": "<p>The list of employers named in this round.</p>",
                "attachments": [
                    {
                        "attachment_type": "file",
                        "url": f"{server.base_url}/media/abc/employers-named.pdf",
                        "filename": "employers-named.pdf",
                        "content_type": "application/pdf",
                    },
                    {
                        "attachment_type": "file",
                        "url": f"{server.base_url}{CSV_PATH}",
                        "filename": "employers-named-round-2024.csv",
                        "content_type": "text/csv",
                    },
                ],
            },
        },
        "/government/news/over-500-employers-named-2024": {
            "first_published_at": "2024-02-20T00:01:00.000+00:00",
            "details": {
                "body": "<ul><li>Harbour Pizza Ltd, Lewisham, SE13, failed to pay £1,204.50 "
                "to 3 workers</li></ul>"
            },
        },
        "/guidance/naming-scheme-policy": {
            "first_published_at": "2013-10-01T00:00:00.000+01:00",
            "details": {"body": "<p>Employers who fail to pay may be named.</p>"},
        },
    }
    server.route(
        COLLECTION,
        _json({"links": {"documents": [{"base_path": path} for path in docs]}}),
    )
    for path, doc in docs.items():
        server.route(f"/api/content{path}", _json({"base_path": path, **doc}))
    server.route(CSV_PATH, *csv_reply)


def test_live_fetch_keeps_one_file_per_round_named_with_round_and_date(http_server, tmp_path):
    _govuk(http_server)
    seen: list[str] = []
    files = fetch_live(http_server.base_url, tmp_path, FAST, seen.append)
    assert [f.path.name for f in files] == [
        "2015-R1_2015-03-24_nmw-offenders-named-2015.html",
        "2024-R1_2024-02-20_employers-named-round-2024.csv",
    ]
    assert files[0].path.read_text(encoding="utf-8") == HTML_BODY  # the body as served
    assert files[1].path.read_bytes() == CSV
    assert any("skipped /guidance/naming-scheme-policy" in message for message in seen)
    frame, _ = nmw_naming.parse_files(f.path for f in files)
    assert frame.group_by("round").len().sort("round").rows() == [("2015-R1", 6), ("2024-R1", 4)]


def test_live_fetch_records_every_answer_and_file_in_the_manifest(http_server, tmp_path):
    _govuk(http_server)
    files = fetch_live(http_server.base_url, tmp_path, FAST)
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text())
    for raw in files:
        assert manifest[raw.path.name]["sha256"] == raw_store.sha256_of(raw.path)
    assert manifest[files[1].path.name]["origin"] == f"{http_server.base_url}{CSV_PATH}"
    assert manifest[files[0].path.name]["origin"].endswith("#details.body")
    kept = {name for name in manifest if name.startswith("content__")}
    assert "content__national-minimum-wage-and-national-living-wage-naming-scheme.json" in kept
    assert len(kept) == 5  # the collection and its four documents, byte for byte
    # Nothing lies beside them under another name: every download was stored whole.
    assert {f.name for f in tmp_path.iterdir() if f.is_file()} == {*manifest, "MANIFEST.json"}


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path
):
    _govuk(http_server, (Reply(body=CSV, cut_after=50),))
    with pytest.raises(FetchError, match=rf"source nmw_naming, file .*{CSV_PATH}"):
        fetch_live(http_server.base_url, tmp_path, FAST)
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.part"))


def test_an_error_page_instead_of_the_collection_is_a_clear_fetch_error(http_server, tmp_path):
    http_server.route(COLLECTION, Reply(body=b"<!DOCTYPE html><title>Sorry</title>"))
    with pytest.raises(FetchError, match=r"not JSON; it begins '<!DOCTYPE html>"):
        fetch_live(http_server.base_url, tmp_path, FAST)


def test_an_empty_collection_is_a_clear_fetch_error(http_server, tmp_path):
    http_server.route(COLLECTION, _json({"links": {}}))
    with pytest.raises(FetchError, match=r"the collection lists no documents"):
        fetch_live(http_server.base_url, tmp_path, FAST)


def test_round_ids_count_rounds_within_each_year():
    days = [date(2024, 6, 1), date(2023, 6, 21), date(2024, 2, 20), date(2024, 2, 20)]
    assert round_ids(days) == {
        date(2023, 6, 21): "2023-R1",
        date(2024, 2, 20): "2024-R1",
        date(2024, 6, 1): "2024-R2",
    }
