"""The one record shape every reader produces, and the small normalizations it needs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as date_parser


@dataclass
class Article:
    """One article as read from an input, before it is stored.

    ``where`` says where it came from (``file:line`` or ``file``) for messages.
    """

    id: str
    text: str
    title: str = ""
    date: str | None = None  # ISO YYYY-MM-DD
    source: str = ""
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    given_keywords: str | None = None
    where: str = ""

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


@dataclass
class Reject:
    """A record that could not be read, with where it was and why."""

    where: str
    reason: str
    snippet: str = ""

    def message(self) -> str:
        return f"{self.where}: {self.reason}"


class RecordError(ValueError):
    """A problem with one record; the reader turns it into a Reject."""


_SPACE_RE = re.compile(r"[ \t\u00a0]+")


def normalize_text(text: str) -> str:
    """Unicode NFC, unified newlines, collapsed runs of spaces, trimmed lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def content_hash(text: str) -> str:
    """Hash of the text with case and whitespace folded, so trivial reformatting is one text."""
    folded = " ".join(text.lower().split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def parse_date(value: Any) -> str | None:
    """An ISO ``YYYY-MM-DD`` date from a string, a number (epoch seconds) or a date; None if empty.

    Raises RecordError when a non-empty value is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC).date().isoformat()
        except (OverflowError, OSError, ValueError) as exc:
            raise RecordError(f"unparseable date {value!r}") from exc
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = date_parser.parse(text, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError) as exc:
        raise RecordError(f"unparseable date {text[:40]!r}") from exc
    if not 1000 <= parsed.year <= 9999:
        raise RecordError(f"unparseable date {text[:40]!r}")
    return parsed.date().isoformat()


_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
_LATIN_WORD_RE = re.compile(r"[a-záéíóúñü]+")
_STOP_MARKERS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "said"},
    "es": {"el", "la", "de", "que", "y", "los", "las", "del", "en", "por", "con", "una", "para"},
    "fr": {"le", "la", "les", "des", "et", "du", "une", "est", "pour", "dans", "que", "qui"},
    "de": {"der", "die", "und", "das", "den", "von", "mit", "ist", "nicht", "ein", "eine", "zu"},
}


_MARKER_LANGUAGE = {word: lang for lang, words in _STOP_MARKERS.items() for word in words}


def has_hangul(text: str) -> bool:
    """True when the text holds a Hangul syllable (a Korean term, or a phrase with one)."""
    return _HANGUL_RE.search(text) is not None


def mostly_hangul(text: str) -> bool:
    """True when Hangul makes more than 0.3 of the letters of the text's first 2,000 characters."""
    sample = text[:2000]
    hangul = len(_HANGUL_RE.findall(sample))
    return bool(hangul) and hangul / sum(ch.isalpha() for ch in sample) > 0.3


def guess_language(text: str) -> str | None:
    """A light guess from script and common function words: 'ko', 'en', 'es', 'fr', 'de' or None."""
    if mostly_hangul(text):
        return "ko"
    sample = text[:2000]
    words = _LATIN_WORD_RE.findall(sample.lower())
    if len(words) < 3:
        return None
    counts = dict.fromkeys(_STOP_MARKERS, 0)
    for word in words:
        lang = _MARKER_LANGUAGE.get(word)
        if lang is not None:
            counts[lang] += 1
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 2 else None


def clean_snippet(raw: Any, limit: int = 200) -> str:
    """A short printable piece of a bad record, kept with its reject."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:limit]
