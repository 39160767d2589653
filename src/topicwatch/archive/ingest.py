"""Ingest: read inputs into the archive in one transaction, with each new article's places and
near-duplicate group indexed in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from ..read import InputPart, ReaderOptions, check_options, plan_parts
from ..read.records import Reject
from ..store import DuplicateIndex, IngestCounts, NewArticle, PlaceIndex
from .places import place_index, place_rows
from .tasks import PreparedArticle, prepare_part
from .workspace import Workspace

KEPT_REJECTS = 10_000  # rejects a report holds (all are in the archive): memory stays bounded


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

    def absorb(self, other: IngestReport) -> None:
        """Count ``other`` (another input of the same update) in this report."""
        for name in ("ingested", "duplicates", "same_text", "rejected"):
            setattr(self.counts, name, getattr(self.counts, name) + getattr(other.counts, name))
        self.rejects.extend(other.rejects)
        self.committed = self.committed and other.committed


def ingest(
    ws: Workspace, paths: Sequence[str | Path], options: ReaderOptions | None = None, strict: bool = False,
    on_reject: Callable[[Reject], None] | None = None, on_article: Callable[[int], None] | None = None,
) -> IngestReport:
    """Read the inputs into the archive in one transaction (see ``Archive.ingest``)."""
    ws.store.require_writable()
    report = IngestReport(IngestCounts())
    counts = report.counts
    options = options or ReaderOptions()
    check_options(options)
    runner = ws.reading_runner()
    plan = list(plan_parts(ws.for_workers(paths), workers=runner.workers))
    parts = [p for p in plan if isinstance(p, InputPart)]
    if len(parts) < 2:
        runner = ws.runner
    found = chain([[p for p in plan if isinstance(p, Reject)]],
                  runner.imap(prepare_part, parts, runner.share(options)))
    store = ws.store
    with store.transaction():
        batch = store.start_batch([str(p) for p in paths])
        indexes = _Indexes(place_index(store), DuplicateIndex(store))
        indexes.places.catch_up()  # articles archived before these indexes existed
        indexes.duplicates.catch_up()
        for partition in found:
            stored: list[tuple[int, PreparedArticle]] = []
            for item in partition:
                if isinstance(item, PreparedArticle):
                    item = _accept(ws, item, batch, counts, stored)
                    if on_article is not None:
                        on_article(counts.ingested + counts.duplicates + counts.rejected)
                if isinstance(item, Reject):
                    counts.rejected += 1
                    if len(report.rejects) < KEPT_REJECTS:
                        report.rejects.append(item)
                    store.add_reject(item, batch)
                    if on_reject is not None:
                        on_reject(item)
            indexes.add(stored)
        store.finish_batch(batch, counts)
        indexes.places.finish()
        indexes.duplicates.finish()
        if strict and counts.rejected:
            store.cancel()  # --strict: a batch with a reject is not kept
            report.committed = False
    return report


def _accept(ws: Workspace, prepared: PreparedArticle, batch: int, counts: IngestCounts,
            stored: list[tuple[int, PreparedArticle]]) -> Reject | None:
    """Store one article; a new one is added to ``stored`` (seq, article) for the indexes."""
    article = prepared.article
    try:
        outcome = ws.store.add_article(article, batch)
    except ValueError as exc:
        return Reject(article.where or article.id, str(exc), article.text[:200])
    if outcome == "duplicate":
        counts.duplicates += 1
    else:
        counts.ingested += 1
        counts.same_text += outcome == "same_text"
        stored.append((ws.store.seq_of(article.id), prepared))
    return None


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
