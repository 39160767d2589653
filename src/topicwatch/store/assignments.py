"""Which topic and story each article belongs to under a model, and the reads that join them with articles."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .articles import ARTICLE_COLUMNS
from .core import StoreCore
from .line_terms import encoded_lines
from .rows import Assignment, StoredArticle, stored_article


class AssignmentTables(StoreCore):
    """``assignments`` and ``stories``."""

    # ---- writes -----------------------------------------------------------------------------
    def put_assignments(self, model: int, rows: Iterable[Assignment]) -> None:
        """Each article's topic, similarity and own keyword line (see ``Assignment``), the line also as
        its terms' ids (``line_terms``)."""
        rows = list(rows)
        terms = encoded_lines(self.conn, [row.line for row in rows])
        self.conn.executemany(
            "INSERT OR REPLACE INTO assignments(model, article, topic, score, line, line_source, story, terms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((model, *row, ids) for row, ids in zip(rows, terms)),
        )

    def move_articles(self, model: int, moves: Iterable[tuple[str, int, int]]) -> None:
        """Give articles another topic and story (a user's split); their own keyword lines stay."""
        self.conn.executemany("UPDATE assignments SET topic = ?, story = ?, score = 0 WHERE model = ? AND article = ?",
                              ((topic, story, model, article) for article, topic, story in moves))

    def merge_into(self, model: int, target: int, others: Sequence[int]) -> None:
        """Articles and stories of ``others`` belong to ``target`` now (a user's merge)."""
        marks = ",".join("?" * len(others))
        for table in ("assignments", "stories"):
            self.conn.execute(f"UPDATE {table} SET topic = ? WHERE model = ? AND topic IN ({marks})",
                              (target, model, *others))

    def put_stories(self, model: int, rows: Iterable[tuple[int, int, list[str]]]) -> None:
        """(story, topic, keywords) of a model's stories."""
        self.conn.executemany("INSERT OR REPLACE INTO stories(model, story, topic, keywords) VALUES (?, ?, ?, ?)",
                              ((model, story, topic, json.dumps(keywords, ensure_ascii=False))
                               for story, topic, keywords in rows))

    # ---- stories ----------------------------------------------------------------------------
    def stories(self, model: int, topic: int | None = None) -> list[dict[str, Any]]:
        """Stories holding articles, by topic then size (largest first): story, topic, keywords, size, dates."""
        rows = self.conn.execute(
            "SELECT st.story, st.topic, st.keywords, count(s.article), min(a.date), max(a.date) FROM stories st"
            " JOIN assignments s ON s.model = st.model AND s.story = st.story"
            " JOIN articles a ON a.id = s.article WHERE st.model = ?" + (" AND st.topic = ?" if topic is not None else "")
            + " GROUP BY st.story ORDER BY st.topic, count(s.article) DESC, st.story",
            (model, topic) if topic is not None else (model,),
        ).fetchall()
        return [{"story": story, "topic": t, "keywords": json.loads(kw), "size": size, "first_date": d0,
                 "last_date": d1} for story, t, kw, size, d0, d1 in rows]

    def story_keywords(self, model: int) -> dict[int, list[str]]:
        """story -> its keywords, of a model's stories (without counting their articles)."""
        return {story: json.loads(kw) for story, kw in self.conn.execute(
            "SELECT story, keywords FROM stories WHERE model = ?", (model,))}

    def story_of_articles(self, model: int, articles: Sequence[str] | None = None) -> dict[str, int | None]:
        """article id -> its story, of every article (or of ``articles`` only)."""
        if articles is None:
            return dict(self.conn.execute("SELECT article, story FROM assignments WHERE model = ?", (model,)))
        marks = ",".join("?" * len(articles))
        return dict(self.conn.execute(f"SELECT article, story FROM assignments WHERE model = ? AND article IN ({marks})",
                                      (model, *articles)))

    # ---- per article ------------------------------------------------------------------------
    def count_unassigned(self, model: int) -> int:
        """How many articles the model has not labelled yet."""
        return int(self.conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN assignments s ON s.article = a.id AND s.model = ?"
            " WHERE s.article IS NULL", (model,)).fetchone()[0])

    def unassigned_articles(self, model: int) -> list[StoredArticle]:
        """Articles the model has not labelled yet (ingested after its fit or last update)."""
        rows = self.conn.execute(
            f"SELECT {ARTICLE_COLUMNS}"
            " FROM articles a JOIN texts t ON t.hash = a.hash LEFT JOIN assignments s"
            " ON s.article = a.id AND s.model = ? WHERE s.article IS NULL ORDER BY a.seq", (model,),
        ).fetchall()
        return [stored_article(row) for row in rows]

    def topic_languages(self, model: int) -> dict[int, str | None]:
        """topic -> the language most of its articles are in (None when none has a known language)."""
        best: dict[int, tuple[int, str | None]] = {}
        for topic, language, count in self.conn.execute(
            "SELECT s.topic, a.language, count(*) FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? GROUP BY s.topic, a.language ORDER BY s.topic, a.language", (model,),
        ):
            if language is not None and count > best.get(topic, (0, None))[0]:
                best[topic] = (count, language)
        return {topic: language for topic, (_, language) in best.items()}

    def labeled_articles(self, model: int, batch_size: int = 50_000) -> Iterator[list[tuple]]:
        """(id, topic, score, title, date, source, line, line_source, language) of every labelled article
        in ingest order, in batches."""
        cursor = self.conn.execute(
            "SELECT a.id, s.topic, s.score, a.title, a.date, a.source, s.line, s.line_source, a.language"
            " FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )
        while rows := cursor.fetchmany(batch_size):
            yield rows

    def assignments(self, model: int) -> Iterator[tuple[str, int, float]]:
        """(article id, topic, score) in ingest order."""
        yield from self.conn.execute(
            "SELECT s.article, s.topic, s.score FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )

    def assignment(self, model: int, article_id: str) -> Assignment | None:
        row = self.conn.execute(
            "SELECT article, topic, score, line, line_source, story FROM assignments WHERE model = ? AND article = ?",
            (model, article_id),
        ).fetchone()
        return Assignment(*row) if row else None

    def article_lines(self, model: int) -> Iterator[tuple[str, int, str | None, str, str | None]]:
        """(article id, topic, its own line as stored, line source, language) in ingest order."""
        yield from self.conn.execute(
            "SELECT s.article, s.topic, s.line, s.line_source, a.language FROM articles a JOIN assignments s"
            " ON s.article = a.id AND s.model = ? ORDER BY a.seq",
            (model,),
        )

    def topic_of_articles(self, model: int) -> dict[str, int]:
        """article id -> its topic."""
        return dict(self.conn.execute("SELECT article, topic FROM assignments WHERE model = ?", (model,)))

    def mapped_articles(self, model: int) -> list[tuple[str, str, str, int]]:
        """(id, title, text hash, topic) of every labelled article in ingest order (what the topic map places)."""
        return self.conn.execute(
            "SELECT a.id, a.title, a.hash, s.topic FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? ORDER BY a.seq", (model,),
        ).fetchall()

    # ---- a topic's articles, a page at a time -----------------------------------------------
    def topic_article_ids(self, model: int, topic: int, limit: int, offset: int) -> list[str]:
        """Ids of a page of a topic's articles, newest first (undated last)."""
        rows = self.conn.execute(
            "SELECT s.article FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? AND s.topic = ? ORDER BY a.date IS NULL, a.date DESC, a.seq DESC LIMIT ? OFFSET ?",
            (model, topic, limit, offset),
        ).fetchall()
        return [article_id for (article_id,) in rows]

    def topic_article_page(
        self, model: int, topic: int, limit: int, offset: int, chars: int, order: str = "newest",
        story: int | None = None,
    ) -> list[tuple[str, str, str | None, str, str | None, str, str | None, str]]:
        """(id, title, date, source, language, the text's first ``chars`` characters, line, line source)
        of a page of a topic's (``story``: of one story's) articles: newest first (undated last), or
        ``order="score"``: most typical first."""
        ordering = ("s.score DESC, a.seq" if order == "score"
                    else "a.date IS NULL, a.date DESC, a.seq DESC")
        return self.conn.execute(
            "SELECT a.id, a.title, a.date, a.source, a.language, substr(t.text, 1, ?), s.line, s.line_source"
            " FROM assignments s JOIN articles a ON a.id = s.article JOIN texts t ON t.hash = a.hash"
            " WHERE s.model = ? AND s.topic = ?" + (" AND s.story = ?" if story is not None else "")
            + f" ORDER BY {ordering} LIMIT ? OFFSET ?",
            (chars, model, topic, *([story] if story is not None else []), limit, offset),
        ).fetchall()
