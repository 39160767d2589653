"""Bursts: periods in which a topic (a story, an event's words) takes a far larger share of the archive
than it has lately: the one burst model of every grain.

Kleinberg's two-state burst model for batched data ("Bursty and hierarchical structure in streams",
2002, section 4), on a moving baseline. In each period t the archive has d_t articles, r_t of them in
the topic. The base state emits topic articles at the topic's *local* share b_t, the burst state at
S x b_t; moving up into the burst state costs gamma x ln(T). The cheapest state sequence (Viterbi)
marks the bursts; a burst's weight is how surprising its articles are against its usual share
(``surprise``: a log-likelihood ratio), the same for every grain.

The local share b_t (``local_baseline``) is the rate over the ``BASELINE_HALF_WIDTH`` periods on
each side of t, shrunk towards the share over the whole archive by a pseudo-count of one typical
period's articles, and never below the share in the same season of the other years where the series
burst then (``seasonal_baseline``: a yearly occasion is its usual level in its season; a season the
other years held at their usual level floors nothing), then computed once more without the periods
found bursting, so a long burst does not raise its own baseline. A run of the burst state is reported
as the spells of it that hold articles (``burst_spells.busy_spells``: more than ``QUIET_SPLIT`` quiet periods in a
row end one). Against the whole archive's share, a topic whose level moved for good (a new leader's
name in every headline) "bursted" for years; against a local level it does not, and such a lasting
move is reported as a *shift* instead (``analyze.shifts``). Parameters, and what they trade:

- ``S`` = 4 (``BURST_RATIO``): the burst state emits four times the local share; smaller finds more,
  longer and weaker bursts (at 2 a topic's ordinary busy season qualifies), larger only the loudest.
  Measured on the two KCNA archives with known events (``bench/events.py``, BENCHMARKS.md, topic
  grain): 3 to 6 find the same events within one, 2 finds fewer, because weak bursts crowd the strong ones out.
- ``gamma`` = 1 (``ENTRY_COST``): the cost of entering a burst, in units of ln(T); larger needs a
  longer or stronger excess.
- ``BASELINE_HALF_WIDTH`` = 13 periods (a quarter of a year in weeks): shorter follows the level
  more closely and can absorb a long burst; longer turns slow changes into bursts.
- ``SEASON_WIDTH`` = 1 week: how far a yearly occasion may drift between years and still be the
  same season's; 0 misses a birthday that falls a week later in another year, wider floors a
  season's real news with its neighbours' occasions.
- ``QUIET_SPLIT`` (``analyze.burst_spells``) = 2 periods: a lull of three quiet weeks ends a burst.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import ndimage, sparse

from .burst_spells import weighed_spells

BASELINE_HALF_WIDTH = 13
BURST_RATIO = 4.0
ENTRY_COST = 1.0
MIN_HISTORY = 4  # periods: fewer, and there is no "usual" to burst above
SEASON_WIDTH = 1  # weeks either side of a period's place in the year (``seasonal_baseline``)


@dataclass
class Burst:
    topic: int
    start: str  # first period of the burst
    end: str  # last period
    weight: float
    articles: int
    share: float  # the topic's share of the archive in the burst
    baseline: float  # its local share around the burst


def _burst_gain(r: np.ndarray, d: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """How much cheaper (-log likelihood) r topic articles out of d are at share p1 than at p0, per
    period: r ln(p1 / p0) + (d - r) ln((1 - p1) / (1 - p0)) (the binomial coefficient cancels), with
    one logarithm per term where the two costs apart took two."""
    return r * np.log(p1 / p0) + (d - r) * np.log1p((p0 - p1) / (1.0 - p0))


def local_baseline(r: np.ndarray, d: np.ndarray, half_width: int = BASELINE_HALF_WIDTH,
                   left_out: np.ndarray | None = None) -> np.ndarray:
    """The local share in each period (see the module's text) of one series ``r`` or of each row of a
    matrix of them: the rate over the window of ``half_width`` periods on each side, the periods in
    ``left_out`` (bursts) not counted, smoothed towards the overall share by one typical period's
    articles. ``d``: the archive's articles per period."""
    single = np.ndim(r) == 1
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.atleast_2d(np.asarray(d, dtype=float))  # one row for all, until bursts are left out of each
    prior = _typical_period(d[0])
    if left_out is not None:
        left_out = np.atleast_2d(left_out)
        r, d = np.where(left_out, 0.0, r), np.where(left_out, 0.0, d)
    # The overall share leaves the bursts out too: on a short archive a burst is much of a word's
    # articles, and would otherwise lift the share it is measured against.
    overall = _overall_share(r, d)
    near_r, near_d = _window_sums(r, half_width), _window_sums(d, half_width)
    baseline = (near_r + overall * prior) / (near_d + prior)
    return baseline[0] if single else baseline


def _typical_period(d: np.ndarray) -> float:
    """One typical period's articles (the median over periods with any): the pseudo-count a share is
    smoothed with."""
    positive = d[d > 0]
    return float(np.median(positive)) if len(positive) else 1.0


def _overall_share(r: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Each row's share over all its periods (a column; 0 for a row whose periods hold no article);
    ``d``: the archive's articles per period, one series for every row or a row of them each."""
    total = d.sum(axis=1, keepdims=True) if d.ndim == 2 else np.full((len(r), 1), d.sum())
    return np.divide(r.sum(axis=1, keepdims=True), total, out=np.zeros((len(r), 1)), where=total > 0)


def _window_sums(x: np.ndarray, half_width: int) -> np.ndarray:
    """Each row's sums over the periods within ``half_width`` of each period (cut at the ends): the
    row's running total at the window's right end less the one before its left end, written as three
    slices of one array (a gather over columns, or padded copies, cost more)."""
    n = x.shape[1]
    cumulative = np.cumsum(x, axis=1)
    h = min(half_width, n - 1)
    out = np.empty_like(cumulative)
    out[:, :n - h] = cumulative[:, h:]
    out[:, n - h:] = cumulative[:, -1:]
    if half_width + 1 < n:
        out[:, half_width + 1:] -= cumulative[:, :n - half_width - 1]
    return out


def season_position(label: str) -> tuple[int, int, int] | None:
    """(year, place in the year, places in a year) of a period label: a week by its ISO week number, a
    day by its day of the year, a month by its number; None for a year (it has no season)."""
    if "-W" in label:
        year, week = label.split("-W")
        return int(year), int(week), 53
    if len(label) == 10:
        day = date.fromisoformat(label)
        return day.year, day.timetuple().tm_yday, 366
    if len(label) == 7:
        return int(label[:4]), int(label[5:]), 12
    return None


def seasonal_baseline(r: np.ndarray, d: np.ndarray, periods: list[str], marked: np.ndarray | None = None,
                      usual: np.ndarray | None = None) -> np.ndarray | None:
    """Each row's usual share in the same season of the *other* years: in each other year its busiest
    period within ``SEASON_WIDTH`` of this one's place in the year (a dated occasion drifts by a week
    between years), averaged over those years; shares smoothed like ``local_baseline``. None where the
    periods hold one year only or have no season (years). Used as a floor under the local share, so
    an occasion the archive marks every year (a leader's birthday, an anniversary) is its usual level
    in that season, not a burst; what is new in that season still bursts above it.

    With ``marked`` (the periods where each row bursts against its local share) a period counts its
    share only where it is marked, and its ``usual`` (local) share elsewhere: a season is an occasion
    where the other years burst in it. Three Spanish items on Russia in the week of 15 August 2012,
    the wire's ordinary level for a fortnight, would otherwise be the floor under the 2011 visit to
    Russia in that week (BENCHMARKS.md, sixteenth session)."""
    places = [season_position(label) for label in periods]
    if not places or places[0] is None or places[0][0] == places[-1][0]:
        return None
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.asarray(d, dtype=float)
    prior = _typical_period(d)
    share = (r + _overall_share(r, d) * prior) / (d + prior)
    if marked is not None:
        share = np.where(marked, share, usual)
    width = {53: SEASON_WIDTH, 366: SEASON_WIDTH * 7, 12: 0}[places[0][2]]
    busiest = ndimage.maximum_filter1d(share, size=2 * width + 1, axis=1, mode="nearest") if width else share
    # period t <- the periods of the same place in the other years, each weighing 1 / their number
    by_place: dict[int, list[int]] = {}
    for t, (_, place, _) in enumerate(places):
        by_place.setdefault(place, []).append(t)
    sources, targets, weights = [], [], []
    for t, (year, place, _) in enumerate(places):
        others = [u for u in by_place[place] if places[u][0] != year]
        if not others:
            continue
        sources += others
        targets += [t] * len(others)
        weights += [1.0 / len(others)] * len(others)
    if not sources:
        return None
    season = sparse.csr_matrix((weights, (sources, targets)), shape=(len(places), len(places)))
    seasonal = np.asarray(season.T @ busiest.T).T
    # a period whose place no other year has (a 53rd week) has no seasonal level: the local one stands
    has_season = np.asarray(season.sum(axis=0)).ravel() > 0
    return np.where(has_season, seasonal, 0.0)


def burst_states(r: np.ndarray, d: np.ndarray, s: float = BURST_RATIO, gamma: float = ENTRY_COST,
                 baseline: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(state per period 0/1, cost advantage of the burst state per period) for one series ``r``, or
    for each row of a matrix of them at once, against ``baseline`` (its share per period; default:
    ``local_baseline``). ``d``: the archive's articles per period. The advantage is given for the
    series that burst (0 for the others, which need not compute it)."""
    single = np.ndim(r) == 1
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.broadcast_to(np.asarray(d, dtype=float), r.shape)
    p0, p1 = _rates(local_baseline(r, d[0]) if baseline is None else baseline, s, r.shape)
    up = _entry_cost(r.shape[1], gamma)
    states = np.zeros(r.shape, dtype=np.int64)
    gain = np.zeros(r.shape)
    may = _may_burst(r, d, p0, p1, s, up)
    if len(may):
        gain[may] = _burst_gain(r[may], d[may], p0[may], p1[may])
        states[may] = _cheapest_states(gain[may], up)
    return (states[0], gain[0]) if single else (states, gain)


def _rates(baseline: np.ndarray, s: float, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(p0, p1): the base state's share (the baseline, kept inside (0, 0.5]) and the burst state's
    (``s`` times it, below 1), per row and period."""
    p0 = np.broadcast_to(np.clip(np.atleast_2d(baseline), 1e-9, 0.5), shape)
    return p0, np.minimum(s * p0, 0.9999)


def _entry_cost(periods: int, gamma: float) -> float:
    """The cost of entering the burst state: ``gamma`` x ln(T)."""
    return gamma * math.log(max(periods, 2))


def _may_burst(r: np.ndarray, d: np.ndarray, p0: np.ndarray, p1: np.ndarray, s: float, up: float) -> np.ndarray:
    """The rows whose burst state can pay for itself somewhere: a run of periods whose advantage sums
    to more than the cost of entering it. The cheapest path has a burst exactly when some run does
    (each run of the burst state costs ``up`` to enter and earns its periods' advantage), so a row whose
    best run, bounded from above without a logarithm (ln(p1 / p0) <= ln s, ln(1 - x) <= -x), earns
    less has none, and most words of an archive never burst: their exact advantage and Viterbi path
    are not computed."""
    lost = (p1 - p0) / (1.0 - p0)  # per article not in the topic
    running = np.cumsum(r * (math.log(s) + lost) - d * lost, axis=1)
    # the best run ending at t: the running sum at t less its lowest value before t (or nothing)
    lowest_before = np.minimum(np.minimum.accumulate(running, axis=1)[:, :-1], 0.0)
    best_run = np.maximum(running[:, 0], (running[:, 1:] - lowest_before).max(axis=1, initial=-np.inf))
    return np.flatnonzero(best_run > up - 1e-9)


def _cheapest_states(gain: np.ndarray, up: float) -> np.ndarray:
    """The cheapest state sequence of each row (Viterbi, every row at once, period by period), the base
    state costing 0 and the burst state -gain each period, entering it ``up``. (Every path pays one
    state's cost each period, so the base state's cost is taken off both.) The costs are laid out
    period-major so that each step reads one contiguous row."""
    m, n = gain.shape
    burst_by_period = np.ascontiguousarray(-gain.T)
    best0, best1 = np.zeros(m), burst_by_period[0] + up
    back = np.zeros((2, n, m), dtype=bool)
    for t in range(1, n):
        entering = best0 + up
        np.less(best1, best0, out=back[0, t])
        np.less(best1, entering, out=back[1, t])
        best0 = np.minimum(best0, best1, out=best0)
        best1 = np.minimum(entering, best1, out=entering) + burst_by_period[t]
    path = np.zeros((n, m), dtype=np.int64)
    path[-1] = best1 < best0
    rows = np.arange(m)
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[path[t], t, rows]
    return path.T


def bursting(r: np.ndarray, d: np.ndarray, s: float = BURST_RATIO, gamma: float = ENTRY_COST,
             periods: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(states, gain per period, baseline) of one series or of each row of a matrix of them: the burst
    model against the local share; with the period labels, again with the baseline never below the
    share at which the other years burst in the same season (``seasonal_baseline``); then once more,
    the baseline leaving out the periods found bursting, so a long burst does not raise its own
    baseline (and a lasting move of level still does). The gain and the floors are given for the
    series that burst (the baseline is read at bursting periods only)."""
    single = np.ndim(r) == 1
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.asarray(d, dtype=float)
    every_d = np.broadcast_to(d, r.shape)
    up = _entry_cost(r.shape[1], gamma)
    baseline, may = _screened(r, d, s, up)
    states = np.zeros(r.shape, dtype=np.int64)
    gain = np.zeros(r.shape)
    # The first pass, against the local share alone, for the series whose burst state can pay for
    # itself somewhere (most words of an archive cannot: ``_may_burst``).
    if len(may):
        p0, p1 = _rates(baseline[may], s, (len(may), r.shape[1]))
        gain[may] = _burst_gain(r[may], every_d[may], p0, p1)
        states[may] = _cheapest_states(gain[may], up)
    # A floor only raises the baseline, and a higher baseline only lowers the burst state's advantage
    # in every period: a series that does not burst against its local share does not against the
    # floor either, so the floor and the later passes are for the series that burst.
    burst = may[states[may].any(axis=1)]
    seasonal = (seasonal_baseline(r[burst], d, periods, states[burst] == 1, baseline[burst])
                if periods and len(burst) else None)
    if seasonal is not None:
        # Raising the baseline where a series is in its base state leaves its cheapest path as it was
        # (that path costs the same, every other no less): only the series the floor raises inside a
        # burst need the model again.
        floored = (seasonal > baseline[burst]) & (states[burst] == 1)
        baseline[burst] = np.maximum(baseline[burst], seasonal)
        redo = burst[floored.any(axis=1)]
        if len(redo):
            states[redo], gain[redo] = burst_states(r[redo], d, s, gamma, baseline[redo])
    # The second pass leaves the bursts out of the local share.
    still = states[burst].any(axis=1)
    again = burst[still]
    if len(again):
        second = local_baseline(r[again], d, left_out=states[again] == 1)
        baseline[again] = second if seasonal is None else np.maximum(second, seasonal[still])
        states[again], gain[again] = burst_states(r[again], d, s, gamma, baseline[again])
    return (states[0], gain[0], baseline[0]) if single else (states, gain, baseline)


SCREEN_ROWS = 512  # series screened at a time (``_screened``)


def _screened(r: np.ndarray, d: np.ndarray, s: float, up: float) -> tuple[np.ndarray, np.ndarray]:
    """(the local share of every series, the series that may burst against it: ``_may_burst``), a block
    of ``SCREEN_ROWS`` series at a time. The screen reads every word of an archive (4,000 x 944 weeks on
    100,000 articles); whole, each of its steps wrote a fresh 30 MB array, and the first touch of that
    memory cost more than the arithmetic (0.37 s against 0.08 s once the memory was the process's); a
    block's arrays are small enough to be reused from one block to the next."""
    baseline = np.empty(r.shape)
    may = []
    for start in range(0, len(r), SCREEN_ROWS):
        block = slice(start, start + SCREEN_ROWS)
        baseline[block] = local_baseline(r[block], d)
        rows = baseline[block].shape
        may.append(start + _may_burst(r[block], np.broadcast_to(d, rows), *_rates(baseline[block], s, rows), s, up))
    return baseline, np.concatenate(may) if may else np.zeros(0, dtype=np.int64)


def series_matrix(counts: dict[int, list[int]]) -> tuple[list[int], np.ndarray]:
    """(topics, topics x periods counts) of the topics with any article, for the models to run on at once."""
    topics = [t for t, series in counts.items() if sum(series)]
    width = len(next(iter(counts.values()), []))
    return topics, np.asarray([counts[t] for t in topics], dtype=float).reshape(len(topics), width)


def find_bursts(
    periods: list[str], counts: dict[int, list[int]], totals: list[int], s: float = BURST_RATIO,
    gamma: float = ENTRY_COST,
) -> list[Burst]:
    """Every burst of every topic, strongest first (every topic's series in one pass of the model)."""
    d = np.asarray(totals, dtype=float)
    topics, r = series_matrix(counts)
    if not topics or len(periods) < 2:
        return []
    states, _, baseline = bursting(r, d, s, gamma, periods)
    bursts = [Burst(topics[spell.row], periods[spell.first], periods[spell.last], spell.weight, int(spell.seen),
                    spell.share, spell.baseline) for spell in weighed_spells(r, d, states, baseline)]
    return sorted(bursts, key=lambda b: (-b.weight, b.start, b.topic))
