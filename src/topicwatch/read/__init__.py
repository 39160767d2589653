"""Readers for every input format: each yields :class:`Article` or :class:`Reject`, never raising.

``read_inputs`` takes files and folders. A folder is walked recursively in sorted order, skipping
hidden files and folders and, silently, files of unknown types. Files are dispatched by extension:

* ``.txt`` -- one article per file, optional seed keyword line (:mod:`.text_files`);
* ``.jsonl``, ``.ndjson`` (also gzipped), ``.json``, ``.json.gz`` -- JSON records (:mod:`.json_lines`);
* ``.csv``, ``.tsv`` (also gzipped) -- one record per row (:mod:`.csv_files`);
* ``.xml``, ``.rss``, ``.atom`` -- RSS 2.0 / Atom feeds (:mod:`.feeds`);
* ``.html``, ``.htm`` -- saved article pages (:mod:`.html_pages`);
* ``.parquet`` -- one record per row (:mod:`.parquet_files`, needs pyarrow).

Inputs are read in partitions (:mod:`.partitions`) so that a cluster can read them in parallel.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from topicwatch.read.common import ReaderOptions
from topicwatch.read.files import file_kind, read_file
from topicwatch.read.partitions import InputPart, plan_parts, read_part
from topicwatch.read.records import Article, Reject

__all__ = ["InputPart", "ReaderOptions", "check_options", "file_kind", "plan_parts", "read_file", "read_inputs",
           "read_part"]

HEADER_MODES = ("auto", "keywords", "none")


def check_options(options: ReaderOptions) -> None:
    if options.header not in HEADER_MODES:
        raise ValueError(f"header must be one of {', '.join(HEADER_MODES)}, not {options.header!r}")


def read_inputs(
    paths: Iterable[str | Path], options: ReaderOptions | None = None
) -> Iterator[Article | Reject]:
    """Articles and rejects from files and folders, in order; see the module docstring."""
    options = options or ReaderOptions()
    check_options(options)
    for part in plan_parts(paths):
        if isinstance(part, Reject):
            yield part
        else:
            yield from read_part(part, options)
