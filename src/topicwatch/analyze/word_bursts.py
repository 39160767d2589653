"""Event bursts: the words of the articles' own lines that burst together, each group one event.

A topic or a story is a standing grain, fixed when the archive was fitted. An event seldom is one: the
Japanese prime minister's day in Pyongyang is eight headlines spread over a diplomacy topic, a gifts
topic and a statements topic, too few to move any of them, while its words ("koizumi", "pyongyang
declaration") go from nothing to a tenth of the week. So the third grain is found when asked, from
the words of each article's keyword line (spelling variants already merged there):

1. Each word's count per period (an article once; a group of near-duplicates once, at its earliest
   date), for the words with at least ``MIN_PEAK`` articles in some period; calendar words (month and
   day names) and words with digits are left out, since every month has its "december".
2. The same burst model as topics and stories (``analyze.burst_model.bursting``: Kleinberg's automaton on
   the local share, floored by the same season of other years), cut into busy spells.
3. Two words' spells are one event when they share at least ``LINK_SHARE`` of the smaller one's
   articles (and at least two): words that burst in the same articles. A word common before the event
   ("state", "party") does not burst and cannot chain unrelated events together. Events that share
   that much of their articles merge once more (the several ways a wire names one death).
4. The event's own words (``_core_words``): those at least ``CORE_SHARE`` of whose articles near the
   event are in it; "visit" bursts with a state visit but is not what it is about. Its articles are
   those carrying its own words; its period and weight are that series' own burst (the strongest busy
   spell inside the words' spells, weighed by ``burst_model.surprise``), so an event ranks on the
   same scale as a topic or a story.

Parameters, and what they trade: ``MIN_PEAK`` = 3 (fewer: single-article "events" by the thousand;
more: a small visit of three headlines is missed); ``LINK_SHARE`` = 0.5 (lower chains one week's
unrelated news into one event; higher splits an event into one entry per word); ``CORE_SHARE`` = 0.5
(lower lets an everyday word's articles into the event and its usual level with them; higher leaves
a name the wire also uses now and then out of its own event).
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

import numpy as np

from ..archive.trends import once_per_group, period_of, period_range
from .burst_model import BASELINE_HALF_WIDTH, bursting, busy_spells, state_runs, surprise

MIN_PEAK = 3
LINK_SHARE = 0.5
CORE_SHARE = 0.5
LINE_WORDS = 8  # at most so many of the event's words in its line, strongest first

_MONTHS = "january february march april may june july august september october november december"
_CALENDAR = frozenset(f"{_MONTHS} jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday"
                      " thursday friday saturday sunday".split())
_DIGIT = re.compile(r"\d")


@dataclass
class DatedLines:
    """The dated articles at the event grain: once per near-duplicate group (its first), each with its
    period, topic, story and the words of its own line; ``totals``: articles per period; ``undated``:
    the groups without a date, per topic."""

    periods: list[str]
    article_ids: list[str]
    article_period: np.ndarray
    topics: list[int]
    stories: list[int | None]
    words: list[set[str]]
    totals: np.ndarray
    undated: dict[int, int]


@dataclass
class WordEvent:
    """Words that burst together: their line, the period and weight of their burst, and its articles
    (indexes into ``DatedLines``), the ones carrying most of the words first."""

    words: list[str]
    first: int
    last: int
    weight: float
    articles: list[int]
    share: float
    baseline: float


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Build many small containers without the cyclic garbage collector walking the growing heap again
    and again (on 100,000 articles it doubled the time to read the lines)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def dated_lines(rows: list[tuple[str, str | None, str | None, int, int | None, str | None]], by: str) -> DatedLines:
    """``DatedLines`` from (article, date, its group's first or None, topic, story, line JSON) in ingest
    order: a group counts once, as its first article, at the group's earliest date."""
    with _collector_paused():
        return _dated_lines(rows, by)


def _dated_lines(rows: list[tuple[str, str | None, str | None, int, int | None, str | None]], by: str) -> DatedLines:
    groups = once_per_group((article, day, first, (topic, story, line))
                            for article, day, first, topic, story, line in rows)
    dated = [(article, day, *told) for article, day, told in groups if day]
    undated = Counter(told[0] for _, day, told in groups if not day)
    if not dated:
        return DatedLines([], [], np.zeros(0, dtype=int), [], [], [], np.zeros(0), dict(undated))
    periods = period_range(min(g[1] for g in dated), max(g[1] for g in dated), by)
    index = {p: i for i, p in enumerate(periods)}
    period_of_day = {day: index[period_of(day, by)] for day in {g[1] for g in dated}}
    at = np.array([period_of_day[g[1]] for g in dated], dtype=int)
    # One parse of every line at once: a hundred thousand small json.loads calls cost more than it.
    parsed = json.loads("[" + ",".join(g[4] or "[]" for g in dated) + "]")
    return DatedLines(periods, [g[0] for g in dated], at, [g[2] for g in dated], [g[3] for g in dated],
                      [set(words) for words in parsed], np.bincount(at, minlength=len(periods)).astype(float),
                      dict(undated))


def _calendar_or_number(word: str) -> bool:
    return bool(_DIGIT.search(word)) or any(part in _CALENDAR for part in word.split())


def word_events(lines: DatedLines) -> list[WordEvent]:
    """Every event in ``lines``, strongest first (see the module's text)."""
    n = len(lines.periods)
    if n < 2:
        return []
    # The inverted index, built with numpy: (word id, article) pairs sorted by word.
    every = list(chain.from_iterable(lines.words))
    ids = {word: k for k, word in enumerate(dict.fromkeys(every))}
    flat = np.fromiter(map(ids.__getitem__, every), dtype=np.int64, count=len(every))
    owner = np.repeat(np.arange(len(lines.words)), [len(words) for words in lines.words])
    order = np.lexsort((lines.article_period[owner], flat))
    bounds = np.flatnonzero(np.diff(flat[order])) + 1
    postings: dict[str, np.ndarray] = {}  # each kept word's articles, in date order
    rows = []
    for word, held in zip(ids, np.split(owner[order], bounds) if len(flat) else []):
        if len(held) >= MIN_PEAK and not _calendar_or_number(word):
            series = np.bincount(lines.article_period[held], minlength=n)
            if series.max() >= MIN_PEAK:
                postings[word] = held
                rows.append(series)
    if not postings:
        return []
    spells = _word_spells(list(postings), np.asarray(rows, dtype=float), lines, postings)
    groups = _linked([spell[4] for spell in spells])
    # Once more over the events so far: words that never shared articles directly (the several
    # ways the wire names one death) are one event when their events share the articles.
    held_sets = [set().union(*(spells[k][4] for k in group)) for group in groups]
    groups = [[k for g in merged for k in groups[g]] for merged in _linked(held_sets)]
    extents = [(min(spells[k][1] for k in group), max(spells[k][2] for k in group)) for group in groups]
    cores = [_core_words(group, extent, spells, postings, lines.article_period)
             for group, extent in zip(groups, extents)]
    unions = [np.unique(np.concatenate([postings[word] for word in core])) for core in cores]
    series = np.zeros((len(groups), n))
    for row, articles in enumerate(unions):
        series[row] = np.bincount(lines.article_period[articles], minlength=n)
    states, _, baseline = bursting(series, lines.totals, periods=lines.periods)
    events = []
    for row, (first, last) in enumerate(extents):
        best = _strongest_spell(series[row], states[row], baseline[row], lines.totals, first, last)
        if best is None:
            continue
        start, end, weight = best
        at = lines.article_period[unions[row]]
        inside = unions[row][(at >= start) & (at <= end)].tolist()
        carried = {i: len(lines.words[i].intersection(cores[row])) for i in inside}
        inside.sort(key=lambda i: (-carried[i], lines.article_period[i]))
        d = lines.totals[start:end + 1].sum()
        expected = float((baseline[row, start:end + 1] * lines.totals[start:end + 1]).sum() / d) if d else 0.0
        events.append(WordEvent(_line(cores[row]), start, end, weight, inside, len(inside) / d if d else 0.0,
                                expected))
    return sorted(events, key=lambda e: (-e.weight, e.first))


def _core_words(group: list[int], extent: tuple[int, int], spells: list[tuple[str, int, int, float, set[int]]],
                postings: dict[str, np.ndarray], article_period: np.ndarray) -> list[str]:
    """The event's own words, most telling first: those at least ``CORE_SHARE`` of whose articles near
    the event (``BASELINE_HALF_WIDTH`` periods either side of it) are in its spells. A word the wire
    uses all the time ("visit", "message") bursts with a big event and links to it, but counting its
    every article would make the event's usual level that of the word; the strongest word is kept
    whatever its share. ``extent``: the first and last period of the event's words' spells."""
    first, last = extent
    held: dict[str, set[int]] = {}
    strength: Counter[str] = Counter()
    for k in group:
        held.setdefault(spells[k][0], set()).update(spells[k][4])
        strength[spells[k][0]] += spells[k][3]
    ranked = [word for word, _ in strength.most_common()]
    specific: dict[str, float] = {}
    for word in ranked:
        low, high = np.searchsorted(article_period[postings[word]],
                                    [first - BASELINE_HALF_WIDTH, last + BASELINE_HALF_WIDTH + 1])
        specific[word] = len(held[word]) / max(int(high - low), 1)
    core = [word for word in ranked if specific[word] >= CORE_SHARE]
    # Most telling first: strength in the event times how much the word is the event's.
    return sorted(core, key=lambda word: -strength[word] * specific[word]) or ranked[:1]


def _word_spells(vocabulary: list[str], counts: np.ndarray, lines: DatedLines,
                 postings: dict[str, np.ndarray]) -> list[tuple[str, int, int, float, set[int]]]:
    """(word, first period, last period, gain, its articles there) of every busy spell of every word."""
    states, gain, _ = bursting(counts, lines.totals, periods=lines.periods)
    spells = []
    for row, start, end in state_runs(states):
        word = vocabulary[row]
        at = lines.article_period[postings[word]]
        for first, last in busy_spells(counts[row], lines.totals, start, end):
            low, high = np.searchsorted(at, [first, last + 1])
            spells.append((word, first, last, float(gain[row, first:last + 1].sum()),
                           set(postings[word][low:high].tolist())))
    return spells


def _linked(article_sets: list[set[int]]) -> list[list[int]]:
    """The sets (of articles: a word's spell, or an event) joined into events: two sharing at least
    ``LINK_SHARE`` of the smaller one's articles, and at least two, are one (and so, through them,
    are their other partners)."""
    parent = list(range(len(article_sets)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    holders: dict[int, list[int]] = {}
    for k, articles in enumerate(article_sets):
        for article in articles:
            holders.setdefault(article, []).append(k)
    shared: Counter[tuple[int, int]] = Counter()
    for ks in holders.values():
        for a in range(len(ks)):
            for b in range(a + 1, len(ks)):
                shared[ks[a], ks[b]] += 1
    for (a, b), count in shared.items():
        if count >= max(2.0, LINK_SHARE * min(len(article_sets[a]), len(article_sets[b]))):
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for k in range(len(article_sets)):
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def _strongest_spell(series: np.ndarray, states: np.ndarray, baseline: np.ndarray, totals: np.ndarray,
                     first: int, last: int) -> tuple[int, int, float] | None:
    """(start, end, weight) of the strongest (``surprise``) busy spell of ``series``'s burst state that
    overlaps ``first..last``; None when the series does not burst there."""
    best = None
    for _, start, end in state_runs(states):
        for a, b in busy_spells(series, totals, start, end):
            if b >= first and a <= last:
                weight = surprise(float(series[a:b + 1].sum()), float((baseline[a:b + 1] * totals[a:b + 1]).sum()))
                if best is None or weight > best[2]:
                    best = (a, b, weight)
    return best


def _line(words: list[str]) -> list[str]:
    """At most ``LINE_WORDS`` of the words, strongest first, none with a word already in the line (no
    word twice: "marshal kim jong" does not follow "title marshal")."""
    line: list[str] = []
    seen: set[str] = set()
    for word in words:
        parts = set(word.split())
        if parts & seen:
            continue
        line.append(word)
        seen |= parts
        if len(line) == LINE_WORDS:
            break
    return line
