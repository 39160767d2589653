"""Export: the current labels and lines as JSON Lines, CSV, the seed format (one text file per article,
headed by its own line) or Parquet; files appear whole or not at all."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..embed import document_text
from ..model.article_lines import DEFAULT_ARTICLE_TERMS, ArticleLine, line_fields
from ..read.datasets import child, mark_complete, prepare_dataset, write_lines
from .tasks import line_columns, write_export_part
from .workspace import TopicLines, Workspace, check_terms

EXPORT_FORMATS = ("jsonl", "csv", "seed", "parquet")
EXPORT_PART_ROWS = 100_000


@dataclass
class ExportLines:
    """What an export needs to write lines: each topic's line and how long an article's own line is."""

    topic_lines: TopicLines
    n_terms: int



def export(ws: Workspace, out_dir: str | Path, fmt: str = "jsonl",
           n_terms: int = DEFAULT_ARTICLE_TERMS) -> list[Path | str]:
    """Write the current labels to ``out_dir`` (see ``Archive.export``)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    check_terms(n_terms)
    model = ws.labelled_model()
    topics = ws.store.topics(model["id"])
    lines = ExportLines(ws.topic_lines(model["id"]), n_terms)
    if fmt == "parquet" and "://" in str(out_dir):
        target = str(out_dir)
        prepare_dataset(target)
        written = _export_parquet_parts(ws, target, model["id"], lines)
        write_lines([topic_record(t, lines.topic_lines) for t in topics], child(target, "topics.jsonl"))
        mark_complete(target, {"articles": written, "topics": len(topics)})
        return [child(target, "assignments"), child(target, "topics.jsonl")]
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder (export writes a folder of files)")
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    try:
        written = _EXPORTERS[fmt](ws, staging, model["id"], topics, lines)
        final = []
        for path in written:
            target = out / path.relative_to(staging)
            if path.is_dir() and target.exists():
                shutil.rmtree(target)
            os.replace(path, target)
            final.append(target)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)

def _export_parquet_parts(ws: Workspace, target: str, model_id: int, lines: ExportLines) -> int:
    """Labelled articles as Parquet parts under ``target/assignments``, written by the runner."""
    def jobs():
        for index, rows in enumerate(ws.store.labeled_articles(model_id, EXPORT_PART_ROWS)):
            ids, topics, scores, titles, dates, sources, own, own_sources, languages = (list(c) for c in zip(*rows))
            stored = [ArticleLine.stored(line, source) for line, source in zip(own, own_sources)]
            yield child(target, "assignments", f"part-{index:05d}.parquet"), {
                "id": ids, "topic": topics, "score": scores,
                **line_columns(topics, stored, lines.topic_lines, lines.n_terms, languages),
                "title": titles, "date": dates, "source": sources}

    return sum(ws.runner.imap(write_export_part, jobs()))

def _article_lines(ws: Workspace, model_id: int, lines: ExportLines
                   ) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(article id, topic, its line fields) of every labelled article, in ingest order."""
    for article_id, topic, own, source, language in ws.store.article_lines(model_id):
        yield article_id, topic, line_fields(ArticleLine.stored(own, source),
                                             lines.topic_lines.in_language(topic, language), lines.n_terms)

def _export_jsonl(ws: Workspace, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    assignments = out / "assignments.jsonl"
    with open(assignments, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"id": article_id, "topic": topic, **fields}, ensure_ascii=False) + "\n"
                          for article_id, topic, fields in _article_lines(ws, model_id, lines))
    topics_path = out / "topics.json"
    topics_path.write_text(json.dumps([topic_record(t, lines.topic_lines) for t in topics], ensure_ascii=False,
                                      indent=1),
                           encoding="utf-8")
    return [assignments, topics_path]


def _export_csv(ws: Workspace, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    assignments = out / "assignments.csv"
    with open(assignments, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "topic", "article_line", "topic_line", "line_source"])
        for article_id, topic, fields in _article_lines(ws, model_id, lines):
            writer.writerow([article_id, topic, fields["article_line"], fields["topic_line"], fields["line_source"]])
    topics_path = out / "topics.csv"
    with open(topics_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        languages = lines.topic_lines.all_languages()  # a column for each language topics have lines in
        writer.writerow(["topic", "size", "first_date", "last_date", "label", "keyword_line",
                         *(f"keyword_line_{lang}" for lang in languages)])
        for t in topics:
            own = lines.topic_lines.languages(t["topic"])
            writer.writerow([t["topic"], t["size"], t["first_date"], t["last_date"], t["label"] or "",
                             lines.topic_lines[t["topic"]], *(own.get(lang, "") for lang in languages)])
    return [assignments, topics_path]


_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def seed_file_name(article_id: str, taken: set[str]) -> str:
    """A file name for an article id: safe characters only, made unique when two ids fold together."""
    base = _UNSAFE_RE.sub("_", article_id).strip("._")[:120] or "article"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name + ".txt"


def _export_seed(ws: Workspace, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    folder = out / "seed"
    folder.mkdir()
    taken: set[str] = set()
    header = {article_id: fields["article_line"] for article_id, _, fields in _article_lines(ws, model_id, lines)}
    for part in ws.store.iter_articles():
        for a in part:
            body = document_text(a.title, a.text)
            path = folder / seed_file_name(a.id, taken)
            path.write_text(f"{header[a.id]}\n{body}\n", encoding="utf-8")
    return [folder]


def _export_parquet(ws: Workspace, out: Path, model_id: int, topics: list[dict], lines: ExportLines) -> list[Path]:
    _export_parquet_parts(ws, str(out), model_id, lines)
    topics_path = out / "topics.jsonl"
    write_lines([topic_record(t, lines.topic_lines) for t in topics], str(topics_path))
    return [out / "assignments", topics_path]


def topic_record(t: dict, lines: TopicLines) -> dict:
    """A topic as exported; ``topic_lines``: language -> its line, where its articles use several."""
    record = {"topic": t["topic"], "keywords": t["keywords"], "size": t["size"], "label": t["label"]}
    by_language = lines.languages(t["topic"])
    return {**record, "topic_lines": by_language} if by_language else record


_EXPORTERS = {"jsonl": _export_jsonl, "csv": _export_csv, "seed": _export_seed, "parquet": _export_parquet}
