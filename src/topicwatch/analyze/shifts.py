"""Shifts: a lasting change of a topic's level, told apart from a burst.

A topic's share per period is cut into segments of steady level by PELT (Killick, Fearnhead and
Eckley 2012, through the ``ruptures`` library) with a least-squares cost: the exact optimum of "sum of
squared deviations from each segment's mean + a penalty per change point". Segments last at least
``MIN_PERIODS`` periods, and the periods the burst model (``analyze.bursts``) marks as bursting count
at the topic's local level, so a spike of a few weeks is never a shift: it is a burst.
The penalty is ``PENALTY`` x sigma^2 x ln(T), BIC's form, with sigma the noise of the share estimated
robustly (the median absolute difference of consecutive periods), so it adapts to how noisy the
topic is. A change point is reported when the levels on its two sides differ by at least
``MIN_RATIO``: smaller steps are noise a reader cannot use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..archive.archive import Archive
from ..archive.trends import TopicTrends
from .burst_model import bursting, series_matrix

MIN_PERIODS = 13  # a quarter of a year in weeks: what "lasting" means
PENALTY = 3.0
MIN_RATIO = 1.5


@dataclass
class Shift:
    topic: int
    period: str  # the first period at the new level
    before: float  # the topic's share in the segment before
    after: float  # and in the segment after


def change_points(share: np.ndarray, min_periods: int = MIN_PERIODS) -> list[int]:
    """Indices where a new level starts (PELT, least squares, BIC-like penalty; see the module)."""
    share = np.asarray(share, dtype=float)
    n = len(share)
    if n < 2 * min_periods:
        return []
    noise = np.median(np.abs(np.diff(share))) / (math.sqrt(2) * 0.6745)
    if noise <= 0:
        noise = float(np.std(share)) or 1e-9
    # KernelCPD with the linear kernel is PELT on exactly the least-squares cost, in ruptures' C code:
    # a hundred times faster than its Python Pelt(model="l2"), which took 0.4 s a topic on 8 years.
    # Imported here: ruptures brings scipy.stats, a second of every command's start otherwise.
    import ruptures

    ends = ruptures.KernelCPD(kernel="linear", min_size=min_periods).fit(share.reshape(-1, 1)).predict(
        pen=PENALTY * noise ** 2 * math.log(n))
    return [int(end) for end in ends[:-1]]


def find_shifts(periods: list[str], counts: dict[int, list[int]], totals: list[int],
                min_periods: int = MIN_PERIODS) -> list[Shift]:
    """Every lasting change of level of every topic, in time order."""
    d = np.asarray(totals, dtype=float)
    topics, r = series_matrix(counts)
    if not topics:
        return []
    share = np.divide(r, d, out=np.zeros_like(r), where=d > 0)
    # A burst is not a change of level: its periods are set to the topic's local level first, so a
    # spike never makes the segment around it look raised.
    states, _, baseline = bursting(r, d)
    steady = np.where(states == 1, baseline, share)
    expected = np.where(states == 1, baseline * d, r)
    shifts: list[Shift] = []
    for row, topic in enumerate(topics):
        cuts = [0, *change_points(steady[row], min_periods), len(d)]
        levels = [expected[row, a:b].sum() / max(d[a:b].sum(), 1.0) for a, b in pairwise(cuts)]
        for i, cut in enumerate(cuts[1:-1]):
            before, after = levels[i], levels[i + 1]
            low, high = min(before, after), max(before, after)
            if high > 0 and (low == 0 or high / low >= MIN_RATIO):
                shifts.append(Shift(topic, periods[cut], round(float(before), 4), round(float(after), 4)))
    return sorted(shifts, key=lambda s: (s.period, s.topic))


def archive_shifts(archive: Archive, by: str = "week", trends: TopicTrends | None = None) -> list[dict]:
    """The shifts of the archive's current topics, in time order, each with its topic's line
    (``trends``: the topics' counts when already read)."""
    trends = trends or archive.trends(by)
    labels = archive.store.labels(archive.workspace.current_model_id())
    return [{"topic": s.topic, "keyword_line": trends.lines.get(s.topic, ""), "label": labels.get(s.topic),
             "period": s.period, "before": s.before, "after": s.after}
            for s in find_shifts(trends.periods, trends.counts, trends.totals)]
