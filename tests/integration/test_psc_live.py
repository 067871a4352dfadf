"""The live PSC connector against a local server: the newest snapshot's parts, and no
download at all without the pseudonymisation key."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from heyrick_dagster.sources import http, psc, raw_store
from heyrick_dagster.sources.errors import FetchError
from heyrick_dagster.sources.psc_pseudonyms import KEY_VARIABLE
from tests.support.http_server import Reply

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
KEY = "k" * 40
PART_1 = "psc-snapshot-2026-11-10_1of2.zip"
PART_2 = "psc-snapshot-2026-11-10_2of2.zip"
OLD = "psc-snapshot-2026-11-09_1of1.zip"


def _record(company: str) -> str:
    data = {
        "kind": psc.INDIVIDUAL,
        "name_elements": {"forename": "Ann", "surname": "Lee"},
        "date_of_birth": {"month": 1, "year": 1970},
        "notified_on": "2017-01-01",
        "links": {"self": f"/company/{company}/persons-with-significant-control/individual/x"},
    }
    return json.dumps({"company_number": company, "data": data})


def _zip(name: str, company: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name.replace(".zip", ".txt"), _record(company) + "\n")
    return buffer.getvalue()


def _serve(server) -> str:
    links = "".join(f'<li><a href="{n}">{n} (64Mb)</a></li>' for n in (OLD, PART_1, PART_2))
    server.route(
        "/en_pscdata.html", Reply(body=f"<html><body><ul>{links}</ul></body></html>".encode())
    )
    for name, company in ((PART_1, "00000001"), (PART_2, "00000002"), (OLD, "00000003")):
        server.route(f"/{name}", Reply(body=_zip(name, company)))
    return f"{server.base_url}/en_pscdata.html"


def test_live_fetch_downloads_every_part_of_the_newest_snapshot_and_they_parse(
    http_server, tmp_path
):
    files = psc.fetch_live(_serve(http_server), tmp_path, FAST, KEY)

    assert [f.path.name for f in files] == [PART_1, PART_2]
    assert http_server.hits(f"/{OLD}") == 0
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text())
    assert manifest[PART_2]["sha256"] == raw_store.sha256_of(tmp_path / PART_2)
    frame, _ = psc.read_controls([f.path for f in files], KEY)
    assert sorted(frame["company_number"]) == ["00000001", "00000002"]


def test_live_fetch_without_the_key_fails_naming_the_variable_before_downloading(
    http_server, tmp_path
):
    page = _serve(http_server)
    with pytest.raises(FetchError, match=KEY_VARIABLE):
        psc.fetch_live(page, tmp_path, FAST, None)
    assert http_server.hits("/en_pscdata.html") == 0
    assert not list(tmp_path.iterdir())


def test_live_fetch_names_a_page_that_lists_no_snapshot(http_server, tmp_path):
    http_server.route("/en_pscdata.html", Reply(body=b"<html><body>Maintenance</body></html>"))
    with pytest.raises(FetchError, match="lists no PSC snapshot zip files"):
        psc.fetch_live(f"{http_server.base_url}/en_pscdata.html", tmp_path, FAST, KEY)
