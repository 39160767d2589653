"""The archive over time: updates that keep topic ids, refits mapped onto old ids, and user edits.

A mixin of ``Archive``: every method here is one transaction, so an interrupted update or edit
leaves the archive exactly as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from ..embed import document_text
from ..model.aliases import AliasTable
from ..model.describe import passage_term_matrix
from ..model.estimator import Progress, TopicModel
from ..model.evolve import continuing_ids, match_topics
from ..read import ReaderOptions
from ..read.records import Reject
from ..store import Assignment, StoredArticle, representatives
from .fetch import Fetched, fetch_feed, is_url, remember_feed

if TYPE_CHECKING:
    from .archive import IngestReport


@dataclass
class UpdateReport:
    ingest: IngestReport | None
    labelled: int
    new_topics: list[int] = field(default_factory=list)
    changed_lines: list[int] = field(default_factory=list)

    def summary(self) -> str:
        parts = [self.ingest.summary()] if self.ingest else []
        parts.append(f"labelled {self.labelled} new articles")
        if self.new_topics:
            parts.append("new topics " + ", ".join(map(str, self.new_topics)))
        return "; ".join(parts)


@dataclass
class RefitReport:
    model_id: int
    topics: int
    kept: dict[int, int]  # topic id -> its refit topic size
    added: list[int]
    merged: list[tuple[list[int], int]]
    split: list[tuple[int, list[int]]]
    removed: list[int]

    def summary(self) -> str:
        lines = [f"{self.topics} topics; kept the ids of {len(self.kept)}"]
        lines += [f"merged {', '.join(map(str, old))} -> {new}" for old, new in self.merged]
        lines += [f"split {old} -> {', '.join(map(str, new))}" for old, new in self.split]
        if self.added:
            lines.append("added " + ", ".join(map(str, self.added)))
        if self.removed:
            lines.append("ended " + ", ".join(map(str, self.removed)))
        return "\n".join(lines)


REFERENCE_SAMPLE = 1_000  # archived articles whose passages steer keyword lines during an update
REFERENCE_CHARS = 3_000  # of each: the lead is enough to see which terms meet


class ArchiveEvolution:
    """Methods of ``Archive`` that change topics after the first fit."""

    def _load_model(self) -> tuple[dict[str, Any], TopicModel]:
        record = self._model()
        return record, TopicModel.from_bytes(record["state"])

    # ---- update -----------------------------------------------------------------------------
    def update(
        self, sources: Sequence[str | Path] = (), options: ReaderOptions | None = None, strict: bool = False,
        on_reject: Callable[[Reject], None] | None = None, progress: Progress | None = None,
    ) -> UpdateReport:
        """Ingest ``sources`` (paths, or feed URLs fetched with conditional GET) and label every article
        the current model has not seen, all in one transaction.

        Existing articles keep their topics; new articles join the nearest topic, or form new topics
        when enough of them fit none. Keyword lines of topics that grew are recomputed and versioned.
        """
        urls = [str(p) for p in sources if is_url(str(p))]
        paths = [p for p in sources if not is_url(str(p))]
        with tempfile.TemporaryDirectory(prefix="topicwatch-feeds-") as folder:
            fetched = [fetch_feed(self.store, url, Path(folder)) for url in urls]
            try:
                with self.store.transaction():
                    return self._update_in_transaction(paths, fetched, options, strict, on_reject, progress)
            except _NothingToCommit as nothing:
                return nothing.report

    def _update_in_transaction(
        self, paths: Sequence[str | Path], fetched: list[Fetched], options: ReaderOptions | None, strict: bool,
        on_reject: Callable[[Reject], None] | None, progress: Progress | None,
    ) -> UpdateReport:
        reports = [self.ingest(paths, options, strict=strict, on_reject=on_reject)] if paths else []
        for feed in fetched:
            if feed.path is not None:
                feed_options = replace(options or ReaderOptions(), source=feed.url)
                reports.append(self.ingest([feed.path], feed_options, strict=strict, on_reject=on_reject))
            remember_feed(self.store, feed)
        report = _combined(reports)
        if report is not None and not report.committed:
            raise _NothingToCommit(UpdateReport(report, 0))
        record, model = self._load_model()
        fresh, copies = self._copies_of_labelled(record["id"], self.store.unassigned_articles(record["id"]))
        self.store.put_assignments(record["id"], copies)
        if not fresh:
            return UpdateReport(report, len(copies))
        ids, rows, texts, hashes = _distinct_texts(fresh)
        vectors = self.embeddings(hashes, texts, model.embedder_, progress)
        features, doc_term = model.features(texts, vectors, runner=self.runner)
        labelled = model.label_new(features, doc_term)
        stories = model.label_stories(features, doc_term, labelled.labels, labelled.new_topics)
        model.learn_terms(texts, labelled.labels, labelled.new_topics)
        changed = {int(t) for t in labelled.labels}
        before = {t.topic: list(t.keywords) for t in model.topics_}
        model.refresh_keywords(self._reference_passages(model, texts), topics=changed)
        lines = [line.for_storage() for line in model.article_lines(model.analyze(texts), labelled.labels, texts)]
        self.store.put_assignments(record["id"], (
            Assignment(ids[i], int(labelled.labels[r]), float(labelled.scores[r]), *lines[r], int(stories[r]))
            for i, r in enumerate(rows)))
        self._save_topics(record["id"], model, {t: "update" for t in labelled.new_topics})
        changed_lines = [t.topic for t in model.topics_ if before.get(t.topic) != t.keywords]
        return UpdateReport(report, len(ids) + len(copies), labelled.new_topics, changed_lines)

    def _copies_of_labelled(
        self, model_id: int, fresh: list[StoredArticle]
    ) -> tuple[list[StoredArticle], list[Assignment]]:
        """Split new articles into those to label and near-duplicates of labelled articles, which take
        their group first's topic and line (and are not counted again in its keyword line)."""
        first_of = representatives(self.store)
        rest, copies = [], []
        for article in fresh:
            found = self.store.assignment(model_id, first_of[article.id]) if article.id in first_of else None
            if found is None:
                rest.append(article)
            else:
                copies.append(found._replace(article=article.id))
        return rest, copies

    def _reference_passages(self, model: TopicModel, extra_texts: Sequence[str]) -> sparse.csr_matrix:
        """Passages of the new texts and of an evenly spread sample of the archive."""
        total = self.store.count_articles()
        step = max(1, total // REFERENCE_SAMPLE)
        sample = self.store.spread_sample(step, REFERENCE_SAMPLE)
        texts = [document_text(title, text)[:REFERENCE_CHARS] for title, text in sample]
        texts += [t[:REFERENCE_CHARS] for t in extra_texts[:5_000]]
        return passage_term_matrix([model.analyzer_(t) for t in texts], model.vocabulary_)

    # ---- refit ------------------------------------------------------------------------------
    def refit(
        self, backend: str | None = None, n_topics: int | None = None, seed: int | None = None,
        progress: Progress | None = None, aliases: AliasTable | None = None,
    ) -> RefitReport:
        """Fit anew over the whole archive, then give refit topics the old ids they continue.

        Matching is one-to-one by shared articles (Jaccard >= 0.2); user labels follow their ids.
        ``aliases`` replaces the current model's alias table (default: keep it).
        """
        record, old = self._load_model()
        old_topic = {article: topic for article, topic, _ in self.store.assignments(record["id"])}
        old_labels = {t["topic"]: t["label"] for t in self.store.topics(record["id"], include_retired=True)}
        fitted = self._fit_model(
            backend or _backend_name(old), n_topics if n_topics is not None else old.n_topics,
            old.seed if seed is None else seed, aliases or old.aliases, progress,
        )
        model = fitted.model
        per_article = np.array([model.labels_[r] for r in fitted.rows])
        common = [i for i, article in enumerate(fitted.ids) if article in old_topic]
        mapping = match_topics(np.array([old_topic[fitted.ids[i]] for i in common]), per_article[common])
        first_free = len(old.centroids_)
        final = model.renumber(mapping, first_free)
        old_story = self.store.story_of_articles(record["id"])
        with_story = [i for i in common if old_story.get(fitted.ids[i]) is not None]
        new_story = np.array([model.story_labels_[r] for r in fitted.rows])
        story_mapping = match_topics(np.array([old_story[fitted.ids[i]] for i in with_story], dtype=np.int64),
                                     new_story[with_story]) if with_story else None
        highest = max((s for s in old_story.values() if s is not None), default=-1)  # None: labelled before stories
        model.renumber_stories(continuing_ids(story_mapping, model.story_index_.ids, highest))
        labels = {final[new]: old_labels[old_id] for new, old_id in mapping.new_to_old.items()
                  if old_labels.get(old_id)}
        with self.store.transaction():
            model_id = self._save_new_model(fitted, origin="refit", labels=labels)
        sizes = {t.topic: t.size for t in model.topics_}
        return RefitReport(
            model_id, len(model.topics_) - len(model.retired_),
            {old_id: sizes[old_id] for old_id in mapping.new_to_old.values()},
            [final[t] for t in mapping.added],
            [(olds, final[new]) for olds, new in mapping.merged],
            [(old_id, [final[n] for n in news]) for old_id, news in mapping.split],
            mapping.removed,
        )

    # ---- edits ------------------------------------------------------------------------------
    def rename_topic(self, topic: int, label: str | None) -> None:
        """Give a topic a label of your own (None clears it); kept through updates and refits."""
        record = self._model()
        self._live_topic(record, topic)
        with self.store.transaction():
            self.store.set_label(record["id"], topic, label.strip() if label else None)

    def merge_topics(self, target: int, others: Sequence[int]) -> None:
        """Merge ``others`` into ``target``: their articles move to it, and so will future ones."""
        record, model = self._load_model()
        others = [o for o in dict.fromkeys(others) if o != target]
        if not others:
            raise ValueError("merge needs at least two different topics")
        for topic in (target, *others):
            self._live_topic(record, topic)
        model.merge(target, list(others))
        with self.store.transaction():
            self.store.merge_into(record["id"], target, others)
            model.refresh_keywords(self._reference_passages(model, []), topics={target})
            self._save_topics(record["id"], model)

    def split_topic(self, topic: int, parts: int = 2) -> list[int]:
        """Split a topic into ``parts`` new topics (new ids); its articles move to them."""
        record, model = self._load_model()
        self._live_topic(record, topic)
        if parts < 2:
            raise ValueError("split needs --into 2 or more")
        members = [self.store.article(a) for a, t, _ in self.store.assignments(record["id"]) if t == topic]
        ids, rows, texts, hashes = _distinct_texts(members)
        vectors = self.embeddings(hashes, texts, model.embedder_)
        features, doc_term = model.features(texts, vectors)
        new_ids, labels = model.split(topic, features, doc_term, parts)
        stories = model.label_stories(features, doc_term, labels, new_ids)
        with self.store.transaction():
            self.store.move_articles(record["id"], ((ids[i], int(labels[r]), int(stories[r])) for i, r in enumerate(rows)))
            model.refresh_keywords(self._reference_passages(model, texts), topics=set(new_ids))
            self._save_topics(record["id"], model, {t: "split" for t in new_ids})
        return new_ids

    def _live_topic(self, record: dict[str, Any], topic: int) -> None:
        live = {t["topic"] for t in self.store.topics(record["id"])}
        if topic not in live:
            raise ValueError(f"no topic {topic} in the current model (see 'topicwatch topics')")

    # ---- reading ----------------------------------------------------------------------------
    def new_topics(self) -> list[dict[str, Any]]:
        """Topics that updates created (what is new), newest first."""
        topics = [t for t in self.topics() if t["origin"] == "update"]
        return sorted(topics, key=lambda t: -t["created"])

    def keyword_history(self, topic: int) -> list[dict[str, Any]]:
        """Every version of a topic's keyword line, with when it was made and the dates it covered."""
        return self.store.topic_versions(self._model()["id"], topic)

    def topic_tree(self) -> dict[str, Any]:
        """Which topics merge first: average-linkage clustering of the live topic centres (cosine)."""
        _record, model = self._load_model()
        live = [t for t in self.topics()]
        if len(live) < 2:
            return {"topic": live[0]["topic"], "keyword_line": live[0]["keyword_line"]} if live else {}
        from scipy.cluster.hierarchy import linkage

        merges = linkage(model.centroids_[[t["topic"] for t in live]], method="average", metric="cosine")
        nodes: list[dict[str, Any]] = [{"topic": t["topic"], "keyword_line": t["keyword_line"],
                                        "label": t["label"], "size": t["size"]} for t in live]
        for a, b, distance, _ in merges:
            nodes.append({"distance": round(float(distance), 4), "children": [nodes[int(a)], nodes[int(b)]],
                          "size": nodes[int(a)]["size"] + nodes[int(b)]["size"]})
        return nodes[-1]


class _NothingToCommit(Exception):
    """Raised inside an update's transaction to roll it back and return this report."""

    def __init__(self, report: UpdateReport):
        super().__init__("rolled back")
        self.report = report


def _combined(reports: list[IngestReport]) -> IngestReport | None:
    if not reports:
        return None
    first = reports[0]
    for other in reports[1:]:
        for name in ("ingested", "duplicates", "same_text", "rejected"):
            setattr(first.counts, name, getattr(first.counts, name) + getattr(other.counts, name))
        first.rejects.extend(other.rejects)
        first.committed = first.committed and other.committed
    return first


def _distinct_texts(articles: Sequence[StoredArticle]) -> tuple[list[str], list[int], list[str], list[str]]:
    """(ids, row in texts per id, distinct texts, their hashes) for a list of articles."""
    ids, rows, texts, hashes = [], [], [], []
    index: dict[str, int] = {}
    for a in articles:
        if a.hash not in index:
            index[a.hash] = len(texts)
            texts.append(document_text(a.title, a.text))
            hashes.append(a.hash)
        ids.append(a.id)
        rows.append(index[a.hash])
    return ids, rows, texts, hashes


def _backend_name(model: TopicModel) -> str:
    return model.embedding if isinstance(model.embedding, str) else model.embedder_.name
