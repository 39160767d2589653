"""The one mechanism behind the indexes kept beside the articles (places, near-duplicates, full text).

Each such index remembers in ``meta`` the highest ``articles.seq`` it holds (its watermark) and,
where its rows depend on rules that can change (the gazetteer), which version of them it was built
with. Catching up indexes every article above the watermark, or all of them after a version change,
then moves the watermark to the newest article. Articles are only ever added, so nothing is indexed
twice and an archive made before an index existed is filled on first use.
"""

from __future__ import annotations

from collections.abc import Iterator

from .core import StoreCore
from .rows import ArchiveError, PendingArticle


class WatermarkIndex:
    """Base of an incremental index over the archive's articles; subclasses say how to index.

    ``watermark_key``: the meta key of the highest seq indexed. ``version_key``: the meta key of the
    version the rows were made with (None: rows never go stale). Subclasses define ``index_after``
    and, where rows can go stale or the index's tables may be missing, ``version``, ``is_built`` and
    ``reset``. Writes happen inside the caller's transaction (``ensure`` opens one when needed).
    """

    watermark_key: str = ""
    name: str = "index"  # what the index is, in a message
    version_key: str | None = None

    def __init__(self, store: StoreCore):
        self.store = store
        self.conn = store.conn

    # ---- what a subclass says ---------------------------------------------------------------
    def version(self) -> str | None:
        """The version of the rules the rows are made with (stored under ``version_key``)."""
        return None

    def is_built(self) -> bool:
        """Whether the stored rows are current: made with ``version()`` (and the index's tables exist)."""
        return self.version_key is None or self.store.get_meta(self.version_key) == self.version()

    def reset(self) -> None:
        """Drop every row (or create the index's tables): called when ``is_built`` is False."""

    def index_after(self, seq: int) -> int:
        """Index the articles whose seq is above ``seq``; returns how many were indexed."""
        raise NotImplementedError

    # ---- the mechanism ----------------------------------------------------------------------
    def watermark(self) -> int:
        """The highest seq already indexed (0: none)."""
        return int(self.store.get_meta(self.watermark_key) or 0)

    def pending(self) -> bool:
        """Whether articles are waiting to be indexed (or all are, after a version change)."""
        return not self.is_built() or self.watermark() < self.store.newest_seq()

    def catch_up(self) -> int:
        """Index every article past the watermark (all of them when the version changed), then move
        the watermark to the newest article; returns how many were indexed."""
        if not self.is_built():
            self.reset()
            self.store.set_meta(self.watermark_key, "0")
            if self.version_key is not None:
                self.store.set_meta(self.version_key, str(self.version()))
        count = self.index_after(self.watermark())
        self.finish()
        return count

    def finish(self) -> None:
        """Move the watermark to the newest article (at the end of an ingest that indexed its articles)."""
        self.store.set_meta(self.watermark_key, str(self.store.newest_seq()))

    def ensure(self) -> int:
        """``catch_up`` in a transaction of its own when articles are waiting (a no-op when none are).
        A read-only archive whose index is behind is refused in one line rather than answered from a
        partial index."""
        if not self.pending():
            return 0
        if self.store.read_only:
            raise ArchiveError(f"{self.store.path}: archive is read-only and its {self.name} is not up to date"
                               " (make it writable and run the command once to bring it up to date)")
        with self.store.transaction():
            return self.catch_up()

    def pending_articles(self, seq: int, batch: int = 1000) -> Iterator[list[PendingArticle]]:
        """The articles archived after ``seq``, in seq order and batches: what an ``index_after`` that
        indexes article by article reads to catch up."""
        while True:
            rows = self.conn.execute(
                "SELECT a.seq, a.id, a.hash, a.title, t.text FROM articles a JOIN texts t ON t.hash = a.hash"
                " WHERE a.seq > ? ORDER BY a.seq LIMIT ?", (seq, batch),
            ).fetchall()
            if not rows:
                return
            seq = rows[-1][0]
            yield [PendingArticle(*row) for row in rows]
