"""The archive's tables (one SQLite file) and the migration of older archives to them.

Tables are created with IF NOT EXISTS on every open, so a new table costs nothing to add; a changed
table bumps ``SCHEMA_VERSION`` and ``migrate`` brings older files up to it, adding columns and filling
the ones that repeat what a row already holds (its line's term ids).
"""

from __future__ import annotations

import sqlite3

from .line_terms import encoded_lines

SCHEMA_VERSION = 4  # 2: assignments carry each article's own keyword line; 3: topics a line per language;
# 4: the article's line as term ids too (store.line_terms)

SCHEMA = """
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
    lines TEXT,                              -- JSON language -> keywords, where articles use several
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
    terms BLOB,                                -- the line's terms as line_terms ids (int32, little-endian)
    PRIMARY KEY (model, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS line_terms (        -- every term an article's own line has held (store.line_terms)
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE
);
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


def migrate(conn: sqlite3.Connection) -> None:
    """Bring an older archive's tables up to this schema (columns added, the lines' term ids filled in),
    inside the caller's transaction."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(assignments)")}
    if "line" not in columns:  # schema 1: articles carried only their topic's line
        conn.execute("ALTER TABLE assignments ADD COLUMN line TEXT")
        conn.execute("ALTER TABLE assignments ADD COLUMN line_source TEXT NOT NULL DEFAULT 'topic'")
        conn.execute("ALTER TABLE assignments ADD COLUMN story INTEGER")
    if "lines" not in {row[1] for row in conn.execute("PRAGMA table_info(topics)")}:  # schema 2: one line a topic
        conn.execute("ALTER TABLE topics ADD COLUMN lines TEXT")
    if "terms" not in columns:  # schema 3: the lines as JSON only
        conn.execute("ALTER TABLE assignments ADD COLUMN terms BLOB")
        rows = conn.execute("SELECT model, article, line FROM assignments WHERE line IS NOT NULL").fetchall()
        if rows:
            models, articles, lines = zip(*rows)
            conn.executemany("UPDATE assignments SET terms = ? WHERE model = ? AND article = ?",
                             zip(encoded_lines(conn, lines), models, articles))
