"""Topic-line variants on a blind-judging corpus: NPMI on its unseen half and a title-hit proxy for fit.

    .venv-bench/bin/python bench/topic_line_variants.py WORKDIR/bbc [VARIANT ...]

WORKDIR is what ``bench/judge.sh`` made (``a.jsonl`` fit half, ``b.jsonl`` unseen half). Fits topicwatch
(fast, seed 0) on the fit half, recomputes the topic lines several ways from the same counts, and prints
each variant's ``npmi_ref`` (gensim c_npmi of the top 10 words against the unseen half, as
``../shared/judge/score.py`` computes it) and ``title_hit`` (the share of a topic's articles whose first
110 characters, what raters see, hold a word of the line; mean over topics). Variants named after the
corpus also have their lines printed. BENCHMARKS.md, "Sixth session", has the figures.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from topicwatch import Archive
from topicwatch.archive.fitting import fit_model
from topicwatch.model.describe import (
    coherent_ranking,
    doc_term_matrix,
    passage_term_matrix,
    select_keywords,
    term_weights,
)
from topicwatch.model.terms import term_stems

TOKEN = re.compile(r"[a-z][a-z]+")


def tokens(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def line_words(keywords: list[str], n: int = 10) -> list[str]:
    out: list[str] = []
    for keyword in keywords:
        out.extend(w for w in tokens(str(keyword)) if w not in out)
    return out[:n]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def coverage_ranking(weights: np.ndarray, present, labels: np.ndarray, decay: float, power: float,
                     candidates: int = 60, length: int = 20) -> np.ndarray:
    """Each topic's terms re-ranked greedily by the articles they add: a term's gain is its relative
    weight to ``power`` times the topic's articles holding it, each counted ``decay`` ** (how many
    chosen terms it holds already)."""
    ranked = np.zeros_like(weights)
    for k in range(len(weights)):
        top = np.argsort(-weights[k], kind="stable")[:candidates]
        top = top[weights[k, top] > 0]
        members = np.flatnonzero(labels == k)
        if not len(top) or not len(members):
            continue
        holds = present[members][:, top].toarray()
        strength = (weights[k, top] / weights[k, top[0]]) ** power
        covered = np.zeros(len(members))
        left = np.ones(len(top), dtype=bool)
        order: list[int] = []
        while left.any() and len(order) < length:
            gain = (decay ** covered) @ holds / len(members)
            best = int(np.argmax(np.where(left, strength * gain, -1.0)))
            order.append(best)
            left[best] = False
            covered += holds[:, best]
        ranked[k, top[order]] = weights[k, top[0]] * 0.98 ** np.arange(len(order))
    return ranked


def main() -> None:
    corpus, show = Path(sys.argv[1]), sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "a.db") as archive:
        archive.ingest([corpus / "a.jsonl"])
        fitted = fit_model(archive.workspace, "fast", None, 0, None, None)
    model = fitted.model
    docs = read_jsonl(corpus / "a.jsonl")
    reference = [tokens(d["text"]) for d in read_jsonl(corpus / "b.jsonl")]
    dictionary = Dictionary(reference)
    heads = [term_stems(" ".join(tokens(re.sub(r"\s+", " ", d["text"])[:110]))) for d in docs]
    article_topics = np.asarray([model.labels_[r] for r in fitted.rows])

    def npmi(lines: list[list[str]]) -> float:
        words = [[w for w in line_words(line) if w in dictionary.token2id] for line in lines]
        words = [w for w in words if len(w) >= 2]
        return float(CoherenceModel(topics=words, texts=reference, dictionary=dictionary, coherence="c_npmi",
                                    topn=10, processes=1).get_coherence())

    def title_hit(lines: list[list[str]]) -> float:
        hits = []
        for k, line in enumerate(lines):
            members = np.flatnonzero(article_topics == k)
            if len(members) and line:
                stems = term_stems(" ".join(line_words(line)))
                hits.append(np.mean([bool(heads[m] & stems) for m in members]))
        return float(np.mean(hits))

    terms = model.analyze(fitted.texts)
    present = doc_term_matrix(terms, model.vocabulary_)
    present.data[:] = 1
    present = present.tocsc()
    passages = passage_term_matrix(terms, model.vocabulary_)
    weights = term_weights(model.term_stats_) * model.allowed_terms()
    vocabulary = model.vocabulary_
    variants = {"committed": [t.keywords for t in model.topics_], "plain": select_keywords(weights, vocabulary, 10)}
    for decay in (0.3, 0.6, 1.0):
        for power in (0.25, 0.5, 1.0):
            ranked = coverage_ranking(weights, present, model.labels_, decay, power)
            variants[f"cover d{decay} p{power}"] = select_keywords(ranked, vocabulary, 10)
    for relevance in (0.25, 0.5, 1.0):
        for candidates in (20, 40, 60, 100):
            ranked = coherent_ranking(weights, passages, candidates=candidates, relevance=relevance)
            variants[f"coherent r{relevance} c{candidates}"] = select_keywords(ranked, vocabulary, 10)
    for size, name in ((10, "passages of 10"), (10**6, "whole articles")):
        ranked = coherent_ranking(weights, passage_term_matrix(terms, vocabulary, size=size), relevance=0.5)
        variants[f"coherent on {name}"] = select_keywords(ranked, vocabulary, 10)
    for name, lines in variants.items():
        print(f"{name:28s} npmi_ref {npmi(lines):+.4f}  title_hit {title_hit(lines):.3f}")
    for name in show:
        print("==", name)
        for line in variants[name]:
            print("  ", " ".join(line))


if __name__ == "__main__":
    main()
