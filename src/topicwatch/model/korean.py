"""Korean text -> the nouns a keyword line is made of, by morphological analysis (kiwipiepy).

Korean glues particles and endings onto words ("인민들의", "통일을"), so splitting on spaces gives
fragments. Kiwi analyses each word into morphemes; the nouns (NNG common, NNP proper) are kept,
with a derivational suffix that makes a new noun kept on them ("현대" + "화" -> "현대화"), and
particles, endings, verbs and bound nouns are dropped. Where something other than a noun stood,
a break token goes in, so phrases are learned only from nouns that really stand together
("조국 통일"), never across a dropped verb.

The analyser (its model comes in the ``kiwipiepy-model`` wheel, nothing is downloaded) takes a few
seconds to load, so it is loaded once, on the first text that holds Hangul.
"""

from __future__ import annotations

import threading
from typing import Any

PHRASE_BREAK = "|"  # not a content word and not a connector: a learned phrase never spans it
NOUN_TAGS = frozenset({"NNG", "NNP"})
# Suffixes that make a new noun from a noun ("-화" -ization, "-력" power, "-률" rate ...); others
# ("-들" plural, "-적" -ic, "-님" honorific) are dropped.
KEPT_SUFFIXES = frozenset({"화", "성", "력", "률", "론", "권", "제", "형", "꾼"})
# One-syllable nouns are mostly analysis fragments of North Korean spellings; these few are words.
ONE_SYLLABLE_NOUNS = frozenset({"당", "핵", "쌀", "땅", "철", "물", "법", "군"})
# Nouns that carry no topic in speeches and news: time, deixis, generic work words.
STOP_NOUNS = frozenset([
    "지난해", "올해", "새해", "오늘", "이번", "지금", "현재", "시기", "기간", "가운데", "여러분", "동무", "전체", "모두", "하나", "경우",
    "정도", "방향", "측면", "문제", "사업", "부문", "분야", "중요", "필요", "적극", "마련", "요구", "결정", "진행", "실현", "수행", "보장",
    "강화", "발전", "이상", "이하", "우리"
])

_lock = threading.Lock()
_kiwi: Any = None


def analyser() -> Any:
    """The shared Kiwi analyser, loaded on first use (thread-safe)."""
    global _kiwi
    with _lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi()
    return _kiwi


def korean_terms(text: str) -> list[str]:
    """The nouns of a piece of Korean text in order, as written, with PHRASE_BREAK between runs."""
    out: list[str] = []
    end = -1  # where the last kept noun ended, to attach a suffix written onto it
    for token in analyser().tokenize(text):
        tag, start, length = token.tag, token.start, token.len
        surface = text[start : start + length]
        if tag in NOUN_TAGS:
            out.append(surface)
            end = start + length
        elif tag == "XSN" and start == end and out and out[-1] != PHRASE_BREAK:
            if surface in KEPT_SUFFIXES:
                out[-1] += surface
                end = start + length
        elif out and out[-1] != PHRASE_BREAK:
            out.append(PHRASE_BREAK)
    terms: list[str] = []
    for noun in out:  # a dropped noun breaks a phrase like any other dropped word
        term = noun if noun == PHRASE_BREAK or _is_word(noun) else PHRASE_BREAK
        if term != PHRASE_BREAK or (terms and terms[-1] != PHRASE_BREAK):
            terms.append(term)
    return terms


def _is_word(noun: str) -> bool:
    if noun in STOP_NOUNS:
        return False
    return len(noun) > 1 or noun in ONE_SYLLABLE_NOUNS
