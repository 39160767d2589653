"""Topics over time, read from the archive: sparklines and each period's own keyword line for a topic.
The counts themselves are the archive's (``topicwatch.archive.trends``, re-exported here)."""

from __future__ import annotations

from ..archive.archive import Archive
from ..archive.trends import PERIODS, TopicTrends, period_of, period_range, topic_trends

__all__ = ["PERIODS", "TopicTrends", "keywords_by_period", "period_of", "period_range", "sparkline", "topic_trends"]


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """A terminal sparkline scaled to the series' own maximum."""
    top = max(values, default=0)
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1) + 0.5))] for v in values)


def keywords_by_period(archive: Archive, topic: int, by: str = "month", n_keywords: int = 8) -> list[dict]:
    """How a topic's wording changes: its most telling terms in each period, against its other periods.

    Periods are classes of a class-TF-IDF over the topic's own
    articles, so each line says what was particular to that period.
    """
    import numpy as np

    from ..embed import document_text
    from ..model.describe import count_terms, doc_term_matrix, select_keywords, term_weights

    record, model = archive.workspace.load_model()
    rows = archive.store.dated_topic_texts(record["id"], topic)
    if not rows:
        return []
    periods = sorted({period_of(d, by) for d, _, _ in rows})
    index = {p: i for i, p in enumerate(periods)}
    labels = np.array([index[period_of(d, by)] for d, _, _ in rows])
    doc_term = doc_term_matrix([model.analyzer_(document_text(title, text)) for _, title, text in rows],
                               model.vocabulary_)
    stats = count_terms(doc_term, labels, len(periods), model.vocabulary_)
    weights = term_weights(stats) * model.allowed_terms()[topic]  # terms of the topic's language only
    lines = select_keywords(weights, model.vocabulary_, n_keywords, max_topics_per_word=len(periods))
    return [{"period": p, "articles": int(stats.topic_sizes[i]), "keywords": lines[i]} for i, p in enumerate(periods)]
