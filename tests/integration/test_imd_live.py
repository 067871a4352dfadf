"""The live IoD2019 download against a local server replaying the fixtures and faults."""

from __future__ import annotations

import json

import pytest

from heyrick_dagster.sources import http, imd, raw_store
from heyrick_dagster.sources.errors import FetchError, ParseError
from tests.support.http_server import Reply
from tests.unit.test_imd_parse import FILE_1, FILE_7

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
BODY_1 = FILE_1.read_bytes()
BODY_7 = FILE_7.read_bytes()
PATH_1 = "/uploads/file/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
PATH_7 = (
    "/uploads/file/845345/"
    "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
)


def _urls(server) -> tuple[str, str]:
    return f"{server.base_url}{PATH_1}", f"{server.base_url}{PATH_7}"


def test_official_addresses_name_the_published_files():
    assert imd.FILE_1_URL.endswith(PATH_1.rsplit("/", 1)[-1])
    assert imd.FILE_7_URL.endswith(PATH_7.rsplit("/", 1)[-1])
    assert imd.FILE_1_URL.startswith("https://assets.publishing.service.gov.uk/")


def test_live_fetch_downloads_both_files_records_sha256_and_they_parse(http_server, tmp_path):
    http_server.route(PATH_1, Reply(body=BODY_1))
    http_server.route(PATH_7, Reply(body=BODY_7))
    seen: list[str] = []
    files = imd.fetch_live(_urls(http_server), tmp_path, FAST, seen.append)
    assert [f.path.read_bytes() for f in files] == [BODY_1, BODY_7]
    manifest = json.loads((tmp_path / raw_store.MANIFEST).read_text())
    for f in files:
        assert manifest[f.path.name]["sha256"] == raw_store.sha256_of(f.path)
        assert manifest[f.path.name]["origin"].startswith(http_server.base_url)
    frame, _ = imd.parse_files([f.path for f in files])
    assert frame.height == 8 and frame["population"].null_count() == 0
    assert any(line.startswith("imd 2/2 File_7_") and "100%" in line for line in seen)


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path
):
    http_server.route(PATH_1, Reply(body=BODY_1, cut_after=100))
    with pytest.raises(FetchError, match=rf"source imd, file .*{PATH_1}"):
        imd.fetch_live(_urls(http_server), tmp_path, FAST)
    assert not list(tmp_path.glob("*.xlsx*")), "no file lands from a failed download"


def test_an_error_page_served_with_status_200_is_caught_by_the_parser(http_server, tmp_path):
    page = b"<!DOCTYPE html><html><title>GOV.UK - Page not found</title></html>"
    http_server.route(PATH_1, Reply(body=page, headers={"Content-Type": "text/html"}))
    http_server.route(PATH_7, Reply(body=BODY_7))
    files = imd.fetch_live(_urls(http_server), tmp_path, FAST)
    with pytest.raises(ParseError, match=r"HTML page") as caught:
        imd.parse_files([f.path for f in files])
    assert caught.value.file == str(files[0].path)
