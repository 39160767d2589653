"""The places an article names: North Korean provinces, special cities, cities and counties.

Places are found with the gazetteer (``topics/gazetteer.py``): the text's spellings are folded onto
canonical names by the built-in alias table ("Hamgyŏng-pukto" -> "north hamgyong", "Sinuiju-si" ->
"sinuiju"), then canonical names are matched as whole words; Korean names are matched in Hangul
text when a suffix, a particle or a non-letter follows them, so "무산계급" (proletariat) is not
Musan. They are stored at ingest in the ``places`` table, one row per article and place, with the
place's kind and province; articles archived before that (or before the gazetteer last changed)
are scanned on first use.

When filtering, a province stands for its cities and counties too: articles "mentioning
ryanggang" include those that only name Hyesan.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..store.archive_store import Store, articles_after
from .aliases import AliasTable, trie_pattern
from .gazetteer import GAZETTEER, alias_mapping, places

_WORD_RE = re.compile(r"\w+")
_HANGUL_RE = re.compile("[\uac00-\ud7a3]")
_WATERMARK = "places_seq"  # meta: the highest articles.seq already scanned
_VERSION = "places_gazetteer"  # meta: which gazetteer the stored rows were found with


@dataclass(frozen=True)
class Mention:
    """One place an article names."""

    place: str
    kind: str
    province: str | None


class _Finder:
    """The compiled patterns (built once, on first use)."""

    def __init__(self) -> None:
        entries = places()
        self.aliases = AliasTable.from_mapping(alias_mapping())
        self.latin = re.compile(r"(?<![\w'])(" + trie_pattern([e.name for e in entries]) + r")(?![\w'])")
        self.by_hangul = {name: e.name for e in entries for name in e.hangul}
        follows = "시|군|도|구역|지구|지역|항|에서|에게|에|의|은|는|이|가|을|를|과|와|으로|로|까지|부터|사람|주민"
        self.hangul = re.compile(
            r"(?<![\uac00-\ud7a3])(" + trie_pattern(list(self.by_hangul)) + rf")(?=(?:{follows})|[^\uac00-\ud7a3]|$)"
        )
        # A name can only be in a text whose words include its first word: most texts name no place
        # and are passed over after one cheap scan, without running the two large patterns.
        names = [e.name for e in entries] + list(self.aliases.canonical_of)
        self.first_words = frozenset(m.group() for m in map(_WORD_RE.match, names) if m)
        payload = sorted((e.name, e.kind, e.province, sorted(e.variants), e.hangul) for e in entries)
        self.version = hashlib.sha1(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


_finder: _Finder | None = None


def _get_finder() -> _Finder:
    global _finder
    if _finder is None:
        _finder = _Finder()
    return _finder


def find_places(text: str) -> list[Mention]:
    """The distinct places a text names, sorted by name."""
    finder = _get_finder()
    lowered = text.lower()
    names: set[str] = set()
    if not finder.first_words.isdisjoint(_WORD_RE.findall(lowered)):
        names.update(finder.latin.findall(finder.aliases.canonicalize(lowered)))
    if _HANGUL_RE.search(text):
        names.update(finder.by_hangul[m] for m in finder.hangul.findall(text))
    return [Mention(name, GAZETTEER[name].kind, GAZETTEER[name].province) for name in sorted(names)]


def places_of(title: str, text: str) -> list[Mention]:
    """The places an article (title and text) names."""
    return find_places(f"{title}\n{text}" if title else text)


def resolve_place(name: str) -> str:
    """The canonical place for a user's spelling ("Hyesan-si", "혜산", "Yanggang"); ValueError if unknown."""
    found = find_places(name.strip())
    if len(found) != 1:
        known = ", ".join(sorted(e.name for e in places())[:8])
        raise ValueError(f"unknown place {name!r} (places are North Korean provinces, cities and counties,"
                         f" e.g. {known} ...; see 'topicwatch places')")
    return found[0].place


class PlaceIndex:
    """Records the places of articles, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def add(self, article_id: str, title: str, text: str, found: list[Mention] | None = None) -> list[Mention]:
        """Record the article's places (``found``: already looked up, by an ingest partition task)."""
        if found is None:
            found = places_of(title, text)
        self.add_many([(article_id, found)])
        return found

    def add_many(self, found: list[tuple[str, list[Mention]]]) -> None:
        """Record (article id, its places) for many articles in one statement."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO places(article, place, kind, province) VALUES (?, ?, ?, ?)",
            [(article_id, m.place, m.kind, m.province) for article_id, mentions in found for m in mentions],
        )

    def catch_up(self) -> int:
        """Scan every article past the watermark (all of them when the gazetteer changed); returns how many."""
        version = _get_finder().version
        if _meta(self.conn, _VERSION) != version:
            self.conn.execute("DELETE FROM places")
            _set_meta(self.conn, _WATERMARK, "0")
            _set_meta(self.conn, _VERSION, version)
        done, count = int(_meta(self.conn, _WATERMARK) or 0), 0
        for rows in articles_after(self.conn, done):
            self.add_many([(article_id, places_of(title, text)) for _seq, article_id, _hash, title, text in rows])
            count += len(rows)
        self.finish()
        return count

    def finish(self) -> None:
        """Move the watermark to the newest article (call at the end of an ingest)."""
        top = self.conn.execute("SELECT max(seq) FROM articles").fetchone()[0]
        _set_meta(self.conn, _WATERMARK, str(top or 0))


def ensure_indexed(store: Store) -> None:
    """Scan the articles whose places are not stored yet (a no-op when none are left)."""
    top = store.conn.execute("SELECT max(seq) FROM articles").fetchone()[0] or 0
    current = store.get_meta(_VERSION) == _get_finder().version
    if not current or int(store.get_meta(_WATERMARK) or 0) < top:
        with store.transaction():
            PlaceIndex(store.conn).catch_up()


def article_ids_with_place(store: Store, place: str) -> set[str]:
    """Ids of the articles that name ``place`` (any spelling; a province includes its cities and counties)."""
    ensure_indexed(store)
    name = resolve_place(place)
    rows = store.conn.execute("SELECT DISTINCT article FROM places WHERE place = ? OR province = ?", (name, name))
    return {article for (article,) in rows}


def topic_mentions(store: Store, model_id: int, place: str) -> dict[int, int]:
    """topic -> how many of its articles name ``place`` (province: or one of its cities and counties)."""
    ensure_indexed(store)
    name = resolve_place(place)
    rows = store.conn.execute(
        "SELECT s.topic, count(DISTINCT s.article) FROM places p JOIN assignments s ON s.article = p.article"
        " AND s.model = ? WHERE p.place = ? OR p.province = ? GROUP BY s.topic", (model_id, name, name),
    )
    return {int(topic): int(count) for topic, count in rows}


def place_counts(store: Store, model_id: int | None = None, topic: int | None = None) -> list[dict[str, Any]]:
    """Articles per place, most named first: kind, province, count, and (with a model) count per topic.

    ``topic`` keeps only that topic's articles.
    """
    ensure_indexed(store)
    if topic is not None and model_id is None:
        raise ValueError("counting places in a topic needs a fitted model")
    if model_id is None:
        rows = store.conn.execute("SELECT place, kind, province, NULL, count(*) FROM places GROUP BY place")
    else:
        rows = store.conn.execute(
            "SELECT p.place, p.kind, p.province, s.topic, count(*) FROM places p JOIN assignments s"
            " ON s.article = p.article AND s.model = ?" + (" WHERE s.topic = ?" if topic is not None else "")
            + " GROUP BY p.place, s.topic", (model_id, topic) if topic is not None else (model_id,),
        )
    counts: dict[str, dict[str, Any]] = {}
    for place, kind, province, topic_id, count in rows:
        row = counts.setdefault(place, {"place": place, "kind": kind, "province": province, "articles": 0,
                                        "topics": {}})
        row["articles"] += count
        if topic_id is not None:
            row["topics"][int(topic_id)] = count
    for row in counts.values():
        row["topics"] = dict(sorted(row["topics"].items(), key=lambda item: (-item[1], item[0])))
    return sorted(counts.values(), key=lambda r: (-r["articles"], r["place"]))


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
