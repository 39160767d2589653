"""The command line: a thin skin over ``topicwatch.Archive``; each command is one API call."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .archive import DEFAULT_ARCHIVE, EXPORT_FORMATS, Archive
from .readers import ReaderOptions
from .store import ArchiveError
from .topics.aliases import AliasTable

app = typer.Typer(
    help="Find and follow the topics in a news archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True)

ArchiveOption = Annotated[
    Path,
    typer.Option("--archive", "-a", envvar="TOPICWATCH_ARCHIVE",
                 help="The archive file (SQLite). Created by ingest if missing."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class Backend(str, Enum):
    fast = "fast"
    quality = "quality"


class Header(str, Enum):
    auto = "auto"
    keywords = "keywords"
    none = "none"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    seed = "seed"


assert {f.value for f in ExportFormat} == set(EXPORT_FORMATS)


@app.callback()
def main_options(ctx: typer.Context, archive: ArchiveOption = Path(DEFAULT_ARCHIVE)) -> None:
    """Find and follow the topics in a news archive. The archive is ./topicwatch.db unless --archive says."""
    ctx.obj = archive


def _open(ctx: typer.Context, create: bool = False) -> Archive:
    return Archive(ctx.obj, create=create)


@contextmanager
def progress_bars():
    """A progress callback ``(stage, done, total)`` drawing one rich bar per stage on stderr."""
    bars = Progress(SpinnerColumn(), TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        bars.update(tasks[stage], completed=done, total=total)

    with bars:
        yield update


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .txt, .jsonl[.gz], .json, .csv, .tsv, "
                                                     "RSS/Atom .xml, saved .html pages.")],
    text_field: Annotated[str, typer.Option(help="JSON/CSV field holding the article text.")] = "text",
    id_field: Annotated[str, typer.Option(help="JSON/CSV field holding the article id.")] = "id",
    date_field: Annotated[str, typer.Option(help="JSON/CSV field holding the date.")] = "date",
    title_field: Annotated[str, typer.Option(help="JSON/CSV field holding the title.")] = "title",
    header: Annotated[Header, typer.Option(help="Text files: 'keywords' = first line is a keyword line (seed "
                                                "format), 'none' = never, 'auto' = detect.")] = Header.auto,
    source: Annotated[str | None, typer.Option(help="Source name stored with every article.")] = None,
    strict: Annotated[bool, typer.Option(help="Any reject: ingest nothing and exit 1.")] = False,
) -> None:
    """Read articles into the archive. Bad records are reported, kept in 'rejects', and skipped."""
    options = ReaderOptions(text_field=text_field, id_field=id_field, date_field=date_field,
                            title_field=title_field, header=header.value, source=source)
    with _open(ctx, create=True) as archive, progress_bars() as progress:
        report = archive.ingest(
            paths, options, strict=strict,
            on_reject=lambda r: err.print(f"rejected {r.message()}", markup=False, highlight=False),
            on_article=lambda n: progress("ingest", n, 0) if n % 500 == 0 else None,
        )
    out.print(report.summary(), markup=False)
    if not report.committed:
        raise typer.Exit(1)


@app.command()
def fit(
    ctx: typer.Context,
    backend: Annotated[Backend, typer.Option(help="'fast' (static model, seconds) or 'quality' (MiniLM).")]
    = Backend.fast,
    topics: Annotated[int | None, typer.Option("--topics", "-k", min=1,
                                                  help="Number of topics (default: chosen from archive size).")]
    = None,
    seed: Annotated[int, typer.Option(help="Random seed: same input + seed = same topics and ids.")] = 0,
    aliases: Annotated[Path | None, typer.Option(help="Alias file: 'canonical = variant, variant' lines.")]
    = None,
) -> None:
    """Discover topics and label every article (replaces the current model)."""
    alias_table = AliasTable.from_file(aliases) if aliases else None
    with _open(ctx) as archive, progress_bars() as progress:
        report = archive.fit(backend.value, n_topics=topics, seed=seed, aliases=alias_table, progress=progress)
    out.print(f"{report.topics} topics over {report.articles} articles "
              f"({report.unique_texts} distinct texts, backend {report.backend})", markup=False)


@app.command("topics")
def list_topics(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List topics: id, size, date range, keyword line."""
    with _open(ctx) as archive:
        topics = archive.topics()
    if as_json:
        out.print_json(json.dumps(topics, ensure_ascii=False))
        return
    table = Table("topic", "size", "from", "to", "keyword line", header_style="bold")
    for t in topics:
        table.add_row(str(t["topic"]), str(t["size"]), t["first_date"] or "", t["last_date"] or "",
                      t["label"] and f"[{t['label']}] {t['keyword_line']}" or t["keyword_line"])
    out.print(table)


@app.command()
def show(ctx: typer.Context, article_id: Annotated[str, typer.Argument(help="The article's id.")],
         as_json: JsonOption = False) -> None:
    """Print one article with its keyword line as a header (seed format)."""
    with _open(ctx) as archive:
        article = archive.article(article_id)
    if as_json:
        out.print_json(json.dumps(article, ensure_ascii=False))
        return
    body = article["text"]
    if article["title"] and not body.startswith(article["title"]):
        body = f"{article['title']}\n{body}"
    header = article["keyword_line"] or "(no topics yet: run 'topicwatch fit')"
    sys.stdout.write(f"{header}\n{body}\n")


@app.command()
def export(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into (created if missing).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl: assignments.jsonl + topics.json; "
                                              "csv: assignments.csv + topics.csv; seed: seed/<id>.txt, "
                                              "keyword line then the article.")] = ExportFormat.jsonl,
) -> None:
    """Write every article's topic and keyword line."""
    with _open(ctx) as archive:
        written = archive.export(out_dir, fmt.value)
    out.print("wrote " + ", ".join(str(p) for p in written), markup=False)


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    label_field: Annotated[str | None, typer.Option(help="Metadata field with a reference label: "
                                                            "adds NMI and ARI.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score the current topics: NPMI, C_V, diversity, outlier share (and NMI/ARI against labels)."""
    with _open(ctx) as archive:
        scores = archive.evaluate(label_field)
    if as_json:
        out.print_json(json.dumps(scores.as_dict()))
        return
    table = Table("measure", "value", header_style="bold")
    for key, value in scores.as_dict().items():
        if value is not None:
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    out.print(table)


@app.command()
def rejects(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """List the records ingest could not take, with where they were and why."""
    with _open(ctx) as archive:
        rows = archive.rejects(limit)
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("where", "reason", "snippet", header_style="bold")
    for row in rows:
        table.add_row(row["where"], row["reason"], row["snippet"][:60])
    out.print(table)


@app.command()
def sample(out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write the sample corpus.")]) -> None:
    """Write topicwatch's bundled demo corpus (84 short articles written for this project) as JSONL."""
    data = resources.files("topicwatch").joinpath("data/sample_articles.jsonl").read_bytes()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    out.print(f"wrote {out_file}", markup=False)


USER_ERRORS = (ArchiveError, ValueError, KeyError, FileNotFoundError, PermissionError, IsADirectoryError)


def main() -> None:
    """Console entry point: user mistakes become one line on stderr and exit status 1."""
    try:
        app()
    except USER_ERRORS as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err.print(f"topicwatch: error: {message}", markup=False, highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("topicwatch: interrupted; the archive is as it was before this command", markup=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
