"""The partition tasks: plain functions of one partition, run here or as Dask tasks (see ``runner``).

Each takes its partition first and shared state (a fitted model, a backend name) after, and returns
plain data. Nothing here imports Dask.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from ..embed import Embedder, document_text, get_embedder
from ..read import InputPart, ReaderOptions, read_part
from ..read.datasets import child, write_lines, write_parquet
from ..read.minhash import Fingerprint, fingerprint
from ..read.records import Article, Reject
from ..run.local import Runner, partition_bounds
from .article_lines import ArticleLine, ArticleLiner, line_fields
from .describe import TopicTermCounts, count_terms, doc_term_matrix
from .places import Mention, places_of

if TYPE_CHECKING:
    from .estimator import TopicModel


@dataclass
class PreparedArticle:
    """An article read and normalized, with what the archive's indexes need of it."""

    article: Article
    fingerprint: Fingerprint
    places: list[Mention]


def prepare_part(part: InputPart, options: ReaderOptions) -> list[PreparedArticle | Reject]:
    """Read one input partition; fingerprint (near-duplicates) and find places of each article."""
    out: list[PreparedArticle | Reject] = []
    for item in read_part(part, options):
        if isinstance(item, Article):
            out.append(PreparedArticle(item, fingerprint(item.text), places_of(item.title, item.text)))
        else:
            out.append(item)
    return out


@lru_cache(maxsize=4)
def _worker_embedder(backend: str) -> Embedder:
    """One embedder per backend per process: a cluster worker loads its model once, not per task."""
    return get_embedder(backend)


def embed_texts(texts: Sequence[str], backend: str | Embedder) -> np.ndarray:
    """Vectors of one partition of texts."""
    embedder = _worker_embedder(backend) if isinstance(backend, str) else backend
    return embedder.encode(list(texts))


def encode_in_parts(
    runner: Runner, embedder: Embedder, backend: str | None, texts: Sequence[str], size: int = 4_096,
) -> Iterator[tuple[int, int, np.ndarray]]:
    """(start, stop, vectors) for partitions of ``texts``, in order. A cluster worker embeds with its
    own copy of ``backend`` when it names one; otherwise the embedder object itself travels."""
    bounds = partition_bounds(len(texts), size, runner.workers)
    how = backend if (backend and runner.remote) else embedder
    shared = runner.share(how)
    parts = (texts[start:stop] for start, stop in bounds)
    for (start, stop), vectors in zip(bounds, runner.imap(embed_texts, parts, shared)):
        yield start, stop, vectors


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


def label_partition(job: LabelJob, model: TopicModel, liner: ArticleLiner) -> PartitionLabels:
    """Nearest topic, its similarity, the per-topic term counts and each article's own line, for one
    partition."""
    terms = job.terms if job.terms is not None else model.analyze(job.texts)
    doc_term = doc_term_matrix(terms, model.vocabulary_)
    features = model._features(np.asarray(job.vectors, np.float32), doc_term)
    labels, scores = model.assign_features(features)
    counts = count_terms(doc_term, labels, len(model.centroids_), model.vocabulary_)
    stories = model.story_index_.assign(features, labels)
    story_counts = count_terms(doc_term, model.story_index_.rows_of(stories), len(model.story_index_.ids),
                               model.vocabulary_)
    return PartitionLabels(labels, scores, counts, liner.lines(terms, labels, job.texts, doc_term), stories, story_counts)


def features_partition(part: tuple[Sequence[str], np.ndarray], model: TopicModel) -> tuple[np.ndarray, sparse.csr_matrix]:
    """(features, term counts) of one partition, with the model's vocabulary."""
    texts, vectors = part
    return model.features(texts, vectors)


# ---- cluster datasets: labelling a corpus and exporting, one part file per partition ----------
@dataclass
class PartSummary:
    """What a dataset task reports back: rows written, articles per topic, rejects."""

    rows: int
    topic_sizes: dict[int, int]
    rejects: list[Reject]


def label_input_part(job: tuple[int, InputPart], model: TopicModel, options: ReaderOptions, out: str,
                     lines: dict[int, str], n_terms: int) -> PartSummary:
    """Read one input partition, label its articles with ``model``, write ``out/labels/part-N.parquet``."""
    index, part = job
    articles: list[Article] = []
    rejects: list[Reject] = []
    for item in read_part(part, options):
        (articles if isinstance(item, Article) else rejects).append(item)
    texts = [document_text(a.title, a.text) for a in articles]
    vectors = embed_texts(texts, model.embedding if isinstance(model.embedding, str) else model.embedder_)
    labelled = model.describe(texts, vectors)
    labels = labelled.labels
    write_parquet({
        "id": [a.id for a in articles], "topic": [int(t) for t in labels],
        "score": [float(s) for s in labelled.scores], **line_columns(labels, labelled.lines, lines, n_terms),
        "title": [a.title for a in articles],
        "date": [a.date for a in articles], "source": [a.source for a in articles],
    }, child(out, "labels", f"part-{index:05d}.parquet"))
    if rejects:
        write_lines([{"where": r.where, "reason": r.reason} for r in rejects],
                    child(out, "rejects", f"part-{index:05d}.jsonl"))
    return PartSummary(len(articles), dict(Counter(int(t) for t in labels)), rejects)


def line_columns(topics: Sequence[int], own: Sequence[ArticleLine], topic_lines: dict[int, str],
                 n_terms: int) -> dict[str, list[str]]:
    """The three line columns of every export (``line_fields``), one value per article."""
    rows = [line_fields(line, topic_lines[int(t)], n_terms) for t, line in zip(topics, own)]
    return {name: [row[name] for row in rows] for name in ("article_line", "topic_line", "line_source")}


def write_export_part(job: tuple[str, dict[str, list]]) -> int:
    """Write one part of an export (columns) to its target; returns its row count."""
    target, columns = job
    write_parquet(columns, target)
    return len(next(iter(columns.values()), []))
