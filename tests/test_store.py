"""The store's one watermark mechanism: an index catches up on the articles above its watermark, re-indexes
all when its version changes, and the store's table families answer through the one ``Store``; an
article's line kept as term ids reads back as the same terms."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwatch.read.records import Article
from topicwatch.store import ArchiveError, PlaceIndex, Store, WatermarkIndex
from topicwatch.store.line_terms import decoded_lines, encoded_lines, term_texts
from topicwatch.store.schema import SCHEMA


class _Seen(WatermarkIndex):
    """A toy index: remembers the ids it was given; its version is whatever the test sets."""

    watermark_key = "seen_seq"
    version_key = "seen_version"

    def __init__(self, store: Store, version: str):
        super().__init__(store)
        self.rules, self.seen, self.resets = version, [], 0

    def version(self) -> str:
        return self.rules

    def reset(self) -> None:
        self.resets += 1

    def index_after(self, seq: int) -> int:
        batches = list(self.pending_articles(seq, batch=2))
        self.seen += [a.id for batch in batches for a in batch]
        return sum(len(batch) for batch in batches)


def _add(store: Store, *ids: str) -> None:
    with store.transaction():
        batch = store.start_batch(["test"])
        for article_id in ids:
            store.add_article(Article(article_id, f"The text of {article_id}.", title=article_id), batch)


def test_an_index_catches_up_once_and_again_after_a_version_change(tmp_path):
    store = Store(tmp_path / "a.db")
    _add(store, "a", "b", "c")
    index = _Seen(store, "v1")
    assert index.pending() and index.ensure() == 3 and index.seen == ["a", "b", "c"]
    assert not index.pending() and index.ensure() == 0 and index.watermark() == store.newest_seq() == 3
    _add(store, "d")
    assert index.ensure() == 1 and index.seen[-1] == "d" and index.resets == 1
    index.rules = "v2"  # the rules changed: every article is indexed again
    assert index.pending() and index.ensure() == 4 and index.resets == 2
    assert store.get_meta("seen_version") == "v2"
    store.close()


def test_places_are_stored_as_plain_rows_and_read_back(tmp_path):
    store = Store(tmp_path / "a.db")
    _add(store, "a", "b")
    found = {"a": [("hyesan", "city", "ryanggang")], "b": [("ryanggang", "province", None)]}
    index = PlaceIndex(store, "g1", lambda title, _text: found[title])
    assert index.ensure() == 2
    assert store.articles_naming("ryanggang") == {"a", "b"} and store.articles_naming("hyesan") == {"a"}
    assert sorted(store.place_count_rows()) == [("hyesan", "city", "ryanggang", None, 1),
                                                ("ryanggang", "province", None, None, 1)]
    store.close()


def test_a_new_archive_makes_its_folder_and_a_missing_one_is_not_made(tmp_path):
    store = Store(tmp_path / "new" / "deeper" / "a.db")
    assert store.path.exists() and not store.read_only
    store.close()
    with pytest.raises(ArchiveError, match="no archive here"):
        Store(tmp_path / "elsewhere" / "a.db", create=False)
    assert not (tmp_path / "elsewhere").exists()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=6)),
                max_size=20))
def test_a_lines_terms_kept_as_ids_read_back_as_the_same_terms(lines):
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    stored = [None if line is None else json.dumps(line) for line in lines]
    encoded = encoded_lines(conn, stored)
    assert encoded_lines(conn, stored) == encoded  # a term keeps its id
    assert [blob is None for blob in encoded] == [line is None for line in lines]
    ids, sizes = decoded_lines(encoded)
    texts = term_texts(conn)
    ends = np.cumsum(sizes).tolist()
    assert [[texts[k] for k in ids[end - size:end].tolist()] for end, size in zip(ends, sizes.tolist())] \
        == [line or [] for line in lines]
