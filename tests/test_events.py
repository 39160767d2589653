"""Bursts against a local baseline, shifts told apart from them, and events, down to the known events of
two real KCNA archives."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwatch import Archive
from topicwatch.analyze.burst_model import burst_states, bursting, find_bursts
from topicwatch.analyze.bursts import archive_bursts, bursting_now
from topicwatch.analyze.events import archive_events, period_bounds
from topicwatch.analyze.shifts import find_shifts
from topicwatch.analyze.word_bursts import DatedLines, dated_lines, word_events
from topicwatch.present.web import create_app
from topicwatch.store.line_terms import encoded_lines, term_texts
from topicwatch.store.schema import SCHEMA

from .conftest import DATA_DIR, skip_without_corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from events import score  # the rule: a top-30 burst within 14 days, lasting at most 8 weeks

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "topicwatch" / "data" / "sample_articles.jsonl"
WEEKS = [f"{2000 + i // 52}-W{i % 52 + 1:02d}" for i in range(208)]


def test_a_lasting_rise_is_a_shift_and_not_a_years_long_burst():
    rng = np.random.default_rng(0)
    totals = rng.poisson(200, len(WEEKS))
    counts = np.concatenate([rng.binomial(totals[:100], 0.03), rng.binomial(totals[100:], 0.12)])
    bursts = find_bursts(WEEKS, {0: list(counts)}, list(totals))
    assert all(WEEKS.index(b.end) - WEEKS.index(b.start) < 8 for b in bursts), bursts
    shifts = find_shifts(WEEKS, {0: list(counts)}, list(totals))
    assert [s.period for s in shifts] == [WEEKS[100]]
    assert shifts[0].before == pytest.approx(0.03, abs=0.01) and shifts[0].after == pytest.approx(0.12, abs=0.01)


def test_a_two_week_spike_is_a_burst_and_not_a_shift():
    rng = np.random.default_rng(1)
    totals = rng.poisson(200, len(WEEKS))
    counts = rng.binomial(totals, 0.03)
    counts[120:122] = rng.binomial(totals[120:122], 0.30)
    bursts = find_bursts(WEEKS, {0: list(counts)}, list(totals))
    assert (bursts[0].start, bursts[0].end) == (WEEKS[120], WEEKS[121])
    assert bursts[0].baseline == pytest.approx(0.03, abs=0.01)
    assert find_shifts(WEEKS, {0: list(counts)}, list(totals)) == []
    steady, _ = burst_states(counts[:100], totals[:100])
    assert steady.sum() == 0


def test_a_sparse_storys_burst_ends_with_its_busy_week_not_with_a_straggler_weeks_later():
    totals = [100] * len(WEEKS)
    counts = [1 if i % 20 == 0 else 0 for i in range(len(WEEKS))]  # one article every twenty weeks
    counts[120], counts[128] = 6, 1  # an event, and one late mention eight quiet weeks on
    states, _, _ = bursting(np.asarray(counts, dtype=float), np.asarray(totals, dtype=float))
    assert states[120:129].all()  # the automaton bridges the quiet weeks (re-entering costs more) ...
    strongest = find_bursts(WEEKS, {0: counts}, totals)[0]
    assert (strongest.start, strongest.end, strongest.articles) == (WEEKS[120], WEEKS[120], 6)  # ... the list does not


def test_a_yearly_occasion_is_not_a_burst_but_a_one_off_in_its_season_is():
    totals = np.full(len(WEEKS), 100)
    counts = np.full(len(WEEKS), 2)
    counts[[6 + 52 * year for year in range(4)]] = 30  # a leader's birthday, every February
    counts[52 * 2 + 20] = 30  # and once, in May of the third year, news
    bursts = find_bursts(WEEKS, {0: counts.tolist()}, totals.tolist())
    assert [(b.start, b.end) for b in bursts] == [(WEEKS[52 * 2 + 20], WEEKS[52 * 2 + 20])]


def test_a_season_the_other_years_held_at_their_usual_level_is_no_floor():
    totals = np.full(len(WEEKS), 300)
    counts = np.zeros(len(WEEKS))
    counts[52 + 33] = 20  # a visit, once, in August of the second year
    counts[[33, 52 * 2 + 33, 52 * 3 + 33]] = 2  # two ordinary items in that week of the other years
    (burst,) = find_bursts(WEEKS, {0: counts.tolist()}, totals.tolist())
    assert (burst.start, burst.articles) == (WEEKS[52 + 33], 20)
    assert burst.baseline < 0.1 * 2 / 300  # not the other years' two items a week: they never burst


def _lines(weekly: list[list[list[str]]], start: str = "2020-01-06") -> DatedLines:
    """The event grain's lines of articles dated a week apart: ``weekly[w]`` holds each article's terms."""
    from datetime import date, timedelta
    monday = date.fromisoformat(start)
    return _dated_lines([(f"a{w}-{k}", (monday + timedelta(weeks=w)).isoformat(), None, k % 3, None, terms)
                         for w, articles in enumerate(weekly) for k, terms in enumerate(articles)])


def _dated_lines(rows: list[tuple]) -> DatedLines:
    """``dated_lines`` of (article, date, first, topic, story, terms) rows, the terms given ids as the
    archive gives them (``store.line_terms``)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    encoded = encoded_lines(conn, [json.dumps(row[5]) for row in rows])
    return dated_lines([(*row[:5], ids) for row, ids in zip(rows, encoded)], "week", term_texts(conn))


def test_an_event_is_the_words_that_burst_together_dated_to_its_week():
    rng = np.random.default_rng(0)
    common = ["rice", "market", "border", "prices", "visit", "delegation", "talks", "message"]
    weeks = [[list(rng.choice(common, 3, replace=False)) for _ in range(40)] for _ in range(30)]
    # Week 20: a prime minister's visit, named three ways, with the wire's everyday "visit" and "talks";
    # and, apart, a train explosion in the same week.
    weeks[20] += [["koizumi", "visit", "talks"], ["koizumi", "pyongyang declaration"],
                  ["pyongyang declaration", "koizumi", "message"], ["koizumi", "gift"], ["pyongyang declaration"]]
    weeks[20] += [["ryongchon", "explosion"], ["ryongchon", "explosion", "relief"], ["ryongchon", "aid"],
                  ["explosion", "ryongchon"]]
    lines = _lines(weeks)
    events = word_events(lines)
    named = {e.words[0]: e for e in events[:2]}
    assert set(named) == {"koizumi", "ryongchon"} or set(named) == {"pyongyang declaration", "ryongchon"} \
        or set(named) == {"koizumi", "explosion"} or set(named) == {"pyongyang declaration", "explosion"}, \
        [e.words for e in events[:4]]
    for event in events[:2]:
        assert lines.periods[event.first] == lines.periods[event.last] == lines.periods[20]
        assert "visit" not in event.words and "talks" not in event.words  # everyday words are not its line
    visit = next(e for e in events[:2] if {"koizumi", "pyongyang declaration"} & set(e.words))
    assert {"koizumi", "pyongyang declaration"} <= set(visit.words)  # one event, however it is named
    assert len(visit.articles) == 5


def test_a_word_of_two_events_in_consecutive_weeks_does_not_make_them_one():
    rng = np.random.default_rng(1)
    common = ["rice", "market", "border", "prices", "visit", "delegation", "talks", "message"]
    weeks = [[list(rng.choice(common, 3, replace=False)) for _ in range(40)] for _ in range(30)]
    # A navy flotilla's call one week, a visit to a Russian city the next; "commander" is in both.
    weeks[20] += [["flotilla", "frigate"], ["flotilla", "frigate", "seamen"], ["flotilla", "seamen"],
                  ["flotilla", "commander"], ["frigate", "commander"], ["flotilla", "frigate", "commander"]]
    weeks[21] += [["ulan ude", "medvedev"], ["ulan ude", "medvedev", "siberia"], ["medvedev", "siberia"],
                  ["medvedev", "ulan ude", "siberia"], ["medvedev", "commander"], ["siberia", "commander"],
                  ["ulan ude", "commander"]]
    lines = _lines(weeks)
    events = word_events(lines)
    by_word = {word: e for e in events for word in e.words}
    assert by_word["flotilla"] is not by_word["medvedev"], [e.words for e in events[:3]]
    assert lines.periods[by_word["flotilla"].first] == lines.periods[by_word["flotilla"].last] == lines.periods[20]
    assert lines.periods[by_word["medvedev"].last] == lines.periods[21]  # "commander" went to one of the two


def test_words_that_never_burst_make_no_event():
    # "steady" is in three articles of twenty every week: counted (three a week), never a burst
    names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    weeks = [[["steady"]] * 3 + [[f"{names[w % 10]} {names[k % 10]} {'x' * (w + 1)}"] for k in range(17)]
             for w in range(30)]
    assert word_events(_lines(weeks)) == []


def test_one_name_in_two_languages_is_one_event_and_an_everyday_word_joins_nothing():
    rng = np.random.default_rng(1)
    common = ["rice", "market", "border", "prices", "visit", "delegation", "talks", "message", "president"]
    weeks = [[list(rng.choice(common, 3, replace=False)) for _ in range(40)] for _ in range(30)]
    # Week 20: the same visit in English and in Spanish items, whose terms never meet but share the
    # name; and, that week, an unrelated election whose term shares with the first only the everyday
    # "president".
    weeks[20] += [["dmitri anatoliyevich medvedev president", "ulan ude"]] * 4
    weeks[20] += [["dmitri anatolievich medvedev", "lejano oriente"]] * 4
    weeks[20] += [["president elect", "prices"]] * 4
    events = word_events(_lines(weeks))
    carrying = [e for e in events if any("medvedev" in w for w in e.words)]
    assert len(carrying) == 1 and len(carrying[0].articles) == 8, [e.words for e in carrying]
    assert "president elect" not in carrying[0].words


def test_cognates_of_two_languages_are_one_event():
    rng = np.random.default_rng(3)
    common = ["rice", "market", "border", "prices", "visit", "delegation", "talks", "message", "politics"]
    weeks = [[list(rng.choice(common, 3, replace=False)) for _ in range(40)] for _ in range(30)]
    # Week 12: one death told in English and in Spanish items, whose terms never meet (nor share a whole
    # word) but begin alike; and a party congress that week, which begins like neither.
    weeks[12] += [["condolences", "bier", "grief"]] * 5
    weeks[12] += [["condolencias", "fallecimiento"]] * 5
    weeks[12] += [["partidos politicos", "congreso"]] * 5
    events = word_events(_lines(weeks))
    death = [e for e in events if {"condolences", "condolencias"} & set(e.words)]
    assert len(death) == 1 and len(death[0].articles) == 10, [e.words for e in death]
    assert [e for e in events if "partidos politicos" in e.words] and "congreso" not in death[0].words


def test_an_event_told_in_two_languages_shows_its_usual_languages_articles_first():
    from topicwatch.analyze.bursts import _event_told
    from topicwatch.analyze.word_bursts import WordEvent

    # 12 articles carrying the event's words, the ones with most words first: two Spanish items lead,
    # most are English.
    languages = ["es", "es", "en", "en", "es", "en", "en", "en", "en", "en", "en", None]
    ids = [f"a{k}" for k in range(len(languages))]
    lines = _dated_lines([(i, "2020-01-06", None, 0, None, ["condolences"]) for i in ids])
    event = WordEvent(["condolences", "condolencias"], 0, 0, 10.0, list(range(len(ids))), 0.5, 0.01)
    titles = {i: ("2020-01-06", f"title {i}", lang) for i, lang in zip(ids, languages)}
    shown = [a["id"] for a in _event_told(lines, event, 5, titles)["top_articles"]]
    assert shown == ["a2", "a3", "a5", "a6", "a7"]  # English first, in the order of the words they carry
    spanish = {i: (d, t, "es" if lang == "en" else "en") for i, (d, t, lang) in titles.items()}
    assert [a["id"] for a in _event_told(lines, event, 5, spanish)["top_articles"]][:2] == ["a2", "a3"]
    assert [a["id"] for a in _event_told(lines, event, 3, {i: (d, t, None) for i, (d, t, _) in titles.items()}
                                        )["top_articles"]] == ["a0", "a1", "a2"]  # no languages: as ranked


def test_an_archive_made_before_lines_were_kept_as_term_ids_gets_them_when_opened(tmp_path):
    from topicwatch.analyze.bursts import archive_lines

    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
        fresh = archive_lines(archive, "week")
        bursts = archive_bursts(archive, "month")
        assert bursts
        conn = archive.store.conn  # as a schema-3 archive was: lines as JSON only
        conn.execute("ALTER TABLE assignments DROP COLUMN terms")
        conn.execute("DROP TABLE line_terms")
        archive.store.set_meta("schema_version", "3")
    with Archive(tmp_path / "a.db") as archive:
        held, lines = archive.store.conn.execute("SELECT count(terms), count(line) FROM assignments").fetchone()
        assert held == lines > 0 and archive.store.get_meta("schema_version") == "4"
        migrated = archive_lines(archive, "week")
        assert migrated.terms == fresh.terms and len(fresh.terms) > 100
        assert np.array_equal(migrated.term_ids, fresh.term_ids)
        assert np.array_equal(migrated.term_owner, fresh.term_owner)
        assert archive_bursts(archive, "month") == bursts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=8, max_size=8), min_size=1, max_size=6),
       st.floats(1.5, 8.0))
def test_the_screen_before_the_exact_model_never_hides_a_burst(rows, ratio):
    from topicwatch.analyze.burst_model import _burst_gain, _cheapest_states, _may_burst  # the parts screened

    r = np.asarray(rows, dtype=float)
    d = np.broadcast_to(np.full(r.shape[1], 60.0), r.shape)
    p0 = np.clip((r.sum(axis=1, keepdims=True) + 1) / (d.sum(axis=1, keepdims=True) + 60), 1e-9, 0.5) * np.ones(r.shape)
    p1 = np.minimum(ratio * p0, 0.9999)
    up = np.log(r.shape[1])
    bursting_rows = np.flatnonzero(_cheapest_states(_burst_gain(r, d, p0, p1), up).any(axis=1))
    assert set(bursting_rows.tolist()) <= set(_may_burst(r, d, p0, p1, ratio, up).tolist())


def test_the_pages_bursting_mark_is_a_burst_the_list_ends_in_the_last_period(tmp_path):
    rng = np.random.default_rng(2)
    totals = rng.poisson(200, len(WEEKS))
    steady = rng.binomial(totals, 0.03)
    rising = steady.copy()
    rising[-2:] = rng.binomial(totals[-2:], 0.30)
    counts = {0: list(steady), 1: list(rising)}
    assert bursting_now(WEEKS, counts, list(totals)) == {1}
    with Archive(tmp_path / "a.db") as archive:  # and the page's topic list what the list by month says
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
        last = archive.trends("month").periods[-1]
        ending = {b["topic"] for b in archive_bursts(archive, "month") if b["end"] == last}
    client = TestClient(create_app(tmp_path / "a.db", warm=False), base_url="http://127.0.0.1")
    marked = {t["topic"] for t in client.get("/api/topics", params={"limit": 200}).json()["items"] if "bursting" in t["marks"]}
    assert marked == ending


def test_periods_asked_for_are_checked():
    assert period_bounds(on="2011-12-19") == ("2011-12-19", "2011-12-19")
    assert period_bounds(week="2011-W51") == ("2011-12-19", "2011-12-25")
    assert period_bounds(since="2011-01-01") == ("2011-01-01", None)
    for wrong in ({"on": "yesterday"}, {"week": "2011-51"}, {"since": "2011-13-45"},
                  {"on": "2011-12-19", "week": "2011-W51"}):
        with pytest.raises(ValueError):
            period_bounds(**wrong)


def test_events_from_the_command_line_and_the_api(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([SAMPLE])
        archive.fit("fast", seed=0)
        found = archive_events(archive, "month", since="2024-01-01")
        assert set(found) == {"by", "from", "to", "bursts", "shifts", "undated"} and found["from"] == "2024-01-01"
        assert all(b["end"] >= "2024-01" for b in found["bursts"])
        story_bursts = archive_bursts(archive, "month", level="story")
        assert all(b["level"] == "story" and b["story"] is not None for b in story_bursts)
    client = TestClient(create_app(tmp_path / "a.db", warm=False), base_url="http://127.0.0.1")
    answer = client.get("/api/events", params={"by": "month", "since": "2024-01-01"})
    assert answer.status_code == 200 and answer.json()["bursts"] == json.loads(json.dumps(found["bursts"]))
    assert client.get("/api/events", params={"week": "2024-W99"}).status_code == 400


def _archive_of(tmp_path_factory, name: str) -> Path:
    source = DATA_DIR / f"{name}.jsonl.gz"
    skip_without_corpus(source)
    path = tmp_path_factory.mktemp(name) / "a.db"
    with Archive(path) as archive:
        archive.ingest([source])
        archive.fit("fast", seed=0)
    return path


def _known_events(name: str) -> list[dict]:
    with open(DATA_DIR / f"{name}_events.tsv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# For each archive, events whose own words a top-30 burst starting within 14 days must carry: the
# matches of the rule that are the event's own articles, not other news of the same weeks.
OWN_WORDS = {
    "kcna_stories_2011_2012": {"death of kim jong il announced": "condolences", "satellite launch announced": "satellite",
                               "kim il sung centenary": "centenary", "kim jong un made marshal": "marshal",
                               "kim jong il visits russia": "medvedev"},
    "kcna_headlines_1997_2004": {"kim jong il made general secretary": "secy",  # "gen secy kim jong il"
                                 "supreme people's assembly re-elects kim jong il": "national defence commission",
                                 "inter-korean summit": "kim dae jung", "ryongchon explosion": "ryongchon"},
}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "at_least", "long_at_most"), [
    # The issue asks 7 of 7 and 6 of 7. Measured (bench/events.py, BENCHMARKS.md): 7 and 7, of which
    # 5 and 4 are the event's own words (OWN_WORDS); the same 30 bursts moved to random weeks match 4.9
    # and 1.9 by chance.
    ("kcna_stories_2011_2012", 7, 0),
    ("kcna_headlines_1997_2004", 7, 3),
])
def test_the_known_events_of_a_real_archive_are_among_its_top_bursts(tmp_path_factory, name, at_least,
                                                                       long_at_most):
    with Archive(_archive_of(tmp_path_factory, name), create=False) as archive:
        bursts = archive_bursts(archive, "week", limit=30)
        story_bursts = archive_bursts(archive, "week", level="story", limit=30)
    known = _known_events(name)
    found, long = score(bursts, known)
    assert len(found) >= at_least, found
    assert long <= long_at_most, [(b["start"], b["end"]) for b in bursts]
    _, long = score(story_bursts, [])  # the same bound at the grain of stories
    assert long <= long_at_most, [(b["start"], b["end"]) for b in story_bursts]
    for event in known:
        word = OWN_WORDS[name].get(event["event"])
        if word:
            own = [b for b in bursts if word in b["keyword_line"]]
            assert score(own, [event])[0], (event["event"], [(b["start"], b["keyword_line"]) for b in own])


def test_one_week_of_news_is_too_little_history_and_undated_articles_are_counted(tmp_path):
    rng = np.random.default_rng(0)
    words = ["rice", "maize", "border", "market", "traders", "guards", "prices", "phones", "smuggling", "cadres",
             "farm", "fertilizer", "harvest", "school", "students", "teachers", "railway", "station", "bridge",
             "factory", "workers", "steel", "coal", "power", "plant"]
    rows = [{"id": f"w{i}", "date": f"2024-03-0{4 + i % 5}" if i < 30 else None,
             "text": " ".join(rng.choice(words, 40))} for i in range(36)]
    (tmp_path / "week.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([tmp_path / "week.jsonl"])
        archive.fit("fast", seed=0)
        with pytest.raises(ValueError, match="too little history"):
            archive_bursts(archive, "week")
        assert archive_events(archive, "day")["undated"] == 6
