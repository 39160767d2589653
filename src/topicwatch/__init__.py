"""topicwatch: find and follow the topics in a news archive.

Public API: ``TopicModel`` (scikit-learn shaped estimator over texts) and ``Archive`` (the archive
file that the command line works on). Imported on first use, so ``import topicwatch.embed`` (a GPU
worker, a cluster task) does not pull in the archive's dependencies.
"""

from importlib import import_module

_EXPORTS = {
    "Archive": ".archive.archive", "FitReport": ".archive.archive", "IngestReport": ".archive.archive",
    "Topic": ".model.estimator", "TopicModel": ".model.estimator", "ReaderOptions": ".read",
    "Article": ".read.records", "Reject": ".read.records",
}

__all__ = ["Archive", "Article", "FitReport", "IngestReport", "ReaderOptions", "Reject", "Topic", "TopicModel"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'topicwatch' has no attribute {name!r}")
