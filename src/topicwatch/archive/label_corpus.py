"""Labelling a corpus with the current model without adding it to the archive, partition by partition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model.article_lines import DEFAULT_ARTICLE_TERMS
from ..model.estimator import Progress
from ..read import InputPart, ReaderOptions, check_options, plan_parts
from ..read.datasets import child, mark_complete, prepare_dataset, write_lines
from ..read.records import Reject
from .export import topic_record
from .tasks import PartSummary, label_input_part
from .workspace import Workspace, check_terms


@dataclass
class LabelReport:
    """What ``label_dataset`` wrote: articles labelled, per topic, and rejects."""

    out: str
    articles: int = 0
    topic_sizes: dict[int, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)

    def add(self, part: PartSummary) -> None:
        self.articles += part.rows
        for topic, n in part.topic_sizes.items():
            self.topic_sizes[topic] = self.topic_sizes.get(topic, 0) + n
        self.rejects.extend(part.rejects)

    def summary(self) -> str:
        return (f"labelled {self.articles} articles into {len(self.topic_sizes)} topics / rejected "
                f"{len(self.rejects)} -> {self.out}")


def label_dataset(
    ws: Workspace, inputs: Sequence[str | Path], out: str, options: ReaderOptions | None = None,
    progress: Progress | None = None, n_terms: int = DEFAULT_ARTICLE_TERMS,
) -> LabelReport:
    """Label a corpus with the current model, partition by partition (see ``Archive.label_dataset``)."""
    options = options or ReaderOptions()
    check_options(options)
    check_terms(n_terms)
    record, model = ws.load_model()
    every_topic = ws.store.topics(record["id"], include_retired=True)
    lines = ws.topic_lines(record["id"])
    plan = list(plan_parts(ws.for_workers(inputs), workers=ws.runner.workers))
    parts = [p for p in plan if isinstance(p, InputPart)]
    unlisted = [p for p in plan if isinstance(p, Reject)]  # inputs that could not be listed
    report = LabelReport(out, rejects=list(unlisted))
    prepare_dataset(out)
    shared = [ws.runner.share(x) for x in (model, options, out, lines, n_terms)]
    for done, summary in enumerate(ws.runner.imap(label_input_part, enumerate(parts), *shared), start=1):
        report.add(summary)
        if progress is not None:
            progress("label", done, len(parts))
    if unlisted:
        write_lines([{"where": r.where, "reason": r.reason} for r in unlisted], child(out, "rejects", "inputs.jsonl"))
    write_lines([topic_record(t, lines) for t in every_topic if not t["retired"]], child(out, "topics.jsonl"))
    mark_complete(out, {"articles": report.articles, "rejected": len(report.rejects),
                        "model": record["id"], "archive": str(ws.path)})
    return report
