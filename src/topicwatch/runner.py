"""Where partition work runs: here, one partition after another, or on a Dask cluster.

Every partitioned stage (reading inputs, embedding, term counting, assignment, writing outputs) is a
plain function of one partition, handed to a runner. ``LocalRunner`` calls it in this process and
is the default; ``topicwatch.cluster.DaskRunner`` (imported only when ``--cluster`` is given) runs
the same functions as Dask tasks. Both give results in partition order, so answers do not depend on
where they were computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol


class ClusterError(RuntimeError):
    """The cluster could not be reached, or lost a task past its retries; nothing was written."""


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


def make_runner(cluster: str | None) -> Runner:
    """``LocalRunner`` without ``cluster``; else a Dask runner for ``local[:N]`` or a scheduler address."""
    if not cluster:
        return LocalRunner()
    from .cluster import DaskRunner

    return DaskRunner.connect(cluster)


def partition_bounds(n: int, size: int, workers: int = 1) -> list[tuple[int, int]]:
    """(start, stop) of partitions of at most ``size`` rows; smaller when that keeps every worker busy
    (about four partitions a worker). Results never depend on the bounds, only the speed does."""
    if n == 0:
        return []
    if workers > 1:
        size = max(256, min(size, -(-n // (4 * workers))))
    return [(start, min(n, start + size)) for start in range(0, n, size)]
