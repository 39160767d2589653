"""The open archive every use case works on: the archive file (its store), where partition work runs,
and the reads all of them share (the current model, each topic's line)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.article_lines import STORED_TERMS
from ..model.describe import keyword_line
from ..model.estimator import TopicModel
from ..run import LocalRunner, ProcessRunner, Runner
from ..run.local import fork_is_safe, local_cores
from ..store import ArchiveError, Store

DEFAULT_ARCHIVE = "topicwatch.db"


class Workspace:
    """An archive file opened for work: ``store`` (its tables), ``runner`` (where partitioned stages
    run: here by default, or a Dask cluster) and, made on first need, a pool of local worker
    processes for reading inputs."""

    def __init__(self, path: str | Path, *, create: bool = True, runner: Runner | None = None):
        self.path = Path(path)
        self.store = Store(self.path, create=create)
        self.runner: Runner = runner or LocalRunner()
        self._processes: ProcessRunner | None = None

    def close(self) -> None:
        if self._processes is not None:
            self._processes.close()
            self._processes = None
        self.store.close()

    def current_model(self, state: bool = True) -> dict[str, Any]:
        """The current model's record (``state=False``: without its state, tens of megabytes on a big
        archive); an error that says what to run when there is none yet."""
        model = self.store.current_model(state)
        if model is None:
            raise ArchiveError(f"{self.path}: no topics yet (run 'topicwatch fit' first)")
        return model

    def current_model_id(self) -> int:
        """The current model's id (its state not read); the same error as ``current_model``."""
        return int(self.current_model(state=False)["id"])

    def labelled_model(self) -> dict[str, Any]:
        """The current model's record, when it has labelled every article; else an error that says
        what to run (articles ingested after the last fit or update)."""
        model = self.current_model()
        waiting = self.store.count_unassigned(model["id"])
        if waiting:
            raise ArchiveError(f"{self.path}: {waiting} articles are not labelled yet (run 'topicwatch update')")
        return model

    def load_model(self) -> tuple[dict[str, Any], TopicModel]:
        record = self.current_model()
        return record, TopicModel.from_bytes(record["state"])

    def topic_lines(self, model_id: int) -> TopicLines:
        return topic_lines(self.store, model_id)

    def reading_runner(self) -> Runner:
        """Where input partitions are read and prepared: the archive's runner, except that on one
        machine with several cores a pool of forked worker processes does it (reading, normalizing and
        fingerprinting are Python-bound, so threads could not share the work out). A process that has
        already loaded a library with native threads (torch, say) reads here instead: forking it is
        not safe, and starting clean interpreters would cost more than the reading."""
        if self._processes is None and isinstance(self.runner, LocalRunner) and local_cores() > 1 and fork_is_safe():
            self._processes = ProcessRunner()
        return self._processes or self.runner

    def for_workers(self, paths: Sequence[str | Path]) -> list[str | Path]:
        """Input paths as cluster workers must see them: absolute (their working folder is not ours)."""
        return [Path(p).absolute() for p in paths] if self.runner.remote else list(paths)


@dataclass(frozen=True)
class TopicLines:
    """Each topic's keyword line (``lines[topic]``) and, for a topic whose articles use several
    languages, its line in each (``in_language``): an article carries its topic's line in its own
    language."""

    main: dict[int, str]
    by_language: dict[int, dict[str, str]]

    def __getitem__(self, topic: int) -> str:
        return self.main[topic]

    def in_language(self, topic: int, language: str | None) -> str:
        """The topic's line in ``language`` where it has one, else its main line."""
        return self.by_language.get(topic, {}).get(language or "", self.main[topic])

    def languages(self, topic: int) -> dict[str, str]:
        """language -> the topic's line in it ({} for a topic of one language: its main line is its line)."""
        return dict(self.by_language.get(topic, {}))

    def all_languages(self) -> list[str]:
        """Every language some topic has a line in, sorted."""
        return sorted({lang for lines in self.by_language.values() for lang in lines})


def topic_lines(store: Store, model_id: int) -> TopicLines:
    """Each topic's keyword lines (retired topics' too): the one map from topic to line that reads,
    exports, search and the web page use."""
    return TopicLines({topic: keyword_line(words) for topic, words in store.topic_keywords(model_id).items()},
                      {topic: {lang: keyword_line(words) for lang, words in lines.items()}
                       for topic, lines in store.topic_language_lines(model_id).items()})


def check_terms(n_terms: int) -> None:
    if not 1 <= n_terms <= STORED_TERMS:
        raise ValueError(f"--terms must be between 1 and {STORED_TERMS} (got {n_terms})")
