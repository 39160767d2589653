"""The keyword search index (SQLite FTS5, bm25) and the reads search ranks and shows hits with.

The index is external-content FTS5 over each article's title and text (``search_docs``), filled by
``SearchIndex`` like every incremental index: the articles above its watermark are added, so a
search after an ingest indexes only the new articles. Query text never reaches SQL as text: the
FTS5 expression (built by ``topicwatch.analyze.search``) and every filter value are bound parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .core import StoreCore
from .watermark import WatermarkIndex


def _index_sql(schema: str = "main") -> tuple[str, ...]:
    """The index's statements, in the archive itself or (``schema`` = "temp") in this connection's memory."""
    view, tables = ("CREATE TEMP VIEW", "main.") if schema == "temp" else ("CREATE VIEW", "")
    return (
        # The content the index is built from and snippets are cut from (the highlight markers removed).
        (f"{view} IF NOT EXISTS search_docs AS SELECT a.seq AS seq,"
         " replace(replace(a.title, char(57344), ''), char(57345), '') AS title,"
         " replace(replace(t.text, char(57344), ''), char(57345), '') AS text"
         f" FROM {tables}articles a JOIN {tables}texts t ON t.hash = a.hash"),
        (f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.search_fts USING fts5(title, text,"
         " content='search_docs',"
         " content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2')"),
        # How many articles hold each indexed term: lets a broad query skip words nearly every article holds.
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.search_vocab USING fts5vocab("
        + ("temp, " if schema == "temp" else "") + "search_fts, 'row')",
    )


_INDEX_SQL = _index_sql()


class SearchIndex(WatermarkIndex):
    """The FTS5 index: created on first use, then given the articles archived since."""

    watermark_key = "search_index_seq"  # meta: the highest articles.seq in the index
    name = "keyword search index"

    def is_built(self) -> bool:
        return self._table_exists("search_fts") and self._table_exists("search_vocab")

    def ensure(self) -> int:
        """Bring the index up to date; on a read-only archive that lacks it or whose index is behind,
        build one for this connection alone, in memory (SQLite's temp schema, which the unqualified
        names of every search then resolve to): slower once, but every article is found."""
        if not self.store.read_only:
            return super().ensure()
        in_memory = self.conn.execute(
            "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'search_fts'").fetchone()
        if in_memory or not self.pending():
            return 0
        for statement in _index_sql("temp"):
            self.conn.execute(statement)
        self.conn.execute("INSERT INTO temp.search_fts(search_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')")
        return max(self.conn.execute("INSERT INTO temp.search_fts(rowid, title, text)"
                                     " SELECT seq, title, text FROM search_docs").rowcount, 0)

    def reset(self) -> None:
        """Create the index (emptied first if only part of it exists)."""
        created = not self._table_exists("search_fts")
        if not created:
            self.conn.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        for statement in _INDEX_SQL:
            self.conn.execute(statement)
        if created:
            self.conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')")

    def index_after(self, seq: int) -> int:
        for statement in _INDEX_SQL:
            self.conn.execute(statement)
        added = self.conn.execute(
            "INSERT INTO search_fts(rowid, title, text) SELECT seq, title, text FROM search_docs WHERE seq > ?",
            (seq,),
        ).rowcount
        return max(added, 0)

    def _table_exists(self, name: str) -> bool:
        found = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None


class SearchTables(StoreCore):
    """What a search reads: keyword matches, term frequencies, snippets and the hits' fields."""

    def keyword_matches(
        self, expression: str, depth: int, model: int | None = None, topic: int | None = None,
        date_from: str | None = None, date_to: str | None = None, language: str | None = None,
        source: str | None = None, place: str | None = None,
    ) -> list[tuple[int, float]]:
        """(seq, score) of the first ``depth`` articles matching an FTS5 expression, best (highest
        bm25 score) first, filtered by the model's topic, date range (ISO prefixes, inclusive),
        language, source and a place they name (a canonical name; a province covers its places). An
        expression FTS5 rejects matches nothing."""
        conditions, params = [], []
        for column, op, value in (("s.topic", "=", topic), ("a.date", ">=", date_from),
                                  ("a.date", "<=", None if date_to is None else date_to + "\uffff"),
                                  ("a.language", "=", language), ("a.source", "=", source)):
            if value is not None:
                conditions.append(f" AND {column} {op} ?")
                params.append(value)
        if place is not None:
            conditions.append(" AND a.id IN (SELECT article FROM places WHERE place = ? OR province = ?)")
            params += [place, place]
        if conditions:
            sql = ("SELECT f.rowid, f.rank FROM search_fts f JOIN articles a ON a.seq = f.rowid"
                   " LEFT JOIN assignments s ON s.model = ? AND s.article = a.id WHERE search_fts MATCH ?"
                   + "".join(conditions) + " ORDER BY f.rank LIMIT ?")
            bound: list[Any] = [model, expression, *params, depth]
        else:
            sql = "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?"
            bound = [expression, depth]
        try:
            return [(seq, -rank) for seq, rank in self.conn.execute(sql, bound)]
        except sqlite3.OperationalError as exc:  # a query FTS5 still rejects: treat as no keyword match
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                return []
            raise

    def term_articles(self, term: str) -> int | None:
        """How many indexed articles hold the (lower-case, single-word) term; None when none does."""
        row = self.conn.execute("SELECT doc FROM search_vocab WHERE term = ?", (term,)).fetchone()
        return None if row is None else row[0]

    def snippets(self, expression: str, seqs: Sequence[int], start: str, end: str, ellipsis: str,
                 tokens: int = 24) -> dict[int, str]:
        """seq -> the passage of at most ``tokens`` tokens best matching the expression, the matched
        terms wrapped in ``start`` / ``end``, cuts marked with ``ellipsis``."""
        marks = ",".join("?" * len(seqs))
        return dict(self.conn.execute(
            f"SELECT rowid, snippet(search_fts, -1, ?, ?, ?, {int(tokens)}) FROM search_fts WHERE search_fts MATCH ?"
            f" AND rowid IN ({marks})", [start, end, ellipsis, expression, *seqs]))

    def hit_rows(self, model: int | None, seqs: Sequence[int], lead: int = 400) -> dict[int, tuple[Any, ...]]:
        """seq -> (seq, id, title, date, language, source, topic or None, the text's first ``lead``
        characters) of the given articles."""
        marks = ",".join("?" * len(seqs))
        return {row[0]: row for row in self.conn.execute(
            "SELECT a.seq, a.id, a.title, a.date, a.language, a.source, s.topic, substr(t.text, 1, ?)"
            " FROM articles a JOIN texts t ON t.hash = a.hash LEFT JOIN assignments s ON s.model = ?"
            f" AND s.article = a.id WHERE a.seq IN ({marks})", [lead, model, *seqs])}
