from topicwatch.model.aliases import AliasTable
from topicwatch.model.terms import PhraseTable, TermAnalyzer, Tokenizer, find_boilerplate

ARTICLES = [
    ("By Staff Reporter\nSmugglers in Ryanggang Province moved phones across the river near Hyesan.\n"
     "Please direct any questions about this article to desk@example.org."),
    ("By Staff Reporter\nBorder guards in Yanggang Province took bribes from smugglers in Hyesan.\n"
     "Please direct any questions about this article to desk@example.org."),
    ("By Staff Reporter\nThe Ministry of State Security arrested brokers in Ryanggang province.\n"
     "Please direct any questions about this article to desk@example.org."),
    "Agents of the Ministry of State Security searched homes for USB sticks in Hyesan.",
    "Bowibu agents and the Ministry of State Security questioned residents of Ryanggang Province.",
    "Rice prices at the market rose; see https://example.com/prices for charts.",
]


def test_boilerplate_lines_are_found_and_removed():
    boilerplate = find_boilerplate(ARTICLES, min_docs=3)
    tokens = Tokenizer(boilerplate).tokens(ARTICLES[0])
    assert "questions" not in tokens and "reporter" not in tokens
    assert "smugglers" in tokens


def test_urls_and_emails_are_dropped():
    tokens = Tokenizer().tokens(ARTICLES[-1] + " Write to news@example.org")
    assert "https" not in tokens and "example" not in tokens and "com" not in tokens


def test_spelling_variants_fold_onto_one_name():
    tokenizer = Tokenizer()
    assert tokenizer.tokens("Yanggang") == ["ryanggang"]
    assert tokenizer.tokens("Kim Jong-un visited") == ["kim", "jong", "un", "visited"]
    assert tokenizer.tokens("Bowibu agents") == ["ministry", "of", "state", "security", "agents"]
    assert tokenizer.tokens("Hamgyŏng-pukto") == ["north", "hamgyong"]


def test_phrases_are_learned_and_matched_longest_first():
    analyzer, terms_of_articles = TermAnalyzer.learn(ARTICLES)
    assert "ministry of state security" in terms_of_articles[2]
    terms = analyzer("The Ministry of State Security raided a house in Ryanggang Province.")
    assert "ministry of state security" in terms
    assert "ryanggang province" in terms
    assert "ministry" not in terms and "security" not in terms  # counted once, as the phrase


def test_phrases_need_association_not_just_frequency():
    # 'rice market' is frequent, but both words mostly stand elsewhere: no phrase.
    # 'hyesan customs' is rarer, but 'customs' never stands without 'hyesan': a phrase.
    docs = ([["rice", "market"]] * 4 + [["rice", "field"], ["rice", "paddy"], ["market", "stall"],
                                        ["market", "day"]] * 3 + [["hyesan", "customs", "office"]] * 3)
    table = PhraseTable.learn(docs, min_count=3, min_association=0.5)
    assert ("rice", "market") not in table.phrases
    assert ("hyesan", "customs") in table.phrases


def test_user_alias_file_extends_the_builtin_table(tmp_path):
    path = tmp_path / "aliases.txt"
    path.write_text("# my names\nchoe son hui = choe son-hui, choe sun hui\n", encoding="utf-8")
    table = AliasTable.from_file(path)
    assert table.canonicalize("choe sun hui met") == "choe son hui met"
    assert table.canonicalize("yanggang") == "ryanggang"


def test_bad_alias_line_names_file_and_line(tmp_path):
    import pytest

    path = tmp_path / "aliases.txt"
    path.write_text("ok = fine\nno equals sign here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases.txt:2"):
        AliasTable.from_file(path)
