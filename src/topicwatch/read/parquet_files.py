"""Parquet reader: one Article per row, read a row group at a time (needs pyarrow: topicwatch[cluster]).

Columns are mapped like JSON fields (``--text-field`` and the others); other columns go to metadata.
``where`` is ``file:row N`` (rows counted from 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from topicwatch.read.common import ReaderOptions, article_from_mapping, reject, source_name
from topicwatch.read.records import Article, RecordError, Reject

NEEDS_PYARROW = "reading Parquet needs pyarrow: pip install 'topicwatch[cluster]'"


def read_parquet(path: Path, options: ReaderOptions) -> Iterator[Article | Reject]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        yield reject(str(path), NEEDS_PYARROW)
        return
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        yield reject(str(path), f"not a readable Parquet file: {exc}")
        return
    source = source_name(path, options)
    row = 0
    for group in range(parquet.num_row_groups):
        for record in parquet.read_row_group(group).to_pylist():
            row += 1
            where = f"{path}:row {row}"
            try:
                yield article_from_mapping(record, options, default_id=f"{path.name}:{row}", source=source,
                                           where=where)
            except RecordError as exc:
                yield reject(where, str(exc), str(record)[:200])
