"""The archive API: what every CLI command calls. One ``Archive`` per archive file.

``Archive`` is a thin front: each method is one call into the module of its use case (``ingest``,
``fitting``, ``updates``, ``edits``, ``reads``, ``export``, ``label_corpus``, ``evaluation``), which
all work on the same ``Workspace`` (the store and the runner).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np

from ..embed import Embedder
from ..model.aliases import AliasTable
from ..model.article_lines import DEFAULT_ARTICLE_TERMS
from ..model.estimator import Progress, TopicModel
from ..model.evaluate import Scores
from ..read import ReaderOptions
from ..read.records import Reject
from ..run import ProcessRunner, Runner
from ..store import Store
from . import edits, evaluation, export, fitting, ingest, label_corpus, reads, updates
from .embeddings import cached_embeddings
from .export import EXPORT_FORMATS
from .fitting import FitReport
from .ingest import IngestReport
from .label_corpus import LabelReport
from .trends import TopicTrends
from .updates import RefitReport, UpdateReport
from .workspace import DEFAULT_ARCHIVE, Workspace

__all__ = ["DEFAULT_ARCHIVE", "EXPORT_FORMATS", "Archive", "FitReport", "IngestReport", "LabelReport", "RefitReport",
           "UpdateReport"]


class Archive:
    """An archive file: ingest articles, fit topics, read them back, export and evaluate."""

    def __init__(self, path: str | Path = DEFAULT_ARCHIVE, *, create: bool = True, runner: Runner | None = None):
        """``runner`` runs the partitioned stages (default: here; ``make_runner("local:2")``: Dask).
        The archive file stays on this machine and is written by this process only."""
        self.workspace = Workspace(path, create=create, runner=runner)

    @property
    def path(self) -> Path:
        return self.workspace.path

    @property
    def store(self) -> Store:
        return self.workspace.store

    @property
    def runner(self) -> Runner:
        return self.workspace.runner

    @property
    def _processes(self) -> ProcessRunner | None:
        """The local worker pool that reads inputs, once one was needed (see ``Workspace.reading_runner``)."""
        return self.workspace._processes

    @_processes.setter
    def _processes(self, pool: ProcessRunner | None) -> None:
        self.workspace._processes = pool

    def close(self) -> None:
        self.workspace.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _load_model(self) -> tuple[dict[str, Any], TopicModel]:
        return self.workspace.load_model()

    # ---- ingest and embeddings --------------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path], options: ReaderOptions | None = None, strict: bool = False,
               on_reject: Callable[[Reject], None] | None = None,
               on_article: Callable[[int], None] | None = None) -> IngestReport:
        """Read the inputs into the archive in one transaction.

        Good records go in, bad ones are kept in the ``rejects`` table and passed to ``on_reject``.
        With ``strict`` any reject rolls the whole batch back. Re-ingesting the same input adds nothing.
        Each new article's places and near-duplicate group are found and stored in the same transaction.
        """
        return ingest.ingest(self.workspace, paths, options, strict, on_reject, on_article)

    def rejects(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self.store.rejects(limit)

    def embeddings(self, hashes: Sequence[str], texts: Sequence[str], embedder: Embedder,
                   progress: Progress | None = None, partition_size: int = 4_096) -> np.ndarray:
        """Embeddings for texts keyed by content hash; cached in the archive per (hash, backend)."""
        return cached_embeddings(self.workspace, hashes, texts, embedder, progress, partition_size)

    # ---- fit, update, refit -----------------------------------------------------------------
    def fit(self, backend: str | Embedder = "auto", n_topics: int | None = None, seed: int = 0,
            aliases: AliasTable | None = None, progress: Progress | None = None) -> FitReport:
        """Discover topics over the whole archive and label every article; becomes the current model.

        ``backend`` "auto": ``multilingual`` when the archive's texts are in more than one script
        (English and Korean), else ``fast``; or name one of ``topicwatch.embed.BACKENDS``.

        Each distinct text is embedded and counted once, and so is each group of near-duplicates (its
        first article stands for it and every member gets its topic), so reposts do not weigh twice.
        """
        return fitting.fit(self.workspace, backend, n_topics, seed, aliases, progress)

    def update(self, sources: Sequence[str | Path] = (), options: ReaderOptions | None = None, strict: bool = False,
               on_reject: Callable[[Reject], None] | None = None, progress: Progress | None = None) -> UpdateReport:
        """Ingest ``sources`` (paths, or feed URLs fetched with conditional GET) and label every article
        the current model has not seen, all in one transaction.

        Existing articles keep their topics; new articles join the nearest topic, or form new topics
        when enough of them fit none. Keyword lines of topics that grew are recomputed and versioned.
        """
        return updates.update(self.workspace, sources, options, strict, on_reject, progress)

    def refit(self, backend: str | None = None, n_topics: int | None = None, seed: int | None = None,
              progress: Progress | None = None, aliases: AliasTable | None = None) -> RefitReport:
        """Fit anew over the whole archive, then give refit topics the old ids they continue.

        Matching is one-to-one by shared articles (Jaccard >= 0.2); user labels follow their ids.
        ``aliases`` replaces the current model's alias table (default: keep it).
        """
        return updates.refit(self.workspace, backend, n_topics, seed, progress, aliases)

    # ---- edits ------------------------------------------------------------------------------
    def rename_topic(self, topic: int, label: str | None) -> str | None:
        """Give a topic a label of your own (None or blank clears it; control characters are dropped,
        whitespace collapsed, at most ``edits.MAX_LABEL_CHARS``); kept through updates and refits.
        Returns the label as stored."""
        return edits.rename_topic(self.workspace, topic, label)

    def merge_topics(self, target: int, others: Sequence[int], label: str | None = None) -> None:
        """Merge ``others`` into ``target``: their articles move to it, and so will future ones; with
        ``label``, name it too (all or nothing)."""
        edits.merge_topics(self.workspace, target, others, label)

    def split_topic(self, topic: int, parts: int = 2) -> list[int]:
        """Split a topic into ``parts`` new topics (new ids); its articles move to them."""
        return edits.split_topic(self.workspace, topic, parts)

    # ---- reading results --------------------------------------------------------------------
    def topics(self, lang: str | None = None, place: str | None = None, new: bool = False) -> list[dict[str, Any]]:
        """Every topic of the current model: id, size, date range, language, keywords, keyword line and
        ``lines`` (language -> line, for a topic whose articles use several languages; else {}).

        ``lang`` keeps the topics most of whose articles are in that language, or with a line in it. ``place`` keeps the
        topics with articles naming that place, most mentions first (``mentions`` says how many).
        ``new`` keeps the topics updates created, newest first.
        """
        return reads.topics(self.workspace, lang, place, new)

    def stories(self, topic: int | None = None) -> list[dict[str, Any]]:
        """The stories inside topics (the second grain), by topic then size: story, topic, size, date
        range, keywords and keyword line; ``topic`` keeps one topic's stories."""
        return reads.stories(self.workspace, topic)

    def article(self, article_id: str, n_terms: int = DEFAULT_ARTICLE_TERMS) -> dict[str, Any]:
        """One article with its topic and keyword lines (topic is None before the first fit); its own
        line has at most ``n_terms`` terms."""
        return reads.article(self.workspace, article_id, n_terms)

    def topic_articles(self, topic: int, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """A topic's articles, newest first (undated last), one page at a time."""
        return reads.topic_articles(self.workspace, topic, limit, offset)

    def trends(self, by: str = "month", place: str | None = None, dedupe: bool = True,
               topic: int | None = None, level: str = "topic") -> TopicTrends:
        """Article counts per topic per period (day, week, month, year) of the current model, with each
        live topic's keyword line (``lines``).

        ``dedupe`` counts a group of near-duplicates once, at its earliest date; ``place`` counts only
        the articles that name that place; ``topic`` keeps that topic's counts (the totals stay);
        ``level`` "story" counts per story (the second grain) instead of per topic.
        """
        return reads.trends(self.workspace, by, place, dedupe, topic, level)

    def places(self, topic: int | None = None) -> list[dict[str, Any]]:
        """Articles per named place (province, city, county), with counts per topic once topics exist."""
        return reads.places(self.workspace, topic)

    def duplicates(self) -> list[dict[str, Any]]:
        """Groups of near-duplicate articles, largest first, each member with its similarity."""
        return reads.duplicates(self.workspace)

    def new_topics(self) -> list[dict[str, Any]]:
        """Topics that updates created (what is new), newest first."""
        return reads.new_topics(self.workspace)

    def keyword_history(self, topic: int) -> list[dict[str, Any]]:
        """Every version of a topic's keyword line, with when it was made and the dates it covered."""
        return reads.keyword_history(self.workspace, topic)

    def topic_tree(self) -> dict[str, Any]:
        """Which topics merge first: average-linkage clustering of the live topic centres (cosine)."""
        return reads.topic_tree(self.workspace)

    # ---- export, labelling a corpus, evaluation ---------------------------------------------
    def export(self, out_dir: str | Path, fmt: str = "jsonl", n_terms: int = DEFAULT_ARTICLE_TERMS) -> list[Path | str]:
        """Write the current labels to ``out_dir``; files appear whole or not at all.

        Every article row carries its own line (``article_line``, at most ``n_terms`` terms), its
        topic's (``topic_line``) and ``line_source``; the seed format heads each article with its own.
        ``parquet`` writes ``assignments/part-*.parquet`` (one part per partition, written by the
        runner's workers) and ``topics.jsonl``; its ``out_dir`` may also be an fsspec URL (then the
        parts appear one by one and ``_SUCCESS``, written last, marks the export complete).
        """
        return export.export(self.workspace, out_dir, fmt, n_terms)

    def label_dataset(self, inputs: Sequence[str | Path], out: str, options: ReaderOptions | None = None,
                      progress: Progress | None = None, n_terms: int = DEFAULT_ARTICLE_TERMS) -> LabelReport:
        """Label a corpus with the current model without adding it to the archive, partition by partition.

        Each input partition (read by the runner's workers: JSON Lines, Parquet, any reader) becomes
        ``out/labels/part-N.parquet`` (id, topic, score, article_line, topic_line, line_source, title,
        date, source); rejects go to ``out/rejects/``; ``out/topics.jsonl`` and ``out/_SUCCESS`` are
        written last. ``out`` is a folder or an fsspec URL that every worker can write to. The archive
        is only read.
        """
        return label_corpus.label_dataset(self.workspace, inputs, out, options, progress, n_terms)

    def evaluate(self, label_field: str | None = None, unseen: Sequence[str | Path] = ()) -> Scores:
        """NPMI, C_V, diversity and outlier share of the current topics; NMI/ARI against a metadata field.

        ``unseen``: files of articles of the same source that are not in the archive: the topic lines'
        NPMI against them (``npmi_unseen``) is the figure that generalizes.
        """
        return evaluation.evaluate(self.workspace, label_field, unseen)
