"""Where partition work runs: in this process (``LocalRunner``), in worker processes on this machine
(``ProcessRunner``, ``local.py``) or on a Dask cluster (``DaskRunner``, ``cluster.py``, imported only
when asked for). The runner protocol and the plain task functions live with the layer whose work they
are (``topicwatch.model.work``, ``topicwatch.archive.tasks``)."""

from __future__ import annotations

from .local import ClusterError, LocalRunner, ProcessRunner, Runner

__all__ = ["ClusterError", "LocalRunner", "ProcessRunner", "Runner", "make_runner"]


def make_runner(cluster: str | None) -> Runner:
    """``LocalRunner`` without ``cluster``; else a Dask runner for ``local[:N]`` or a scheduler address."""
    if not cluster:
        return LocalRunner()
    from .cluster import DaskRunner

    return DaskRunner.connect(cluster)
