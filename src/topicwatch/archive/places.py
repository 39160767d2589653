"""Places in the archive: the store's place index filled by the gazetteer's finder, and the reads
that filter or count by place (a province stands for its cities and counties)."""

from __future__ import annotations

from typing import Any

from ..model.places import finder_version, found_rows, place_rows, resolve_place
from ..store import PlaceIndex, Store, StoreCore

__all__ = ["article_ids_with_place", "ensure_indexed", "place_counts", "place_index", "place_rows", "topic_mentions"]


def place_index(store: StoreCore) -> PlaceIndex:
    """The store's place index, finding places with the gazetteer: it scans the articles archived
    before it caught up (all of them when the gazetteer changed), inside the caller's transaction."""
    return PlaceIndex(store, finder_version(), found_rows)


def ensure_indexed(store: StoreCore) -> None:
    """Scan the articles whose places are not stored yet (a no-op when none are left)."""
    place_index(store).ensure()


def article_ids_with_place(store: Store, place: str) -> set[str]:
    """Ids of the articles that name ``place`` (any spelling; a province includes its cities and counties)."""
    ensure_indexed(store)
    return store.articles_naming(resolve_place(place))


def topic_mentions(store: Store, model_id: int, place: str) -> dict[int, int]:
    """topic -> how many of its articles name ``place`` (province: or one of its cities and counties)."""
    ensure_indexed(store)
    return store.place_mentions(model_id, resolve_place(place))


def place_counts(store: Store, model_id: int | None = None, topic: int | None = None) -> list[dict[str, Any]]:
    """Articles per place, most named first: kind, province, count, and (with a model) count per topic.

    ``topic`` keeps only that topic's articles.
    """
    ensure_indexed(store)
    if topic is not None and model_id is None:
        raise ValueError("counting places in a topic needs a fitted model")
    counts: dict[str, dict[str, Any]] = {}
    for place, kind, province, topic_id, count in store.place_count_rows(model_id, topic):
        row = counts.setdefault(place, {"place": place, "kind": kind, "province": province, "articles": 0,
                                        "topics": {}})
        row["articles"] += count
        if topic_id is not None:
            row["topics"][int(topic_id)] = count
    for row in counts.values():
        row["topics"] = dict(sorted(row["topics"].items(), key=lambda item: (-item[1], item[0])))
    return sorted(counts.values(), key=lambda r: (-r["articles"], r["place"]))

