"""Running topicwatch's partition tasks on a Dask cluster (``--cluster``); imported only when asked for."""

from .dask_runner import ClusterError, DaskRunner, parse_cluster

__all__ = ["ClusterError", "DaskRunner", "parse_cluster"]
