"""Search by meaning: the query's embedding against the article embeddings cached in the archive.

The meaning index holds every article's embedding row and filter fields as arrays, kept per archive
file and rebuilt only when articles were added (or the model changed); when only the archive's revision
moved (a merge, a split, an update: topics changed, embeddings did not) just its topic column is read
again. The query embedder is the one the model was fitted with, loaded once per process. A model fitted on
texts in more than one script takes each script's mean out of every vector (``model/scripts.py``):
the index and the query do the same here, so a Korean query finds English articles and the reverse.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..embed import BACKENDS, Embedder, get_embedder
from ..embed.multilingual import script_of
from ..embed.normalize import l2_normalize
from ..model.persistence import script_means_of
from ..store import Store


@dataclass
class _MeaningIndex:
    """Every article's embedding row and filter fields, as arrays (one per archive file and model)."""

    key: tuple[Any, ...]  # (model id, backend, newest seq): what the embedding rows depend on
    revision: int  # the archive's revision the topic column was read at
    seqs: np.ndarray  # int64, article seq
    ids: tuple[str, ...]  # article ids (a tuple: numpy's str arrays would drop trailing NULs)
    rows: np.ndarray  # int64, row in vectors (-1: no embedding)
    topics: np.ndarray  # int64, topic in the model (-1: none)
    dates: np.ndarray  # str ('' when undated)
    languages: np.ndarray
    sources: np.ndarray
    vectors: np.ndarray  # float32 [n_texts, d], L2-normalized (each script's mean out, where the model has them)
    script_means: np.ndarray | None  # the model's, for the query

    def mask(self, topic: int | None, date_from: str | None, date_to: str | None, language: str | None,
             source: str | None) -> np.ndarray:
        keep = self.rows >= 0
        if topic is not None:
            keep &= self.topics == topic
        if date_from is not None:
            keep &= (self.dates != "") & (self.dates >= date_from)
        if date_to is not None:
            keep &= (self.dates != "") & (self.dates <= date_to + "\uffff")
        if language is not None:
            keep &= self.languages == language
        if source is not None:
            keep &= self.sources == source
        return keep


_CACHE_LOCK = threading.Lock()
_ENCODE_LOCK = threading.Lock()  # tokenizers are not thread-safe ("Already borrowed"): one query at a time
_INDEXES: dict[str, _MeaningIndex] = {}
_EMBEDDERS: dict[str, Embedder] = {}


def _meaning_index(store: Store, model: dict[str, Any]) -> _MeaningIndex:
    """The model's meaning index of this archive file, rebuilt only when articles were added; its topic
    column is read again when the archive's revision moved (topics were edited or updated)."""
    newest = store.newest_seq()
    key = (model["id"], model["backend"], newest)  # articles are only ever added, so seq tells new ones
    revision = store.revision()  # bumped by every change to topics: merge, split, update, refit
    path = str(Path(store.path).resolve())
    with _CACHE_LOCK:
        cached = _INDEXES.get(path)
        if cached is not None and cached.key == key:
            if cached.revision == revision:
                return cached
            # A new index object, never an edit in place: a search running on the old one stays whole.
            index = dataclasses.replace(cached, revision=revision, topics=_topic_column(store, model, cached.ids))
        else:
            index = _build_meaning_index(store, model, key, revision)
        _INDEXES[path] = index
        return index


def _topic_column(store: Store, model: dict[str, Any], ids: tuple[str, ...]) -> np.ndarray:
    """Each article's topic in the model as it is stored now (-1: none)."""
    topic_of = store.topic_of_articles(model["id"])
    return np.fromiter((topic_of.get(article_id, -1) for article_id in ids), np.int64, count=len(ids))


def _build_meaning_index(store: Store, model: dict[str, Any], key: tuple[Any, ...],
                         revision: int) -> _MeaningIndex:
    row_of: dict[str, int] = {}
    blobs: list[bytes] = []
    for digest, blob in store.archived_embeddings(model["backend"]):
        row_of[digest] = len(blobs)
        blobs.append(blob)
    vectors = (np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1) if blobs
               else np.zeros((0, 1), np.float32))
    seqs, ids, rows, dates, languages, sources = [], [], [], [], [], []
    for seq, article_id, digest, day, language, source in store.article_fields():
        seqs.append(seq)
        ids.append(article_id)
        rows.append(row_of.get(digest, -1))
        dates.append(day or "")
        languages.append(language or "")
        sources.append(source or "")
    article_ids = tuple(ids)
    means = script_means_of(store.model_state(model["id"]))
    if means is not None and len(blobs):
        scripts = np.ones(len(blobs), np.int64)  # a text's script, from its article's language
        scripts[[row for row, language in zip(rows, languages) if row >= 0 and language == "ko"]] = 0
        vectors = l2_normalize(vectors - means[scripts])
    return _MeaningIndex(key, revision, np.asarray(seqs, np.int64), article_ids, np.asarray(rows, np.int64),
                         _topic_column(store, model, article_ids), np.asarray(dates, dtype=str),
                         np.asarray(languages, dtype=str), np.asarray(sources, dtype=str), vectors, means)


def query_embedder(store: Store, model: dict[str, Any]) -> Embedder:
    """The embedder the model was fitted with (its backend's cache name), loaded once per process."""
    name = model["backend"]
    with _CACHE_LOCK:
        if name not in _EMBEDDERS:
            for backend in BACKENDS:
                candidate = get_embedder(backend)
                if candidate.name == name:
                    _EMBEDDERS[name] = candidate
                    break
            else:
                from ..model.estimator import TopicModel

                _EMBEDDERS[name] = TopicModel.from_bytes(store.model_state(model["id"])).embedder_
        return _EMBEDDERS[name]


def meaning_ranking(store: Store, query: str, model: dict[str, Any] | None, depth: int,
                    topic: int | None = None, date_from: str | None = None, date_to: str | None = None,
                    language: str | None = None, source: str | None = None,
                    within: set[int] | None = None) -> list[tuple[int, float]]:
    """(seq, cosine similarity) of the ``depth`` articles closest to the query, best first (ties: earlier
    seq), among those with a cached embedding that pass the filters (``within``: these seqs only);
    [] before a fit."""
    if model is None:
        return []
    index = _meaning_index(store, model)
    if not len(index.vectors):
        return []
    mask = index.mask(topic, date_from, date_to, language, source)
    if within is not None:
        mask &= np.isin(index.seqs, np.fromiter(within, dtype=np.int64, count=len(within)))
    keep = np.flatnonzero(mask)
    if not len(keep):
        return []
    embedder = query_embedder(store, model)
    with _ENCODE_LOCK:
        vector = np.asarray(embedder.encode([query])[0], np.float32)
    if index.script_means is not None:
        vector = l2_normalize((vector - index.script_means[script_of(query)])[None])[0]
    if vector.shape[0] != index.vectors.shape[1]:
        return []
    # einsum: one thread, no BLAS pool to wake per request (gemv paid milliseconds of wake-ups under load)
    text_scores = np.einsum("ij,j->i", index.vectors, vector)
    scores = text_scores[index.rows[keep]]
    top = min(depth, len(keep))
    best = np.argpartition(-scores, top - 1)[:top]
    seqs = index.seqs[keep]
    best = best[np.lexsort((seqs[best], -scores[best]))]
    return [(int(seq), float(score)) for seq, score in zip(seqs[best], scores[best])]


def warm_meaning(store: Store, model: dict[str, Any]) -> None:
    """Build the meaning index and load the query embedder (what a first meaning search would wait for)."""
    _meaning_index(store, model)
    embedder = query_embedder(store, model)
    with _ENCODE_LOCK:
        embedder.encode(["warm up"])
