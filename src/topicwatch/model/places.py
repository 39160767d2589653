"""The places an article names: North Korean provinces, special cities, cities and counties.

Places are found with the gazetteer (``gazetteer.py``): the text's spellings are folded onto
canonical names by the built-in alias table ("Hamgyŏng-pukto" -> "north hamgyong", "Sinuiju-si" ->
"sinuiju"), then canonical names are matched as whole words; Korean names are matched in Hangul
text when a suffix, a particle or a non-letter follows them, so "무산계급" (proletariat) is not
Musan. They are stored at ingest in the ``places`` table, one row per article and place, with the
place's kind and province; articles archived before that (or before the gazetteer last changed)
are scanned on first use (``topicwatch.archive.places``). This module only finds places; the store
keeps them (``topicwatch.store.places``).

When filtering, a province stands for its cities and counties too: articles "mentioning
ryanggang" include those that only name Hyesan.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import astuple, dataclass

from .aliases import AliasTable, trie_pattern
from .gazetteer import GAZETTEER, alias_mapping, places

_WORD_RE = re.compile(r"\w+")
_HANGUL_RE = re.compile("[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Mention:
    """One place an article names."""

    place: str
    kind: str
    province: str | None


class _Finder:
    """The compiled patterns (built once, on first use)."""

    def __init__(self) -> None:
        entries = places()
        self.aliases = AliasTable.from_mapping(alias_mapping())
        self.latin = re.compile(r"(?<![\w'])(" + trie_pattern([e.name for e in entries]) + r")(?![\w'])")
        self.by_hangul = {name: e.name for e in entries for name in e.hangul}
        follows = "시|군|도|구역|지구|지역|항|에서|에게|에|의|은|는|이|가|을|를|과|와|으로|로|까지|부터|사람|주민"
        self.hangul = re.compile(
            r"(?<![\uac00-\ud7a3])(" + trie_pattern(list(self.by_hangul)) + rf")(?=(?:{follows})|[^\uac00-\ud7a3]|$)"
        )
        # A name can only be in a text whose words include its first word: most texts name no place
        # and are passed over after one cheap scan, without running the two large patterns.
        names = [e.name for e in entries] + list(self.aliases.canonical_of)
        self.first_words = frozenset(m.group() for m in map(_WORD_RE.match, names) if m)
        payload = sorted((e.name, e.kind, e.province, sorted(e.variants), e.hangul) for e in entries)
        self.version = hashlib.sha1(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


_finder: _Finder | None = None


def _get_finder() -> _Finder:
    global _finder
    if _finder is None:
        _finder = _Finder()
    return _finder


def find_places(text: str) -> list[Mention]:
    """The distinct places a text names, sorted by name."""
    finder = _get_finder()
    lowered = text.lower()
    names: set[str] = set()
    if not finder.first_words.isdisjoint(_WORD_RE.findall(lowered)):
        names.update(finder.latin.findall(finder.aliases.canonicalize(lowered)))
    if _HANGUL_RE.search(text):
        names.update(finder.by_hangul[m] for m in finder.hangul.findall(text))
    return [Mention(name, GAZETTEER[name].kind, GAZETTEER[name].province) for name in sorted(names)]


def places_of(title: str, text: str) -> list[Mention]:
    """The places an article (title and text) names."""
    return find_places(f"{title}\n{text}" if title else text)


def resolve_place(name: str) -> str:
    """The canonical place for a user's spelling ("Hyesan-si", "혜산", "Yanggang"); ValueError if unknown."""
    found = find_places(name.strip())
    if len(found) != 1:
        known = ", ".join(sorted(e.name for e in places())[:8])
        raise ValueError(f"unknown place {name!r} (places are North Korean provinces, cities and counties,"
                         f" e.g. {known} ...; see 'topicwatch places')")
    return found[0].place


def finder_version() -> str:
    """Changes whenever the gazetteer does: an index of places found by an older one is rebuilt."""
    return _get_finder().version


def place_rows(article_id: str, found: list[Mention]) -> list[tuple[str, str, str, str | None]]:
    """An article's places as the rows ``PlaceIndex.add_many`` takes (article id, place, kind, province)."""
    return [(article_id, m.place, m.kind, m.province) for m in found]


def found_rows(title: str, text: str) -> list[tuple[str, str, str | None]]:
    """An article's places as (place, kind, province) rows, for the store's index."""
    return [astuple(m) for m in places_of(title, text)]
