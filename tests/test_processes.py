"""One machine, every core: worker-process ingest gives the one-process archive; k-means and the SVD
written for topicwatch agree with scikit-learn's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from topicwatch import Archive
from topicwatch.model.kmeans import kmeans
from topicwatch.model.lexical import top_right_singular_vectors
from topicwatch.run.local import ClusterError, ProcessRunner, local_cores

from .conftest import archive_state, load_corpus

TOPICWATCH = str(Path(sys.executable).parent / "topicwatch")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """All 2,225 BBC articles as plain JSON Lines (5 MB: cut into byte ranges), with two bad lines."""
    rows = load_corpus("bbc_news.jsonl.gz")
    path = tmp_path_factory.mktemp("processes") / "bbc.jsonl"
    lines = [json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}) for r in rows]
    lines.insert(300, "{not json")
    lines.insert(1900, json.dumps({"id": "empty", "text": "  "}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_worker_processes_ingest_what_one_process_ingests(tmp_path, corpus, monkeypatch):
    monkeypatch.setenv("TOPICWATCH_WORKERS", "1")
    with Archive(tmp_path / "one.db") as one:
        alone = one.ingest([corpus])
        assert one._processes is None
    with Archive(tmp_path / "two.db") as two:
        # This test process has loaded torch (forking it is not safe), so the archive would read here:
        # hand it a pool, which starts its workers from a fork server.
        two._processes = ProcessRunner(workers=2)
        shared = two.ingest([corpus])
    assert [r.where for r in shared.rejects] == [r.where for r in alone.rejects] == [f"{corpus}:301", f"{corpus}:1901"]
    assert shared.counts == alone.counts
    assert archive_state(tmp_path / "one.db") == archive_state(tmp_path / "two.db")


def test_the_command_line_forks_its_workers_and_gets_the_same_archive(tmp_path, corpus, monkeypatch):
    """A fresh process has no threaded library loaded, so its workers are forked (the path users take)."""
    env = {**os.environ, "TOPICWATCH_WORKERS": "2"}
    subprocess.run([TOPICWATCH, "--archive", str(tmp_path / "cli.db"), "ingest", str(corpus)],
                   check=True, capture_output=True, env=env)
    monkeypatch.setenv("TOPICWATCH_WORKERS", "1")
    with Archive(tmp_path / "one.db") as one:
        one.ingest([corpus])
    assert archive_state(tmp_path / "cli.db") == archive_state(tmp_path / "one.db")


def _fails_on_three(part: int, offset: int) -> int:
    if part == 3:
        raise ValueError("part 3 is bad")
    return part + offset


def test_process_runner_keeps_order_and_raises_a_task_error():
    runner = ProcessRunner(workers=2)
    try:
        assert list(runner.imap(_fails_on_three, [5, 1, 4, 0], 10)) == [15, 11, 14, 10]
        with pytest.raises(ValueError, match="part 3 is bad"):
            list(runner.imap(_fails_on_three, range(6), 0))
    finally:
        runner.close()


def _dies(part: int) -> int:
    os._exit(9)  # as the kernel's out-of-memory killer would leave it


def test_a_worker_that_dies_stops_the_stage_with_a_clear_error():
    runner = ProcessRunner(workers=2)
    try:
        with pytest.raises(ClusterError, match="a worker process died while running _dies"):
            list(runner.imap(_dies, range(3)))
        assert list(runner.imap(_fails_on_three, [1], 1)) == [2]  # a fresh pool serves the next stage
    finally:
        runner.close()


def test_worker_count_is_checked(monkeypatch):
    monkeypatch.setenv("TOPICWATCH_WORKERS", "none")
    with pytest.raises(ValueError, match="TOPICWATCH_WORKERS='none'"):
        local_cores()
    monkeypatch.setenv("TOPICWATCH_WORKERS", "3")
    assert local_cores() == 3


def test_kmeans_matches_scikit_learn_on_real_embeddings(bbc_fast_vectors, bbc):
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    ours = kmeans(bbc_fast_vectors, 5, seed=0, n_init=3)
    theirs = KMeans(n_clusters=5, n_init=3, random_state=0).fit(bbc_fast_vectors)
    assert ours.inertia <= 1.01 * theirs.inertia_
    assert normalized_mutual_info_score(theirs.labels_, ours.labels) > 0.8
    labels = [r["label"] for r in bbc]
    assert normalized_mutual_info_score(labels, ours.labels) > 0.6  # the five BBC sections, found
    again = kmeans(bbc_fast_vectors, 5, seed=0, n_init=3)
    assert np.array_equal(again.labels, ours.labels) and np.array_equal(again.centres, ours.centres)
    # Each row's label is its nearest centre.
    distances = ((bbc_fast_vectors[:, None, :] - ours.centres[None, :, :]) ** 2).sum(axis=2)
    assert np.array_equal(distances.argmin(axis=1), ours.labels)


def test_kmeans_edge_cases():
    points = np.array([[0, 0], [0, 0], [1, 1]], dtype=np.float32)
    result = kmeans(points, 5, seed=0)  # more centres than rows: one per row at most
    assert len(result.centres) == 3 and result.inertia == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="at least one row"):
        kmeans(np.zeros((0, 2), dtype=np.float32), 2)


def test_randomized_svd_captures_what_scikit_learn_captures(bbc):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = sparse.csr_matrix(TfidfVectorizer(min_df=2).fit_transform([r["text"] for r in bbc]), dtype=np.float32)
    ours = top_right_singular_vectors(matrix, 50, seed=0)
    theirs = TruncatedSVD(50, algorithm="randomized", n_iter=5, random_state=0).fit(matrix).components_
    assert ours.shape == theirs.shape
    assert np.allclose(ours @ ours.T, np.eye(50), atol=1e-4)
    captured = np.linalg.norm(matrix @ ours.T)
    assert captured >= 0.999 * np.linalg.norm(matrix @ theirs.T)
