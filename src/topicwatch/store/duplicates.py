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

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..read import minhash
from .chunks import query_chunks
from .core import StoreCore
from .watermark import WatermarkIndex

# The similarity two texts need to be grouped grows as the shorter one gets shorter: a long article
# that shares a fifth of its 5-word shingles with another is a repost (unrelated articles share
# almost none), but a short formulaic item ("X, president of ..., left here to visit Y") shares a
# third of its few shingles with the next item of the same kind, and must agree more to count.
THRESHOLD = 0.25  # for texts of LONG_TEXT shingles or more
SHORT_THRESHOLD = 0.6  # for texts of SHORT_TEXT shingles or fewer; in between, linear
SHORT_TEXT, LONG_TEXT = 30, 200
# Days between a repost and its group's first, at most: the KCNA stories 2011-2012 repeat an item
# within a day (39 of 152) or a week (48), a few within two; later repeats are new publications.
REPOST_DAYS = 14
RULE_VERSION = "2"  # 2: reposts within REPOST_DAYS of their group's first (1: at any distance)


def required_similarity(shingles: np.ndarray | int, threshold: float = THRESHOLD) -> np.ndarray:
    """The estimated Jaccard similarity needed when the shorter text has this many shingles."""
    position = np.clip((np.asarray(shingles, dtype=float) - SHORT_TEXT) / (LONG_TEXT - SHORT_TEXT), 0.0, 1.0)
    return np.maximum(threshold, SHORT_THRESHOLD - (SHORT_THRESHOLD - threshold) * position)


def _near(day: str | None, other: str | None) -> bool:
    """Whether two articles' dates are close enough for one to repost the other (``REPOST_DAYS``);
    true when either is undated, or a date cannot be read."""
    if not day or not other:
        return True
    try:
        return abs((date.fromisoformat(day[:10]) - date.fromisoformat(other[:10])).days) <= REPOST_DAYS
    except ValueError:
        return True


@dataclass
class NewArticle:
    """An article just stored, as the near-duplicate index takes it."""

    seq: int
    id: str
    hash: str
    text: str
    fingerprint: minhash.Fingerprint | None = None  # computed here when not given (by an ingest task)


class DuplicateIndex(WatermarkIndex):
    """Adds articles to the near-duplicate index, inside the caller's transaction, a batch at a time.

    A batch gives the answer of adding its articles one by one in seq order (each may match an
    archived article or an earlier one of the batch), with a few set-wise queries instead of several
    per article.
    """

    watermark_key = "duplicates_seq"  # meta: the highest articles.seq already indexed
    version_key = "duplicates_rule"  # meta: the rule the groups were found with (``RULE_VERSION``)
    name = "near-duplicate index"

    def __init__(self, store: StoreCore, threshold: float | None = None):
        """``threshold``: the similarity long texts need (default ``THRESHOLD``)."""
        super().__init__(store)
        self.threshold = THRESHOLD if threshold is None else threshold

    def version(self) -> str:
        return RULE_VERSION

    def reset(self) -> None:
        for table in ("duplicates", "minhashes", "minhash_bands"):
            self.conn.execute(f"DELETE FROM {table}")

    def add(self, seq: int, article_id: str, text_hash: str, text: str) -> tuple[str, float] | None:
        """Index one stored article; returns (its group's first article, similarity) when it repeats one."""
        return self.add_many([NewArticle(seq, article_id, text_hash, text)])[0]

    def add_many(self, batch: list[NewArticle]) -> list[tuple[str, float] | None]:
        """Index stored articles (in seq order); for each, (group's first, similarity) or None."""
        results: list[tuple[str, float] | None] = [None] * len(batch)
        same_text = self._seqs_with_hash(batch)
        id_of = {a.seq: a.id for a in batch}
        # seq -> the date its group counts from (its group's first's, or its own): what a repost is near.
        # The batch's own articles are among these seqs and in no group yet: their own dates.
        counted_from = self._group_dates(sorted({seq for seqs in same_text.values() for seq in seqs}))
        own_date = {a.seq: counted_from.get(a.seq) for a in batch}
        fresh = []
        for i, article in enumerate(batch):
            day = own_date[article.seq]
            earlier = next((seq for seq in same_text[article.hash]
                            if seq < article.seq and _near(day, counted_from.get(seq))), None)
            if earlier is not None:  # the same text under another id, soon after
                results[i] = self._join(article.id, id_of.get(earlier) or self._id_of(earlier), 1.0)
                counted_from[article.seq] = counted_from.get(earlier)
            else:
                fresh.append(i)
        prints = {i: batch[i].fingerprint or minhash.fingerprint(batch[i].text) for i in fresh}
        if not fresh:
            return results
        keys = np.array([prints[i].bands for i in fresh], dtype=np.int64)
        seqs = np.repeat(np.array([batch[i].seq for i in fresh], dtype=np.int64), keys.shape[1])
        unique, counts = np.unique(keys, return_counts=True)
        archived, signatures = self._archived_candidates(unique.tolist())
        counted_from.update(self._group_dates(sorted({seq for found in archived.values() for seq in found})))
        # Only a key that another text has can make a candidate: one held by archived texts or by
        # two texts of this batch. Most articles hold none and are only registered.
        shared = set(unique[counts > 1].tolist()) | set(archived)
        here: dict[int, list[int]] = {}  # shared band key -> seqs of this batch's texts indexed so far
        for i in fresh:
            article, found = batch[i], prints[i]
            mine = [key for key in found.bands if key in shared]
            if not mine:
                continue
            day = own_date[article.seq]
            candidates = sorted(seq for seq in {seq for key in mine for seq in archived.get(key, ())}
                                | {seq for key in mine for seq in here.get(key, ())}
                                if _near(day, counted_from.get(seq)))
            match = self._closest(found, [(seq, *signatures[seq]) for seq in candidates])
            if match is not None:
                results[i] = self._join(article.id, id_of.get(match[0]) or self._id_of(match[0]), match[1])
                counted_from[article.seq] = counted_from.get(match[0])
            signatures[article.seq] = (found.signature, found.shingles)
            for key in mine:
                here.setdefault(key, []).append(article.seq)
        self.conn.executemany("INSERT OR REPLACE INTO minhashes(seq, signature, shingles) VALUES (?, ?, ?)",
                              [(batch[i].seq, prints[i].signature.tobytes(), prints[i].shingles) for i in fresh])
        flat = keys.ravel()
        order = np.lexsort((seqs, flat))  # in key order: the band table's B-tree fills page by page
        self.conn.executemany("INSERT OR IGNORE INTO minhash_bands(key, seq) VALUES (?, ?)",
                              zip(flat[order].tolist(), seqs[order].tolist()))
        return results

    def _seqs_with_hash(self, batch: list[NewArticle]) -> dict[str, list[int]]:
        """Every seq (ascending) of every batch article's text hash (the batch is already stored)."""
        hashes = sorted({a.hash for a in batch})
        found: dict[str, list[int]] = {h: [] for h in hashes}
        for chunk in query_chunks(hashes):
            for text_hash, seq in self.conn.execute(
                f"SELECT hash, seq FROM articles WHERE hash IN ({','.join('?' * len(chunk))}) ORDER BY seq", chunk,
            ):
                found[text_hash].append(seq)
        return found

    def _group_dates(self, seqs: list[int]) -> dict[int, str | None]:
        """seq -> the date of its group's first article (its own date when it is in no group, or when
        the first is undated)."""
        dates: dict[int, str | None] = {}
        for chunk in query_chunks(seqs):
            dates.update(self.conn.execute(
                "SELECT a.seq, coalesce(f.date, a.date) FROM articles a LEFT JOIN duplicates d ON d.article = a.id"
                f" LEFT JOIN articles f ON f.id = d.first WHERE a.seq IN ({','.join('?' * len(chunk))})", chunk))
        return dates

    def _archived_candidates(
        self, ordered: list[int]
    ) -> tuple[dict[int, list[int]], dict[int, tuple[np.ndarray, int]]]:
        """(band key -> archived seqs, seq -> (signature, shingles)) of archived texts sharing a band."""
        by_key: dict[int, list[int]] = {}
        for chunk in query_chunks(ordered):
            for key, seq in self.conn.execute(
                f"SELECT key, seq FROM minhash_bands WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ):
                by_key.setdefault(key, []).append(seq)
        seqs = sorted({seq for found in by_key.values() for seq in found})
        signatures: dict[int, tuple[np.ndarray, int]] = {}
        for chunk in query_chunks(seqs):
            for seq, blob, size in self.conn.execute(
                f"SELECT seq, signature, shingles FROM minhashes WHERE seq IN ({','.join('?' * len(chunk))})", chunk
            ):
                signatures[seq] = (np.frombuffer(blob, dtype=np.uint32), size)
        return by_key, signatures

    def _closest(
        self, found: minhash.Fingerprint, candidates: list[tuple[int, np.ndarray, int]]
    ) -> tuple[int, float] | None:
        """(seq, similarity) of the most similar candidate above the threshold, if any (ties: earliest)."""
        if not candidates:
            return None
        others = np.stack([sig for _, sig, _ in candidates])
        scores = minhash.similarity(found.signature, others)
        shortest = np.minimum(found.shingles, np.array([n for _, _, n in candidates]))
        scores = np.where(scores >= required_similarity(shortest, self.threshold), scores, -1.0)
        best = int(np.argmax(scores))
        if scores[best] < 0:
            return None
        return int(candidates[best][0]), float(scores[best])

    def _id_of(self, seq: int) -> str:
        return self.conn.execute("SELECT id FROM articles WHERE seq = ?", (seq,)).fetchone()[0]

    def _join(self, article_id: str, match_id: str, similarity: float) -> tuple[str, float]:
        row = self.conn.execute("SELECT first FROM duplicates WHERE article = ?", (match_id,)).fetchone()
        first = row[0] if row else match_id
        self.conn.execute("INSERT OR REPLACE INTO duplicates(article, first, similarity) VALUES (?, ?, ?)",
                          (article_id, first, round(similarity, 4)))
        return first, similarity

    def index_after(self, seq: int) -> int:
        """Index the articles archived after ``seq`` (before this index existed); returns how many."""
        count = 0
        for rows in self.pending_articles(seq):
            self.add_many([NewArticle(a.seq, a.id, a.hash, a.text) for a in rows])
            count += len(rows)
        return count


def ensure_indexed(store: StoreCore) -> None:
    """Index articles ingested before near-duplicate detection existed (a no-op when none are left)."""
    DuplicateIndex(store).ensure()


def representatives(store: StoreCore) -> dict[str, str]:
    """member article id -> the first article of its group (articles in no group are left out)."""
    ensure_indexed(store)
    return dict(store.conn.execute("SELECT article, first FROM duplicates"))


def duplicate_groups(store: StoreCore) -> list[dict[str, Any]]:
    """Every group of near-duplicates, largest first: its first article, then its members by similarity."""
    ensure_indexed(store)
    rows = store.conn.execute(
        "SELECT d.first, f.title, f.date, d.article, a.title, a.date, d.similarity FROM duplicates d"
        " JOIN articles f ON f.id = d.first JOIN articles a ON a.id = d.article ORDER BY f.seq, a.seq"
    ).fetchall()
    groups: dict[str, dict[str, Any]] = {}
    for first, first_title, first_date, article, title, day, similarity in rows:
        group = groups.setdefault(first, {"first": first, "articles": [
            {"id": first, "title": first_title, "date": first_date, "similarity": 1.0}]})
        group["articles"].append({"id": article, "title": title, "date": day, "similarity": similarity})
    for group in groups.values():
        group["size"] = len(group["articles"])
        group["articles"][1:] = sorted(group["articles"][1:], key=lambda a: -a["similarity"])
    return sorted(groups.values(), key=lambda g: -g["size"])
