"""Parquet reader: one Article per row, read a row group at a time (needs pyarrow: topicwatch[cluster]).

Columns are mapped like JSON fields (``--text-field`` and the others); other columns go to metadata.
``where`` is ``file:row N`` (rows counted from 1). A row group that cannot be read (damaged data, a
page whose checksum does not match) is one reject, ``file:row group N``; the other groups are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import ReaderOptions, article_from_mapping, one_line, reject, source_name
from topicwatch.read.records import Article, RecordError, Reject

NEEDS_PYARROW = "reading Parquet needs pyarrow: pip install 'topicwatch[cluster]'"


def read_parquet(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        yield reject(str(path), NEEDS_PYARROW)
        return
    # pyarrow reports damaged data as ArrowException, OSError or ValueError (a UnicodeDecodeError
    # for a name or a string that is not UTF-8); each is this file's or this row group's reject.
    damaged = (pa.ArrowException, OSError, ValueError)
    try:
        parquet = pq.ParquetFile(path, page_checksum_verification=True)
    except damaged as exc:
        yield reject(str(path), f"not a readable Parquet file: {one_line(str(exc))[:160]}")
        return
    source = source_name(path, options)
    row = 0
    for group in range(parquet.num_row_groups):
        try:
            records = parquet.read_row_group(group).to_pylist()
        except damaged as exc:
            rows = parquet.metadata.row_group(group).num_rows
            yield reject(f"{path}:row group {group + 1}",
                         f"unreadable row group (rows {row + 1}-{row + rows}): {one_line(str(exc))[:160]}")
            row += rows
            continue
        for record in records:
            row += 1
            where = f"{path}:row {row}"
            try:
                yield article_from_mapping(record, options, default_id=f"{path.name}:{row}", source=source,
                                           where=where)
            except RecordError as exc:
                yield reject(where, str(exc), str(record)[:200])
