"""Search: the FTS5 index, safe query building, keyword / meaning / combined ranking, filters and paging."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from itertools import pairwise
from pathlib import Path

import pytest

from topicwatch.analyze.search import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    MAX_QUERY_CHARS,
    SearchError,
    ensure_search_index,
    fts_query,
    search,
)
from topicwatch.archive.archive import Archive
from topicwatch.read import ReaderOptions

TOPICWATCH = shutil.which("topicwatch", path=str(Path(sys.executable).parent)) or "topicwatch"

# Articles beside the bundled sample: another language, another source, HTML in the text, no date.
EXTRA_ARTICLES = [
    {"id": "extra-de-1", "title": "Neue Regeln für den Grenzhandel mit China", "date": "2024-05-02",
     "text": "Die Behörden in der Provinz haben neue Regeln für den Handel mit China erlassen. Die Händler "
             "sagen, dass die Preise für Reis und Mais seit dem Frühjahr gestiegen sind und dass der "
             "Schmuggel über den Fluss nicht aufgehört hat. Viele Familien können sich das nicht mehr "
             "leisten."},
    {"id": "extra-html-1", "title": '<b>Bold</b> claims & "quotes" about smuggling brokers',
     "date": "2024-07-15",
     "text": 'Smuggling brokers in Hyesan said the crackdown goes on. <img src=x onerror="window.__pwned=1"> '
             "<script>window.__pwned=1</script> The pwned markup above must show as text. Brokers now charge "
             "more for every crossing, and remittance fees keep rising along the border."},
    {"id": "extra-undated-1", "title": "Hackers target a cryptocurrency exchange again",
     "text": "Researchers said a hacking group linked to the state stole cryptocurrency from an exchange, "
             "moving the stolen funds through mixers. The group has stolen billions over the years."},
]


def make_archive(folder: Path) -> Path:
    """The bundled sample (source 'Border Monitor') plus EXTRA_ARTICLES (source 'Other Wire'), fitted."""
    sample = folder / "sample.jsonl"
    sample.write_bytes(resources.files("topicwatch").joinpath("data/sample_articles.jsonl").read_bytes())
    extra = folder / "extra.jsonl"
    lines = [json.dumps(a, ensure_ascii=False) + "\n" for a in EXTRA_ARTICLES]
    extra.write_text("".join(lines), encoding="utf-8")
    path = folder / "a.db"
    with Archive(path) as archive:
        archive.ingest([sample], ReaderOptions(source="Border Monitor"))
        archive.ingest([extra], ReaderOptions(source="Other Wire"))
        archive.fit("fast", seed=0)
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = make_archive(tmp_path_factory.mktemp("search"))
    with Archive(path, create=False) as opened:
        yield opened


NASTY_QUERIES = [
    "", " ", '"', '""', "'", "a\" OR \"b", "rice\" AND", "NEAR(rice prices, 2)", "title:rice", "text : rice",
    "rice*", "*", "^rice", "-rice", "(rice", "rice)", "AND", "OR NOT", "'; DROP TABLE articles; --",
    "1' OR '1'='1", "SELECT * FROM texts", "\x00", "rice\x00prices", "\ue000rice\ue001", "한국 쌀값",
    "Мировые цены", "🍚🌾", "e\u0301te\u0301", "\u202erice", "x" * MAX_QUERY_CHARS, "rice " * 199,
]


def test_the_index_is_built_once_and_then_only_for_new_articles(archive, tmp_path):
    ensure_search_index(archive.store)
    assert ensure_search_index(archive.store) == 0
    indexed = archive.store.conn.execute("SELECT count(*) FROM search_fts").fetchone()[0]
    assert indexed == archive.store.count_articles() == 87
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "late-1", "title": "Zebra crossing painted in Pyongyang",
                                "text": "Workers painted a zebra crossing near the station.",
                                "date": "2025-07-01"}) + "\n", encoding="utf-8")
    archive.ingest([more])
    assert ensure_search_index(archive.store) == 1
    hits = search(archive, "zebra", mode="keywords")
    assert [h.id for h in hits] == ["late-1"] and hits[0].topic is None


def test_queries_become_quoted_terms_or_nothing():
    assert fts_query("") is None and fts_query("  *** ") is None and fts_query('"') is None
    assert fts_query("rice prices") == '"rice" OR "prices"'
    assert fts_query("rice prices", every=True) == '"rice" AND "prices"'
    assert fts_query('"rice prices" corn') == '"rice prices" OR "corn"'
    assert fts_query("NEAR(a b)") == '"NEAR" OR "a" OR "b"'
    assert fts_query("title:rice*") == '"title" OR "rice"'
    for query in NASTY_QUERIES:
        expression = fts_query(query)
        assert expression is None or expression.count('"') % 2 == 0


def test_keyword_hits_are_ranked_and_highlighted(archive):
    hits = search(archive, "cryptocurrency hackers", mode="keywords", limit=30)
    assert hits and all(h.keyword_rank == i for i, h in enumerate(hits, start=1))
    every = {row[0] for row in archive.store.conn.execute(
        "SELECT a.id FROM search_fts f JOIN articles a ON a.seq = f.rowid WHERE search_fts MATCH ?",
        (fts_query("cryptocurrency hackers", every=True),))}
    both = [h.id in every for h in hits]
    assert both[0] and not both[-1] and both == sorted(both, reverse=True)  # every word first, then some
    assert HIGHLIGHT_START in hits[0].snippet and HIGHLIGHT_END in hits[0].snippet
    marked = [text.lower() for text, hit in hits[0].snippet_parts if hit]
    assert marked and all(text.startswith(("cryptocurrenc", "hacker")) for text in marked)
    assert "cryptocurrency" in hits[0].keyword_line


def test_meaning_finds_related_articles_without_the_words(archive):
    hits = search(archive, "digital currency theft by state hackers", mode="meaning", limit=5)
    assert len(hits) == 5 and all(h.meaning_rank and h.keyword_rank is None for h in hits)
    assert all(a.similarity >= b.similarity for a, b in pairwise(hits))
    assert sum("cryptocurrency" in (h.keyword_line or "") for h in hits) >= 3


def test_combined_fuses_both_rankings(archive):
    combined = search(archive, "rice prices", limit=10)
    assert any(h.keyword_rank and h.meaning_rank for h in combined)
    assert all(a.score >= b.score for a, b in pairwise(combined))
    keywords = {h.id for h in search(archive, "rice prices", mode="keywords", limit=3)}
    assert keywords & {h.id for h in combined}


def test_filters(archive):
    topic = search(archive, "rice", mode="keywords", limit=1)[0].topic
    assert all(h.topic == topic for h in search(archive, "rice prices", topic=topic, limit=50))
    dated = search(archive, "prices", date_from="2024-02", date_to="2024-06", limit=50)
    assert dated and all("2024-02-01" <= h.date <= "2024-06-30" for h in dated)
    german = search(archive, "Handel Preise", language="de", limit=50)
    assert [h.id for h in german] == ["extra-de-1"]
    wire = search(archive, "smuggling", source="Other Wire", limit=50)
    assert wire and {h.source for h in wire} == {"Other Wire"}
    assert search(archive, "rice", date_from="2030-01-01") == []


def test_pages_do_not_overlap(archive):
    whole = [h.id for h in search(archive, "border", limit=30)]
    pages = [h.id for off in (0, 10, 20) for h in search(archive, "border", limit=10, offset=off)]
    assert pages == whole and len(set(whole)) == len(whole)


@pytest.mark.parametrize("mode", ["combined", "keywords"])
def test_nasty_queries_give_results_or_a_clear_error(archive, mode):
    for query in NASTY_QUERIES:
        hits = search(archive, query, mode=mode, limit=5)
        assert isinstance(hits, list), query
    assert search(archive, "") == [] and search(archive, '"*"') == []
    with pytest.raises(SearchError, match="too long"):
        search(archive, "x" * (MAX_QUERY_CHARS + 1))


def test_bad_arguments_are_search_errors(archive):
    for kwargs in ({"mode": "fuzzy"}, {"limit": 0}, {"limit": 201}, {"offset": -1},
                   {"date_from": "yesterday"}, {"date_to": "2024-02-30"}, {"date_from": "2024-13"},
                   {"date_to": "'; DROP TABLE x"}):
        with pytest.raises(SearchError):
            search(archive, "rice", **kwargs)


def test_the_command_line(archive):
    env = dict(os.environ, TERM="dumb", COLUMNS="160")
    found = subprocess.run([TOPICWATCH, "search", "cryptocurrency", "--archive", str(archive.path), "--json",
                            "--limit", "3", "--source", "Border Monitor", "--from", "2023"],
                           capture_output=True, text=True, env=env, timeout=120, check=False)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 3 and all(h["source"] == "Border Monitor" for h in hits)
    assert any(part["hit"] for part in hits[0]["match"])
    bad = subprocess.run([TOPICWATCH, "--archive", str(archive.path), "search", "rice", "--to", "June"],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "date to" in bad.stderr


def test_concurrent_meaning_searches(archive):
    """Worker threads share one embedder: its tokenizer must not be entered twice at once."""
    from concurrent.futures import ThreadPoolExecutor

    def run(i: int) -> int:
        with Archive(archive.path, create=False) as mine:
            return sum(len(search(mine, f"rice prices {i} {j}", mode="meaning", limit=3)) for j in range(25))

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(run, range(8))) == [75] * 8
