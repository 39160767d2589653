"""Reading results back: topics and their stories, articles with their lines, trends, places,
near-duplicate groups, keyword-line history and the topic tree. Nothing here writes."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from ..model.article_lines import DEFAULT_ARTICLE_TERMS, ArticleLine, line_fields
from ..model.describe import keyword_line
from ..store import StoredArticle, duplicate_groups, representatives
from .edits import UnknownTopic, check_live_topic
from .places import article_ids_with_place, place_counts, topic_mentions
from .trends import TopicTrends, topic_trends
from .workspace import Workspace


def topics(ws: Workspace, lang: str | None = None, place: str | None = None, new: bool = False
           ) -> list[dict[str, Any]]:
    """Every topic of the current model (see ``Archive.topics``)."""
    model_id = ws.current_model_id()
    found = ws.store.topics(model_id)
    languages = ws.store.topic_languages(model_id)
    for t in found:
        t["keyword_line"] = keyword_line(t["keywords"])
        t["language"] = languages.get(t["topic"])
        t["lines"] = {lang: keyword_line(words) for lang, words in t["lines"].items()}
    if lang is not None:  # mostly in it, or with a line in it
        found = [t for t in found if t["language"] == lang or lang in t["lines"]]
    if place is not None:
        mentions = topic_mentions(ws.store, model_id, place)
        for t in found:
            t["mentions"] = mentions.get(t["topic"], 0)
        found = sorted((t for t in found if t["mentions"]), key=lambda t: (-t["mentions"], t["topic"]))
    if new:
        found = sorted((t for t in found if t["origin"] == "update"), key=lambda t: -t["created"])
    return found


def stories(ws: Workspace, topic: int | None = None) -> list[dict[str, Any]]:
    """The stories inside topics (see ``Archive.stories``)."""
    model_id = ws.current_model_id()
    if topic is not None:
        check_live_topic(ws, model_id, topic)
    found = ws.store.stories(model_id, topic)
    for story in found:
        story["keyword_line"] = keyword_line(story["keywords"])
    return found


def article(ws: Workspace, article_id: str, n_terms: int = DEFAULT_ARTICLE_TERMS) -> dict[str, Any]:
    stored = ws.store.article(article_id)
    if stored is None:
        raise KeyError(f"no article with id {article_id!r} in {ws.path}")
    return with_topic(ws, stored, n_terms)


def topic_articles(ws: Workspace, topic: int, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    ids = ws.store.topic_article_ids(ws.current_model_id(), topic, limit, offset)
    return [with_topic(ws, ws.store.article(article_id)) for article_id in ids]


def with_topic(ws: Workspace, stored: StoredArticle, n_terms: int = DEFAULT_ARTICLE_TERMS) -> dict[str, Any]:
    """The article with its topic and lines: ``keyword_line`` is the header shown above it (its own
    line), beside ``article_line``, ``topic_line`` and ``line_source`` (see ``line_fields``)."""
    record = asdict(stored)
    record.update(topic=None, keyword_line=None, article_line=None, topic_line=None, line_source=None,
                  story=None)
    model = ws.store.current_model(state=False)
    if model is not None:
        found = ws.store.assignment(model["id"], stored.id)
        if found is not None:
            line = ArticleLine.stored(found.line, found.line_source)
            topic_line = ws.topic_lines(model["id"]).in_language(found.topic, stored.language)
            record.update(line_fields(line, topic_line, n_terms), topic=found.topic, story=found.story)
            record["keyword_line"] = record["article_line"]
    return record


def trends(ws: Workspace, by: str = "month", place: str | None = None, dedupe: bool = True,
           topic: int | None = None, level: str = "topic") -> TopicTrends:
    """Article counts per topic (or story) per period, with each live topic's (story's) line (see
    ``Archive.trends``)."""
    articles = article_ids_with_place(ws.store, place) if place is not None else None
    if dedupe:
        representatives(ws.store)  # indexes articles archived before duplicates were tracked
    model_id = ws.current_model_id()
    found = topic_trends(ws.store, model_id, by, dedupe=dedupe, articles=articles, grain=level)
    rows = ws.store.topics(model_id) if level == "topic" else ws.store.stories(model_id)
    found.lines = {t[level]: keyword_line(t["keywords"]) for t in rows}
    if topic is not None:
        if topic not in found.counts:
            raise UnknownTopic(f"no topic {topic} in the current model")
        found = replace(found, counts={topic: found.counts[topic]},
                        per_topic_undated={topic: found.per_topic_undated.get(topic, 0)})
    return found


def places(ws: Workspace, topic: int | None = None) -> list[dict[str, Any]]:
    model = ws.store.current_model(state=False)
    return place_counts(ws.store, model["id"] if model else None, topic)


def duplicates(ws: Workspace) -> list[dict[str, Any]]:
    return duplicate_groups(ws.store)


def new_topics(ws: Workspace) -> list[dict[str, Any]]:
    """Topics that updates created (what is new), newest first."""
    return topics(ws, new=True)


def keyword_history(ws: Workspace, topic: int) -> list[dict[str, Any]]:
    """Every version of a topic's line; a topic split or merged away keeps its history, an id the
    model never had is an error (not an empty history)."""
    model = ws.current_model_id()
    if topic not in {t["topic"] for t in ws.store.topics(model, include_retired=True)}:
        raise UnknownTopic(f"no topic {topic} in the current model (see 'topicwatch topics')")
    return ws.store.topic_versions(model, topic)


def topic_tree(ws: Workspace) -> dict[str, Any]:
    """Which topics merge first: average-linkage clustering of the live topic centres (cosine)."""
    _record, model = ws.load_model()
    live = topics(ws)
    if len(live) < 2:
        return {"topic": live[0]["topic"], "keyword_line": live[0]["keyword_line"]} if live else {}
    from scipy.cluster.hierarchy import linkage

    merges = linkage(model.centroids_[[t["topic"] for t in live]], method="average", metric="cosine")
    nodes: list[dict[str, Any]] = [{"topic": t["topic"], "keyword_line": t["keyword_line"],
                                    "label": t["label"], "size": t["size"]} for t in live]
    for a, b, distance, _ in merges:
        nodes.append({"distance": round(float(distance), 4), "children": [nodes[int(a)], nodes[int(b)]],
                      "size": nodes[int(a)]["size"] + nodes[int(b)]["size"]})
    return nodes[-1]
