"""The archive API: what every CLI command calls. One ``Archive`` per archive file."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Self

import numpy as np

from ..analyze.over_time import TopicTrends, topic_trends
from ..embed import BACKENDS, Embedder, backend_named, document_text, get_embedder
from ..model.aliases import AliasTable
from ..model.article_lines import DEFAULT_ARTICLE_TERMS, STORED_TERMS, ArticleLine, line_fields
from ..model.describe import keyword_line
from ..model.estimator import Progress, TopicModel
from ..model.evaluate import Scores, score_topics
from ..model.places import article_ids_with_place, place_counts, place_index, place_rows, topic_mentions
from ..model.work import encode_in_parts
from ..read import InputPart, ReaderOptions, check_options, plan_parts, read_inputs
from ..read.datasets import child, mark_complete, prepare_dataset, write_lines
from ..read.records import Article, Reject
from ..run.local import LocalRunner, ProcessRunner, Runner, fork_is_safe, local_cores
from ..store import (
    ArchiveError,
    Assignment,
    DuplicateIndex,
    IngestCounts,
    NewArticle,
    PlaceIndex,
    Store,
    StoredArticle,
    duplicate_groups,
    representatives,
)
from .evolution import ArchiveEvolution
from .tasks import (
    PartSummary,
    PreparedArticle,
    label_input_part,
    line_columns,
    prepare_part,
    write_export_part,
)

DEFAULT_ARCHIVE = "topicwatch.db"
EXPORT_FORMATS = ("jsonl", "csv", "seed", "parquet")
EXPORT_PART_ROWS = 100_000


@dataclass
class IngestReport:
    counts: IngestCounts
    rejects: list[Reject] = field(default_factory=list)
    committed: bool = True

    def summary(self) -> str:
        c = self.counts
        extra = f" ({c.same_text} repeat an archived text)" if c.same_text else ""
        state = "" if self.committed else " - nothing ingested (--strict)"
        return f"ingested {c.ingested}{extra} / duplicates {c.duplicates} / rejected {c.rejected}{state}"


@dataclass
class LabelReport:
    """What ``label_dataset`` wrote: articles labelled, per topic, and rejects."""

    out: str
    articles: int = 0
    topic_sizes: dict[int, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)

    def add(self, part: PartSummary) -> None:
        self.articles += part.rows
        for topic, n in part.topic_sizes.items():
            self.topic_sizes[topic] = self.topic_sizes.get(topic, 0) + n
        self.rejects.extend(part.rejects)

    def summary(self) -> str:
        return (f"labelled {self.articles} articles into {len(self.topic_sizes)} topics / rejected "
                f"{len(self.rejects)} -> {self.out}")


@dataclass
class FitReport:
    model_id: int
    articles: int
    unique_texts: int
    topics: int
    backend: str


class Archive(ArchiveEvolution):
    """An archive file: ingest articles, fit topics, read them back, export and evaluate."""

    def __init__(self, path: str | Path = DEFAULT_ARCHIVE, *, create: bool = True, runner: Runner | None = None):
        """``runner`` runs the partitioned stages (default: here; ``make_runner("local:2")``: Dask).
        The archive file stays on this machine and is written by this process only."""
        self.path = Path(path)
        self.store = Store(self.path, create=create)
        self.runner: Runner = runner or LocalRunner()
        self._processes: ProcessRunner | None = None

    def close(self) -> None:
        if self._processes is not None:
            self._processes.close()
            self._processes = None
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- ingest -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        options: ReaderOptions | None = None,
        strict: bool = False,
        on_reject: Callable[[Reject], None] | None = None,
        on_article: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Read the inputs into the archive in one transaction.

        Good records go in, bad ones are kept in the ``rejects`` table and passed to ``on_reject``.
        With ``strict`` any reject rolls the whole batch back. Re-ingesting the same input adds nothing.
        Each new article's places and near-duplicate group are found and stored in the same transaction.
        """
        report = IngestReport(IngestCounts())
        counts = report.counts
        options = options or ReaderOptions()
        check_options(options)
        runner = self._reading_runner()
        plan = list(plan_parts(self._for_workers(paths), workers=runner.workers))
        parts = [p for p in plan if isinstance(p, InputPart)]
        if len(parts) < 2:
            runner = self.runner
        found = chain([[p for p in plan if isinstance(p, Reject)]],
                      runner.imap(prepare_part, parts, runner.share(options)))
        try:
            with self.store.transaction():
                batch = self.store.start_batch([str(p) for p in paths])
                indexes = _Indexes(place_index(self.store), DuplicateIndex(self.store))
                indexes.places.catch_up()  # articles archived before these indexes existed
                indexes.duplicates.catch_up()
                for partition in found:
                    stored: list[tuple[int, PreparedArticle]] = []
                    for item in partition:
                        if isinstance(item, PreparedArticle):
                            item = self._accept(item, batch, counts, stored)
                            if on_article is not None:
                                on_article(counts.ingested + counts.duplicates + counts.rejected)
                        if isinstance(item, Reject):
                            counts.rejected += 1
                            if len(report.rejects) < 10_000:  # all are in the archive; keep memory bounded
                                report.rejects.append(item)
                            self.store.add_reject(item, batch)
                            if on_reject is not None:
                                on_reject(item)
                    indexes.add(stored)
                self.store.finish_batch(batch, counts)
                indexes.places.finish()
                indexes.duplicates.finish()
                if strict and counts.rejected:
                    raise _StrictRollback()
        except _StrictRollback:
            report.committed = False
        return report

    def _accept(
        self, prepared: PreparedArticle, batch: int, counts: IngestCounts, stored: list[tuple[int, PreparedArticle]],
    ) -> Reject | None:
        """Store one article; a new one is added to ``stored`` (seq, article) for the indexes."""
        article = prepared.article
        try:
            outcome = self.store.add_article(article, batch)
        except ValueError as exc:
            return Reject(article.where or article.id, str(exc), article.text[:200])
        if outcome == "duplicate":
            counts.duplicates += 1
        else:
            counts.ingested += 1
            counts.same_text += outcome == "same_text"
            stored.append((self.store.seq_of(article.id), prepared))
        return None

    def _reading_runner(self) -> Runner:
        """Where input partitions are read and prepared: the archive's runner, except that on one
        machine with several cores a pool of forked worker processes does it (reading, normalizing and
        fingerprinting are Python-bound, so threads could not share the work out). A process that has
        already loaded a library with native threads (torch, say) reads here instead: forking it is
        not safe, and starting clean interpreters would cost more than the reading."""
        if self._processes is None and isinstance(self.runner, LocalRunner) and local_cores() > 1 and fork_is_safe():
            self._processes = ProcessRunner()
        return self._processes or self.runner

    def _for_workers(self, paths: Sequence[str | Path]) -> list[str | Path]:
        """Input paths as cluster workers must see them: absolute (their working folder is not ours)."""
        return [Path(p).absolute() for p in paths] if self.runner.remote else list(paths)

    def rejects(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self.store.rejects(limit)

    # ---- embeddings -------------------------------------------------------------------------
    def embeddings(
        self, hashes: Sequence[str], texts: Sequence[str], embedder: Embedder, progress: Progress | None = None,
        partition_size: int = 4_096,
    ) -> np.ndarray:
        """Embeddings for texts keyed by content hash; cached in the archive per (hash, backend).

        Texts not in the cache are embedded partition by partition on the archive's runner (here, or
        cluster workers that each load the model once) and cached as each partition comes back.
        """
        vectors: np.ndarray | None = None
        missing: list[int] = []
        for start in range(0, len(hashes), partition_size):
            part_hashes = hashes[start : start + partition_size]
            cached = self.store.cached_embeddings(part_hashes, embedder.name)
            for i, h in enumerate(part_hashes):
                if h in cached:
                    if vectors is None:
                        vectors = np.empty((len(hashes), len(cached[h])), dtype=np.float32)
                    vectors[start + i] = cached[h]
                else:
                    missing.append(start + i)
        done = len(hashes) - len(missing)
        if progress is not None:
            progress("embed", done, len(hashes))
        backend = _backend_name_of(embedder)
        missing_texts = [texts[i] for i in missing]
        for start, stop, fresh in encode_in_parts(self.runner, embedder, backend, missing_texts, partition_size):
            rows = missing[start:stop]
            if vectors is None:
                vectors = np.empty((len(hashes), fresh.shape[1]), dtype=np.float32)
            vectors[rows] = fresh
            with self.store.transaction():
                self.store.put_embeddings([hashes[i] for i in rows], fresh, embedder.name)
            if progress is not None:
                progress("embed", done + stop, len(hashes))
        return vectors if vectors is not None else np.zeros((0, 1), np.float32)

    # ---- fit --------------------------------------------------------------------------------
    def fit(
        self,
        backend: str | Embedder = "fast",
        n_topics: int | None = None,
        seed: int = 0,
        aliases: AliasTable | None = None,
        progress: Progress | None = None,
    ) -> FitReport:
        """Discover topics over the whole archive and label every article; becomes the current model.

        Each distinct text is embedded and counted once, and so is each group of near-duplicates (its
        first article stands for it and every member gets its topic), so reposts do not weigh twice.
        """
        fitted = self._fit_model(backend, n_topics, seed, aliases, progress)
        with self.store.transaction():
            model_id = self._save_new_model(fitted, origin="fit")
        return FitReport(model_id, len(fitted.ids), len(fitted.texts), len(fitted.model.topics_),
                         fitted.model.embedder_.name)

    def _fit_model(
        self, backend: str | Embedder, n_topics: int | None, seed: int, aliases: AliasTable | None,
        progress: Progress | None,
    ) -> _Fitted:
        ids, hashes = [], []
        unique_index: dict[str, int] = {}
        texts: list[str] = []
        languages: list[str | None] = []
        first_of = representatives(self.store)  # near-duplicate -> its group's first article
        hash_of_first = {first: "" for first in first_of.values()}
        for part in self.store.iter_articles():
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
            raise ArchiveError(f"{self.path}: the archive holds no articles (run 'topicwatch ingest' first)")
        embedder = get_embedder(backend)
        vectors = self.embeddings(list(unique_index), texts, embedder, progress)
        model = TopicModel(n_topics=n_topics, embedding=embedder, seed=seed, aliases=aliases)
        model.fit(texts, embeddings=vectors, progress=progress, languages=languages, runner=self.runner)
        return _Fitted(model, ids, [unique_index[h] for h in hashes], texts)

    def _save_new_model(self, fitted: _Fitted, origin: str, labels: dict[int, str] | None = None) -> int:
        model = fitted.model
        params = {"n_topics": model.n_topics, "seed": model.seed, "backend": model.embedder_.name,
                  "topics": len(model.topics_)}
        model_id = self.store.create_model(model.embedder_.name, params, model.to_bytes())
        lines = [line.for_storage() for line in model.article_lines_]
        self.store.put_assignments(model_id, (
            Assignment(fitted.ids[i], int(model.labels_[r]), float(model.scores_[r]), *lines[r],
                       int(model.story_labels_[r]))
            for i, r in enumerate(fitted.rows)))
        self._save_topics(model_id, model, {t.topic: origin for t in model.topics_}, labels or {})
        return model_id

    def _save_topics(
        self, model_id: int, model: TopicModel, origins: dict[int, str] | None = None,
        labels: dict[int, str] | None = None,
    ) -> None:
        """Write the model's state and topic rows, and a new keyword-line version where a line changed."""
        self.store.save_state(model_id, model.to_bytes())
        self.store.bump_revision()
        origins, labels = origins or {}, labels or {}
        self.store.put_topics(model_id, [
            {"topic": t.topic, "keywords": t.keywords, "size": t.size, "origin": origins.get(t.topic, "fit"),
             "label": labels.get(t.topic), "retired": t.topic in model.retired_,
             "merged_into": model.merged_into_.get(t.topic)}
            for t in model.topics_
        ])
        for t in model.topics_:
            if t.topic not in model.retired_ and t.keywords:
                self.store.add_topic_version(model_id, t.topic, t.keywords)
        self.store.put_stories(model_id, ((st.story, st.topic, st.keywords) for st in model.stories_))

    # ---- reading results --------------------------------------------------------------------
    def _model(self) -> dict[str, Any]:
        model = self.store.current_model()
        if model is None:
            raise ArchiveError(f"{self.path}: no topics yet (run 'topicwatch fit' first)")
        return model

    def topics(self, lang: str | None = None, place: str | None = None) -> list[dict[str, Any]]:
        """Every topic of the current model: id, size, date range, language, keywords and keyword line.

        ``lang`` keeps the topics most of whose articles are in that language. ``place`` keeps the
        topics with articles naming that place, most mentions first (``mentions`` says how many).
        """
        model_id = self._model()["id"]
        topics = self.store.topics(model_id)
        languages = self.store.topic_languages(model_id)
        for t in topics:
            t["keyword_line"] = keyword_line(t["keywords"])
            t["language"] = languages.get(t["topic"])
        if lang is not None:
            topics = [t for t in topics if t["language"] == lang]
        if place is not None:
            mentions = topic_mentions(self.store, model_id, place)
            for t in topics:
                t["mentions"] = mentions.get(t["topic"], 0)
            topics = sorted((t for t in topics if t["mentions"]), key=lambda t: (-t["mentions"], t["topic"]))
        return topics

    def stories(self, topic: int | None = None) -> list[dict[str, Any]]:
        """The stories inside topics (the second grain), by topic then size: story, topic, size, date
        range, keywords and keyword line; ``topic`` keeps one topic's stories."""
        model_id = self._model()["id"]
        if topic is not None and topic not in {t["topic"] for t in self.store.topics(model_id)}:
            raise ValueError(f"no topic {topic} in the current model (see 'topicwatch topics')")
        stories = self.store.stories(model_id, topic)
        for story in stories:
            story["keyword_line"] = keyword_line(story["keywords"])
        return stories

    def article(self, article_id: str, n_terms: int = DEFAULT_ARTICLE_TERMS) -> dict[str, Any]:
        """One article with its topic and keyword lines (topic is None before the first fit); its own
        line has at most ``n_terms`` terms."""
        stored = self.store.article(article_id)
        if stored is None:
            raise KeyError(f"no article with id {article_id!r} in {self.path}")
        return self._with_topic(stored, n_terms)

    def topic_articles(self, topic: int, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """A topic's articles, newest first (undated last), one page at a time."""
        model = self._model()
        ids = self.store.topic_article_ids(model["id"], topic, limit, offset)
        return [self._with_topic(self.store.article(article_id)) for article_id in ids]

    def trends(self, by: str = "month", place: str | None = None, dedupe: bool = True) -> TopicTrends:
        """Article counts per topic per period (day, week, month, year) of the current model.

        ``dedupe`` counts a group of near-duplicates once, at its earliest date; ``place`` counts only
        the articles that name that place.
        """
        articles = article_ids_with_place(self.store, place) if place is not None else None
        if dedupe:
            representatives(self.store)  # indexes articles archived before duplicates were tracked
        return topic_trends(self.store, self._model()["id"], by, dedupe=dedupe, articles=articles)

    def places(self, topic: int | None = None) -> list[dict[str, Any]]:
        """Articles per named place (province, city, county), with counts per topic once topics exist."""
        model = self.store.current_model()
        return place_counts(self.store, model["id"] if model else None, topic)

    def duplicates(self) -> list[dict[str, Any]]:
        """Groups of near-duplicate articles, largest first, each member with its similarity."""
        return duplicate_groups(self.store)

    def _with_topic(self, stored: StoredArticle, n_terms: int = DEFAULT_ARTICLE_TERMS) -> dict[str, Any]:
        """The article with its topic and lines: ``keyword_line`` is the header shown above it (its own
        line), beside ``article_line``, ``topic_line`` and ``line_source`` (see ``line_fields``)."""
        record = asdict(stored)
        record.update(topic=None, keyword_line=None, article_line=None, topic_line=None, line_source=None,
                      story=None)
        model = self.store.current_model()
        if model is not None:
            found = self.store.assignment(model["id"], stored.id)
            if found is not None:
                line = ArticleLine.stored(found.line, found.line_source)
                record.update(line_fields(line, self._lines(model["id"])[found.topic], n_terms), topic=found.topic,
                              story=found.story)
                record["keyword_line"] = record["article_line"]
        return record

    def _lines(self, model_id: int) -> dict[int, str]:
        return {t["topic"]: keyword_line(t["keywords"]) for t in self.store.topics(model_id)}

    # ---- export -----------------------------------------------------------------------------
    def export(self, out_dir: str | Path, fmt: str = "jsonl", n_terms: int = DEFAULT_ARTICLE_TERMS) -> list[Path | str]:
        """Write the current labels to ``out_dir``; files appear whole or not at all.

        Every article row carries its own line (``article_line``, at most ``n_terms`` terms), its
        topic's (``topic_line``) and ``line_source``; the seed format heads each article with its own.
        ``parquet`` writes ``assignments/part-*.parquet`` (one part per partition, written by the
        runner's workers) and ``topics.jsonl``; its ``out_dir`` may also be an fsspec URL (then the
        parts appear one by one and ``_SUCCESS``, written last, marks the export complete).
        """
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
        check_terms(n_terms)
        model = self._model()
        topics = self.store.topics(model["id"])
        lines = ExportLines({t["topic"]: keyword_line(t["keywords"]) for t in topics}, n_terms)
        if fmt == "parquet" and "://" in str(out_dir):
            target = str(out_dir)
            prepare_dataset(target)
            written = self._export_parquet_parts(target, model["id"], lines)
            write_lines([_topic_record(t) for t in topics], child(target, "topics.jsonl"))
            mark_complete(target, {"articles": written, "topics": len(topics)})
            return [child(target, "assignments"), child(target, "topics.jsonl")]
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
        try:
            written = _EXPORTERS[fmt](self, staging, model["id"], topics, lines)
            final = []
            for path in written:
                target = out / path.relative_to(staging)
                if path.is_dir() and target.exists():
                    shutil.rmtree(target)
                os.replace(path, target)
                final.append(target)
            return final
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _export_parquet_parts(self, target: str, model_id: int, lines: ExportLines) -> int:
        """Labelled articles as Parquet parts under ``target/assignments``, written by the runner."""
        def jobs():
            for index, rows in enumerate(self.store.labeled_articles(model_id, EXPORT_PART_ROWS)):
                ids, topics, scores, titles, dates, sources, own, own_sources = (list(c) for c in zip(*rows))
                stored = [ArticleLine.stored(line, source) for line, source in zip(own, own_sources)]
                yield child(target, "assignments", f"part-{index:05d}.parquet"), {
                    "id": ids, "topic": topics, "score": scores,
                    **line_columns(topics, stored, lines.topic_lines, lines.n_terms),
                    "title": titles, "date": dates, "source": sources}

        return sum(self.runner.imap(write_export_part, jobs()))

    def _article_lines(self, model_id: int, lines: ExportLines) -> Iterator[tuple[str, int, dict[str, str]]]:
        """(article id, topic, its line fields) of every labelled article, in ingest order."""
        for article_id, topic, own, source in self.store.article_lines(model_id):
            yield article_id, topic, line_fields(ArticleLine.stored(own, source), lines.topic_lines[topic],
                                                 lines.n_terms)

    def label_dataset(
        self, inputs: Sequence[str | Path], out: str, options: ReaderOptions | None = None,
        progress: Progress | None = None, n_terms: int = DEFAULT_ARTICLE_TERMS,
    ) -> LabelReport:
        """Label a corpus with the current model without adding it to the archive, partition by partition.

        Each input partition (read by the runner's workers: JSON Lines, Parquet, any reader) becomes
        ``out/labels/part-N.parquet`` (id, topic, score, article_line, topic_line, line_source, title,
        date, source); rejects go
        to ``out/rejects/``; ``out/topics.jsonl`` and ``out/_SUCCESS`` are written last. ``out`` is a
        folder or an fsspec URL that every worker can write to. The archive is only read.
        """
        options = options or ReaderOptions()
        check_options(options)
        check_terms(n_terms)
        record, model = self._load_model()
        every_topic = self.store.topics(record["id"], include_retired=True)
        lines = {t["topic"]: keyword_line(t["keywords"]) for t in every_topic}
        plan = list(plan_parts(self._for_workers(inputs), workers=self.runner.workers))
        parts = [p for p in plan if isinstance(p, InputPart)]
        unlisted = [p for p in plan if isinstance(p, Reject)]  # inputs that could not be listed
        report = LabelReport(out, rejects=list(unlisted))
        prepare_dataset(out)
        shared = [self.runner.share(x) for x in (model, options, out, lines, n_terms)]
        for done, summary in enumerate(self.runner.imap(label_input_part, enumerate(parts), *shared), start=1):
            report.add(summary)
            if progress is not None:
                progress("label", done, len(parts))
        if unlisted:
            write_lines([{"where": r.where, "reason": r.reason} for r in unlisted], child(out, "rejects", "inputs.jsonl"))
        write_lines([_topic_record(t) for t in every_topic if not t["retired"]], child(out, "topics.jsonl"))
        mark_complete(out, {"articles": report.articles, "rejected": len(report.rejects),
                            "model": record["id"], "archive": str(self.path)})
        return report

    def _labeled_rows(self, model_id: int) -> Iterable[tuple[str, int]]:
        for article_id, topic, _score in self.store.assignments(model_id):
            yield article_id, topic

    # ---- evaluation -------------------------------------------------------------------------
    def evaluate(self, label_field: str | None = None, unseen: Sequence[str | Path] = ()) -> Scores:
        """NPMI, C_V, diversity and outlier share of the current topics; NMI/ARI against a metadata field.

        ``unseen``: files of articles of the same source that are not in the archive: the topic lines'
        NPMI against them (``npmi_unseen``) is the figure that generalizes.
        """
        model = self._model()
        topic_of = dict(self._labeled_rows(model["id"]))
        texts, assigned, labels = [], [], []
        seen: set[str] = set()
        for part in self.store.iter_articles():
            for a in part:
                if a.hash not in seen:
                    seen.add(a.hash)
                    texts.append(document_text(a.title, a.text))
                if label_field is not None and a.metadata.get(label_field) not in (None, ""):
                    assigned.append(topic_of[a.id])
                    labels.append(str(a.metadata[label_field]))
        if label_field is not None and not labels:
            raise ValueError(f"no article has a value in the field {label_field!r}")
        keywords = [t["keywords"] for t in self.store.topics(model["id"])]
        read = list(read_inputs(unseen))
        unseen_texts = [document_text(a.title, a.text) for a in read if isinstance(a, Article)]
        if unseen and not unseen_texts:
            first = next((r for r in read if isinstance(r, Reject)), None)
            why = f" ({first.where}: {first.reason})" if first is not None else ""
            raise ValueError(f"the unseen reference holds no readable article{why}")
        scores = score_topics(keywords, texts, np.asarray(assigned or list(topic_of.values())),
                              labels if label_field is not None else None, unseen_texts=unseen_texts or None)
        return scores


@dataclass
class ExportLines:
    """What an export needs to write lines: each topic's line and how long an article's own line is."""

    topic_lines: dict[int, str]
    n_terms: int


def check_terms(n_terms: int) -> None:
    if not 1 <= n_terms <= STORED_TERMS:
        raise ValueError(f"--terms must be between 1 and {STORED_TERMS} (got {n_terms})")


@dataclass
class _Fitted:
    """A fitted model with, for every archived article in order, its id and its row in ``texts``."""

    model: TopicModel
    ids: list[str]
    rows: list[int]
    texts: list[str]


@dataclass
class _Indexes:
    """What ingest fills for each new article besides the article itself."""

    places: PlaceIndex
    duplicates: DuplicateIndex

    def add(self, stored: list[tuple[int, PreparedArticle]]) -> None:
        """Index one partition's new articles (in seq order)."""
        self.places.add_many([row for _, p in stored for row in place_rows(p.article.id, p.places)])
        self.duplicates.add_many([NewArticle(seq, p.article.id, p.article.content_hash, p.article.text, p.fingerprint)
                                  for seq, p in stored])


class _StrictRollback(Exception):
    """Raised inside the ingest transaction to undo a --strict batch."""


def _export_jsonl(archive: Archive, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    assignments = out / "assignments.jsonl"
    with open(assignments, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"id": article_id, "topic": topic, **fields}, ensure_ascii=False) + "\n"
                          for article_id, topic, fields in archive._article_lines(model_id, lines))
    topics_path = out / "topics.json"
    topics_path.write_text(json.dumps([_topic_record(t) for t in topics], ensure_ascii=False, indent=1),
                           encoding="utf-8")
    return [assignments, topics_path]


def _export_csv(archive: Archive, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    assignments = out / "assignments.csv"
    with open(assignments, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "topic", "article_line", "topic_line", "line_source"])
        for article_id, topic, fields in archive._article_lines(model_id, lines):
            writer.writerow([article_id, topic, fields["article_line"], fields["topic_line"], fields["line_source"]])
    topics_path = out / "topics.csv"
    with open(topics_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["topic", "size", "first_date", "last_date", "label", "keyword_line"])
        for t in topics:
            writer.writerow([t["topic"], t["size"], t["first_date"], t["last_date"], t["label"] or "",
                             lines.topic_lines[t["topic"]]])
    return [assignments, topics_path]


_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def seed_file_name(article_id: str, taken: set[str]) -> str:
    """A file name for an article id: safe characters only, made unique when two ids fold together."""
    base = _UNSAFE_RE.sub("_", article_id).strip("._")[:120] or "article"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name + ".txt"


def _export_seed(archive: Archive, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    folder = out / "seed"
    folder.mkdir()
    taken: set[str] = set()
    header = {article_id: fields["article_line"] for article_id, _, fields in archive._article_lines(model_id, lines)}
    for part in archive.store.iter_articles():
        for a in part:
            body = a.text if not a.title or a.text.startswith(a.title) else f"{a.title}\n{a.text}"
            path = folder / seed_file_name(a.id, taken)
            path.write_text(f"{header[a.id]}\n{body}\n", encoding="utf-8")
    return [folder]


def _export_parquet(archive: Archive, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    archive._export_parquet_parts(str(out), model_id, lines)
    topics_path = out / "topics.jsonl"
    write_lines([_topic_record(t) for t in topics], str(topics_path))
    return [out / "assignments", topics_path]


def _topic_record(t: dict) -> dict:
    return {"topic": t["topic"], "keywords": t["keywords"], "size": t["size"], "label": t["label"]}


_EXPORTERS = {"jsonl": _export_jsonl, "csv": _export_csv, "seed": _export_seed, "parquet": _export_parquet}


def _backend_name_of(embedder: Embedder) -> str | None:
    """The backend name ('fast' / 'quality') a cluster worker can load for this embedder, if any."""
    backend = backend_named(embedder.name)
    return backend if backend is not None and isinstance(embedder, BACKENDS[backend]) else None
