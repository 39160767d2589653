"""Bursts: periods in which a topic takes a far larger share of the archive than it usually does.

Kleinberg's two-state burst model for batched data ("Bursty and hierarchical structure in streams",
2002, section 4): in each period t the archive has d_t articles, r_t of them in the topic. A base
state emits topic articles at the topic's overall share p0, a burst state at s * p0; moving up into
the burst state costs gamma * ln(T). The cheapest state sequence (Viterbi) marks the bursts, and a
burst's weight is how much better the burst state explains its periods than the base state. It is a
principled test against the topic's *own* baseline: a big topic is not bursting because it is big,
and a single odd period has to beat the cost of switching.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..archive.archive import Archive


@dataclass
class Burst:
    topic: int
    start: str  # first period of the burst
    end: str  # last period
    weight: float
    articles: int
    share: float  # the topic's share of the archive in the burst
    baseline: float  # its share overall


def _cost(r: np.ndarray, d: np.ndarray, p: float) -> np.ndarray:
    """-log likelihood of r topic articles out of d at share p (the binomial coefficient cancels)."""
    return -(r * math.log(p) + (d - r) * math.log(1 - p))


def burst_states(r: np.ndarray, d: np.ndarray, s: float = 2.0, gamma: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(state per period 0/1, cost advantage of the burst state per period) for one topic."""
    r = np.asarray(r, dtype=float)
    d = np.asarray(d, dtype=float)
    total = d.sum()
    p0 = min(max(r.sum() / total, 1e-9), 1 - 1e-9) if total else 0.5
    p1 = min(s * p0, 0.9999)
    costs = np.vstack([_cost(r, d, p0), _cost(r, d, p1)])
    up = gamma * math.log(max(len(r), 2))
    n = len(r)
    best = np.zeros((2, n))
    back = np.zeros((2, n), dtype=int)
    best[:, 0] = costs[:, 0] + np.array([0.0, up])
    for t in range(1, n):
        stay0, from1 = best[0, t - 1], best[1, t - 1]
        best[0, t] = costs[0, t] + min(stay0, from1)
        back[0, t] = 0 if stay0 <= from1 else 1
        rise, stay1 = best[0, t - 1] + up, best[1, t - 1]
        best[1, t] = costs[1, t] + min(rise, stay1)
        back[1, t] = 0 if rise <= stay1 else 1
    states = np.zeros(n, dtype=int)
    states[-1] = int(np.argmin(best[:, -1]))
    for t in range(n - 1, 0, -1):
        states[t - 1] = back[states[t], t]
    return states, costs[0] - costs[1]


def find_bursts(
    periods: list[str], counts: dict[int, list[int]], totals: list[int], s: float = 2.0, gamma: float = 1.0
) -> list[Burst]:
    """Every burst of every topic, strongest first."""
    d = np.asarray(totals, dtype=float)
    bursts: list[Burst] = []
    for topic, series in counts.items():
        r = np.asarray(series, dtype=float)
        if r.sum() == 0 or len(r) < 2:
            continue
        states, gain = burst_states(r, d, s, gamma)
        t = 0
        while t < len(states):
            if states[t] != 1:
                t += 1
                continue
            end = t
            while end + 1 < len(states) and states[end + 1] == 1:
                end += 1
            window = slice(t, end + 1)
            in_burst = d[window].sum()
            bursts.append(Burst(topic, periods[t], periods[end], round(float(gain[window].sum()), 2),
                                int(r[window].sum()), float(r[window].sum() / in_burst) if in_burst else 0.0,
                                float(r.sum() / d.sum())))
            t = end + 1
    return sorted(bursts, key=lambda b: -b.weight)


def archive_bursts(archive: Archive, by: str = "week", since: str | None = None, per_burst: int = 5) -> list[dict]:
    """Bursts of the archive's current topics, strongest first, each with its top articles.

    ``archive`` is a ``topicwatch.Archive``; ``since`` keeps bursts that end on or after that date.
    """
    from .over_time import period_of

    if since:
        try:
            date.fromisoformat(since[:10])
        except ValueError:
            raise ValueError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    trends = archive.trends(by)
    found = find_bursts(trends.periods, trends.counts, trends.totals)
    if since:
        found = [b for b in found if b.end >= period_of(since, by)]
    lines = {t["topic"]: t for t in archive.topics()}
    model = archive.store.current_model()["id"]
    out = []
    for burst in found:
        rows = archive.store.dated_topic_articles(model, burst.topic)
        inside = [r for r in rows if burst.start <= period_of(r[1], by) <= burst.end][:per_burst]
        topic = lines.get(burst.topic, {})
        out.append({"topic": burst.topic, "keyword_line": topic.get("keyword_line", ""), "label": topic.get("label"),
                    "start": burst.start, "end": burst.end, "weight": burst.weight, "articles": burst.articles,
                    "share": round(burst.share, 4), "baseline": round(burst.baseline, 4),
                    "top_articles": [{"id": i, "date": d, "title": t} for i, d, t in inside]})
    return out
