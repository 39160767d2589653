import numpy as np

from topicwatch.model.evaluate import reference_tokens, score_topics, top_words, topic_diversity

TEXTS = [
    "rice prices rose at the market as corn prices fell",
    "the market sold rice and corn at higher prices",
    "corn and rice prices at the border market",
    "the army fired a missile during a drill at sea",
    "a missile launch and an army drill were reported",
    "the army said the missile drill went well",
] * 3


def test_tokens_and_top_words_follow_the_conventions():
    assert reference_tokens("The Ministry of State-Security, 2024!") == ["ministry", "state", "security"]
    assert top_words(["ministry of state security", "state", "agents"], n=3) == ["ministry", "state", "security"]


def test_diversity_counts_unique_words():
    assert topic_diversity([["a b", "c"], ["d", "e"]], n=2) == 1.0
    assert topic_diversity([["rice", "corn"], ["rice", "army"]], n=2) == 0.75


def test_coherent_topics_beat_shuffled_ones():
    assigned = np.array([0, 0, 0, 1, 1, 1] * 3)
    good = score_topics([["rice", "corn", "prices", "market"], ["army", "missile", "drill"]], TEXTS, assigned,
                        labels=["food"] * 3 + ["war"] * 3 + ["food"] * 3 + ["war"] * 3 + ["food"] * 3 + ["war"] * 3)
    bad = score_topics([["rice", "missile", "prices", "drill"], ["army", "corn", "market"]], TEXTS, assigned)
    assert good.npmi > bad.npmi and good.c_v > bad.c_v
    assert good.nmi == 1.0 and good.ari == 1.0 and good.outlier_share == 0.0


def test_outlier_bucket_of_a_peer_is_counted():
    scores = score_topics([["rice", "corn"], ["army", "missile"]], TEXTS, np.array([-1, 0, 0, 1, 1, -1] * 3),
                          outlier_topic=-1)
    assert abs(scores.outlier_share - 1 / 3) < 1e-3
