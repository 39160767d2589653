"""Names across scripts (issue 17): 김정은 = kim jong un, 량강도/양강도 = ryanggang, 신의주 = sinuiju, in
keyword lines (folded within each script), places, --place and search."""

from __future__ import annotations

import json

import pytest

from topicwatch.analyze.search import fts_query, name_group, search
from topicwatch.archive.archive import Archive
from topicwatch.model.names import known_names_in, korean_form, written_forms
from topicwatch.model.terms import Tokenizer

ARTICLES = [
    {"id": "en-1", "title": "Kim Jong-un visits Sinuiju", "text": "Kim Jong Un inspected a shoe factory in Sinuiju "
     "near the Chinese border on Tuesday, state media said.", "date": "2024-03-01"},
    {"id": "en-2", "title": "Smuggling in Yanggang", "text": "Traders in Hyesan, Ryanggang Province, say border "
     "guards now demand larger bribes from smugglers.", "date": "2024-03-02"},
    {"id": "ko-1", "title": "김정은 동지 신의주 방문", "text": "김정은 동지께서 신의주에서 신발공장을 현지지도하시였다. "
     "공장 로동자들은 큰 힘을 얻었다.", "date": "2024-03-01"},
    {"id": "ko-2", "title": "양강도 혜산시 밀수", "text": "양강도 혜산시의 장사꾼들은 국경경비대가 뇌물을 더 많이 요구한다고 "
     "말했다. 량강도 주민들도 같은 말을 했다.", "date": "2024-03-02"},
    {"id": "en-3", "title": "Rice prices rise", "text": "Rice prices rose again in markets across the country.",
     "date": "2024-03-03"},
]


def test_names_are_found_in_either_script_and_folded_within_korean():
    assert known_names_in("Kim Jong-un visited Yanggang; 신의주에서 김정은 동지") == [
        ("kim jong un", "Kim Jong-un"), ("ryanggang", "Yanggang"), ("sinuiju", "신의주"), ("kim jong un", "김정은")]
    assert korean_form("양강도") == korean_form("량강도") == "량강도"
    assert korean_form("혜산시") == "혜산" and korean_form("이설주") == "리설주" and korean_form("쌀") == "쌀"
    assert "김정은" in written_forms("kim jong un").hangul and "kim jong-un" in written_forms("kim jong un").latin
    # In a Korean text's terms, one name is one term whichever spelling the writer used.
    terms = Tokenizer().tokens("양강도 주민과 량강도 장사꾼이 혜산시에서 만났다")
    assert terms.count("량강도") == 2 and "양강도" not in terms and "혜산" in terms


def test_a_name_searches_every_spelling_in_both_scripts():
    group = name_group("sinuiju")
    assert '"sinuiju"' in group and '"신의주"*' in group and '"sinuiju si"' not in group
    assert fts_query("rice 신의주") == f'{group} OR "rice"'
    assert fts_query("Sin-Uiju") == group  # the spelling is replaced by the name, not searched beside it


@pytest.fixture()
def archive(tmp_path):
    source = tmp_path / "names.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    with Archive(tmp_path / "a.db") as opened:
        opened.ingest([source])
        yield opened


@pytest.mark.parametrize(("query", "found"), [
    ("sinuiju", {"en-1", "ko-1"}), ("신의주", {"en-1", "ko-1"}), ("김정은", {"en-1", "ko-1"}),
    ("Kim Jong Un", {"en-1", "ko-1"}), ("Ryanggang", {"en-2", "ko-2"}), ("양강도", {"en-2", "ko-2"}),
    ("hyesan", {"en-2", "ko-2"}), ("혜산시", {"en-2", "ko-2"}), ("rice", {"en-3"}),
])
def test_search_finds_a_name_in_both_languages(archive, query, found):
    assert {h.id for h in search(archive, query, mode="keywords", limit=10)} == found


def test_places_and_the_place_filter_cross_scripts(archive):
    assert search(archive, "hyesan smugglers", mode="keywords")[0].id == "en-2"  # all the words first
    assert {h.id for h in search(archive, "border", mode="keywords", place="ryanggang")} == {"en-2"}
    assert {h.id for h in search(archive, "국경경비대가", mode="keywords", place="ryanggang")} == {"ko-2"}
    counts = {row["place"]: row["articles"] for row in archive.places()}
    assert counts["sinuiju"] == 2 and counts["ryanggang"] == 2 and counts["hyesan"] == 2
