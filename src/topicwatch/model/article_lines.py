"""Each article's own keyword line: what *this* article is about, said in the words of its topic.

A term of an article is weighted by three factors, each with one job:

    weight(t, d) = (1 + log count(t, d) + lead(t, d) + title(t, d)) x idf(t)  x  (1 + share(t, k))  x  centrality(t, d) ** 0.5

- **specific to the article** (tf-idf): the sublinear count of the term in the article, plus one
  when it stands in the title or lead (the first ``LEAD_TERMS`` terms: news says first what it is
  about) and one more when it stands in the title itself (the first line: a headline is the
  article's own summary), times the log of how rare it is in the archive, so "said"-like words
  never lead;
- **in its topic's words**: ``share(t, k)`` is the share of the archive's articles using the term
  that belong to the article's topic k, so a term the topic owns counts up to twice. It is counted
  with one pseudo-article more, spread over the topics by their size, so a word two articles use
  is owned less surely than one twenty use, and a word the vocabulary lacks (one only this
  article uses: a name, a model number) is owned by its topic about half, not at all;
- **central to the article**: the cosine between the term's vector (the fast backend's static
  token vectors) and the article's own centre, the weighted mean of its terms' vectors. A term
  that points where the article's terms point together is what the article is about; a name or
  figure mentioned once in passing is not. This is the idea of KeyBERT (a candidate near the
  document's embedding) at the cost of one sparse product per partition instead of one
  transformer pass per candidate. Terms the static model cannot place (Korean, mostly) count as
  the article's average term. Only the ``CANDIDATES`` strongest terms by the other factors are
  scored for it, and it counts as its square root (static vectors place rare names poorly).

The line takes the six best terms in the article's script (a Korean article's line holds no English
phrase it quotes; an English one no Hangul), never a word twice (a phrase that extends a chosen word takes
its place, "border" -> "border guards"; a term sharing a word with a chosen one is skipped), and
shows them in the order the article first uses them: title and lead come first in news, and a line
in the article's own order reads like its headline. Up to ``STORED_TERMS`` terms are kept, the
ones past the sixth by weight, for a reader who asks for a longer line (``--terms``).
An article with fewer than ``MIN_OWN_TERMS`` terms of its own (a bare headline) carries its
topic's line instead, and says so (``line_source`` = "topic").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from ..embed.normalize import l2_normalize
from ..read.records import has_hangul, mostly_hangul
from .describe import doc_term_matrix
from .terms import names_in, term_stems

MIN_OWN_TERMS = 3  # fewer than this: the article's line is its topic's
LEAD_TERMS = 20  # the title and lead: where a news article says what it is about
LEAD_BONUS = 1.0  # added to a term's (log) count when it stands in the lead
TITLE_BONUS = 1.0  # and once more when it stands in the title: the article's own summary
TITLE_CHARS = 400  # a first line longer than this is not a title: only its start is read
_WORDS = re.compile(r"\w+")
# Centrality tempered: static vectors place rare names (a person, a newspaper) poorly, and a name is
# often what a reader most wants in the line.
CENTRALITY_POWER = 0.5
CANDIDATES = 24  # an article's strongest terms by tf-idf and share, among which centrality decides
ROWS_AT_ONCE = 1_000  # articles scored together (their candidates as one dense block)
NAME_CHARS = 4_000  # names are spelled out whole early in a news text; later it says "Fletcher"
STORED_TERMS = 12  # terms kept per article, so a reader can ask for a longer line later
DEFAULT_ARTICLE_TERMS = 6


@dataclass(frozen=True)
class ArticleLine:
    """An article's line: its terms, most telling first, and where they come from ("article" or "topic")."""

    terms: tuple[str, ...]
    source: str

    def text(self, n_terms: int = DEFAULT_ARTICLE_TERMS) -> str:
        return " ".join(self.terms[:n_terms])

    @classmethod
    def stored(cls, terms_json: str | None, source: str | None) -> ArticleLine:
        """The line as the archive keeps it (a JSON list of terms, or NULL for the topic's line)."""
        if not terms_json:
            return TOPIC_LINE
        return cls(tuple(json.loads(terms_json)), source or "article")

    def for_storage(self) -> tuple[str | None, str]:
        return (json.dumps(list(self.terms), ensure_ascii=False) if self.terms else None), self.source


TOPIC_LINE = ArticleLine((), "topic")


def line_fields(line: ArticleLine, topic_line: str, n_terms: int = DEFAULT_ARTICLE_TERMS) -> dict[str, str]:
    """What every output shows of an article's lines: its own (its topic's where it has none of its
    own), its topic's, and which of the two the first is."""
    return {"article_line": line.text(n_terms) if line.terms else topic_line, "topic_line": topic_line,
            "line_source": line.source}


@dataclass
class ArticleLiner:
    """What article lines are computed from: the archive's idf and each term's share per topic.

    Built from a model's per-topic counts (``from_counts``); ``lines`` is a pure function of one
    partition's term lists and topics, so it runs in any worker. An article may use words the
    archive's vocabulary lacks (a name only it mentions: "bevan", "fraser"): they count as the
    rarest terms, owned by no topic; words too common to count (``common``) never stand.
    """

    vocabulary: list[str]
    idf: np.ndarray  # terms
    share: np.ndarray  # topics x terms: share of the term's articles that are in the topic (smoothed)
    unseen_share: np.ndarray  # topics: the share of a word only the article itself uses
    common: frozenset[str] = frozenset()

    @classmethod
    def from_counts(cls, vocabulary: list[str], doc_counts: sparse.spmatrix, topic_sizes: np.ndarray,
                    common: frozenset[str] = frozenset()) -> ArticleLiner:
        """From per-topic counts of the articles using each term (``TopicTermCounts.doc_counts``)."""
        doc_counts = sparse.csr_matrix(doc_counts, dtype=np.float64)
        df = np.asarray(doc_counts.sum(axis=0)).ravel()
        n = max(float(np.sum(topic_sizes)), 1.0)
        idf = np.log((n + 1.0) / (df + 1.0)) + 1.0
        # One pseudo-article spread over the topics by their size: a word two articles of a topic use
        # is owned less surely than one twenty use, and a word only the article uses (out of the
        # vocabulary) is owned by its topic as surely as any other single use, not at all.
        prior = np.asarray(topic_sizes, dtype=np.float64) / n
        share = (doc_counts.toarray() + prior[:, None]) / (df + 1.0)[None, :]
        return cls(vocabulary, idf.astype(np.float32), share.astype(np.float32),
                   ((1.0 + prior) / 2.0).astype(np.float32), frozenset(common))

    def __post_init__(self) -> None:
        self._index = {term: j for j, term in enumerate(self.vocabulary)}
        n = float(np.exp(self.idf.max() - 1.0)) if len(self.idf) else 2.0
        self._rare_idf = np.float32(np.log((n + 1.0) / 2.0) + 1.0)  # a term seen once

    def lines(self, term_lists: Sequence[Sequence[str]], labels: np.ndarray, texts: Sequence[str] | None = None,
              doc_term: sparse.csr_matrix | None = None) -> list[ArticleLine]:
        """The line of each article of one partition (``term_lists``: each article's terms, as the
        model's analyzer gives them; ``doc_term``: their counts over the vocabulary, when already
        made; ``texts``, when given, let a word of a name stand as the whole name the article spells
        out: "fletcher" -> "cyril fletcher")."""
        labels = np.asarray(labels, dtype=np.int64)
        index, known = self._index, len(self.vocabulary)
        if doc_term is None:
            doc_term = doc_term_matrix(term_lists, self.vocabulary)
        # Only the lead is read term by term: it earns its bonus there (the title, its first terms, once
        # more), and a word the archive never counted (a name only this article uses) may stand when
        # the article puts it in its title or lead.
        extra: dict[str, int] = {}
        lead_rows: list[int] = []
        lead_cols: list[int] = []
        title_rows: list[int] = []
        title_cols: list[int] = []
        for i, terms in enumerate(term_lists):
            title = _title_words(texts[i]) if texts is not None else frozenset()
            in_title = bool(title)
            for term in terms[:LEAD_TERMS]:
                in_title = in_title and title.issuperset(term.split())
                j = index.get(term)
                if j is None:
                    if term in self.common:
                        continue
                    j = extra.setdefault(term, known + len(extra))
                lead_rows.append(i)
                lead_cols.append(j)
                if in_title:
                    title_rows.append(i)
                    title_cols.append(j)
        shape = (len(term_lists), known + len(extra))
        in_lead = _marks(lead_rows, lead_cols, shape)
        unseen = in_lead[:, known:]  # counts of the never-counted words, from the lead
        counts = sparse.hstack([sparse.csr_matrix(doc_term, dtype=np.float32), unseen], format="csr")
        counts.sum_duplicates()
        counts.data = (1.0 + np.log(np.maximum(counts.data, 1.0))).astype(np.float32)
        in_lead.data[:] = LEAD_BONUS
        in_title = _marks(title_rows, title_cols, shape)
        in_title.data[:] = TITLE_BONUS
        weights = sparse.csr_matrix(counts + in_lead + in_title, dtype=np.float32)
        weights.sort_indices()
        rows_of = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
        cols = weights.indices
        in_vocabulary = cols < known
        idf = np.full(len(cols), self._rare_idf, dtype=np.float32)
        idf[in_vocabulary] = self.idf[cols[in_vocabulary]]
        share = np.zeros(len(cols), dtype=np.float32)
        share[in_vocabulary] = self.share[labels[rows_of[in_vocabulary]], cols[in_vocabulary]]
        share[~in_vocabulary] = self.unseen_share[labels[rows_of[~in_vocabulary]]]
        weights.data *= idf * (1.0 + share)
        vectors = np.vstack([term_vectors(tuple(self.vocabulary)), _encode_terms(list(extra))])
        has_vector = np.abs(vectors).sum(axis=1) > 0
        centres = l2_normalize(np.asarray(weights @ vectors, dtype=np.float32))
        names = [*self.vocabulary, *extra]
        out: list[ArticleLine] = []
        for first in range(0, weights.shape[0], ROWS_AT_ONCE):
            block = weights[first: first + ROWS_AT_ONCE]
            candidates, scores = _central_first(block, vectors, has_vector, centres[first: first + ROWS_AT_ONCE])
            for i, (terms, score) in enumerate(zip(candidates, scores), start=first):
                if (score > -np.inf).sum() < MIN_OWN_TERMS:
                    out.append(TOPIC_LINE)  # filled with the topic's current line where it is shown
                    continue
                order = np.argsort(-score, kind="stable")
                korean = mostly_hangul(texts[i]) if texts is not None else _mostly_hangul_terms(term_lists[i])
                ranked = distinct_terms((names[j] for j in terms[order]
                                         if j >= 0 and has_hangul(names[j]) == korean), STORED_TERMS)
                if not ranked:  # nothing of its own in its script
                    out.append(TOPIC_LINE)
                    continue
                line = in_article_order(ranked[:DEFAULT_ARTICLE_TERMS], term_lists[i]) + ranked[DEFAULT_ARTICLE_TERMS:]
                if texts is not None:
                    line = whole_names(line, names_in(texts[i][:NAME_CHARS]))
                out.append(ArticleLine(tuple(line), "article"))
        return out


def _marks(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sparse.csr_matrix:
    """How often each (article, term) was given, as a sparse matrix of ``shape``."""
    marked = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    marked.sum_duplicates()
    return marked


def _title_words(text: str) -> frozenset[str]:
    """The words of a text's first line, where ``document_text`` puts the title (only its first
    ``TITLE_CHARS`` characters: a longer first line is no title)."""
    return frozenset(_WORDS.findall(text[:TITLE_CHARS].split("\n", 1)[0].lower()))


def _mostly_hangul_terms(terms: Sequence[str]) -> bool:
    """Whether most of an article's terms are Korean (its text unknown)."""
    return sum(has_hangul(t) for t in terms) * 2 > len(terms)


def in_article_order(terms: Sequence[str], article_terms: Sequence[str]) -> list[str]:
    """``terms`` in the order the article first uses them: a news article says what it is about
    first (title, lead), and a line in the article's own order reads like its headline (blind
    raters put such lines first on headlines whose words every system picked alike)."""
    listed = list(article_terms)
    return sorted(terms, key=lambda term: listed.index(term) if term in listed else len(listed))


def whole_names(line: list[str], names: dict[str, str]) -> list[str]:
    """A one-word term that is part of a name the article spells out becomes the whole name, unless
    the name's other words already stand in the line."""
    out = list(line)
    for i, term in enumerate(out):
        name = names.get(term)
        if name is None or " " in term:
            continue
        others = term_stems(name) - term_stems(term)
        if not any(others & term_stems(t) for j, t in enumerate(out) if j != i):
            out[i] = name
    return out


def distinct_terms(ranked: Iterable[str], most: int) -> list[str]:
    """Terms in rank order with no word twice (nor two forms of one word: "buys", "buying"): a term
    that extends a chosen one replaces it, one that shares a word with a chosen term otherwise is
    left out."""
    chosen: list[str] = []
    words: list[frozenset[str]] = []
    used: set[str] = set()  # every stem in the line, so most terms are checked in one step
    for term in ranked:
        own = term_stems(term)
        if used.isdisjoint(own):
            chosen.append(term)
            words.append(own)
            used |= own
        elif len(overlapping := [i for i, w in enumerate(words) if w & own]) == 1 and words[overlapping[0]] < own:
            used |= own
            chosen[overlapping[0]], words[overlapping[0]] = term, own
        if len(chosen) >= most:
            break
    return chosen


def _central_first(weights: sparse.csr_matrix, vectors: np.ndarray, has_vector: np.ndarray,
                   centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(terms, scores), rows x ``CANDIDATES``: each article's strongest terms by tf-idf and share
    (-1 / -inf where it has fewer), scored weight x centrality ** CENTRALITY_POWER. Centrality is
    the cosine of the term's vector with the article's weighted centre, floored at a small positive
    value; a term without a vector takes its article's candidates' mean. Only candidates are
    scored: a term outside them would need a far higher centrality than the floor-to-one range
    allows, and scoring every term cost more than all the rest of labelling."""
    lengths = np.diff(weights.indptr)
    n, longest = len(lengths), int(lengths.max(initial=0))
    width = max(1, min(CANDIDATES, longest))
    rows = np.repeat(np.arange(n), lengths)
    position = np.arange(len(weights.data)) - np.repeat(weights.indptr[:-1], lengths)
    dense = np.full((n, max(longest, 1)), -1.0, dtype=np.float32)
    dense[rows, position] = weights.data
    term_of = np.full((n, max(longest, 1)), -1, dtype=np.int64)
    term_of[rows, position] = weights.indices
    top = np.argpartition(-dense, width - 1, axis=1)[:, :width] if longest > width else np.argsort(-dense, axis=1)
    top = top[:, :width]
    weight = np.take_along_axis(dense, top, axis=1)
    terms = np.take_along_axis(term_of, top, axis=1)
    valid = weight > 0
    if not len(vectors):  # no term to place at all (every word of a tiny archive was too common)
        return np.full_like(terms, -1), np.full(weight.shape, -np.inf, dtype=np.float32)
    safe = np.where(valid, terms, 0)
    cos = np.maximum(np.einsum("nkd,nd->nk", vectors[safe], centres), 0.02)
    known = valid & has_vector[safe]
    mean = np.where(known.any(axis=1), (cos * known).sum(axis=1) / np.maximum(known.sum(axis=1), 1), 1.0)
    cos = np.where(known, cos, mean[:, None])
    scores = np.where(valid, weight * cos ** CENTRALITY_POWER, -np.inf)
    return np.where(valid, terms, -1), scores


@lru_cache(maxsize=2)
def term_vectors(vocabulary: tuple[str, ...]) -> np.ndarray:
    """Unit vectors of the vocabulary's terms, cached per vocabulary: one encode of short strings,
    well under a second for 50,000 terms."""
    return _encode_terms(list(vocabulary))


def _encode_terms(terms: list[str]) -> np.ndarray:
    """Terms' vectors from the fast backend's static model (zero rows where it knows none of a term's
    pieces)."""
    embedder = _static_model()
    if not terms:
        return np.zeros((0, embedder.pca_dims), dtype=np.float32)
    vectors = embedder.encode(terms)
    vectors[~np.isfinite(vectors).all(axis=1)] = 0.0
    return vectors


@lru_cache(maxsize=1)
def _static_model():
    from ..embed.fast import FastEmbedder

    return FastEmbedder()

