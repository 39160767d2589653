import json
import sqlite3

import pytest

from topicwatch import Archive, ReaderOptions
from topicwatch.store import ArchiveError

from .conftest import load_corpus


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bbc_subset():
    rows = load_corpus("bbc_news.jsonl.gz")
    # Every fifth article: all five sections, a few hundred articles.
    return [r for i, r in enumerate(rows) if i % 5 == 0]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, bbc_subset):
    folder = tmp_path_factory.mktemp("fitted")
    source = _write_jsonl(folder / "bbc.jsonl", bbc_subset)
    archive = Archive(folder / "a.db")
    archive.ingest([source])
    archive.fit("fast", n_topics=5, seed=0)
    yield archive, folder
    archive.close()


def test_ingest_twice_adds_nothing(tmp_path, bbc_subset):
    source = _write_jsonl(tmp_path / "in.jsonl", bbc_subset[:50])
    with Archive(tmp_path / "a.db") as archive:
        first = archive.ingest([source])
        second = archive.ingest([source])
        assert (first.counts.ingested, first.counts.rejected) == (50, 0)
        assert (second.counts.ingested, second.counts.duplicates) == (0, 50)
        assert archive.store.count_articles() == 50


def test_bad_records_are_rejected_kept_and_good_ones_go_in(tmp_path):
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        '{"id": "a", "text": "Rice prices rose again in Hyesan markets this week."}\n'
        '{"id": "b", "text": \n'
        '{"id": "c", "text": ""}\n'
        '{"id": "d", "text": "Border guards in Ryanggang were reassigned.", "date": "not a date"}\n'
        '{"id": "e", "text": "Flooding damaged farms in North Hwanghae province."}\n',
        encoding="utf-8",
    )
    with Archive(tmp_path / "a.db") as archive:
        report = archive.ingest([source])
        assert report.counts.ingested == 2 and report.counts.rejected == 3
        wheres = [r["where"] for r in archive.rejects()]
        assert wheres == [f"{source}:2", f"{source}:3", f"{source}:4"]
        assert "ingested 2" in report.summary() and "rejected 3" in report.summary()


def test_duplicate_id_with_different_text_is_rejected(tmp_path):
    first = _write_jsonl(tmp_path / "one.jsonl", [{"id": "x", "text": "Missile launch reported off the east coast."}])
    second = _write_jsonl(tmp_path / "two.jsonl", [{"id": "x", "text": "A different story entirely, about rice."}])
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([first])
        report = archive.ingest([second])
        assert report.counts.rejected == 1
        assert "duplicate id 'x' with different text" in archive.rejects()[0]["reason"]
        assert archive.article("x")["text"].startswith("Missile")


def test_strict_ingests_nothing_when_anything_is_rejected(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Good article about markets."}\n{broken\n', encoding="utf-8")
    with Archive(tmp_path / "a.db") as archive:
        report = archive.ingest([source], strict=True)
        assert not report.committed
        assert archive.store.count_articles() == 0


def test_interrupted_ingest_leaves_no_half_batch(tmp_path, bbc_subset):
    source = _write_jsonl(tmp_path / "in.jsonl", bbc_subset[:100])
    with Archive(tmp_path / "a.db") as archive:

        def interrupt(n):
            if n == 60:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            archive.ingest([source], on_article=interrupt)
        assert archive.store.count_articles() == 0
    # The file is a plain SQLite database others can read.
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == 0


def test_exact_reposts_share_one_text_and_one_topic(tmp_path, bbc_subset):
    rows = bbc_subset[:60] + [dict(bbc_subset[0], id="repost-of-first")]
    source = _write_jsonl(tmp_path / "in.jsonl", rows)
    with Archive(tmp_path / "a.db") as archive:
        report = archive.ingest([source])
        assert report.counts.ingested == 61 and report.counts.same_text == 1
        fit = archive.fit("fast", n_topics=3)
        assert fit.unique_texts == 60 and fit.articles == 61
        assert archive.article("repost-of-first")["topic"] == archive.article(rows[0]["id"])["topic"]


def test_embeddings_are_cached_per_hash_and_backend(tmp_path, fast_embedder, bbc_subset):
    class CountingEmbedder:
        """The real fast embedder, counting how many texts it is asked to encode."""

        name = fast_embedder.name
        calls = 0

        def encode(self, texts):
            CountingEmbedder.calls += len(texts)
            return fast_embedder.encode(texts)

    source = _write_jsonl(tmp_path / "in.jsonl", bbc_subset[:40])
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([source])
        archive.fit(CountingEmbedder(), n_topics=2)
        archive.fit(CountingEmbedder(), n_topics=3)
        assert CountingEmbedder.calls == 40


def test_export_jsonl_contract(fitted, bbc_subset, tmp_path):
    archive, _ = fitted
    archive.export(tmp_path / "out", "jsonl")
    lines = [json.loads(line) for line in (tmp_path / "out" / "assignments.jsonl").read_text().splitlines()]
    assert [r["id"] for r in lines] == [r["id"] for r in bbc_subset]
    assert all(set(r) == {"id", "topic", "article_line", "topic_line", "line_source"} for r in lines)
    topics = json.loads((tmp_path / "out" / "topics.json").read_text())
    assert [t["topic"] for t in topics] == list(range(5))
    assert sum(t["size"] for t in topics) == len(bbc_subset)
    by_topic = {t["topic"]: " ".join(t["keywords"]) for t in topics}
    assert all(r["topic_line"] == by_topic[r["topic"]] for r in lines)
    # Full BBC articles each have a line of their own, of about six terms, no word twice, that differ
    # between the articles of one topic and use the article's own words.
    assert all(r["line_source"] == "article" for r in lines)
    text_of = {r["id"]: (r["title"] + " " + r["text"]).lower() for r in bbc_subset}
    assert len({r["article_line"] for r in lines}) >= 0.98 * len(set(text_of.values()))
    for r in lines:
        words = r["article_line"].split()
        assert 6 <= len(words) <= 18 and len(words) == len(set(words))
        assert sum(w in text_of[r["id"]] for w in words) >= len(words) - 1


def test_refit_with_same_seed_gives_identical_exports(fitted, tmp_path):
    archive, _ = fitted
    archive.export(tmp_path / "one", "jsonl")
    archive.fit("fast", n_topics=5, seed=0)
    archive.export(tmp_path / "two", "jsonl")
    for name in ("assignments.jsonl", "topics.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_export_csv_and_seed_round_trip(fitted, tmp_path):
    archive, _ = fitted
    archive.export(tmp_path / "csv", "csv")
    header = (tmp_path / "csv" / "assignments.csv").read_text().splitlines()[0]
    assert header == "id,topic,article_line,topic_line,line_source"
    (seed_dir,) = archive.export(tmp_path / "seed", "seed")
    files = sorted(seed_dir.glob("*.txt"))
    assert len(files) == archive.store.count_articles()
    first_line = files[0].read_text().splitlines()[0]
    assert first_line == first_line.lower() and len(first_line.split()) >= 5
    # The seed format reads back: the keyword line becomes given_keywords, not text.
    with Archive(tmp_path / "again.db") as again:
        again.ingest([seed_dir], ReaderOptions(header="auto"))
        stored = next(iter(again.store.iter_articles()))[0]
        assert stored.given_keywords and not stored.text.startswith(stored.given_keywords)


def test_evaluate_leads_with_npmi_on_text_the_fit_never_saw(fitted, tmp_path):
    archive, _ = fitted
    assert archive.evaluate().npmi_unseen is None
    unseen = [r for i, r in enumerate(load_corpus("bbc_news.jsonl.gz")) if i % 5 == 1]
    scores = archive.evaluate(unseen=[_write_jsonl(tmp_path / "unseen.jsonl", unseen)])
    assert list(scores.as_dict())[:2] == ["topics", "npmi_unseen"]
    assert -1.0 <= scores.npmi_unseen <= 1.0 and scores.npmi_unseen != scores.npmi
    with pytest.raises(ValueError, match="no readable article"):
        archive.evaluate(unseen=[_write_jsonl(tmp_path / "empty.jsonl", [])])


def test_evaluate_reports_scores_and_label_agreement(fitted):
    archive, _ = fitted
    scores = archive.evaluate("label")
    assert scores.topics == 5 and scores.outlier_share == 0.0
    assert scores.diversity >= 0.9
    assert scores.npmi > 0.05 and 0.3 < scores.c_v <= 1.0
    assert scores.nmi >= 0.6


def test_missing_archive_is_a_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="no archive here"):
        Archive(tmp_path / "nope.db", create=False)


def test_fit_on_empty_archive_is_a_clear_error(tmp_path):
    with Archive(tmp_path / "a.db") as archive, pytest.raises(ArchiveError, match="no articles"):
        archive.fit()
