"""The live NRM connector against a local server playing GOV.UK's content API and assets."""

from __future__ import annotations

import json

import pytest

from heyrick_dagster.sources import http, nrm, raw_store
from heyrick_dagster.sources.acquire import acquire
from heyrick_dagster.sources.errors import FetchError
from tests.conftest import FIXTURES
from tests.fixtures.nrm.make_fixtures import NAME, good_sheets, write_ods
from tests.support.http_server import Reply

FAST = http.RetryPolicy(attempts=3, backoff_s=0.01, timeout_s=2.0)
Q3 = (FIXTURES / "nrm" / f"good_{NAME}").read_bytes()
Q3_FILE = NAME
Q2_FILE = "national-referral-mechanism-statistics-uk-quarter-2-2025-apr-to-jun-tables.ods"
COLLECTION = f"/api/content{nrm.COLLECTION_PATH}"
STATS = "/government/statistics/national-referral-mechanism-statistics-uk-"
PUBLICATIONS = {  # base path -> (updated, attached tables file or None)
    f"{STATS}quarter-3-2025-july-to-september": ("2025-11-06T09:30:00Z", Q3_FILE),
    f"{STATS}quarter-2-2025-april-to-june": ("2025-08-07T09:30:00Z", Q2_FILE),
    "/government/publications/nrm-statistics-user-guide": ("2025-09-01T09:30:00Z", None),
    f"{STATS}quarter-1-2025-january-to-march": (
        "2025-05-08T09:30:00Z",
        "national-referral-mechanism-statistics-uk-quarter-1-2025-jan-to-mar-tables.ods",
    ),
}


def _q2_bytes(tmp_path) -> bytes:
    sheets = good_sheets()
    sheets["Cover_sheet"][0] = ["NRM statistics UK, Quarter 2 2025 – April to June"]
    path = tmp_path / Q2_FILE
    write_ods(path, sheets)
    return path.read_bytes()


def _govuk(server, files: dict[str, bytes | Reply | list[Reply]]) -> None:
    """The collection lists its publications (oldest first, as order is not promised);
    each publication's details list its attachments: an HTML report, the tables ODS."""
    documents = [
        {"base_path": path, "title": path.rsplit("/", 1)[-1], "public_updated_at": updated}
        for path, (updated, _) in reversed(PUBLICATIONS.items())
    ]
    server.route(COLLECTION, Reply(body=json.dumps({"links": {"documents": documents}}).encode()))
    for path, (_, tables) in PUBLICATIONS.items():
        # A relative address (resolved against GOV.UK) and an absolute one (the assets host).
        attachments = [{"title": "Report", "url": f"{path}/report", "content_type": "text/html"}]
        if tables:
            attachments.append(
                {
                    "title": "Data tables",
                    "url": f"{server.base_url}{_media(tables)}",
                    "filename": tables,
                    "content_type": "application/vnd.oasis.opendocument.spreadsheet",
                }
            )
        body = json.dumps({"base_path": path, "details": {"attachments": attachments}})
        server.route(f"/api/content{path}", Reply(body=body.encode()))
        if tables in files:
            replies = files[tables]
            if isinstance(replies, bytes):
                replies = [Reply(body=replies)]
            elif isinstance(replies, Reply):
                replies = [replies]
            server.route(_media(tables), *replies)


def _media(tables: str) -> str:
    return f"/media/65451bbe9c3709000d14677e/{tables}"


def test_live_fetch_downloads_the_newest_quarters_and_records_sha256(http_server, tmp_path):
    _govuk(http_server, {Q3_FILE: Q3, Q2_FILE: _q2_bytes(tmp_path)})
    folder = tmp_path / "raw"
    files = nrm.fetch_live(http_server.base_url, folder, FAST, quarters=2)
    assert [f.path.name for f in files] == [Q3_FILE, Q2_FILE]
    assert files[0].path.read_bytes() == Q3
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    assert manifest[Q3_FILE]["sha256"] == raw_store.sha256_of(files[0].path)
    assert manifest[Q3_FILE]["origin"].endswith(_media(Q3_FILE))
    frame, parsed = nrm.parse_files([f.path for f in files])
    assert [p.period for p in parsed] == ["2025Q3", "2025Q2"]
    # The walk stops once two quarters are found: the oldest publication is never read.
    assert http_server.hits(f"/api/content{STATS}quarter-1-2025-january-to-march") == 0


def test_live_fetch_reports_progress_per_file(http_server, tmp_path):
    _govuk(http_server, {Q3_FILE: Q3})
    seen: list[str] = []
    nrm.fetch_live(http_server.base_url, tmp_path, FAST, seen.append, quarters=1)
    assert seen[-1].startswith(f"nrm 1/1 2025Q3 ({Q3_FILE}): 100% (")


def test_live_fetch_fails_naming_source_and_address_when_no_body_is_whole(
    http_server, tmp_path
):
    _govuk(http_server, {Q3_FILE: Reply(body=Q3, cut_after=100)})
    with pytest.raises(FetchError, match=rf"source nrm, file .*{_media(Q3_FILE)}"):
        nrm.fetch_live(http_server.base_url, tmp_path, FAST, quarters=1)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "MANIFEST.json"]


def test_a_collection_without_tables_attachments_is_a_clear_fetch_error(http_server, tmp_path):
    documents = [{"base_path": "/government/publications/nrm-statistics-user-guide"}]
    http_server.route(
        COLLECTION, Reply(body=json.dumps({"links": {"documents": documents}}).encode())
    )
    http_server.route(
        "/api/content/government/publications/nrm-statistics-user-guide",
        Reply(body=b'{"details": {"attachments": []}}'),
    )
    with pytest.raises(FetchError, match=r"no publication in the collection has a quarterly"):
        nrm.fetch_live(http_server.base_url, tmp_path, FAST)


def test_a_collection_answer_without_documents_is_a_clear_fetch_error(http_server, tmp_path):
    http_server.route(COLLECTION, Reply(body=b'{"title": "Not a collection"}'))
    with pytest.raises(FetchError, match=r"the collection lists no documents \(links.documents\)"):
        nrm.fetch_live(http_server.base_url, tmp_path, FAST)


def test_absent_optional_source_is_reported_absent_not_failed(make_settings, tmp_path):
    settings = make_settings(mode="files", files_dir=tmp_path / "files")
    acquired = acquire(nrm.CONNECTOR, settings)
    assert acquired.absent and acquired.files == []
    assert nrm.CONNECTOR.parse([]).tables["referrals"].height == 0
