"""Downloading official files: timeouts, retries with backoff, progress, no partial files.

A download is written to `<dest>.part` and renamed only once every byte the
server announced has arrived, so a dropped connection never leaves a file that
looks complete. Retried: the statuses in RETRYABLE_STATUS (429 after its
Retry-After), timeouts, refused or reset connections and bodies shorter than
their Content-Length; other 4xx/5xx are final, and so is a local disk that cannot
take the file (a SourceError naming it). `download_all` fetches a connector's files
into a raw-store folder and stores each one (raw_store: content-addressed, a file whose
sha256 is already stored is re-used, not written again).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import requests

from heyrick_dagster.sources import raw_store
from heyrick_dagster.sources.errors import FetchError, SourceError

log = logging.getLogger(__name__)

USER_AGENT = "heyrick/0.1 (+open-data pipeline; contact via repository)"
# Status codes worth another try: the service is busy or briefly broken.
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 1 << 16
# Jitter spreads retries of many clients apart; its own generator leaves the
# global random state (which seeded code relies on) untouched.
_JITTER = random.Random()

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_s: float = 1.0  # first wait; doubles each time, plus jitter
    max_wait_s: float = 60.0
    timeout_s: float = 60.0  # connect and per-read timeout
    # How a wait is spent: tests record the waits instead of sleeping through them.
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def for_settings(cls, settings) -> RetryPolicy:
        return cls(attempts=settings.http_retries, timeout_s=settings.http_timeout_s)

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds before attempt `attempt + 1`: what the server's Retry-After asks for
        (seconds or an HTTP date), else exponential backoff plus up to 50% jitter; never
        more than max_wait_s."""
        asked = _retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.max_wait_s)
        base = self.backoff_s * (2 ** (attempt - 1))
        return min(base + _JITTER.uniform(0, base / 2), self.max_wait_s)


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is "120" or an HTTP date ("Fri, 27 Nov 2026 07:30:00 GMT")."""
    text = (value or "").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT even when it does not say so
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: str | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


def progress_logger(label: str, emit: Callable[[str], None] = log.info) -> ProgressCallback:
    """A progress callback that reports every 10% (every 8 MiB when the size is unknown)
    and at the end, through `emit` (a logger method, or Dagster's context.log.info)."""
    state = {"next": 0.1, "next_bytes": 8 << 20}

    def report(done: int, total: int | None) -> None:
        if total:
            if done / total >= state["next"] or done == total:
                emit(f"{label}: {100 * done / total:.0f}% ({_mb(done)} of {_mb(total)})")
                state["next"] = (int(10 * done / total) + 1) / 10
        elif done >= state["next_bytes"]:
            emit(f"{label}: {_mb(done)}")
            state["next_bytes"] += 8 << 20

    return report


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MiB"


def fetch_json(
    source: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    policy: RetryPolicy = RetryPolicy(),
    session: requests.Session | None = None,
) -> object:
    """GET a JSON document with the same retry rules as downloads."""
    body = _with_retries(
        source, url, policy, lambda s: _get_bytes(s, source, url, headers, policy), session
    )
    try:
        return json.loads(body)
    except ValueError as exc:
        snippet = body[:120].decode("utf-8", "replace")
        raise FetchError(
            source, url, f"the response is not JSON ({exc}); it begins {snippet!r}"
        ) from exc


def download(
    source: str,
    url: str,
    dest: Path,
    *,
    headers: Mapping[str, str] | None = None,
    policy: RetryPolicy = RetryPolicy(),
    progress: ProgressCallback | None = None,
    session: requests.Session | None = None,
) -> Path:
    """Download `url` to `dest` atomically; raises FetchError after the last attempt."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    report = progress or progress_logger(f"{source}: {dest.name}")
    _with_retries(
        source,
        url,
        policy,
        lambda s: _stream_to(s, source, url, dest, headers, policy, report),
        session,
    )
    return dest


@dataclass(frozen=True)
class Download:
    """One file to fetch into a raw-store folder."""

    url: str
    name: str  # the file's name in the folder
    about: str | None = None  # what it is, for progress ("Lewisham", "2025Q3")


def download_all(
    source: str,
    downloads: Sequence[Download],
    folder: Path,
    policy: RetryPolicy,
    emit: Callable[[str], None] | None = None,
) -> list[raw_store.RawFile]:
    """Download each file into `folder` (a raw-store vintage folder), in order, and record
    it in the folder's manifest with its address as origin. Progress goes to `emit` (a
    Dagster log, say), else this module's logger, labelled "<source> <n>/<of> <about>
    (<name>)". A file that cannot be fetched raises FetchError; those before it stay
    recorded."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n, item in enumerate(downloads, 1):
        what = f"{item.about} ({item.name})" if item.about else item.name
        report = progress_logger(f"{source} {n}/{len(downloads)} {what}", emit or log.info)
        # Downloaded aside, so the previous edition keeps its name until the new bytes are
        # stored (content-addressed: bytes already stored are not kept twice).
        incoming = download(
            source, item.url, folder / f".{item.name}.incoming", policy=policy, progress=report
        )
        files.append(raw_store.store(incoming, folder / item.name, item.url, move=True))
    return files


def _with_retries(source, url, policy, attempt_fn, session):
    own_session = session is None
    s = session or requests.Session()
    s.headers.setdefault("User-Agent", USER_AGENT)
    last = "no attempt made"
    try:
        for attempt in range(1, policy.attempts + 1):
            try:
                return attempt_fn(s)
            except _Retryable as exc:
                last = str(exc)
                retry_after = exc.retry_after
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = f"{type(exc).__name__}: {exc}"
                retry_after = None
            if attempt < policy.attempts:
                wait = policy.wait(attempt, retry_after)
                log.warning(
                    "%s: %s failed (%s); retry %d of %d in %.1fs",
                    source,
                    url,
                    last,
                    attempt,
                    policy.attempts - 1,
                    wait,
                )
                policy.sleep(wait)
        raise FetchError(
            source,
            url,
            f"download failed after {policy.attempts} attempts: {last}",
            hint="the official service may be down; the last good tables are kept. "
            "Retry later, or run in sample mode.",
        )
    finally:
        if own_session:
            s.close()


def _check_status(resp: requests.Response, url: str, source: str) -> None:
    if resp.status_code in RETRYABLE_STATUS:
        raise _Retryable(f"HTTP {resp.status_code}", resp.headers.get("Retry-After"))
    if resp.status_code >= 400:
        raise FetchError(
            source,
            url,
            f"HTTP {resp.status_code} {resp.reason}: the address is not serving the file",
        )


def _get_bytes(s: requests.Session, source: str, url: str, headers, policy: RetryPolicy) -> bytes:
    with s.get(url, headers=dict(headers or {}), timeout=policy.timeout_s, stream=True) as resp:
        _check_status(resp, url, source)
        return _read_all(resp, url, None, lambda d, t: None)


def _stream_to(s, source: str, url, dest: Path, headers, policy: RetryPolicy, report) -> None:
    part = dest.with_name(dest.name + ".part")
    try:
        with s.get(url, headers=dict(headers or {}), timeout=policy.timeout_s, stream=True) as resp:
            _check_status(resp, url, source)
            with part.open("wb") as fh:
                _read_all(resp, url, fh, report)
        part.replace(dest)
    except OSError as exc:
        # requests' errors are OSErrors too: those are the network's, retried by the caller.
        # Any other is the local disk's (full, read-only): not worth a retry, and it must
        # name the file, not look like a failed download.
        if isinstance(exc, requests.RequestException):
            raise
        raise SourceError(
            source,
            dest,
            f"could not write the download of {url}: {exc.strerror or exc}",
            hint=f"free space on the disk holding {dest.parent} and run again; the previous "
            f"{dest.name} and its manifest entry are as they were, and no table was changed",
        ) from exc
    finally:
        part.unlink(missing_ok=True)


def _read_all(resp: requests.Response, url: str, fh, report) -> bytes:
    """Read the body, checking it against Content-Length; a short body is retried."""
    expected = resp.headers.get("Content-Length")
    total = int(expected) if expected and expected.isdigit() else None
    done = 0
    chunks: list[bytes] = []
    try:
        for chunk in resp.iter_content(CHUNK):
            done += len(chunk)
            if fh is None:
                chunks.append(chunk)
            else:
                fh.write(chunk)
            report(done, total)
    except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
        announced = f"the {total:,} bytes announced" if total is not None else "the body"
        raise _Retryable(f"connection broken before {announced} had arrived ({exc})") from exc
    # requests decodes gzip transparently, so only compare when the body was not encoded.
    if total is not None and done < total and not resp.headers.get("Content-Encoding"):
        raise _Retryable(f"partial body: {done} of {total} bytes")
    return b"".join(chunks)
