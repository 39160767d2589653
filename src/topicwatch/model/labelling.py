"""The estimator's partition tasks: labelling one partition of texts, and its features for an update.

Plain functions of a partition and the fitted model (shared), returning plain data, so any runner can
run them: here, in worker processes, on Dask (see ``work.py``). Their results add up (``+`` on the
counts), which is why a cluster run equals a local one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from .article_lines import ArticleLine, ArticleLiner
from .describe import TopicTermCounts, count_terms, doc_term_matrix
from .stories import StoryGrain
from .work import Runner, partition_bounds


class FittedModel(Protocol):
    """What labelling needs of a fitted ``TopicModel``."""

    vocabulary_: list[str]
    centroids_: np.ndarray
    story_grain_: StoryGrain

    def analyze(self, texts: Sequence[str]) -> list[list[str]]: ...

    def combined_features(self, vectors: np.ndarray, doc_term: sparse.csr_matrix) -> np.ndarray: ...

    def assign_features(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def features(self, texts: Sequence[str], embeddings: np.ndarray | None = None
                 ) -> tuple[np.ndarray, sparse.csr_matrix]: ...

    @property
    def partition_size(self) -> int: ...


@dataclass
class PartitionLabels:
    labels: np.ndarray
    scores: np.ndarray
    counts: TopicTermCounts
    lines: list[ArticleLine]
    stories: np.ndarray  # story id of each article
    story_counts: TopicTermCounts  # rows: the model's story rows


@dataclass
class LabelJob:
    """One partition to label: its texts, their terms when already known, and their vectors."""

    texts: Sequence[str]
    terms: Sequence[list[str]] | None
    vectors: np.ndarray


def label_partition(job: LabelJob, model: FittedModel, liner: ArticleLiner) -> PartitionLabels:
    """Nearest topic, its similarity, the per-topic term counts and each article's own line, for one
    partition."""
    terms = job.terms if job.terms is not None else model.analyze(job.texts)
    doc_term = doc_term_matrix(terms, model.vocabulary_)
    features = model.combined_features(np.asarray(job.vectors, np.float32), doc_term)
    labels, scores = model.assign_features(features)
    counts = count_terms(doc_term, labels, len(model.centroids_), model.vocabulary_)
    story_index = model.story_grain_.index
    stories = story_index.assign(features, labels)
    story_counts = count_terms(doc_term, story_index.rows_of(stories), len(story_index.ids), model.vocabulary_)
    return PartitionLabels(labels, scores, counts, liner.lines(terms, labels, job.texts, doc_term), stories, story_counts)


def features_partition(part: tuple[Sequence[str], np.ndarray], model: FittedModel
                       ) -> tuple[np.ndarray, sparse.csr_matrix]:
    """(features, term counts) of one partition, with the model's vocabulary."""
    texts, vectors = part
    return model.features(texts, vectors)


def label_all(model: FittedModel, texts: Sequence[str], vectors: np.ndarray, runner: Runner, liner: ArticleLiner,
              terms: Sequence[list[str]] | None = None, done: Callable[[int], None] | None = None) -> PartitionLabels:
    """``label_partition`` over every text, one partition per task on ``runner``, added up in order.
    ``terms``: the texts' terms when already known, so they are not analysed again; ``done`` hears
    how many texts are labelled after each partition."""
    n = len(texts)
    labels, scores = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float32)
    stories = np.empty(n, dtype=np.int64)
    lines: list[ArticleLine] = []
    stats = TopicTermCounts.empty(model.vocabulary_, len(model.centroids_))
    story_stats = TopicTermCounts.empty(model.vocabulary_, len(model.story_grain_.index.ids))
    bounds = partition_bounds(n, model.partition_size, runner.workers)
    parts = (LabelJob(texts[start:stop], None if terms is None else terms[start:stop], vectors[start:stop])
             for start, stop in bounds)
    for (start, stop), part in zip(bounds, runner.imap(label_partition, parts, runner.share(model), runner.share(liner))):
        labels[start:stop], scores[start:stop], stories[start:stop] = part.labels, part.scores, part.stories
        lines.extend(part.lines)
        stats = stats + part.counts
        story_stats = story_stats + part.story_counts
        if done is not None:
            done(stop)
    return PartitionLabels(labels, scores, stats, lines, stories, story_stats)


def features_in_parts(model: FittedModel, texts: Sequence[str], vectors: np.ndarray, runner: Runner
                      ) -> tuple[np.ndarray, sparse.csr_matrix]:
    """``features_partition`` over every text, one partition per task on ``runner``, stacked in order."""
    bounds = partition_bounds(len(texts), model.partition_size, runner.workers)
    parts = ((texts[start:stop], vectors[start:stop]) for start, stop in bounds)
    done = list(runner.imap(features_partition, parts, runner.share(model)))
    return np.vstack([f for f, _ in done]), sparse.vstack([d for _, d in done]).tocsr()


def count_in_parts(doc_term: sparse.csr_matrix, labels: np.ndarray, n_topics: int, vocabulary: list[str],
                   size: int) -> TopicTermCounts:
    """Per-topic term counts of some articles, ``size`` rows at a time (the counts add up)."""
    stats = TopicTermCounts.empty(vocabulary, n_topics)
    for start in range(0, doc_term.shape[0], size):
        stats = stats + count_terms(doc_term[start:start + size], labels[start:start + size], n_topics, vocabulary)
    return stats


def texts_features(model: FittedModel, texts: Sequence[str], vectors: np.ndarray, runner: Runner | None
                   ) -> tuple[np.ndarray, sparse.csr_matrix]:
    """(features, term counts) of new texts; partitions run as ``runner``'s tasks when it is remote."""
    if runner is not None and runner.remote and len(texts) > 0:
        return features_in_parts(model, texts, vectors, runner)
    doc_term = doc_term_matrix(model.analyze(texts), model.vocabulary_)
    if len(texts) == 0:
        return np.zeros((0, model.centroids_.shape[1]), np.float32), doc_term
    return model.combined_features(vectors, doc_term), doc_term
