"""The places each article names (``places`` table): stored at ingest, caught up on first use, counted.

The store does not know how places are found (that is the gazetteer, ``topicwatch.model.places``):
it takes plain rows (article id, place, kind, province), and to catch up on older articles it calls
the finder its caller hands it, with the version of the gazetteer the rows are found with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .core import StoreCore
from .watermark import WatermarkIndex

PlaceRow = tuple[str, str, str, str | None]  # article id, place, kind, province
Found = tuple[str, str, str | None]  # place, kind, province: one place a text names
Finder = Callable[[str, str], Iterable[Found]]  # (title, text) -> the places they name


class PlaceIndex(WatermarkIndex):
    """Records the places of articles, inside the caller's transaction.

    ``version``: the gazetteer's version (a change re-scans every article); ``find``: the places a
    (title, text) names, for the articles archived before the index caught up.
    """

    watermark_key = "places_seq"  # meta: the highest articles.seq already scanned
    name = "place index"
    version_key = "places_gazetteer"  # meta: which gazetteer the stored rows were found with

    def __init__(self, store: StoreCore, version: str, find: Finder):
        super().__init__(store)
        self._version = version
        self.find = find

    def version(self) -> str:
        return self._version

    def reset(self) -> None:
        self.conn.execute("DELETE FROM places")

    def add_many(self, rows: Iterable[PlaceRow]) -> None:
        """Record (article id, place, kind, province) rows in one statement."""
        self.conn.executemany("INSERT OR REPLACE INTO places(article, place, kind, province) VALUES (?, ?, ?, ?)",
                              list(rows))

    def index_after(self, seq: int) -> int:
        count = 0
        for batch in self.pending_articles(seq):
            self.add_many([(article.id, *found) for article in batch for found in self.find(article.title, article.text)])
            count += len(batch)
        return count


class PlaceTables(StoreCore):
    """Reads of the ``places`` table (the index must have caught up: see ``PlaceIndex.ensure``).

    ``name`` is a canonical place; a province stands for its cities and counties too.
    """

    def articles_naming(self, name: str) -> set[str]:
        """Ids of the articles that name the place (or, for a province, one of its places)."""
        rows = self.conn.execute("SELECT DISTINCT article FROM places WHERE place = ? OR province = ?", (name, name))
        return {article for (article,) in rows}

    def seqs_naming(self, name: str) -> set[int]:
        """The ``seq`` of every article that names the place (or, for a province, one of its places)."""
        rows = self.conn.execute("SELECT DISTINCT a.seq FROM places p JOIN articles a ON a.id = p.article"
                                 " WHERE p.place = ? OR p.province = ?", (name, name))
        return {int(seq) for (seq,) in rows}

    def place_mentions(self, model: int, name: str) -> dict[int, int]:
        """topic -> how many of its articles name the place."""
        rows = self.conn.execute(
            "SELECT s.topic, count(DISTINCT s.article) FROM places p JOIN assignments s ON s.article = p.article"
            " AND s.model = ? WHERE p.place = ? OR p.province = ? GROUP BY s.topic", (model, name, name),
        )
        return {int(topic): int(count) for topic, count in rows}

    def place_count_rows(self, model: int | None = None, topic: int | None = None) -> list[tuple[Any, ...]]:
        """(place, kind, province, topic, articles) per place, and with a model per place and topic
        (``topic`` keeps one topic's articles); without a model the topic is None."""
        if model is None:
            return self.conn.execute("SELECT place, kind, province, NULL, count(*) FROM places GROUP BY place").fetchall()
        return self.conn.execute(
            "SELECT p.place, p.kind, p.province, s.topic, count(*) FROM places p JOIN assignments s"
            " ON s.article = p.article AND s.model = ?" + (" WHERE s.topic = ?" if topic is not None else "")
            + " GROUP BY p.place, s.topic", (model, topic) if topic is not None else (model,),
        ).fetchall()
