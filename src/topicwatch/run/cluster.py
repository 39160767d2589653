"""A ``Runner`` over Dask's distributed scheduler: each partition task is one Dask task.

``--cluster local`` / ``local:N`` starts a ``distributed.LocalCluster`` of N single-threaded worker
processes (and stops it afterwards); anything else is the address of a running scheduler
(``tcp://host:8786``). Workers need topicwatch installed, at the same version as the client.

Failures: a task that raises is retried (``retries``); a worker that dies mid-task has its tasks
rerun elsewhere by the scheduler (up to Dask's ``distributed.scheduler.allowed-failures``). When that
runs out, the run stops with a ``ClusterError`` naming the stage and partition, and the caller's
transaction writes nothing.
"""

from __future__ import annotations

import logging
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import Any

import dask
from distributed import Client, LocalCluster
from distributed.scheduler import KilledWorker

from .local import ClusterError

_LOCAL = re.compile(r"^local(?::(\d+))?$")


def _held(value: Any) -> Any:
    """What ``share`` runs: the value itself, as a task result other tasks depend on."""
    return value


def parse_cluster(spec: str) -> tuple[str, int | None]:
    """("local", workers) or ("address", None) for a ``--cluster`` value; ValueError when malformed."""
    spec = spec.strip()
    match = _LOCAL.match(spec)
    if match:
        workers = int(match.group(1)) if match.group(1) else min(4, os.cpu_count() or 1)
        if workers < 1:
            raise ValueError(f"--cluster {spec}: a local cluster needs at least one worker")
        return "local", workers
    if re.match(r"^(tcp|tls|ucx|inproc)://[^\s/]+$", spec):
        return "address", None
    raise ValueError(f"--cluster {spec!r}: expected local, local:N or a scheduler address such as tcp://host:8786")


class DaskRunner:
    """Partition tasks as Dask tasks, at most ``window`` per worker in flight, results in order."""

    remote = True

    def __init__(self, client: Client, cluster: LocalCluster | None = None, retries: int = 2):
        self.client = client
        self.cluster = cluster
        self.retries = retries
        self.workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))

    @classmethod
    def connect(cls, spec: str, timeout: float = 10.0) -> DaskRunner:
        # Partitions travel inside their tasks (tens of MB) so that a lost worker's tasks can be rerun
        # elsewhere; Dask would warn about each such "large graph".
        dask.config.set({"distributed.admin.large-graph-warning-threshold": "1GB"})
        kind, workers = parse_cluster(spec)
        if kind == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=logging.ERROR)
            return cls(Client(cluster), cluster)
        try:
            client = Client(spec, timeout=timeout)
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {spec}: {exc}") from None
        if not client.scheduler_info(n_workers=-1)["workers"]:
            client.wait_for_workers(1, timeout=timeout)
        return cls(client)

    def share(self, value: Any) -> Any:
        # A task that returns the value, not ``scatter``: the scheduler keeps the task, so when the
        # worker holding the value dies the value is rebuilt elsewhere; scattered data would be lost.
        return self.client.submit(_held, value, pure=False)

    def imap(self, fn: Callable[..., Any], parts: Iterable[Any], *shared: Any) -> Iterator[Any]:
        window = 4 * self.workers
        pending: deque = deque()
        stage = getattr(fn, "__name__", "task")
        for index, part in enumerate(parts):
            pending.append((index, self.client.submit(fn, part, *shared, pure=False, retries=self.retries)))
            if len(pending) >= window:
                yield self._result(stage, *pending.popleft())
        while pending:
            yield self._result(stage, *pending.popleft())

    @staticmethod
    def _result(stage: str, index: int, future) -> Any:
        try:
            return future.result()
        except KilledWorker as exc:
            raise ClusterError(
                f"{stage}, partition {index}: workers died running it more times than Dask allows ({exc})"
            ) from None
        except CancelledError as exc:
            raise ClusterError(f"{stage}, partition {index}: cancelled by the cluster ({exc})") from None

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __repr__(self) -> str:
        return f"DaskRunner({self.client.scheduler.address}, workers={self.workers})"
