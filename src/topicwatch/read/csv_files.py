"""CSV and TSV readers: streamed row by row with the csv module (quoted multi-line fields allowed).

The first row names the columns. Each line is decoded on its own, so a line that is not valid UTF-8
rejects only the row it belongs to; ``where`` names the line on which a row starts.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import (
    ReaderOptions,
    article_from_mapping,
    decode_line,
    iter_raw_lines,
    reject,
    source_name,
)
from topicwatch.read.records import Article, RecordError, Reject


def _allow_large_fields() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


_allow_large_fields()


class _Lines:
    """Decoded lines for csv.reader; remembers which lines could not be decoded, and why."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bad: dict[int, str] = {}
        self.file_rejects: list[Reject] = []

    def __iter__(self) -> Iterator[str]:
        for item in iter_raw_lines(self.path):
            if isinstance(item, Reject):
                self.file_rejects.append(item)
                return
            number, raw = item
            try:
                yield decode_line(raw)
            except RecordError as exc:
                self.bad[number] = str(exc)
                yield raw.replace(b"\0", b"").decode("utf-8", "replace")

    def problem(self, first: int, last: int) -> str | None:
        """The decoding problem of any line in ``first..last`` (forgotten once asked)."""
        if not self.bad:
            return None
        found = None
        for number in [n for n in self.bad if first <= n <= last]:
            found = self.bad.pop(number)
        return found


def read_csv(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    """One Article (or Reject) per data row of a ``.csv`` (comma) or ``.tsv`` (tab) file."""
    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    lines = _Lines(path)
    reader = csv.reader(iter(lines), delimiter=delimiter)
    source = source_name(path, options)
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield reject(f"{path}:{start}", f"malformed CSV: {exc}")
            continue
        if not row:
            continue
        where = f"{path}:{start}"
        problem = lines.problem(start, reader.line_num)
        if header is None:
            header = [name.strip() for name in row]
            if problem:
                yield reject(where, f"header: {problem}", delimiter.join(row))
                return
            if options.text_field not in header:
                columns = ", ".join(repr(name) for name in header)
                yield reject(
                    str(path),
                    f"missing column '{options.text_field}' (columns: {columns})",
                    delimiter.join(row),
                )
                return
            continue
        if problem:
            yield reject(where, problem, delimiter.join(row))
            continue
        if len(row) != len(header):
            yield reject(where, f"expected {len(header)} fields, found {len(row)}", delimiter.join(row))
            continue
        try:
            yield article_from_mapping(
                dict(zip(header, row)),
                options,
                default_id=f"{path.name}:{start}",
                source=source,
                where=where,
            )
        except RecordError as exc:
            yield reject(where, str(exc), delimiter.join(row))
    yield from lines.file_rejects
