"""Where partition work runs besides this process: worker processes on this machine, or a Dask cluster.

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
from typing import Any

from ..model.work import LocalRunner, Runner, partition_bounds


class ClusterError(RuntimeError):
    """The cluster could not be reached, or lost a task past its retries (or a local worker process
    died); nothing was written."""


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
                context.set_forkserver_preload(["topicwatch.archive.tasks", "topicwatch.model.estimator"])
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


__all__ = ["ClusterError", "LocalRunner", "ProcessRunner", "Runner", "fork_is_safe", "local_cores", "partition_bounds"]
