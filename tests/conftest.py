"""Shared fixtures: the real corpora in ../shared/data (or where ``TOPICWATCH_DATA`` says) and a real
fast embedder."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
from pathlib import Path

import pytest

DATA_DIR = Path(os.environ.get("TOPICWATCH_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
_missing_corpora: set[str] = set()


def skip_without_corpus(path: Path) -> None:
    """Skip the calling test when a corpus is absent, and remember it for the run's summary."""
    if not path.exists():
        _missing_corpora.add(path.name)
        pytest.skip(f"corpus {path} not present (set TOPICWATCH_DATA to the folder holding it)")


def pytest_terminal_summary(terminalreporter) -> None:
    """Say loudly, at the end of the run, when tests on the real corpora were skipped for want of them."""
    if _missing_corpora:
        terminalreporter.write_line(
            f"WARNING: real-data tests skipped, corpora not found in {DATA_DIR}: {', '.join(sorted(_missing_corpora))}."
            " Set TOPICWATCH_DATA to the folder holding them.", yellow=True, bold=True)


def load_corpus(name: str, limit: int | None = None) -> list[dict]:
    path = DATA_DIR / name
    skip_without_corpus(path)
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
