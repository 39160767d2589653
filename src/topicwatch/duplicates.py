"""Near-duplicate articles (re-published wire copies, lightly edited reposts), found at ingest.

Each new text gets a MinHash signature (``minhash.py``); its LSH band keys find the archived texts
it may repeat, and the closest one with an estimated Jaccard similarity of at least
``required_similarity`` (0.25 for long texts, more for short ones) makes it a member of that text's
group. Groups are kept in the ``duplicates`` table: one row per
member, pointing at the group's first (earliest ingested) article. An article whose exact text is
already archived under another id joins that article's group with similarity 1.

Groups are counted once: topic discovery fits one representative per group and gives every member
its topic, and trends count a group once, at its earliest date.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np

from . import minhash
from .store import Store, articles_after

# The similarity two texts need to be grouped grows as the shorter one gets shorter: a long article
# that shares a fifth of its 5-word shingles with another is a repost (unrelated articles share
# almost none), but a short formulaic item ("X, president of ..., left here to visit Y") shares a
# third of its few shingles with the next item of the same kind, and must agree more to count.
THRESHOLD = 0.25  # for texts of LONG_TEXT shingles or more
SHORT_THRESHOLD = 0.6  # for texts of SHORT_TEXT shingles or fewer; in between, linear
SHORT_TEXT, LONG_TEXT = 30, 200


def required_similarity(shingles: np.ndarray | int, threshold: float = THRESHOLD) -> np.ndarray:
    """The estimated Jaccard similarity needed when the shorter text has this many shingles."""
    position = np.clip((np.asarray(shingles, dtype=float) - SHORT_TEXT) / (LONG_TEXT - SHORT_TEXT), 0.0, 1.0)
    return np.maximum(threshold, SHORT_THRESHOLD - (SHORT_THRESHOLD - threshold) * position)
_WATERMARK = "duplicates_seq"  # meta: the highest articles.seq already indexed


class DuplicateIndex:
    """Adds articles to the near-duplicate index, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, threshold: float | None = None):
        """``threshold``: the similarity long texts need (default ``THRESHOLD``)."""
        self.conn = conn
        self.threshold = THRESHOLD if threshold is None else threshold

    def add(
        self, seq: int, article_id: str, text_hash: str, text: str, found: minhash.Fingerprint | None = None,
    ) -> tuple[str, float] | None:
        """Index one stored article; returns (its group's first article, similarity) when it repeats one.

        ``found``: the text's fingerprint when already computed (by an ingest partition task)."""
        first_seq = self.conn.execute(
            "SELECT min(seq) FROM articles WHERE hash = ? AND seq < ?", (text_hash, seq)
        ).fetchone()[0]
        if first_seq is not None:  # the same text under another id
            return self._join(article_id, self._id_of(first_seq), 1.0)
        found = found or minhash.fingerprint(text)
        sig, keys = found.signature, found.bands
        match = self._closest(sig, found.shingles, keys)
        self.conn.execute("INSERT OR REPLACE INTO minhashes(seq, signature, shingles) VALUES (?, ?, ?)",
                          (seq, sig.tobytes(), found.shingles))
        self.conn.executemany("INSERT OR IGNORE INTO minhash_bands(key, seq) VALUES (?, ?)",
                              [(key, seq) for key in keys])
        if match is None:
            return None
        return self._join(article_id, self._id_of(match[0]), match[1])

    def _closest(self, sig: np.ndarray, size: int, keys: list[int]) -> tuple[int, float] | None:
        """(seq, similarity) of the most similar indexed text above the threshold, if any."""
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT m.seq, m.signature, m.shingles FROM minhashes m WHERE m.seq IN"
            f" (SELECT DISTINCT seq FROM minhash_bands WHERE key IN ({marks})) ORDER BY m.seq", keys,
        ).fetchall()
        if not rows:
            return None
        others = np.stack([np.frombuffer(blob, dtype=np.uint32) for _, blob, _ in rows])
        scores = minhash.similarity(sig, others)
        shortest = np.minimum(size, np.array([n for _, _, n in rows]))
        scores = np.where(scores >= required_similarity(shortest, self.threshold), scores, -1.0)
        best = int(np.argmax(scores))  # ties: the earliest, as rows come in seq order
        if scores[best] < 0:
            return None
        return int(rows[best][0]), float(scores[best])

    def _id_of(self, seq: int) -> str:
        return self.conn.execute("SELECT id FROM articles WHERE seq = ?", (seq,)).fetchone()[0]

    def _join(self, article_id: str, match_id: str, similarity: float) -> tuple[str, float]:
        row = self.conn.execute("SELECT first FROM duplicates WHERE article = ?", (match_id,)).fetchone()
        first = row[0] if row else match_id
        self.conn.execute("INSERT OR REPLACE INTO duplicates(article, first, similarity) VALUES (?, ?, ?)",
                          (article_id, first, round(similarity, 4)))
        return first, similarity

    def catch_up(self) -> int:
        """Index every article past the watermark (archived before this index existed); returns how many."""
        done = int(_meta(self.conn, _WATERMARK) or 0)
        count = 0
        for rows in articles_after(self.conn, done):
            for seq, article_id, text_hash, _title, text in rows:
                self.add(seq, article_id, text_hash, text)
            count += len(rows)
        self.finish()
        return count

    def finish(self) -> None:
        """Move the watermark to the newest article (call at the end of an ingest)."""
        top = self.conn.execute("SELECT max(seq) FROM articles").fetchone()[0]
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (_WATERMARK, str(top or 0)))


def ensure_indexed(store: Store) -> None:
    """Index articles ingested before near-duplicate detection existed (a no-op when none are left)."""
    top = store.conn.execute("SELECT max(seq) FROM articles").fetchone()[0] or 0
    if int(store.get_meta(_WATERMARK) or 0) < top:
        with store.transaction():
            DuplicateIndex(store.conn).catch_up()


def representatives(store: Store) -> dict[str, str]:
    """member article id -> the first article of its group (articles in no group are left out)."""
    ensure_indexed(store)
    return dict(store.conn.execute("SELECT article, first FROM duplicates"))


def duplicate_groups(store: Store) -> list[dict[str, Any]]:
    """Every group of near-duplicates, largest first: its first article, then its members by similarity."""
    ensure_indexed(store)
    rows = store.conn.execute(
        "SELECT d.first, f.title, f.date, d.article, a.title, a.date, d.similarity FROM duplicates d"
        " JOIN articles f ON f.id = d.first JOIN articles a ON a.id = d.article ORDER BY f.seq, a.seq"
    ).fetchall()
    groups: dict[str, dict[str, Any]] = {}
    for first, first_title, first_date, article, title, date, similarity in rows:
        group = groups.setdefault(first, {"first": first, "articles": [
            {"id": first, "title": first_title, "date": first_date, "similarity": 1.0}]})
        group["articles"].append({"id": article, "title": title, "date": date, "similarity": similarity})
    for group in groups.values():
        group["size"] = len(group["articles"])
        group["articles"][1:] = sorted(group["articles"][1:], key=lambda a: -a["similarity"])
    return sorted(groups.values(), key=lambda g: -g["size"])


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None
