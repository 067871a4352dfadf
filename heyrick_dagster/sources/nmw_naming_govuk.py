"""Live fetch of the naming rounds through the GOV.UK content API.

`GET <base>/api/content<collection path>` lists the collection's documents in
`links.documents` (each with its `base_path`). Each document's own content item
gives its `first_published_at`, its HTML `details.body` and, for publications,
`details.attachments` (`attachment_type` "file" with a `url` and `filename`, or
"html" with a GOV.UK path whose own content item holds the body).

Documents published on the same day are one round (a press release and the
publication carrying its list). Per round one representation is kept, the most
structured first: a CSV/XLSX/ODS attachment, else an HTML attachment with
employer lines, else the body with the most employer lines. Documents with no
employer lines and no table (policy pages, bulletins, PDF-only lists) are
skipped and reported through `emit`. Round ids are `<year>-R<k>`, k the rank of
the round's date among the listed rounds of that year.

Raw bytes are kept: every content-API answer is saved as `content__<slug>.json`
and recorded in the manifest (the bodies are cut from these), and every
attachment is saved as served. Only the round files are returned for parsing,
named `<round>_<YYYY-MM-DD>_<slug>.<ext>` so that the parser reads round and date
from the name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlparse

from lxml import etree

from heyrick_dagster.sources import govuk, http, raw_store
from heyrick_dagster.sources.nmw_naming import COLLECTION_PATH, SOURCE, round_ids
from heyrick_dagster.sources.nmw_naming_lines import html_lines, looks_like_entry, parse_html

TABLE_TYPES = {
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Lower is preferred when a round has several representations.
_RANK = {"table": 0, "html_attachment": 1, "body": 2}


@dataclass(frozen=True)
class Candidate:
    kind: str  # table | html_attachment | body
    url: str
    slug: str
    ext: str
    body: str | None = None  # the HTML for html_attachment and body; None for a table to download
    entries: int = 0


def fetch_live(
    base_url: str,
    folder: Path,
    policy: http.RetryPolicy,
    emit: Callable[[str], None] | None = None,
) -> list[raw_store.RawFile]:
    """Download every round of the collection into `folder`; returns the round files."""
    say = emit or (lambda message: None)
    folder.mkdir(parents=True, exist_ok=True)
    collection = _content(base_url, COLLECTION_PATH, folder, policy)
    documents = govuk.documents(SOURCE, collection, govuk.content_url(base_url, COLLECTION_PATH))
    rounds: dict[date, list[Candidate]] = {}
    for document in documents:
        path = document["base_path"]
        item = _content(base_url, path, folder, policy)
        published = govuk.first_published(item)
        candidates = _candidates(base_url, item, folder, policy)
        if published is None or not candidates:
            say(f"nmw_naming: skipped {path} (no employer list or no publication date)")
            continue
        rounds.setdefault(published, []).extend(candidates)
    files = []
    ids = round_ids(list(rounds))
    for n, round_date in enumerate(sorted(rounds), 1):
        best = min(rounds[round_date], key=lambda c: (_RANK[c.kind], -c.entries))
        name = f"{ids[round_date]}_{round_date.isoformat()}_{best.slug}.{best.ext}"
        say(f"nmw_naming {n}/{len(rounds)} round {ids[round_date]}: {best.kind} {best.url}")
        files.append(_keep(best, folder / name, policy, say))
    return files


def _slug(path: str) -> str:
    last = urlparse(path).path.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9-]+", "-", last.lower()).strip("-")[:80] or "document"


def _content(base_url: str, path: str, folder: Path, policy: http.RetryPolicy) -> dict:
    """One content item, its answer kept byte for byte and recorded."""
    dest = folder / f"content__{_slug(path)}.json"
    return govuk.keep_item(SOURCE, base_url, path, dest, policy)[0]


def _entries(body: str | None) -> int:
    if not body or not body.strip():
        return 0
    try:
        root = parse_html(body)
    except etree.LxmlError:  # a body of nothing but markup comments holds no list
        return 0
    return sum(1 for line in html_lines(root) if looks_like_entry(line.text))


def _candidates(base_url: str, item: dict, folder: Path, policy) -> list[Candidate]:
    slug = _slug(item.get("base_path") or "document")
    found = []
    for attachment in govuk.attachments(item) or []:
        url = urljoin(base_url + "/", attachment.get("url") or "")
        if attachment.get("attachment_type") == "html":
            path = urlparse(url).path
            body = govuk.body(_content(base_url, path, folder, policy))
            if entries := _entries(body):
                found.append(Candidate("html_attachment", url, _slug(path), "html", body, entries))
        elif ext := _table_ext(attachment):
            stem = Path(urlparse(attachment.get("filename") or url).path).stem
            found.append(Candidate("table", url, _slug(stem), ext))
    page = govuk.body(item)
    if entries := _entries(page):
        url = govuk.content_url(base_url, item.get("base_path") or "")
        found.append(Candidate("body", url, slug, "html", page, entries))
    return found


def _table_ext(attachment: dict) -> str | None:
    if attachment.get("attachment_type", "file") != "file":
        return None
    name = (attachment.get("filename") or attachment.get("url") or "").lower()
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix in TABLE_TYPES.values():
        return suffix
    return TABLE_TYPES.get((attachment.get("content_type") or "").split(";")[0].strip())


def _keep(
    best: Candidate, dest: Path, policy: http.RetryPolicy, say: Callable[[str], None]
) -> raw_store.RawFile:
    if best.body is not None:
        # The body exactly as the content API gave it (its JSON is kept beside it).
        # Written aside, then stored: the name never shows bytes the store has not recorded.
        incoming = dest.with_name(f".{dest.name}.incoming")
        incoming.write_text(best.body, encoding="utf-8")
        return raw_store.store(incoming, dest, f"{best.url}#details.body", move=True)
    table = http.Download(best.url, dest.name)
    return http.download_all(SOURCE, [table], dest.parent, policy, say)[0]
