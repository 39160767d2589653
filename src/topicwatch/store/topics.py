"""Models and their topics: the fitted state, each topic's keywords, size, label and keyword history."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from .core import StoreCore


class TopicTables(StoreCore):
    """``models``, ``topics`` and ``topic_versions``; the current model is the meta ``current_model``."""

    # ---- models -----------------------------------------------------------------------------
    def create_model(self, backend: str, params: dict[str, Any], state: bytes) -> int:
        """A new model row; it becomes the current model."""
        cur = self.conn.execute(
            "INSERT INTO models(created, backend, params, state) VALUES (?, ?, ?, ?)",
            (time.time(), backend, json.dumps(params), state),
        )
        model = int(cur.lastrowid)
        self.set_meta("current_model", str(model))
        return model

    def save_state(self, model: int, state: bytes) -> None:
        self.conn.execute("UPDATE models SET state = ? WHERE id = ?", (state, model))

    def current_model(self, state: bool = True) -> dict[str, Any] | None:
        """The current model, None before the first fit: id, created, backend, params and state.

        ``state=False``: only id, backend and created, without reading the state blob (what search
        and the web page need per request); None also when that model row is missing.
        """
        value = self.get_meta("current_model")
        if value is None:
            return None
        if not state:
            light = self.conn.execute("SELECT id, backend, created FROM models WHERE id = ?", (int(value),)).fetchone()
            return None if light is None else {"id": light[0], "backend": light[1], "created": light[2]}
        row = self.conn.execute(
            "SELECT id, created, backend, params, state FROM models WHERE id = ?", (int(value),)
        ).fetchone()
        model_id, created, backend, params, blob = row
        return {"id": model_id, "created": created, "backend": backend, "params": json.loads(params),
                "state": blob}

    def model_state(self, model: int) -> bytes:
        """A model's fitted state (the blob ``TopicModel.from_bytes`` reads)."""
        return self.conn.execute("SELECT state FROM models WHERE id = ?", (model,)).fetchone()[0]

    # ---- topics -----------------------------------------------------------------------------
    def put_topics(self, model: int, rows: Iterable[dict[str, Any]]) -> None:
        """Insert or update topics: keywords, size, retired, merged_into and lines (language -> keywords,
        where its articles use several languages) always; label, origin and created only when given (a
        user's label survives updates)."""
        now = time.time()
        for row in rows:
            self.conn.execute(
                "INSERT INTO topics(model, topic, keywords, size, label, origin, created, merged_into, retired, lines)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(model, topic) DO UPDATE SET"
                " keywords = excluded.keywords, size = excluded.size, merged_into = excluded.merged_into,"
                " retired = excluded.retired, label = coalesce(excluded.label, topics.label), lines = excluded.lines",
                (model, row["topic"], json.dumps(row["keywords"], ensure_ascii=False), row["size"],
                 row.get("label"), row.get("origin", "fit"), row.get("created", now), row.get("merged_into"),
                 int(row.get("retired", False)),
                 json.dumps(row["lines"], ensure_ascii=False) if row.get("lines") else None),
            )

    def set_label(self, model: int, topic: int, label: str | None) -> int:
        """Set (or with None clear) a topic's label; returns how many topics matched (0 or 1)."""
        changed = self.conn.execute(
            "UPDATE topics SET label = ? WHERE model = ? AND topic = ?", (label, model, topic)
        ).rowcount
        self.bump_revision()
        return changed

    def add_topic_version(self, model: int, topic: int, keywords: list[str]) -> bool:
        """Record a topic's keyword line if it differs from its latest version; True if recorded."""
        latest = self.conn.execute(
            "SELECT version, keywords FROM topic_versions WHERE model = ? AND topic = ? ORDER BY version DESC LIMIT 1",
            (model, topic),
        ).fetchone()
        encoded = json.dumps(keywords, ensure_ascii=False)
        if latest is not None and latest[1] == encoded:
            return False
        first, last = self.conn.execute(
            "SELECT min(a.date), max(a.date) FROM assignments s JOIN articles a ON a.id = s.article"
            " WHERE s.model = ? AND s.topic = ?", (model, topic),
        ).fetchone()
        self.conn.execute(
            "INSERT INTO topic_versions(model, topic, version, keywords, created, first_date, last_date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (model, topic, (latest[0] + 1) if latest else 1, encoded, time.time(), first, last),
        )
        return True

    def topic_versions(self, model: int, topic: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT version, keywords, created, first_date, last_date FROM topic_versions"
            " WHERE model = ? AND topic = ? ORDER BY version", (model, topic),
        ).fetchall()
        return [{"version": v, "keywords": json.loads(k), "created": c, "first_date": f, "last_date": la}
                for v, k, c, f, la in rows]

    def topics(self, model: int, include_retired: bool = False) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT t.topic, t.keywords, count(s.article), t.label, min(a.date), max(a.date), t.origin, t.created,"
            " t.merged_into, t.retired, t.lines"
            " FROM topics t LEFT JOIN assignments s ON s.model = t.model AND s.topic = t.topic"
            " LEFT JOIN articles a ON a.id = s.article WHERE t.model = ?"
            + ("" if include_retired else " AND t.retired = 0")
            + " GROUP BY t.topic ORDER BY t.topic",
            (model,),
        ).fetchall()
        return [
            {"topic": t, "keywords": json.loads(kw), "size": size, "label": label, "first_date": d0,
             "last_date": d1, "origin": origin, "created": created, "merged_into": merged, "retired": bool(retired),
             "lines": json.loads(lines) if lines else {}}
            for t, kw, size, label, d0, d1, origin, created, merged, retired, lines in rows
        ]

    def topic_ids(self, model: int) -> list[int]:
        """Every topic id of the model (retired ones too), in order."""
        return [row[0] for row in self.conn.execute("SELECT topic FROM topics WHERE model = ? ORDER BY topic",
                                                    (model,))]

    def count_topics(self, model: int) -> int:
        """How many topics the model has (retired ones too)."""
        return int(self.conn.execute("SELECT count(*) FROM topics WHERE model = ?", (model,)).fetchone()[0])

    def topic_keywords(self, model: int, include_retired: bool = True) -> dict[int, list[str]]:
        """topic -> its stored keywords, for every topic of the model (one lean query, no counts), in
        order; without the retired ones when asked."""
        return {topic: json.loads(words) for topic, words in self.conn.execute(
            "SELECT topic, keywords FROM topics WHERE model = ?" + ("" if include_retired else " AND retired = 0")
            + " ORDER BY topic", (model,))}

    def topic_language_lines(self, model: int) -> dict[int, dict[str, list[str]]]:
        """topic -> language -> keywords, for the topics that have lines in several languages."""
        return {topic: json.loads(lines) for topic, lines in self.conn.execute(
            "SELECT topic, lines FROM topics WHERE model = ? AND lines IS NOT NULL", (model,))}

    def topic_fields(self, model: int, topic: int
                     ) -> tuple[list[str], int, str | None, dict[str, list[str]]] | None:
        """(keywords, stored size, label, lines per language) of one topic; None when the model has no such topic."""
        row = self.conn.execute("SELECT keywords, size, label, lines FROM topics WHERE model = ? AND topic = ?",
                                (model, topic)).fetchone()
        return None if row is None else (json.loads(row[0]), row[1], row[2], json.loads(row[3]) if row[3] else {})

    def labels(self, model: int) -> dict[int, str | None]:
        """topic -> its label (None where it has none)."""
        return dict(self.conn.execute("SELECT topic, label FROM topics WHERE model = ?", (model,)))
