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
   the local share, floored where the other years burst in the same season), cut into busy spells.
3. A word's spell joins the event so far that holds at least ``LINK_SHARE`` of the smaller one's
   articles (and at least two): words that burst in the same articles; the strongest spells first,
   each to one event only, so that a word of two events at once does not make them one
   (``event_joins``). A word common before the event ("state", "party") does not burst and cannot
   chain unrelated events together. The events are gathered once more the same way (the several ways
   a wire names one death), and two at the same time whose leading terms share a name, or a
   cognate, that is theirs merge too (``event_joins.named_alike``: the English and the Spanish items
   of one visit, of one death).
4. The event's own words (``_core_words``): those at least ``CORE_SHARE`` of whose articles near the
   event are in it; "visit" bursts with a state visit but is not what it is about. Its articles are
   those carrying its own words; its period and weight are that series' own burst (the strongest busy
   spell inside the words' spells, weighed by ``burst_spells.surprise``), so an event ranks on the
   same scale as a topic or a story.

Parameters, and what they trade: ``MIN_PEAK`` = 3 (fewer: single-article "events" by the thousand;
more: a small visit of three headlines is missed); ``event_joins.LINK_SHARE`` = 0.5 (lower chains one
week's unrelated news into one event; higher splits an event into one entry per word); ``CORE_SHARE`` = 0.5
(lower lets an everyday word's articles into the event and its usual level with them; higher leaves
a name the wire also uses now and then out of its own event).
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..archive.trends import group_representatives, period_of, period_range
from ..store.line_terms import decoded_lines
from .burst_model import BASELINE_HALF_WIDTH, bursting
from .burst_spells import Spell, busy_spells, state_runs, weighed_spells
from .event_joins import joined_spells, named_alike

MIN_PEAK = 3
CORE_SHARE = 0.5
LINE_WORDS = 8  # at most so many of the event's words in its line, strongest first

_MONTHS = "january february march april may june july august september october november december"
_CALENDAR = frozenset(f"{_MONTHS} jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday"
                      " thursday friday saturday sunday".split())
_DIGIT = re.compile(r"\d")


@dataclass
class DatedLines:
    """The dated articles at the event grain: once per near-duplicate group (its first), each with its
    period, topic, story and the terms of its own line; ``totals``: articles per period; ``undated``:
    the groups without a date, per topic. The lines are two flat arrays, as the archive keeps them
    (``store.line_terms``), not a set of strings per article (on 100,000 articles, parsing the lines
    and building a set apiece took half a second of each call): ``terms`` is every term of the lines
    in alphabetical order, ``term_ids`` the terms of every line one article after another (indexes
    into ``terms``) and ``term_owner`` the article each belongs to."""

    periods: list[str]
    article_ids: list[str]
    article_period: np.ndarray
    topics: list[int]
    stories: list[int | None]
    terms: list[str]
    term_ids: np.ndarray
    term_owner: np.ndarray
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
    and again (on 100,000 articles it doubled the time to read the lines, and each of its full passes
    over the lines read cost a tenth of a second of finding the events)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@_collector_paused()
def dated_lines(rows: list[tuple[str, str | None, str | None, int, int | None, bytes | None]], by: str,
                terms: dict[int, str]) -> DatedLines:
    """``DatedLines`` from (article, date, its group's first or None, topic, story, line as term ids)
    in ingest order (``Store.article_lines_in_order``; ``terms``: id -> term, ``Store.line_terms``): a
    group counts once, as its first article, at the group's earliest date."""
    if not rows:
        return _no_lines({})
    articles, days, firsts, topics, stories, lines = zip(*rows)
    chosen, earliest = group_representatives(articles, days, firsts)
    dated = [(i, day) for i, day in zip(chosen, earliest) if day]
    undated = Counter(topics[i] for i, day in zip(chosen, earliest) if not day)
    if not dated:
        return _no_lines(dict(undated))
    on_days = {day for _, day in dated}
    periods = period_range(min(on_days), max(on_days), by)
    index = {p: i for i, p in enumerate(periods)}
    period_of_day = {day: index[period_of(day, by)] for day in on_days}
    at = np.fromiter((period_of_day[day] for _, day in dated), dtype=np.int64, count=len(dated))
    ids, sizes = decoded_lines([lines[i] for i, _ in dated])
    vocabulary, term_ids = _alphabetical(ids, terms)
    return DatedLines(periods, [articles[i] for i, _ in dated], at, [topics[i] for i, _ in dated],
                      [stories[i] for i, _ in dated], vocabulary, term_ids, np.repeat(np.arange(len(dated)), sizes),
                      np.bincount(at, minlength=len(periods)).astype(float), dict(undated))


def _no_lines(undated: dict[int, int]) -> DatedLines:
    empty = np.zeros(0, dtype=np.int64)
    return DatedLines([], [], empty, [], [], [], empty, empty, np.zeros(0), undated)


def _alphabetical(ids: np.ndarray, terms: dict[int, str]) -> tuple[list[str], np.ndarray]:
    """(the terms ``ids`` use, in alphabetical order; ``ids`` as indexes into them): the order events
    are found in follows the words', never the order the archive first met them."""
    used = np.flatnonzero(np.bincount(ids)) if len(ids) else np.zeros(0, dtype=np.int64)
    texts = [terms[k] for k in used.tolist()]
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.zeros(int(used[-1]) + 1 if len(used) else 0, dtype=np.int64)
    rank[used[order]] = np.arange(len(order))
    return [texts[k] for k in order], rank[ids]


def _calendar_or_number(word: str) -> bool:
    return bool(_DIGIT.search(word)) or any(part in _CALENDAR for part in word.split())


@_collector_paused()
def word_events(lines: DatedLines) -> list[WordEvent]:
    """Every event in ``lines``, strongest first (see the module's text)."""
    n = len(lines.periods)
    if n < 2:
        return []
    postings, rows = _bursting_candidates(lines)
    if not postings:
        return []
    spells = _word_spells(list(postings), rows, lines, postings)
    if not spells:  # no word bursts
        return []
    groups, extents, cores = (list(column) for column in zip(*(
        _event_of(group, spells, postings, lines.article_period) for group in joined_spells(spells))))
    merged = named_alike(cores, extents, postings, CORE_SHARE)
    if len(merged) < len(groups):
        # only the events joined have new words to find; the others keep theirs
        kept = [(groups[together[0]], extents[together[0]], cores[together[0]]) if len(together) == 1
                else _event_of([k for g in together for k in groups[g]], spells, postings, lines.article_period)
                for together in merged]
        groups, extents, cores = (list(column) for column in zip(*kept))
    # Each event's articles, and how many of its own words each carries (to list them by).
    unions, carried = zip(*(np.unique(np.concatenate([postings[word] for word in core]), return_counts=True)
                            for core in cores))
    series = np.zeros((len(groups), n))
    for row, articles in enumerate(unions):
        series[row] = np.bincount(lines.article_period[articles], minlength=n)
    states, _, baseline = bursting(series, lines.totals, periods=lines.periods)
    # Each event's period and weight: the strongest spell of its series' burst inside its words' spells.
    strongest: dict[int, Spell] = {}
    for spell in weighed_spells(series, lines.totals, states, baseline):
        first, last = extents[spell.row]
        best = strongest.get(spell.row)
        if spell.last >= first and spell.first <= last and (best is None or spell.weight > best.weight):
            strongest[spell.row] = spell
    events = []
    for row, spell in sorted(strongest.items()):
        at = lines.article_period[unions[row]]
        within = (at >= spell.first) & (at <= spell.last)
        inside = unions[row][within][np.lexsort((at[within], -carried[row][within]))].tolist()
        events.append(WordEvent(_line(cores[row]), spell.first, spell.last, spell.weight, inside, spell.share,
                                spell.baseline))
    return sorted(events, key=lambda e: (-e.weight, e.first))


def _bursting_candidates(lines: DatedLines) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """({word: its articles in date order}, words x periods counts) of the words that may burst: at
    least ``MIN_PEAK`` articles in some period, no calendar word or number; in alphabetical order (a
    set's order changes from run to run, and ties between words would follow it). The inverted index
    is built with numpy: (word, period, article) sorted, the runs of one word in one period counted
    at once."""
    vocabulary = lines.terms
    if not vocabulary:
        return {}, np.zeros((0, len(lines.periods)))
    flat, owner = lines.term_ids, lines.term_owner
    at = lines.article_period[owner]
    order = np.lexsort((at, flat))
    flat, at, owner = flat[order], at[order], owner[order]
    # an article counts once for a term (a stored line should not hold one twice, but nothing is
    # counted twice if it does): its repeats are next to each other now
    once = np.r_[True, (flat[1:] != flat[:-1]) | (owner[1:] != owner[:-1])]
    if not once.all():
        flat, at, owner = flat[once], at[once], owner[once]
    word_starts = np.flatnonzero(np.r_[True, np.diff(flat) != 0])
    n = len(lines.periods)
    key = flat * n + at
    run_starts = np.flatnonzero(np.r_[True, np.diff(key) != 0])
    run_lengths = np.diff(np.r_[run_starts, len(key)])
    # the first run of each word: runs are in word order, each word's first run starts its postings
    peak = np.maximum.reduceat(run_lengths, np.searchsorted(run_starts, word_starts))
    kept = [k for k in np.flatnonzero(peak >= MIN_PEAK).tolist() if not _calendar_or_number(vocabulary[k])]
    ends = np.r_[word_starts[1:], len(flat)]
    postings = {vocabulary[k]: owner[word_starts[k]:ends[k]] for k in kept}
    row_of = np.full(len(vocabulary), -1)
    row_of[kept] = np.arange(len(kept))
    rows = row_of[flat]
    mine = rows >= 0
    counts = np.bincount(rows[mine] * n + at[mine], minlength=len(kept) * n).reshape(len(kept), n)
    return postings, counts.astype(float)


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


def _event_of(group: list[int], spells: list[tuple[str, int, int, float, set[int]]], postings: dict[str, np.ndarray],
              article_period: np.ndarray) -> tuple[list[int], tuple[int, int], list[str]]:
    """(the spells, their first and last period, the event's own words) of an event of spells."""
    extent = min(spells[k][1] for k in group), max(spells[k][2] for k in group)
    return group, extent, _core_words(group, extent, spells, postings, article_period)


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
