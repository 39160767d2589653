"""The gazetteer: spellings folded onto one name, places found in articles, stored, counted and filtered."""

import json

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from typer.testing import CliRunner

from topicwatch import Archive
from topicwatch.archive.places import article_ids_with_place
from topicwatch.model.aliases import AliasTable
from topicwatch.model.gazetteer import GAZETTEER, KINDS, PLACE_KINDS, alias_mapping
from topicwatch.model.places import find_places, resolve_place
from topicwatch.model.terms import Tokenizer
from topicwatch.present.cli import app

from .conftest import load_corpus


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kcna():
    """The first 300 English KCNA stories of 2011 (dated)."""
    return [r for r in load_corpus("kcna_stories_2011_2012.jsonl.gz", limit=400) if r["lang_guess"] == "en"][:300]


@pytest.fixture(scope="module")
def kcna_archive(tmp_path_factory, kcna):
    folder = tmp_path_factory.mktemp("places")
    archive = Archive(folder / "a.db")
    archive.ingest([_write(folder / "kcna.jsonl", kcna)])
    archive.fit("fast", n_topics=6, seed=0)
    yield archive
    archive.close()


def test_entries_are_well_formed():
    counts = {kind: sum(e.kind == kind for e in GAZETTEER.values()) for kind in KINDS}
    assert counts["province"] == 9 and counts["special city"] == 4
    assert counts["city"] >= 20 and counts["county"] >= 80 and counts["institution"] >= 10 and counts["person"] >= 15
    tokenizer = Tokenizer(aliases=AliasTable({}))
    for name, entry in GAZETTEER.items():
        assert name == entry.name and name.replace(" ", "").isalpha() and name == name.lower()
        assert tokenizer.tokens(name) == name.split(), name  # a canonical name tokenizes to itself
        if entry.kind in ("city", "county"):
            assert GAZETTEER[entry.province].kind == "province", name
        elif entry.kind in PLACE_KINDS:
            assert entry.province == name
    seen: dict[str, str] = {}
    for canonical, variants in alias_mapping().items():
        for variant in variants:
            assert seen.setdefault(variant, canonical) == canonical, f"{variant} names two entries"
            assert variant not in ENGLISH_STOP_WORDS and variant not in GAZETTEER
    assert {"hyesan", "musan", "hoeryong", "sakju", "sinuiju", "manpo", "kimhyonggwon", "kimjongsuk", "samjiyon",
            "pochon", "onsong", "kyongwon"} <= set(GAZETTEER)


@pytest.mark.parametrize("written, canonical", [
    ("Ryanggang", "ryanggang"), ("Yanggang-do", "ryanggang"), ("North Hamgyong", "north hamgyong"),
    ("Hamgyong-bukto", "north hamgyong"), ("Hamgyŏng-pukto", "north hamgyong"), ("Hamgyeongbuk-do", "north hamgyong"),
    ("North Phyongan", "north pyongan"), ("P'yŏngan-pukto", "north pyongan"), ("Sinuiju", "sinuiju"),
    ("Sinŭiju", "sinuiju"), ("Sinuiju-si", "sinuiju"), ("Musan-gun", "musan"), ("Nampho", "nampo"),
    ("Jagang", "chagang"), ("Kim Jong Un", "kim jong un"), ("Kim Jong-un", "kim jong un"),
    ("Kim Il-sŏng", "kim il sung"), ("Choe Son-hui", "choe son hui"), ("Choi Sun-hee", "choe son hui"),
    ("Bowibu", "ministry of state security"), ("MSS", "ministry of state security"),
    ("Ministry of People's Security", "ministry of social security"), ("WPK", "workers party of korea"),
    ("Korean People's Army", "kpa"), ("OGD", "organization and guidance department"),
    ("Kim Jong Suk County", "kimjongsuk county"),
])
def test_spellings_fold_onto_one_name(written, canonical):
    assert AliasTable.builtin().canonicalize(written.lower()) == canonical


def test_places_are_found_in_english_and_korean():
    text = ("Smugglers in Hyesan-si, Yanggang Province, and traders from Sinŭiju met near the Musan mine. "
            "Kim Jong Suk County farms were flooded. 평양과 혜산시에서, 함경북도 무산군 주민들.")
    found = {(m.place, m.kind, m.province) for m in find_places(text)}
    assert found == {
        ("hyesan", "city", "ryanggang"), ("ryanggang", "province", "ryanggang"), ("sinuiju", "city", "north pyongan"),
        ("musan", "county", "north hamgyong"), ("kimjongsuk", "county", "ryanggang"),
        ("pyongyang", "special city", "pyongyang"), ("north hamgyong", "province", "north hamgyong"),
    }
    assert find_places("무산계급의 원산지는 개성이다") == []  # proletariat, origin, individuality: no places
    assert find_places("투쟁에 나선 인민") == []  # "stepped forward", not Rason
    assert find_places("Kim Jong Suk, the mother of Kim Jong Il") == []
    assert resolve_place("Yanggang") == resolve_place("량강도") == "ryanggang"
    with pytest.raises(ValueError, match="unknown place"):
        resolve_place("Atlantis")


def test_places_are_stored_at_ingest_and_counted(kcna_archive):
    archive = kcna_archive
    stored = archive.store.conn.execute("SELECT count(*), count(DISTINCT article) FROM places").fetchone()
    assert stored[0] >= 50 and stored[1] >= 30
    rows = archive.places()
    assert rows[0]["place"] == "pyongyang" and rows[0]["articles"] >= 15
    assert sum(rows[0]["topics"].values()) == rows[0]["articles"]
    hamgyong = article_ids_with_place(archive.store, "Hamgyŏng-namdo")  # the province and its cities, counties
    spelled = {s for e in GAZETTEER.values() if e.province == "south hamgyong" for s in (e.name, *e.variants)}
    texts = [archive.article(a)["text"].lower() for a in hamgyong]
    assert len(texts) >= 3 and all(any(s in text for s in spelled) for text in texts)
    topic = next(iter(rows[0]["topics"]))
    in_topic = archive.places(topic=topic)
    assert in_topic[0]["topics"] == {topic: in_topic[0]["articles"]}


def test_topics_and_trends_filtered_by_place(kcna_archive):
    archive = kcna_archive
    ranked = archive.topics(place="P'yŏngyang")
    assert ranked and [t["mentions"] for t in ranked] == sorted((t["mentions"] for t in ranked), reverse=True)
    mentioning = article_ids_with_place(archive.store, "pyongyang")
    assert sum(t["mentions"] for t in ranked) == len(mentioning)
    trends = archive.trends("month", place="pyongyang", dedupe=False)
    assert sum(trends.totals) + trends.undated == len(mentioning)


def test_search_filters_by_place_on_every_page(kcna_archive):
    from topicwatch.analyze.search import search

    mentioning = article_ids_with_place(kcna_archive.store, "pyongyang")
    assert 6 < len(mentioning) < 300
    for mode in ("keywords", "meaning", "combined"):
        pages = [search(kcna_archive, "construction workers", mode=mode, place="P'yŏngyang", limit=3, offset=offset)
                 for offset in (0, 3)]
        ids = [h.id for page in pages for h in page]
        assert ids and set(ids) <= mentioning, mode
        assert len(pages[1]) > 0 and len(set(ids)) == len(ids), mode  # the second page is not empty


def test_places_of_older_archives_are_filled_on_first_use(tmp_path, kcna):
    with Archive(tmp_path / "a.db") as archive:
        archive.ingest([_write(tmp_path / "in.jsonl", kcna[:80])])
        expected = archive.places()
        conn = archive.store.conn  # as if ingested before places were stored
        conn.execute("DELETE FROM places")
        conn.execute("DELETE FROM meta WHERE key LIKE 'places%'")
        assert archive.places() == expected and expected


def test_places_command_and_topics_place_option(kcna_archive):
    runner = CliRunner()
    path = str(kcna_archive.path)
    places = runner.invoke(app, ["-a", path, "places", "--json"])
    assert places.exit_code == 0, places.output
    assert json.loads(places.stdout)[0]["place"] == "pyongyang"
    table = runner.invoke(app, ["-a", path, "topics", "--place", "pyongyang"])
    assert table.exit_code == 0 and "mentions" in table.stdout
    unknown = runner.invoke(app, ["-a", path, "topics", "--place", "Atlantis"])
    assert unknown.exit_code != 0 and "unknown place" in str(unknown.exception)


def test_user_alias_file_on_fit_and_refit(tmp_path, kcna):
    aliases = tmp_path / "aliases.txt"
    aliases.write_text("# canonical = variant, variant\nchollima = chonrima, chollima movement\n", encoding="utf-8")
    runner = CliRunner()
    db = str(tmp_path / "a.db")
    assert runner.invoke(app, ["-a", db, "ingest", str(_write(tmp_path / "in.jsonl", kcna[:60]))]).exit_code == 0
    for command, folded in ((["fit", "--topics", "2"], False), (["refit", "--aliases", str(aliases)], True),
                            (["refit"], True)):  # a refit keeps the names it was given before
        result = runner.invoke(app, ["-a", db, *command])
        assert result.exit_code == 0, result.output
        with Archive(db) as archive:
            _, model = archive._load_model()
            assert (model.aliases.canonicalize("the chonrima spirit") == "the chollima spirit") is folded
            assert model.aliases.canonicalize("hamgyŏng-pukto") == "north hamgyong"  # built-in names stay
