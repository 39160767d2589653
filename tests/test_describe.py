import numpy as np

from topicwatch.model.describe import (
    build_vocabulary,
    coherent_ranking,
    count_terms,
    doc_term_matrix,
    passage_term_matrix,
    select_keywords,
    term_weights,
)

DOCS = [
    (["rice", "price", "market", "corn"], 0),
    (["rice", "market", "yuan"], 0),
    (["corn", "price", "market"], 0),
    (["missile", "launch", "east sea", "market"], 1),
    (["missile", "launch", "army"], 1),
    (["launch", "army", "drill", "east sea"], 1),
]


def _stats():
    terms = [t for t, _ in DOCS]
    labels = np.array([k for _, k in DOCS])
    vocab = build_vocabulary(terms, min_df=1, max_df_share=1.0)
    return count_terms(doc_term_matrix(terms, vocab), labels, 2, vocab), vocab


def test_partition_counts_add_up_to_the_whole():
    terms = [t for t, _ in DOCS]
    labels = np.array([k for _, k in DOCS])
    vocab = build_vocabulary(terms, min_df=1, max_df_share=1.0)
    whole = count_terms(doc_term_matrix(terms, vocab), labels, 2, vocab)
    parts = count_terms(doc_term_matrix(terms[:3], vocab), labels[:3], 2, vocab) + count_terms(
        doc_term_matrix(terms[3:], vocab), labels[3:], 2, vocab)
    assert np.array_equal(whole.counts.toarray(), parts.counts.toarray())
    assert np.array_equal(whole.topic_sizes, parts.topic_sizes)


def test_weights_favour_terms_specific_to_a_topic():
    stats, vocab = _stats()
    weights = term_weights(stats)
    market, rice, missile = vocab.index("market"), vocab.index("rice"), vocab.index("missile")
    assert weights[0, rice] > weights[1, market]
    assert weights[1, missile] > weights[0, missile]


def test_a_word_heads_only_one_topic_and_phrases_are_kept():
    stats, vocab = _stats()
    keywords = select_keywords(term_weights(stats), vocab, n_keywords=4)
    assert keywords[0][0] in {"rice", "market", "price", "corn"}
    assert "missile" in keywords[1] and "east sea" in keywords[1]
    words = [w for line in keywords for term in line for w in term.split()]
    assert len(words) == len(set(words))


def test_vocabulary_drops_rare_and_ubiquitous_terms():
    docs = [["common", "rare"], ["common", "a"], ["common", "a"], ["common", "b"]]
    assert build_vocabulary(docs, min_df=2, max_df_share=0.5) == ["a"]


def test_a_line_grows_with_terms_that_meet_the_terms_already_in_it():
    # "rice" leads; "yuan" weighs as much as "price" but never meets rice, price and corn, which
    # meet each other: the line reads rice, price, corn before yuan, and stops at ``length`` terms.
    passages = [["rice", "price", "corn"], ["rice", "price"], ["rice", "corn", "price"], ["yuan", "bank"],
                ["yuan", "bank"], ["bank", "loan"], ["loan", "rate"], ["rice", "price", "corn", "rate"]]
    vocab = ["bank", "corn", "loan", "price", "rate", "rice", "yuan"]
    matrix = passage_term_matrix(passages, vocab, size=20)
    weights = np.zeros((2, len(vocab)))
    weights[0, [vocab.index(t) for t in ("rice", "price", "yuan", "corn")]] = [1.0, 0.5, 0.5, 0.3]
    weights[1, vocab.index("bank")] = 1.0
    ranked = coherent_ranking(weights, matrix, length=3)
    order = [vocab[j] for j in np.argsort(-ranked[0], kind="stable") if ranked[0, j] > 0]
    assert order == ["rice", "price", "corn"]
    assert [vocab[j] for j in np.flatnonzero(ranked[1])] == ["bank"]
    assert not coherent_ranking(np.zeros((1, len(vocab))), matrix).any()
