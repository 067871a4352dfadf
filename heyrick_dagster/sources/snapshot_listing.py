"""The newest snapshot on a Companies House download page (Basic company data, PSC).

Both pages list each monthly snapshot as numbered part zips ("..._1of7", "...-part1_7")
and, for the same date, one whole-file zip. The parts are preferred (smaller downloads,
progress per part); when the page lists only some parts of the newest date - it is
mid-update - its one file is complete and used instead.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from heyrick_dagster.sources import http
from heyrick_dagster.sources.errors import FetchError


@dataclass(frozen=True)
class Listing:
    vintage: str  # YYYY-MM-DD of the newest snapshot the page lists
    urls: list[str]  # its parts in order, or its one file


@dataclass(frozen=True)
class SnapshotNames:
    """How a page names its zips: `link` finds (href, file name); `part` gives (date,
    part, of); `one_file` gives (date,)."""

    link: re.Pattern
    part: re.Pattern
    one_file: re.Pattern
    what: str  # what the zips are, for the error: "BasicCompanyData zip files"


def fetch_page(source: str, page_url: str, policy: http.RetryPolicy) -> str:
    """The page, through the same retries as the files; it is not kept (the zips' origins
    in the manifest say where they came from) and too small for progress reports."""
    with tempfile.TemporaryDirectory() as tmp:
        path = http.download(
            source, page_url, Path(tmp) / "page.html", policy=policy, progress=lambda d, t: None
        )
        return path.read_text(encoding="utf-8", errors="replace")


def newest_snapshot(source: str, page_url: str, page: str, names: SnapshotNames) -> Listing:
    """The newest snapshot `page` lists: all its parts, else its one file."""
    parts: dict[str, dict[int, tuple[int, str]]] = {}
    whole: dict[str, str] = {}
    for href, name in names.link.findall(page):
        url = urljoin(page_url, href)
        if m := names.part.search(name):
            parts.setdefault(m.group(1), {})[int(m.group(2))] = (int(m.group(3)), url)
        elif m := names.one_file.search(name):
            whole[m.group(1)] = url
    if not parts and not whole:
        raise FetchError(
            source,
            page_url,
            f"the download page lists no {names.what}",
            hint=f"the page may have changed or be an error page; it begins {page[:120]!r}",
        )
    vintage = max(parts.keys() | whole.keys())
    if vintage not in parts:
        return Listing(vintage, [whole[vintage]])
    found = parts[vintage]
    total = max(of for of, _ in found.values())
    missing = sorted(set(range(1, total + 1)) - found.keys())
    if not missing:
        return Listing(vintage, [found[n][1] for n in sorted(found)])
    if vintage in whole:
        return Listing(vintage, [whole[vintage]])
    raise FetchError(
        source,
        page_url,
        f"the page lists parts of the {vintage} snapshot but not part(s) {missing} of {total}",
        hint="the page may be mid-update; retry later",
    )
