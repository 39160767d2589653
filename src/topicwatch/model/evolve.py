"""A fitted model living on: new articles join topics, new topics appear, users merge and split.

Topic ids are rows of the model's centre matrix and never change meaning: a new topic gets the next
row, a merged topic stays as a row that hands its articles on, a split topic's row is retired and its
parts get new rows. Old articles keep their topics; only the user's own edits move them.

Pure functions of what they are given: ``TopicModel``'s own methods (``label_new``, ``learn_terms``,
``merge``, ``split``, ``renumber``) call them and keep what they return.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .assign import assign_topics
from .cluster import fit_centroids
from .topics import Topic


@dataclass
class Labelled:
    """Topics of newly arrived articles, and the topics created for them."""

    labels: np.ndarray
    scores: np.ndarray
    new_topics: list[int] = field(default_factory=list)


def new_topic_min_size(topics: Sequence[Topic], retired: Iterable[int]) -> int:
    """Articles a new topic needs: a quarter of the median live topic, at least 5."""
    gone = set(retired)
    sizes = [t.size for t in topics if t.topic not in gone and t.size > 0]
    return max(5, round(0.25 * float(np.median(sizes)))) if sizes else 5


def terms_to_learn(term_lists: Sequence[Sequence[str]], labels: np.ndarray, new_topics: Sequence[int],
                   known: set[str], min_share: float = 0.2) -> list[str]:
    """The terms a new topic's articles share that the archive never used enough to count: a first
    wave of hacking stories brings "hackers", and the new topic's keyword line can say so. A term
    is learned when at least ``max(2, min_share x members)`` of one new topic's articles use it."""
    fresh: set[str] = set()
    for topic in new_topics:
        members = np.flatnonzero(labels == topic)
        used = Counter(term for i in members for term in set(term_lists[i]) if term not in known)
        needed = max(2, math.ceil(min_share * len(members)))
        fresh.update(term for term, n in used.items() if n >= needed)
    return sorted(fresh)


def cohesive_groups(
    features: np.ndarray, min_size: int, cohesion: float, seed: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(centre, member rows, member similarities) of tight groups among ``features``, fewest groups first:
    the smallest k (of 1, 2, 3, 4, 6, 8, 11, 16, ... : each about 1.4 times the last) whose accepted
    groups hold half the articles, else the k that accepts most."""
    best: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for k in _group_counts(len(features) // min_size):
        centres = fit_centroids(features, k, seed=seed, n_init=1)
        sub_labels, sub_scores = assign_topics(features, centres)
        accepted = [(centres[c], np.flatnonzero(sub_labels == c), sub_scores[sub_labels == c])
                    for c in range(k)
                    if (sub_labels == c).sum() >= min_size and sub_scores[sub_labels == c].mean() >= cohesion]
        if sum(len(m) for _, m, _ in accepted) > sum(len(m) for _, m, _ in best):
            best = accepted
        if sum(len(m) for _, m, _ in best) * 2 >= len(features):
            break
    return best


def _group_counts(most: int) -> list[int]:
    """1, 2, 3, 4, 6, 8, 11, 16, 23, ... up to ``most``: a k-means per count, without trying them all."""
    counts, k = [], 1
    while k <= most:
        counts.append(k)
        k = max(k + 1, round(k * 1.4))
    return counts


def merge_rows(n_topics: int, target: int, others: Sequence[int]) -> sparse.csr_matrix:
    """topics x topics: every topic keeps its own counts, but ``others`` hand theirs to ``target``."""
    move = sparse.identity(n_topics, format="lil", dtype=np.float32)
    for other in others:
        move[other, other] = 0.0
        move[target, other] = 1.0
    return move.tocsr()


def merged_into_after(merged_into: dict[int, int], target: int, others: Sequence[int]) -> dict[int, int]:
    """Where merged topics' articles go once ``others`` are merged into ``target``: to ``target``,
    and so do those of topics merged into one of ``others`` before."""
    after = dict(merged_into)
    for other in others:
        after[other] = target
        for source, dest in list(after.items()):
            if dest == other:
                after[source] = target
    return after


def split_centres(features: np.ndarray, parts: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(centres of ``parts`` new topics, each article's part) for the articles of one topic."""
    centres = fit_centroids(features, parts, seed=seed)
    return centres, assign_topics(features, centres)[0]


def without_topic(n_topics: int, topic: int) -> sparse.dia_matrix:
    """topics x topics: every topic keeps its counts but ``topic``, which keeps none."""
    keep = np.ones(n_topics, dtype=np.float32)
    keep[topic] = 0.0
    return sparse.diags(keep)


@dataclass
class TopicMapping:
    """How a refit's topics relate to the old ones."""

    new_to_old: dict[int, int]  # refit topic -> old id it keeps
    added: list[int]  # refit topics with no old counterpart (get fresh ids)
    merged: list[tuple[list[int], int]]  # old ids whose articles now share one refit topic
    split: list[tuple[int, list[int]]]  # old id -> refit topics holding a large part of it
    removed: list[int]  # old ids no refit topic continues


def match_topics(old_labels: np.ndarray, new_labels: np.ndarray, min_jaccard: float = 0.2) -> TopicMapping:
    """Map refit topics onto old ids by the articles they share (optimal one-to-one matching)."""
    old_ids = np.unique(old_labels)
    new_ids = np.unique(new_labels)
    old_pos = {t: i for i, t in enumerate(old_ids)}
    new_pos = {t: i for i, t in enumerate(new_ids)}
    overlap = np.zeros((len(new_ids), len(old_ids)))
    np.add.at(overlap, ([new_pos[t] for t in new_labels], [old_pos[t] for t in old_labels]), 1)
    new_sizes = overlap.sum(axis=1, keepdims=True)
    old_sizes = overlap.sum(axis=0, keepdims=True)
    jaccard = overlap / (new_sizes + old_sizes - overlap)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-jaccard)
    new_to_old = {int(new_ids[r]): int(old_ids[c]) for r, c in zip(rows, cols) if jaccard[r, c] >= min_jaccard}
    added = [int(t) for t in new_ids if int(t) not in new_to_old]
    kept_old = set(new_to_old.values())
    share_of_old = overlap / old_sizes  # where each old topic's articles went
    merged = []
    for r, new_topic in enumerate(new_ids):
        majority = [int(old_ids[c]) for c in range(len(old_ids)) if share_of_old[r, c] > 0.5]
        if len(majority) >= 2:
            merged.append((majority, int(new_topic)))
    split = []
    for c, old_topic in enumerate(old_ids):
        parts = [int(new_ids[r]) for r in range(len(new_ids)) if share_of_old[r, c] > 0.25]
        if len(parts) >= 2:
            split.append((int(old_topic), parts))
    removed = [int(t) for t in old_ids if int(t) not in kept_old]
    return TopicMapping(new_to_old, added, merged, split, removed)


@dataclass
class Renumbering:
    """A refit's topics under their final ids: ``final`` (refit -> final id), ``source`` (final id ->
    the refit topic it holds, -1 for a placeholder row) and ``rows`` (final x refit) to move counts."""

    final: dict[int, int]
    source: np.ndarray
    rows: sparse.csr_matrix

    def moved(self, centroids: np.ndarray, topics: Sequence[Topic]) -> tuple[np.ndarray, list[Topic]]:
        """The centres and topics under their final ids (placeholders: zero centre, empty topic)."""
        moved_centroids = np.zeros((len(self.source), centroids.shape[1]), dtype=np.float32)
        moved_topics = [Topic(k, [], 0) for k in range(len(self.source))]
        for dest, source in enumerate(self.source):
            if source >= 0:
                moved_centroids[dest] = centroids[source]
                moved_topics[dest] = Topic(dest, topics[source].keywords, topics[source].size, topics[source].lines)
        return moved_centroids, moved_topics


def renumbering(mapping: TopicMapping, first_free: int, n_refit: int) -> Renumbering:
    """Give refit topics the old ids they matched and fresh ids (from ``first_free``) to the rest;
    rows for ids that no refit topic holds become retired placeholders."""
    final = dict(mapping.new_to_old)
    for i, topic in enumerate(mapping.added):
        final[topic] = first_free + i
    width = max(list(final.values()) + [first_free - 1]) + 1
    source = np.full(width, -1)
    for refit, dest in final.items():
        source[dest] = refit
    held = source >= 0
    rows = sparse.csr_matrix((np.ones(int(held.sum()), dtype=np.float32), (np.flatnonzero(held), source[held])),
                             shape=(width, n_refit))
    return Renumbering(final, source, rows)


def continuing_ids(mapping: TopicMapping | None, story_ids: np.ndarray, highest_old: int) -> dict[int, int]:
    """Refit story id -> final id: a story that continues an old one (``match_topics`` on the
    articles they share) keeps its id, every other story a fresh one past ``highest_old``."""
    kept = dict(mapping.new_to_old) if mapping is not None else {}
    fresh = iter(range(highest_old + 1, highest_old + 1 + len(story_ids)))
    return {int(s): kept[int(s)] if int(s) in kept else next(fresh) for s in story_ids}
