"""Runs one archive edit and dies by SIGKILL just before its K-th write statement reaches SQLite.

``python tests/crash_driver.py ARCHIVE OPERATION K``: OPERATION is one of ``OPERATIONS``; K = 0 runs it
to the end and prints how many write statements it made. Every connection topicwatch opens is traced,
so the web edits (which open their own per thread) die the same way. The crash test
(``test_crashes.py``) then reads the archive back: it must be exactly as before the edit or after it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "COMMIT")


def _web(archive: str, method: str, path: str, body: dict | None = None) -> None:
    from fastapi.testclient import TestClient

    from topicwatch.present.web import create_app

    with TestClient(create_app(archive, warm=False), base_url="http://127.0.0.1") as client:
        answer = client.request(method, path, json=body)
        assert answer.status_code == 200, answer.text


def _operations(archive: str):
    from topicwatch import Archive

    def on_archive(edit):
        def run():
            with Archive(archive) as opened:
                edit(opened)
        return run

    return {
        "refit": on_archive(lambda a: a.refit(seed=1)),
        "merge": on_archive(lambda a: a.merge_topics(0, [1], label="Merged")),
        "split": on_archive(lambda a: a.split_topic(0, 2)),
        "rename": on_archive(lambda a: a.rename_topic(2, "Renamed")),
        "web-merge": lambda: _web(archive, "POST", "/api/topics/merge", {"topics": [0, 1], "label": "Merged"}),
        "web-split": lambda: _web(archive, "POST", "/api/topics/0/split"),
        "web-rename": lambda: _web(archive, "PUT", "/api/topics/2/label", {"label": "Renamed"}),
    }


def main(archive: str, operation: str, kill_at: int) -> None:
    writes = 0
    connect = sqlite3.connect

    def trace(statement: str) -> None:
        nonlocal writes
        if statement.lstrip().upper().startswith(WRITES):
            writes += 1
            if writes == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    def traced_connect(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = traced_connect
    _operations(archive)[operation]()
    print(writes)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
