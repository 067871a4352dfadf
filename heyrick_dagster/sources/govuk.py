"""The GOV.UK content API: the JSON behind every www.gov.uk page, at `/api/content<path>`.

Three sources are published on GOV.UK and found through it: illegal-working
penalties (a publication whose attachments are the quarters), the minimum-wage
naming rounds (a collection of news stories and publications) and the NRM
statistics (a collection of quarterly publications). What they read is the same:
- a collection lists its documents in `links.documents`, each with a `base_path`;
- a document lists its files in `details.attachments` (`attachment_type` "file"
  with a `url` and `filename`, or "html" with a GOV.UK path of its own);
- an HTML document's page body is `details.body`, and it is dated by
  `first_published_at` (or `details.first_public_at`).

`get_item` reads an answer; `keep_item` also keeps it byte for byte in a
raw-store folder, recorded in the manifest before it is read, so that an answer
that is not what was expected can be inspected.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from heyrick_dagster.sources import http, raw_store
from heyrick_dagster.sources.errors import FetchError

API_PREFIX = "/api/content"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def content_url(base_url: str, path: str) -> str:
    """The content API address of a GOV.UK path ("/government/collections/...")."""
    return f"{base_url.rstrip('/')}{API_PREFIX}{path}"


def get_item(source: str, base_url: str, path: str, policy: http.RetryPolicy) -> dict:
    """One content item, read with the download retries; not kept."""
    url = content_url(base_url, path)
    return _item(source, url, http.fetch_json(source, url, policy=policy))


def keep_item(
    source: str, base_url: str, path: str, dest: Path, policy: http.RetryPolicy
) -> tuple[dict, raw_store.RawFile]:
    """One content item, saved to `dest` as served and recorded in its folder's manifest."""
    url = content_url(base_url, path)
    # Downloaded aside, then stored: the name never shows bytes the store has not recorded.
    incoming = http.download(
        source, url, dest.with_name(f".{dest.name}.incoming"), policy=policy, progress=_quiet
    )
    raw = raw_store.store(incoming, dest, url, move=True)
    data = dest.read_bytes()
    try:
        doc = json.loads(data)
    except ValueError as exc:
        snippet = data[:120].decode("utf-8", "replace")
        raise FetchError(
            source, url, f"the content API answer is not JSON; it begins {snippet!r}"
        ) from exc
    return _item(source, url, doc), raw


def _item(source: str, url: str, doc: object) -> dict:
    if not isinstance(doc, dict):
        raise FetchError(source, url, "the answer is not a GOV.UK content item (a JSON object)")
    return doc


def _quiet(done: int, total: int | None) -> None:
    """Content items are a few kB: no progress to report."""


def documents(source: str, collection: dict, url: str) -> list[dict]:
    """The documents a collection lists (those with a `base_path`); an error when none."""
    links = collection.get("links")
    listed = links.get("documents") if isinstance(links, dict) else None
    found = [d for d in listed or [] if isinstance(d, dict) and d.get("base_path")]
    if not found:
        raise FetchError(source, url, "the collection lists no documents (links.documents)")
    return found


def details(item: dict) -> dict:
    value = item.get("details")
    return value if isinstance(value, dict) else {}


def attachments(item: dict) -> list[dict] | None:
    """The item's `details.attachments`, or None when it has no such list."""
    value = details(item).get("attachments")
    if not isinstance(value, list):
        return None
    return [a for a in value if isinstance(a, dict)]


def body(item: dict) -> str | None:
    value = details(item).get("body")
    return value if isinstance(value, str) else None


def first_published(item: dict) -> date | None:
    """The day a document was first published, or None when it does not say."""
    for value in (item.get("first_published_at"), details(item).get("first_public_at")):
        if isinstance(value, str) and _ISO_DAY.match(value):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:  # "2024-13-45": not a day, so no date
                continue
    return None
