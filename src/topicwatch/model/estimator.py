"""TopicModel: the estimator that composes the stages (embed, terms, discover, assign, describe, evolve).

Its fitted state (the attributes ending in ``_``) is set only by its own methods; the stages it
composes are pure functions in their own modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from ..embed import Embedder, backend_named, backend_of, get_embedder
from ..embed.normalize import l2_normalize
from ..read.records import guess_language
from . import evolve
from .aliases import AliasTable
from .article_lines import DEFAULT_ARTICLE_TERMS, ArticleLine, ArticleLiner
from .assign import assign_topics
from .cluster import automatic_topic_count
from .describe import (
    TopicTermCounts,
    count_terms,
    doc_term_matrix,
    keyword_line,
    keyword_lists,
)
from .discover import discover, features_of, learn_sample_terms, sample_indices
from .labelling import count_in_parts, label_all, texts_features
from .languages import allowed_terms, lines_by_language, term_languages, topic_languages
from .persistence import FittedState, decode, encode
from .scripts import bridged, comparable, learn_script_means
from .stories import StoryGrain, fit_stories
from .topics import Labels, Story, Topic
from .work import LocalRunner, Progress, Runner, embed_all, report_progress

# Constructor arguments a saved model keeps, in the order it keeps them.
_SAVED_PARAMS = ("n_topics", "n_keywords", "seed", "sample_size", "partition_size", "max_topics_per_word",
                 "lexical_dims", "restarts")

__all__ = ["Labels", "Progress", "Story", "Topic", "TopicModel"]


class TopicModel:
    """Discover topics in a list of texts; scikit-learn's shape.

    >>> model = TopicModel(n_topics=5, embedding="fast", seed=0).fit(texts)   # doctest: +SKIP
    >>> model.labels_[:3], model.topics_[0].keyword_line                     # doctest: +SKIP

    Parameters are stored as given. ``n_topics=None`` picks a count from the archive size.
    ``embedding`` is ``"fast"``, ``"quality"`` or any object with ``name`` and ``encode(texts)``.
    ``sample_size`` bounds the articles used to fit centres, phrases and the lexical view; every
    article is still assigned and counted. ``partition_size`` is the unit of work for embedding,
    term counting and assignment (what a cluster runs as one task). ``lexical_dims`` sizes the
    lexical view clustered beside the embedding (0 turns it off).
    """

    def __init__(
        self,
        n_topics: int | None = None,
        embedding: str | Embedder = "fast",
        n_keywords: int = 10,
        seed: int = 0,
        sample_size: int = 60_000,
        partition_size: int = 20_000,
        aliases: AliasTable | None = None,
        max_topics_per_word: int = 1,
        lexical_dims: int = 100,
        restarts: int | None = None,
    ):
        self.n_topics = n_topics
        self.embedding = embedding
        self.n_keywords = n_keywords
        self.seed = seed
        self.sample_size = sample_size
        self.partition_size = partition_size
        self.aliases = aliases
        self.max_topics_per_word = max_topics_per_word
        self.lexical_dims = lexical_dims
        self.restarts = restarts  # discovery runs to choose from by coherence (None: see discover.py)

    # ---- fitting ----------------------------------------------------------------------------
    def fit(
        self, texts: Sequence[str], embeddings: np.ndarray | None = None, progress: Progress | None = None,
        languages: Sequence[str | None] | None = None, runner: Runner | None = None,
    ) -> TopicModel:
        """Learn topics from ``texts`` (optionally with their precomputed, L2-normalized embeddings).

        ``languages`` (one code or None per text; guessed when not given) decide which language each
        term is at home in, so that a keyword line only uses terms of its topic's language.
        Discovery (terms, phrases, the lexical view, topic centres) runs on a sample of at most
        ``sample_size`` texts; labelling and term counting of every text run partition by partition
        on ``runner`` (here by default, or a Dask cluster), with the same result either way.
        """
        runner = runner or LocalRunner()
        if len(texts) == 0:
            raise ValueError("no texts to fit")
        vectors = self.embed(texts, progress, runner) if embeddings is None else np.asarray(embeddings, np.float32)
        if len(vectors) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} embeddings")
        self.script_means_ = learn_script_means(texts, vectors)  # scripts.py: one space, the lexical view off
        vectors = comparable(texts, vectors, self.script_means_)
        if languages is not None and len(languages) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        sample = sample_indices(len(texts), self.sample_size, self.seed)
        vectors[sample] = bridged([texts[i] for i in sample], vectors[sample], self.script_means_)  # scripts.py
        sample_langs = [languages[i] for i in sample] if languages is not None else None
        learned = learn_sample_terms([texts[i] for i in sample], sample_langs, self.aliases)
        self.analyzer_, self.vocabulary_, self.common_terms_ = learned.analyzer, learned.vocabulary, learned.common
        self.term_languages_: list[str] | None = learned.term_languages
        sample_terms, sample_doc_term, passages = learned.terms, learned.doc_term, learned.passages
        k = self.n_topics or automatic_topic_count(len(texts))
        report_progress(progress, "cluster", 0, 1)
        restarts = self.restarts or (3 if backend_named(self.embedder_.name) == "quality" else 1)
        found = discover(vectors[sample], sample_doc_term, passages, k, seed=self.seed, restarts=restarts,
                         lexical_dims=self.lexical_dims if self.script_means_ is None else 0,
                         partition_size=self.partition_size, vocabulary=self.vocabulary_,
                         keyword_lists=self._keyword_lists)
        self.lexical_, self.centroids_ = found.lexical, found.centres
        self.retired_: set[int] = set()  # topics that take no articles of their own
        self.merged_into_: dict[int, int] = {}  # merged topic -> the topic that holds its articles
        report_progress(progress, "cluster", 1, 1)
        known_terms = sample_terms if len(sample) == len(texts) else None
        # Article lines are made in the same pass as labels, so their topic shares come from the sample.
        sample_labels = self.assign_features(found.features)[0]
        self.story_grain_ = StoryGrain.fitted(fit_stories(found.features, sample_labels, self.centroids_, self.seed),
                                              TopicTermCounts.empty(self.vocabulary_, 0), np.zeros(0, np.int64))
        sample_counts = count_terms(sample_doc_term, sample_labels, len(self.centroids_), self.vocabulary_)
        liner = ArticleLiner.from_counts(self.vocabulary_, sample_counts.doc_counts, sample_counts.topic_sizes,
                                         self.common_terms_)
        labelled = label_all(self, texts, vectors, runner, liner, known_terms,
                             lambda stop: report_progress(progress, "label", stop, len(texts)))
        self.labels_, self.scores_, self.term_stats_ = labelled.labels, labelled.scores, labelled.counts
        self.article_lines_ = labelled.lines
        self.story_grain_ = StoryGrain.fitted(self.story_grain_.index, labelled.story_counts, labelled.stories)
        # How well a typical article fits: new articles far below this may form new topics.
        self.similarity_floor_ = float(np.percentile(self.scores_, 5))
        self.typical_similarity_ = float(np.median(self.scores_))
        self.topics_ = [Topic(k, [], 0) for k in range(len(self.centroids_))]
        self.refresh_keywords(passages)
        return self

    def fit_transform(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        return self.fit(texts, embeddings).labels_

    def analyze(self, texts: Sequence[str]) -> list[list[str]]:
        """Each text's terms (words and learned phrases, boilerplate and stop words left out)."""
        return [self.analyzer_(t) for t in texts]

    def combined_features(self, vectors: np.ndarray, doc_term: sparse.csr_matrix) -> np.ndarray:
        """What topics are found on: the embedding, and beside it the lexical view (each unit-length)."""
        return features_of(vectors, doc_term, self.lexical_, self.partition_size)

    def count_terms(self, doc_term: sparse.csr_matrix, labels: np.ndarray) -> TopicTermCounts:
        """Per-topic term counts of some articles, partition by partition (mergeable by addition)."""
        return count_in_parts(doc_term, labels, len(self.centroids_), self.vocabulary_, self.partition_size)

    def _keyword_lists(self, stats: TopicTermCounts, passages: sparse.csr_matrix,
                       left_out: Iterable[int] = ()) -> list[list[str]]:
        return keyword_lists(stats, passages, self.allowed_terms(stats), self.n_keywords, self.max_topics_per_word,
                             left_out)

    def refresh_keywords(self, passages: sparse.csr_matrix, topics: set[int] | None = None) -> None:
        """Keyword lines of topics and stories anew from the term counts (only ``topics``' where given)."""
        keywords = self._keyword_lists(self.term_stats_, passages, self.retired_)
        lines = lines_by_language(self.term_stats_, passages, self.term_languages_ or [], keywords, self.n_keywords,
                                  self.max_topics_per_word, self.retired_)
        for k, topic in enumerate(self.topics_):
            topic.size = int(self.term_stats_.topic_sizes[k])
            if (topics is None or k in topics) and k not in self.retired_ and keywords[k]:
                topic.keywords, topic.lines = keywords[k], lines[k]
        self.story_grain_.refresh(self._keyword_lists(self.story_grain_.stats, passages), topics)

    # ---- living on: new articles, new topics, user edits (see evolve.py) ---------------------
    def add_topics(self, centroids: np.ndarray) -> list[int]:
        """Append topics (unit-length centres), each with one story; returns their new ids."""
        first = len(self.centroids_)
        self.centroids_ = np.vstack([self.centroids_, l2_normalize(centroids)]).astype(np.float32)
        ids = list(range(first, len(self.centroids_)))
        self.topics_.extend(Topic(k, [], 0) for k in ids)
        self.term_stats_ = self.term_stats_.with_topics(len(self.centroids_))
        return ids

    def label_new(self, features: np.ndarray, doc_term: sparse.csr_matrix) -> evolve.Labelled:
        """Label new articles; those that fit no topic (similarity below the fit's 5th percentile), when
        numerous and alike (``evolve.cohesive_groups``: at least ``new_topic_min_size`` articles, as
        tight as a typical topic), become new topics."""
        labels, scores = self.assign_features(features)
        result = evolve.Labelled(labels, scores)
        misfit = np.flatnonzero(scores < self.similarity_floor_)
        min_size = evolve.new_topic_min_size(self.topics_, self.retired_)
        groups = evolve.cohesive_groups(features[misfit], min_size, self.typical_similarity_, self.seed)
        if groups:
            ids = self.add_topics(np.stack([centre for centre, _, _ in groups]))
            for new_id, (_, members, member_scores) in zip(ids, groups):
                labels[misfit[members]] = new_id
                scores[misfit[members]] = member_scores
            result.new_topics = ids
        self.term_stats_ = self.term_stats_ + self.count_terms(doc_term, labels)
        return result

    def learn_terms(self, texts: Sequence[str], labels: np.ndarray, new_topics: Sequence[int]) -> list[str]:
        """Add the terms new topics' articles share that the archive never counted (``terms_to_learn``);
        returns them. The lexical view gives them no weight, so centres and assignments stay."""
        if not new_topics:
            return []
        term_lists = self.analyze(texts)
        added = evolve.terms_to_learn(term_lists, labels, new_topics, set(self.vocabulary_))
        if not added:
            return []
        counted = count_terms(doc_term_matrix(term_lists, added), labels, len(self.centroids_), added)
        self.vocabulary_ = [*self.vocabulary_, *added]
        self.term_stats_ = self.term_stats_.with_terms(self.vocabulary_, counted)
        self.story_grain_.widen(self.vocabulary_)
        if self.term_languages_:
            self.term_languages_ = [*self.term_languages_, *term_languages(
                term_lists, [guess_language(t) for t in texts], added)]
        if self.lexical_ is not None:
            self.lexical_.widen(len(added))
        return added

    def merge(self, target: int, others: Sequence[int]) -> None:
        """Fold ``others`` into ``target``: their counts and stories join it, and future articles near
        them go to it."""
        self.term_stats_ = self.term_stats_.regrouped(evolve.merge_rows(len(self.centroids_), target, others))
        self.merged_into_ = evolve.merged_into_after(self.merged_into_, target, others)
        self.retired_ = self.retired_ | set(others)
        self.story_grain_.move({other: target for other in others})

    def split(self, topic: int, features: np.ndarray, doc_term: sparse.csr_matrix, parts: int
              ) -> tuple[list[int], np.ndarray]:
        """Split a topic's articles (given by their features and terms) into ``parts`` new topics,
        each with one story; the old id and its stories are retired. Returns the new ids and each
        article's new topic."""
        if len(features) < parts:
            raise ValueError(f"topic {topic} has {len(features)} articles; cannot split it into {parts}")
        centres, parts_of = evolve.split_centres(features, parts, self.seed)
        ids = self.add_topics(centres)
        labels = np.asarray(ids)[parts_of]
        self.term_stats_ = (self.term_stats_.regrouped(evolve.without_topic(len(self.centroids_), topic))
                            + self.count_terms(doc_term, labels))
        self.retired_ = self.retired_ | {topic}
        self.story_grain_.retire(topic)
        return ids, labels

    def renumber(self, mapping: evolve.TopicMapping, first_free: int) -> dict[int, int]:
        """Give a refit model the old ids it matched and fresh ids (from ``first_free``) to the rest;
        rows no refit topic holds become retired placeholders. Returns refit -> final id."""
        moved = evolve.renumbering(mapping, first_free, len(self.centroids_))
        self.term_stats_ = self.term_stats_.regrouped(moved.rows)
        self.centroids_, self.topics_ = moved.moved(self.centroids_, self.topics_)
        self.retired_ = {k for k, source in enumerate(moved.source) if source < 0}
        self.merged_into_ = {}
        self.labels_ = np.array([moved.final[int(t)] for t in self.labels_])
        self.story_grain_.move({int(source): int(dest) for source, dest in moved.final.items()})
        return moved.final

    def label_stories(self, features: np.ndarray, doc_term: sparse.csr_matrix, labels: np.ndarray,
                      new_topics: Sequence[int] = ()) -> np.ndarray:
        """Story ids of newly labelled articles (their topics in ``labels``); each topic that is new
        (``new_topics``) first gets one story, its own centre. Their term counts join the stories'."""
        if len(new_topics):
            self.story_grain_.add(self.centroids_[list(new_topics)], np.asarray(new_topics))
        return self.story_grain_.label(features, doc_term, labels)

    def renumber_stories(self, new_ids: dict[int, int]) -> None:
        """Give stories other ids (a refit's continuing stories take their old ids)."""
        self.story_grain_.renumber(new_ids)

    def topic_languages(self, stats: TopicTermCounts | None = None) -> list[str | None]:
        """Each topic's language, from the terms it uses (None where the terms say nothing)."""
        counts = (stats or self.term_stats_).counts
        return topic_languages(counts, self.term_languages_) if self.term_languages_ else [None] * counts.shape[0]

    def allowed_terms(self, stats: TopicTermCounts | None = None) -> np.ndarray:
        """topics x terms: True where a term is at home in the topic's language (all True if unknown)."""
        if not self.term_languages_:
            return np.ones(((stats or self.term_stats_).counts.shape[0], len(self.vocabulary_)), dtype=bool)
        return allowed_terms(self.topic_languages(stats), self.term_languages_, self.vocabulary_)

    # ---- using a fitted model ---------------------------------------------------------------
    def transform(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Topic of each new text (nearest topic centre); existing topics are not changed."""
        return self.assign(texts, embeddings)[0]

    def assign(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(topic, similarity to its centre) of each text, partition by partition."""
        features, _ = self.features(texts, embeddings)
        return self.assign_features(features)

    def features(
        self, texts: Sequence[str], embeddings: np.ndarray | None = None, runner: Runner | None = None,
    ) -> tuple[np.ndarray, sparse.csr_matrix]:
        """(what topics are found on, the terms counted) for new texts, with this model's vocabulary;
        with a ``runner``, partition by partition as its tasks."""
        self._check_fitted()
        vectors = self.embed(texts, runner=runner) if embeddings is None else np.asarray(embeddings, np.float32)
        if len(vectors) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} embeddings")
        return texts_features(self, texts, comparable(texts, vectors, self.script_means_), runner)

    def assign_features(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest live topic; a topic merged into another hands its articles on to it."""
        usable = np.array([k not in self.retired_ or k in self.merged_into_ for k in range(len(self.centroids_))])
        labels, scores = assign_topics(features, self.centroids_, usable)
        for source, target in self.merged_into_.items():
            labels[labels == source] = target
        return labels, scores

    def keyword_lines(self, labels: np.ndarray | None = None) -> list[str]:
        """The topic keyword line of every article (by default the fitted ones)."""
        self._check_fitted()
        lines = [t.keyword_line for t in self.topics_]
        return [lines[k] for k in (self.labels_ if labels is None else labels)]

    def line_maker(self) -> ArticleLiner:
        """What article lines are computed from, as the model stands now (see ``article_lines``)."""
        self._check_fitted()
        stats = self.term_stats_
        return ArticleLiner.from_counts(self.vocabulary_, stats.doc_counts, stats.topic_sizes, self.common_terms_)

    def article_lines(self, terms: Sequence[Sequence[str]], labels: np.ndarray, texts: Sequence[str] | None = None,
                      doc_term: sparse.csr_matrix | None = None) -> list[ArticleLine]:
        """Each article's own keyword line, from its terms (``analyze``; ``doc_term``: their counts,
        when made already), its topic and its text."""
        return self.line_maker().lines(terms, labels, texts, doc_term)

    def describe(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> Labels:
        """Topic, similarity and own keyword line of new texts (each analysed once); the model is unchanged."""
        self._check_fitted()
        if len(texts) == 0:
            return Labels(np.zeros(0, np.int64), np.zeros(0, np.float32), [])
        vectors = self.embed(texts) if embeddings is None else np.asarray(embeddings, np.float32)
        terms = self.analyze(texts)
        doc_term = doc_term_matrix(terms, self.vocabulary_)
        labels, scores = self.assign_features(self.combined_features(comparable(texts, vectors, self.script_means_),
                                                                     doc_term))
        return Labels(labels, scores, self.article_lines(terms, labels, texts, doc_term))

    def article_line_texts(self, n_terms: int = DEFAULT_ARTICLE_TERMS) -> list[str]:
        """The fitted articles' own keyword lines as text (a topic's line where an article is too short)."""
        self._check_fitted()
        topic_lines = [t.keywords for t in self.topics_]
        return [line.text(n_terms) if line.terms else keyword_line(topic_lines[k], n_terms)
                for line, k in zip(self.article_lines_, self.labels_)]

    def embed(self, texts: Sequence[str], progress: Progress | None = None, runner: Runner | None = None) -> np.ndarray:
        """Embeddings of ``texts`` with this model's backend, partition by partition."""
        backend = self.embedding if isinstance(self.embedding, str) else None
        return embed_all(runner or LocalRunner(), self.embedder_, backend, texts,
                         lambda stop: report_progress(progress, "embed", stop, len(texts)))

    @property
    def stories_(self) -> list[Story]:
        return self.story_grain_.stories

    @property
    def embedder_(self) -> Embedder:
        if not hasattr(self, "_embedder"):
            self._embedder = get_embedder(self.embedding)
        return self._embedder

    def __getstate__(self) -> dict:
        """Pickled for cluster tasks without the loaded embedder (a worker loads its own)."""
        state = dict(self.__dict__)
        state.pop("_embedder", None)
        return state

    # ---- saving and loading (persistence.py) -------------------------------------------------
    def to_bytes(self) -> bytes:
        """Everything needed to label new articles later: one npz blob."""
        self._check_fitted()
        params = {name: getattr(self, name) for name in _SAVED_PARAMS} | {"embedding": self.embedder_.name}
        return encode(FittedState(
            params, self.analyzer_, self.vocabulary_, self.lexical_, self.centroids_, self.topics_, self.retired_,
            self.merged_into_, self.similarity_floor_, self.typical_similarity_, self.term_languages_,
            self.common_terms_, self.term_stats_, self.story_grain_, self.script_means_))

    @classmethod
    def from_bytes(cls, blob: bytes, embedding: str | Embedder | None = None) -> TopicModel:
        """A fitted model back from ``to_bytes``; ``embedding`` must produce the vectors it was fitted on."""
        state = decode(blob)
        params = dict(state.params)
        stored_embedding = params.pop("embedding")
        model = cls(embedding=embedding or backend_of(stored_embedding), **params)
        model._restore(state)
        return model

    def _restore(self, state: FittedState) -> None:
        self.analyzer_, self.vocabulary_, self.lexical_ = state.analyzer, state.vocabulary, state.lexical
        self.centroids_, self.topics_ = state.centroids, state.topics
        self.retired_, self.merged_into_ = state.retired, state.merged_into
        self.similarity_floor_, self.typical_similarity_ = state.similarity_floor, state.typical_similarity
        self.term_languages_, self.common_terms_ = state.term_languages, state.common_terms
        self.term_stats_, self.story_grain_, self.script_means_ = state.term_stats, state.stories, state.script_means

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise RuntimeError("this TopicModel is not fitted yet: call fit() first")
