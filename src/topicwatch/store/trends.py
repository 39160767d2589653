"""The dated reads behind topics over time: what trends count, bursts show and period keywords weigh."""

from __future__ import annotations

from collections.abc import Sequence

from .chunks import query_chunks
from .core import StoreCore
from .line_terms import term_texts

# The two grains an article is counted at: its broad topic, or its story inside that topic.
GRAIN_COLUMNS = {"topic": "s.topic", "story": "s.story"}


class TrendTables(StoreCore):
    """Assignments joined with article dates (and near-duplicate groups), per model."""

    def dated_assignments(self, model: int, grain: str = "topic") -> list[tuple[str, int, str | None, str | None]]:
        """(article id, topic or story, date, its near-duplicate group's first or None) of every labelled
        article (with a story, at the story grain), in ingest order: what ``topic_trends`` counts."""
        column = GRAIN_COLUMNS[grain]
        return self.conn.execute(
            f"SELECT s.article, {column}, a.date, d.first FROM assignments s JOIN articles a ON a.id = s.article"
            f" LEFT JOIN duplicates d ON d.article = s.article WHERE s.model = ? AND {column} IS NOT NULL"
            " ORDER BY a.seq", (model,),
        ).fetchall()

    def article_lines_in_order(self, model: int) -> list[tuple[str, str | None, str | None, int, int | None, bytes | None]]:
        """(article id, date, its near-duplicate group's first or None, topic, story, own line as term ids
        (``line_terms``) or None) of every labelled article, in ingest order: what the event grain
        counts."""
        # Articles scanned in ingest order, each one's assignment looked up: no sort of the rows.
        return self.conn.execute(
            "SELECT a.id, a.date, d.first, s.topic, s.story, s.terms FROM articles a"
            " CROSS JOIN assignments s ON s.model = ? AND s.article = a.id LEFT JOIN duplicates d ON d.article = a.id"
            " ORDER BY a.seq", (model,),
        ).fetchall()

    def line_terms(self) -> dict[int, str]:
        """id -> term of every term a stored line has held (what ``article_lines_in_order``'s ids are)."""
        return term_texts(self.conn)

    def dated_topic_articles(self, model: int, topic: int, grain: str = "topic", first: str | None = None,
                             last: str | None = None, limit: int = -1) -> list[tuple[str, str, str]]:
        """(id, date, title) of a topic's (or story's) dated articles, from ``first`` to ``last`` (ISO
        days, inclusive) when given, most typical (highest score) first, at most ``limit``."""
        return self.conn.execute(
            "SELECT a.id, a.date, a.title FROM assignments s JOIN articles a ON a.id = s.article"
            f" WHERE s.model = ? AND {GRAIN_COLUMNS[grain]} = ? AND a.date IS NOT NULL"
            " AND a.date >= ? AND a.date <= ? ORDER BY s.score DESC LIMIT ?",
            (model, topic, first or "", (last or "9999") + "\uffff", limit),
        ).fetchall()

    def dated_titles(self, articles: Sequence[str]) -> dict[str, tuple[str, str, str | None]]:
        """{article id: (date, title, language)} of the given articles."""
        out: dict[str, tuple[str, str, str | None]] = {}
        for chunk in query_chunks(list(articles)):
            out.update((i, (d, t, lang)) for i, d, t, lang in self.conn.execute(
                f"SELECT id, date, title, language FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def dated_topic_texts(self, model: int, topic: int) -> list[tuple[str, str, str]]:
        """(date, title, text) of a topic's dated articles, oldest first."""
        return self.conn.execute(
            "SELECT a.date, a.title, t.text FROM assignments s JOIN articles a ON a.id = s.article"
            " JOIN texts t ON t.hash = a.hash WHERE s.model = ? AND s.topic = ? AND a.date IS NOT NULL ORDER BY a.date",
            (model, topic),
        ).fetchall()
