"""The archive's partition tasks: plain functions of one partition, run here, in worker processes or as
Dask tasks (see ``topicwatch.run``): reading and preparing input for ingest, labelling a corpus into
part files, and writing export parts. Each takes its partition first and shared state after, and
returns plain data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..embed import document_text
from ..model.article_lines import ArticleLine, line_fields
from ..model.estimator import TopicModel
from ..model.places import Mention, places_of
from ..model.work import embed_texts
from ..read import InputPart, ReaderOptions, read_part
from ..read.datasets import child, write_lines, write_parquet
from ..read.minhash import Fingerprint, fingerprint
from ..read.records import Article, Reject
from .workspace import TopicLines


@dataclass
class PreparedArticle:
    """An article read and normalized, with what the archive's indexes need of it."""

    article: Article
    fingerprint: Fingerprint
    places: list[Mention]


def prepare_part(part: InputPart, options: ReaderOptions) -> list[PreparedArticle | Reject]:
    """Read one input partition; fingerprint (near-duplicates) and find places of each article."""
    out: list[PreparedArticle | Reject] = []
    for item in read_part(part, options):
        if isinstance(item, Article):
            out.append(PreparedArticle(item, fingerprint(item.text), places_of(item.title, item.text)))
        else:
            out.append(item)
    return out


@dataclass
class PartSummary:
    """What a dataset task reports back: rows written, articles per topic, rejects."""

    rows: int
    topic_sizes: dict[int, int]
    rejects: list[Reject]


def label_input_part(job: tuple[int, InputPart], model: TopicModel, options: ReaderOptions, out: str,
                     lines: TopicLines, n_terms: int) -> PartSummary:
    """Read one input partition, label its articles with ``model``, write ``out/labels/part-N.parquet``."""
    index, part = job
    articles: list[Article] = []
    rejects: list[Reject] = []
    for item in read_part(part, options):
        (articles if isinstance(item, Article) else rejects).append(item)
    texts = [document_text(a.title, a.text) for a in articles]
    vectors = embed_texts(texts, model.embedding if isinstance(model.embedding, str) else model.embedder_)
    labelled = model.describe(texts, vectors)
    labels = labelled.labels
    write_parquet({
        "id": [a.id for a in articles], "topic": [int(t) for t in labels],
        "score": [float(s) for s in labelled.scores], **line_columns(labels, labelled.lines, lines, n_terms, [a.language for a in articles]),
        "title": [a.title for a in articles],
        "date": [a.date for a in articles], "source": [a.source for a in articles],
    }, child(out, "labels", f"part-{index:05d}.parquet"))
    if rejects:
        write_lines([{"where": r.where, "reason": r.reason} for r in rejects],
                    child(out, "rejects", f"part-{index:05d}.jsonl"))
    return PartSummary(len(articles), dict(Counter(int(t) for t in labels)), rejects)


def line_columns(topics: Sequence[int], own: Sequence[ArticleLine], topic_lines: TopicLines,
                 n_terms: int, languages: Sequence[str | None]) -> dict[str, list[str]]:
    """The three line columns of every export (``line_fields``), one value per article; the topic
    line each carries is in the article's language (``TopicLines.in_language``)."""
    rows = [line_fields(line, topic_lines.in_language(int(t), lang), n_terms)
            for t, line, lang in zip(topics, own, languages)]
    return {name: [row[name] for row in rows] for name in ("article_line", "topic_line", "line_source")}


def write_export_part(job: tuple[str, dict[str, list]]) -> int:
    """Write one part of an export (columns) to its target; returns its row count."""
    target, columns = job
    write_parquet(columns, target)
    return len(next(iter(columns.values()), []))
