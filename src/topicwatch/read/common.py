"""Shared pieces of the readers: opening and decoding files, line iteration, field lookup, the
record size limit, and building an :class:`Article` from a mapping."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from topicwatch.read.records import (
    Article,
    RecordError,
    Reject,
    clean_snippet,
    guess_language,
    normalize_text,
    parse_date,
)

BINARY_REASON = "binary file (NUL bytes)"
NOT_UTF8_REASON = "not valid UTF-8 text"
_HEAD_BYTES = 8192
DEFAULT_MAX_RECORD_BYTES = 16 * 2**20  # one record; $TOPICWATCH_MAX_RECORD_BYTES overrides it


def max_record_bytes() -> int:
    """The largest record read ($TOPICWATCH_MAX_RECORD_BYTES, default 16 MiB): a JSON Lines line, a CSV
    record, an item of a JSON array, a ``.txt`` file or an HTML page. A longer one is a reject, read
    past in chunks (a whole file: not read), so memory does not grow with one huge record."""
    configured = os.environ.get("TOPICWATCH_MAX_RECORD_BYTES", "").strip()
    if not configured:
        return DEFAULT_MAX_RECORD_BYTES
    if not configured.isdigit() or int(configured) < 1:
        raise ValueError(f"TOPICWATCH_MAX_RECORD_BYTES={configured!r}: expected a whole number of bytes, 1 or more")
    return int(configured)


def too_large_reason(size: int, limit: int) -> str:
    return (f"record too large: {size:,} bytes (at most {limit:,}; "
            "set TOPICWATCH_MAX_RECORD_BYTES to take larger ones)")


@dataclass(frozen=True)
class OversizedLine:
    """A line longer than the record limit, skipped without being held: only its size is kept, and
    how many double quotes it holds (for CSV, whose quoted fields may go on to the next line)."""

    size: int
    quotes: int = 0


def _bounded_lines(handle: IO[bytes], limit: int | None) -> Iterator[bytes | OversizedLine]:
    """The handle's lines; with ``limit``, a line longer than it comes as an ``OversizedLine``."""
    if limit is None:
        yield from handle
        return
    while raw := handle.readline(limit + 1):
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw
            continue
        size, quotes = len(raw), raw.count(b'"')
        while (more := handle.readline(limit + 1)) and not more.endswith(b"\n"):
            size, quotes = size + len(more), quotes + more.count(b'"')
        yield OversizedLine(size + len(more), quotes + more.count(b'"'))


_BOM = b"\xef\xbb\xbf"
_MISSING = object()


@dataclass
class ReaderOptions:
    """How to read the inputs.

    ``text_field``/``id_field``/``date_field``/``title_field`` name the fields of JSON and CSV
    records (dotted paths such as ``meta.date`` reach into nested JSON objects). ``header`` picks
    the seed-format detection for ``.txt`` files: ``"auto"``, ``"keywords"`` or ``"none"``.
    ``source`` overrides the source name stored with each article (default: the file path).
    """

    text_field: str = "text"
    id_field: str = "id"
    date_field: str = "date"
    title_field: str = "title"
    header: str = "auto"
    source: str | None = None


# --------------------------------------------------------------------------- files and lines


def open_binary(path: Path) -> IO[bytes]:
    """The file opened for binary reading, transparently decompressed when it ends in ``.gz``."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def reject(where: str, reason: str, raw: Any = "") -> Reject:
    """A Reject with a cleaned snippet of the offending input."""
    return Reject(where=where, reason=reason, snippet=clean_snippet(raw) if raw else "")


def iter_raw_lines(path: Path, span: tuple[int, int, int] | None = None, limit: int | None = None
                   ) -> Iterator[tuple[int, bytes | OversizedLine] | Reject]:
    """``(line number, raw bytes)`` for each line of a (possibly gzipped) file, streaming.

    A file whose first block is binary (``looks_binary``) is one Reject; a gzip stream that
    breaks off ends with a Reject naming the line where it broke. The UTF-8 BOM is dropped.
    ``span`` = (first byte, end byte, first line's number) reads only the lines that start in that
    byte range of a plain file (a partition; see ``readers.partitions``). With ``limit``, a line
    longer than that many bytes comes as an ``OversizedLine``.
    """
    if span is not None and span[0] > 0:
        yield from _lines_in_span(path, span, limit)
        return
    where = str(path)
    number = 0
    end = span[1] if span is not None else None
    try:
        with open_binary(path) as handle:
            head = handle.read(_HEAD_BYTES)
            if looks_binary(head):
                yield reject(where, BINARY_REASON, head[:200])
                return
            handle.seek(0)
            position = 0
            for number, raw in enumerate(_bounded_lines(handle, limit), start=1):
                if end is not None and position >= end:
                    return
                position += raw.size if isinstance(raw, OversizedLine) else len(raw)
                if number == 1 and isinstance(raw, bytes):
                    raw = raw.removeprefix(_BOM)
                yield number, raw
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield reject(f"{where}:{number + 1}" if number else where, f"corrupt gzip data: {exc}")


def _lines_in_span(path: Path, span: tuple[int, int, int], limit: int | None
                   ) -> Iterator[tuple[int, bytes | OversizedLine]]:
    start, end, number = span
    with open(path, "rb") as handle:
        handle.seek(start)
        position = start
        for raw in _bounded_lines(handle, limit):
            if position >= end:
                return
            position += raw.size if isinstance(raw, OversizedLine) else len(raw)
            yield number, raw
            number += 1


def looks_binary(head: bytes) -> bool:
    """Whether the first block of a line-based file is binary data (one reject for the file) rather
    than text with stray NUL bytes (a reject for each such line alone): it holds NUL bytes, and not
    one of its lines is readable text."""
    return b"\0" in head and not any(map(_readable, head.split(b"\n")))


def _readable(line: bytes) -> bool:
    """Whether ``line`` is text: valid UTF-8 with a printable character, and at most one byte in
    eight a NUL (UTF-16 text, with a NUL beside each ASCII letter, is not)."""
    if line.count(b"\0") * 8 > len(line):
        return False
    try:
        text = line.replace(b"\0", b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(char.isprintable() and not char.isspace() for char in text)


def decode_line(raw: bytes) -> str:
    """One line decoded as UTF-8 (line ending kept); RecordError for NUL bytes or invalid UTF-8."""
    if b"\0" in raw:
        raise RecordError(BINARY_REASON)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(NOT_UTF8_REASON) from exc


def read_whole_bytes(path: Path, limit: int | None = None) -> bytes:
    """The whole (possibly gzipped) file, for formats that are parsed as one document.

    With ``limit``, a file longer than that is a RecordError, read no further than the limit.
    """
    with open_binary(path) as handle:
        data = handle.read() if limit is None else handle.read(limit + len(_BOM) + 1)
        if limit is not None and len(data.removeprefix(_BOM)) > limit:
            size = len(data) + sum(len(chunk) for chunk in iter(lambda: handle.read(2**20), b""))
            raise RecordError(too_large_reason(size - len(_BOM) * data.startswith(_BOM), limit))
    return data.removeprefix(_BOM)


def decode_document(data: bytes, where: str) -> str:
    """A whole document decoded as UTF-8; RecordError for binary data or invalid UTF-8.

    The error for invalid UTF-8 names the line of the first bad byte.
    """
    if b"\0" in data[:_HEAD_BYTES]:
        raise RecordError(BINARY_REASON)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RecordError(f"{NOT_UTF8_REASON} (line {line})") from exc


# --------------------------------------------------------------------------- records


def get_field(record: Mapping[str, Any], name: str) -> Any:
    """The value of ``name`` in ``record``; a dotted name reaches into nested mappings.

    Returns the module's ``_MISSING`` sentinel (see :func:`is_missing`) when the field is absent.
    """
    if name in record:
        return record[name]
    if "." not in name:
        return _MISSING
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def is_missing(value: Any) -> bool:
    """Whether :func:`get_field` found nothing."""
    return value is _MISSING


def _without(record: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A shallow copy of ``record`` without the fields ``names`` (dotted names copy along the path)."""
    result = {key: value for key, value in record.items() if key not in names}
    for name in names:
        head, _, rest = name.partition(".")
        if rest and name not in record and isinstance(result.get(head), Mapping):
            result[head] = _without(result[head], (rest,))
    return result


def jsonable(value: Any) -> Any:
    """``value`` made JSON-serialisable: containers kept (recursively), other objects as str."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return str(value)


def _as_text(value: Any, name: str) -> str:
    """A text field as given: a string (or null: none). Anything else is a reject, not a guess: a
    number, a list or an object in a text field means the record is not what the mapping expects."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise RecordError(f"field '{name}' is {_kind(value)}, not text")


def _as_id(value: Any, name: str) -> str:
    """An id as given: a string or a whole number; anything else is a reject."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"field '{name}' is {_kind(value)}, not an id (text or a whole number)")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def one_line(text: str) -> str:
    """Text normalized and folded onto one line (for titles)."""
    return " ".join(normalize_text(text).split())


def make_article(
    *,
    id: str,
    text: str,
    title: str = "",
    date: Any = None,
    source: str,
    where: str,
    metadata: dict[str, Any] | None = None,
    given_keywords: str | None = None,
) -> Article:
    """The Article with normalized text, a parsed date and a guessed language.

    Raises RecordError for empty text or an unparseable date.
    """
    text = normalize_text(text)
    if not text:
        raise RecordError("empty text")
    return Article(
        id=id,
        text=text,
        title=one_line(title) if title else "",
        date=parse_date(date),
        source=source,
        language=guess_language(text),
        metadata=metadata or {},
        given_keywords=given_keywords,
        where=where,
    )


def article_from_mapping(
    record: Any, options: ReaderOptions, *, default_id: str, source: str, where: str
) -> Article:
    """Build the Article for one JSON or CSV record, mapping fields as ``options`` say.

    Every field not used for id/text/title/date is kept in ``metadata``. Raises RecordError.
    """
    if not isinstance(record, (dict, Mapping)):
        raise RecordError("expected a JSON object")
    raw_text = get_field(record, options.text_field)
    if is_missing(raw_text):
        raise RecordError(f"missing field '{options.text_field}'")
    text = _as_text(raw_text, options.text_field)

    raw_id = get_field(record, options.id_field)
    article_id = "" if is_missing(raw_id) else _as_id(raw_id, options.id_field)
    raw_title = get_field(record, options.title_field)
    title = "" if is_missing(raw_title) else _as_text(raw_title, options.title_field)
    raw_date = get_field(record, options.date_field)

    used = (options.text_field, options.id_field, options.title_field, options.date_field)
    metadata = _without(record, used)
    return make_article(
        id=article_id or default_id,
        text=text,
        title=title,
        date=None if is_missing(raw_date) else raw_date,
        source=source,
        where=where,
        metadata=jsonable(metadata),
    )


def source_name(path: Path, options: ReaderOptions) -> str:
    """The source stored with each article of ``path``."""
    return options.source or str(path)


def json_error(exc: json.JSONDecodeError) -> str:
    """A short reason for a JSON syntax error."""
    return f"malformed JSON: {exc.msg} (column {exc.colno})"
