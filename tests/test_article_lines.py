"""Each article's own keyword line (topics/article_lines.py), on real term counts and the real static model."""

import numpy as np
from scipy import sparse

from topicwatch.model.article_lines import (
    MIN_OWN_TERMS,
    ArticleLine,
    ArticleLiner,
    distinct_terms,
    in_article_order,
    line_fields,
    whole_names,
)
from topicwatch.model.terms import names_in


def test_no_word_twice_and_phrases_take_the_place_of_their_words():
    ranked = ["border", "border guards", "guards crackdown", "smuggling", "border"]
    assert distinct_terms(ranked, 6) == ["border guards", "smuggling"]
    assert distinct_terms(["kim jong un", "kim", "jong un visit", "visit"], 6) == ["kim jong un", "visit"]


def test_terms_stand_in_the_order_the_article_first_uses_them():
    article = ["petrol", "hit", "war", "breaks", "petrol"]
    assert in_article_order(["war", "petrol", "breaks"], article) == ["petrol", "war", "breaks"]


def _liner(vocabulary, doc_counts, common=()):
    doc_counts = sparse.csr_matrix(np.asarray(doc_counts, dtype=float))
    return ArticleLiner.from_counts(vocabulary, doc_counts, np.asarray(doc_counts.sum(axis=1)).ravel(),
                                    frozenset(common))


def test_weights_come_from_the_archive_rarity_and_the_topics_share_of_each_term():
    # "missile": 10 articles, all of topic 0; "launch": 30 articles, half in each topic.
    liner = _liner(["missile", "launch"], [[10, 15], [0, 15]])
    prior = np.array([25, 15]) / 40  # the topics' shares of the archive's (here: the terms') articles
    assert np.allclose(liner.share[:, 0], ([10, 0] + prior) / 11) and np.allclose(liner.share[:, 1], (15 + prior) / 31)
    assert liner.idf[0] > liner.idf[1] > 0


def test_a_topic_owns_a_word_more_surely_the_more_of_its_articles_use_it():
    # "probe": 2 articles, both of topic 0; "orbit": 20, all of topic 0; "rocket" 40, half each.
    liner = _liner(["probe", "orbit", "rocket"], [[2, 20, 20], [0, 0, 20]])
    assert liner.share[0, 0] < liner.share[0, 1] < 1.0
    # A word no other article uses (out of the vocabulary) is owned by the article's topic about half.
    assert 0.5 < liner.unseen_share[0] < liner.share[0, 0]


def test_words_outside_the_vocabulary_can_stand_but_too_common_ones_never():
    liner = _liner(["council", "plan"], [[5, 5]], common={"said"})
    line = liner.lines([["council", "said", "fraser", "heritage", "plan", "said"]], np.array([0]))[0]
    assert "fraser" in line.terms and "heritage" in line.terms and "said" not in line.terms


def test_a_bare_headline_carries_its_topics_line_and_says_so():
    liner = _liner(["council", "plan"], [[5, 5]])
    (short,) = liner.lines([["council", "plan"][: MIN_OWN_TERMS - 1]], np.array([0]))
    assert short.source == "topic" and short.terms == ()
    assert line_fields(short, "council plan budget") == {
        "article_line": "council plan budget", "topic_line": "council plan budget", "line_source": "topic"}


def test_stored_lines_round_trip_and_cut_to_the_asked_length():
    line = ArticleLine(("ministry of state security", "hyesan", "arrests"), "article")
    again = ArticleLine.stored(*line.for_storage())
    assert again == line and again.text(2) == "ministry of state security hyesan"
    assert ArticleLine.stored(None, "topic").source == "topic"


def test_a_word_of_a_name_the_article_spells_out_stands_as_the_whole_name():
    text = "Veteran comic Cyril Fletcher dies. Britain's Kathy Butler won. Girls Girls Girls played."
    names = names_in(text)
    assert names["fletcher"] == "cyril fletcher" and names["kathy"] == "kathy butler"
    assert "girls" not in names and "britain" not in names  # no word twice; a possessive ends a name
    assert whole_names(["comic", "fletcher", "dies"], names) == ["comic", "cyril fletcher", "dies"]
    # Not where the name's other word already stands in the line.
    assert whole_names(["cyril", "fletcher"], names) == ["cyril", "fletcher"]


def test_a_word_of_the_title_counts_once_more_than_one_of_the_lead():
    words = ["germany", "rebounds", "euro", "exports", "growth", "trade", "bank", "rate"]
    liner = _liner(words, [[5] * len(words)])
    terms = ["germany", "rebounds"] + [w for w in words[2:] for _ in range(2)]  # the body says each twice
    body = " ".join(terms[2:])
    titled = liner.lines([terms], np.array([0]), [f"Germany rebounds\n{body}"])[0]
    untitled = liner.lines([terms], np.array([0]), [f"Germany rebounds {body}\n(more)"])[0]
    assert "germany" in titled.terms[:6] and "germany" not in untitled.terms[:6]
