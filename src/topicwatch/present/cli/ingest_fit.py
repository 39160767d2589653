"""Filling the archive and fitting its model: ``ingest``, ``update``, ``watch``, ``fit``, ``refit``."""

from __future__ import annotations

import re
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ...model.aliases import AliasTable
from .app import (
    ClusterOption,
    DateField,
    Header,
    HeaderOption,
    IdField,
    SourceOption,
    TextField,
    TitleField,
    app,
    open_archive,
    print_reject,
    progress_bars,
    reader_options,
    say,
    warn,
)


class Backend(str, Enum):
    auto = "auto"
    fast = "fast"
    quality = "quality"
    multilingual = "multilingual"
    multilingual_quality = "multilingual-quality"


StrictOption = Annotated[bool, typer.Option(help="Any reject: ingest nothing and exit 1.")]


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .txt, .jsonl[.gz], .json, .csv, .tsv, "
                                                     "RSS/Atom .xml, saved .html pages.")],
    text_field: TextField = "text", id_field: IdField = "id", date_field: DateField = "date",
    title_field: TitleField = "title", header: HeaderOption = Header.auto, source: SourceOption = None,
    strict: StrictOption = False, cluster: ClusterOption = None,
) -> None:
    """Read articles into the archive. Bad records are reported, kept in 'rejects', and skipped."""
    options = reader_options(text_field, id_field, date_field, title_field, header, source)
    with open_archive(ctx, create=True, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.ingest(
            paths, options, strict=strict, on_reject=print_reject,
            on_article=lambda n: progress("ingest", n, 0) if n % 500 == 0 else None,
        )
    say(report.summary())
    if not report.committed:
        raise typer.Exit(1)


@app.command()
def update(
    ctx: typer.Context,
    sources: Annotated[list[str] | None, typer.Argument(
        help="Files, folders or RSS/Atom feed URLs (http/https); none: label the articles ingested since.")] = None,
    text_field: TextField = "text", id_field: IdField = "id", date_field: DateField = "date",
    title_field: TitleField = "title", header: HeaderOption = Header.auto, source: SourceOption = None,
    strict: StrictOption = False, cluster: ClusterOption = None,
) -> None:
    """Ingest new articles and label only them: old articles keep their topics, ids keep their meaning."""
    options = reader_options(text_field, id_field, date_field, title_field, header, source)
    with open_archive(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.update(sources or (), options, strict=strict, on_reject=print_reject, progress=progress)
    say(report.summary())
    if report.ingest is not None and not report.ingest.committed:
        raise typer.Exit(1)


@app.command()
def watch(
    ctx: typer.Context,
    urls: Annotated[list[str], typer.Argument(help="RSS/Atom feed URLs to poll.")],
    every: Annotated[str, typer.Option(help="Polling interval: 30s, 15m, 2h.")] = "15m",
    times: Annotated[int | None, typer.Option(help="Stop after this many polls (default: until Ctrl-C).")]
    = None,
) -> None:
    """Poll feeds and update the archive on each poll, until Ctrl-C (unchanged feeds cost one 304)."""
    interval = parse_interval(every)
    polls = 0
    with open_archive(ctx) as archive:
        try:
            while times is None or polls < times:
                try:
                    report = archive.update(urls, on_reject=print_reject)
                    say(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {report.summary()}")
                except ValueError as exc:  # one feed down: say so, keep watching
                    warn(f"topicwatch: {exc}")
                polls += 1
                if times is None or polls < times:
                    time.sleep(interval)
        except KeyboardInterrupt:
            say("stopped watching")


def parse_interval(text: str) -> float:
    """'30s', '15m', '2h' or plain seconds -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"bad interval {text!r}: use e.g. 30s, 15m, 2h")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


@app.command()
def fit(
    ctx: typer.Context,
    backend: Annotated[Backend, typer.Option(
        help="'auto': 'multilingual' for English and Korean together, else 'fast' (static MiniLM, seconds); "
             "'quality' (MiniLM); 'multilingual-quality' (e5 itself, slow).")] = Backend.auto,
    topics: Annotated[int | None, typer.Option("--topics", "-k", min=1,
                                                  help="Number of topics (default: chosen from archive size).")]
    = None,
    seed: Annotated[int, typer.Option(help="Random seed: same input + seed = same topics and ids.")] = 0,
    aliases: Annotated[Path | None, typer.Option(help="Alias file: 'canonical = variant, variant' lines.")]
    = None,
    cluster: ClusterOption = None,
) -> None:
    """Discover topics and label every article (replaces the current model)."""
    alias_table = AliasTable.from_file(aliases) if aliases else None
    with open_archive(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.fit(backend.value, n_topics=topics, seed=seed, aliases=alias_table, progress=progress)
    say(f"{report.topics} topics over {report.articles} articles "
        f"({report.unique_texts} distinct texts, backend {report.backend})")


@app.command()
def refit(
    ctx: typer.Context,
    backend: Annotated[Backend | None, typer.Option(help="Default: the current model's.")] = None,
    topics: Annotated[int | None, typer.Option("--topics", "-k", min=1, help="Default: as before.")] = None,
    seed: Annotated[int | None, typer.Option(help="Default: as before.")] = None,
    aliases: Annotated[Path | None, typer.Option(help="Alias file: 'canonical = variant, variant' lines "
                                                     "(default: the current model's names).")] = None,
    cluster: ClusterOption = None,
) -> None:
    """Fit anew over everything; topics that continue keep their ids. Says what merged, split, was added."""
    alias_table = AliasTable.from_file(aliases) if aliases else None
    with open_archive(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.refit(backend.value if backend else None, topics, seed, progress=progress,
                               aliases=alias_table)
    say(report.summary())
