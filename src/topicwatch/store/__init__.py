"""The store: the archive file and the only code that runs SQL (schema, migrations, each table family)."""

from .archive_store import Store
from .core import DatabaseError, StoreCore
from .duplicates import DuplicateIndex, NewArticle, duplicate_groups, representatives
from .places import PlaceIndex
from .rows import ArchiveError, Assignment, IngestCounts, PendingArticle, StoredArticle
from .schema import SCHEMA_VERSION
from .search_index import SearchIndex
from .watermark import WatermarkIndex

__all__ = [
    "SCHEMA_VERSION",
    "ArchiveError",
    "Assignment",
    "DatabaseError",
    "DuplicateIndex",
    "IngestCounts",
    "NewArticle",
    "PendingArticle",
    "PlaceIndex",
    "SearchIndex",
    "Store",
    "StoreCore",
    "StoredArticle",
    "WatermarkIndex",
    "duplicate_groups",
    "representatives",
]
