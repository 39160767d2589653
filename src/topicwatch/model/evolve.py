"""A fitted model living on: new articles join topics, new topics appear, users merge and split.

Topic ids are rows of the model's centre matrix and never change meaning: a new topic gets the next
row, a merged topic stays as a row that hands its articles on, a split topic's row is retired and its
parts get new rows. Old articles keep their topics; only the user's own edits move them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from ..embed.normalize import l2_normalize
from ..read.records import guess_language
from .assign import assign_topics
from .cluster import fit_centroids
from .describe import TopicTermCounts, count_terms, doc_term_matrix
from .estimator import Topic, TopicModel
from .languages import term_languages


@dataclass
class Labelled:
    """Topics of newly arrived articles, and the topics created for them."""

    labels: np.ndarray
    scores: np.ndarray
    new_topics: list[int] = field(default_factory=list)


def new_topic_min_size(model: TopicModel) -> int:
    """Articles a new topic needs: a quarter of the median live topic, at least 5."""
    sizes = [t.size for t in model.topics_ if t.topic not in model.retired_ and t.size > 0]
    return max(5, round(0.25 * float(np.median(sizes)))) if sizes else 5


def add_topics(model: TopicModel, centroids: np.ndarray) -> list[int]:
    """Append topics (unit-length centres); returns their new ids."""
    first = len(model.centroids_)
    model.centroids_ = np.vstack([model.centroids_, l2_normalize(centroids)]).astype(np.float32)
    ids = list(range(first, len(model.centroids_)))
    model.topics_.extend(Topic(k, [], 0) for k in ids)
    model.term_stats_ = model.term_stats_.with_topics(len(model.centroids_))
    return ids


def label_new_articles(model: TopicModel, features: np.ndarray, doc_term: sparse.csr_matrix) -> Labelled:
    """Label new articles; those that fit no topic, when numerous and alike, become new topics.

    An article fits poorly when its similarity to the nearest topic is below the fit's 5th
    percentile. Poorly fitting articles are clustered into as few groups as will do; a group
    becomes a topic when it has at least ``new_topic_min_size`` articles and holds together as
    tightly as a typical topic (mean similarity to its centre at least the fit's median).
    """
    labels, scores = model.assign_features(features)
    result = Labelled(labels, scores)
    misfit = np.flatnonzero(scores < model.similarity_floor_)
    min_size = new_topic_min_size(model)
    groups = _cohesive_groups(features[misfit], min_size, model.typical_similarity_, model.seed)
    if groups:
        ids = add_topics(model, np.stack([centre for centre, _, _ in groups]))
        for new_id, (_, members, member_scores) in zip(ids, groups):
            labels[misfit[members]] = new_id
            scores[misfit[members]] = member_scores
        result.new_topics = ids
    model.term_stats_ = model.term_stats_ + model.count_terms(doc_term, labels)
    return result


def learn_new_terms(
    model: TopicModel, texts: Sequence[str], labels: np.ndarray, new_topics: Sequence[int], min_share: float = 0.2,
) -> list[str]:
    """Add to the vocabulary the terms a new topic's articles share that the archive never used enough
    to count: a first wave of hacking stories brings "hackers", and the new topic's keyword line can
    say so. Returns the terms added.

    A term joins when at least ``max(2, min_share x members)`` of one new topic's articles use it. Its
    counts start with these articles (before them it was too rare to count); the lexical view gives
    it no weight, so topic centres and assignments do not move.
    """
    if not new_topics:
        return []
    known = set(model.vocabulary_)
    term_lists = [model.analyzer_(t) for t in texts]
    fresh: set[str] = set()
    for topic in new_topics:
        members = np.flatnonzero(labels == topic)
        used = Counter(term for i in members for term in set(term_lists[i]) if term not in known)
        needed = max(2, math.ceil(min_share * len(members)))
        fresh.update(term for term, n in used.items() if n >= needed)
    added = sorted(fresh)
    if not added:
        return []
    counted = count_terms(doc_term_matrix(term_lists, added), labels, len(model.centroids_), added)
    model.vocabulary_ = [*model.vocabulary_, *added]
    stats = model.term_stats_
    stats.vocabulary = model.vocabulary_
    stats.counts = sparse.hstack([stats.counts, counted.counts]).tocsr()
    stats.doc_counts = sparse.hstack([stats.doc_counts, counted.doc_counts]).tocsr()
    # Stories take the new words from their next articles on (this batch counted them by topic).
    story = model.story_stats_
    blank = sparse.csr_matrix((story.counts.shape[0], len(added)), dtype=np.float32)
    model.story_stats_ = TopicTermCounts(model.vocabulary_, sparse.hstack([story.counts, blank]).tocsr(),
                                     sparse.hstack([story.doc_counts, blank]).tocsr(), story.topic_sizes)
    if getattr(model, "term_languages_", None):
        model.term_languages_ = [*model.term_languages_, *term_languages(
            term_lists, [guess_language(t) for t in texts], added)]
    if model.lexical_ is not None:
        model.lexical_.widen(len(added))
    return added


def _cohesive_groups(
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


def merge_topics(model: TopicModel, target: int, others: list[int]) -> None:
    """Fold ``others`` into ``target``: their counts join it and future articles near them go to it."""
    stats = model.term_stats_
    move = sparse.identity(len(model.centroids_), format="lil", dtype=np.float32)
    for other in others:
        move[other, other] = 0.0
        move[target, other] = 1.0
        model.retired_[other] = target
        for source, dest in list(model.retired_.items()):
            if dest == other:
                model.retired_[source] = target
    move = move.tocsr()
    sizes = move @ stats.topic_sizes
    stats.counts, stats.doc_counts, stats.topic_sizes = move @ stats.counts, move @ stats.doc_counts, sizes
    model.move_stories({other: target for other in others})


def split_topic(
    model: TopicModel, topic: int, features: np.ndarray, doc_term: sparse.csr_matrix, parts: int
) -> tuple[list[int], np.ndarray]:
    """Split a topic's articles (given by their features and terms) into ``parts`` new topics.

    The old id is retired; returns the new ids and each article's new topic.
    """
    if len(features) < parts:
        raise ValueError(f"topic {topic} has {len(features)} articles; cannot split it into {parts}")
    centres = fit_centroids(features, parts, seed=model.seed)
    ids = add_topics(model, centres)
    sub_labels, _ = assign_topics(features, centres)
    labels = np.asarray(ids)[sub_labels]
    stats = model.term_stats_
    keep = np.ones(len(model.centroids_), dtype=np.float32)
    keep[topic] = 0.0
    drop = sparse.diags(keep)
    stats.counts, stats.doc_counts = (drop @ stats.counts).tocsr(), (drop @ stats.doc_counts).tocsr()
    stats.topic_sizes = stats.topic_sizes * keep
    model.term_stats_ = stats + model.count_terms(doc_term, labels)
    model.retired_[topic] = -1
    return ids, labels


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


def renumber(model: TopicModel, mapping: TopicMapping, first_free: int) -> dict[int, int]:
    """Give a refit model the old ids it matched and fresh ids (from ``first_free``) to the rest.

    Rows for ids that no refit topic holds become retired placeholders. Returns refit -> final id.
    """
    final = dict(mapping.new_to_old)
    for i, topic in enumerate(mapping.added):
        final[topic] = first_free + i
    width = max(list(final.values()) + [first_free - 1]) + 1
    centroids = np.zeros((width, model.centroids_.shape[1]), dtype=np.float32)
    topics = [Topic(k, [], 0) for k in range(width)]
    order = np.full(width, -1)
    for source, dest in final.items():
        centroids[dest] = model.centroids_[source]
        topics[dest] = Topic(dest, model.topics_[source].keywords, model.topics_[source].size)
        order[dest] = source
    permutation = sparse.csr_matrix(
        (np.ones(int((order >= 0).sum()), dtype=np.float32), (np.flatnonzero(order >= 0), order[order >= 0])),
        shape=(width, len(model.centroids_)),
    )
    stats = model.term_stats_
    stats.counts, stats.doc_counts = (permutation @ stats.counts).tocsr(), (permutation @ stats.doc_counts).tocsr()
    stats.topic_sizes = permutation @ stats.topic_sizes
    model.centroids_, model.topics_ = centroids, topics
    model.retired_ = {k: -1 for k in range(width) if order[k] < 0}
    model.labels_ = np.array([final[int(t)] for t in model.labels_])
    model.move_stories({int(source): int(dest) for source, dest in final.items()})
    return final


def continuing_ids(mapping: TopicMapping | None, story_ids: np.ndarray, highest_old: int) -> dict[int, int]:
    """Refit story id -> final id: a story that continues an old one (``match_topics`` on the
    articles they share) keeps its id, every other story a fresh one past ``highest_old``."""
    kept = dict(mapping.new_to_old) if mapping is not None else {}
    fresh = iter(range(highest_old + 1, highest_old + 1 + len(story_ids)))
    return {int(s): kept[int(s)] if int(s) in kept else next(fresh) for s in story_ids}
