"""The page's reads that the archive API does not offer in one query: lean and bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...analyze.search import current_model as light_model
from ...embed import document_text
from ...model.article_lines import ArticleLine, line_fields
from ...model.describe import keyword_line
from ...store import ArchiveError, Store

EXCERPT_CHARS = 280


def current_model(store: Store) -> dict[str, Any]:
    """The current model's id, backend and creation time; ArchiveError when the archive has none yet."""
    model = light_model(store)
    if model is None:
        raise ArchiveError(f"{store.path}: no topics yet (run 'topicwatch fit' first)")
    return model


def topic_row(store: Store, model_id: int, topic: int) -> dict[str, Any]:
    """One topic's stored fields (KeyError when the model has no such topic)."""
    row = store.topic_fields(model_id, topic)
    if row is None:
        raise KeyError(f"no topic {topic} in the current model")
    keywords, size, label, lines = row
    return {"topic": topic, "keywords": keywords, "keyword_line": keyword_line(keywords), "size": size,
            "label": label, "lines": {lang: keyword_line(words) for lang, words in lines.items()}}


def line_in(topic: dict[str, Any], language: str | None) -> str:
    """A topic's line (``topic_row``) in ``language`` where it has one, else its main line."""
    return topic["lines"].get(language or "", topic["keyword_line"])


def labels(store: Store, model_id: int) -> dict[int, str | None]:
    """Each topic's label (read fresh: labels change while the page is open)."""
    return store.labels(model_id)


def excerpt(text: str, chars: int = EXCERPT_CHARS) -> str:
    """The start of a text on one line, cut at a word."""
    flat = " ".join(text[: chars * 2].split())
    return flat if len(flat) <= chars else flat[:chars].rsplit(" ", 1)[0] + " …"


def topic_stories(store: Store, model_id: int, topic: int) -> list[dict[str, Any]]:
    """The stories inside a topic, largest first, each with its keyword line."""
    return [{**st, "keyword_line": keyword_line(st["keywords"])} for st in store.stories(model_id, topic)]


def topic_articles(store: Store, model_id: int, topic: int, limit: int, offset: int,
                   order: str = "newest", story: int | None = None) -> list[dict[str, Any]]:
    """A page of a topic's articles, each with its own keyword line: newest first (undated last), or
    ``order="score"``: most typical first."""
    rows = store.topic_article_page(model_id, topic, limit, offset, EXCERPT_CHARS * 2, order, story)
    row = topic_row(store, model_id, topic) if rows else None
    return [{"id": i, "title": title, "date": day, "source": source, "language": language,
             "excerpt": excerpt(text), **line_fields(ArticleLine.stored(line, line_source), line_in(row, language))}
            for i, title, day, source, language, text, line, line_source in rows]


def article(store: Store, article_id: str) -> dict[str, Any]:
    """One article with its topic, its own keyword line (``keyword_line``, the header), its topic's line
    and the seed format (its own line, then the text)."""
    stored = store.article(article_id)
    if stored is None:
        raise KeyError(f"no article with id {article_id!r}")
    topic = None
    fields: dict[str, str | None] = {"article_line": None, "topic_line": None, "line_source": None}
    model = light_model(store)
    if model is not None:
        found = store.assignment(model["id"], stored.id)
        if found is not None:
            topic = found.topic
            fields = line_fields(ArticleLine.stored(found.line, found.line_source),
                                 line_in(topic_row(store, model["id"], topic), stored.language))
    body = document_text(stored.title, stored.text)
    line = fields["article_line"]
    return {"id": stored.id, "title": stored.title, "date": stored.date, "source": stored.source,
            "language": stored.language, "topic": topic, "keyword_line": line, **fields, "text": stored.text,
            "seed": f"{line or '(no topics yet)'}\n{body}"}


def filter_values(store: Store, limit: int = 200) -> dict[str, list[str]]:
    """The languages and the most frequent sources in the archive (for the search filters)."""
    return {"languages": store.languages(limit), "sources": store.sources(limit)}


def status(store: Store) -> dict[str, Any]:
    """What the page shows in its header: the archive, its size and its current model."""
    model = light_model(store)
    if model is None:
        return {"archive": store.path.name, "articles": store.count_articles(), "model": None,
                "backend": None, "fitted": None, "topics": 0}
    topics = store.count_topics(model["id"])
    fitted = datetime.fromtimestamp(model["created"], UTC).isoformat(timespec="seconds")
    return {"archive": store.path.name, "articles": store.count_articles(), "model": model["id"],
            "backend": model["backend"], "fitted": fitted, "topics": topics}
