"""A process killed in the middle of an edit leaves the archive exactly as it was, or as the edit left it.

Each edit (refit, merge, split, rename, and the web page's merge, split and rename) runs in a child
process that SIGKILLs itself just before its first, middle and last write statement (the last is the
COMMIT), see ``crash_driver.py``. The archive is then compared, dump against dump (every table and
index, the full-text index's shadow tables included), with the archive before the edit. ``update``'s
kill test is in ``test_evolution.py``.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from topicwatch import Archive
from topicwatch.analyze.search import search

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "src" / "topicwatch" / "data" / "sample_articles.jsonl"
OPERATIONS = ["refit", "merge", "split", "rename", "web-merge", "web-split", "web-rename"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "a.db"
    with Archive(path) as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
        search(archive, "rice")  # so the full-text index exists and is part of what must not change
    return path


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(conn.iterdump())
    finally:
        conn.close()


def _run(archive: Path, operation: str, kill_at: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HERE / "crash_driver.py"), str(archive), operation, str(kill_at)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_edit_killed_at_any_write_leaves_the_archive_as_it_was(fitted, operation, tmp_path):
    before = dump(fitted)
    whole = tmp_path / "whole.db"
    shutil.copy(fitted, whole)
    done = _run(whole, operation, 0)
    assert done.returncode == 0, done.stderr[-2000:]
    writes = int(done.stdout.split()[-1])
    after = dump(whole)
    assert after != before, f"{operation} changed nothing"
    for kill_at in sorted({1, max(1, writes // 2), writes}):
        copy = tmp_path / f"killed-{kill_at}.db"
        shutil.copy(fitted, copy)
        killed = _run(copy, operation, kill_at)
        assert killed.returncode == -signal.SIGKILL, f"{operation} at write {kill_at}: {killed.stderr[-2000:]}"
        assert dump(copy) == before, f"{operation} killed before write {kill_at} of {writes} changed the archive"
