"""Edits an analyst makes from the page: naming a topic (merge and split call the archive's own)."""

from __future__ import annotations

import unicodedata

from ...analyze.search import current_model
from ...archive.archive import Archive
from ...store import ArchiveError

MAX_LABEL_CHARS = 200


def clean_label(label: str | None) -> str | None:
    """A label as stored: control characters dropped, whitespace collapsed; empty means no label."""
    if label is None:
        return None
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in label)
    text = " ".join(text.split())
    if len(text) > MAX_LABEL_CHARS:
        raise ValueError(f"label too long: {len(text)} characters (at most {MAX_LABEL_CHARS})")
    return text or None


def set_topic_label(archive: Archive, topic: int, label: str | None) -> str | None:
    """Name ``topic`` of the current model (None or blank clears the name); returns the stored label.

    Raises KeyError for a topic the current model does not have, ArchiveError before the first fit.
    """
    stored = clean_label(label)
    store = archive.store
    with store.transaction():
        model = current_model(store)
        if model is None:
            raise ArchiveError(f"{archive.path}: no topics yet (run 'topicwatch fit' first)")
        if not store.set_label(model["id"], topic, stored):
            raise KeyError(f"no topic {topic} in the current model")
    return stored
