"""The same pipeline on a real 2-worker Dask LocalCluster: same answers as one machine, faults, datasets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cloudpickle
import numpy as np
import pytest

from topicwatch import Archive
from topicwatch.embed import FastEmbedder
from topicwatch.read import partitions
from topicwatch.run.local import ClusterError, LocalRunner

from .conftest import archive_state, load_corpus

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests package


@pytest.fixture(scope="module")
def runner():
    from topicwatch.run.cluster import DaskRunner

    started = DaskRunner.connect("local:2")
    yield started
    started.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """1,200 BBC articles as plain JSON Lines, with a broken line in the middle and a repost."""
    rows = load_corpus("bbc_news.jsonl.gz", limit=1_200)
    path = tmp_path_factory.mktemp("cluster") / "bbc.jsonl"
    lines = [json.dumps({"id": r["id"], "title": r["title"], "text": r["text"], "label": r["label"]}) for r in rows]
    lines.insert(700, "{not json")
    repost = dict(json.loads(lines[10]), id="repost-of-10")
    lines.append(json.dumps(repost))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cluster_spec_is_checked():
    from topicwatch.run.cluster import parse_cluster

    assert parse_cluster("local:3") == ("local", 3)
    assert parse_cluster("tcp://10.0.0.5:8786") == ("address", None)
    with pytest.raises(ValueError, match="expected local, local:N or a scheduler address"):
        parse_cluster("my-cluster")
    with pytest.raises(ValueError, match="at least one worker"):
        parse_cluster("local:0")


def test_single_machine_path_never_imports_dask(tmp_path, corpus):
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from topicwatch.present.cli import app\n"
        f"db = {str(tmp_path / 'a.db')!r}\n"
        f"r = CliRunner().invoke(app, ['--archive', db, 'ingest', {str(corpus)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(app, ['--archive', db, 'fit', '-k', '5'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_cluster_run_gives_the_single_machine_answers(tmp_path, corpus, runner, monkeypatch):
    monkeypatch.setattr(partitions, "PART_BYTES", 400_000)  # the file is cut into ~6 byte ranges
    assert sum(1 for p in partitions.plan_parts([corpus]) if p.span) >= 4

    with Archive(tmp_path / "one.db") as one:
        one.ingest([corpus])
        one.fit("fast", n_topics=5, seed=0)
    with Archive(tmp_path / "two.db", runner=runner) as two:
        report = two.ingest([corpus])
        assert [r.where for r in report.rejects] == [f"{corpus}:701"]  # line numbers survive the cut
        two.fit("fast", n_topics=5, seed=0)
    single, cluster = archive_state(tmp_path / "one.db"), archive_state(tmp_path / "two.db")
    assert single == cluster
    assert ("repost-of-10", single["articles"][10][0], 1.0) in single["duplicates"]

    new = tmp_path / "new.jsonl"
    rows = load_corpus("bbc_news.jsonl.gz")[1_200:1_500]
    new.write_text("".join(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"]}) + "\n" for r in rows))
    with Archive(tmp_path / "one.db") as one:
        one.update([new])
    with Archive(tmp_path / "two.db", runner=runner) as two:
        two.update([new])
    assert archive_state(tmp_path / "one.db") == archive_state(tmp_path / "two.db")


def test_label_a_corpus_on_the_cluster_and_export_parquet(tmp_path, corpus, runner):
    import pyarrow.parquet as pq

    with Archive(tmp_path / "a.db", runner=runner) as archive:
        archive.ingest([corpus])
        archive.fit("fast", n_topics=5, seed=0)
        stored = dict(archive.store.conn.execute(
            "SELECT article, topic FROM assignments WHERE model = (SELECT max(id) FROM models)").fetchall())
        exported = archive.export(tmp_path / "export", "parquet")
        report = archive.label_dataset([corpus], f"file://{tmp_path}/labelled")
        with pytest.raises(ValueError, match="already exists and is not empty"):
            archive.label_dataset([corpus], str(tmp_path / "labelled"))
    table = pq.read_table(tmp_path / "export" / "assignments").to_pydict()
    assert [p.name for p in exported] == ["assignments", "topics.jsonl"]
    assert dict(zip(table["id"], table["topic"])) == stored
    labels = pq.read_table(tmp_path / "labelled" / "labels").to_pydict()
    assert report.articles == len(labels["id"]) == len(stored)
    same = sum(stored[i] == t for i, t in zip(labels["id"], labels["topic"]))
    assert same >= len(stored) - 2  # only the repost may differ: in the archive it follows its original
    assert [r.where for r in report.rejects] == [f"{corpus}:701"]
    assert (tmp_path / "labelled" / "_SUCCESS").exists()
    assert (tmp_path / "labelled" / "rejects").is_dir()


class DiesOnce:
    """An embedder whose worker process dies the first time it is asked (a machine lost mid-run)."""

    name = FastEmbedder().name

    def __init__(self, marker: str, always: bool = False):
        self.marker, self.always = marker, always

    def encode(self, texts):
        if self.always or not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)
        return FastEmbedder().encode(texts)


def test_a_worker_killed_mid_run_is_replaced_and_the_run_completes(tmp_path, corpus, runner):
    with Archive(tmp_path / "one.db") as one:
        one.ingest([corpus])
        one.fit("fast", n_topics=5, seed=0)
    with Archive(tmp_path / "two.db", runner=runner) as two:
        two.ingest([corpus])
        two.fit(DiesOnce(str(tmp_path / "died")), n_topics=5, seed=0)
    assert (tmp_path / "died").exists()
    assert archive_state(tmp_path / "one.db")["labels"] == archive_state(tmp_path / "two.db")["labels"]


def test_a_task_that_keeps_killing_workers_stops_the_run_and_writes_nothing(tmp_path, corpus):
    import dask

    from topicwatch.run.cluster import DaskRunner

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        doomed = DaskRunner.connect("local:2")
    try:
        with Archive(tmp_path / "a.db", runner=doomed) as archive:
            archive.ingest([corpus])
            with pytest.raises(ClusterError, match="workers died running it"):
                archive.fit(DiesOnce(str(tmp_path / "died"), always=True), n_topics=5)
            assert archive.store.current_model() is None
            assert archive.store.conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 0
    finally:
        doomed.close()


def test_local_runner_and_model_fit_agree_with_cluster_fit(bbc, bbc_fast_vectors, runner):
    from topicwatch import TopicModel
    from topicwatch.embed import document_text

    texts = [document_text(d["title"], d["text"]) for d in bbc]
    here = TopicModel(n_topics=5, seed=0).fit(texts, bbc_fast_vectors, runner=LocalRunner())
    there = TopicModel(n_topics=5, seed=0).fit(texts, bbc_fast_vectors, runner=runner)
    assert np.array_equal(here.labels_, there.labels_)
    assert [t.keywords for t in here.topics_] == [t.keywords for t in there.topics_]
