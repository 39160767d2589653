"""Tests for topicwatch.readers: every input format, with real files written to tmp_path."""

from __future__ import annotations

import gzip
import itertools
import json
import tracemalloc
from pathlib import Path

import pytest

from topicwatch.read import ReaderOptions, read_inputs
from topicwatch.read.records import Article, Reject
from topicwatch.read.text_files import is_keyword_line, split_text

from .conftest import DATA_DIR, skip_without_corpus


def read_all(*paths: str | Path, **options: object) -> list[Article | Reject]:
    return list(read_inputs([str(path) for path in paths], ReaderOptions(**options)))  # type: ignore[arg-type]


def articles(items: list[Article | Reject]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def rejects(items: list[Article | Reject]) -> list[Reject]:
    return [item for item in items if isinstance(item, Reject)]


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- .txt files


def test_txt_folder_sorted_recursive_with_titles_and_ids(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b.txt").write_text("Second Story\n\nThe mayor spoke on Monday.\nShe left.\n", encoding="utf-8")
    (root / "a.txt").write_text("First Story\nA short body about the harbour.", encoding="utf-8")
    (root / "z.txt").write_text("Only A Title Line", encoding="utf-8")
    (root / "sub" / "c.txt").write_text("Nested Story\nText of the nested story.", encoding="utf-8")
    (root / "sub" / "deeper" / "d.txt").write_text("Deep Story\nDeep text.", encoding="utf-8")
    (root / ".hidden.txt").write_text("Hidden\nNot read.", encoding="utf-8")
    (root / ".git" / "e.txt").write_text("Hidden Dir\nNot read.", encoding="utf-8")
    (root / "notes.md").write_text("# unknown type, skipped silently", encoding="utf-8")

    items = read_all(root)
    assert rejects(items) == []
    assert [a.id for a in items] == ["a", "b", "sub/c", "sub/deeper/d", "z"]
    first, second = items[0], items[1]
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.title == "First Story"
    assert first.text == "A short body about the harbour."
    assert second.text == "The mayor spoke on Monday.\nShe left."
    assert second.language == "en"
    assert second.where == str(root / "b.txt") and second.source == str(root / "b.txt")
    single = items[-1]
    assert isinstance(single, Article) and single.title == single.text == "Only A Title Line"
    assert all(a.given_keywords is None for a in articles(items))


def test_explicit_txt_file_id_is_stem_and_source_override(tmp_path: Path) -> None:
    path = tmp_path / "story.one.txt"
    path.write_text("Title Here\nBody here.", encoding="utf-8")
    (item,) = read_all(path, source="my-archive")
    assert isinstance(item, Article)
    assert item.id == "story.one" and item.source == "my-archive"


SEED = "election turnout coalition talks parliament\nCoalition talks stall after record turnout\n\nThe parties met on Monday.\n"
NORMAL = "Coalition talks stall after record turnout\n\nThe parties met on Monday and talked.\n"


def test_seed_format_auto_detected(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text(SEED, encoding="utf-8")
    (tmp_path / "ko.txt").write_text(
        "경제 건설 인민 생활 향상\n신년사 발표\n인민경제의 모든 부문에서 성과를 거두었다.\n", "utf-8"
    )
    ko, seed = read_all(tmp_path)
    assert isinstance(seed, Article)
    assert seed.given_keywords == "election turnout coalition talks parliament"
    assert seed.title == "Coalition talks stall after record turnout"
    assert seed.text == "The parties met on Monday."
    assert isinstance(ko, Article)
    assert ko.given_keywords == "경제 건설 인민 생활 향상" and ko.title == "신년사 발표"


@pytest.mark.parametrize(
    "content",
    [
        NORMAL,  # a capitalised title
        "markets fell sharply today, traders said\nShares Down\nBody.\n",  # punctuation
        "storm warning\nCoast Guard Alert\nBody text.\n",  # only two tokens
        "the river rose overnight and the town\nresidents left early in the morning\n",  # no title after
        "just one lowercase line with words\n",  # nothing after it
        "covid-19 wave hits city\nhospitals are full\n",  # next line not title-like
    ],
)
def test_seed_format_not_detected_for_normal_articles(tmp_path: Path, content: str) -> None:
    (tmp_path / "a.txt").write_text(content, encoding="utf-8")
    (item,) = read_all(tmp_path)
    assert isinstance(item, Article)
    assert item.given_keywords is None
    assert item.title == content.split("\n")[0]


def test_keyword_line_rule() -> None:
    assert is_keyword_line("nuclear test sanctions un security council")
    assert is_keyword_line("kim jong-il death mourning o'brien 2011")
    assert not is_keyword_line("Nuclear test sanctions")
    assert not is_keyword_line("nuclear test (sanctions)")
    assert not is_keyword_line("nuclear  test  sanctions")  # not single spaces
    assert not is_keyword_line("2011 2012 2013")  # no letters
    assert split_text(SEED, "none")[0] is None


def test_seed_forced_modes(tmp_path: Path) -> None:
    (tmp_path / "normal.txt").write_text(NORMAL, encoding="utf-8")
    (tmp_path / "seed.txt").write_text(SEED, encoding="utf-8")
    forced = read_all(tmp_path, header="keywords")
    normal, seed = forced
    assert isinstance(normal, Article) and isinstance(seed, Article)
    assert normal.given_keywords == "Coalition talks stall after record turnout"
    assert normal.title == "The parties met on Monday and talked."
    assert seed.given_keywords == "election turnout coalition talks parliament"
    never = read_all(tmp_path, header="none")
    assert all(isinstance(a, Article) and a.given_keywords is None for a in never)
    assert never[1].title == "election turnout coalition talks parliament"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        read_all(tmp_path, header="maybe")


def test_txt_invalid_utf8_binary_and_empty(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"Title\nCaf\xe9 text in Latin-1\n")
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    bad, binary, empty = read_all(tmp_path)
    assert isinstance(bad, Reject) and bad.reason.startswith("not valid UTF-8 text")
    assert bad.where == str(tmp_path / "bad.txt")
    assert isinstance(binary, Reject) and binary.reason == "binary file (NUL bytes)"
    assert isinstance(empty, Reject) and empty.reason == "empty text"


# --------------------------------------------------------------------------- JSON


def test_jsonl_field_mapping_and_metadata(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {
                "doc_id": 17,
                "headline": "Port strike ends",
                "body": "Dock workers  returned to work on Friday.",
                "meta": {"published": "2024-03-01T10:00:00Z", "desk": "business"},
                "tags": ["port", "labour"],
                "words": 6,
            },
            {"headline": "No id here", "body": "Text without an id field.", "meta": {}},
        ],
    )
    first, second = read_all(
        path, text_field="body", id_field="doc_id", title_field="headline", date_field="meta.published"
    )
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.id == "17" and first.title == "Port strike ends"
    assert first.text == "Dock workers returned to work on Friday."
    assert first.date == "2024-03-01"
    assert first.metadata == {"meta": {"desk": "business"}, "tags": ["port", "labour"], "words": 6}
    assert first.where == f"{path}:1" and first.source == str(path)
    assert second.id == "feed.jsonl:2" and second.date is None


def test_jsonl_gz(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for number in range(3):
            handle.write(json.dumps({"id": f"g{number}", "text": f"Gzipped story number {number}."}) + "\n")
    items = read_all(path)
    assert [a.id for a in articles(items)] == ["g0", "g1", "g2"] and not rejects(items)


def test_jsonl_bad_lines_do_not_stop_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "First good story."}\n'
        b'{"id": "b", "text": "broken\n'
        b"\n"
        b'["not", "an", "object"]\n'
        b'{"id": "c", "text": "Caf\xe9 in Latin-1"}\n'
        b'{"id": "d", "text": "   "}\n'
        b'{"id": "e", "body": "no text field"}\n'
        b'{"id": "f", "text": "Dated story.", "date": "not a date"}\n'
        b'{"id": "g", "text": "Last good story.", "date": 1700000000}\n'
    )
    items = read_all(path)
    assert [a.id for a in articles(items)] == ["a", "g"]
    assert articles(items)[1].date == "2023-11-14"
    got = {r.where: r.reason for r in rejects(items)}
    assert got[f"{path}:2"].startswith("malformed JSON: ")
    assert got[f"{path}:4"] == "expected a JSON object"
    assert got[f"{path}:5"] == "not valid UTF-8 text"
    assert got[f"{path}:6"] == "empty text"
    assert got[f"{path}:7"] == "missing field 'text'"
    assert got[f"{path}:8"] == "unparseable date 'not a date'"
    assert len(got) == 6
    assert "broken" in next(r for r in rejects(items) if r.where == f"{path}:2").snippet


def test_binary_file_with_line_format_extension(tmp_path: Path) -> None:
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10" * 20)
    (item,) = read_all(path)
    assert isinstance(item, Reject)
    assert item.where == str(path) and item.reason == "binary file (NUL bytes)"


def test_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(
        '[\n  {"id": "x1", "text": "Array item one."},\n  {"text": ""},\n  {"id": "x3", "text": "Item three."}\n]\n',
        encoding="utf-8",
    )
    items = read_all(path)
    assert [a.id for a in articles(items)] == ["x1", "x3"]
    assert articles(items)[1].where == f"{path}:4"
    (bad,) = rejects(items)
    assert bad.where == f"{path}:3" and bad.reason == "empty text"


# --------------------------------------------------------------------------- CSV


def test_csv_multiline_field_and_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(
        b"id,title,text,date,section\n"
        b'r1,Quiet day,"Nothing happened, really.",2024-01-02,local\n'
        b'r2,Long read,"First paragraph.\n'
        b"\n"
        b'Second paragraph with ""quotes"".",,features\n'
        b"r3,Too few fields,only text\n"
        b'r4,Bad bytes,"Caf\xe9",2024-01-03,local\n'
        b',No id,"Row without an id.",3 March 2024,sport\n'
    )
    items = read_all(path)
    good = articles(items)
    assert [a.id for a in good] == ["r1", "r2", "rows.csv:8"]
    assert good[0].metadata == {"section": "local"} and good[0].date == "2024-01-02"
    assert good[1].text == 'First paragraph.\n\nSecond paragraph with "quotes".'
    assert good[1].where == f"{path}:3" and good[1].date is None
    assert good[2].date == "2024-03-03"
    got = {r.where: r.reason for r in rejects(items)}
    assert got == {f"{path}:6": "expected 5 fields, found 3", f"{path}:7": "not valid UTF-8 text"}


def test_csv_missing_text_column(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("id,headline,body\n1,A,B\n2,C,D\n", encoding="utf-8")
    (item,) = read_all(path)
    assert isinstance(item, Reject) and item.where == str(path)
    assert item.reason == "missing column 'text' (columns: 'id', 'headline', 'body')"
    mapped = read_all(path, text_field="body", title_field="headline")
    assert [(a.id, a.title, a.text) for a in articles(mapped)] == [("1", "A", "B"), ("2", "C", "D")]


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "rows.tsv"
    path.write_text("id\ttext\nt1\tTab separated, with a comma.\n", encoding="utf-8")
    (item,) = read_all(path)
    assert isinstance(item, Article) and item.text == "Tab separated, with a comma."


# --------------------------------------------------------------------------- feeds and pages

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Valley Gazette</title><link>https://valley.example.org/</link><description>Local news</description>
<item>
  <title>Bridge reopens after repairs</title>
  <link>https://valley.example.org/bridge</link>
  <guid>vg-101</guid>
  <pubDate>Tue, 04 Jun 2024 09:15:00 +0000</pubDate>
  <description>&lt;p&gt;The old stone bridge reopened on Tuesday.&lt;/p&gt;&lt;p&gt;Repairs took &lt;b&gt;eight&lt;/b&gt; months.&lt;/p&gt;</description>
</item>
<item>
  <title>Market day moves</title>
  <link>https://valley.example.org/market</link>
  <description>The weekly market moves to Saturdays.</description>
</item>
<item><title>Nothing inside</title><link>https://valley.example.org/empty</link><description></description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom Desk</title><id>urn:desk</id><updated>2024-06-05T10:00:00Z</updated>
<entry>
  <title>Library extends hours</title>
  <id>urn:uuid:1234</id>
  <link href="https://atom.example.net/library"/>
  <updated>2024-06-06T10:00:00Z</updated>
  <published>2024-06-04T22:30:00-05:00</published>
  <content type="html">&lt;p&gt;The central library will stay open until ten.&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;</content>
</entry>
</feed>
"""


def test_rss_feed(tmp_path: Path) -> None:
    path = tmp_path / "gazette.rss"
    path.write_text(RSS, encoding="utf-8")
    first, second, empty = read_all(path)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.id == "vg-101" and first.title == "Bridge reopens after repairs"
    assert first.date == "2024-06-04"
    assert first.text == "The old stone bridge reopened on Tuesday.\n\nRepairs took eight months."
    assert first.metadata == {"link": "https://valley.example.org/bridge", "feed_title": "Valley Gazette"}
    assert first.where == f"{path}#item 1"
    assert second.id == "https://valley.example.org/market" and second.date is None
    assert isinstance(empty, Reject) and empty.where == f"{path}#item 3" and empty.reason == "empty text"


def test_atom_feed_and_unreadable_feed(tmp_path: Path) -> None:
    (tmp_path / "desk.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "broken.xml").write_text("this is <not a feed", encoding="utf-8")
    broken, entry = read_all(tmp_path)
    assert isinstance(entry, Article)
    assert entry.id == "urn:uuid:1234" and entry.title == "Library extends hours"
    assert entry.date == "2024-06-04"  # published wins over updated, in its own time zone
    assert entry.text == "The central library will stay open until ten."
    assert entry.metadata["link"] == "https://atom.example.net/library"
    assert entry.metadata["feed_title"] == "Atom Desk"
    assert isinstance(broken, Reject) and broken.where == str(tmp_path / "broken.xml")
    assert broken.reason.startswith("not a readable feed")


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour city opens new tidal barrier | Coastal Herald</title>
<link rel="canonical" href="https://coastalherald.example.com/news/2024/05/tidal-barrier">
<meta property="og:site_name" content="Coastal Herald">
<meta name="author" content="Mara Lindqvist">
<meta property="article:published_time" content="2024-05-14T08:30:00+00:00">
</head><body>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/sport">Sport subscription offers</a></li>
  <li><a href="/weather">Weather desk archive</a></li>
</ul></nav></header>
<main><article>
<h1>Harbour city opens new tidal barrier</h1>
<p>The harbour city on Tuesday opened a tidal barrier that engineers say will protect more than forty
thousand homes from storm surges for the next century.</p>
<p>The barrier, built over six years at a cost of 410 million euros, closes automatically when the sea
level forecast rises above a set threshold, the city's water authority said.</p>
<p>Residents of the low-lying eastern districts, which flooded twice in the past decade, gathered along
the quay to watch the first test closure of the steel gates.</p>
</article></main>
<footer><p>Copyright 2024 Coastal Herald. All rights reserved. Privacy policy and cookie settings.</p></footer>
</body></html>
"""


def test_html_page(tmp_path: Path) -> None:
    (tmp_path / "barrier.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "blank.htm").write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    page, blank = read_all(tmp_path)
    assert isinstance(page, Article)
    assert page.id == "https://coastalherald.example.com/news/2024/05/tidal-barrier"
    assert page.title.startswith("Harbour city opens new tidal barrier")
    assert page.date == "2024-05-14"
    assert "forty thousand homes from storm surges" in page.text
    assert "steel gates" in page.text
    assert "subscription offers" not in page.text and "Weather desk archive" not in page.text
    assert "All rights reserved" not in page.text
    assert page.metadata["author"] == "Mara Lindqvist"
    assert page.metadata["url"] == page.id
    assert isinstance(blank, Reject) and blank.reason == "no article text found in HTML"


# --------------------------------------------------------------------------- paths


def test_missing_path_and_unsupported_type(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.jsonl"
    odd = tmp_path / "table.xyz"
    odd.write_text("something", encoding="utf-8")
    items = read_all(missing, odd)
    assert items == [
        Reject(where=str(missing), reason="no such file or directory"),
        Reject(where=str(odd), reason="unsupported file type '.xyz'"),
    ]
    assert read_all(tmp_path) == []  # unknown types are skipped silently in folders


# --------------------------------------------------------------------------- real corpus and memory


def test_real_corpus_first_50_lines(tmp_path: Path) -> None:
    corpus = DATA_DIR / "bbc_news.jsonl.gz"
    skip_without_corpus(corpus)
    sample = tmp_path / "bbc_head.jsonl.gz"
    with gzip.open(corpus, "rb") as source, gzip.open(sample, "wb") as target:
        target.writelines(itertools.islice(source, 50))
    items = read_all(sample)
    good = articles(items)
    assert len(good) == 50 and not rejects(items)
    assert all(a.title and a.text and a.language == "en" for a in good)
    assert "label" in good[0].metadata


def test_streaming_memory_stays_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number in range(200_000):
            handle.write(f'{{"id": {number}, "text": "item {number} text", "n": {number}}}\n')
    tracemalloc.start()
    try:
        count = sum(isinstance(item, Article) for item in read_inputs([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 20 * 1024 * 1024


def test_json_values_of_the_wrong_type_are_rejected_not_coerced(tmp_path):
    path = tmp_path / "types.jsonl"
    records = [
        {"id": "good", "title": "Fine", "text": "A proper article about the border."},
        {"id": "n", "text": 12345},
        {"id": "l", "text": ["two", "paragraphs"]},
        {"id": ["a", "b"], "text": "An id that is a list."},
        {"id": "t", "title": ["first", "second"], "text": "A title that is a list."},
        {"id": "o", "text": {"nested": "object"}},
        {"id": 17, "text": "A whole-number id is an id."},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    items = read_all(path)
    assert [a.id for a in items if isinstance(a, Article)] == ["good", "17"]
    rejects = {r.where: r.reason for r in items if isinstance(r, Reject)}
    assert rejects == {
        f"{path}:2": "field 'text' is a number, not text",
        f"{path}:3": "field 'text' is a list, not text",
        f"{path}:4": "field 'id' is a list, not an id (text or a whole number)",
        f"{path}:5": "field 'title' is a list, not text",
        f"{path}:6": "field 'text' is an object, not text",
    }


def test_a_named_pipe_among_the_inputs_is_rejected_at_once(tmp_path):
    import os
    import threading

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.jsonl").write_text(json.dumps({"id": "g", "text": "An article that goes in."}) + "\n")
    os.mkfifo(folder / "pipe.jsonl")  # nobody ever writes to it: reading it would wait forever
    found: list = []
    reader = threading.Thread(target=lambda: found.extend(read_all(folder)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive(), "reading hung on the named pipe"
    assert [a.id for a in found if isinstance(a, Article)] == ["g"]
    assert [(r.where, r.reason) for r in found if isinstance(r, Reject)] == [
        (str(folder / "pipe.jsonl"), "not a regular file (a named pipe, device or socket): not read")]


def test_a_record_past_the_size_limit_is_rejected_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICWATCH_MAX_RECORD_BYTES", "1000000")
    path = tmp_path / "huge.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "before", "text": "A small article."}) + "\n")
        handle.write(json.dumps({"id": "huge", "text": "word " * 4_000_000}) + "\n")  # about 20 MB
        handle.write(json.dumps({"id": "after", "text": "Another small article."}) + "\n")
    tracemalloc.start()
    items = read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [a.id for a in items if isinstance(a, Article)] == ["before", "after"]
    (only,) = [r for r in items if isinstance(r, Reject)]
    assert only.where == f"{path}:2" and only.reason.startswith("record too large: 20,000,")
    assert "at most 1,000,000" in only.reason
    assert peak < 6_000_000  # the 20 MB line was read past in pieces of the limit, never held whole


# --------------------------------------------------------------------------- hardening: CSV quotes, record limits


def test_a_csv_row_with_a_broken_quote_is_rejected_and_the_next_row_goes_in(tmp_path):
    from topicwatch import Archive

    path = tmp_path / "rows.csv"
    path.write_text(
        "id,text,date\n"
        '1,"First row text",2024-01-01\n'
        '2,"Broken row text,2024-01-02\n'  # the quote never closes: it used to swallow row 3 and its date
        '3,"Third row text",2024-01-03\n',
        encoding="utf-8",
    )
    items = read_all(path)
    assert [(a.id, a.text, a.date) for a in articles(items)] == [
        ("1", "First row text", "2024-01-01"), ("3", "Third row text", "2024-01-03")]
    (broken,) = rejects(items)
    assert broken.where == f"{path}:3" and broken.reason.startswith("malformed CSV: unbalanced quote")
    with Archive(tmp_path / "a.db") as archive:
        report = archive.ingest([path])
    assert (report.counts.ingested, report.counts.rejected) == (2, 1)
    assert "ingested 2 / duplicates 0 / rejected 1" in report.summary()


def test_csv_quotes_that_run_to_the_end_or_hide_rows_keep_every_good_row(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(
        b"id,title,text\r\n"
        b'a,Fine,"Two paragraphs.\r\n\r\nThe second, with a comma and ""quotes""."\r\n'
        b'b,Broken,"No closing quote\r\n'
        b"c,Plain,Unquoted text\r\n"
        b'd,Also fine,"Multi\r\nline"\r\n'
        b'e,Last,"This one never closes either\r\n'
        b"f,After,Text after it\r\n"
    )
    items = read_all(path)
    assert [(a.id, a.text) for a in articles(items)] == [
        ("a", 'Two paragraphs.\n\nThe second, with a comma and "quotes".'), ("c", "Unquoted text"),
        ("d", "Multi\nline"), ("f", "Text after it")]
    assert [r.where for r in rejects(items)] == [f"{path}:5", f"{path}:9"]
    assert all(r.reason.startswith("malformed CSV: unbalanced quote") for r in rejects(items))


def test_a_csv_record_past_the_size_limit_is_rejected_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICWATCH_MAX_RECORD_BYTES", "100000")
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("id,text\n")
        handle.write("before,A small article.\n")
        handle.write('huge,"' + "word " * 1_000_000 + '"\n')  # one 5 MB line
        handle.write("between,Another small article.\n")
        handle.write('tall,"' + "a line of words\n" * 300_000 + '"\n')  # a 4.8 MB field over many lines
        handle.write("after,The last small article.\n")
    tracemalloc.start()
    items = read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [a.id for a in articles(items)] == ["before", "between", "after"]
    assert [(r.where, r.reason.split(" (")[0]) for r in rejects(items)] == [
        (f"{path}:3", "record too large: 5,000,008 bytes"), (f"{path}:5", "record too large: 4,800,008 bytes")]
    assert "at most 100,000" in rejects(items)[0].reason
    assert peak < 2_000_000  # neither record was held whole


def test_a_quote_left_open_before_many_plain_rows_loses_none_of_them(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICWATCH_MAX_RECORD_BYTES", "10000")
    path = tmp_path / "rows.csv"
    rows = "".join(f"r{number},Plain unquoted article number {number}.\n" for number in range(2000))
    path.write_text('id,text\nbroken,"This quote is never closed\n' + rows, encoding="utf-8")
    items = read_all(path)
    assert [a.id for a in articles(items)] == [f"r{number}" for number in range(2000)]
    (broken,) = rejects(items)
    assert broken.where == f"{path}:2" and "runs past 10,000 bytes; the lines after it are read as rows" in broken.reason


def test_a_json_array_item_past_the_size_limit_is_rejected_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICWATCH_MAX_RECORD_BYTES", "100000")
    path = tmp_path / "huge.json"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('[\n{"id": "before", "text": "A small article."},\n')
        handle.write(json.dumps({"id": "huge", "text": "word \\ \" " * 500_000}) + ",\n")  # about 5 MB
        handle.write('{"id": "after", "text": "Another small article."}\n]\n')
    tracemalloc.start()
    items = read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [a.id for a in articles(items)] == ["before", "after"]
    (only,) = rejects(items)
    assert only.where == f"{path}:3" and only.reason.startswith("record too large: 5,500,0")
    assert peak < 2_000_000  # the file is streamed an item at a time, the huge item read past


def test_a_malformed_json_array_item_rejects_only_itself(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('[{"id": "a", "text": "First."},\n {"id": "b", "text": "x" "y"},\n'
                    ' {"id": "c", "text": "Third."} {"id": "d", "text": "Fourth."}]', encoding="utf-8")
    items = read_all(path)
    assert [a.id for a in articles(items)] == ["a", "c", "d"]
    assert [(r.where, r.reason.split(" (")[0]) for r in rejects(items)] == [
        (f"{path}:2", "malformed JSON: Expecting ',' delimiter"),
        (f"{path}:3", "malformed JSON: expected ',' or ']' between items")]


def test_a_text_file_past_the_size_limit_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICWATCH_MAX_RECORD_BYTES", "1000")
    (tmp_path / "big.txt").write_text("Title\n" + "word " * 1000, encoding="utf-8")
    (tmp_path / "small.txt").write_text("Title\nA short body.", encoding="utf-8")
    big, small = read_all(tmp_path)
    assert isinstance(small, Article)
    assert isinstance(big, Reject) and big.reason.startswith("record too large: 5,006 bytes (at most 1,000")


def test_a_stray_nul_byte_rejects_its_line_not_the_file(tmp_path):
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(b'{"id": "a", "text": "First."}\n{"id": "b", "text": "a raw \x00 byte"}\n'
                      b'{"id": "c", "text": "Third."}\n')
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"id,text\na,First.\nb,a raw \x00 byte\nc,Third.\n")
    array = tmp_path / "list.json"
    array.write_bytes(b'[{"id": "a", "text": "First."},\n{"id": "b", "text": "a raw \x00 byte"},\n'
                      b'{"id": "c", "text": "Third."}]')
    for path, bad_line in ((lines, 2), (rows, 3), (array, 2)):
        items = read_all(path)
        assert [a.id for a in articles(items)] == ["a", "c"]
        assert [(r.where, r.reason) for r in rejects(items)] == [(f"{path}:{bad_line}", "binary file (NUL bytes)")]


def test_a_carriage_return_inside_an_unquoted_csv_field_is_text(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"id,text\r\na,one\rtwo\r\nb,\"quoted\r\nlines\"\r\n")  # what csv.writer writes for "one\rtwo"
    assert [(a.id, a.text) for a in articles(read_all(path))] == [("a", "one\ntwo"), ("b", "quoted\nlines")]


def test_a_feed_that_feedparser_cannot_take_is_one_reject(tmp_path):
    path = tmp_path / "odd.rss"
    path.write_bytes(b'<?xml version="1.0" encoding="caf\xe9UTF-8"?>\n<rss version="2.0"><channel></channel></rss>\n')
    (only,) = read_all(path)
    assert isinstance(only, Reject) and only.reason.startswith("not a readable feed")


def test_a_damaged_parquet_row_group_is_one_reject_and_the_others_are_read(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "rows.parquet"
    table = pa.table({"id": ["a", "b", "c", "d"], "text": ["First.", "Second.", "Third.", "Fourth."]})
    pq.write_table(table, path, row_group_size=2, write_page_checksum=True, use_dictionary=False,
                   compression="none")
    data = bytearray(path.read_bytes())
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(1)
    end = chunk.data_page_offset + chunk.total_compressed_size  # the page ends with the value "Second."
    assert data[end - 7 : end] == b"Second."
    data[end - 7 : end] = b"Sec\xffnd."  # the first group's text page no longer matches its checksum
    path.write_bytes(bytes(data))
    items = read_all(path)
    assert [a.id for a in articles(items)] == ["c", "d"]
    (damaged,) = rejects(items)
    assert damaged.where == f"{path}:row group 1" and damaged.reason.startswith("unreadable row group (rows 1-2)")
    assert "\n" not in damaged.reason
