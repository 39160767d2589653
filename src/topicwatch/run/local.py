"""Where partition work runs: here, in worker processes on this machine, or on a Dask cluster.

Every partitioned stage (reading inputs, embedding, term counting, assignment, writing outputs) is a
plain function of one partition, handed to a runner. ``LocalRunner`` calls it in this process and
is the default; ``ProcessRunner`` spreads a Python-bound stage over this machine's cores;
``topicwatch.run.cluster.DaskRunner`` (imported only when ``--cluster`` is given) runs the same
functions as Dask tasks. All give results in partition order, so answers do not depend on where they
were computed.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol


class ClusterError(RuntimeError):
    """The cluster could not be reached, or lost a task past its retries (or a local worker process
    died); nothing was written."""


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


# Libraries that keep native worker threads: a child forked while they run could deadlock on a lock
# one of those threads held.
_THREADED_MODULES = ("torch", "tokenizers", "kiwipiepy", "distributed")


def fork_is_safe() -> bool:
    """Whether worker processes can be forked from this one now: the platform forks, this process runs
    one thread, and no library that keeps native worker threads is loaded."""
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and not any(m in sys.modules for m in _THREADED_MODULES))


def local_cores() -> int:
    """Worker processes for this machine: $TOPICWATCH_WORKERS, else the cores this process may use."""
    configured = os.environ.get("TOPICWATCH_WORKERS", "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"TOPICWATCH_WORKERS={configured!r}: expected a whole number of processes, 1 or more")
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class ProcessRunner:
    """Runs each partition in a pool of worker processes on this machine, results in order.

    For stages that are Python-bound (reading, normalizing, fingerprinting), which threads cannot
    spread over cores. Workers are forked when ``fork_is_safe()`` (instant, and they see the parent's
    modules), else started from a fork server (a script that makes one must guard its top level with
    ``if __name__ == "__main__"``). Values given to ``share`` travel with each task, so they should be
    small; the pool lives until ``close``.
    """

    remote = True

    def __init__(self, workers: int | None = None):
        self.workers = workers or local_cores()
        self._pool: ProcessPoolExecutor | None = None

    def share(self, value: Any) -> Any:
        return value

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            method = "fork" if fork_is_safe() else next(m for m in ("forkserver", "spawn") if m in methods)
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(["topicwatch.model.tasks"])
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=_exit_with_parent)
        return self._pool

    def imap(self, fn: Callable[..., Any], parts: Iterable[Any], *shared: Any) -> Iterator[Any]:
        pool = self._get_pool()
        window: deque[Future] = deque()
        try:
            for part in parts:
                window.append(pool.submit(fn, part, *shared))
                # Bounded: one task per worker runs while the caller handles the oldest result, so
                # every worker stays busy and at most one finished result waits in memory.
                if len(window) > self.workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        except BrokenProcessPool as exc:
            pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None  # the next stage starts a fresh pool
            raise ClusterError(f"a worker process died while running {getattr(fn, '__name__', fn)} "
                               f"(out of memory?): {exc}") from exc
        finally:
            for future in window:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __repr__(self) -> str:
        return f"ProcessRunner(workers={self.workers})"


def _exit_with_parent() -> None:
    """Worker initializer: the worker ends when the process that started it does.

    A pool's workers otherwise outlive a parent killed outright (``kill -9`` of an ``update``) and
    wait for work forever.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


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
