"""JSON readers: JSON Lines (``.jsonl``/``.ndjson``, optionally gzipped), streamed line by line,
and ``.json`` files holding one array of objects (streamed an item at a time, items located by line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import (
    BINARY_REASON,
    OversizedLine,
    ReaderOptions,
    article_from_mapping,
    decode_line,
    iter_raw_lines,
    json_error,
    looks_binary,
    max_record_bytes,
    open_binary,
    reject,
    source_name,
    too_large_reason,
)
from topicwatch.read.json_stream import Problem, array_items
from topicwatch.read.records import Article, RecordError, Reject

_WHITESPACE = b" \t\r\n"
_HEAD_BYTES = 8192


def _loads(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(json_error(exc)) from exc
    except RecursionError as exc:
        raise RecordError("malformed JSON: nested too deeply") from exc


def read_json_lines(
    path: Path, options: ReaderOptions, span: tuple[int, int, int] | None = None
) -> Iterator[Article | Reject]:
    """One Article (or Reject) per non-blank line of a JSON Lines file; ``where`` is ``file:line``.

    ``span`` limits it to one partition of the file (see ``iter_raw_lines``).
    """
    source = source_name(path, options)
    limit = max_record_bytes()
    for item in iter_raw_lines(path, span, limit):
        if isinstance(item, Reject):
            yield item
            continue
        number, raw = item
        where = f"{path}:{number}"
        if isinstance(raw, OversizedLine):
            yield reject(where, too_large_reason(raw.size, limit))
            continue
        if not raw.strip():
            continue
        try:
            record = _loads(decode_line(raw))
            yield article_from_mapping(
                record, options, default_id=f"{path.name}:{number}", source=source, where=where
            )
        except RecordError as exc:
            yield reject(where, str(exc), raw)


def _starts_with_array(path: Path) -> bool:
    """Whether the first non-blank byte of the file opens a JSON array."""
    with open_binary(path) as handle:
        while chunk := handle.read(4096):
            stripped = chunk.lstrip(_WHITESPACE).removeprefix(b"\xef\xbb\xbf").lstrip(_WHITESPACE)
            if stripped:
                return stripped.startswith(b"[")
    return False


def read_json_file(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    """A ``.json`` file: a JSON array of objects, or else JSON Lines.

    The array is streamed an item at a time (see ``json_stream``): each item is a record, at most
    ``max_record_bytes()`` long, and ``where`` is the line on which it starts.
    """
    if not _starts_with_array(path):
        yield from read_json_lines(path, options)
        return
    limit = max_record_bytes()
    source = source_name(path, options)
    with open_binary(path) as handle:
        head = handle.read(_HEAD_BYTES)
        if looks_binary(head):
            yield reject(str(path), BINARY_REASON, head[:200])
            return
        handle.seek(0)
        number = 0
        for item in array_items(handle, limit):
            where = f"{path}:{item.line}"
            if isinstance(item, Problem):
                yield reject(where, item.reason)
                continue
            number += 1
            if item.data is None:
                yield reject(where, too_large_reason(item.size, limit))
                continue
            try:
                record = _loads(decode_line(item.data))
                yield article_from_mapping(
                    record, options, default_id=f"{path.name}#{number}", source=source, where=where
                )
            except RecordError as exc:
                yield reject(where, str(exc), item.data[:200])
