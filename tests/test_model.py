import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from topicwatch import TopicModel
from topicwatch.embed import document_text
from topicwatch.model.evaluate import topic_diversity


def _texts(rows):
    return [document_text(d["title"], d["text"]) for d in rows]


def test_bbc_five_topics_fast_backend_recovers_sections(bbc, bbc_fast_vectors):
    model = TopicModel(n_topics=5, seed=0).fit(_texts(bbc), embeddings=bbc_fast_vectors)
    labels = [d["label"] for d in bbc]
    assert normalized_mutual_info_score(labels, model.labels_) >= 0.75
    assert len(model.topics_) == 5
    assert sum(t.size for t in model.topics_) == len(bbc)  # every article has a topic: no outliers
    assert topic_diversity([t.keywords for t in model.topics_]) >= 0.9
    lines = model.keyword_lines()
    assert len(lines) == len(bbc) and all(lines)
    for topic in model.topics_:
        assert 5 <= len(topic.keywords) <= 10
        assert topic.keyword_line == topic.keyword_line.lower()
    sport = next(t for t in model.topics_ if "england" in t.keywords or "match" in t.keywords)
    assert sport.size > 300


def test_same_seed_same_topics_and_ids(bbc, bbc_fast_vectors):
    texts = _texts(bbc)[:800]
    vectors = bbc_fast_vectors[:800]
    a = TopicModel(seed=3).fit(texts, embeddings=vectors)
    b = TopicModel(seed=3).fit(texts, embeddings=vectors)
    assert np.array_equal(a.labels_, b.labels_)
    assert [t.keywords for t in a.topics_] == [t.keywords for t in b.topics_]
    sizes = [t.size for t in a.topics_]
    assert sizes == sorted(sizes, reverse=True)  # topic 0 is the largest


def test_automatic_topic_count_is_sensible(bbc, bbc_fast_vectors):
    model = TopicModel(seed=0).fit(_texts(bbc), embeddings=bbc_fast_vectors)
    assert 5 <= len(model.topics_) <= 20


def test_transform_labels_new_texts_without_changing_topics(bbc, bbc_fast_vectors):
    texts = _texts(bbc)
    model = TopicModel(n_topics=5, seed=0).fit(texts[:1500], embeddings=bbc_fast_vectors[:1500])
    before = [t.keywords for t in model.topics_]
    new = model.transform(texts[1500:1600])
    assert new.shape == (100,) and set(new) <= set(range(5))
    assert [t.keywords for t in model.topics_] == before
    # Labelling from the vectors gives the same topics as labelling from the texts.
    from_vectors = model.transform(texts[1500:1600], embeddings=bbc_fast_vectors[1500:1600])
    assert np.array_equal(from_vectors, new)


def test_saved_model_labels_like_the_original(bbc, bbc_fast_vectors):
    texts = _texts(bbc)[:600]
    model = TopicModel(n_topics=4, seed=1).fit(texts, embeddings=bbc_fast_vectors[:600])
    again = TopicModel.from_bytes(model.to_bytes())
    assert [t.keywords for t in again.topics_] == [t.keywords for t in model.topics_]
    assert np.array_equal(again.transform(texts, bbc_fast_vectors[:600]), model.labels_)


def test_unfitted_model_says_so():
    import pytest

    with pytest.raises(RuntimeError, match="not fitted"):
        TopicModel().transform(["text"])


def test_restarts_run_discovery_several_times_and_the_model_keeps_one_runs_lines(bbc, bbc_fast_vectors, monkeypatch):
    import topicwatch.model.discover as model_module
    from topicwatch.model.describe import keyword_coherence, passage_term_matrix

    scores = []

    def recording(keywords, vocabulary, passages):
        scores.append(keyword_coherence(keywords, vocabulary, passages))
        return scores[-1]

    monkeypatch.setattr(model_module, "keyword_coherence", recording)
    texts = _texts(bbc)[:1200]
    model = TopicModel(n_topics=8, seed=0, restarts=3).fit(texts, embeddings=bbc_fast_vectors[:1200])
    assert len(scores) == 3 and len(set(scores)) > 1  # the runs differ
    passages = passage_term_matrix([model.analyzer_(t) for t in texts], model.vocabulary_)
    final = keyword_coherence([t.keywords for t in model.topics_], model.vocabulary_, passages)
    assert final in scores  # the sample is every text: the winning run's lines are the model's


def test_restarts_choose_the_most_coherent_among_runs_that_fit_about_as_well_as_the_best(
        bbc, bbc_fast_vectors, monkeypatch):
    import topicwatch.model.discover as model_module

    # Run 0's lines read best but its clusters fit 10 % worse than run 1's: out. Runs 1 and 2 fit
    # within the tolerance of each other, and run 2's lines read better: run 2 wins.
    fits, coherences, centres = [0.5, 0.8, 0.798], iter([0.9, 0.1, 0.2]), []
    real_assign, real_fit = model_module.assign_topics, model_module.fit_centroids

    discovery_calls = []

    def assign(features, centroids, *rest):
        labels, similarity = real_assign(features, centroids, *rest)
        if len(discovery_calls) < 3:  # the three discovery runs come first, then labelling
            similarity = np.full_like(similarity, fits[len(discovery_calls)])
            discovery_calls.append(len(centres))
        return labels, similarity

    def fit_centroids(*args, **kwargs):
        centres.append(real_fit(*args, **kwargs))
        return centres[-1]

    monkeypatch.setattr(model_module, "assign_topics", assign)
    monkeypatch.setattr(model_module, "fit_centroids", fit_centroids)
    monkeypatch.setattr(model_module, "keyword_coherence", lambda *args: next(coherences))
    model = TopicModel(n_topics=8, seed=0, restarts=3).fit(_texts(bbc)[:1200], embeddings=bbc_fast_vectors[:1200])
    assert discovery_calls == [1, 2, 3]
    assert np.array_equal(model.centroids_, centres[2]) and not np.array_equal(centres[2], centres[0])


def test_keyword_coherence_prefers_lines_whose_terms_meet(bbc):
    from topicwatch.model.describe import build_vocabulary, keyword_coherence, passage_term_matrix
    from topicwatch.model.terms import TermAnalyzer

    _, terms = TermAnalyzer.learn(_texts(bbc))
    vocabulary = build_vocabulary(terms)
    passages = passage_term_matrix(terms, vocabulary)
    together = [["chelsea", "arsenal", "striker", "premiership"], ["album", "band", "singer", "chart"]]
    apart = [["chelsea", "album", "inflation", "broadband"], ["singer", "striker", "tax", "phone"]]
    assert keyword_coherence(together, vocabulary, passages) > 0.2 > keyword_coherence(apart, vocabulary, passages)
    assert keyword_coherence([["chelsea"]], vocabulary, passages) == 0.0
