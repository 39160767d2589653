"""Plain-text articles: one ``.txt`` file is one article.

The first non-empty line is the title and the rest is the text (a one-line file is its own title
and text). A file longer than ``max_record_bytes()`` ($TOPICWATCH_MAX_RECORD_BYTES) is a reject,
not read whole. The id is given by the caller: the path relative to the walked folder without the
extension, or the file stem for a file named explicitly.

Seed format
-----------
A seed file puts a *keyword line* before the article::

    election turnout coalition talks parliament
    Coalition talks stall after record turnout
    The parties met on Monday ...

The keyword line is stored as ``given_keywords`` (stripped, otherwise as-is) and is not part of the
title or the text. ``header="keywords"`` always takes the first non-empty line as the keyword line;
``header="none"`` never does. ``header="auto"`` takes it only when **all** of these hold:

* the line is entirely lower-case and contains at least one letter;
* it has no sentence punctuation (any of ``. , ; : ! ? " ( )``);
* it has 3 to 30 tokens separated by single spaces, each made only of lower-case letters (any
  script, Hangul included), digits, hyphens and apostrophes;
* a further non-empty line follows, and it looks like a title or sentence: it contains an
  upper-case letter or a Hangul syllable.

A normal article starts with a capitalised title, so it is never mistaken for a seed file. A
lower-case headline without punctuation followed by a capitalised body cannot be told apart from a
keyword line by its form; use ``header="none"`` for such collections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import (
    ReaderOptions,
    decode_document,
    make_article,
    max_record_bytes,
    read_whole_bytes,
    reject,
    source_name,
)
from topicwatch.read.records import Article, RecordError, Reject, normalize_text

MIN_KEYWORD_TOKENS = 3
MAX_KEYWORD_TOKENS = 30
_SENTENCE_PUNCTUATION = set('.,;:!?"()')
_TOKEN_EXTRA = set("-'\u2019")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")


def is_keyword_line(line: str) -> bool:
    """Whether ``line`` has the form of a seed keyword line (see the module docstring)."""
    line = line.strip()
    if not line or line != line.lower() or not any(ch.isalpha() for ch in line):
        return False
    if any(ch in _SENTENCE_PUNCTUATION for ch in line):
        return False
    tokens = line.split(" ")
    if not MIN_KEYWORD_TOKENS <= len(tokens) <= MAX_KEYWORD_TOKENS:
        return False
    return all(token and all(ch.isalnum() or ch in _TOKEN_EXTRA for ch in token) for token in tokens)


def looks_like_title(line: str) -> bool:
    """Whether ``line`` reads like a title or sentence: an upper-case letter or Hangul in it."""
    return any(ch.isupper() for ch in line) or bool(_HANGUL_RE.search(line))


def split_text(text: str, header: str = "auto") -> tuple[str | None, str, str]:
    """``(given_keywords, title, body)`` of a text file's content (normalized).

    ``body`` is the title itself when nothing follows it; all three are empty when there is no text.
    """
    lines = [line for line in normalize_text(text).split("\n")]
    nonempty = [index for index, line in enumerate(lines) if line]
    keywords = None
    if nonempty and header != "none":
        first = nonempty[0]
        if header == "keywords" or (
            len(nonempty) > 1 and is_keyword_line(lines[first]) and looks_like_title(lines[nonempty[1]])
        ):
            keywords = lines[first]
            nonempty = nonempty[1:]
    if not nonempty:
        return keywords, "", ""
    title_index = nonempty[0]
    body = "\n".join(lines[title_index + 1 :]).strip()
    return keywords, lines[title_index], body or lines[title_index]


def read_text_file(path: Path, options: ReaderOptions, *, article_id: str) -> Iterator[Article | Reject]:
    """The one Article (or Reject) of a ``.txt`` file; ``where`` is the file path."""
    where = str(path)
    data = b""
    try:
        data = read_whole_bytes(path, max_record_bytes())
        keywords, title, body = split_text(decode_document(data, where), options.header)
        yield make_article(
            id=article_id,
            text=body,
            title=title,
            source=source_name(path, options),
            where=where,
            given_keywords=keywords,
        )
    except RecordError as exc:
        yield reject(where, str(exc), data[:200])
