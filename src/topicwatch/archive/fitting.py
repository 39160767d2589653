"""Fit: topics discovered over the whole archive, every article labelled, saved as the current model;
and the saving that fit, update, refit and edits share."""

from __future__ import annotations

from dataclasses import dataclass

from ..embed import Embedder, document_text, get_embedder
from ..model.aliases import AliasTable
from ..model.estimator import Progress, TopicModel
from ..model.scripts import backend_for
from ..store import ArchiveError, Assignment, representatives
from .embeddings import cached_embeddings
from .workspace import Workspace


@dataclass
class FitReport:
    model_id: int
    articles: int
    unique_texts: int
    topics: int
    backend: str


@dataclass
class Fitted:
    """A fitted model with, for every archived article in order, its id and its row in ``texts``."""

    model: TopicModel
    ids: list[str]
    rows: list[int]
    texts: list[str]


def fit(ws: Workspace, backend: str | Embedder = "auto", n_topics: int | None = None, seed: int = 0,
        aliases: AliasTable | None = None, progress: Progress | None = None) -> FitReport:
    """Discover topics over the whole archive and label every article (see ``Archive.fit``)."""
    fitted = fit_model(ws, backend, n_topics, seed, aliases, progress)
    with ws.store.transaction():
        model_id = save_new_model(ws, fitted, origin="fit")
    return FitReport(model_id, len(fitted.ids), len(fitted.texts), len(fitted.model.topics_),
                     fitted.model.embedder_.name)


def fit_model(ws: Workspace, backend: str | Embedder, n_topics: int | None, seed: int, aliases: AliasTable | None,
              progress: Progress | None) -> Fitted:
    """A model fitted on each distinct text once (a group of near-duplicates counts as its first)."""
    ws.store.require_writable()  # before minutes of work, not after
    ids, hashes = [], []
    unique_index: dict[str, int] = {}
    texts: list[str] = []
    languages: list[str | None] = []
    first_of = representatives(ws.store)  # near-duplicate -> its group's first article
    hash_of_first = {first: "" for first in first_of.values()}
    for part in ws.store.iter_articles():
        for a in part:
            if a.id in hash_of_first:
                hash_of_first[a.id] = a.hash
            ids.append(a.id)
            key = a.hash
            if a.id in first_of:  # a group's first precedes its members, so its hash is known
                key = hash_of_first.get(first_of[a.id]) or a.hash
            hashes.append(key)
            if key not in unique_index:
                unique_index[key] = len(texts)
                texts.append(document_text(a.title, a.text))
                languages.append(a.language)
    if not texts:
        raise ArchiveError(f"{ws.path}: the archive holds no articles (run 'topicwatch ingest' first)")
    embedder = get_embedder(backend_for(texts) if backend == "auto" else backend)
    vectors = cached_embeddings(ws, list(unique_index), texts, embedder, progress)
    model = TopicModel(n_topics=n_topics, embedding=embedder, seed=seed, aliases=aliases)
    model.fit(texts, embeddings=vectors, progress=progress, languages=languages, runner=ws.runner)
    return Fitted(model, ids, [unique_index[h] for h in hashes], texts)


def save_new_model(ws: Workspace, fitted: Fitted, origin: str, labels: dict[int, str] | None = None) -> int:
    """Store a freshly fitted model, every article's assignment and line, and its topics."""
    model = fitted.model
    params = {"n_topics": model.n_topics, "seed": model.seed, "backend": model.embedder_.name,
              "topics": len(model.topics_)}
    model_id = ws.store.create_model(model.embedder_.name, params, model.to_bytes())
    lines = [line.for_storage() for line in model.article_lines_]
    ws.store.put_assignments(model_id, (
        Assignment(fitted.ids[i], int(model.labels_[r]), float(model.scores_[r]), *lines[r],
                   int(model.story_grain_.labels[r]))
        for i, r in enumerate(fitted.rows)))
    save_topics(ws, model_id, model, {t.topic: origin for t in model.topics_}, labels or {})
    return model_id


def save_topics(ws: Workspace, model_id: int, model: TopicModel, origins: dict[int, str] | None = None,
                labels: dict[int, str] | None = None) -> None:
    """Write the model's state and topic rows, and a new keyword-line version where a line changed."""
    store = ws.store
    store.save_state(model_id, model.to_bytes())
    store.bump_revision()
    origins, labels = origins or {}, labels or {}
    store.put_topics(model_id, [
        {"topic": t.topic, "keywords": t.keywords, "lines": t.lines, "size": t.size, "origin": origins.get(t.topic, "fit"),
         "label": labels.get(t.topic), "retired": t.topic in model.retired_,
         "merged_into": model.merged_into_.get(t.topic)}
        for t in model.topics_
    ])
    for t in model.topics_:
        if t.topic not in model.retired_ and t.keywords:
            store.add_topic_version(model_id, t.topic, t.keywords)
    store.put_stories(model_id, ((st.story, st.topic, st.keywords) for st in model.story_grain_.stories))
