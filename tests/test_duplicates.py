"""Near-duplicates: MinHash estimates, groups found at ingest, counted once in topics and trends."""

import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from topicwatch import Archive
from topicwatch.present.cli import app
from topicwatch.read import minhash
from topicwatch.store.duplicates import LONG_TEXT, SHORT_TEXT, THRESHOLD, required_similarity

from .conftest import load_corpus


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _edited(row, rate, seed, new_id, date=None):
    """A repost: words dropped or replaced at ``rate``, a new title, a byline."""
    rng = random.Random(seed)
    words = [w if rng.random() >= rate else rng.choice(["", "reportedly", "officials", "2005"])
             for w in row["text"].split(" ")]
    return {"id": new_id, "title": "UPDATE: " + row["title"], "date": date,
            "text": " ".join(w for w in words if w) + "\n\nBy a staff writer, Reuters."}


@pytest.fixture(scope="module")
def originals(bbc):
    """60 BBC articles of all sections (none repeats another), dated one per week of 2005."""
    rows = [dict(r) for r in bbc[5::37]][:60]
    for i, row in enumerate(rows):
        row["date"] = f"2005-{1 + i // 5:02d}-{1 + (i % 5) * 6:02d}"
    return rows


@pytest.fixture(scope="module")
def archive_with_reposts(tmp_path_factory, originals):
    folder = tmp_path_factory.mktemp("dups")
    reposts = [_edited(originals[0], 0.05, 1, "repost-0a", "2005-01-04"),  # the first: 2005-01-01
               _edited(originals[0], 0.10, 2, "repost-0b", "2005-01-06"),
               _edited(originals[7], 0.08, 3, "repost-7", "2005-01-31"),  # dated before its first (02-13)
               dict(originals[12], id="exact-12", date="2005-03-20")]  # its first: 2005-03-13
    archive = Archive(folder / "a.db")
    archive.ingest([_write(folder / "first.jsonl", originals)])
    archive.ingest([_write(folder / "second.jsonl", reposts)])  # found against the earlier batch
    fit = archive.fit("fast", n_topics=4, seed=0)
    assert (fit.articles, fit.unique_texts) == (64, 60)  # each group is fit once
    yield archive, reposts
    archive.close()


def test_minhash_estimates_jaccard(originals):
    a = originals[0]["text"]
    b = _edited(originals[0], 0.10, 0, "b")["text"]
    sa, sb = set(minhash.shingles(a).tolist()), set(minhash.shingles(b).tolist())
    true = len(sa & sb) / len(sa | sb)
    sig_a, sig_b = minhash.signature(a), minhash.signature(b)
    assert abs(minhash.similarity(sig_a, sig_b[None, :])[0] - true) < 0.12
    assert minhash.similarity(sig_a, minhash.signature(a.upper())[None, :])[0] == 1.0  # case folded
    unrelated = np.stack([minhash.signature(r["text"]) for r in originals[1:20]])
    assert minhash.similarity(sig_a, unrelated).max() < 0.1
    assert len(minhash.band_keys(sig_a)) == minhash.BANDS and minhash.band_keys(sig_a) == minhash.band_keys(
        minhash.signature(a))


def test_reposts_are_grouped_at_ingest(archive_with_reposts, originals):
    archive, _ = archive_with_reposts
    groups = {g["first"]: g for g in archive.duplicates()}
    assert set(groups) == {originals[0]["id"], originals[7]["id"], originals[12]["id"]}
    first = groups[originals[0]["id"]]
    assert [a["id"] for a in first["articles"]] == [originals[0]["id"], "repost-0a", "repost-0b"]
    assert first["size"] == 3 and 1.0 > first["articles"][1]["similarity"] > first["articles"][2]["similarity"]
    assert groups[originals[12]["id"]]["articles"][1] == {
        "id": "exact-12", "title": originals[12]["title"], "date": "2005-03-20", "similarity": 1.0}


def test_topics_are_fit_on_one_article_per_group(archive_with_reposts, originals):
    archive, reposts = archive_with_reposts
    assert sum(t["size"] for t in archive.topics()) == 64  # every article has a topic
    _, model = archive._load_model()
    assert int(model.term_stats_.topic_sizes.sum()) == 60  # but reposts add nothing to keyword counts
    for repost, first in zip(reposts, (originals[0], originals[0], originals[7], originals[12])):
        assert archive.article(repost["id"])["topic"] == archive.article(first["id"])["topic"]


def test_trends_count_a_group_once_at_its_earliest_date(archive_with_reposts, originals):
    archive, _ = archive_with_reposts
    once = archive.trends("month")
    every = archive.trends("month", dedupe=False)
    assert sum(once.totals) == 60 and sum(every.totals) == 64
    topic_7 = archive.article(originals[7]["id"])["topic"]
    # repost-7 (January) is older than its first (February): the group counts once, in January
    assert [o - e for o, e in zip(once.counts[topic_7][:2], every.counts[topic_7][:2])] == [0, -1]
    extra = {p: e - o for p, e, o in zip(every.periods, every.totals, once.totals) if e != o}
    assert extra == {"2005-01": 2, "2005-02": 1, "2005-03": 1}  # two reposts of 0; 7 moved to January; 12


def test_a_repeat_long_after_is_news_again(tmp_path):
    # A wire's formulas come back every year: the same headline in 1998 and 1999 is two greetings,
    # and one naming another country a month later is a third (5-word shingles agree at J = 0.6).
    rows = [{"id": "a", "text": "Kim Jong Il's works published in Russia", "date": "1999-09-01"},
            {"id": "b", "text": "Kim Jong Il's works published in Mexico", "date": "1999-10-20"},
            {"id": "c", "text": "Kim Jong Il's works published in Russia", "date": "2000-09-01"},
            {"id": "d", "text": "Kim Jong Il's works published in Russia", "date": "2000-09-03"},  # a repost
            {"id": "e", "text": "Kim Jong Il's works published in Russia"},  # undated: cannot tell
            {"id": "f", "text": "Kim Jong Il's works published in Mexico", "date": "1999-10-22"}]
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "in.jsonl", rows)])
        groups = {g["first"]: [a["id"] for a in g["articles"]] for g in archive.duplicates()}
        assert groups == {"a": ["a", "e"], "b": ["b", "f"], "c": ["c", "d"]}
        # An archive grouped by the old rule (at any distance) is regrouped on first use.
        archive.store.conn.execute("INSERT OR REPLACE INTO duplicates VALUES ('c', 'a', 1.0)")
        archive.store.set_meta("duplicates_rule", "1")
        assert {g["first"] for g in archive.duplicates()} == {"a", "b", "c"}


def test_duplicates_of_older_archives_are_found_on_first_use(tmp_path, originals):
    rows = originals[:20] + [_edited(originals[3], 0.06, 5, "repost-3")]
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "in.jsonl", rows)])
        expected = archive.duplicates()
        for table in ("duplicates", "minhashes", "minhash_bands"):  # as if ingested before this existed
            archive.store.conn.execute(f"DELETE FROM {table}")
        archive.store.conn.execute("DELETE FROM meta WHERE key = 'duplicates_seq'")
        assert archive.duplicates() == expected and expected[0]["articles"][1]["id"] == "repost-3"


def test_update_gives_a_repost_its_first_topic(tmp_path, originals):
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", originals[:40])])
        archive.fit("fast", n_topics=3, seed=0)
        report = archive.update([_write(tmp_path / "new.jsonl", [_edited(originals[9], 0.05, 7, "repost-9")])])
        assert report.labelled == 1
        assert archive.article("repost-9")["topic"] == archive.article(originals[9]["id"])["topic"]


def test_short_formulaic_items_need_more_agreement(tmp_path):
    # Two KCNA items in one formula ("will visit" / "left to visit" Tanzania): 38% of their 5-word
    # shingles are shared, yet they are different news; a long text at that similarity is a repost.
    assert required_similarity(SHORT_TEXT) == pytest.approx(0.6)
    assert required_similarity(LONG_TEXT) == required_similarity(5 * LONG_TEXT) == pytest.approx(THRESHOLD)
    rows = [r for r in load_corpus("kcna_stories_2011_2012.jsonl.gz", limit=200)
            if r["id"] in ("KCNA_2011-1", "KCNA_2011-181")]
    assert len(rows) == 2
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "in.jsonl", rows)])
        assert archive.duplicates() == []


def test_duplicates_command(archive_with_reposts, originals):
    archive, _ = archive_with_reposts
    runner = CliRunner()
    shown = runner.invoke(app, ["-a", str(archive.path), "duplicates", "--json"])
    assert shown.exit_code == 0, shown.output
    assert [g["size"] for g in json.loads(shown.stdout)] == [3, 2, 2]
    table = runner.invoke(app, ["-a", str(archive.path), "duplicates"])
    assert "3 groups; 4 articles repeat an earlier one" in table.stdout
    trends = runner.invoke(app, ["-a", str(archive.path), "trends", "--by", "year", "--no-dedupe", "--json"])
    assert sum(r["count"] for r in json.loads(trends.stdout)["rows"]) == 64
