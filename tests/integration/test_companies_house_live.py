"""The live Companies House connector against a local server replaying files and faults."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from heyrick_dagster.sources import companies_house as ch
from heyrick_dagster.sources import http, raw_store
from heyrick_dagster.sources.errors import FetchError
from tests.conftest import FIXTURES
from tests.support.http_server import Reply

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
GOOD_LINES = (
    (FIXTURES / "companies_house" / "good_BasicCompanyData-2026-11-01-part1_1.csv")
    .read_text()
    .splitlines(keepends=True)
)
PART_1 = "BasicCompanyData-2026-11-01-part1_2.zip"
PART_2 = "BasicCompanyData-2026-11-01-part2_2.zip"
ONE_FILE = "BasicCompanyDataAsOneFile-2026-11-01.zip"


def _zip(member: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return buffer.getvalue()


ZIPS = {
    PART_1: _zip(PART_1.replace(".zip", ".csv"), "".join(GOOD_LINES[:5])),
    PART_2: _zip(PART_2.replace(".zip", ".csv"), GOOD_LINES[0] + "".join(GOOD_LINES[5:])),
    ONE_FILE: _zip(ONE_FILE.replace(".zip", ".csv"), "".join(GOOD_LINES)),
}


def _page(*hrefs: str) -> bytes:
    """The download page as Companies House lays it out: relative links with sizes."""
    items = "\n".join(f'<li><a href="{h}">{h.rsplit("/", 1)[-1]}  (70Mb)</a></li>' for h in hrefs)
    return (
        "<!DOCTYPE html><html><head><title>Free Company Data Product</title></head><body>"
        f"<h1>Company data as multiple files:</h1><ul>\n{items}\n</ul></body></html>"
    ).encode()


def _serve(server, *hrefs: str, files: dict[str, bytes] | None = None) -> str:
    server.route("/en_output.html", Reply(body=_page(*hrefs)))
    for name, body in (ZIPS if files is None else files).items():
        server.route(f"/{name}", Reply(body=body))
    return f"{server.base_url}/en_output.html"


def test_live_fetch_downloads_every_part_of_the_newest_snapshot_and_records_sha256(
    http_server, tmp_path
):
    page = _serve(
        http_server, "archive/BasicCompanyData-2026-10-01-part1_1.zip", ONE_FILE, PART_1, PART_2
    )
    seen: list[str] = []
    files = ch.fetch_live(page, tmp_path, FAST, seen.append)
    assert [f.path.name for f in files] == [PART_1, PART_2]  # parts preferred, older ignored
    assert [f.origin for f in files] == [f"{http_server.base_url}/{n}" for n in (PART_1, PART_2)]
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text())
    assert manifest[PART_1]["sha256"] == raw_store.sha256_of(tmp_path / PART_1)
    assert http_server.hits("/archive/BasicCompanyData-2026-10-01-part1_1.zip") == 0
    frame, parsed = ch.read_companies([f.path for f in files])
    assert frame.height == 5 and sum(p.rows_read for p in parsed) == 9
    assert any(s.startswith(f"companies_house 2/2 {PART_2}: 100%") for s in seen)


def test_live_fetch_takes_the_one_file_when_no_parts_are_listed(http_server, tmp_path):
    page = _serve(http_server, ONE_FILE)
    files = ch.fetch_live(page, tmp_path, FAST)
    assert [f.path.name for f in files] == [ONE_FILE]
    assert files[0].path.read_bytes() == ZIPS[ONE_FILE]


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path
):
    page = _serve(http_server, ONE_FILE)
    http_server.route(f"/{ONE_FILE}", Reply(body=ZIPS[ONE_FILE], cut_after=100))
    with pytest.raises(FetchError, match=rf"source companies_house, file .*/{ONE_FILE}"):
        ch.fetch_live(page, tmp_path, FAST)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "MANIFEST.json"]


def test_live_fetch_names_a_page_that_lists_no_files(http_server, tmp_path):
    http_server.route("/en_output.html", Reply(body=b"<html><body>Maintenance</body></html>"))
    with pytest.raises(FetchError, match=r"lists no BasicCompanyData zip files.*Maintenance"):
        ch.fetch_live(f"{http_server.base_url}/en_output.html", tmp_path, FAST)


def test_live_fetch_refuses_a_snapshot_with_a_part_missing_from_the_page(http_server, tmp_path):
    page = _serve(
        http_server,
        "BasicCompanyData-2026-11-01-part1_3.zip",
        "BasicCompanyData-2026-11-01-part3_3.zip",
    )
    with pytest.raises(FetchError, match=r"not part\(s\) \[2\] of 3"):
        ch.fetch_live(page, tmp_path, FAST)


def test_listing_falls_back_to_the_one_file_while_the_parts_are_incomplete(http_server):
    page = _serve(http_server, ONE_FILE, PART_2)
    listing = ch.list_published_files(page, FAST)
    assert listing.vintage == "2026-11-01"
    assert listing.urls == [f"{http_server.base_url}/{ONE_FILE}"]
