"""Topics over time: article counts per topic per period of the current model (``Archive.trends``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from ..store import Store

PERIODS = ("day", "week", "month", "year")

GRAINS = ("topic", "story")
T = TypeVar("T")


def period_of(iso_date: str, by: str) -> str:
    """The period label of an ISO date: 2011-12-19 -> day 2011-12-19, week 2011-W51, month 2011-12, year 2011."""
    if by == "day":
        return iso_date[:10]
    if by == "month":
        return iso_date[:7]
    if by == "year":
        return iso_date[:4]
    if by == "week":
        year, week, _ = date.fromisoformat(iso_date[:10]).isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"unknown period {by!r} (choose from {', '.join(PERIODS)})")


def period_dates(label: str, by: str) -> tuple[str, str]:
    """The first and last day (ISO) of a period label: 2011-W51 -> 2011-12-19, 2011-12-25."""
    if by == "week":
        year, week = label.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    if by == "day":
        return label, label
    if by == "month":
        return f"{label}-01", f"{label}-31"  # ISO dates compare as text: no month has a later day
    if by == "year":
        return f"{label}-01-01", f"{label}-12-31"
    raise ValueError(f"unknown period {by!r} (choose from {', '.join(PERIODS)})")


def period_range(first: str, last: str, by: str) -> list[str]:
    """Every period label from the one holding ``first`` to the one holding ``last``, gaps included."""
    labels: list[str] = []
    day = date.fromisoformat(first[:10])
    end = date.fromisoformat(last[:10])
    step = {"day": 1, "week": 7, "month": 28, "year": 365}[by]
    while day <= end:
        label = period_of(day.isoformat(), by)
        if not labels or labels[-1] != label:
            labels.append(label)
        day += timedelta(days=step)
    final = period_of(end.isoformat(), by)
    if labels[-1] != final:
        labels.append(final)
    return labels


@dataclass
class TopicTrends:
    """Counts per topic per period, and the totals per period (for shares)."""

    by: str
    periods: list[str]
    counts: dict[int, list[int]]  # topic -> count per period
    totals: list[int]
    undated: int = 0
    per_topic_undated: dict[int, int] = field(default_factory=dict)
    lines: dict[int, str] = field(default_factory=dict)  # keyword line of each live topic (``Archive.trends``)

    def shares(self, topic: int) -> list[float]:
        return [c / t if t else 0.0 for c, t in zip(self.counts[topic], self.totals)]

    def rows(self) -> list[dict]:
        """One row per (topic, period): the shape of --json and --csv."""
        return [
            {"topic": topic, "period": period, "count": count,
             "share": round(count / total, 6) if total else 0.0}
            for topic, counts in sorted(self.counts.items())
            for period, count, total in zip(self.periods, counts, self.totals)
        ]


def topic_trends(
    store: Store, model_id: int, by: str = "month", dedupe: bool = True,
    articles: set[str] | None = None, grain: str = "topic",
) -> TopicTrends:
    """Counts per topic (``grain`` "story": per story) per period of the given model's assignments;
    undated articles are counted apart.

    ``dedupe``: a group of near-duplicates (the ``duplicates`` table) counts once, in the topic of its
    first article, at the group's earliest date. ``articles``: count only these article ids.
    """
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r} (choose from {', '.join(PERIODS)})")
    if grain not in GRAINS:
        raise ValueError(f"unknown level {grain!r} (choose from {', '.join(GRAINS)})")
    topics = store.topic_ids(model_id) if grain == "topic" else [s["story"] for s in store.stories(model_id)]
    found = store.dated_assignments(model_id, grain)
    if articles is not None:
        found = [row for row in found if row[0] in articles]
    rows = ([(topic, d) for _, d, topic in once_per_group((a, d, first, topic) for a, topic, d, first in found)]
            if dedupe else [(topic, d) for _, topic, d, _ in found])
    dated = [(topic, d) for topic, d in rows if d]
    undated: dict[int, int] = {}
    for topic, d in rows:
        if not d:
            undated[topic] = undated.get(topic, 0) + 1
    if not dated:
        return TopicTrends(by, [], {t: [] for t in topics}, [], sum(undated.values()), undated)
    periods = period_range(min(d for _, d in dated), max(d for _, d in dated), by)
    index = {p: i for i, p in enumerate(periods)}
    counts = {t: [0] * len(periods) for t in topics}
    totals = [0] * len(periods)
    for topic, d in dated:
        i = index[period_of(d, by)]
        counts.setdefault(topic, [0] * len(periods))[i] += 1
        totals[i] += 1
    return TopicTrends(by, periods, counts, totals, sum(undated.values()), undated)


def once_per_group(rows: Iterable[tuple[str, str | None, str | None, T]]) -> list[tuple[str, str | None, T]]:
    """(article, date, group's first or None, payload) in ingest order -> (the group's article, its
    earliest date, payload) once per group of near-duplicates (``group_representatives``)."""
    rows = list(rows)
    if not rows:
        return []
    articles, days, firsts, payloads = zip(*rows)
    chosen, earliest = group_representatives(articles, days, firsts)
    return [(articles[i], day, payloads[i]) for i, day in zip(chosen, earliest)]


def group_representatives(articles: Sequence[str], days: Sequence[str | None],
                          firsts: Sequence[str | None]) -> tuple[list[int], list[str | None]]:
    """(row of each group's article, the group's earliest date), once per group of near-duplicates, in
    the order the groups first appear, from the rows' article, date and group's first (None for a
    group's first or an article in no group), in ingest order: the group's first speaks for it (else
    its earliest member), at the earliest date of any member. An article in no group is its own,
    and costs only a look-up: most articles of an archive have no near-duplicate."""
    grouped = {first for first in firsts if first is not None}
    if not grouped:
        return list(range(len(articles))), list(days)
    chosen: list[int] = []
    earliest: list[str | None] = []
    slot: dict[str, int] = {}  # group -> its place in the lists
    for i, (article, day, first) in enumerate(zip(articles, days, firsts)):
        if first is None and article not in grouped:
            chosen.append(i)
            earliest.append(day)
            continue
        key = first or article
        k = slot.get(key)
        if k is None:
            slot[key] = len(chosen)
            chosen.append(i)
            earliest.append(day)
            continue
        if day and (not earliest[k] or day < earliest[k]):
            earliest[k] = day
        if first is None:
            chosen[k] = i
    return chosen, earliest
