"""How the estimator hands out partition work: the ``Runner`` protocol, the in-process ``LocalRunner``
(the default: no pool, no Dask), how rows are cut into partitions, and the embedding task.

Runners that spread the same work over processes or a Dask cluster live in ``topicwatch.run``; they
take the same plain task functions (a partition first, shared state after, plain data back), so
answers never depend on where they were computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from ..embed import Embedder, get_embedder

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def report_progress(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


class Runner(Protocol):
    """What the pipeline needs from a place to run partition tasks."""

    workers: int
    remote: bool  # tasks run in other processes: what they take is pickled and sent

    def share(self, value: Any) -> Any:
        """A handle to ``value`` that tasks can take as an argument (sent to each worker once)."""
        ...

    def imap(self, fn: Callable[..., Any], parts: Iterable[Any], *shared: Any) -> Iterator[Any]:
        """``fn(part, *shared)`` for each part; results in part order, as they become ready."""
        ...

    def close(self) -> None: ...


class LocalRunner:
    """Runs each partition here, lazily, in order: the single-machine path (no Dask imported)."""

    workers = 1
    remote = False

    def share(self, value: Any) -> Any:
        return value

    def imap(self, fn: Callable[..., Any], parts: Iterable[Any], *shared: Any) -> Iterator[Any]:
        for part in parts:
            yield fn(part, *shared)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return "LocalRunner()"


def partition_bounds(n: int, size: int, workers: int = 1) -> list[tuple[int, int]]:
    """(start, stop) of partitions of at most ``size`` rows; smaller when that keeps every worker busy
    (about four partitions a worker). Results never depend on the bounds, only the speed does."""
    if n == 0:
        return []
    if workers > 1:
        size = max(256, min(size, -(-n // (4 * workers))))
    return [(start, min(n, start + size)) for start in range(0, n, size)]


@lru_cache(maxsize=4)
def _worker_embedder(backend: str) -> Embedder:
    """One embedder per backend per process: a cluster worker loads its model once, not per task."""
    return get_embedder(backend)


def embed_texts(texts: Sequence[str], backend: str | Embedder) -> np.ndarray:
    """Vectors of one partition of texts."""
    embedder = _worker_embedder(backend) if isinstance(backend, str) else backend
    return embedder.encode(list(texts))


def encode_in_parts(
    runner: Runner, embedder: Embedder, backend: str | None, texts: Sequence[str], size: int = 4_096,
) -> Iterator[tuple[int, int, np.ndarray]]:
    """(start, stop, vectors) for partitions of ``texts``, in order. A cluster worker embeds with its
    own copy of ``backend`` when it names one; otherwise the embedder object itself travels."""
    bounds = partition_bounds(len(texts), size, runner.workers)
    how = backend if (backend and runner.remote) else embedder
    shared = runner.share(how)
    parts = (texts[start:stop] for start, stop in bounds)
    for (start, stop), vectors in zip(bounds, runner.imap(embed_texts, parts, shared)):
        yield start, stop, vectors


def embed_all(runner: Runner, embedder: Embedder, backend: str | None, texts: Sequence[str],
              done: Callable[[int], None] | None = None, size: int = 2_048) -> np.ndarray:
    """Embeddings of ``texts`` (``encode_in_parts``) in one array; ``done`` hears how many are done."""
    out = np.zeros((0, 1), np.float32)
    for start, stop, vectors in encode_in_parts(runner, embedder, backend, texts, size):
        if start == 0:
            out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
        out[start:stop] = vectors
        if done is not None:
            done(stop)
    return out
