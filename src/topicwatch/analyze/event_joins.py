"""Which bursting words make one event (``analyze.word_bursts``): words that burst in the same articles
(``joined_spells``), and the English and the Spanish names of one thing at the same time
(``named_alike``).

``LINK_SHARE`` = 0.5: a word's spell joins an event when it shares at least that much of the smaller
one's articles (and at least two) with it; lower chains one week's unrelated news into one event,
higher splits an event into one entry per word.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from ..model.terms import STOP_WORDS

LINK_SHARE = 0.5
MIN_NAME_WORD = 4  # letters: a shorter word ("kim", "un") names no one event
LEADING_TERMS = 3  # an event's strongest terms, whose names may join it with another language's event
COGNATE_PREFIX = 5  # letters two words must begin with alike to count as one name in two languages


def joined_spells(spells: list[tuple[str, int, int, float, set[int]]]) -> list[list[int]]:
    """The spells gathered into events (``_gathered``), then the events gathered once more: words that
    never shared articles directly (the thirty ways the wire names one death) are one event when their
    events share them."""
    groups = _gathered([spell[4] for spell in spells], [spell[3] for spell in spells])
    held = [set().union(*(spells[k][4] for k in group)) for group in groups]
    strength = [sum(spells[k][3] for k in group) for group in groups]
    return [sorted(k for g in together for k in groups[g]) for together in _gathered(held, strength)]


def _gathered(article_sets: list[set[int]], strength: list[float]) -> list[list[int]]:
    """The sets of articles (of a word's spell, or of an event) gathered into events, strongest first:
    each joins the event so far that holds at least ``LINK_SHARE`` of the smaller one's articles (and at
    least two) and most of them, or starts its own; the events in order of their first set.

    Not every pair sharing articles is joined (the connected components of those links): a word can
    belong to two events at once. In August 2011 "commander" was the Chinese flotilla's at Wonsan one
    week and the Russian general's at Ulan-Ude the next; joined by every link, that one word made the
    two one event of six weeks, and the visit no longer began on its date. Gathered strongest first,
    it goes to one of them and joins nothing."""
    held: list[set[int]] = []
    members: list[list[int]] = []
    events_of: dict[int, list[int]] = {}  # article -> the events holding it
    for k in sorted(range(len(article_sets)), key=lambda k: (-strength[k], k)):
        articles = article_sets[k]
        shared: dict[int, int] = {}
        for a in articles:
            for g in events_of.get(a, ()):
                shared[g] = shared.get(g, 0) + 1
        joinable = [(count, -g) for g, count in shared.items()
                    if count >= max(2, LINK_SHARE * min(len(articles), len(held[g])))]
        if joinable:
            g = -max(joinable)[1]
            members[g].append(k)
            new = articles - held[g]
            held[g] |= new
        else:
            g = len(held)
            members.append([k])
            held.append(set(articles))
            new = articles
        for a in new:
            events_of.setdefault(a, []).append(g)
    return sorted(sorted(group) for group in members)


def named_alike(cores: list[list[str]], extents: list[tuple[int, int]], postings: dict[str, np.ndarray],
                own_share: float) -> list[list[int]]:
    """The events (by their own words ``cores`` and their extents) joined once more where two at the same
    time lead with one name: the wire calls one man "dmitri anatoliyevich medvedev president" in its
    English items and "dmitri anatolievich medvedev" in its Spanish ones, and a death "condolences" in
    the one and "condolencias" in the other, terms whose articles never meet. Two events whose extents
    overlap are one when a word of at least ``MIN_NAME_WORD`` letters, not a stop word, stands in the
    ``LEADING_TERMS`` strongest terms of each, or two words beginning with the same ``COGNATE_PREFIX``
    letters (cognates: "satellite", "satelite"), and at least ``own_share`` of all the archive's
    articles with a term holding such a word are in the two: a name is theirs, "jong", "secretary" or
    "president" is everyone's.

    Cognates are told by their common first letters, as Simard, Foster and Isabelle (1992) told them to
    align a text with its translation (they took four); five keep "centenary" and "central" apart,
    and the share of its articles a word must have in the two events keeps an everyday cognate
    ("political", "politicos") from joining anything. Fewer letters join more events falsely (each
    then rests on that share alone); more miss the accented forms ("satellite", "satelite")."""
    leading: dict[str, list[int]] = {}
    for row, core in enumerate(cores):
        for word in {_cognate_key(w) for term in core[:LEADING_TERMS] for w in term.split()
                     if len(w) >= MIN_NAME_WORD and w not in STOP_WORDS}:
            leading.setdefault(word, []).append(row)
    shared = {word: rows for word, rows in leading.items() if len(rows) > 1}
    carrying: dict[str, set[int]] = {}
    for term, held in postings.items():
        for word in shared.keys() & {_cognate_key(w) for w in term.split()}:
            carrying.setdefault(word, set()).update(held.tolist())
    own: dict[int, set[int]] = {}
    pairs = []
    for word, rows in shared.items():
        for a, b in combinations(rows, 2):
            if extents[a][0] <= extents[b][1] and extents[b][0] <= extents[a][1]:
                for row in (a, b):
                    if row not in own:
                        own[row] = set(np.concatenate([postings[term] for term in cores[row]]).tolist())
                if len(carrying[word] & (own[a] | own[b])) >= own_share * len(carrying[word]):
                    pairs.append((a, b))
    return _components(len(cores), pairs)


def _cognate_key(word: str) -> str:
    """What a word shares with its cognates in another language: its first ``COGNATE_PREFIX`` letters."""
    return word[:COGNATE_PREFIX]


def _components(count: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The connected components of ``count`` items joined by ``pairs``, each in order, ordered by their
    first item."""
    if not pairs:
        return [[k] for k in range(count)]
    a, b = zip(*pairs)
    graph = sparse.coo_matrix((np.ones(len(pairs)), (a, b)), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for k, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(k)
    return list(groups.values())
