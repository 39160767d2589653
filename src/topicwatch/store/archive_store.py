"""The archive: one SQLite file holding articles, rejects, embeddings, models and topics.

SQLite because it ships with Python (nothing to install or start), gives real transactions and a
file lock (two writers never corrupt it), and every tool on earth can open the file. Article text is
kept once per content hash in ``texts``, so exact reposts under other ids cost no space and no
second embedding.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..read.records import Article, Reject

SCHEMA_VERSION = 2  # 2: assignments carry each article's own keyword line

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
    origin TEXT NOT NULL DEFAULT 'fit',      -- fit, update (a new topic), split, refit
    created REAL NOT NULL DEFAULT 0,
    merged_into INTEGER,                     -- set when the user merged this topic into another
    retired INTEGER NOT NULL DEFAULT 0,      -- 1 when merged or split away
    PRIMARY KEY (model, topic)
);
CREATE TABLE IF NOT EXISTS topic_versions (
    model INTEGER NOT NULL REFERENCES models(id),
    topic INTEGER NOT NULL,
    version INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    created REAL NOT NULL,
    first_date TEXT,
    last_date TEXT,
    PRIMARY KEY (model, topic, version)
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_checked REAL
);
CREATE TABLE IF NOT EXISTS assignments (
    model INTEGER NOT NULL REFERENCES models(id),
    article TEXT NOT NULL,
    topic INTEGER NOT NULL,
    score REAL NOT NULL,
    line TEXT,                                 -- the article's own keyword line (JSON terms); NULL: its topic's
    line_source TEXT NOT NULL DEFAULT 'topic', -- article: its own terms; topic: too short, its topic's line
    story INTEGER,                             -- the story (second grain) inside its topic
    PRIMARY KEY (model, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories (           -- the stories inside each topic (topicwatch.topics.stories)
    model INTEGER NOT NULL REFERENCES models(id),
    story INTEGER NOT NULL,
    topic INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    PRIMARY KEY (model, story)
);
CREATE INDEX IF NOT EXISTS assignments_topic ON assignments(model, topic);
CREATE TABLE IF NOT EXISTS places (            -- the places each article names (topicwatch.places)
    article TEXT NOT NULL,
    place TEXT NOT NULL,
    kind TEXT NOT NULL,                        -- province, special city, city, county
    province TEXT,
    PRIMARY KEY (article, place)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS places_place ON places(place);
CREATE TABLE IF NOT EXISTS minhashes (         -- near-duplicate detection (topicwatch.duplicates)
    seq INTEGER PRIMARY KEY,                   -- articles.seq of the first article with this text
    signature BLOB NOT NULL,
    shingles INTEGER NOT NULL                  -- how many distinct 5-word shingles the text has
);
CREATE TABLE IF NOT EXISTS minhash_bands (
    key INTEGER NOT NULL,                      -- band number and band values hashed together
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS duplicates (        -- every article of a group but its first
    article TEXT PRIMARY KEY,
    first TEXT NOT NULL,                       -- the group's first article (earliest ingested)
    similarity REAL NOT NULL                   -- estimated Jaccard similarity to its closest match
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS duplicates_first ON duplicates(first);
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


class Assignment(NamedTuple):
    """One article's row of a model: its topic, similarity, and own keyword line (``line``: JSON terms,
    None where it carries its topic's line; ``line_source``: "article" or "topic")."""

    article: str
    topic: int
    score: float
    line: str | None = None
    line_source: str = "topic"
    story: int | None = None


class Store:
    """Thin typed access to the archive's tables. Every write goes through ``transaction()``."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float | None = None):
        """``timeout``: seconds to wait for another writer ($TOPICWATCH_LOCK_TIMEOUT, default 30)."""
        self.path = Path(path)
        if timeout is None:
            timeout = float(os.environ.get("TOPICWATCH_LOCK_TIMEOUT", "30"))
        if not create and not self.path.exists():
            raise ArchiveError(f"{self.path}: no archive here (run 'topicwatch ingest' first)")
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            # 256 MB of page cache (allocated only as used): the near-duplicate index's band table
            # takes random-key inserts, which the default 2 MB cache turns into page-cache misses.
            self.conn.execute("PRAGMA cache_size=-262144")
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path}: not a topicwatch archive ({exc})") from exc
        version = self.get_meta("schema_version")
        if version is not None and int(version) > SCHEMA_VERSION:
            raise ArchiveError(f"{self.path}: archive schema {version} is newer than this topicwatch")
        if version != str(SCHEMA_VERSION):
            self._migrate()

    def _migrate(self) -> None:
        """Bring an older archive's tables up to this schema (columns added; nothing rewritten)."""
        with self.transaction() as conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(assignments)")}
            if "line" not in columns:  # schema 1: articles carried only their topic's line
                conn.execute("ALTER TABLE assignments ADD COLUMN line TEXT")
                conn.execute("ALTER TABLE assignments ADD COLUMN line_source TEXT NOT NULL DEFAULT 'topic'")
                conn.execute("ALTER TABLE assignments ADD COLUMN story INTEGER")
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: an exception (or Ctrl-C) inside rolls everything back.

        Nested use joins the outer transaction, so a whole update commits or rolls back as one.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
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

    def revision(self) -> int:
        """A counter bumped by every change to topics or labels (readers cache by it)."""
        return int(self.get_meta("revision") or 0)

    def bump_revision(self) -> None:
        self.set_meta("revision", str(self.revision() + 1))

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
    def create_model(self, backend: str, params: dict[str, Any], state: bytes) -> int:
        """A new model row; it becomes the current model."""
        cur = self.conn.execute(
            "INSERT INTO models(created, backend, params, state) VALUES (?, ?, ?, ?)",
            (time.time(), backend, json.dumps(params), state),
        )
        model = int(cur.lastrowid)
        self.set_meta("current_model", str(model))
        return model

    def save_state(self, model: int, state: bytes) -> None:
        self.conn.execute("UPDATE models SET state = ? WHERE id = ?", (state, model))

    def put_topics(self, model: int, rows: Iterable[dict[str, Any]]) -> None:
        """Insert or update topics: keywords, size, retired and merged_into always; label, origin and
        created only when given (a user's label survives updates)."""
        now = time.time()
        for row in rows:
            self.conn.execute(
                "INSERT INTO topics(model, topic, keywords, size, label, origin, created, merged_into, retired)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(model, topic) DO UPDATE SET"
                " keywords = excluded.keywords, size = excluded.size, merged_into = excluded.merged_into,"
                " retired = excluded.retired, label = coalesce(excluded.label, topics.label)",
                (model, row["topic"], json.dumps(row["keywords"], ensure_ascii=False), row["size"],
                 row.get("label"), row.get("origin", "fit"), row.get("created", now), row.get("merged_into"),
                 int(row.get("retired", False))),
            )

    def set_label(self, model: int, topic: int, label: str | None) -> int:
        """Set (or with None clear) a topic's label; returns how many topics matched (0 or 1)."""
        changed = self.conn.execute(
            "UPDATE topics SET label = ? WHERE model = ? AND topic = ?", (label, model, topic)
        ).rowcount
        self.bump_revision()
        return changed

    def add_topic_version(self, model: int, topic: int, keywords: list[str]) -> bool:
        """Record a topic's keyword line if it differs from its latest version; True if recorded."""
        latest = self.conn.execute(
            "SELECT version, keywords FROM topic_versions WHERE model = ? AND topic = ? ORDER BY version DESC LIMIT 1",
            (model, topic),
        ).fetchone()
        encoded = json.dumps(keywords, ensure_ascii=False)
        if latest is not None and latest[1] == encoded:
            return False
        first, last = self.conn.execute(
            "SELECT min(a.date), max(a.date) FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? AND s.topic = ?", (model, topic),
        ).fetchone()
        self.conn.execute(
            "INSERT INTO topic_versions(model, topic, version, keywords, created, first_date, last_date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (model, topic, (latest[0] + 1) if latest else 1, encoded, time.time(), first, last),
        )
        return True

    def topic_versions(self, model: int, topic: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT version, keywords, created, first_date, last_date FROM topic_versions"
            " WHERE model = ? AND topic = ? ORDER BY version", (model, topic),
        ).fetchall()
        return [{"version": v, "keywords": json.loads(k), "created": c, "first_date": f, "last_date": la}
                for v, k, c, f, la in rows]

    def put_assignments(self, model: int, rows: Iterable[Assignment]) -> None:
        """Each article's topic, similarity and own keyword line (see ``Assignment``)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO assignments(model, article, topic, score, line, line_source, story)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((model, *row) for row in rows),
        )

    def move_articles(self, model: int, moves: Iterable[tuple[str, int, int]]) -> None:
        """Give articles another topic and story (a user's split); their own keyword lines stay."""
        self.conn.executemany("UPDATE assignments SET topic = ?, story = ?, score = 0 WHERE model = ? AND article = ?",
                              ((topic, story, model, article) for article, topic, story in moves))

    def merge_into(self, model: int, target: int, others: Sequence[int]) -> None:
        """Articles and stories of ``others`` belong to ``target`` now (a user's merge)."""
        marks = ",".join("?" * len(others))
        for table in ("assignments", "stories"):
            self.conn.execute(f"UPDATE {table} SET topic = ? WHERE model = ? AND topic IN ({marks})",
                              (target, model, *others))

    def put_stories(self, model: int, rows: Iterable[tuple[int, int, list[str]]]) -> None:
        """(story, topic, keywords) of a model's stories."""
        self.conn.executemany("INSERT OR REPLACE INTO stories(model, story, topic, keywords) VALUES (?, ?, ?, ?)",
                              ((model, story, topic, json.dumps(keywords, ensure_ascii=False))
                               for story, topic, keywords in rows))

    def stories(self, model: int, topic: int | None = None) -> list[dict[str, Any]]:
        """Stories holding articles, by topic then size (largest first): story, topic, keywords, size, dates."""
        rows = self.conn.execute(
            "SELECT st.story, st.topic, st.keywords, count(s.article), min(a.date), max(a.date) FROM stories st"
            " JOIN assignments s ON s.model = st.model AND s.story = st.story"
            " JOIN articles a ON a.id = s.article WHERE st.model = ?" + (" AND st.topic = ?" if topic is not None else "")
            + " GROUP BY st.story ORDER BY st.topic, count(s.article) DESC, st.story",
            (model, topic) if topic is not None else (model,),
        ).fetchall()
        return [{"story": story, "topic": t, "keywords": json.loads(kw), "size": size, "first_date": d0,
                 "last_date": d1} for story, t, kw, size, d0, d1 in rows]

    def story_of_articles(self, model: int) -> dict[str, int | None]:
        """article id -> its story."""
        return dict(self.conn.execute("SELECT article, story FROM assignments WHERE model = ?", (model,)))

    def unassigned_articles(self, model: int) -> list[StoredArticle]:
        """Articles the model has not labelled yet (ingested after its fit or last update)."""
        rows = self.conn.execute(
            "SELECT a.id, a.hash, a.title, t.text, a.date, a.language, a.source, a.given_keywords, a.metadata"
            " FROM articles a JOIN texts t ON t.hash = a.hash LEFT JOIN assignments s"
            " ON s.article = a.id AND s.model = ? WHERE s.article IS NULL ORDER BY a.seq", (model,),
        ).fetchall()
        return [_stored(row) for row in rows]

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

    def topics(self, model: int, include_retired: bool = False) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT t.topic, t.keywords, count(s.article), t.label, min(a.date), max(a.date), t.origin, t.created,"
            " t.merged_into, t.retired"
            " FROM topics t LEFT JOIN assignments s ON s.model = t.model AND s.topic = t.topic"
            " LEFT JOIN articles a ON a.id = s.article WHERE t.model = ?"
            + ("" if include_retired else " AND t.retired = 0")
            + " GROUP BY t.topic ORDER BY t.topic",
            (model,),
        ).fetchall()
        return [
            {"topic": t, "keywords": json.loads(kw), "size": size, "label": label, "first_date": d0,
             "last_date": d1, "origin": origin, "created": created, "merged_into": merged, "retired": bool(retired)}
            for t, kw, size, label, d0, d1, origin, created, merged, retired in rows
        ]

    def topic_languages(self, model: int) -> dict[int, str | None]:
        """topic -> the language most of its articles are in (None when none has a known language)."""
        best: dict[int, tuple[int, str | None]] = {}
        for topic, language, count in self.conn.execute(
            "SELECT s.topic, a.language, count(*) FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? GROUP BY s.topic, a.language ORDER BY s.topic, a.language", (model,),
        ):
            if language is not None and count > best.get(topic, (0, None))[0]:
                best[topic] = (count, language)
        return {topic: language for topic, (_, language) in best.items()}

    def labeled_articles(self, model: int, batch_size: int = 50_000) -> Iterator[list[tuple]]:
        """(id, topic, score, title, date, source, line, line_source) of every labelled article in ingest
        order, in batches."""
        cursor = self.conn.execute(
            "SELECT a.id, s.topic, s.score, a.title, a.date, a.source, s.line, s.line_source"
            " FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )
        while rows := cursor.fetchmany(batch_size):
            yield rows

    def assignments(self, model: int) -> Iterator[tuple[str, int, float]]:
        """(article id, topic, score) in ingest order."""
        yield from self.conn.execute(
            "SELECT s.article, s.topic, s.score FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )

    def assignment(self, model: int, article_id: str) -> Assignment | None:
        row = self.conn.execute(
            "SELECT article, topic, score, line, line_source, story FROM assignments WHERE model = ? AND article = ?",
            (model, article_id),
        ).fetchone()
        return Assignment(*row) if row else None

    def article_lines(self, model: int) -> Iterator[tuple[str, int, str | None, str]]:
        """(article id, topic, its own line as stored, line source) in ingest order."""
        yield from self.conn.execute(
            "SELECT s.article, s.topic, s.line, s.line_source FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )


def articles_after(conn: sqlite3.Connection, seq: int, batch: int = 1000) -> Iterator[list[tuple]]:
    """(seq, id, hash, title, text) of the articles archived after ``seq``, in batches: what an index
    that keeps a watermark reads to catch up."""
    while True:
        rows = conn.execute(
            "SELECT a.seq, a.id, a.hash, a.title, t.text FROM articles a JOIN texts t ON t.hash = a.hash"
            " WHERE a.seq > ? ORDER BY a.seq LIMIT ?", (seq, batch),
        ).fetchall()
        if not rows:
            return
        seq = rows[-1][0]
        yield rows


def _stored(row: Sequence[Any]) -> StoredArticle:
    article_id, digest, title, text, date, language, source, given, metadata = row
    return StoredArticle(article_id, digest, title, text, date, language, source, given, json.loads(metadata))
