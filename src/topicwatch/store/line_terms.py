"""Each article's own keyword line kept a second time, as numbers: the ids of its terms in ``line_terms``.

The line is stored as JSON for every reader (``show``, the exports, the page). The event grain reads
every line of the archive at once, and on 100,000 articles parsing the JSON and looking its terms
up took a quarter of a second of the half a second a call spends reading; the same terms as 32-bit
ids (``assignments.terms``, little-endian) are one array for the whole archive. The ids are given
when a line is written (``put_assignments``, and once for an archive made before: ``schema.migrate``)
and never change: a term keeps its id for every model.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

import numpy as np

from .chunks import query_chunks

TERM_ID = np.dtype("<i4")  # how one term's id is written in ``assignments.terms``


def encoded_lines(conn: sqlite3.Connection, lines: Sequence[str | None]) -> list[bytes | None]:
    """The ``assignments.terms`` value of each line (JSON terms, or None for an article carrying its
    topic's line), giving the terms not yet in ``line_terms`` their ids (inside the caller's
    transaction)."""
    parsed = [json.loads(line) if line else None for line in lines]
    wanted = sorted({term for terms in parsed if terms for term in terms})
    ids = _ids_of(conn, wanted)
    new = [term for term in wanted if term not in ids]
    if new:
        # OR IGNORE: a writer outside a transaction may have given one of them its id meanwhile
        conn.executemany("INSERT OR IGNORE INTO line_terms(term) VALUES (?)", ((term,) for term in new))
        ids.update(_ids_of(conn, new))
    return [None if terms is None else np.fromiter(map(ids.__getitem__, terms), dtype=TERM_ID,
                                                   count=len(terms)).tobytes() for terms in parsed]


def decoded_lines(encoded: Sequence[bytes | None]) -> tuple[np.ndarray, np.ndarray]:
    """(every line's term ids one line after another, how many each line holds) of ``assignments.terms``
    values (None: no terms)."""
    blobs = [blob or b"" for blob in encoded]
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // TERM_ID.itemsize
    return np.frombuffer(b"".join(blobs), dtype=TERM_ID).astype(np.int64), sizes


def term_texts(conn: sqlite3.Connection) -> dict[int, str]:
    """id -> term of every term a stored line has held."""
    return dict(conn.execute("SELECT id, term FROM line_terms"))


def _ids_of(conn: sqlite3.Connection, terms: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in query_chunks(terms):
        ids.update(conn.execute(f"SELECT term, id FROM line_terms WHERE term IN ({','.join('?' * len(chunk))})", chunk))
    return ids
