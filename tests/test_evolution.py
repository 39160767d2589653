"""Updates that keep topic ids, new topics, edits that last, refit mapping, trends and bursts."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from topicwatch import Archive
from topicwatch.analyze.burst_model import burst_states
from topicwatch.analyze.bursts import archive_bursts
from topicwatch.analyze.over_time import keywords_by_period, period_of, period_range
from topicwatch.store import ArchiveError, Store

from .conftest import load_corpus

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "topicwatch" / "data" / "sample_articles.jsonl"
TOPICWATCH = str(Path(sys.executable).parent / "topicwatch")


def _rows():
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _topic_of(archive):
    return {a: t for a, t, _ in archive.store.assignments(archive.store.current_model()["id"])}


def test_update_labels_only_new_articles_and_keeps_old_topics(tmp_path):
    rows = _rows()
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rows[:60])])
        archive.fit("fast", seed=0)
        before = _topic_of(archive)
        report = archive.update([_write(tmp_path / "new.jsonl", rows[60:])])
        after = _topic_of(archive)
        assert report.labelled == 24 and report.ingest.counts.ingested == 24
        assert all(after[a] == t for a, t in before.items())  # old articles: 100 % unchanged
        assert len(after) == 84
        again = archive.update([tmp_path / "new.jsonl"])  # nothing new: nothing changes
        assert again.labelled == 0 and _topic_of(archive) == after


def test_articles_that_fit_no_topic_form_a_new_topic(tmp_path):
    rows = _rows()
    cyber = [r for r in rows if r["section"] == "cyber"]
    rest = [r for r in rows if r["section"] != "cyber"]
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rest)])
        archive.fit("fast", seed=0)
        known = {t["topic"] for t in archive.topics()}
        known_vocabulary = set(archive._load_model()[1].vocabulary_)
        report = archive.update([_write(tmp_path / "cyber.jsonl", cyber)])
        assert len(report.new_topics) == 1 and report.new_topics[0] not in known
        new_topic = report.new_topics[0]
        topic_of = _topic_of(archive)
        assert sum(topic_of[r["id"]] == new_topic for r in cyber) >= 8
        (listed,) = archive.new_topics()
        assert listed["topic"] == new_topic and listed["origin"] == "update"
        # The fit saw no article about hacking, so its vocabulary had no word for it: the words the new
        # topic's articles share join the vocabulary, and the line says what is new.
        words = set(listed["keyword_line"].split())
        assert words & {"hackers", "hacker", "crypto", "cryptocurrency", "theft", "heist"}
        cyber_text = " ".join(f"{r.get('title', '')} {r['text']}".lower() for r in cyber)
        assert all(term in cyber_text for term in listed["keywords"])
        _, model = archive._load_model()
        assert "hackers" not in known_vocabulary and "hackers" in model.vocabulary_
        assert len(model.lexical_.idf) == len(model.vocabulary_) == model.term_stats_.counts.shape[1]


def test_edits_last_through_updates_and_show_everywhere(tmp_path):
    rows = _rows()
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rows[:70])])
        archive.fit("fast", n_topics=6, seed=0)
        archive.rename_topic(0, "Border trade")
        archive.merge_topics(1, [2])
        parts = archive.split_topic(3, 2)
        topics = {t["topic"]: t for t in archive.topics()}
        assert topics[0]["label"] == "Border trade"
        assert 2 not in topics and 3 not in topics and set(parts) <= set(topics)
        assert all(t != 2 and t != 3 for t in _topic_of(archive).values())
        archive.update([_write(tmp_path / "new.jsonl", rows[70:])])
        topics = {t["topic"]: t for t in archive.topics()}
        assert topics[0]["label"] == "Border trade"
        assert all(t not in (2, 3) for t in _topic_of(archive).values())  # merged/split ids take nothing
        archive.export(tmp_path / "out", "jsonl")
        exported = json.loads((tmp_path / "out" / "topics.json").read_text())
        assert {"topic": 0, "label": "Border trade"}.items() <= next(t for t in exported if t["topic"] == 0).items()
        with pytest.raises(ValueError, match="no topic 2"):
            archive.rename_topic(2, "gone")


def test_refit_keeps_ids_of_topics_that_continue(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
        archive.rename_topic(1, "Named")
        old = {t["topic"]: t["keyword_line"] for t in archive.topics()}
        report = archive.refit()
        new = {t["topic"]: t for t in archive.topics()}
        assert len(report.kept) == len(old)  # same data, same seed: every topic continues
        assert all(new[t]["keyword_line"] == line for t, line in old.items())
        assert new[1]["label"] == "Named"


def test_keyword_line_versions_keep_their_date_ranges(tmp_path):
    rows = sorted(_rows(), key=lambda r: r["date"])
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rows[:40])])
        archive.fit("fast", n_topics=5, seed=0)
        archive.update([_write(tmp_path / "new.jsonl", rows[40:])])
        histories = [archive.keyword_history(t["topic"]) for t in archive.topics()]
        assert all(h and h[0]["version"] == 1 for h in histories)
        grown = [h for h in histories if len(h) > 1]
        assert grown, "some keyword line should have drifted with 44 new articles"
        assert all(h[-1]["last_date"] > h[0]["last_date"] for h in grown)


def test_trends_count_every_dated_article_and_say_how_many_lack_a_date(tmp_path):
    rows = _rows()
    for r in rows[:5]:
        r["date"] = None
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "in.jsonl", rows)])
        archive.fit("fast", seed=0)
        trends = archive.trends("month")
        assert trends.undated == 5
        assert sum(sum(c) for c in trends.counts.values()) == sum(trends.totals) == 79
        dates = sorted(r["date"] for r in rows if r["date"])
        assert trends.periods[0] == dates[0][:7] and trends.periods[-1] == dates[-1][:7]
        assert len(trends.periods) == len(period_range(dates[0], dates[-1], "month"))
        lines = keywords_by_period(archive, 0, "year")
        assert [p["period"] for p in lines] == sorted(p["period"] for p in lines) and lines[0]["keywords"]


def test_periods():
    assert period_of("2011-12-19", "week") == "2011-W51"
    assert period_range("2011-11-30", "2012-02-01", "month") == ["2011-11", "2011-12", "2012-01", "2012-02"]
    assert period_range("2011-12-25", "2012-01-09", "week") == ["2011-W51", "2011-W52", "2012-W01", "2012-W02"]


def test_burst_model_finds_a_spike_against_the_topic_baseline():
    totals = [100] * 12
    steady = [10] * 12
    spike = [5, 5, 5, 5, 5, 30, 35, 5, 5, 5, 5, 5]
    assert burst_states(steady, totals)[0].sum() == 0
    states, _ = burst_states(spike, totals)
    assert list(states) == [0] * 5 + [1, 1] + [0] * 5


@pytest.mark.slow
def test_death_of_kim_jong_il_stands_out_in_december_2011(tmp_path):
    rows = [r for r in load_corpus("kcna_stories_2011_2012.jsonl.gz")
            if r["date"] and "2011-09-01" <= r["date"] < "2012-03-01"]
    with Archive(tmp_path / "k.db") as archive:
        archive.ingest([_write(tmp_path / "k.jsonl", rows)])
        archive.fit("fast", seed=0)
        top = archive_bursts(archive, "week")[0]
        assert top["start"] in ("2011-W51", "2011-W52") and top["share"] > 3 * top["baseline"], top
        line = top["keyword_line"]
        assert any(term in line for term in ("condolence", "demise", "jong il", "mourning", "bereavement")), line
        assert any(a["date"] >= "2011-12-19" for a in top["top_articles"])


def _cli(*args, cwd, env=None, **kw):
    return subprocess.run([TOPICWATCH, *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, **kw)


def _processes_in(directory) -> set[int]:
    """Ids of the live processes whose working directory is ``directory`` (Linux /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/cwd") == str(directory):
                with open(f"/proc/{entry}/stat") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[0] != "Z":  # zombies are gone already
                        found.add(int(entry))
        except OSError:
            continue
    return found


def test_killed_update_leaves_the_archive_as_it_was(tmp_path):
    rows = _rows()
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rows)])
        archive.fit("fast", seed=0)
    big = [{"id": f"n{i}", "text": f"Item {i}: " + r["text"], "date": r["date"]}
           for i, r in enumerate(rows * 400)]
    _write(tmp_path / "big.jsonl", big)
    proc = subprocess.Popen([TOPICWATCH, "-a", "a.db", "update", "big.jsonl"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3.0)
    assert proc.poll() is None, "the update finished before it could be killed; make the input bigger"
    workers = _processes_in(tmp_path) - {proc.pid}
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while workers & _processes_in(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not workers & _processes_in(tmp_path), "worker processes outlived the killed update"
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 84
        assert conn.execute("SELECT count(*) FROM assignments").fetchone()[0] == 84


def test_second_writer_waits_then_fails_clearly(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
    holder = Store(tmp_path / "a.db")
    with holder.transaction():
        result = _cli("-a", "a.db", "update", str(SAMPLE), cwd=tmp_path, env={"TOPICWATCH_LOCK_TIMEOUT": "1"})
    holder.close()
    assert result.returncode == 1 and "archive is busy" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    with pytest.raises(ArchiveError, match="busy"):
        a, b = Store(tmp_path / "a.db", timeout=0.2), Store(tmp_path / "a.db", timeout=0.2)
        with a.transaction(), b.transaction():
            pass


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Border desk</title>
<item><guid>feed-1</guid><title>Smugglers fined in Hyesan</title><pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate>
<description>Border guards in Ryanggang province fined smugglers carrying Chinese mobile phones.</description></item>
<item><guid>feed-2</guid><title>Rice prices rise</title><pubDate>Tue, 04 Jun 2024 10:00:00 GMT</pubDate>
<description>Rice and corn prices rose in Hyesan markets as traders reported thin stocks.</description></item>
</channel></rss>"""


@pytest.fixture
def feed_server():
    seen: list[dict] = []

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(dict(self.headers))
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            body = RSS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/feed.xml", seen
    server.shutdown()


def test_update_from_a_feed_url_uses_conditional_get(tmp_path, feed_server):
    url, seen = feed_server
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
        first = archive.update([url])
        assert first.ingest.counts.ingested == 2 and first.labelled == 2
        assert archive.article("feed-1")["source"] == url and archive.article("feed-1")["keyword_line"]
        second = archive.update([url])
        assert second.ingest is None and second.labelled == 0
        assert seen[-1].get("If-None-Match") == '"v1"'


def test_watch_polls_and_stops(tmp_path, feed_server):
    url, seen = feed_server
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
    result = _cli("-a", "a.db", "watch", url, "--every", "0.2s", "--times", "2", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "labelled 2 new articles" in result.stdout and len(seen) == 2


def test_cli_time_and_edit_commands(tmp_path):
    assert _cli("-a", "a.db", "ingest", str(SAMPLE), cwd=tmp_path).returncode == 0
    assert _cli("-a", "a.db", "fit", cwd=tmp_path).returncode == 0
    trends = _cli("-a", "a.db", "trends", "--by", "year", "--json", cwd=tmp_path)
    rows = json.loads(trends.stdout)["rows"]
    assert {r["period"] for r in rows} == {"2023", "2024", "2025"}
    csv_out = _cli("-a", "a.db", "trends", "--csv", "--topic", "0", cwd=tmp_path).stdout.splitlines()
    assert csv_out[0] == "topic,period,count,share" and len(csv_out) == 31
    assert _cli("-a", "a.db", "topic", "rename", "0", "Mine", cwd=tmp_path).returncode == 0
    assert "Mine" in _cli("-a", "a.db", "topics", cwd=tmp_path, env={"COLUMNS": "200"}).stdout
    tree = json.loads(_cli("-a", "a.db", "tree", "--json", cwd=tmp_path).stdout)
    assert tree["size"] == 84 and len(tree["children"]) == 2
    bad = _cli("-a", "a.db", "topic", "merge", "0", cwd=tmp_path)
    assert bad.returncode == 1 and "at least two different topics" in bad.stderr
    assert json.loads(_cli("-a", "a.db", "bursts", "--by", "month", "--json", cwd=tmp_path).stdout) is not None
    # one spelling of the grain for every command, the plural taken as well
    story_bursts = _cli("-a", "a.db", "bursts", "--by", "month", "--level", "story", "--json", cwd=tmp_path).stdout
    assert _cli("-a", "a.db", "bursts", "--by", "month", "--level", "stories", "--json", cwd=tmp_path).stdout == story_bursts
    assert all(b["level"] == "story" for b in json.loads(story_bursts))


def test_widening_the_lexical_view_leaves_every_vector_as_it_was():
    import numpy as np
    from scipy import sparse

    from topicwatch.model.lexical import LexicalView

    counts = sparse.random(60, 40, density=0.2, format="csr", dtype=np.float32, random_state=0)
    counts.data = np.ceil(counts.data * 3)
    view = LexicalView.fit(counts, dims=8)
    before = view.transform(counts)
    view.widen(5)
    extra = sparse.random(60, 5, density=0.5, format="csr", dtype=np.float32, random_state=1)
    extra.data = np.ceil(extra.data * 3)
    assert np.allclose(view.transform(sparse.hstack([counts, extra]).tocsr()), before, atol=1e-6)


def _story_of(archive):
    return archive.store.story_of_articles(archive.store.current_model()["id"])


def test_stories_inside_topics_keep_their_ids_through_update_and_refit(tmp_path):
    rows = load_corpus("kcna_stories_2011_2012.jsonl.gz", 900)
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rows[:700])])
        archive.fit("fast", seed=0)
        topics = {t["topic"] for t in archive.topics()}
        stories = archive.stories()
        # Stories follow the data: some topics hold several, each story lies inside one topic.
        assert len(stories) > len(topics) and {s["topic"] for s in stories} == topics
        assert all(s["keyword_line"] and s["size"] >= 1 for s in stories)
        by_topic = {}
        for s in stories:
            by_topic.setdefault(s["topic"], []).append(s["story"])
        assert max(len(v) for v in by_topic.values()) >= 3
        topic_of = _topic_of(archive)
        parent = {s["story"]: s["topic"] for s in stories}
        assert all(parent[story] == topic_of[a] for a, story in _story_of(archive).items())
        before = _story_of(archive)
        archive.update([_write(tmp_path / "new.jsonl", rows[700:])])
        after = _story_of(archive)
        assert all(after[a] == s for a, s in before.items())  # old articles keep their stories
        assert all(s is not None for s in after.values())
        parent = {s["story"]: s["topic"] for s in archive.stories()}
        topic_of = _topic_of(archive)
        assert all(parent[story] == topic_of[a] for a, story in after.items())
        one = archive.stories(topic=0)
        assert one and all(s["topic"] == 0 for s in one)
        archive.refit()  # a refit matches its stories to the old ones by the articles they share
        refit = _story_of(archive)
        highest = max(after.values())
        continued = {s for s in refit.values() if s <= highest}
        assert continued and all(s > highest for s in set(refit.values()) - continued)
        for story in continued:  # a kept id holds mostly the articles it held
            old = {a for a, s in after.items() if s == story}
            new = {a for a, s in refit.items() if s == story}
            assert len(old & new) / len(old | new) >= 0.2
        archive.refit()  # nothing changed since: every story continues under its id
        assert _story_of(archive) == refit


def test_a_merge_carries_stories_along_and_a_split_gives_new_topics_stories(tmp_path):
    rows = _rows()
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "old.jsonl", rows)])
        archive.fit("fast", n_topics=6, seed=0)
        moved = {s["story"] for s in archive.stories(topic=2)}
        archive.merge_topics(1, [2])
        assert moved <= {s["story"] for s in archive.stories(topic=1)}
        parts = archive.split_topic(3, 2)
        for part in parts:
            assert archive.stories(topic=part)
        topic_of = _topic_of(archive)
        parent = {s["story"]: s["topic"] for s in archive.stories()}
        assert all(parent[story] == topic_of[a] for a, story in _story_of(archive).items())
