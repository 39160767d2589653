"""Korean and Spanish beside English: language detection, Korean nouns, one language per keyword line."""

import json
import re

import numpy as np
import pytest
from scipy import sparse
from typer.testing import CliRunner

from topicwatch import Archive
from topicwatch.model.describe import TopicTermCounts
from topicwatch.model.korean import PHRASE_BREAK
from topicwatch.model.languages import allowed_terms, lines_by_language, term_languages, topic_languages
from topicwatch.model.terms import Tokenizer
from topicwatch.present.cli import app
from topicwatch.read.records import guess_language

from .conftest import load_corpus

PARTICLES = {"의", "을", "를", "은", "는", "이", "가", "에", "에서", "와", "과", "도", "로", "으로", "하", "고", "며", "다",
             "들", "적", "께서", "하여", "있다", "것", "수"}


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def speeches():
    return load_corpus("nk_new_year_speeches_ko.jsonl.gz")


@pytest.fixture(scope="module")
def kcna_mixed():
    """The first 90 English and 30 Spanish KCNA stories (the corpus marks each with lang_guess)."""
    english, spanish = [], []
    for row in load_corpus("kcna_stories_2011_2012.jsonl.gz", limit=2000):
        (english if row["lang_guess"] == "en" else spanish).append(row)
    return english[:90], spanish[:30]


@pytest.fixture(scope="module")
def korean_archive(tmp_path_factory, speeches):
    """The 73 speeches, each cut to its first 1,500 characters (enough for topics, fast to analyse)."""
    folder = tmp_path_factory.mktemp("ko")
    rows = [dict(r, text=r["text"][:1500]) for r in speeches]
    archive = Archive(folder / "ko.db")
    archive.ingest([_write(folder / "ko.jsonl", rows)])
    archive.fit("fast", n_topics=3, seed=0)
    yield archive, rows
    archive.close()


def test_languages_are_told_apart_on_real_text(speeches, kcna_mixed):
    english, spanish = kcna_mixed
    assert [guess_language(r["text"]) for r in speeches[:20]] == ["ko"] * 20
    assert sum(guess_language(r["text"]) == "es" for r in spanish) >= 29
    assert sum(guess_language(r["text"]) == "en" for r in english) >= 88


def test_korean_is_cut_into_nouns_without_particles():
    tokens = Tokenizer().tokens("경애하는 인민들의 조국통일 위업을 위하여 Kim Jong-un visited Hyesan.")
    words = [t for t in tokens if t != PHRASE_BREAK]
    assert {"인민", "조국", "통일", "위업"} <= set(words)
    assert not set(words) & PARTICLES
    assert words[-5:] == ["kim", "jong", "un", "visited", "hyesan"]  # Latin text as before
    # A verb between two nouns breaks a phrase; nouns written together do not.
    assert tokens.index("조국") + 1 == tokens.index("통일")
    assert PHRASE_BREAK in tokens[tokens.index("위업"):]


def test_korean_speech_terms_are_real_words(speeches):
    tokenizer = Tokenizer()
    counts: dict[str, int] = {}
    for row in speeches[::6]:
        for token in tokenizer.tokens(row["text"][:3000]):
            counts[token] = counts.get(token, 0) + 1
    counts.pop(PHRASE_BREAK, None)
    top = sorted(counts, key=lambda t: -counts[t])[:40]
    assert {"인민", "경제", "사회주의", "조국", "혁명"} <= set(top)
    assert not set(top) & PARTICLES


def test_korean_keyword_lines_are_korean_nouns(korean_archive):
    archive, rows = korean_archive
    corpus = "\n".join(r["text"] for r in rows)
    topics = archive.topics()
    assert all(t["language"] == "ko" for t in topics)
    for t in topics:
        words = [w for term in t["keywords"] for w in term.split()]
        assert len(words) >= 5
        assert all(w in corpus for w in words), t["keyword_line"]  # written in the speeches, not fragments
        assert not set(words) & PARTICLES
        assert all("\uac00" <= w[0] <= "\ud7a3" for w in words)


def test_topics_lang_filter_on_the_command_line(korean_archive):
    archive, _ = korean_archive
    runner = CliRunner()
    ko = runner.invoke(app, ["-a", str(archive.path), "topics", "--lang", "ko", "--json"])
    assert ko.exit_code == 0, ko.output
    assert len(json.loads(ko.stdout)) == len(archive.topics())
    en = runner.invoke(app, ["-a", str(archive.path), "topics", "--lang", "en", "--json"])
    assert json.loads(en.stdout) == []


def test_spanish_stories_in_an_english_topic_add_no_spanish_words(tmp_path, kcna_mixed):
    # One topic for all: 90 English and 30 Spanish stories. Unmasked, "corea" made its keyword line.
    english, spanish = kcna_mixed
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "mixed.jsonl", english + spanish)])
        archive.fit("fast", n_topics=1, seed=0)
        (topic,) = archive.topics()
        assert topic["language"] == "en" and topic["size"] == 120
        english_words = set(re.findall(r"\w+", " ".join(r["text"] for r in english).lower()))
        words = [w for term in topic["keywords"] for w in term.split()]
        assert all(w in english_words for w in words), topic["keyword_line"]


def test_spanish_stories_get_a_spanish_topic_of_their_own(tmp_path, kcna_mixed):
    english, spanish = kcna_mixed
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "mixed.jsonl", english + spanish)])
        archive.fit("fast", n_topics=2, seed=0)
        assert {t["language"] for t in archive.topics()} == {"en", "es"}
        (spanish_topic,) = archive.topics(lang="es")
        assert spanish_topic["size"] >= 28
        assert "corea" in " ".join(spanish_topic["keywords"])
        assert not {"de", "la", "que", "los", "el", "mas"} & set(spanish_topic["keywords"])


def test_term_and_topic_languages():
    vocabulary = ["cooperación", "pueblo", "pyongyang", "market", "인민"]
    terms = [["cooperación", "pueblo", "pyongyang"], ["pueblo", "pyongyang"], ["pyongyang", "market"],
             ["market"], ["인민"], ["market", "cooperación"]]
    languages = ["es", "es", "en", "en", "ko", None]
    homes = term_languages(terms, languages, vocabulary)
    assert homes == ["es", "es", "en,es", "en", "ko"]
    counts = sparse.csr_matrix(np.array([[5, 3, 4, 0, 0], [1, 0, 2, 9, 0], [0, 0, 0, 0, 7]], dtype=float))
    assert topic_languages(counts, homes) == ["es", "en", "ko"]
    allowed = allowed_terms(["en", None, "ko"], homes, vocabulary)
    assert allowed[0].tolist() == [False, False, True, True, False]
    assert allowed[1].all()
    assert allowed[2].tolist() == [False, False, False, False, True]


def test_a_topic_of_two_languages_gets_a_line_in_each_and_a_line_speaks_one_language():
    vocabulary = ["rice", "price", "market", "쌀", "가격", "시장", "wfp food programme", "ship", "항구"]
    homes = ["en", "en", "en", "ko", "ko", "ko", "ko", "en", "ko"]  # a Korean article quoted "WFP Food Programme"
    # topic 0: rice prices, told in English and Korean; topic 1: shipping, English only.
    counts = np.array([[19, 18, 16, 9, 8, 7, 5, 0, 0], [0, 0, 1, 0, 0, 0, 0, 9, 0]], dtype=float)
    stats = TopicTermCounts(vocabulary, sparse.csr_matrix(counts), sparse.csr_matrix(np.minimum(counts, 4)),
                            np.array([8.0, 4.0]))
    passages = sparse.csr_matrix((counts > 0).astype(np.float32))
    main = [["rice", "price", "market"], ["ship"]]
    lines = lines_by_language(stats, passages, homes, main, n_keywords=4, max_topics_per_word=1)
    assert lines[0]["en"] == main[0]  # the topic's own language keeps its main line
    assert set(lines[0]["ko"]) <= {"쌀", "가격", "시장"} and lines[0]["ko"]  # no quoted English phrase
    assert lines[1] == {"en": ["ship"]}  # no Korean article, no Korean line
    # One language in the terms: no lines by language at all (a topic's main line is its line).
    assert lines_by_language(stats, passages, ["en"] * len(vocabulary), main, 4, 1) == [{}, {}]
