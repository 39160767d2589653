"""RSS 2.0 and Atom feeds (``.xml``/``.rss``/``.atom``), parsed whole with feedparser.

Each entry is one article: its title, its link, its date (published, else updated), and its text
(the first content block, else the summary/description) with HTML reduced to plain text. ``where``
is ``file#item N``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from topicwatch.read.common import (
    BINARY_REASON,
    ReaderOptions,
    make_article,
    one_line,
    read_whole_bytes,
    reject,
    source_name,
)
from topicwatch.read.records import Article, RecordError, Reject, normalize_text, parse_date

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


# fmt: off
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
    "table", "section", "article", "header", "footer", "figure", "figcaption", "hr", "dd", "dt", "dl",
})
# fmt: on


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed summaries and contents), block elements on new lines."""
    if not fragment or not fragment.strip():
        return ""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalize_text(fragment)
    for element in list(root.iter("script", "style")):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n" + (element.text or "")
    return normalize_text(root.text_content())


def _entry_date(entry: Mapping[str, Any]) -> str | None:
    """The entry's date from its raw string, falling back on feedparser's parsed (UTC) time."""
    for name in ("published", "updated", "created"):
        raw = entry.get(name)
        if not raw:
            continue
        try:
            return parse_date(raw)
        except RecordError:
            parsed = entry.get(f"{name}_parsed")
            if parsed:
                return datetime(*parsed[:6]).date().isoformat()
            raise
    return None


def _entry_text(entry: Mapping[str, Any]) -> str:
    content = entry.get("content") or []
    fragment = (content[0].get("value") or "") if content else ""
    if not fragment.strip():
        fragment = entry.get("summary") or entry.get("description") or ""
    return html_to_text(fragment)


def read_feed(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    """One Article (or Reject) per feed entry; one Reject for a file that is not a readable feed."""
    import feedparser

    where = str(path)
    data = read_whole_bytes(path)
    if b"\0" in data[:8192] and not data.startswith(_UTF16_BOMS):
        yield reject(where, BINARY_REASON, data[:200])
        return
    try:
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - feedparser raises what it meets (a bad encoding name...)
        yield reject(where, f"not a readable feed: {one_line(str(exc))[:120]}", data[:200])
        return
    if not parsed.entries:
        if parsed.get("bozo"):
            problem = str(parsed.get("bozo_exception") or "unknown error").strip()
            yield reject(where, f"not a readable feed: {one_line(problem)[:120]}", data[:200])
        elif not parsed.get("version"):
            yield reject(where, "not an RSS or Atom feed", data[:200])
        return
    feed_title = parsed.feed.get("title") or ""
    source = source_name(path, options)
    for number, entry in enumerate(parsed.entries, start=1):
        item_where = f"{where}#item {number}"
        link = entry.get("link") or ""
        metadata = {"link": link, "feed_title": feed_title, "author": entry.get("author") or ""}
        try:
            yield make_article(
                id=str(entry.get("id") or link or f"{path.name}#{number}").strip(),
                text=_entry_text(entry),
                title=entry.get("title") or "",
                date=_entry_date(entry),
                source=source,
                where=item_where,
                metadata={key: value for key, value in metadata.items() if value},
            )
        except RecordError as exc:
            yield reject(item_where, str(exc), entry.get("title") or entry.get("summary") or "")
