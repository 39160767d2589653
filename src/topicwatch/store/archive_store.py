"""The archive: one SQLite file holding articles, rejects, embeddings, models, topics and their indexes.

``Store`` is the one object callers use; its methods come from one module per table family
(``articles``, ``topics``, ``assignments``, ``trends``, ``places``, ``search_index``, ``feeds``) on
top of ``core`` (connection, transactions, meta) and ``schema`` (tables, migrations).
"""

from __future__ import annotations

from .articles import ArticleTables
from .assignments import AssignmentTables
from .feeds import FeedTables
from .places import PlaceTables
from .rows import ArchiveError, Assignment, IngestCounts, PendingArticle, StoredArticle
from .schema import SCHEMA_VERSION
from .search_index import SearchTables
from .topics import TopicTables
from .trends import TrendTables

__all__ = ["SCHEMA_VERSION", "ArchiveError", "Assignment", "IngestCounts", "PendingArticle", "Store",
           "StoredArticle"]


class Store(ArticleTables, TopicTables, AssignmentTables, TrendTables, PlaceTables, SearchTables, FeedTables):
    """Thin typed access to the archive's tables. Every write goes through ``transaction()``."""
