"""The embedding cache: each text is embedded once per backend and kept in the archive by content hash."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed import BACKENDS, Embedder, backend_named
from ..model.estimator import Progress
from ..model.work import encode_in_parts
from .workspace import Workspace


def cached_embeddings(
    ws: Workspace, hashes: Sequence[str], texts: Sequence[str], embedder: Embedder, progress: Progress | None = None,
    partition_size: int = 4_096,
) -> np.ndarray:
    """Embeddings for texts keyed by content hash; cached in the archive per (hash, backend).

    Texts not in the cache are embedded partition by partition on the archive's runner (here, or
    cluster workers that each load the model once) and cached as each partition comes back.
    """
    store = ws.store
    vectors: np.ndarray | None = None
    missing: list[int] = []
    for start in range(0, len(hashes), partition_size):
        part_hashes = hashes[start : start + partition_size]
        cached = store.cached_embeddings(part_hashes, embedder.name)
        for i, h in enumerate(part_hashes):
            if h in cached:
                if vectors is None:
                    vectors = np.empty((len(hashes), len(cached[h])), dtype=np.float32)
                vectors[start + i] = cached[h]
            else:
                missing.append(start + i)
    done = len(hashes) - len(missing)
    if progress is not None:
        progress("embed", done, len(hashes))
    missing_texts = [texts[i] for i in missing]
    for start, stop, fresh in encode_in_parts(ws.runner, embedder, _backend_name_of(embedder), missing_texts,
                                              partition_size):
        rows = missing[start:stop]
        if vectors is None:
            vectors = np.empty((len(hashes), fresh.shape[1]), dtype=np.float32)
        vectors[rows] = fresh
        with store.transaction():
            store.put_embeddings([hashes[i] for i in rows], fresh, embedder.name)
        if progress is not None:
            progress("embed", done + stop, len(hashes))
    return vectors if vectors is not None else np.zeros((0, 1), np.float32)


def _backend_name_of(embedder: Embedder) -> str | None:
    """The backend name ('fast' / 'quality') a cluster worker can load for this embedder, if any."""
    backend = backend_named(embedder.name)
    return backend if backend is not None and isinstance(embedder, BACKENDS[backend]) else None
