"""The archive file itself: the connection, transactions and the ``meta`` key-value table.

SQLite because it ships with Python (nothing to install or start), gives real transactions and a
file lock (two writers never corrupt it), and every tool on earth can open the file. ``StoreCore`` is
what every table family of ``Store`` builds on.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from .rows import ArchiveError
from .schema import SCHEMA, SCHEMA_VERSION, migrate

# What the database engine itself raises (an I/O error, a corrupt page), for callers above the store.
DatabaseError = sqlite3.Error


class StoreCore:
    """The open archive: its connection, ``transaction()`` and meta values."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float | None = None):
        """``timeout``: seconds to wait for another writer ($TOPICWATCH_LOCK_TIMEOUT, default 30).

        An archive this user may not write (the file, or the folder that holds its journal, is
        read-only) opens read-only: every read answers, and every write is refused at its start with
        one line (``require_writable``) instead of failing half-way.
        """
        self.path = Path(path)
        if timeout is None:
            timeout = float(os.environ.get("TOPICWATCH_LOCK_TIMEOUT", "30"))
        folder = self.path.parent
        if not self.path.exists():
            if not create:
                raise ArchiveError(f"{self.path}: no archive here (run 'topicwatch ingest' first)")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(f"{self.path}: cannot make an archive here ({exc.strerror}: {folder})") from None
            if not os.access(folder, os.W_OK | os.X_OK):
                raise ArchiveError(f"{self.path}: cannot make an archive here: the folder {folder} is not writable")
        self.read_only = self.path.exists() and not (
            os.access(self.path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK))
        try:
            self._cancelled = False  # the running transaction is to be rolled back at its end
            self.conn = sqlite3.connect(self._address(), timeout=timeout, isolation_level=None, uri=True)
            self.conn.execute("PRAGMA foreign_keys=ON")
            # 256 MB of page cache (allocated only as used): the near-duplicate index's band table
            # takes random-key inserts, which the default 2 MB cache turns into page-cache misses.
            self.conn.execute("PRAGMA cache_size=-262144")
            if self.read_only:
                self.conn.execute("SELECT count(*) FROM meta").fetchone()  # is it an archive at all?
            else:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path}: not a topicwatch archive ({exc})") from exc
        version = self.get_meta("schema_version")
        if version is not None and int(version) > SCHEMA_VERSION:
            raise ArchiveError(f"{self.path}: archive schema {version} is newer than this topicwatch")
        if version != str(SCHEMA_VERSION):
            if self.read_only:
                raise ArchiveError(f"{self.path}: archive schema {version} is older than this topicwatch and the"
                                   " archive is read-only, so it cannot be upgraded (make it writable once)")
            self._migrate()

    def _address(self) -> str:
        """The SQLite URI to open: read-write, or read-only. In a read-only folder SQLite cannot make
        the shared-memory file WAL mode reads through, so there the archive is opened as immutable,
        which is exact only when no write-ahead log is left over (a clean close leaves none)."""
        address = "file:" + quote(str(self.path.absolute()))
        if not self.read_only:
            return address
        wal_left = Path(f"{self.path}-wal").exists()
        if os.access(self.path.parent, os.W_OK | os.X_OK) or wal_left:
            return address + "?mode=ro"
        return address + "?mode=ro&immutable=1"

    def require_writable(self) -> None:
        """Refuse at once, before any work, a command that would write a read-only archive."""
        if self.read_only:
            raise ArchiveError(f"{self.path}: archive is read-only (no write permission on the file or its"
                               " folder); this command writes to it")

    def _migrate(self) -> None:
        """Bring an older archive's tables up to this schema (see ``schema.migrate``)."""
        with self.transaction() as conn:
            migrate(conn)
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: an exception (or Ctrl-C) inside rolls everything back.

        Nested use joins the outer transaction, so a whole update commits or rolls back as one.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.require_writable()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"{self.path}: archive is busy ({exc}); another topicwatch is writing") from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("ROLLBACK" if self._cancelled else "COMMIT")
        finally:
            self._cancelled = False

    def cancel(self) -> None:
        """Let the running transaction end in a rollback instead of a commit (the outer one, when
        nested: a ``--strict`` ingest inside an update undoes the whole update)."""
        if not self.conn.in_transaction:
            raise RuntimeError("cancel() outside a transaction")
        self._cancelled = True

    # ---- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def revision(self) -> int:
        """A counter bumped by every change to topics or labels (readers cache by it)."""
        return int(self.get_meta("revision") or 0)

    def bump_revision(self) -> None:
        self.set_meta("revision", str(self.revision() + 1))

    def newest_seq(self) -> int:
        """The ``seq`` of the last article archived (0 when there is none): articles are only ever
        added, so it tells what an index or cache has not seen yet."""
        return int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])
