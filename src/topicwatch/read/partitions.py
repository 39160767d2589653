"""Inputs cut into partitions that can be read independently (here, or on cluster workers).

A partition is a group of small files read whole, or one byte range of a large plain JSON Lines
file, cut at line starts so that every line belongs to exactly one partition and keeps its line
number in messages. Gzipped files, CSV files (whose quoted fields may span lines), JSON arrays,
feeds and pages are read whole, one file to a partition.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from topicwatch.read.common import ReaderOptions, looks_binary
from topicwatch.read.files import file_kind, read_file, walk
from topicwatch.read.json_lines import read_json_lines
from topicwatch.read.records import Article, Reject

PART_BYTES = 16 * 1024 * 1024  # about 5,000-10,000 news articles
PART_FILES = 2_000
MIN_SPAN_BYTES = 1024 * 1024


@dataclass(frozen=True)
class InputPart:
    """Files to read whole, each with its article id (for ``.txt`` in a folder), or one file's span."""

    files: tuple[tuple[str, str | None], ...]
    span: tuple[int, int, int] | None = None  # (first byte, end byte, first line number)


def plan_parts(
    paths: Iterable[str | Path], part_bytes: int | None = None, workers: int = 1
) -> Iterator[InputPart | Reject]:
    """Partitions of the inputs in reading order, and Rejects for inputs that cannot be listed.

    With several ``workers`` a large JSON Lines file is cut finer (about four parts a worker, down
    to 1 MB), so that one file keeps them all busy.
    """
    part_bytes = part_bytes or PART_BYTES
    group: list[tuple[str, str | None]] = []
    group_bytes = 0

    def flush() -> Iterator[InputPart]:
        nonlocal group, group_bytes
        if group:
            yield InputPart(tuple(group))
        group, group_bytes = [], 0

    for given in paths:
        path = Path(given)
        if path.is_dir():
            files, problems = walk(path)
            yield from problems
            listed = [(f, f.relative_to(path).with_suffix("").as_posix()) for f in files]
        elif path.exists():
            listed = [(path, None)]
        else:
            yield from flush()
            yield Reject(where=str(given), reason="no such file or directory")
            continue
        for file, article_id in listed:
            if not _is_regular(file):
                yield from flush()
                yield Reject(where=str(file), reason="not a regular file (a named pipe, device or socket): not read")
                continue
            size = _size(file)
            span = part_bytes if workers == 1 else max(min(part_bytes, size // (4 * workers) + 1),
                                                        min(part_bytes, MIN_SPAN_BYTES))
            if size > span and file_kind(file) == "jsonl" and not file.name.lower().endswith(".gz"):
                yield from flush()
                yield from _spans(file, span)
                continue
            group.append((str(file), article_id))
            group_bytes += size
            if group_bytes >= part_bytes or len(group) >= PART_FILES:
                yield from flush()
    yield from flush()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _spans(path: Path, part_bytes: int) -> Iterator[InputPart]:
    """Byte ranges of about ``part_bytes``, each starting at a line start, with its first line number."""
    size = _size(path)
    with open(path, "rb") as handle:
        if looks_binary(handle.read(8192)):  # binary: read whole, to be rejected once
            yield InputPart(((str(path), None),))
            return
        start, line = 0, 1
        while start < size:
            end = size
            if start + part_bytes < size:
                handle.seek(start + part_bytes)
                while (piece := handle.readline(2**20)) and not piece.endswith(b"\n"):
                    pass  # the cut moves on to the next line start, a MiB at a time
                end = handle.tell()
            yield InputPart(((str(path), None),), (start, end, line))
            handle.seek(start)
            line += sum(handle.read(min(2**20, end - at)).count(b"\n") for at in range(start, end, 2**20))
            start = end


def read_part(part: InputPart, options: ReaderOptions) -> Iterator[Article | Reject]:
    """Every Article and Reject of one partition, in order, streaming."""
    if part.span is not None:
        yield from read_json_lines(Path(part.files[0][0]), options, part.span)
        return
    for file, article_id in part.files:
        yield from read_file(file, options, article_id=article_id)


def _is_regular(path: Path) -> bool:
    """Whether ``path`` is (or links to) a regular file: reading a named pipe would wait for a writer
    forever, and a device never ends. A path that cannot be looked at is left to the reader's reject."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True
