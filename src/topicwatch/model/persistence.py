"""A fitted model as bytes and back: one uncompressed npz blob (JSON state beside the arrays).

``FittedState`` is everything a fitted ``TopicModel`` learned; ``TopicModel.to_bytes`` hands one
over and ``TopicModel.from_bytes`` takes one back, so the model's state is only ever set by its own
methods.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .aliases import AliasTable
from .describe import TopicTermCounts
from .lexical import LexicalView
from .stories import StoryGrain, StoryIndex
from .terms import PhraseTable, TermAnalyzer, Tokenizer
from .topics import Story, Topic


@dataclass
class FittedState:
    """What a fitted model learned (``params``: its constructor's arguments, ``embedding`` a name)."""

    params: dict[str, Any]
    analyzer: TermAnalyzer
    vocabulary: list[str]
    lexical: LexicalView | None
    centroids: np.ndarray
    topics: list[Topic]
    retired: set[int]  # topics that take no articles of their own (split, merged, placeholders)
    merged_into: dict[int, int]  # merged topic -> the topic that holds its articles now
    similarity_floor: float
    typical_similarity: float
    term_languages: list[str] | None
    common_terms: frozenset[str]
    term_stats: TopicTermCounts
    stories: StoryGrain  # which story each fitted article is in is not kept (known right after a fit only)
    script_means: np.ndarray | None = None  # each script's mean vector, taken out (model/scripts.py)


def encode(state: FittedState) -> bytes:
    tokenizer = state.analyzer.tokenizer
    meta = {
        "params": state.params,
        "boilerplate": sorted(tokenizer.boilerplate),
        "aliases": tokenizer.aliases.canonical_of,
        "phrases": sorted(" ".join(p) for p in state.analyzer.phrases.phrases),
        "vocabulary": state.vocabulary,
        "topics": [[t.keywords, t.size, *([t.lines] if t.lines else [])] for t in state.topics],
        # One map on disk, as before the two fields: a retired topic -> where its articles go, -1: nowhere.
        "retired": {str(k): state.merged_into.get(k, -1) for k in sorted(state.retired)},
        "similarity_floor": state.similarity_floor,
        "typical_similarity": state.typical_similarity,
        "term_languages": state.term_languages,
        "common_terms": sorted(state.common_terms),
        "stories": [[st.story, st.topic, st.keywords, st.size] for st in state.stories.stories],
    }
    stats, stories = state.term_stats, state.stories.stats
    arrays = {"centroids": state.centroids, "state": np.frombuffer(json.dumps(meta).encode(), np.uint8),
              "topic_sizes": stats.topic_sizes, **_sparse_arrays("counts", stats.counts),
              **_sparse_arrays("doc_counts", stats.doc_counts)}
    arrays.update(story_centres=state.stories.index.centres, story_topics=state.stories.index.topics,
                  story_ids=state.stories.index.ids, story_sizes=stories.topic_sizes,
                  **_sparse_arrays("story_counts", stories.counts),
                  **_sparse_arrays("story_doc_counts", stories.doc_counts))
    if state.script_means is not None:
        arrays.update(script_means=state.script_means)
    if state.lexical is not None:
        arrays.update(idf=state.lexical.idf, components=state.lexical.components)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # uncompressed: updates rewrite it, and zlib cost more than the bytes
    return buffer.getvalue()


def decode(blob: bytes) -> FittedState:
    arrays = np.load(io.BytesIO(blob))
    meta = json.loads(arrays["state"].tobytes().decode())
    aliases = AliasTable(meta["aliases"])
    params = {**meta["params"], "aliases": aliases}
    vocabulary = meta["vocabulary"]
    centroids = arrays["centroids"]
    # [keywords, size, lines per language]; models saved before lines per language have two fields.
    topics = [Topic(k, row[0], row[1], row[2] if len(row) > 2 else {}) for k, row in enumerate(meta["topics"])]
    retired_to = {int(k): int(v) for k, v in meta["retired"].items()}
    term_stats = TopicTermCounts(vocabulary, _sparse_from(arrays, "counts"), _sparse_from(arrays, "doc_counts"),
                                 arrays["topic_sizes"])
    if "story_ids" in arrays:
        story_index = StoryIndex(arrays["story_centres"], arrays["story_topics"], arrays["story_ids"])
        story_stats = TopicTermCounts(vocabulary, _sparse_from(arrays, "story_counts"),
                                      _sparse_from(arrays, "story_doc_counts"), arrays["story_sizes"])
        stories = [Story(int(t), keywords, size, story=int(i)) for i, t, keywords, size in meta["stories"]]
    else:  # saved before stories: each topic is one story
        story_index = StoryIndex(centroids, np.arange(len(centroids)), np.arange(len(centroids)))
        story_stats = term_stats
        stories = [Story(t.topic, list(t.keywords), t.size, story=t.topic) for t in topics]
    return FittedState(
        params=params,
        analyzer=TermAnalyzer(Tokenizer(frozenset(meta["boilerplate"]), aliases),
                              PhraseTable(frozenset(tuple(p.split()) for p in meta["phrases"]))),
        vocabulary=vocabulary,
        lexical=LexicalView(arrays["idf"], arrays["components"]) if "idf" in arrays else None,
        centroids=centroids, topics=topics, retired=set(retired_to),
        merged_into={k: v for k, v in retired_to.items() if v >= 0},
        similarity_floor=float(meta["similarity_floor"]), typical_similarity=float(meta["typical_similarity"]),
        term_languages=meta.get("term_languages"),  # absent in models saved before languages
        common_terms=frozenset(meta.get("common_terms", ())),  # absent before article lines
        term_stats=term_stats, stories=StoryGrain(story_index, stories, story_stats, np.zeros(0, np.int64)),
        script_means=arrays.get("script_means"),  # absent: one script, or saved before scripts
    )


def script_means_of(blob: bytes) -> np.ndarray | None:
    """A saved model's script means (``FittedState.script_means``) without decoding the rest."""
    arrays = np.load(io.BytesIO(blob))
    return arrays["script_means"] if "script_means" in arrays.files else None


def _sparse_arrays(name: str, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
    matrix = matrix.tocsr()
    return {f"{name}_data": matrix.data, f"{name}_indices": matrix.indices, f"{name}_indptr": matrix.indptr,
            f"{name}_shape": np.array(matrix.shape)}


def _sparse_from(arrays: np.lib.npyio.NpzFile, name: str) -> sparse.csr_matrix:
    shape = tuple(int(x) for x in arrays[f"{name}_shape"])
    return sparse.csr_matrix((arrays[f"{name}_data"], arrays[f"{name}_indices"], arrays[f"{name}_indptr"]), shape=shape)
