"""An analyst's edits to topics: a name of their own, merge, split. Each is one transaction: an edit
that fails changes nothing."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .embeddings import cached_embeddings
from .fitting import save_topics
from .updates import distinct_texts, reference_passages
from .workspace import Workspace

MAX_LABEL_CHARS = 200  # the one limit on a topic's label, as given (the web schema states it too)
MAX_ID = 2**63 - 1  # topic and story ids are SQLite integers


class UnknownTopic(KeyError, ValueError):
    """A topic id the current model does not have (a lookup that failed, and a bad argument)."""

    def __str__(self) -> str:
        return str(self.args[0])


def clean_label(label: str | None) -> str | None:
    """A label as stored: control characters dropped, whitespace collapsed; empty means no label."""
    if label is None:
        return None
    if len(label) > MAX_LABEL_CHARS:
        raise ValueError(f"label too long: {len(label)} characters (at most {MAX_LABEL_CHARS})")
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in label)
    return " ".join(text.split()) or None


def check_live_topic(ws: Workspace, model_id: int, topic: int) -> None:
    if not 0 <= topic <= MAX_ID or topic not in {t["topic"] for t in ws.store.topics(model_id)}:
        raise UnknownTopic(f"no topic {topic} in the current model (see 'topicwatch topics')")


def rename_topic(ws: Workspace, topic: int, label: str | None) -> str | None:
    """Give a topic a label of your own (None or blank clears it); returns the label as stored. Any
    topic of the model may be named but one merged into another."""
    stored = clean_label(label)
    with ws.store.transaction():
        record = ws.current_model()
        row = next((t for t in ws.store.topics(record["id"], include_retired=True) if t["topic"] == topic), None)
        if row is None or row["merged_into"] is not None:
            # A split topic keeps its id in the history and may keep a name; a merged one lives on
            # in the topic it went into, which is the one to name.
            where = f" (merged into {row['merged_into']})" if row is not None else ""
            raise UnknownTopic(f"no topic {topic} in the current model{where} (see 'topicwatch topics')")
        ws.store.set_label(record["id"], topic, stored)
    return stored


def merge_topics(ws: Workspace, target: int, others: Sequence[int], label: str | None = None) -> None:
    """Merge ``others`` into ``target`` (and name it ``label`` when given), all or nothing."""
    ws.store.require_writable()
    stored = clean_label(label)
    record, model = ws.load_model()
    others = [o for o in dict.fromkeys(others) if o != target]
    if not others:
        raise ValueError("merge needs at least two different topics")
    for topic in (target, *others):
        check_live_topic(ws, record["id"], topic)
    model.merge(target, list(others))
    with ws.store.transaction():
        ws.store.merge_into(record["id"], target, others)
        model.refresh_keywords(reference_passages(ws, model, []), topics={target})
        save_topics(ws, record["id"], model)
        if label is not None:
            ws.store.set_label(record["id"], target, stored)


def split_topic(ws: Workspace, topic: int, parts: int = 2) -> list[int]:
    """Split a topic into ``parts`` new topics (new ids); its articles move to them."""
    ws.store.require_writable()
    record, model = ws.load_model()
    check_live_topic(ws, record["id"], topic)
    if parts < 2:
        raise ValueError("split needs --into 2 or more")
    store = ws.store
    members = [store.article(a) for a, t, _ in store.assignments(record["id"]) if t == topic]
    ids, rows, texts, hashes = distinct_texts(members)
    vectors = cached_embeddings(ws, hashes, texts, model.embedder_)
    features, doc_term = model.features(texts, vectors)
    new_ids, labels = model.split(topic, features, doc_term, parts)
    stories = model.label_stories(features, doc_term, labels, new_ids)
    with store.transaction():
        store.move_articles(record["id"], ((ids[i], int(labels[r]), int(stories[r])) for i, r in enumerate(rows)))
        model.refresh_keywords(reference_passages(ws, model, texts), topics=set(new_ids))
        save_topics(ws, record["id"], model, {t: "split" for t in new_ids})
    return new_ids
