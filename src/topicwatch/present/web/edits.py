"""Edits an analyst makes from the page: the archive's own (``topicwatch.archive.edits``), one set of rules."""

from __future__ import annotations

from ...archive.archive import Archive
from ...archive.edits import MAX_ID, MAX_LABEL_CHARS, clean_label

__all__ = ["MAX_ID", "MAX_LABEL_CHARS", "clean_label", "set_topic_label"]


def set_topic_label(archive: Archive, topic: int, label: str | None) -> str | None:
    """Name ``topic`` of the current model (None or blank clears the name); returns the stored label.

    Raises KeyError for a topic the current model does not have, ArchiveError before the first fit.
    """
    return archive.rename_topic(topic, label)
