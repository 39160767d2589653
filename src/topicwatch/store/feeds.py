"""The feeds an update reads: each URL's HTTP validators (ETag, Last-Modified) and when it was checked."""

from __future__ import annotations

import time

from .core import StoreCore


class FeedTables(StoreCore):
    """``feeds``: what makes the next fetch of an unchanged feed a 304."""

    def feed_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) seen at the feed's last fetch; None for a feed never fetched."""
        row = self.conn.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        return None if row is None else (row[0], row[1])

    def feed_checked(self, url: str) -> None:
        """Note that the feed was checked now and had not changed (its validators stay)."""
        self.conn.execute("UPDATE feeds SET last_checked = ? WHERE url = ?", (time.time(), url))

    def remember_feed(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store a changed feed's new validators (once its articles are in)."""
        self.conn.execute(
            "INSERT INTO feeds(url, etag, last_modified, last_checked) VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE"
            " SET etag = excluded.etag, last_modified = excluded.last_modified, last_checked = excluded.last_checked",
            (url, etag, last_modified, time.time()),
        )
