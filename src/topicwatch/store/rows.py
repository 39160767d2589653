"""The plain data the store hands back (and its one exception): no SQL here, only the shapes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple


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


class PendingArticle(NamedTuple):
    """An archived article as an index that catches up reads it (``articles_after``)."""

    seq: int
    id: str
    hash: str
    title: str
    text: str


def stored_article(row: Sequence[Any]) -> StoredArticle:
    """An (id, hash, title, text, date, language, source, given keywords, metadata JSON) row as a
    ``StoredArticle``."""
    article_id, digest, title, text, date, language, source, given, metadata = row
    return StoredArticle(article_id, digest, title, text, date, language, source, given, json.loads(metadata))
