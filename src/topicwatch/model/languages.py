"""Which language each term and each topic belongs to, so a keyword line speaks one language.

A term is at home in a language when articles in that language use it at a rate of at least
``min_share`` of its highest rate in any language: "cooperación" is at home only in Spanish,
"pyongyang" in English and Spanish alike, "인민" only in Korean. A topic's language is the one
whose own terms (at home in that language alone) carry most of its term counts. A topic may then
pick only terms at home in its language (or terms of no known language), so a few Spanish
stories that joined an English topic cannot put Spanish words in its keyword line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from ..read.records import has_hangul
from .describe import TopicTermCounts, keyword_lists


def term_languages(
    term_lists: Sequence[Sequence[str]], languages: Sequence[str | None], vocabulary: Sequence[str],
    min_share: float = 0.1,
) -> list[str]:
    """Each vocabulary term's home languages, comma-separated; "" where no article of known language uses it."""
    docs = Counter(lang for lang in languages if lang)
    langs = sorted(docs)
    if not langs:
        return [""] * len(vocabulary)
    index = {term: j for j, term in enumerate(vocabulary)}
    row = {lang: i for i, lang in enumerate(langs)}
    used = np.zeros((len(langs), len(vocabulary)))
    for terms, lang in zip(term_lists, languages):
        if lang:
            columns = list({index[t] for t in terms if t in index})
            used[row[lang], columns] += 1
    rates = used / np.array([docs[lang] for lang in langs], dtype=float)[:, None]
    home = (rates > 0) & (rates >= min_share * rates.max(axis=0, keepdims=True))
    return [",".join(lang for i, lang in enumerate(langs) if home[i, j]) for j in range(len(vocabulary))]


def language_mass(counts: sparse.spmatrix, homes: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(the languages some term is at home in alone, topics x those languages: the topic's counts of
    such terms)."""
    langs = sorted({h for h in homes if h and "," not in h})
    position = {lang: i for i, lang in enumerate(langs)}
    owned = [(j, position[h]) for j, h in enumerate(homes) if h in position]
    indicator = sparse.csr_matrix(
        (np.ones(len(owned)), ([j for j, _ in owned], [i for _, i in owned])), shape=(len(homes), len(langs))
    )
    return langs, np.asarray((counts @ indicator).todense()).reshape(counts.shape[0], len(langs))


def topic_languages(counts: sparse.spmatrix, homes: Sequence[str]) -> list[str | None]:
    """Each topic's language: the one whose single-language terms carry most of its counts (None: none)."""
    langs, mass = language_mass(counts, homes)
    return [langs[int(np.argmax(m))] if len(m) and m.max() > 0 else None for m in mass]


HANGUL_LANGUAGES = frozenset({"ko"})  # the languages guess_language knows that are written in Hangul


def usable_in(lang: str, homes: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """terms: True where a term may stand in a line in ``lang``: at home in it (or in no known
    language) and written in its script. A line speaks one language: a Korean line holds no English
    phrase a Korean article quoted, an English line no Hangul."""
    hangul = lang in HANGUL_LANGUAGES
    return np.array([(not home or lang in home.split(",")) and has_hangul(term) == hangul
                     for home, term in zip(homes, vocabulary)], dtype=bool)


def allowed_terms(topic_langs: Sequence[str | None], homes: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """topics x terms: True where the term may stand in the topic's keyword line (``usable_in`` its
    language; any term where the topic's language is unknown)."""
    allowed = np.ones((len(topic_langs), len(homes)), dtype=bool)
    at_home: dict[str, np.ndarray] = {}
    for k, lang in enumerate(topic_langs):
        if lang is not None:
            if lang not in at_home:
                at_home[lang] = usable_in(lang, homes, vocabulary)
            allowed[k] = at_home[lang]
    return allowed


def lines_by_language(
    stats: TopicTermCounts, passages: sparse.csr_matrix, homes: Sequence[str], main: Sequence[Sequence[str]],
    n_keywords: int, max_topics_per_word: int, left_out: Iterable[int] = (), min_share: float = 0.1,
) -> list[dict[str, list[str]]]:
    """Each topic's keyword line in every language its articles use, language -> keywords.

    A language has a line in a topic when its own terms (at home in it alone) carry at least
    ``min_share`` of the topic's single-language term counts. The topic's own language keeps its
    main line (``main``); another language's line is made as the main lines are (``keyword_lists``:
    the same weights, coherence ranking and choice across topics), with only the terms ``usable_in``
    that language allowed and only the topics that have a line in it taking part, so in each language
    no word heads two topics. A story told in English and Korean so gets one line in each. Where the
    terms know fewer than two languages, every topic gets {} (its main line is its line).
    """
    langs, mass = language_mass(stats.counts, homes)
    lines: list[dict[str, list[str]]] = [{} for _ in range(mass.shape[0])]
    if len(langs) < 2:  # one language: the main lines are the lines
        return lines
    totals = mass.sum(axis=1)
    dominant = np.argmax(mass, axis=1)
    skipped = set(left_out)
    for i, lang in enumerate(langs):
        takes_part = [k for k in range(len(mass)) if k not in skipped and totals[k] > 0
                      and mass[k, i] >= min_share * totals[k]]
        for k in [k for k in takes_part if dominant[k] == i]:
            lines[k][lang] = list(main[k])
        others = [k for k in takes_part if dominant[k] != i]
        if not others:
            continue
        allowed = np.zeros((len(mass), len(homes)), dtype=bool)
        allowed[takes_part] = usable_in(lang, homes, stats.vocabulary)
        made = keyword_lists(stats, passages, allowed, n_keywords, max_topics_per_word)
        for k in others:
            if made[k]:
                lines[k][lang] = made[k]
    return lines
