"""The archive: one SQLite file holding articles, rejects, embeddings, models and topics.

SQLite because it ships with Python (nothing to install or start), gives real transactions and a
file lock (two writers never corrupt it), and every tool on earth can open the file. Article text is
kept once per content hash in ``texts``, so exact reposts under other ids cost no space and no
second embedding.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .records import Article, Reject

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL REFERENCES texts(hash),
    title TEXT NOT NULL DEFAULT '',
    date TEXT,
    language TEXT,
    source TEXT NOT NULL DEFAULT '',
    given_keywords TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    batch INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(hash);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    inputs TEXT NOT NULL,
    ingested INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS rejects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch INTEGER NOT NULL,
    location TEXT NOT NULL,
    reason TEXT NOT NULL,
    snippet TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS embeddings (
    hash TEXT NOT NULL,
    backend TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (hash, backend)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    backend TEXT NOT NULL,
    params TEXT NOT NULL,
    state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS topics (
    model INTEGER NOT NULL REFERENCES models(id),
    topic INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    size INTEGER NOT NULL,
    label TEXT,
    PRIMARY KEY (model, topic)
);
CREATE TABLE IF NOT EXISTS assignments (
    model INTEGER NOT NULL REFERENCES models(id),
    article TEXT NOT NULL,
    topic INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (model, article)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assignments_topic ON assignments(model, topic);
"""


class ArchiveError(RuntimeError):
    """A problem with the archive file itself (missing, locked, not an archive)."""


@dataclass
class StoredArticle:
    id: str
    hash: str
    title: str
    text: str
    date: str | None
    language: str | None
    source: str
    given_keywords: str | None
    metadata: dict[str, Any]


@dataclass
class IngestCounts:
    ingested: int = 0
    duplicates: int = 0
    same_text: int = 0  # new ids whose text was already archived under another id
    rejected: int = 0


class Store:
    """Thin typed access to the archive's tables. Every write goes through ``transaction()``."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = 30.0):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ArchiveError(f"{self.path}: no archive here (run 'topicwatch ingest' first)")
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path}: not a topicwatch archive ({exc})") from exc
        version = self.get_meta("schema_version")
        if version is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        elif int(version) > SCHEMA_VERSION:
            raise ArchiveError(f"{self.path}: archive schema {version} is newer than this topicwatch")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: an exception (or Ctrl-C) inside rolls everything back."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"{self.path}: archive is busy ({exc}); another topicwatch is writing") from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # ---- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

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
                "SELECT a.seq, a.id, a.hash, a.title, t.text, a.date, a.language, a.source,"
                " a.given_keywords, a.metadata FROM articles a JOIN texts t ON t.hash = a.hash"
                " WHERE a.seq > ? ORDER BY a.seq LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [_stored(row[1:]) for row in rows]

    def article(self, article_id: str) -> StoredArticle | None:
        row = self.conn.execute(
            "SELECT a.id, a.hash, a.title, t.text, a.date, a.language, a.source, a.given_keywords,"
            " a.metadata FROM articles a JOIN texts t ON t.hash = a.hash WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return _stored(row) if row else None

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

    # ---- models, topics, assignments ------------------------------------------------------
    def save_model(
        self,
        backend: str,
        params: dict[str, Any],
        state: bytes,
        topics: Iterable[tuple[int, list[str], int]],
        assignments: Iterable[tuple[str, int, float]],
    ) -> int:
        """Store a fitted model, its topics and every article's topic; make it the current model."""
        cur = self.conn.execute(
            "INSERT INTO models(created, backend, params, state) VALUES (?, ?, ?, ?)",
            (time.time(), backend, json.dumps(params), state),
        )
        model = int(cur.lastrowid)
        self.conn.executemany(
            "INSERT INTO topics(model, topic, keywords, size) VALUES (?, ?, ?, ?)",
            [(model, t, json.dumps(kw, ensure_ascii=False), size) for t, kw, size in topics],
        )
        self.conn.executemany(
            "INSERT INTO assignments(model, article, topic, score) VALUES (?, ?, ?, ?)",
            ((model, a, t, s) for a, t, s in assignments),
        )
        self.set_meta("current_model", str(model))
        return model

    def current_model(self) -> dict[str, Any] | None:
        value = self.get_meta("current_model")
        if value is None:
            return None
        row = self.conn.execute(
            "SELECT id, created, backend, params, state FROM models WHERE id = ?", (int(value),)
        ).fetchone()
        model_id, created, backend, params, state = row
        return {"id": model_id, "created": created, "backend": backend, "params": json.loads(params),
                "state": state}

    def topics(self, model: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT t.topic, t.keywords, t.size, t.label, min(a.date), max(a.date)"
            " FROM topics t LEFT JOIN assignments s ON s.model = t.model AND s.topic = t.topic"
            " LEFT JOIN articles a ON a.id = s.article WHERE t.model = ? GROUP BY t.topic ORDER BY t.topic",
            (model,),
        ).fetchall()
        return [
            {"topic": t, "keywords": json.loads(kw), "size": size, "label": label, "first_date": d0,
             "last_date": d1}
            for t, kw, size, label, d0, d1 in rows
        ]

    def assignments(self, model: int) -> Iterator[tuple[str, int, float]]:
        """(article id, topic, score) in ingest order."""
        yield from self.conn.execute(
            "SELECT s.article, s.topic, s.score FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )

    def assignment(self, model: int, article_id: str) -> tuple[int, float] | None:
        row = self.conn.execute(
            "SELECT topic, score FROM assignments WHERE model = ? AND article = ?", (model, article_id)
        ).fetchone()
        return (row[0], row[1]) if row else None


def _stored(row: Sequence[Any]) -> StoredArticle:
    article_id, digest, title, text, date, language, source, given, metadata = row
    return StoredArticle(article_id, digest, title, text, date, language, source, given, json.loads(metadata))
