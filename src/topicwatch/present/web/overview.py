"""The topic list as the page and the report show it: sizes, keyword lines, monthly trend lines, marks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...analyze.bursts import bursting_now
from ...analyze.over_time import topic_trends
from ...store import Store
from .queries import current_model, labels

NEW_WITHIN = 3  # periods: a topic whose first article is this recent is "new"


@dataclass
class Overview:
    """Every topic of one model with its monthly counts; labels are added fresh on each read."""

    model: int
    periods: list[str]
    topics: list[dict[str, Any]]  # topic, size, keywords, keyword_line, lines, first_date, last_date, trend, marks
    totals: list[int]  # all articles per period
    undated: int


def topic_overview(store: Store, model_id: int | None = None) -> Overview:
    """Build the overview of the given (default: current) model: one query per table, no per-topic loop."""
    from ...model.describe import keyword_line

    model = model_id if model_id is not None else current_model(store)["id"]
    trends = topic_trends(store, model, "month")
    rows = store.topics(model)
    now = bursting_now(trends.periods, trends.counts, trends.totals)
    topics = []
    for row in rows:
        counts = trends.counts.get(row["topic"], [0] * len(trends.periods))
        topics.append({
            "topic": row["topic"], "size": row["size"], "keywords": row["keywords"],
            "keyword_line": keyword_line(row["keywords"]),
            "lines": {lang: keyword_line(words) for lang, words in row["lines"].items()}, "first_date": row["first_date"],
            "last_date": row["last_date"], "trend": counts,
            "marks": topic_marks(row["first_date"], trends.periods, row["topic"] in now),
        })
    return Overview(model, trends.periods, topics, trends.totals, trends.undated)


def with_labels(store: Store, overview: Overview) -> list[dict[str, Any]]:
    """The overview's topics with their current labels."""
    names = labels(store, overview.model)
    return [{**t, "label": names.get(t["topic"])} for t in overview.topics]


def topic_marks(first_date: str | None, periods: list[str], bursting: bool) -> list[str]:
    """Signals on a monthly series: "new" (first article in the last few months of a longer archive)
    and "bursting" (``bursting``: a burst of the one burst model ends in the last month, as
    ``analyze.bursts.bursting_now`` and ``topicwatch bursts --by month`` say)."""
    marks: list[str] = []
    if first_date and len(periods) > 2 * NEW_WITHIN and first_date[:7] >= periods[-NEW_WITHIN]:
        marks.append("new")
    if bursting:
        marks.append("bursting")
    return marks
