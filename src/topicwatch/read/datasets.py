"""Partitioned outputs a cluster can share: Parquet part files under a local folder or an fsspec URL.

A part is written to a temporary name and renamed, so a reader never sees half a part; a dataset
is complete when its ``_SUCCESS`` marker exists (written last, by the client). Needs pyarrow and
fsspec (``pip install 'topicwatch[cluster]'``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

SUCCESS = "_SUCCESS"


def child(base: str, *names: str) -> str:
    """``base/name/...`` for a local path or a URL."""
    return "/".join([base.rstrip("/"), *names])


def _filesystem(target: str):
    try:
        import fsspec
    except ImportError:
        raise ValueError("Parquet datasets need fsspec and pyarrow: pip install 'topicwatch[cluster]'") from None
    return fsspec.core.url_to_fs(target)


def write_parquet(columns: dict[str, Sequence[Any]], target: str) -> str:
    """Write one part file; returns its path. Appears whole or not at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, path = _filesystem(target)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    partial = path + ".partial"
    with fs.open(partial, "wb") as handle:
        pq.write_table(pa.table(dict(columns)), handle, compression="zstd")
    fs.mv(partial, path)
    return target


def write_lines(records: Sequence[dict[str, Any]], target: str) -> str:
    """Write records as JSON Lines (one part file), whole or not at all."""
    fs, path = _filesystem(target)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    partial = path + ".partial"
    with fs.open(partial, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    fs.mv(partial, path)
    return target


def prepare_dataset(target: str) -> None:
    """Make the dataset folder; refuse to mix with an earlier run's parts."""
    fs, path = _filesystem(target)
    if fs.exists(path) and fs.ls(path):
        raise ValueError(f"{target}: already exists and is not empty (choose a new --out, or remove it)")
    fs.makedirs(path, exist_ok=True)


def mark_complete(target: str, summary: dict[str, Any]) -> None:
    """Write ``_SUCCESS`` (with a summary): every part of the dataset is there."""
    fs, path = _filesystem(target)
    with fs.open(child(path, SUCCESS), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, ensure_ascii=False, indent=1)
