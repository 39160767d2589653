"""Events: what happened when. The bursts under way in a period (``analyze.bursts``, the one burst
definition), each told by the story most of its articles belong to, and the shifts of level that
began in it (``analyze.shifts``), so a lasting change is never read as an event.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..archive.archive import Archive
from ..archive.trends import TopicTrends, period_dates, period_of
from ..model.describe import keyword_line
from .bursts import archive_bursts, archive_lines, check_date
from .shifts import archive_shifts
from .word_bursts import DatedLines


def period_bounds(on: str | None = None, week: str | None = None, since: str | None = None,
                  until: str | None = None) -> tuple[str | None, str | None]:
    """The first and last day asked for: ``on`` one day, ``week`` an ISO week (2011-W51), or the range
    ``since`` .. ``until`` (either open); each checked, a wrong one is a one-line error."""
    for value, option in ((on, "on"), (since, "since"), (until, "until")):
        check_date(value, option)
    if sum(x is not None for x in (on, week)) + (since is not None or until is not None) > 1:
        raise ValueError("give one of on, week, or since/until")
    if on:
        return on[:10], on[:10]
    if week:
        try:
            return period_dates(week.upper(), "week")
        except ValueError:
            raise ValueError(f"week {week!r} is not an ISO week (like 2011-W51)") from None
    return since, until


def topic_counts(archive: Archive, lines: DatedLines, by: str) -> TopicTrends:
    """The current topics' counts per period from lines already read (what ``Archive.trends`` counts,
    without reading every assignment again)."""
    keywords = archive.store.topic_keywords(archive.workspace.current_model_id(), include_retired=False)
    n = len(lines.periods)
    at = lines.article_period
    of_topic = np.asarray(lines.topics, dtype=np.int64)
    counts = {topic: np.bincount(at[of_topic == topic], minlength=n).tolist() for topic in keywords}
    return TopicTrends(by, lines.periods, counts, lines.totals.astype(int).tolist(), sum(lines.undated.values()),
                       dict(lines.undated), {topic: keyword_line(words) for topic, words in keywords.items()})


def archive_events(archive: Archive, by: str = "week", on: str | None = None, week: str | None = None,
                   since: str | None = None, until: str | None = None, limit: int | None = 20,
                   per_event: int = 5, level: str = "event") -> dict:
    """The bursts (of ``level``, as ``archive_bursts``) under way between the bounds
    (``period_bounds``), strongest first, each with its story's line beside its own, the shifts that
    began between them, in time order, and how many undated articles were left out (``undated``)."""
    first, last = period_bounds(on, week, since, until)
    lines = archive_lines(archive, by)
    trends = {"topic": topic_counts(archive, lines, by)}
    bursts = archive_bursts(archive, by, since=first, until=last, per_burst=per_event, level=level, limit=limit,
                            trends=trends, lines=lines)
    model = archive.workspace.current_model_id()
    story_lines = {story: keyword_line(keywords) for story, keywords in archive.store.story_keywords(model).items()}
    untold = [b for b in bursts if b["story"] is None]
    story_of = archive.store.story_of_articles(model,
                                               [a["id"] for b in untold for a in b["top_articles"]])
    for burst in untold:
        # A topic's burst: the story most of its top articles belong to (a burst is usually one story's).
        counted = Counter(story_of.get(a["id"]) for a in burst["top_articles"] if story_of.get(a["id"]) is not None)
        burst["story"] = counted.most_common(1)[0][0] if counted else None
    for burst in bursts:
        burst["story_line"] = story_lines.get(burst["story"])
    shifts = [s for s in archive_shifts(archive, by, trends["topic"])
              if (first is None or s["period"] >= period_of(first, by))
              and (last is None or s["period"] <= period_of(last, by))]
    return {"by": by, "from": first, "to": last, "bursts": bursts, "shifts": shifts,
            "undated": trends["topic"].undated}
