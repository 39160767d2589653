"""Evaluation: how coherent, diverse and (against a label field) right the current topics are."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..embed import document_text
from ..model.evaluate import Scores, score_topics
from ..read import read_inputs
from ..read.records import Article, Reject
from .workspace import Workspace


def evaluate(ws: Workspace, label_field: str | None = None, unseen: Sequence[str | Path] = ()) -> Scores:
    """Scores of the current topics (see ``Archive.evaluate``)."""
    model = ws.labelled_model()
    topic_of = dict(_labeled_rows(ws, model["id"]))
    texts, assigned, labels = [], [], []
    seen: set[str] = set()
    for part in ws.store.iter_articles():
        for a in part:
            if a.hash not in seen:
                seen.add(a.hash)
                texts.append(document_text(a.title, a.text))
            if label_field is not None and a.metadata.get(label_field) not in (None, ""):
                assigned.append(topic_of[a.id])
                labels.append(str(a.metadata[label_field]))
    if label_field is not None and not labels:
        raise ValueError(f"no article has a value in the field {label_field!r}")
    keywords = [t["keywords"] for t in ws.store.topics(model["id"])]
    read = list(read_inputs(unseen))
    unseen_texts = [document_text(a.title, a.text) for a in read if isinstance(a, Article)]
    if unseen and not unseen_texts:
        first = next((r for r in read if isinstance(r, Reject)), None)
        why = f" ({first.where}: {first.reason})" if first is not None else ""
        raise ValueError(f"the unseen reference holds no readable article{why}")
    scores = score_topics(keywords, texts, np.asarray(assigned or list(topic_of.values())),
                          labels if label_field is not None else None, unseen_texts=unseen_texts or None)
    return scores


def _labeled_rows(ws: Workspace, model_id: int) -> Iterable[tuple[str, int]]:
    for article_id, topic, _score in ws.store.assignments(model_id):
        yield article_id, topic
