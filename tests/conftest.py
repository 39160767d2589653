"""Shared fixtures: the real corpora in ../shared/data and a real fast embedder."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_corpus(name: str, limit: int | None = None) -> list[dict]:
    path = DATA_DIR / name
    if not path.exists():
        pytest.skip(f"corpus {path} not present")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    return rows


@pytest.fixture(scope="session")
def bbc() -> list[dict]:
    return load_corpus("bbc_news.jsonl.gz")


@pytest.fixture(scope="session")
def fast_embedder():
    from topicwatch.embed import FastEmbedder

    return FastEmbedder()


@pytest.fixture(scope="session")
def bbc_fast_vectors(bbc, fast_embedder):
    from topicwatch.embed import document_text

    return fast_embedder.encode([document_text(d["title"], d["text"]) for d in bbc])


def archive_state(db: Path) -> dict:
    """An archive's contents, table by table, for comparing two runs."""
    conn = sqlite3.connect(db)
    model = conn.execute("SELECT max(id) FROM models").fetchone()[0]
    state = {
        "articles": conn.execute("SELECT id, hash, title, date FROM articles ORDER BY seq").fetchall(),
        "rejects": conn.execute("SELECT location, reason FROM rejects ORDER BY id").fetchall(),
        "duplicates": conn.execute("SELECT * FROM duplicates ORDER BY article").fetchall(),
        "places": conn.execute("SELECT * FROM places ORDER BY article, place").fetchall(),
        "minhashes": conn.execute("SELECT * FROM minhashes ORDER BY seq").fetchall(),
    }
    if model is not None:
        state["labels"] = conn.execute(
            "SELECT article, topic FROM assignments WHERE model = ? ORDER BY article", (model,)).fetchall()
        state["keywords"] = conn.execute(
            "SELECT topic, keywords FROM topics WHERE model = ? ORDER BY topic", (model,)).fetchall()
    conn.close()
    return state
