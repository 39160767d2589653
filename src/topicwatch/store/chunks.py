"""Long lists of query parameters cut into the slices one SQL statement takes."""

from __future__ import annotations

from collections.abc import Iterator

QUERY_CHUNK = 5_000  # query parameters one statement takes (SQLite allows 32,766 since 3.32)


def query_chunks(values: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    """``values`` in slices of at most ``size``: the parameters of one ``IN (...)`` statement each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
