"""Articles and what comes with them: ingest batches, rejects, texts and cached embeddings.

Article text is kept once per content hash in ``texts``, so exact reposts under other ids cost no
space and no second embedding.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..read.records import Article, Reject
from .core import StoreCore
from .rows import IngestCounts, StoredArticle, stored_article

# The columns ``stored_article`` takes, in its order (articles a joined with texts t).
ARTICLE_COLUMNS = "a.id, a.hash, a.title, t.text, a.date, a.language, a.source, a.given_keywords, a.metadata"


class ArticleTables(StoreCore):
    """``articles``, ``texts``, ``batches``, ``rejects`` and ``embeddings``."""

    # ---- ingest -----------------------------------------------------------------------------
    def start_batch(self, inputs: Sequence[str]) -> int:
        cur = self.conn.execute(
            "INSERT INTO batches(started, inputs) VALUES (?, ?)", (time.time(), json.dumps(list(inputs)))
        )
        return int(cur.lastrowid)

    def finish_batch(self, batch: int, counts: IngestCounts) -> None:
        self.conn.execute(
            "UPDATE batches SET ingested = ?, duplicates = ?, rejected = ? WHERE id = ?",
            (counts.ingested, counts.duplicates, counts.rejected, batch),
        )

    def add_article(self, article: Article, batch: int) -> str:
        """Store one article; returns 'new', 'same_text' (new id, text already held) or 'duplicate'.

        Raises ValueError when the id is already archived with a different text.
        """
        digest = article.content_hash
        row = self.conn.execute("SELECT hash FROM articles WHERE id = ?", (article.id,)).fetchone()
        if row is not None:
            if row[0] == digest:
                return "duplicate"
            raise ValueError(f"duplicate id {article.id!r} with different text")
        inserted = self.conn.execute(
            "INSERT OR IGNORE INTO texts(hash, text) VALUES (?, ?)", (digest, article.text)
        ).rowcount
        self.conn.execute(
            "INSERT INTO articles(id, hash, title, date, language, source, given_keywords, metadata, batch)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                digest,
                article.title,
                article.date,
                article.language,
                article.source,
                article.given_keywords,
                json.dumps(article.metadata, ensure_ascii=False, default=str),
                batch,
            ),
        )
        return "new" if inserted else "same_text"

    def seq_of(self, article_id: str) -> int:
        """The ingest position (``articles.seq``) of an archived article."""
        return int(self.conn.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()[0])

    def add_reject(self, reject: Reject, batch: int) -> None:
        self.conn.execute(
            "INSERT INTO rejects(batch, location, reason, snippet) VALUES (?, ?, ?, ?)",
            (batch, reject.where, reject.reason, reject.snippet),
        )

    def rejects(self, limit: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT batch, location, reason, snippet FROM rejects ORDER BY id"
        rows = self.conn.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [dict(zip(("batch", "where", "reason", "snippet"), row)) for row in rows]

    # ---- articles ---------------------------------------------------------------------------
    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def iter_articles(self, batch_size: int = 2000) -> Iterator[list[StoredArticle]]:
        """All articles in ingest order, in partitions of ``batch_size`` (memory stays bounded)."""
        last = 0
        while True:
            rows = self.conn.execute(
                f"SELECT a.seq, {ARTICLE_COLUMNS} FROM articles a JOIN texts t ON t.hash = a.hash"
                " WHERE a.seq > ? ORDER BY a.seq LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [stored_article(row[1:]) for row in rows]

    def article(self, article_id: str) -> StoredArticle | None:
        row = self.conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN texts t ON t.hash = a.hash WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return stored_article(row) if row else None

    def spread_sample(self, step: int, limit: int) -> list[tuple[str, str]]:
        """(title, text) of every ``step``-th article by seq, at most ``limit``: an evenly spread sample."""
        return self.conn.execute(
            "SELECT a.title, t.text FROM articles a JOIN texts t ON t.hash = a.hash WHERE a.seq % ? = 0 LIMIT ?",
            (step, limit),
        ).fetchall()

    def article_fields(self) -> Iterator[tuple[int, str, str, str | None, str | None, str]]:
        """(seq, id, hash, date, language, source) of every article in ingest order (no text)."""
        yield from self.conn.execute("SELECT seq, id, hash, date, language, source FROM articles ORDER BY seq")

    def languages(self, limit: int) -> list[str]:
        """The archive's known languages, most articles first (at most ``limit``)."""
        return [row[0] for row in self.conn.execute(
            "SELECT language FROM articles WHERE language IS NOT NULL GROUP BY language ORDER BY count(*) DESC"
            " LIMIT ?", (limit,))]

    def sources(self, limit: int) -> list[str]:
        """The archive's named sources, most articles first (at most ``limit``)."""
        return [row[0] for row in self.conn.execute(
            "SELECT source FROM articles WHERE source != '' GROUP BY source ORDER BY count(*) DESC LIMIT ?",
            (limit,))]

    # ---- embeddings -------------------------------------------------------------------------
    def cached_embeddings(self, hashes: Sequence[str], backend: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            chunk = list(hashes[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for digest, blob in self.conn.execute(
                f"SELECT hash, vector FROM embeddings WHERE backend = ? AND hash IN ({marks})",
                [backend, *chunk],
            ):
                found[digest] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_embeddings(self, hashes: Sequence[str], vectors: np.ndarray, backend: str) -> None:
        rows = [(h, backend, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)]
        self.conn.executemany("INSERT OR REPLACE INTO embeddings(hash, backend, vector) VALUES (?, ?, ?)", rows)

    def archived_embeddings(self, backend: str) -> Iterator[tuple[str, bytes]]:
        """(hash, float32 vector bytes) of every cached embedding of an archived text for ``backend``."""
        yield from self.conn.execute(
            "SELECT e.hash, e.vector FROM embeddings e WHERE e.backend = ?"
            " AND EXISTS (SELECT 1 FROM articles a WHERE a.hash = e.hash)", (backend,)
        )
