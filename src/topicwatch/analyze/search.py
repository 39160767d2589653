"""Search the archive: by keywords (SQLite FTS5, bm25), by meaning (embedding similarity), or both.

Keyword search runs on an external-content FTS5 index over each article's title and text. The index
is filled lazily by ``ensure_search_index``: articles with a ``seq`` above the last indexed one are
added, so a search after an ingest indexes only the new articles. Meaning search compares the query's
embedding (the current model's backend) with the article embeddings cached in the archive. The
combined mode fuses both rankings with reciprocal-rank fusion.

User queries never reach SQL as text: each word becomes a quoted FTS5 string and the expression is
passed as a bound parameter, so quotes, operators, SQL-looking text and odd Unicode are just words.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..embed import BACKENDS, Embedder, get_embedder
from ..model.describe import keyword_line
from ..store.archive_store import Store

if TYPE_CHECKING:
    from ..archive.archive import Archive

MODES = ("combined", "keywords", "meaning")
MAX_QUERY_CHARS = 1_000
MAX_LIMIT = 200
MAX_OFFSET = 10_000
MAX_TOKENS = 32
RRF_K = 60
COMMON_SHARE = 0.1  # an "any word" pass skips words held by more than this share of the articles...
COMMON_MIN_ARTICLES = 2_000  # ...when that is more than this many articles (small archives keep every word)
HIGHLIGHT_START = "\ue000"  # private-use characters: never in the text (the index strips them)
HIGHLIGHT_END = "\ue001"
ELLIPSIS = "…"

_INDEX_META = "search_index_seq"
_INDEX_SQL = (
    # The content the index is built from and snippets are cut from (the highlight markers removed).
    ("CREATE VIEW IF NOT EXISTS search_docs AS SELECT a.seq AS seq,"
     " replace(replace(a.title, char(57344), ''), char(57345), '') AS title,"
     " replace(replace(t.text, char(57344), ''), char(57345), '') AS text"
     " FROM articles a JOIN texts t ON t.hash = a.hash"),
    ("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, text, content='search_docs',"
     " content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2')"),
    # How many articles hold each indexed term: lets a broad query skip words nearly every article holds.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_fts, 'row')",
)
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_PHRASE_RE = re.compile(r'"([^"]*)"')
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class SearchError(ValueError):
    """A search request that cannot be answered as asked (bad mode, date, limit or too long a query)."""


@dataclass
class SearchHit:
    """One article found: where it ranked, why it matched, and its topic's keyword line."""

    id: str
    title: str
    date: str | None
    language: str | None
    source: str
    topic: int | None
    keyword_line: str | None
    snippet: str  # highlighted terms are wrapped in HIGHLIGHT_START / HIGHLIGHT_END
    score: float
    keyword_rank: int | None = None
    meaning_rank: int | None = None
    similarity: float | None = None

    @property
    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces, for rendering the highlight safely."""
        return snippet_parts(self.snippet)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a hit: the fields plus ``match`` as [{text, hit}] pieces."""
        return {
            "id": self.id, "title": self.title, "date": self.date, "language": self.language,
            "source": self.source, "topic": self.topic, "keyword_line": self.keyword_line,
            "score": round(self.score, 6), "keyword_rank": self.keyword_rank,
            "meaning_rank": self.meaning_rank,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "match": [{"text": text, "hit": hit} for text, hit in self.snippet_parts],
        }


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """Split a marked snippet into (text, is_match) pieces; markers never leak into the text."""
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(re.split(f"[{HIGHLIGHT_START}{HIGHLIGHT_END}]", snippet)):
        if chunk:
            parts.append((chunk, i % 2 == 1))
    return parts


# ---- the keyword index ---------------------------------------------------------------------------
def ensure_search_index(store: Store) -> int:
    """Create the FTS5 index if needed and add the articles not yet in it; returns how many were added."""
    conn = store.conn
    newest = conn.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
    if _index_exists(conn) and newest <= int(store.get_meta(_INDEX_META) or 0):
        return 0
    with store.transaction():
        created = not _table_exists(conn, "search_fts")
        for statement in _INDEX_SQL:
            conn.execute(statement)
        if created:
            conn.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')")
            store.set_meta(_INDEX_META, "0")
        last = int(store.get_meta(_INDEX_META) or 0)  # re-read under the write lock
        newest = conn.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
        added = conn.execute(
            "INSERT INTO search_fts(rowid, title, text)"
            " SELECT seq, title, text FROM search_docs WHERE seq > ?",
            (last,),
        ).rowcount
        store.set_meta(_INDEX_META, str(newest))
    return max(added, 0)


def _index_exists(conn: sqlite3.Connection) -> bool:
    return _table_exists(conn, "search_fts") and _table_exists(conn, "search_vocab")


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return found.fetchone() is not None


def query_terms(query: str) -> list[str]:
    """The query's words and "quoted phrases" as quoted FTS5 strings (at most MAX_TOKENS, no repeats).

    Words are what the tokenizer would see anyway (letters and digits), so operators, column filters,
    stars and quotes in the input are plain text.
    """
    terms: list[str] = []
    for phrase in _PHRASE_RE.findall(query):
        words = _WORD_RE.findall(phrase)[:MAX_TOKENS]
        if words:
            terms.append('"' + " ".join(w[:64] for w in words) + '"')
    for word in _WORD_RE.findall(_PHRASE_RE.sub(" ", query)):
        if len(terms) >= MAX_TOKENS:
            break
        quoted = f'"{word[:64]}"'
        if quoted not in terms:
            terms.append(quoted)
    return terms[:MAX_TOKENS]


def fts_query(query: str, every: bool = False) -> str | None:
    """A safe FTS5 expression for free text: the quoted terms joined with OR (``every``: AND); None
    when the query holds no word."""
    return (" AND " if every else " OR ").join(query_terms(query)) or None


# ---- the meaning index ---------------------------------------------------------------------------
@dataclass
class _MeaningIndex:
    """Every article's embedding row and filter fields, as arrays (one per archive file and model)."""

    key: tuple[Any, ...]
    seqs: np.ndarray  # int64, article seq
    rows: np.ndarray  # int64, row in vectors (-1: no embedding)
    topics: np.ndarray  # int64, topic in the model (-1: none)
    dates: np.ndarray  # str ('' when undated)
    languages: np.ndarray
    sources: np.ndarray
    vectors: np.ndarray  # float32 [n_texts, d], L2-normalized

    def mask(self, topic: int | None, date_from: str | None, date_to: str | None, language: str | None,
             source: str | None) -> np.ndarray:
        keep = self.rows >= 0
        if topic is not None:
            keep &= self.topics == topic
        if date_from is not None:
            keep &= (self.dates != "") & (self.dates >= date_from)
        if date_to is not None:
            keep &= (self.dates != "") & (self.dates <= date_to + "\uffff")
        if language is not None:
            keep &= self.languages == language
        if source is not None:
            keep &= self.sources == source
        return keep


_CACHE_LOCK = threading.Lock()
_ENCODE_LOCK = threading.Lock()  # tokenizers are not thread-safe ("Already borrowed"): one query at a time
_INDEXES: dict[str, _MeaningIndex] = {}
_EMBEDDERS: dict[str, Embedder] = {}


def _meaning_index(store: Store, model: dict[str, Any]) -> _MeaningIndex:
    conn = store.conn
    newest = conn.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
    key = (model["id"], model["backend"], newest)  # articles are only ever added, so seq tells new ones
    path = str(Path(store.path).resolve())
    with _CACHE_LOCK:
        cached = _INDEXES.get(path)
        if cached is not None and cached.key == key:
            return cached
        index = _build_meaning_index(conn, model, key)
        _INDEXES[path] = index
        return index


def _build_meaning_index(conn: sqlite3.Connection, model: dict[str, Any],
                         key: tuple[Any, ...]) -> _MeaningIndex:
    row_of: dict[str, int] = {}
    blobs: list[bytes] = []
    for digest, blob in conn.execute(
        "SELECT e.hash, e.vector FROM embeddings e WHERE e.backend = ?"
        " AND EXISTS (SELECT 1 FROM articles a WHERE a.hash = e.hash)", (model["backend"],)
    ):
        row_of[digest] = len(blobs)
        blobs.append(blob)
    vectors = (np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1) if blobs
               else np.zeros((0, 1), np.float32))
    topic_of = dict(conn.execute("SELECT article, topic FROM assignments WHERE model = ?", (model["id"],)))
    seqs, rows, topics, dates, languages, sources = [], [], [], [], [], []
    for seq, article_id, digest, day, language, source in conn.execute(
        "SELECT seq, id, hash, date, language, source FROM articles ORDER BY seq"
    ):
        seqs.append(seq)
        rows.append(row_of.get(digest, -1))
        topics.append(topic_of.get(article_id, -1))
        dates.append(day or "")
        languages.append(language or "")
        sources.append(source or "")
    return _MeaningIndex(key, np.asarray(seqs, np.int64), np.asarray(rows, np.int64),
                         np.asarray(topics, np.int64), np.asarray(dates, dtype=str),
                         np.asarray(languages, dtype=str), np.asarray(sources, dtype=str), vectors)


def query_embedder(store: Store, model: dict[str, Any]) -> Embedder:
    """The embedder the model was fitted with (its backend's cache name), loaded once per process."""
    name = model["backend"]
    with _CACHE_LOCK:
        if name not in _EMBEDDERS:
            for backend in BACKENDS:
                candidate = get_embedder(backend)
                if candidate.name == name:
                    _EMBEDDERS[name] = candidate
                    break
            else:
                from ..model.estimator import TopicModel

                row = store.conn.execute("SELECT state FROM models WHERE id = ?", (model["id"],))
                (state,) = row.fetchone()
                _EMBEDDERS[name] = TopicModel.from_bytes(state).embedder_
        return _EMBEDDERS[name]


def current_model(store: Store) -> dict[str, Any] | None:
    """The current model's id, backend and creation time (not its state blob), or None before a fit."""
    value = store.get_meta("current_model")
    if value is None:
        return None
    row = store.conn.execute("SELECT id, backend, created FROM models WHERE id = ?", (int(value),)).fetchone()
    if row is None:
        return None
    return {"id": row[0], "backend": row[1], "created": row[2]}


def warm_up(archive: Archive) -> None:
    """Build the index and caches a first search needs (the server calls this at start)."""
    ensure_search_index(archive.store)
    model = current_model(archive.store)
    if model is not None:
        _meaning_index(archive.store, model)
        embedder = query_embedder(archive.store, model)
        with _ENCODE_LOCK:
            embedder.encode(["warm up"])


# ---- searching -----------------------------------------------------------------------------------
@dataclass
class _Filters:
    """The filters, and the same as SQL conditions (fixed column names; the values are bound parameters)."""

    topic: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    language: str | None = None
    source: str | None = None
    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        for column, op, value in (("s.topic", "=", self.topic), ("a.date", ">=", self.date_from),
                                  ("a.date", "<=", None if self.date_to is None else self.date_to + "\uffff"),
                                  ("a.language", "=", self.language), ("a.source", "=", self.source)):
            if value is not None:
                self.sql.append(f" AND {column} {op} ?")
                self.params.append(value)


def search(
    archive: Archive,
    query: str,
    topic: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    language: str | None = None,
    source: str | None = None,
    limit: int = 20,
    offset: int = 0,
    mode: str = "combined",
) -> list[SearchHit]:
    """Articles matching ``query``, best first, filtered by topic, date range (ISO, inclusive), language
    and source. ``mode``: "keywords" (FTS5 bm25), "meaning" (embedding similarity) or "combined" (both,
    reciprocal-rank fusion). An empty query finds nothing; invalid arguments raise ``SearchError``.
    """
    _check(query, mode, limit, offset)
    filters = _Filters(topic, _check_date(date_from, "from"), _check_date(date_to, "to"),
                       language or None, source or None)
    store = archive.store
    model = current_model(store)
    if topic is not None and model is None:
        raise SearchError("no topics yet to filter by (run 'topicwatch fit' first)")
    if not _WORD_RE.search(query):
        return []
    depth = min(offset + limit + 50, MAX_OFFSET + MAX_LIMIT)
    keyword_ranking = _keyword_ranking(store, query, model, filters, depth) if mode != "meaning" else []
    meaning_ranking = _meaning_ranking(store, query, model, filters, depth) if mode != "keywords" else []
    fused = _fuse(keyword_ranking, meaning_ranking)[offset : offset + limit]
    return _hits(store, query, model, fused, keyword_ranking, meaning_ranking)


def _check(query: str, mode: str, limit: int, offset: int) -> None:
    if mode not in MODES:
        raise SearchError(f"unknown search mode {mode!r} (choose from {', '.join(MODES)})")
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"query too long: {len(query)} characters (at most {MAX_QUERY_CHARS})")
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchError(f"offset must be between 0 and {MAX_OFFSET}")


def _check_date(value: str | None, which: str) -> str | None:
    """An ISO date, year-month or year; anything else is a SearchError."""
    if not value:
        return None
    value = value.strip()
    if not _DATE_RE.match(value):
        raise SearchError(f"date {which}: expected YYYY, YYYY-MM or YYYY-MM-DD, got {value[:40]!r}")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise SearchError(f"date {which}: {value!r} is not a date ({exc})") from None
    return value


def _keyword_ranking(store: Store, query: str, model: dict[str, Any] | None, filters: _Filters,
                     depth: int) -> list[tuple[int, float]]:
    """Articles holding every term first (bm25 order), then those holding some of them (bm25 order).

    The all-terms pass comes first because it is what a reader expects and because it is cheap: the
    any-term pass, which scores every article holding any one word, runs only when the first is short.
    """
    terms = query_terms(query)
    if not terms:
        return []
    ensure_search_index(store)
    ranking = _fts_ranking(store, " AND ".join(terms), model, filters, depth)
    if len(terms) > 1 and len(ranking) < depth:
        seen = {seq for seq, _ in ranking}
        more = _fts_ranking(store, " OR ".join(_without_common(store, terms)), model, filters, depth)
        ranking += [hit for hit in more if hit[0] not in seen][: depth - len(ranking)]
    return ranking


def _without_common(store: Store, terms: list[str]) -> list[str]:
    """The terms less single words that a large share of a large archive holds ("for", "the", "said"):
    ranking every article that holds one of them is what makes a broad query slow, and tells little."""
    indexed = int(store.get_meta(_INDEX_META) or 0)
    limit = max(COMMON_MIN_ARTICLES, COMMON_SHARE * indexed)
    if indexed <= limit:
        return terms
    kept = []
    for term in terms:
        word = term.strip('"').lower()
        if " " not in word:
            row = store.conn.execute("SELECT doc FROM search_vocab WHERE term = ?", (word,)).fetchone()
            if row is not None and row[0] > limit:
                continue
        kept.append(term)
    return kept or terms


def _fts_ranking(store: Store, expression: str, model: dict[str, Any] | None, filters: _Filters,
                 depth: int) -> list[tuple[int, float]]:
    if filters.sql:
        sql = ("SELECT f.rowid, f.rank FROM search_fts f JOIN articles a ON a.seq = f.rowid"
               " LEFT JOIN assignments s ON s.model = ? AND s.article = a.id WHERE search_fts MATCH ?"
               + "".join(filters.sql) + " ORDER BY f.rank LIMIT ?")
        params = [model["id"] if model else None, expression, *filters.params, depth]
    else:
        sql = "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?"
        params = [expression, depth]
    try:
        return [(seq, -rank) for seq, rank in store.conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:  # a query FTS5 still rejects: treat as no keyword match
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            return []
        raise


def _meaning_ranking(store: Store, query: str, model: dict[str, Any] | None, filters: _Filters,
                     depth: int) -> list[tuple[int, float]]:
    if model is None:
        return []
    index = _meaning_index(store, model)
    if not len(index.vectors):
        return []
    keep = np.flatnonzero(index.mask(filters.topic, filters.date_from, filters.date_to, filters.language,
                                     filters.source))
    if not len(keep):
        return []
    embedder = query_embedder(store, model)
    with _ENCODE_LOCK:
        vector = np.asarray(embedder.encode([query])[0], np.float32)
    if vector.shape[0] != index.vectors.shape[1]:
        return []
    # einsum: one thread, no BLAS pool to wake per request (gemv paid milliseconds of wake-ups under load)
    text_scores = np.einsum("ij,j->i", index.vectors, vector)
    scores = text_scores[index.rows[keep]]
    top = min(depth, len(keep))
    best = np.argpartition(-scores, top - 1)[:top]
    seqs = index.seqs[keep]
    best = best[np.lexsort((seqs[best], -scores[best]))]
    return [(int(seq), float(score)) for seq, score in zip(seqs[best], scores[best])]


def _fuse(keyword: list[tuple[int, float]], meaning: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion of the two rankings (one ranking alone keeps its own order)."""
    if not meaning:
        return keyword
    if not keyword:
        return meaning
    fused: dict[int, float] = {}
    for ranking in (keyword, meaning):
        for rank, (seq, _score) in enumerate(ranking, start=1):
            fused[seq] = fused.get(seq, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _hits(store: Store, query: str, model: dict[str, Any] | None, page: Sequence[tuple[int, float]],
          keyword: list[tuple[int, float]], meaning: list[tuple[int, float]]) -> list[SearchHit]:
    if not page:
        return []
    seqs = [seq for seq, _ in page]
    keyword_rank = {seq: rank for rank, (seq, _) in enumerate(keyword, start=1)}
    meaning_rank = {seq: rank for rank, (seq, _) in enumerate(meaning, start=1)}
    similarity = dict(meaning)
    marks = ",".join("?" * len(seqs))
    rows = {row[0]: row for row in store.conn.execute(
        "SELECT a.seq, a.id, a.title, a.date, a.language, a.source, s.topic, substr(t.text, 1, 400)"
        " FROM articles a JOIN texts t ON t.hash = a.hash LEFT JOIN assignments s ON s.model = ?"
        f" AND s.article = a.id WHERE a.seq IN ({marks})", [model["id"] if model else None, *seqs])}
    snippets = _snippets(store, query, [seq for seq in seqs if seq in keyword_rank])
    lines = _keyword_lines(store, model)
    hits = []
    for seq, score in page:
        _, article_id, title, day, language, source, topic, lead = rows[seq]
        hits.append(SearchHit(
            article_id, title, day, language, source, topic, lines.get(topic) if topic is not None else None,
            " ".join((snippets.get(seq) or _lead(lead)).split()), score, keyword_rank.get(seq),
            meaning_rank.get(seq), similarity.get(seq),
        ))
    return hits


def _snippets(store: Store, query: str, seqs: list[int]) -> dict[int, str]:
    expression = fts_query(query)
    if not seqs or expression is None:
        return {}
    marks = ",".join("?" * len(seqs))
    return dict(store.conn.execute(
        f"SELECT rowid, snippet(search_fts, -1, ?, ?, ?, 24) FROM search_fts WHERE search_fts MATCH ?"
        f" AND rowid IN ({marks})", [HIGHLIGHT_START, HIGHLIGHT_END, ELLIPSIS, expression, *seqs]))


def _keyword_lines(store: Store, model: dict[str, Any] | None) -> dict[int, str]:
    if model is None:
        return {}
    return {topic: keyword_line(json.loads(words)) for topic, words in store.conn.execute(
        "SELECT topic, keywords FROM topics WHERE model = ?", (model["id"],))}


def _lead(text: str) -> str:
    """The start of an article (no highlight) for hits found by meaning only."""
    text = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "").replace("\n", " ")
    if len(text) <= 200:
        return text
    return text[:200].rsplit(" ", 1)[0] + " " + ELLIPSIS
