"""Stories: the second grain, inside each topic, at which a reader follows what happened.

A broad topic ("inter-Korean relations") holds several stories (a shelling, a family-reunion offer, a
joint declaration's anniversary). Each topic's articles are clustered on their own, and the number of
stories follows the data, not the topic's size: k-means for every count from 2 up to ``MAX_STORIES``
(each story at least ``MIN_STORY`` articles), and the count whose clustering separates best (the mean
silhouette, cosine distance, on up to ``SILHOUETTE_SAMPLE`` members) wins; a topic whose best split
separates no better than ``MIN_SILHOUETTE`` is one story. A story belongs to one topic for good: an
article's story is the nearest story centre among its own topic's stories.

Story ids are global integers held beside the centre rows (``StoryIndex.ids``), so a refit can give
a continuing story its old id without moving any row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..embed.normalize import l2_normalize
from .describe import TopicTermCounts, count_terms
from .kmeans import kmeans
from .topics import Story

MIN_STORY = 5
MAX_STORIES = 8
MIN_SILHOUETTE = 0.05
SILHOUETTE_SAMPLE = 1_000


@dataclass
class StoryIndex:
    """Story centres (rows), the topic each belongs to, and each row's story id."""

    centres: np.ndarray  # stories x dims, unit rows
    topics: np.ndarray  # stories: the topic of each
    ids: np.ndarray  # stories: the public id of each

    def assign(self, features: np.ndarray, topics: np.ndarray) -> np.ndarray:
        """The story id of each article: the nearest centre among its topic's stories (-1 where its
        topic has none)."""
        topics = np.asarray(topics, dtype=np.int64)
        out = np.full(len(features), -1, dtype=np.int64)
        if len(features) == 0 or len(self.centres) == 0:
            return out
        sims = np.asarray(features, np.float32) @ self.centres.T
        sims[self.topics[None, :] != topics[:, None]] = -np.inf
        best = sims.argmax(axis=1)
        has = np.isfinite(sims[np.arange(len(best)), best])
        out[has] = self.ids[best[has]]
        return out

    def rows_of(self, story_ids: np.ndarray) -> np.ndarray:
        """The centre row of each story id."""
        position = {int(s): r for r, s in enumerate(self.ids)}
        return np.array([position[int(s)] for s in story_ids], dtype=np.int64)

    def with_stories(self, centres: np.ndarray, topics: np.ndarray) -> tuple[StoryIndex, list[int]]:
        """This index with more stories (fresh ids after the highest); returns it and the new ids."""
        first = int(self.ids.max()) + 1 if len(self.ids) else 0
        new_ids = np.arange(first, first + len(centres))
        index = StoryIndex(np.vstack([self.centres, l2_normalize(centres)]).astype(np.float32),
                           np.concatenate([self.topics, np.asarray(topics, np.int64)]),
                           np.concatenate([self.ids, new_ids]))
        return index, [int(i) for i in new_ids]

    def renumbered(self, new_ids: dict[int, int]) -> StoryIndex:
        """The same stories under other ids (a refit giving continuing stories their old ids)."""
        return StoryIndex(self.centres, self.topics, np.array([new_ids.get(int(s), int(s)) for s in self.ids]))

    def reparented(self, moves: dict[int, int]) -> StoryIndex:
        """Stories of topics merged into others now belong to those (topic -> new topic)."""
        return StoryIndex(self.centres, np.array([moves.get(int(t), int(t)) for t in self.topics]), self.ids)


def fit_stories(features: np.ndarray, topics: np.ndarray, topic_centres: np.ndarray, seed: int = 0) -> StoryIndex:
    """Stories of every topic from its articles' features (a topic without any is one story, its own
    centre); ids run topic by topic, largest story first."""
    centres: list[np.ndarray] = []
    parents: list[int] = []
    for topic in range(len(topic_centres)):
        members = features[topics == topic]
        found = _topic_stories(members, seed) if len(members) else [topic_centres[topic]]
        centres.extend(found)
        parents.extend([topic] * len(found))
    return StoryIndex(np.vstack(centres).astype(np.float32), np.asarray(parents, np.int64),
                      np.arange(len(parents), dtype=np.int64))


def _topic_stories(members: np.ndarray, seed: int) -> list[np.ndarray]:
    """The story centres of one topic, largest story first."""
    whole = [l2_normalize(members.mean(axis=0, keepdims=True))[0]]
    most = min(MAX_STORIES, len(members) // MIN_STORY)
    if most < 2:
        return whole
    rng = np.random.default_rng(seed)
    sample = members if len(members) <= SILHOUETTE_SAMPLE else members[
        np.sort(rng.choice(len(members), SILHOUETTE_SAMPLE, replace=False))]
    similarity = sample @ sample.T
    best_score, best = MIN_SILHOUETTE, None
    for k in range(2, most + 1):
        fitted = l2_normalize(kmeans(members, k, seed=seed, n_init=1, max_iter=50).centres)
        sizes = np.bincount((members @ fitted.T).argmax(axis=1), minlength=k)
        if sizes.min() < MIN_STORY:
            continue
        score = silhouette(similarity, (sample @ fitted.T).argmax(axis=1))
        if score > best_score:
            best_score, best = score, (fitted, sizes)
    if best is None:
        return whole
    fitted, sizes = best
    return [fitted[i] for i in np.argsort(-sizes, kind="stable")]


def silhouette(similarity: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with cosine distance (1 - similarity), from the pairwise similarity matrix:
    written here because scikit-learn's import costs most of a second of every command."""
    groups = np.unique(labels)
    if len(groups) < 2:
        return -1.0
    distance = 1.0 - similarity
    member = labels[:, None] == groups[None, :]
    counts = member.sum(axis=0).astype(np.float64)
    totals = distance @ member  # points x groups: summed distance to each group
    own = member.argmax(axis=1)
    own_count = counts[own]
    a = np.where(own_count > 1, totals[np.arange(len(labels)), own] / np.maximum(own_count - 1, 1), 0.0)
    mean_to = totals / counts[None, :]
    mean_to[np.arange(len(labels)), own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own_count > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


@dataclass
class StoryGrain:
    """A fitted model's second grain: the stories' centres, topics and ids (``index``), what each says
    (``stories``: topic, size, keywords), their term counts (``stats``, one row per index row) and the
    story of each article the model was fitted on (``labels``). Changed only by its own methods,
    which only ``TopicModel`` calls."""

    index: StoryIndex
    stories: list[Story]
    stats: TopicTermCounts
    labels: np.ndarray

    @classmethod
    def fitted(cls, index: StoryIndex, stats: TopicTermCounts, labels: np.ndarray) -> StoryGrain:
        return cls(index, [Story(int(t), [], 0, story=int(s)) for s, t in zip(index.ids, index.topics)], stats,
                   labels)

    def label(self, features: np.ndarray, doc_term: sparse.csr_matrix, topics: np.ndarray) -> np.ndarray:
        """Story ids of newly labelled articles (their topics in ``topics``); their counts join."""
        stories = self.index.assign(features, topics)
        rows = self.index.rows_of(stories)
        self.stats = self.stats + count_terms(doc_term, rows, len(self.stories), self.stats.vocabulary)
        return stories

    def add(self, centres: np.ndarray, topics: np.ndarray) -> list[int]:
        """New stories (unit centres) of the given topics; returns their ids."""
        self.index, ids = self.index.with_stories(centres, topics)
        self.stories.extend(Story(int(t), [], 0, story=i) for i, t in zip(ids, topics))
        self.stats = self.stats.with_topics(len(self.stories))
        return ids

    def renumber(self, new_ids: dict[int, int]) -> None:
        """Give stories other ids (a refit's continuing stories take their old ids)."""
        self.index = self.index.renumbered(new_ids)
        self.labels = np.array([new_ids.get(int(s), int(s)) for s in self.labels], dtype=np.int64)
        for story in self.stories:
            story.story = new_ids.get(story.story, story.story)

    def move(self, moves: dict[int, int]) -> None:
        """Stories of topics merged into others belong to those now (topic -> topic)."""
        self.index = self.index.reparented(moves)
        for story in self.stories:
            story.topic = moves.get(story.topic, story.topic)

    def retire(self, topic: int) -> None:
        """A split topic's stories take no more articles and hold none (their counts are dropped)."""
        keep = (self.index.topics != topic).astype(np.float32)
        self.stats = self.stats.regrouped(sparse.diags(keep))
        self.index = StoryIndex(self.index.centres, np.where(keep > 0, self.index.topics, -1), self.index.ids)

    def widen(self, vocabulary: list[str]) -> None:
        """Room for terms added to the vocabulary (counted from the stories' next articles on)."""
        self.stats = self.stats.with_terms(vocabulary)

    def refresh(self, keywords: list[list[str]], topics: set[int] | None = None) -> None:
        """Sizes and topics from the counts and index; lines from ``keywords`` (one per row), for the
        stories of ``topics`` only when given."""
        for row, story in enumerate(self.stories):
            story.topic, story.size = int(self.index.topics[row]), int(self.stats.topic_sizes[row])
            if (topics is None or story.topic in topics) and keywords[row]:
                story.keywords = keywords[row]
