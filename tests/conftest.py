"""Shared fixtures: the real corpora in ../shared/data and a real fast embedder."""

from __future__ import annotations

import gzip
import json
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
