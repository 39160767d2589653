"""CSV and TSV readers: streamed record by record with the csv module (quoted multi-line fields allowed).

The first row names the columns. Each line is decoded on its own, so a line that is not valid UTF-8
rejects only the row it belongs to; ``where`` names the line on which a row starts.

Quotes are read strictly (the csv module's ``strict`` mode): a quote that closes a field must be
followed by the delimiter or the end of the line. A record that spans lines (a quoted field holding
line breaks) but does not parse cleanly -- its quote runs to the end of the file, closes in the
middle of a field, or leaves the record with the wrong number of fields -- is an unbalanced quote on
its first line: that line is rejected and reading starts again on the next line, so the rows a broken
quote swallowed are read as the rows they are. A legitimate multi-line field parses cleanly and is
kept whole.

One record is at most ``max_record_bytes()`` ($TOPICWATCH_MAX_RECORD_BYTES); a longer one is a
reject, read past without being held (see :class:`_Lines` and :func:`_too_large`). Memory follows
the limit, never the record or the file.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import (
    OversizedLine,
    ReaderOptions,
    article_from_mapping,
    decode_line,
    iter_raw_lines,
    max_record_bytes,
    reject,
    source_name,
    too_large_reason,
)
from topicwatch.read.records import Article, RecordError, Reject


def _allow_large_fields() -> None:
    """csv's own field limit (131,072 characters by default, one setting for the whole process) would
    reject a legitimate long article, and it only stops a field after building it: the record limit
    is kept by :class:`_Lines` instead, which never hands csv more than one record's worth of lines."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


_allow_large_fields()

_RawLine = tuple[int, bytes | OversizedLine]
_LONE_CR = re.compile(r"\r(?!\n$)")


class _RecordTooLarge(Exception):
    """Raised through csv.reader when the record being read would pass the limit."""


def _size(raw: bytes | OversizedLine) -> int:
    return raw.size if isinstance(raw, OversizedLine) else len(raw)


def _quotes(raw: bytes | OversizedLine) -> int:
    return raw.quotes if isinstance(raw, OversizedLine) else raw.count(b'"')


class _Lines:
    """Decoded lines for csv.reader, one record at a time.

    The raw lines of the record being read are kept (``raws``, from line ``first``) so that a broken
    record can be rejected by its first line and the others put back to be read again. A line that
    would take the record past ``limit`` bytes is not handed to csv: ``_RecordTooLarge`` is raised
    instead, and the line is kept in ``over``. Lines longer than the limit come from
    ``iter_raw_lines`` as ``OversizedLine``.
    """

    def __init__(self, path: Path, limit: int) -> None:
        self._items = iter_raw_lines(path, limit=limit)
        self._again: list[_RawLine] = []  # lines put back, the next one last
        self.limit = limit
        self.file_rejects: list[Reject] = []
        self.start_record()

    def start_record(self) -> None:
        self.first, self.raws, self.over = 0, [], None
        self.problems: dict[int, str] = {}  # line number: why it could not be decoded
        self._size = 0

    @property
    def last(self) -> int:
        return self.first + len(self.raws) - 1

    def first_text(self) -> str:
        return self.raws[0].decode("utf-8", "replace") if self.raws else ""

    def put_back(self, lines: list[_RawLine]) -> None:
        self._again.extend(reversed(lines))

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        number, raw = self._next_raw()
        if isinstance(raw, OversizedLine) or self._size + len(raw.rstrip(b"\r\n")) > self.limit:
            self.over = (number, raw)
            raise _RecordTooLarge
        self._size += len(raw)
        if not self.raws:
            self.first = number
        self.raws.append(raw)
        try:
            text = decode_line(raw)
        except RecordError as exc:
            self.problems[number] = str(exc)
            text = raw.replace(b"\0", b"").decode("utf-8", "replace")
        # A carriage return that does not end the line is text (csv.writer leaves one unquoted when
        # its line ending is "\n"); csv would take it for a line break, so it travels as NUL, which
        # cannot be in the text (a line with NUL bytes is rejected), and _records turns it back.
        return _LONE_CR.sub("\0", text) if "\r" in text else text

    def _next_raw(self) -> _RawLine:
        if self._again:
            return self._again.pop()
        for item in self._items:
            if isinstance(item, Reject):
                self.file_rejects.append(item)
                break
            return item
        raise StopIteration

    def skip_record(self) -> int:
        """Read past the rest of the record that ``over`` would have taken past the limit, to the end
        of the line where its double quotes balance (or the end of the file), holding nothing.
        Returns the size of the whole record."""
        assert self.over is not None
        raws = [*self.raws, self.over[1]]
        size, quotes = sum(map(_size, raws)), sum(map(_quotes, raws))
        while quotes % 2:
            try:
                _, raw = self._next_raw()
            except StopIteration:
                break
            size, quotes = size + _size(raw), quotes + _quotes(raw)
        return size

    def problem(self) -> str | None:
        """The decoding problem of the record's lines, if any (with its line when not the first)."""
        for number, problem in sorted(self.problems.items()):
            return problem if number == self.first else f"{problem} (line {number})"
        return None


def _retry_after_first(lines: _Lines, path: Path, reason: str) -> Reject:
    """Reject the record's first line and put the lines after it back, to be read as rows again."""
    rest = [(lines.first + offset, raw) for offset, raw in enumerate(lines.raws[1:], start=1)]
    lines.put_back(rest + ([lines.over] if lines.over else []))
    return reject(f"{path}:{lines.first}", reason, lines.first_text())


def _malformed(lines: _Lines, path: Path, error: csv.Error) -> Reject:
    first, last = lines.first, lines.last
    ends = "the end of the file" if str(error) == "unexpected end of data" else f"line {last} ({error})"
    if first == last and ends == "the end of the file":
        return _retry_after_first(lines, path, "malformed CSV: unbalanced quote: the quoted field opened "
                                               "on this line never closes")
    if first == last:
        return _retry_after_first(lines, path, f"malformed CSV: {error}")
    return _retry_after_first(lines, path, f"malformed CSV: unbalanced quote: the quoted field opened on "
                                           f"this line runs to {ends}")


def _too_large(lines: _Lines, path: Path, width: int | None, delimiter: str) -> Reject:
    """The reject for a record that would pass the limit.

    If the lines it took look like the inside of one long field, it is one long record: it is read
    past to the line where its quotes balance (or the end of the file), holding nothing, and rejected
    whole. Otherwise (and when in doubt) a quote was left open on its first line and the lines after
    it are rows: they are read again, so that no row is lost.
    """
    assert lines.over is not None
    number, raw = lines.over
    held = lines.raws[1:] + ([raw] if isinstance(raw, bytes) else [])
    if lines.raws and not (width is not None and _one_long_field(held, width, delimiter)):
        return _retry_after_first(lines, path, f"malformed CSV: unbalanced quote: the quoted field opened on "
                                               f"this line runs past {lines.limit:,} bytes; the lines after "
                                               "it are read as rows")
    start = lines.first if lines.raws else number
    return reject(f"{path}:{start}", too_large_reason(lines.skip_record(), lines.limit))


def _one_long_field(raws: list[bytes], width: int, delimiter: str, most: int = 50) -> bool:
    """Whether lines look like the inside of one long field rather than rows: there are at least
    twenty, and at most a tenth of the first ``most``, each read on its own, are rows of ``width``
    fields. When in doubt they are rows: read again, a row is not lost."""
    rows = 0
    for raw in raws[:most]:
        try:
            fields = next(csv.reader([raw.decode("utf-8", "replace")], delimiter=delimiter, strict=True), [])
        except csv.Error:
            continue
        rows += len(fields) == width
    return len(raws) >= 20 and rows * 10 <= min(len(raws), most)


def _swallowed_rows(raws: list[bytes], width: int, delimiter: str) -> bool:
    """Whether a record that spans lines is a quote left open on its first line that took in the rows
    after it: the quote that ends its last quoted field stands where a field starts (an opening quote
    of the last row), and its lines after the first, read on their own, are whole rows, the last of
    ``width`` fields. A legitimate multi-line field ends in text, so its closing quote does not stand
    at a field start, nor start a field that closes on the same line.
    """
    last = _text(raws[-1])
    at = 0
    while (at := last.find('"', at)) >= 0 and last.startswith('""', at):
        at += 2  # a doubled quote, inside the field
    if at < 0 or (at > 0 and last[at - 1] != delimiter):
        return False
    try:
        rows = [row for row in csv.reader(map(_text, raws[1:]), delimiter=delimiter, strict=True) if row]
    except csv.Error:
        return False
    return bool(rows) and len(rows[-1]) == width


def _text(raw: bytes) -> str:
    return raw.replace(b"\0", b"").decode("utf-8", "replace")


def _records(lines: _Lines, delimiter: str, path: Path) -> Iterator[tuple[int, list[str]] | Reject]:
    """``(first line, fields)`` of each non-blank record, or a Reject for a malformed one.

    The first record is the header: the others must have as many fields as it has.
    """
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    width: int | None = None
    while True:
        lines.start_record()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _malformed(lines, path, exc)
            continue
        except _RecordTooLarge:
            yield _too_large(lines, path, width, delimiter)
            continue
        if not fields:
            continue
        fields = [field.replace("\0", "\r") for field in fields]
        where = f"{path}:{lines.first}"
        if width is not None and len(fields) != width:
            if lines.last > lines.first:
                yield _retry_after_first(lines, path, f"malformed CSV: unbalanced quote: the record starting "
                                                      f"on this line runs to line {lines.last} "
                                                      f"and has {len(fields)} fields, not {width}")
            else:
                yield reject(where, f"expected {width} fields, found {len(fields)}", lines.first_text())
            continue
        if width is not None and lines.last > lines.first and _swallowed_rows(lines.raws, width, delimiter):
            taken = f"line {lines.last}" if lines.last == lines.first + 1 else f"lines {lines.first + 1}-{lines.last}"
            yield _retry_after_first(lines, path, f"malformed CSV: unbalanced quote: the quoted field opened on "
                                                  f"this line takes in the rows on {taken}")
            continue
        width = len(fields)
        problem = lines.problem()
        if problem:
            yield reject(where, problem, delimiter.join(fields))
            continue
        yield lines.first, fields


def read_csv(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    """One Article (or Reject) per data row of a ``.csv`` (comma) or ``.tsv`` (tab) file."""
    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    lines = _Lines(path, max_record_bytes())
    source = source_name(path, options)
    header: list[str] | None = None
    for item in _records(lines, delimiter, path):
        if header is None:
            if isinstance(item, Reject):
                yield reject(item.where, f"header: {item.reason}", item.snippet)
                break
            header = [name.strip() for name in item[1]]
            if options.text_field not in header:
                columns = ", ".join(repr(name) for name in header)
                yield reject(str(path), f"missing column '{options.text_field}' (columns: {columns})",
                             delimiter.join(item[1]))
                break
            continue
        if isinstance(item, Reject):
            yield item
            continue
        number, row = item
        where = f"{path}:{number}"
        try:
            yield article_from_mapping(
                dict(zip(header, row)), options, default_id=f"{path.name}:{number}", source=source, where=where
            )
        except RecordError as exc:
            yield reject(where, str(exc), delimiter.join(row))
    yield from lines.file_rejects
