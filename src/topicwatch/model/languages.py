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
from collections.abc import Sequence

import numpy as np
from scipy import sparse


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


def topic_languages(counts: sparse.spmatrix, homes: Sequence[str]) -> list[str | None]:
    """Each topic's language: the one whose single-language terms carry most of its counts (None: none)."""
    langs = sorted({h for h in homes if h and "," not in h})
    if not langs:
        return [None] * counts.shape[0]
    position = {lang: i for i, lang in enumerate(langs)}
    owned = [(j, position[h]) for j, h in enumerate(homes) if h in position]
    indicator = sparse.csr_matrix(
        (np.ones(len(owned)), ([j for j, _ in owned], [i for _, i in owned])), shape=(len(homes), len(langs))
    )
    mass = np.asarray((counts @ indicator).todense())
    return [langs[int(np.argmax(m))] if m.max() > 0 else None for m in mass]


def allowed_terms(topic_langs: Sequence[str | None], homes: Sequence[str]) -> np.ndarray:
    """topics x terms: True where the term may stand in the topic's keyword line."""
    allowed = np.ones((len(topic_langs), len(homes)), dtype=bool)
    unknown = np.array([not h for h in homes], dtype=bool)
    at_home: dict[str, np.ndarray] = {}
    for k, lang in enumerate(topic_langs):
        if lang is not None:
            if lang not in at_home:
                at_home[lang] = unknown | np.array([lang in h.split(",") for h in homes], dtype=bool)
            allowed[k] = at_home[lang]
    return allowed
