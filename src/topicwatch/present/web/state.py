"""What the server holds between requests: one archive connection per worker thread, and caches.

SQLite connections belong to the thread that opened them, so each worker thread opens its own
``Archive`` on the same file (WAL lets them read while one writes). Results that only change with a
new fit (topic overview, map coordinates) are cached per model id.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ...analyze.events import archive_events
from ...archive.archive import Archive
from .overview import Overview, topic_overview
from .queries import current_model
from .topic_map import MAX_POINTS, topic_map

LOG = logging.getLogger(__name__)
EVENT_ANSWERS = 32  # /api/events answers kept per model and revision (one per set of arguments)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class MapBody:
    """The map's JSON, ready to send (it is the largest answer, and the same until the next fit)."""

    plain: bytes
    gzipped: bytes


def is_loopback(host: str) -> bool:
    """Whether a bind address or host name stays on this machine."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebState:
    """The archive path, the bind address and token, per-thread archives and per-model caches."""

    def __init__(self, archive_path: str | Path, host: str = "127.0.0.1", token: str | None = None):
        self.archive_path = Path(archive_path)
        self.host = host
        self.token = token if token is not None else (os.environ.get("TOPICWATCH_TOKEN") or None)
        self._local = threading.local()
        self._overview_lock = threading.Lock()
        self._map_lock = threading.Lock()
        self._overviews: dict[tuple[int, int], Overview] = {}
        self._maps: dict[tuple[int, int, int], MapBody] = {}
        self._events_lock = threading.Lock()
        self._events: dict[tuple, dict] = {}
        Archive(self.archive_path, create=False).close()  # fail now, not on the first request

    @property
    def local_only(self) -> bool:
        return is_loopback(self.host)

    @property
    def edit_mode(self) -> str:
        """'open' (loopback, no token), 'token' (a token is required) or 'off' (exposed without a token)."""
        if self.token:
            return "token"
        return "open" if self.local_only else "off"

    def archive(self) -> Archive:
        """This thread's archive (opened on first use)."""
        archive = getattr(self._local, "archive", None)
        if archive is None:
            archive = self._local.archive = Archive(self.archive_path, create=False)
        return archive

    def overview(self) -> Overview:
        """The current model's topic overview (cached per model and revision: updates and edits,
        from this server or a command line, show on the next request)."""
        store = self.archive().store
        model = current_model(store)["id"]
        key = (model, store.revision())
        with self._overview_lock:  # one build at a time: a second request waits for the first one's result
            cached = self._overviews.get(key)
            if cached is None:
                cached = topic_overview(store, model)
                self._overviews = {key: cached}
        return cached

    def topic_map(self, max_points: int = MAX_POINTS) -> MapBody:
        """The current model's map points as JSON, plain and gzipped (cached per model, revision, size)."""
        store = self.archive().store
        model = current_model(store)
        key = (model["id"], store.revision(), max_points)
        with self._map_lock:  # one build at a time: a second request waits for the first one's result
            cached = self._maps.get(key)
            if cached is None:
                body = json.dumps(topic_map(store, model, max_points), separators=(",", ":")).encode()
                cached = MapBody(body, gzip.compress(body, compresslevel=6))
                self._maps = {k: v for k, v in self._maps.items() if k[:2] == key[:2]} | {key: cached}
        return cached

    def events(self, by: str, on: str | None, week: str | None, since: str | None, until: str | None,
               limit: int, level: str = "event") -> dict:
        """``analyze.events.archive_events`` for these arguments, cached per model and revision like the
        overview: the page asks for it on every visit to the topic list, and it reads every assignment."""
        store = self.archive().store
        key = (current_model(store)["id"], store.revision(), by, on, week, since, until, limit, level)
        with self._events_lock:
            cached = self._events.get(key)
            if cached is None:
                cached = archive_events(self.archive(), by, on, week, since, until, limit, level=level)
                kept = [(k, v) for k, v in self._events.items() if k[:2] == key[:2]][-(EVENT_ANSWERS - 1):]
                self._events = dict(kept) | {key: cached}
        return cached

    def warm_up(self) -> None:
        """Fill the caches a first visit needs (run in a background thread at start)."""
        from ...analyze.search import warm_up

        try:
            self.overview()
            self.topic_map()
            warm_up(self.archive())
        except Exception as exc:  # noqa: BLE001 - warming is best effort; requests report real errors
            LOG.info("warm-up stopped: %s", exc)
