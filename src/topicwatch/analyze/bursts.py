"""Bursts of an archive: the burst list of ``topicwatch bursts`` and ``events``, ``/api/events``, the
page and the report, at the grain asked for (topics, their stories, events, or several), and the page's
"bursting" mark. The model is ``analyze.burst_model`` (one definition of a burst for every grain);
events are ``analyze.word_bursts``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from ..archive.archive import Archive
from ..archive.trends import TopicTrends, period_dates, period_of
from ..store import representatives
from .burst_model import MIN_HISTORY, Burst, find_bursts
from .word_bursts import DatedLines, WordEvent, dated_lines, word_events


def bursting_now(periods: list[str], counts: dict[int, list[int]], totals: list[int]) -> set[int]:
    """The topics with a burst that ends in the last period (the page's "bursting" mark): the bursts
    ``find_bursts`` lists, so the page and the list never disagree."""
    return {burst.topic for burst in find_bursts(periods, counts, totals) if periods and burst.end == periods[-1]}


LEVELS = ("event", "topic", "story", "both")
LEVEL_GRAINS = {"event": ("event",), "topic": ("topic",), "story": ("story",), "both": ("topic", "story")}
CANDIDATES_PER_SHOWN = 10  # an event's articles read for each one shown: its top ones, in its usual language first


def burst_headline(burst: dict) -> str:
    """The line a listed burst is shown by: an event's own words say what happened; a topic's or a
    story's burst is told by the story most of it is in, when it has one (``archive_events``)."""
    return burst["keyword_line"] if burst["level"] == "event" else burst.get("story_line") or burst["keyword_line"]


def check_date(value: str | None, option: str) -> str | None:
    """``value`` when it is an ISO date (YYYY-MM-DD); a one-line error naming ``option`` otherwise."""
    if value:
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            raise ValueError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None
    return value


def archive_bursts(archive: Archive, by: str = "week", since: str | None = None, per_burst: int = 5,
                   level: str = "event", until: str | None = None, limit: int | None = None,
                   trends: dict[str, TopicTrends] | None = None, lines: DatedLines | None = None) -> list[dict]:
    """Bursts of the archive, strongest first, each with its line and top articles: its events
    (``level`` "event": words that burst together, ``analyze.word_bursts``), its current topics
    ("topic"), their stories ("story") or both of these ("both").

    ``archive`` is a ``topicwatch.Archive``; ``since`` keeps bursts that end on or after that date,
    ``until`` those that start on or before it; ``limit`` keeps the strongest so many. ``trends``
    and ``lines``: the counts per grain and the articles' lines by period when already read
    (``grain_trends``, ``archive_lines``).
    """
    check_date(since, "since")
    check_date(until, "until")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})")
    grains = LEVEL_GRAINS[level]
    counted = tuple(g for g in grains if g != "event")
    trends = dict(trends or {})
    trends.update(grain_trends(archive, by, tuple(g for g in counted if g not in trends)))
    store = archive.store
    model = archive.workspace.current_model_id()
    found: list[tuple[str, Burst]] = []
    for grain in counted:
        check_history(len(trends[grain].periods), by)
        found += [(grain, b) for b in find_bursts(trends[grain].periods, trends[grain].counts, trends[grain].totals)]
    events: list[WordEvent] = []
    if "event" in grains:
        lines = lines or archive_lines(archive, by)
        check_history(len(lines.periods), by)
        events = word_events(lines)
        found += [("event", Burst(k, lines.periods[e.first], lines.periods[e.last], e.weight, len(e.articles),
                                  e.share, e.baseline)) for k, e in enumerate(events)]
    if since:
        found = [(g, b) for g, b in found if b.end >= period_of(since, by)]
    if until:
        found = [(g, b) for g, b in found if b.start <= period_of(until, by)]
    found.sort(key=lambda gb: -gb[1].weight)
    found = found[:limit] if limit is not None else found
    labels = store.labels(model)
    topic_of_story = {s["story"]: s["topic"] for s in store.stories(model)} if "story" in grains else {}
    # the listed events' candidate top articles' dates, titles and languages, in one read
    titles = store.dated_titles([i for grain, burst in found if grain == "event"
                                 for i in _candidates(lines, events[burst.topic], per_burst)]) if events else {}
    out = []
    for grain, burst in found:
        if grain == "event":
            told = _event_told(lines, events[burst.topic], per_burst, titles)
        else:
            first, _ = period_dates(burst.start, by)
            _, last = period_dates(burst.end, by)
            inside = store.dated_topic_articles(model, burst.topic, grain, first, last, per_burst)
            told = {"topic": topic_of_story.get(burst.topic, burst.topic) if grain == "story" else burst.topic,
                    "story": burst.topic if grain == "story" else None,
                    "keyword_line": trends[grain].lines.get(burst.topic, ""),
                    "top_articles": [{"id": i, "date": d, "title": t} for i, d, t in inside]}
        out.append({"level": grain, "topic": told["topic"], "story": told["story"],
                    "keyword_line": told["keyword_line"], "label": labels.get(told["topic"]),
                    "start": burst.start, "end": burst.end, "weight": burst.weight, "articles": burst.articles,
                    "share": round(burst.share, 4), "baseline": round(burst.baseline, 4),
                    "top_articles": told["top_articles"]})
    return out


def _event_told(lines: DatedLines, event: WordEvent, per_burst: int,
                titles: dict[str, tuple[str, str, str | None]]) -> dict:
    """An event burst's topic and story (those most of its articles are in), its words as its line,
    and its top articles: those carrying most of its words, in the language most of those candidates
    are in first (an event the wire told in English and in Spanish is shown by its English items where
    most are English); ``titles``: the candidates' dates, titles and languages."""
    topics = Counter(lines.topics[i] for i in event.articles)
    stories = Counter(lines.stories[i] for i in event.articles if lines.stories[i] is not None)
    candidates = [i for i in _candidates(lines, event, per_burst) if i in titles]
    languages = Counter(titles[i][2] for i in candidates if titles[i][2])
    usual = languages.most_common(1)[0][0] if languages else None
    shown = sorted(candidates, key=lambda i: titles[i][2] != usual)[:per_burst]  # stable: most words first
    return {"topic": topics.most_common(1)[0][0], "story": stories.most_common(1)[0][0] if stories else None,
            "keyword_line": " ".join(event.words),
            "top_articles": [{"id": i, "date": titles[i][0], "title": titles[i][1]} for i in shown]}


def _candidates(lines: DatedLines, event: WordEvent, per_burst: int) -> list[str]:
    """The ids of an event's articles that may be shown, those carrying most of its words first."""
    return [lines.article_ids[k] for k in event.articles[:per_burst * CANDIDATES_PER_SHOWN]]


def check_history(periods: int, by: str) -> None:
    """A one-line error when the dated articles span too few periods to tell a burst from the usual."""
    if 0 < periods < MIN_HISTORY:
        shorter = "" if by == "day" else "; a shorter period may do"
        raise ValueError(f"too little history for bursts: the dated articles span {periods} {by}(s)"
                         f" (at least {MIN_HISTORY} are needed{shorter})")


def archive_lines(archive: Archive, by: str) -> DatedLines:
    """The current model's article lines by period, each near-duplicate group once (what the event
    grain counts)."""
    store = archive.store
    representatives(store)  # indexes articles archived before duplicates were tracked
    return dated_lines(store.article_lines_in_order(archive.workspace.current_model_id()), by, store.line_terms())


def grain_trends(archive: Archive, by: str, grains: tuple[str, ...] = ("topic",)) -> dict[str, TopicTrends]:
    """The archive's counts per period at each grain, read once for every model that needs them."""
    return {grain: archive.trends(by, level=grain) for grain in grains}
