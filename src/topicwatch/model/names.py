"""One name whatever its script: the gazetteer's names written in Latin letters or in Hangul.

Keyword lines keep one language each, so in them a name is folded within its script: Latin
spellings onto the canonical romanization ("Yanggang" -> "ryanggang", by the alias table) and
Korean spellings onto the North's form (``korean_form``: "양강도" -> "량강도", "이설주" -> "리설주",
"혜산시" -> "혜산"), and the Korean line shows 김정은 where the English one shows "kim jong un".
Across scripts a name is one name where a reader looks things up: ``known_names_in`` finds the names a
query holds in either script and ``written_forms`` gives every way each is written, so a search
for "sinuiju" finds 신의주에서 and one for 김정은 finds "Kim Jong-un" (``analyze.search``); places
and ``--place`` match Korean names the same way (``places.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .aliases import trie_pattern
from .gazetteer import COUNTY_PHRASES, GAZETTEER

# The suffix a place's Korean name takes for its kind ("혜산" + "시"); a form already ending in one keeps it.
_KOREAN_SUFFIX = {"city": "시", "special city": "시", "county": "군"}


@dataclass(frozen=True)
class NameForms:
    """How one name is written: its Latin spellings (lower case, the canonical first) and Korean ones."""

    latin: tuple[str, ...]
    hangul: tuple[str, ...]


@cache
def _korean_forms() -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in GAZETTEER.values():
        if not entry.hangul:
            continue
        first = entry.hangul[0]
        suffix = _KOREAN_SUFFIX.get(entry.kind)
        for form in entry.hangul:
            table.setdefault(form, first)
            if suffix and not form.endswith(suffix):
                table.setdefault(form + suffix, first)
    return {form: first for form, first in table.items() if form != first}


def korean_form(noun: str) -> str:
    """The Korean spelling a keyword line counts a gazetteer name as (the noun itself if none)."""
    return _korean_forms().get(noun, noun)


class _NameFinder:
    def __init__(self) -> None:
        self.by_latin = {spelling: entry.name for entry in GAZETTEER.values()
                         for spelling in (entry.name, *entry.variants)}
        self.by_latin.update({variant: name for name, variants in COUNTY_PHRASES.items() for variant in variants})
        self.latin = re.compile(r"(?<![\w'])(" + trie_pattern(list(self.by_latin)) + r")(?![\w'])")
        self.by_hangul = {form: entry.name for entry in GAZETTEER.values() for form in entry.hangul}
        # A Korean name is found with whatever particle or ending follows it ("신의주에서").
        self.hangul = re.compile(r"(?<![\uac00-\ud7a3])(" + trie_pattern(list(self.by_hangul)) + ")")


@cache
def _finder() -> _NameFinder:
    return _NameFinder()


def known_names_in(text: str) -> list[tuple[str, str]]:
    """(canonical name, the text as written) of each gazetteer name the text holds, in order."""
    finder = _finder()
    lowered = text.lower()
    found = [(m.start(), finder.by_latin[m.group(1)], text[m.start():m.end()]) for m in finder.latin.finditer(lowered)]
    found.extend((m.start(), finder.by_hangul[m.group(1)], m.group(1)) for m in finder.hangul.finditer(text))
    return [(name, written) for _, name, written in sorted(found)]


def written_forms(name: str) -> NameForms:
    """Every way the gazetteer writes ``name`` (a canonical name), in both scripts."""
    entry = GAZETTEER.get(name)
    if entry is None:  # a county named after a person ("kimjongsuk county")
        return NameForms((name, *COUNTY_PHRASES.get(name, ())), ())
    return NameForms((name, *sorted(entry.variants - {name})), entry.hangul)
