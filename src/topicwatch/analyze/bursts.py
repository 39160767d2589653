"""Bursts: periods in which a topic takes a far larger share of the archive than it has lately.

Kleinberg's two-state burst model for batched data ("Bursty and hierarchical structure in streams",
2002, section 4), on a moving baseline. In each period t the archive has d_t articles, r_t of them in
the topic. The base state emits topic articles at the topic's *local* share b_t, the burst state at
S x b_t; moving up into the burst state costs gamma x ln(T). The cheapest state sequence (Viterbi)
marks the bursts, and a burst's weight is how much better the burst state explains its periods than
the base state (a log-likelihood ratio).

The local share b_t (``local_baseline``) is the topic's rate over the ``BASELINE_HALF_WIDTH`` periods
on each side of t, shrunk towards its share over the whole archive by a pseudo-count of one typical
period's articles, and computed twice: the second time without the periods the first pass found
bursting, so a long burst does not raise its own baseline. A run of the burst state is reported as
the spells of it that hold the topic's articles (``busy_spells``: more than ``QUIET_SPLIT`` quiet
periods in a row end one). Against the whole archive's share (as
before), a topic whose level moved for good (a new leader's name in every headline) "bursted" for
years; against a local level it does not, and such a lasting move is reported as a *shift* instead
(``analyze.shifts``). Parameters, and what they trade:

- ``S`` = 4 (``BURST_RATIO``): the burst state emits four times the local share; smaller finds more,
  longer and weaker bursts (at 2 a topic's ordinary busy season qualifies), larger only the loudest.
  Measured on the two KCNA archives with known events (``bench/events.py``, BENCHMARKS.md): 3 to 6
  find the same events within one, 2 finds fewer, because weak bursts crowd the strong ones out.
- ``gamma`` = 1 (``ENTRY_COST``): the cost of entering a burst, in units of ln(T); larger needs a
  longer or stronger excess.
- ``BASELINE_HALF_WIDTH`` = 13 periods (a quarter of a year in weeks): shorter follows the level
  more closely and can absorb a long burst; longer turns slow changes into bursts.
- ``QUIET_SPLIT`` = 2 periods: a lull of three quiet weeks ends a burst. At 2 or 3 the top-30 stories
  of the 1997-2004 headlines hold no burst over 26 weeks (2 without the split) and the events found
  stay the same at both grains; at 0 any one quiet week cuts a burst in two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..archive.archive import Archive
from ..archive.trends import TopicTrends, period_dates, period_of

BASELINE_HALF_WIDTH = 13
BURST_RATIO = 4.0
ENTRY_COST = 1.0
MIN_HISTORY = 4  # periods: fewer, and there is no "usual" to burst above
QUIET_SPLIT = 2  # periods: a burst with more quiet periods in a row than this is two (``busy_spells``)


@dataclass
class Burst:
    topic: int
    start: str  # first period of the burst
    end: str  # last period
    weight: float
    articles: int
    share: float  # the topic's share of the archive in the burst
    baseline: float  # its local share around the burst


def _cost(r: np.ndarray, d: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """-log likelihood of r topic articles out of d at share p (the binomial coefficient cancels)."""
    return -(r * np.log(p) + (d - r) * np.log1p(-p))


def local_baseline(r: np.ndarray, d: np.ndarray, half_width: int = BASELINE_HALF_WIDTH,
                   left_out: np.ndarray | None = None) -> np.ndarray:
    """The local share in each period (see the module's text) of one series ``r`` or of each row of a
    matrix of them: the rate over the window of ``half_width`` periods on each side, the periods in
    ``left_out`` (bursts) not counted, smoothed towards the overall share by one typical period's
    articles. ``d``: the archive's articles per period."""
    single = np.ndim(r) == 1
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.broadcast_to(np.asarray(d, dtype=float), r.shape)
    total = d[0].sum()
    overall = r.sum(axis=1, keepdims=True) / total if total else np.zeros((len(r), 1))
    positive = d[0][d[0] > 0]
    prior = float(np.median(positive)) if len(positive) else 1.0  # one typical period's articles
    if left_out is not None:
        left_out = np.atleast_2d(left_out)
        r, d = np.where(left_out, 0.0, r), np.where(left_out, 0.0, d)
    near_r, near_d = _window_sums(r, half_width), _window_sums(d, half_width)
    baseline = (near_r + overall * prior) / (near_d + prior)
    return baseline[0] if single else baseline


def _window_sums(x: np.ndarray, half_width: int) -> np.ndarray:
    """Each row's sums over the periods within ``half_width`` of each period (cut at the ends)."""
    n = x.shape[1]
    cumulative = np.concatenate([np.zeros((len(x), 1)), np.cumsum(x, axis=1)], axis=1)
    upper = np.minimum(np.arange(n) + half_width + 1, n)
    lower = np.maximum(np.arange(n) - half_width, 0)
    return cumulative[:, upper] - cumulative[:, lower]


def burst_states(r: np.ndarray, d: np.ndarray, s: float = BURST_RATIO, gamma: float = ENTRY_COST,
                 baseline: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(state per period 0/1, cost advantage of the burst state per period) for one series ``r``, or
    for each row of a matrix of them at once, against ``baseline`` (its share per period; default:
    ``local_baseline``). ``d``: the archive's articles per period."""
    single = np.ndim(r) == 1
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.broadcast_to(np.asarray(d, dtype=float), r.shape)
    p0 = np.clip(local_baseline(r, d[0]) if baseline is None else np.atleast_2d(baseline), 1e-9, 0.5)
    p1 = np.minimum(s * p0, 0.9999)
    base, burst = _cost(r, d, p0), _cost(r, d, p1)
    up = gamma * math.log(max(r.shape[1], 2))
    m, n = r.shape
    best0, best1 = base[:, 0].copy(), burst[:, 0] + up
    back = np.zeros((2, m, n), dtype=np.int8)
    for t in range(1, n):  # Viterbi, every series at once
        back[0, :, t] = best1 < best0
        back[1, :, t] = best1 < best0 + up
        best0, best1 = (base[:, t] + np.minimum(best0, best1),
                        burst[:, t] + np.minimum(best0 + up, best1))
    states = np.zeros((m, n), dtype=int)
    states[:, -1] = best1 < best0
    rows = np.arange(m)
    for t in range(n - 1, 0, -1):
        states[:, t - 1] = back[states[:, t], rows, t]
    gain = base - burst
    return (states[0], gain[0]) if single else (states, gain)


def bursting(r: np.ndarray, d: np.ndarray, s: float = BURST_RATIO,
             gamma: float = ENTRY_COST) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(states, gain per period, local baseline) of one series or of each row of a matrix of them: the
    burst model run twice, the second baseline leaving out the periods the first found bursting, so a
    long burst does not raise its own baseline (and a lasting move of level still does)."""
    baseline = local_baseline(r, d)
    states, _ = burst_states(r, d, s, gamma, baseline)
    baseline = local_baseline(r, d, left_out=states == 1)
    states, gain = burst_states(r, d, s, gamma, baseline)
    return states, gain, baseline


def series_matrix(counts: dict[int, list[int]]) -> tuple[list[int], np.ndarray]:
    """(topics, topics x periods counts) of the topics with any article, for the models to run on at once."""
    topics = [t for t, series in counts.items() if sum(series)]
    width = len(next(iter(counts.values()), []))
    return topics, np.asarray([counts[t] for t in topics], dtype=float).reshape(len(topics), width)


def bursting_now(periods: list[str], counts: dict[int, list[int]], totals: list[int]) -> set[int]:
    """The topics with a burst that ends in the last period (the page's "bursting" mark): the bursts
    ``find_bursts`` lists, so the page and the list never disagree."""
    return {burst.topic for burst in find_bursts(periods, counts, totals) if periods and burst.end == periods[-1]}


def find_bursts(
    periods: list[str], counts: dict[int, list[int]], totals: list[int], s: float = BURST_RATIO,
    gamma: float = ENTRY_COST,
) -> list[Burst]:
    """Every burst of every topic, strongest first (every topic's series in one pass of the model)."""
    d = np.asarray(totals, dtype=float)
    topics, r = series_matrix(counts)
    if not topics or len(periods) < 2:
        return []
    states, gain, baseline = bursting(r, d, s, gamma)
    bursts: list[Burst] = []
    steps = np.diff(np.pad(states, ((0, 0), (1, 1))), axis=1)
    for row, start in zip(*np.nonzero(steps == 1)):
        end = int(np.flatnonzero(steps[row, start:] == -1)[0] + start) - 1
        for first, last in busy_spells(r[row], d, int(start), end):
            window = slice(first, last + 1)
            in_burst = d[window].sum()
            expected = float((baseline[row, window] * d[window]).sum() / in_burst) if in_burst else 0.0
            bursts.append(Burst(topics[row], periods[first], periods[last], round(float(gain[row, window].sum()), 2),
                                int(r[row, window].sum()), float(r[row, window].sum() / in_burst) if in_burst else 0.0,
                                expected))
    return sorted(bursts, key=lambda b: (-b.weight, b.start, b.topic))


def busy_spells(r: np.ndarray, d: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """The burst state's run ``start..end`` of one series cut into the spells a reader asks "when" about:
    from a period with an article of the topic to the last one before more than ``QUIET_SPLIT`` quiet
    periods in a row (the archive had articles, the topic none; periods without any article do not
    count). The automaton bridges a quiet spell because staying in the burst state costs less than
    entering it again, so a sparse story's six articles one week and one more two months on would
    otherwise be one burst of ten weeks."""
    spells: list[tuple[int, int]] = []
    first = last = None
    quiet = 0
    for t in range(start, end + 1):
        if r[t] > 0:
            if first is None:
                first = t
            elif quiet > QUIET_SPLIT:
                spells.append((first, last))
                first = t
            last, quiet = t, 0
        elif d[t] > 0 and first is not None:
            quiet += 1
    if first is None:  # the burst state never pays without an article; such a run is kept whole
        return [(start, end)]
    return [*spells, (first, last)]


LEVELS = ("topic", "story", "both")


def check_date(value: str | None, option: str) -> str | None:
    """``value`` when it is an ISO date (YYYY-MM-DD); a one-line error naming ``option`` otherwise."""
    if value:
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            raise ValueError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None
    return value


def archive_bursts(archive: Archive, by: str = "week", since: str | None = None, per_burst: int = 5,
                   level: str = "topic", until: str | None = None, limit: int | None = None,
                   trends: dict[str, TopicTrends] | None = None) -> list[dict]:
    """Bursts of the archive's current topics (``level`` "story": of their stories; "both": of
    either), strongest first, each with its line and top articles.

    ``archive`` is a ``topicwatch.Archive``; ``since`` keeps bursts that end on or after that date,
    ``until`` those that start on or before it; ``limit`` keeps the strongest so many. ``trends``:
    the counts per grain when already read (``grain_trends``).
    """
    check_date(since, "since")
    check_date(until, "until")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})")
    grains = ("topic", "story") if level == "both" else (level,)
    trends = trends or grain_trends(archive, by, grains)
    check_history(trends[grains[0]], by)
    found: list[tuple[str, Burst]] = []
    for grain in grains:
        counted = trends[grain]
        found += [(grain, b) for b in find_bursts(counted.periods, counted.counts, counted.totals)]
    if since:
        found = [(g, b) for g, b in found if b.end >= period_of(since, by)]
    if until:
        found = [(g, b) for g, b in found if b.start <= period_of(until, by)]
    found.sort(key=lambda gb: -gb[1].weight)
    found = found[:limit] if limit is not None else found
    store = archive.store
    model = store.current_model()["id"]
    labels = store.labels(model)
    topic_of_story = {s["story"]: s["topic"] for s in store.stories(model)} if "story" in grains else {}
    out = []
    for grain, burst in found:
        first, _ = period_dates(burst.start, by)
        _, last = period_dates(burst.end, by)
        inside = store.dated_topic_articles(model, burst.topic, grain, first, last, per_burst)
        topic = topic_of_story.get(burst.topic, burst.topic) if grain == "story" else burst.topic
        out.append({"level": grain, "topic": topic, "story": burst.topic if grain == "story" else None,
                    "keyword_line": trends[grain].lines.get(burst.topic, ""), "label": labels.get(topic),
                    "start": burst.start, "end": burst.end, "weight": burst.weight, "articles": burst.articles,
                    "share": round(burst.share, 4), "baseline": round(burst.baseline, 4),
                    "top_articles": [{"id": i, "date": d, "title": t} for i, d, t in inside]})
    return out


def check_history(trends: TopicTrends, by: str) -> None:
    """A one-line error when the dated articles span too few periods to tell a burst from the usual."""
    if 0 < len(trends.periods) < MIN_HISTORY:
        shorter = "" if by == "day" else "; a shorter period may do"
        raise ValueError(f"too little history for bursts: the dated articles span {len(trends.periods)} {by}(s)"
                         f" (at least {MIN_HISTORY} are needed{shorter})")


def grain_trends(archive: Archive, by: str, grains: tuple[str, ...] = ("topic",)) -> dict[str, TopicTrends]:
    """The archive's counts per period at each grain, read once for every model that needs them."""
    return {grain: archive.trends(by, level=grain) for grain in grains}
