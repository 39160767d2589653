"""The archive over time: updates that keep topic ids, and refits mapped onto the old ids.

Each is one transaction, so an interrupted update or refit leaves the archive exactly as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

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
from .embeddings import cached_embeddings
from .fetch import fetch_feed, is_url, remember_feed
from .fitting import fit_model, save_new_model, save_topics
from .ingest import IngestReport, ingest
from .workspace import Workspace


@dataclass
class UpdateReport:
    ingest: IngestReport | None  # None: nothing was read
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


def update(
    ws: Workspace, sources: Sequence[str | Path] = (), options: ReaderOptions | None = None, strict: bool = False,
    on_reject: Callable[[Reject], None] | None = None, progress: Progress | None = None,
) -> UpdateReport:
    """Ingest ``sources`` and label every article the current model has not seen, in one transaction
    (see ``Archive.update``)."""
    ws.store.require_writable()
    urls = [str(p) for p in sources if is_url(str(p))]
    paths = [p for p in sources if not is_url(str(p))]
    store = ws.store
    with tempfile.TemporaryDirectory(prefix="topicwatch-feeds-") as folder:
        fetched = [fetch_feed(store, url, Path(folder)) for url in urls]
        with store.transaction():
            reports = [ingest(ws, paths, options, strict=strict, on_reject=on_reject)] if paths else []
            for feed in fetched:
                if feed.path is not None:
                    feed_options = replace(options or ReaderOptions(), source=feed.url)
                    reports.append(ingest(ws, [feed.path], feed_options, strict=strict, on_reject=on_reject))
                remember_feed(store, feed)
            report = reports[0] if reports else None
            for other in reports[1:]:
                report.absorb(other)
            if report is not None and not report.committed:
                store.cancel()  # a --strict input had a reject: nothing of this update is kept
                return UpdateReport(report, 0)
            return _label_unseen(ws, report, progress)


def _label_unseen(ws: Workspace, report: IngestReport | None, progress: Progress | None) -> UpdateReport:
    """Label the articles the current model has not seen (inside the update's transaction)."""
    store = ws.store
    record, model = ws.load_model()
    fresh, copies = _copies_of_labelled(ws, record["id"], store.unassigned_articles(record["id"]))
    store.put_assignments(record["id"], copies)
    if not fresh:
        return UpdateReport(report, len(copies))
    ids, rows, texts, hashes = distinct_texts(fresh)
    vectors = cached_embeddings(ws, hashes, texts, model.embedder_, progress)
    features, doc_term = model.features(texts, vectors, runner=ws.runner)
    labelled = model.label_new(features, doc_term)
    stories = model.label_stories(features, doc_term, labelled.labels, labelled.new_topics)
    model.learn_terms(texts, labelled.labels, labelled.new_topics)
    changed = {int(t) for t in labelled.labels}
    before = {t.topic: list(t.keywords) for t in model.topics_}
    model.refresh_keywords(reference_passages(ws, model, texts), topics=changed)
    lines = [line.for_storage() for line in model.article_lines(model.analyze(texts), labelled.labels, texts)]
    store.put_assignments(record["id"], (
        Assignment(ids[i], int(labelled.labels[r]), float(labelled.scores[r]), *lines[r], int(stories[r]))
        for i, r in enumerate(rows)))
    save_topics(ws, record["id"], model, {t: "update" for t in labelled.new_topics})
    changed_lines = [t.topic for t in model.topics_ if before.get(t.topic) != t.keywords]
    return UpdateReport(report, len(ids) + len(copies), labelled.new_topics, changed_lines)


def _copies_of_labelled(ws: Workspace, model_id: int, fresh: list[StoredArticle]
                        ) -> tuple[list[StoredArticle], list[Assignment]]:
    """Split new articles into those to label and near-duplicates of labelled articles, which take
    their group first's topic and line (and are not counted again in its keyword line)."""
    first_of = representatives(ws.store)
    rest, copies = [], []
    for article in fresh:
        found = ws.store.assignment(model_id, first_of[article.id]) if article.id in first_of else None
        if found is None:
            rest.append(article)
        else:
            copies.append(found._replace(article=article.id))
    return rest, copies


def reference_passages(ws: Workspace, model: TopicModel, extra_texts: Sequence[str]) -> sparse.csr_matrix:
    """Passages of the new texts and of an evenly spread sample of the archive: what keyword lines
    are made to hold together on when only some topics change."""
    step = max(1, ws.store.count_articles() // REFERENCE_SAMPLE)
    sample = ws.store.spread_sample(step, REFERENCE_SAMPLE)
    texts = [document_text(title, text)[:REFERENCE_CHARS] for title, text in sample]
    texts += [t[:REFERENCE_CHARS] for t in extra_texts[:5_000]]
    return passage_term_matrix([model.analyzer_(t) for t in texts], model.vocabulary_)


def refit(ws: Workspace, backend: str | None = None, n_topics: int | None = None, seed: int | None = None,
          progress: Progress | None = None, aliases: AliasTable | None = None) -> RefitReport:
    """Fit anew over the whole archive, then give refit topics the old ids they continue (see
    ``Archive.refit``)."""
    store = ws.store
    record, old = ws.load_model()
    old_topic = {article: topic for article, topic, _ in store.assignments(record["id"])}
    old_labels = {t["topic"]: t["label"] for t in store.topics(record["id"], include_retired=True)}
    fitted = fit_model(
        ws, backend or _backend_name(old), n_topics if n_topics is not None else old.n_topics,
        old.seed if seed is None else seed, aliases or old.aliases, progress,
    )
    model = fitted.model
    per_article = np.array([model.labels_[r] for r in fitted.rows])
    common = [i for i, article in enumerate(fitted.ids) if article in old_topic]
    mapping = match_topics(np.array([old_topic[fitted.ids[i]] for i in common]), per_article[common])
    final = model.renumber(mapping, first_free=len(old.centroids_))
    old_story = store.story_of_articles(record["id"])
    with_story = [i for i in common if old_story.get(fitted.ids[i]) is not None]
    new_story = np.array([model.story_grain_.labels[r] for r in fitted.rows])
    story_mapping = match_topics(np.array([old_story[fitted.ids[i]] for i in with_story], dtype=np.int64),
                                 new_story[with_story]) if with_story else None
    highest = max((s for s in old_story.values() if s is not None), default=-1)  # None: labelled before stories
    model.renumber_stories(continuing_ids(story_mapping, model.story_grain_.index.ids, highest))
    labels = {final[new]: old_labels[old_id] for new, old_id in mapping.new_to_old.items()
              if old_labels.get(old_id)}
    with store.transaction():
        model_id = save_new_model(ws, fitted, origin="refit", labels=labels)
    sizes = {t.topic: t.size for t in model.topics_}
    return RefitReport(
        model_id, len(model.topics_) - len(model.retired_),
        {old_id: sizes[old_id] for old_id in mapping.new_to_old.values()},
        [final[t] for t in mapping.added],
        [(olds, final[new]) for olds, new in mapping.merged],
        [(old_id, [final[n] for n in news]) for old_id, news in mapping.split],
        mapping.removed,
    )


def distinct_texts(articles: Sequence[StoredArticle]) -> tuple[list[str], list[int], list[str], list[str]]:
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
