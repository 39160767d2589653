"""Topic-model scores with the conventions of OCTIS and the BERTopic paper.

NPMI and C_V are gensim's ``c_npmi`` and ``c_v``: the top 10 words of each topic (multi-word terms
split into their words), the archive's own texts as the reference corpus, tokenized into lower-case
alphabetic tokens minus English stop words. Diversity is unique words among the top-10s / 10K.
NMI and ARI compare the topic of each article with a label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .terms import ENGLISH_STOP_WORDS

_ALPHA_RE = re.compile(r"[a-z]+")


@dataclass
class Scores:
    """``npmi_unseen`` leads: the NPMI of the topic lines against text the fit never saw (None without
    one). ``npmi`` (against the archive's own text) is a diagnostic: lines can be picked for
    co-occurring in the very text they are then scored on."""

    topics: int
    npmi_unseen: float | None
    npmi: float
    c_v: float
    diversity: float
    outlier_share: float
    nmi: float | None = None
    ari: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def reference_tokens(text: str) -> list[str]:
    """The evaluation tokenization: lower-case alphabetic tokens minus English stop words."""
    return [t for t in _ALPHA_RE.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def top_words(keywords: Sequence[str], n: int = 10) -> list[str]:
    """The first ``n`` distinct words of a topic's terms, phrases split into words."""
    words: list[str] = []
    for term in keywords:
        for word in reference_tokens(term):
            if word not in words:
                words.append(word)
    return words[:n]


def topic_diversity(topic_keywords: Sequence[Sequence[str]], n: int = 10) -> float:
    tops = [top_words(k, n) for k in topic_keywords]
    total = sum(len(t) for t in tops)
    return len({w for t in tops for w in t}) / total if total else 0.0


def coherence(topic_keywords: Sequence[Sequence[str]], texts: Sequence[str], n: int = 10) -> tuple[float, float]:
    """(NPMI, C_V) of the topics against the tokenized texts, gensim's implementations."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    tokenized = [reference_tokens(t) for t in texts]
    dictionary = Dictionary(tokenized)
    tops = [[w for w in top_words(k, n) if w in dictionary.token2id] for k in topic_keywords]
    tops = [t for t in tops if len(t) >= 2]
    if not tops:
        return 0.0, 0.0
    results = []
    for measure in ("c_npmi", "c_v"):
        model = CoherenceModel(topics=tops, texts=tokenized, dictionary=dictionary, coherence=measure,
                               topn=n, processes=1)
        results.append(float(model.get_coherence()))
    return results[0], results[1]


def score_topics(
    topic_keywords: Sequence[Sequence[str]],
    texts: Sequence[str],
    assigned: np.ndarray,
    labels: Sequence[str] | None = None,
    outlier_topic: int | None = None,
    unseen_texts: Sequence[str] | None = None,
) -> Scores:
    """All scores at once; ``outlier_topic`` names a peer's outlier bucket (topicwatch has none);
    ``unseen_texts``: articles of the same source that the fit never saw, for ``npmi_unseen``."""
    assigned = np.asarray(assigned)
    npmi, c_v = coherence(topic_keywords, texts)
    unseen = round(coherence(topic_keywords, unseen_texts)[0], 4) if unseen_texts else None
    outliers = float(np.mean(assigned == outlier_topic)) if outlier_topic is not None else 0.0
    scores = Scores(len(topic_keywords), unseen, round(npmi, 4), round(c_v, 4),
                    round(topic_diversity(topic_keywords), 4), round(outliers, 4))
    if labels is not None:
        from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

        scores.nmi = round(float(normalized_mutual_info_score(labels, assigned)), 4)
        scores.ari = round(float(adjusted_rand_score(labels, assigned)), 4)
    return scores
