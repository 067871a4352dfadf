"""The live ONSPD download against a local server replaying a zip and faults."""

from __future__ import annotations

import json

import pytest

from heyrick_dagster.sources import http, postcodes, raw_store
from heyrick_dagster.sources.errors import FetchError, ParseError
from tests.support.http_server import Reply
from tests.unit.test_postcodes_parse import MEMBER, official_zip

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
ITEM = "/sharing/rest/content/items/0123456789abcdef0123456789abcdef/data"


@pytest.fixture
def zip_body(tmp_path_factory) -> bytes:
    return official_zip(tmp_path_factory.mktemp("zip")).read_bytes()


def test_official_address_is_an_arcgis_item_download():
    assert postcodes.ONSPD_ITEM_URL.startswith("https://www.arcgis.com/sharing/rest/content/items/")
    assert postcodes.ONSPD_ITEM_URL.endswith("/data")
    assert postcodes.ONSPD_FILE_NAME.endswith(".zip")


def test_live_fetch_downloads_the_zip_records_sha256_and_it_parses(http_server, tmp_path, zip_body):
    http_server.route(ITEM, Reply(body=zip_body, headers={"Content-Type": "application/zip"}))
    seen: list[str] = []
    [raw] = postcodes.fetch_live(f"{http_server.base_url}{ITEM}", tmp_path, FAST, seen.append)
    assert raw.path == tmp_path / postcodes.ONSPD_FILE_NAME
    assert raw.path.read_bytes() == zip_body
    manifest = json.loads((tmp_path / raw_store.MANIFEST).read_text())
    assert manifest[raw.path.name]["sha256"] == raw_store.sha256_of(raw.path)
    frame, parsed = postcodes.parse_files([raw.path], frozenset({"BR1", "SE13", "SE4", "SE6"}))
    assert parsed[0].file == f"{raw.path}!{MEMBER}" and frame.height == 4
    assert seen[-1].startswith(f"postcodes 1/1 {postcodes.ONSPD_FILE_NAME}: 100%")


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path, zip_body
):
    http_server.route(ITEM, Reply(body=zip_body, cut_after=100))
    with pytest.raises(FetchError, match=rf"source postcodes, file .*{ITEM}"):
        postcodes.fetch_live(f"{http_server.base_url}{ITEM}", tmp_path, FAST)
    assert not list(tmp_path.glob("*.zip*")), "no file lands from a failed download"


def test_an_item_page_served_instead_of_the_zip_is_caught_by_the_parser(http_server, tmp_path):
    page = b"<!DOCTYPE html><html><title>ArcGIS Online - Sign In</title></html>"
    http_server.route(ITEM, Reply(body=page, headers={"Content-Type": "text/html"}))
    [raw] = postcodes.fetch_live(f"{http_server.base_url}{ITEM}", tmp_path, FAST)
    with pytest.raises(ParseError, match=r"HTML page, not postcode data") as caught:
        postcodes.parse_files([raw.path])
    assert caught.value.file == str(raw.path)
