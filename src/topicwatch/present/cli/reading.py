"""Reading out of the archive: ``show``, ``export``, ``label``, ``eval``, ``rejects`` and ``sample``."""

from __future__ import annotations

import sys
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ...archive.archive import EXPORT_FORMATS
from ...embed import document_text
from ...model.article_lines import DEFAULT_ARTICLE_TERMS
from .app import (
    ClusterOption,
    DateField,
    IdField,
    JsonOption,
    TermsOption,
    TextField,
    TitleField,
    add_row,
    app,
    open_archive,
    out,
    print_json,
    print_reject,
    progress_bars,
    reader_options,
    say,
    shown,
)


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    seed = "seed"
    parquet = "parquet"


assert {f.value for f in ExportFormat} == set(EXPORT_FORMATS)


@app.command()
def show(ctx: typer.Context, article_id: Annotated[str, typer.Argument(help="The article's id.")],
         as_json: JsonOption = False, terms: TermsOption = DEFAULT_ARTICLE_TERMS) -> None:
    """Print one article with its own keyword line as a header (seed format)."""
    with open_archive(ctx) as archive:
        article = archive.article(article_id, n_terms=terms)
    if as_json:
        print_json(article)
        return
    body = document_text(article["title"], article["text"])
    header = article["keyword_line"] or "(not labelled yet: run 'topicwatch update', or 'topicwatch fit' first)"
    sys.stdout.write(shown(f"{header}\n{body}\n"))


@app.command()
def export(
    ctx: typer.Context,
    out_dir: Annotated[str, typer.Option("--out", "-o", help="Folder to write into (created if missing); for "
                                                          "parquet also an fsspec URL.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl: assignments.jsonl + topics.json; "
                                              "csv: assignments.csv + topics.csv; seed: seed/<id>.txt, "
                                              "the article's keyword line then the article; parquet: "
                                              "assignments/part-*.parquet + topics.jsonl.")] = ExportFormat.jsonl,
    cluster: ClusterOption = None, terms: TermsOption = DEFAULT_ARTICLE_TERMS,
) -> None:
    """Write every article's topic, its own keyword line and its topic's."""
    with open_archive(ctx, cluster=cluster) as archive:
        written = archive.export(out_dir, fmt.value, n_terms=terms)
    say("wrote " + ", ".join(str(p) for p in written))


@app.command()
def label(
    ctx: typer.Context,
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders to label (.jsonl, .parquet, any input "
                                                      "format); not added to the archive.")],
    out_dir: Annotated[str, typer.Option("--out", "-o", help="New folder or fsspec URL for labels/part-*.parquet, "
                                                             "rejects/, topics.jsonl and _SUCCESS.")],
    text_field: TextField = "text", id_field: IdField = "id", date_field: DateField = "date",
    title_field: TitleField = "title", cluster: ClusterOption = None, terms: TermsOption = DEFAULT_ARTICLE_TERMS,
) -> None:
    """Label a corpus with the archive's current model, partition by partition, into Parquet files."""
    options = reader_options(text_field, id_field, date_field, title_field)
    with open_archive(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.label_dataset(inputs, out_dir, options, progress=progress, n_terms=terms)
    for reject in report.rejects[:20]:
        print_reject(reject)
    say(report.summary())


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    label_field: Annotated[str | None, typer.Option(help="Metadata field with a reference label: "
                                                            "adds NMI and ARI.")] = None,
    unseen: Annotated[list[Path] | None, typer.Option(
        "--unseen", help="Articles of the same source not in the archive (any input format): the topic "
                         "lines' NPMI against them leads, the figure that generalizes.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score the current topics: NPMI on unseen text (with --unseen), NPMI on the archive's own text (a
    diagnostic), C_V, diversity, outlier share (and NMI/ARI against labels)."""
    with open_archive(ctx) as archive:
        scores = archive.evaluate(label_field, unseen or ())
    if as_json:
        print_json(scores.as_dict())
        return
    table = Table("measure", "value", header_style="bold")
    for key, value in scores.as_dict().items():
        if value is not None:
            add_row(table, key, f"{value:.4f}" if isinstance(value, float) else str(value))
    out.print(table)


@app.command()
def rejects(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List the records ingest could not take, with where they were and why."""
    with open_archive(ctx) as archive:
        rows = archive.rejects(limit)
    if as_json:
        print_json(rows)
        return
    table = Table("where", "reason", "snippet", header_style="bold")
    for row in rows:
        add_row(table, row["where"], row["reason"], row["snippet"][:60])
    out.print(table)


@app.command()
def sample(out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write the sample corpus.")]) -> None:
    """Write topicwatch's bundled demo corpus (84 short articles written for this project) as JSONL."""
    data = resources.files("topicwatch").joinpath("data/sample_articles.jsonl").read_bytes()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    say(f"wrote {out_file}")
