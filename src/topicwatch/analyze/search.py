"""Search the archive: by keywords (SQLite FTS5, bm25), by meaning (embedding similarity), or both.

Keyword search runs on an external-content FTS5 index over each article's title and text (the
store's ``SearchIndex``). The index is filled lazily by ``ensure_search_index``: articles with a
``seq`` above the last indexed one are added, so a search after an ingest indexes only the new
articles. Meaning search (``meaning.py``) compares the query's embedding (the current model's
backend) with the article embeddings cached in the archive. The combined mode fuses both rankings
with reciprocal-rank fusion.

User queries never reach SQL as text: each word becomes a quoted FTS5 string and the expression is
passed as a bound parameter, so quotes, operators, SQL-looking text and odd Unicode are just words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..archive.places import ensure_indexed as ensure_places_indexed
from ..archive.workspace import TopicLines, topic_lines
from ..model.names import known_names_in, written_forms
from ..model.places import resolve_place
from ..store import SearchIndex, Store
from .meaning import meaning_ranking, warm_meaning

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
    return SearchIndex(store).ensure()


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
    rest = _PHRASE_RE.sub(" ", query)
    for name, written in known_names_in(rest)[:MAX_TOKENS]:  # a known name: any of its spellings, either script
        terms.append(name_group(name))
        rest = rest.replace(written, " ", 1)
    for word in _WORD_RE.findall(rest):
        if len(terms) >= MAX_TOKENS:
            break
        quoted = f'"{word[:64]}"'
        if quoted not in terms:
            terms.append(quoted)
    return terms[:MAX_TOKENS]


def name_group(name: str) -> str:
    """An FTS5 group matching a gazetteer name however it is written: each Latin spelling as a phrase
    of the words the index sees (one that holds a shorter one is left out: "sinuiju si" holds
    "sinuiju"), each Korean one as a prefix, since a particle is written onto it ("신의주에서")."""
    forms = written_forms(name)
    phrases = sorted({" ".join(_WORD_RE.findall(_plain(form))) for form in forms.latin} - {""}, key=len)
    kept: list[str] = []
    for phrase in phrases:
        if not any(f" {short} " in f" {phrase} " for short in kept):
            kept.append(phrase)
    quoted = [f'"{p}"' for p in kept] + [f'"{form}"*' for form in forms.hangul]
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def _plain(text: str) -> str:
    """Without diacritics, as the index folds them (remove_diacritics 2): "sinŭiju" -> "sinuiju"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fts_query(query: str, every: bool = False) -> str | None:
    """A safe FTS5 expression for free text: the quoted terms joined with OR (``every``: AND); None
    when the query holds no word."""
    return (" AND " if every else " OR ").join(query_terms(query)) or None


def current_model(store: Store) -> dict[str, Any] | None:
    """The current model's id, backend and creation time (not its state blob), or None before a fit."""
    return store.current_model(state=False)


def warm_up(archive: Archive) -> None:
    """Build the index and caches a first search needs (the server calls this at start)."""
    ensure_search_index(archive.store)
    model = current_model(archive.store)
    if model is not None:
        warm_meaning(archive.store, model)


# ---- searching -----------------------------------------------------------------------------------
@dataclass
class _Filters:
    """The filters (the store turns them into SQL conditions with bound values for keyword search)."""

    topic: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    language: str | None = None
    source: str | None = None
    place: str | None = None  # canonical name (``resolve_place``)


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
    place: str | None = None,
) -> list[SearchHit]:
    """Articles matching ``query``, best first, filtered by topic, date range (ISO, inclusive), language,
    source and a place they name (any spelling; a province includes its cities and counties). ``mode``: "keywords" (FTS5 bm25), "meaning" (embedding similarity) or "combined" (both,
    reciprocal-rank fusion). An empty query finds nothing; invalid arguments raise ``SearchError``.
    """
    _check(query, mode, limit, offset)
    filters = _Filters(topic, _check_date(date_from, "from"), _check_date(date_to, "to"),
                       language or None, source or None, _check_place(place))
    store = archive.store
    if filters.place is not None:
        ensure_places_indexed(store)
    model = current_model(store)
    if topic is not None and model is None:
        raise SearchError("no topics yet to filter by (run 'topicwatch fit' first)")
    if not _WORD_RE.search(query):
        return []
    depth = min(offset + limit + 50, MAX_OFFSET + MAX_LIMIT)
    keyword_ranking = _keyword_ranking(store, query, model, filters, depth) if mode != "meaning" else []
    within = store.seqs_naming(filters.place) if filters.place is not None and mode != "keywords" else None
    meaning = (meaning_ranking(store, query, model, depth, filters.topic, filters.date_from, filters.date_to,
                               filters.language, filters.source, within) if mode != "keywords" else [])
    fused = _fuse(keyword_ranking, meaning)[offset : offset + limit]
    return _hits(store, query, model, fused, keyword_ranking, meaning)


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


def _check_place(value: str | None) -> str | None:
    """The canonical name of a place (any spelling); an unknown one is a SearchError."""
    if not value:
        return None
    try:
        return resolve_place(value)
    except ValueError as exc:
        raise SearchError(str(exc)) from None


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
    indexed = SearchIndex(store).watermark()
    limit = max(COMMON_MIN_ARTICLES, COMMON_SHARE * indexed)
    if indexed <= limit:
        return terms
    kept = []
    for term in terms:
        word = term.strip('"').lower()
        if " " not in word:
            held = store.term_articles(word)
            if held is not None and held > limit:
                continue
        kept.append(term)
    return kept or terms


def _fts_ranking(store: Store, expression: str, model: dict[str, Any] | None, filters: _Filters,
                 depth: int) -> list[tuple[int, float]]:
    return store.keyword_matches(expression, depth, model["id"] if model else None, filters.topic,
                                 filters.date_from, filters.date_to, filters.language, filters.source, filters.place)


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
    rows = store.hit_rows(model["id"] if model else None, seqs)
    snippets = _snippets(store, query, [seq for seq in seqs if seq in keyword_rank])
    lines = _keyword_lines(store, model)
    hits = []
    for seq, score in page:
        _, article_id, title, day, language, source, topic, lead = rows[seq]
        hits.append(SearchHit(
            article_id, title, day, language, source, topic,
            lines.in_language(topic, language) if topic is not None and lines is not None else None,
            " ".join((snippets.get(seq) or _lead(lead)).split()), score, keyword_rank.get(seq),
            meaning_rank.get(seq), similarity.get(seq),
        ))
    return hits


def _snippets(store: Store, query: str, seqs: list[int]) -> dict[int, str]:
    expression = fts_query(query)
    if not seqs or expression is None:
        return {}
    return store.snippets(expression, seqs, HIGHLIGHT_START, HIGHLIGHT_END, ELLIPSIS)


def _keyword_lines(store: Store, model: dict[str, Any] | None) -> TopicLines | None:
    """The topics' lines (a hit carries its topic's in the hit's language); None before a fit."""
    return None if model is None else topic_lines(store, model["id"])


def _lead(text: str) -> str:
    """The start of an article (no highlight) for hits found by meaning only."""
    text = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "").replace("\n", " ")
    if len(text) <= 200:
        return text
    return text[:200].rsplit(" ", 1)[0] + " " + ELLIPSIS
