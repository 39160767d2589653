"""The dated reads behind topics over time: what trends count, bursts show and period keywords weigh."""

from __future__ import annotations

from .core import StoreCore


class TrendTables(StoreCore):
    """Assignments joined with article dates (and near-duplicate groups), per model."""

    def dated_assignments(self, model: int) -> list[tuple[str, int, str | None, str | None]]:
        """(article id, topic, date, its near-duplicate group's first or None) of every labelled article,
        in ingest order: what ``topic_trends`` counts."""
        return self.conn.execute(
            "SELECT s.article, s.topic, a.date, d.first FROM assignments s JOIN articles a ON a.id = s.article"
            " LEFT JOIN duplicates d ON d.article = s.article WHERE s.model = ? ORDER BY a.seq",
            (model,),
        ).fetchall()

    def dated_topic_articles(self, model: int, topic: int) -> list[tuple[str, str, str]]:
        """(id, date, title) of a topic's dated articles, most typical (highest score) first."""
        return self.conn.execute(
            "SELECT a.id, a.date, a.title FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? AND s.topic = ? AND a.date IS NOT NULL ORDER BY s.score DESC",
            (model, topic),
        ).fetchall()

    def dated_topic_texts(self, model: int, topic: int) -> list[tuple[str, str, str]]:
        """(date, title, text) of a topic's dated articles, oldest first."""
        return self.conn.execute(
            "SELECT a.date, a.title, t.text FROM assignments s JOIN articles a ON a.id = s.article"
            " JOIN texts t ON t.hash = a.hash WHERE s.model = ? AND s.topic = ? AND a.date IS NOT NULL ORDER BY a.date",
            (model, topic),
        ).fetchall()
