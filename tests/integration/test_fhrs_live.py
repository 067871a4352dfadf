"""The live FHRS connector against a local server replaying recorded files and faults."""

from __future__ import annotations

import json

import pytest

from heyrick_dagster.sources import fhrs, http, raw_store
from heyrick_dagster.sources.acquire import acquire
from heyrick_dagster.sources.errors import FetchError
from tests.conftest import FIXTURES
from tests.support.http_server import Reply

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
GOOD = (FIXTURES / "fhrs" / "good_FHRS523en-GB.xml").read_bytes()


def _authorities(server, files: dict[str, str]) -> None:
    """Serve /Authorities as the FSA does: JSON, only with x-api-version: 2, and file
    addresses that redirect (307) to the file itself."""
    listing = {"authorities": [], "meta": {}, "links": []}
    for code, name in files.items():
        listing["authorities"].append(
            {
                "LocalAuthorityId": int(code),
                "LocalAuthorityIdCode": code,
                "Name": name,
                "EstablishmentCount": 4,
                "SchemeType": 1,
                "FileName": f"{server.base_url}/OpenDataFiles/FHRS{code}en-GB.xml",
            }
        )
    # The API also lists aggregates with no file; they must be ignored.
    listing["authorities"].append({"LocalAuthorityIdCode": "", "Name": "England", "FileName": None})
    server.route(
        "/Authorities",
        Reply(
            body=json.dumps(listing).encode(),
            require_header=("x-api-version", "2"),
            headers={"Content-Type": "application/json"},
        ),
    )
    for code in files:
        server.route(
            f"/OpenDataFiles/FHRS{code}en-GB.xml",
            Reply(307, headers={"Location": f"/files/FHRS{code}en-GB.xml"}),
        )


def test_live_fetch_follows_the_index_and_redirect_and_records_sha256(http_server, tmp_path):
    _authorities(http_server, {"523": "Lewisham"})
    http_server.route("/files/FHRS523en-GB.xml", Reply(body=GOOD))
    files = fhrs.fetch_live(http_server.base_url, tmp_path / "raw", ["523"], FAST)
    assert [f.path.name for f in files] == ["FHRS523en-GB.xml"]
    assert files[0].path.read_bytes() == GOOD
    manifest = json.loads((tmp_path / "raw/MANIFEST.json").read_text())
    assert manifest["FHRS523en-GB.xml"]["sha256"] == raw_store.sha256_of(files[0].path)
    assert fhrs.parse_file(files[0].path).item_count == 4


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path
):
    _authorities(http_server, {"523": "Lewisham"})
    http_server.route("/files/FHRS523en-GB.xml", Reply(body=GOOD, cut_after=100))
    with pytest.raises(FetchError, match=r"source fhrs, file .*/OpenDataFiles/FHRS523en-GB.xml"):
        fhrs.fetch_live(http_server.base_url, tmp_path, ["523"], FAST)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "MANIFEST.json"]


def test_live_fetch_names_area_codes_the_index_does_not_list(http_server, tmp_path):
    _authorities(http_server, {"523": "Lewisham"})
    with pytest.raises(FetchError, match=r"local-authority code\(s\) \['999'\]"):
        fhrs.fetch_live(http_server.base_url, tmp_path, ["999"], FAST)


def test_authorities_index_is_requested_with_the_api_version_header(http_server):
    _authorities(http_server, {"523": "Lewisham", "525": "Newham"})
    authorities = fhrs.list_authorities(http_server.base_url, FAST)
    assert [a.code for a in authorities] == ["523", "525"]
    path, headers = http_server.requests[0]
    assert path == "/Authorities" and headers.get("x-api-version") == "2"


@pytest.mark.real_data
def test_live_mode_downloads_recorded_real_files_end_to_end(
    http_server, shared_data, make_settings
):
    codes = {"523": "Lewisham", "525": "Newham"}
    _authorities(http_server, codes)
    for code in codes:
        body = (shared_data / "fhrs" / f"FHRS{code}en-GB.xml").read_bytes()
        http_server.route(f"/files/FHRS{code}en-GB.xml", Reply(body=body))
    settings = make_settings(mode="live", areas=("523", "525"), fhrs_api_base=http_server.base_url)
    seen: list[str] = []
    acquired = acquire(fhrs.CONNECTOR, settings, seen.append)
    assert not acquired.synthetic
    frame, _ = fhrs.parse_files(f.path for f in acquired.files)
    assert frame.height == 2411 + 2385  # ItemCount of the two real files (PROVENANCE.md)
    # Progress in steps of 10% per file, ending at 100% with the size.
    assert "fhrs 1/2 Lewisham (FHRS523en-GB.xml): 100% (2.4 MiB of 2.4 MiB)" in seen
    assert "fhrs 2/2 Newham (FHRS525en-GB.xml): 100% (2.3 MiB of 2.3 MiB)" in seen
    assert 10 <= len(seen) <= 22
