"""A burst state's runs cut into the spells a reader asks "when" about, each weighed by how surprising
its articles are against their usual share: what a burst is at every grain (``analyze.burst_model``
finds the states).

``QUIET_SPLIT`` = 2 periods: a lull of three quiet weeks ends a burst. At 2 or 3 the top-30 stories of
the 1997-2004 headlines hold no burst over 26 weeks (2 without the split) and the events found stay
the same at both grains; at 0 any one quiet week cuts a burst in two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

QUIET_SPLIT = 2  # periods: a burst with more quiet periods in a row than this is two (``busy_spells``)


@dataclass
class Spell:
    """A busy spell of a series' burst state (``busy_spells``), weighed (``surprise``): the periods
    ``first..last`` of row ``row``, its ``seen`` articles, its share of the archive then and its usual
    share (the baseline's) there."""

    row: int
    first: int
    last: int
    weight: float
    seen: float
    share: float
    baseline: float


def weighed_spells(r: np.ndarray, d: np.ndarray, states: np.ndarray, baseline: np.ndarray) -> list[Spell]:
    """Every busy spell of every row's burst state, row by row, in time order, each weighed against
    the row's baseline: what a burst is, at every grain."""
    spells = []
    for row, start, end in state_runs(states):
        for first, last in busy_spells(r[row], d, start, end):
            window = slice(first, last + 1)
            in_burst = d[window].sum()
            expected = float((baseline[row, window] * d[window]).sum())
            seen = float(r[row, window].sum())
            spells.append(Spell(row, first, last, surprise(seen, expected), seen,
                                seen / in_burst if in_burst else 0.0, expected / in_burst if in_burst else 0.0))
    return spells


def state_runs(states: np.ndarray) -> list[tuple[int, int, int]]:
    """(row, first period, last period) of every run of the burst state in a matrix of states (or in
    one series: row 0), row by row, in time order."""
    steps = np.diff(np.pad(np.atleast_2d(states), ((0, 0), (1, 1))), axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)  # row-major like the starts, so the two pair up in order
    return list(zip(rows.tolist(), starts.tolist(), (ends - 1).tolist()))


def surprise(seen: float, expected: float) -> float:
    """A burst's weight: the log-likelihood ratio (G statistic, halved) of ``seen`` articles where its
    usual share gives ``expected``, seen x ln(seen / expected) - (seen - expected) under a Poisson
    count. Unlike the automaton's own gain, which credits each article at most ln S however far the
    share leaps, it ranks a name the wire had never carried (a hundred times its usual share) above a
    yearly campaign at four times: what a reader asks "what happened" about. 0 when nothing is above
    the usual."""
    if seen <= expected or seen <= 0:
        return 0.0
    return round(seen * math.log(seen / max(expected, 1e-9)) - (seen - expected), 2)


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
