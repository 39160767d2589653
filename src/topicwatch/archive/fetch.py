"""Fetch RSS/Atom feeds over http(s) with conditional GET, so an unchanged feed costs one 304."""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..store import Store

USER_AGENT = "topicwatch/0.1 (+feed reader)"


@dataclass
class Fetched:
    url: str
    path: Path | None  # the saved feed, None when unchanged (HTTP 304)
    status: int
    etag: str | None = None
    last_modified: str | None = None


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def fetch_feed(store: Store, url: str, folder: Path, timeout: float = 30.0) -> Fetched:
    """GET ``url`` with the ETag / Last-Modified seen last time; save a changed feed into ``folder``.

    The validators are stored only after the articles are in (``remember_feed``), so a failed
    update fetches the feed again next time.
    """
    row = store.feed_validators(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if row and row[0]:
        request.add_header("If-None-Match", row[0])
    if row and row[1]:
        request.add_header("If-Modified-Since", row[1])
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            status = response.status
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(url, None, 304)
        raise ValueError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ValueError(f"{url}: cannot fetch ({getattr(exc, 'reason', exc)})") from exc
    handle, name = tempfile.mkstemp(suffix=".xml", dir=folder)
    os.close(handle)
    path = Path(name)
    path.write_bytes(body)
    return Fetched(url, path, status, etag, modified)


def remember_feed(store: Store, fetched: Fetched) -> None:
    """Store the validators of a fetch once its articles are in (inside the update's transaction)."""
    if fetched.path is None:  # unchanged: keep the validators, note the check
        store.feed_checked(fetched.url)
        return
    store.remember_feed(fetched.url, fetched.etag, fetched.last_modified)
