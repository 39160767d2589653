"""JSON readers: JSON Lines (``.jsonl``/``.ndjson``, optionally gzipped), streamed line by line,
and ``.json`` files holding one array of objects (read whole, items located by line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import (
    OversizedLine,
    ReaderOptions,
    article_from_mapping,
    decode_document,
    decode_line,
    iter_raw_lines,
    json_error,
    max_record_bytes,
    open_binary,
    read_whole_bytes,
    reject,
    source_name,
)
from topicwatch.read.records import Article, RecordError, Reject

_WHITESPACE = b" \t\r\n"


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
            yield reject(where, f"record too large: {raw.size:,} bytes (at most {limit:,}; "
                                "set TOPICWATCH_MAX_RECORD_BYTES to take larger ones)")
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
    """A ``.json`` file: a JSON array of objects, or else JSON Lines."""
    if not _starts_with_array(path):
        yield from read_json_lines(path, options)
        return
    try:
        text = decode_document(read_whole_bytes(path), str(path))
    except RecordError as exc:
        yield reject(str(path), str(exc))
        return
    yield from _read_array(text, path, options)


def _read_array(text: str, path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    decoder = json.JSONDecoder()
    skip = json.decoder.WHITESPACE.match  # type: ignore[attr-defined]
    source = source_name(path, options)
    pos = skip(text, 0).end() + 1  # just after the opening bracket
    line, counted = 1, 0

    def line_of(index: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, index)
        counted = index
        return line

    pos = skip(text, pos).end()
    if text.startswith("]", pos):
        return
    number = 0
    while True:
        start = pos
        try:
            record, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield reject(f"{path}:{exc.lineno}", json_error(exc), text[start : start + 200])
            return
        except RecursionError:
            yield reject(f"{path}:{line_of(start)}", "malformed JSON: nested too deeply")
            return
        number += 1
        where = f"{path}:{line_of(start)}"
        try:
            yield article_from_mapping(
                record, options, default_id=f"{path.name}#{number}", source=source, where=where
            )
        except RecordError as exc:
            yield reject(where, str(exc), text[start : min(pos, start + 200)])
        pos = skip(text, pos).end()
        if text.startswith(",", pos):
            pos = skip(text, pos + 1).end()
            continue
        if text.startswith("]", pos):
            if text[pos + 1 :].strip():
                yield reject(f"{path}:{line_of(pos)}", "malformed JSON: extra data after the array")
            return
        yield reject(f"{path}:{line_of(pos)}", "malformed JSON: expected ',' or ']' between items")
        return
