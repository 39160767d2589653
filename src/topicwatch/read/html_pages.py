"""Saved article pages (``.html``/``.htm``): the main text and metadata, found by trafilatura.

Navigation, footers and other boilerplate are left out (see :func:`_extract`). The id is the page's canonical URL when
trafilatura finds one, else the file stem; ``metadata`` keeps the URL, author and site name found.
A page longer than ``max_record_bytes()`` ($TOPICWATCH_MAX_RECORD_BYTES) is a reject, not read whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from topicwatch.read.common import (
    BINARY_REASON,
    ReaderOptions,
    make_article,
    max_record_bytes,
    one_line,
    read_whole_bytes,
    reject,
    source_name,
)
from topicwatch.read.records import Article, RecordError, Reject

NO_TEXT_REASON = "no article text found in HTML"
MIN_FALLBACK_WORDS = 25


def _extract(data: bytes) -> dict[str, Any] | None:
    """Trafilatura's JSON document for the page, or None when no article text is found.

    A precise pass comes first; only if it finds nothing, trafilatura's fallback extractors are
    tried, and their text is kept when it has at least ``MIN_FALLBACK_WORDS`` words (the fallbacks
    happily return a lone navigation bar).
    """
    import trafilatura

    def run(**settings: bool) -> str | None:
        return trafilatura.extract(
            data, output_format="json", with_metadata=True, include_comments=False, **settings
        )

    extracted = run(fast=True, favor_precision=True)
    min_words = 1
    if not extracted:
        extracted = run()
        min_words = MIN_FALLBACK_WORDS
    document = json.loads(extracted) if extracted else {}
    return document if len((document.get("text") or "").split()) >= min_words else None


def read_html_page(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    """The one Article (or Reject) of a saved HTML page; ``where`` is the file path."""
    where = str(path)
    try:
        data = read_whole_bytes(path, max_record_bytes())
    except RecordError as exc:
        yield reject(where, str(exc))
        return
    if b"\0" in data[:8192]:
        yield reject(where, BINARY_REASON, data[:200])
        return
    try:
        document = _extract(data)
    except Exception as exc:  # noqa: BLE001 - a broken page must not stop the run
        yield reject(where, f"HTML extraction failed: {one_line(str(exc))}"[:160], data[:200])
        return
    if document is None:
        yield reject(where, NO_TEXT_REASON, data[:200])
        return
    url = (document.get("source") or "").strip()
    metadata = {
        "url": url,
        "author": document.get("author") or "",
        "sitename": document.get("source-hostname") or document.get("hostname") or "",
    }
    try:
        yield make_article(
            id=url or path.stem,
            text=document["text"],
            title=document.get("title") or "",
            date=document.get("date"),
            source=source_name(path, options),
            where=where,
            metadata={key: value for key, value in metadata.items() if value},
        )
    except RecordError as exc:
        yield reject(where, str(exc), data[:200])
