"""The command line: a thin skin over ``topicwatch.Archive``; each command is one API call."""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections.abc import Iterator
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
from rich.text import Text
from rich.tree import Tree

from ..analyze.bursts import archive_bursts
from ..analyze.over_time import keywords_by_period, sparkline
from ..archive.archive import DEFAULT_ARCHIVE, EXPORT_FORMATS, Archive
from ..model.aliases import AliasTable
from ..model.article_lines import DEFAULT_ARTICLE_TERMS, STORED_TERMS
from ..read import ReaderOptions
from ..run import ClusterError, make_runner
from ..store.archive_store import ArchiveError

app = typer.Typer(
    help="Find and follow the topics in a news archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ArchiveOption = Annotated[
    Path,
    typer.Option("--archive", "-a", envvar="TOPICWATCH_ARCHIVE",
                 help="The archive file (SQLite). Created by ingest if missing."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TermsOption = Annotated[int, typer.Option("--terms", min=1, max=STORED_TERMS,
                                          help="Terms in each article's own keyword line.")]


class Backend(str, Enum):
    fast = "fast"
    quality = "quality"


class Header(str, Enum):
    auto = "auto"
    keywords = "keywords"
    none = "none"


class Level(str, Enum):
    topics = "topics"
    stories = "stories"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    seed = "seed"
    parquet = "parquet"


assert {f.value for f in ExportFormat} == set(EXPORT_FORMATS)


@app.callback()
def main_options(ctx: typer.Context, archive: ArchiveOption = Path(DEFAULT_ARCHIVE)) -> None:
    """Find and follow the topics in a news archive. The archive is ./topicwatch.db unless --archive says."""
    ctx.obj = archive


@contextmanager
def _open(ctx: typer.Context, create: bool = False, cluster: str | None = None) -> Iterator[Archive]:
    """The archive, with its partitioned stages on a Dask cluster when ``cluster`` is given."""
    runner = make_runner(cluster)
    try:
        with Archive(ctx.obj, create=create, runner=runner) as archive:
            yield archive
    finally:
        runner.close()


ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", help="Run the partitioned stages on Dask: 'local' or 'local:N' (N worker processes here) or a "
                      "scheduler address such as tcp://host:8786. Default: this process, no Dask.")]


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


TextField = Annotated[str, typer.Option(help="JSON/CSV field holding the article text.")]
IdField = Annotated[str, typer.Option(help="JSON/CSV field holding the article id.")]
DateField = Annotated[str, typer.Option(help="JSON/CSV field holding the date.")]
TitleField = Annotated[str, typer.Option(help="JSON/CSV field holding the title.")]
HeaderOption = Annotated[Header, typer.Option(help="Text files: 'keywords' = first line is a keyword line (seed "
                                                   "format), 'none' = never, 'auto' = detect.")]
SourceOption = Annotated[str | None, typer.Option(help="Source name stored with every article.")]
StrictOption = Annotated[bool, typer.Option(help="Any reject: ingest nothing and exit 1.")]


def _print_reject(reject: Any) -> None:
    err.print(f"rejected {reject.message()}", markup=False, highlight=False)


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
    options = ReaderOptions(text_field=text_field, id_field=id_field, date_field=date_field,
                            title_field=title_field, header=header.value, source=source)
    with _open(ctx, create=True, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.ingest(
            paths, options, strict=strict, on_reject=_print_reject,
            on_article=lambda n: progress("ingest", n, 0) if n % 500 == 0 else None,
        )
    out.print(report.summary(), markup=False)
    if not report.committed:
        raise typer.Exit(1)


@app.command()
def update(
    ctx: typer.Context,
    sources: Annotated[list[str], typer.Argument(help="Files, folders or RSS/Atom feed URLs (http/https).")],
    text_field: TextField = "text", id_field: IdField = "id", date_field: DateField = "date",
    title_field: TitleField = "title", header: HeaderOption = Header.auto, source: SourceOption = None,
    strict: StrictOption = False, cluster: ClusterOption = None,
) -> None:
    """Ingest new articles and label only them: old articles keep their topics, ids keep their meaning."""
    options = ReaderOptions(text_field=text_field, id_field=id_field, date_field=date_field,
                            title_field=title_field, header=header.value, source=source)
    with _open(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.update(sources, options, strict=strict, on_reject=_print_reject, progress=progress)
    out.print(report.summary(), markup=False)
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
    with _open(ctx) as archive:
        try:
            while times is None or polls < times:
                try:
                    report = archive.update(urls, on_reject=_print_reject)
                    out.print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {report.summary()}", markup=False)
                except ValueError as exc:  # one feed down: say so, keep watching
                    err.print(f"topicwatch: {exc}", markup=False, highlight=False)
                polls += 1
                if times is None or polls < times:
                    time.sleep(interval)
        except KeyboardInterrupt:
            out.print("stopped watching", markup=False)


def parse_interval(text: str) -> float:
    """'30s', '15m', '2h' or plain seconds -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"bad interval {text!r}: use e.g. 30s, 15m, 2h")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


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
    cluster: ClusterOption = None,
) -> None:
    """Discover topics and label every article (replaces the current model)."""
    alias_table = AliasTable.from_file(aliases) if aliases else None
    with _open(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.fit(backend.value, n_topics=topics, seed=seed, aliases=alias_table, progress=progress)
    out.print(f"{report.topics} topics over {report.articles} articles "
              f"({report.unique_texts} distinct texts, backend {report.backend})", markup=False)


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
    with _open(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.refit(backend.value if backend else None, topics, seed, progress=progress,
                               aliases=alias_table)
    out.print(report.summary(), markup=False)


PlaceOption = Annotated[str | None, typer.Option("--place", help="A North Korean province, city or county, "
                                                 "any spelling (a province includes its cities and counties).")]


@app.command("topics")
def list_topics(
    ctx: typer.Context, as_json: JsonOption = False,
    new: Annotated[bool, typer.Option("--new", help="Only topics that updates created, newest first.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Only topics whose articles are mostly in this "
                                                            "language (ko, en, es, fr, de).")] = None,
    place: PlaceOption = None,
    level: Annotated[Level, typer.Option("--level", help="topics, or the stories inside them.")] = Level.topics,
    topic: Annotated[int | None, typer.Option("--topic", help="With --level stories: one topic's stories.")] = None,
) -> None:
    """List topics: id, size, date range, language, keyword line (--place: most mentions first);
    --level stories: the stories inside each topic, each with its own line."""
    if level is Level.stories or topic is not None:
        with _open(ctx) as archive:
            stories = archive.stories(topic)
        if as_json:
            out.print_json(json.dumps(stories, ensure_ascii=False))
            return
        table = Table("story", "topic", "size", "from", "to", "keyword line", header_style="bold")
        for st in stories:
            table.add_row(str(st["story"]), str(st["topic"]), str(st["size"]), st["first_date"] or "",
                          st["last_date"] or "", st["keyword_line"])
        out.print(table)
        return
    with _open(ctx) as archive:
        topics = archive.topics(lang=lang, place=place)
        if new:
            fresh = {t["topic"] for t in archive.new_topics()}
            topics = sorted((t for t in topics if t["topic"] in fresh), key=lambda t: -t["created"])
    if as_json:
        out.print_json(json.dumps(topics, ensure_ascii=False))
        return
    columns = ["topic", "size", *(["mentions"] if place else []), "from", "to", "lang", "keyword line"]
    table = Table(*columns, header_style="bold")
    for t in topics:
        table.add_row(str(t["topic"]), str(t["size"]), *([str(t["mentions"])] if place else []),
                      t["first_date"] or "", t["last_date"] or "", t["language"] or "",
                      t["label"] and f"[{t['label']}] {t['keyword_line']}" or t["keyword_line"])
    out.print(table)


@app.command()
def show(ctx: typer.Context, article_id: Annotated[str, typer.Argument(help="The article's id.")],
         as_json: JsonOption = False, terms: TermsOption = DEFAULT_ARTICLE_TERMS) -> None:
    """Print one article with its own keyword line as a header (seed format)."""
    with _open(ctx) as archive:
        article = archive.article(article_id, n_terms=terms)
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
    out_dir: Annotated[str, typer.Option("--out", "-o", help="Folder to write into (created if missing); for "
                                                          "parquet also an fsspec URL.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl: assignments.jsonl + topics.json; "
                                              "csv: assignments.csv + topics.csv; seed: seed/<id>.txt, "
                                              "the article's keyword line then the article; parquet: "
                                              "assignments/part-*.parquet + topics.jsonl.")] = ExportFormat.jsonl,
    cluster: ClusterOption = None, terms: TermsOption = DEFAULT_ARTICLE_TERMS,
) -> None:
    """Write every article's topic, its own keyword line and its topic's."""
    with _open(ctx, cluster=cluster) as archive:
        written = archive.export(out_dir, fmt.value, n_terms=terms)
    out.print("wrote " + ", ".join(str(p) for p in written), markup=False)


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
    options = ReaderOptions(text_field=text_field, id_field=id_field, date_field=date_field,
                            title_field=title_field)
    with _open(ctx, cluster=cluster) as archive, progress_bars() as progress:
        report = archive.label_dataset(inputs, out_dir, options, progress=progress, n_terms=terms)
    for reject in report.rejects[:20]:
        _print_reject(reject)
    out.print(report.summary(), markup=False)


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
    with _open(ctx) as archive:
        scores = archive.evaluate(label_field, unseen or ())
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


from . import cli_web  # noqa: F401  (registers serve/search/report)


class Period(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


@app.command()
def trends(
    ctx: typer.Context,
    topic: Annotated[int | None, typer.Option(help="One topic: its counts per period.")] = None,
    by: Annotated[Period, typer.Option(help="Period length.")] = Period.month,
    keywords: Annotated[bool, typer.Option("--keywords", help="With --topic: its keyword line per period.")]
    = False,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV rows (topic, period, count, share).")] = False,
    place: PlaceOption = None,
    dedupe: Annotated[bool, typer.Option(help="Count a group of near-duplicates once, at its earliest date.")]
    = True,
) -> None:
    """Topics over time: article counts and shares per period, a sparkline per topic."""
    with _open(ctx) as archive:
        if keywords:
            if topic is None:
                raise ValueError("--keywords needs --topic ID")
            lines = keywords_by_period(archive, topic, by.value)
            if as_json:
                out.print_json(json.dumps(lines, ensure_ascii=False))
                return
            table = Table("period", "articles", "keyword line", header_style="bold")
            for row in lines:
                table.add_row(row["period"], str(row["articles"]), " ".join(row["keywords"]))
            out.print(table)
            return
        result = archive.trends(by.value, place=place, dedupe=dedupe)
        lines = {t["topic"]: t for t in archive.topics()}
    rows = [r for r in result.rows() if topic is None or r["topic"] == topic]
    if topic is not None and topic not in result.counts:
        raise ValueError(f"no topic {topic} in the current model")
    if as_json:
        out.print_json(json.dumps({"by": by.value, "undated": result.undated, "rows": rows}))
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=["topic", "period", "count", "share"])
        writer.writeheader()
        writer.writerows(rows)
    elif topic is not None:
        table = Table("period", "articles", "share", header_style="bold",
                      title=lines[topic]["keyword_line"] if topic in lines else None)
        for r in rows:
            table.add_row(r["period"], str(r["count"]), f"{r['share']:.1%}")
        out.print(table)
    else:
        span = f"{result.periods[0]} .. {result.periods[-1]}" if result.periods else "no dated articles"
        table = Table("topic", "articles", f"per {by.value} ({span})", "keyword line", header_style="bold")
        for t, counts in sorted(result.counts.items()):
            if t in lines:
                table.add_row(str(t), str(sum(counts)), sparkline(counts), lines[t]["keyword_line"])
        out.print(table)
    if result.undated and not (as_json or as_csv):
        out.print(f"{result.undated} articles without a date are left out", markup=False)


@app.command()
def places(
    ctx: typer.Context,
    topic: Annotated[int | None, typer.Option(help="Only this topic's articles.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many places.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """North Korean places the articles name: articles per place, and the topics that name it most."""
    with _open(ctx) as archive:
        rows = archive.places(topic)[:limit]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("place", "kind", "province", "articles", "top topics (articles)", header_style="bold")
    for row in rows:
        tops = ", ".join(f"{t}: {n}" for t, n in list(row["topics"].items())[:5])
        table.add_row(row["place"], row["kind"], row["province"] or "", str(row["articles"]), tops)
    out.print(table)


@app.command()
def duplicates(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many groups.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Groups of near-duplicate articles (reposts, lightly edited wire copies), largest first."""
    with _open(ctx) as archive:
        groups = archive.duplicates()
    if as_json:
        out.print_json(json.dumps(groups[:limit], ensure_ascii=False))
        return
    table = Table("group", "id", "date", "similarity", "title", header_style="bold")
    for n, group in enumerate(groups[:limit], 1):
        for i, a in enumerate(group["articles"]):
            table.add_row(str(n) if i == 0 else "", a["id"], a["date"] or "",
                          "first" if i == 0 else f"{a['similarity']:.2f}", (a["title"] or "")[:70])
    out.print(table)
    members = sum(g["size"] - 1 for g in groups)
    out.print(f"{len(groups)} groups; {members} articles repeat an earlier one", markup=False)


@app.command()
def bursts(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Only bursts ending on or after this date (YYYY-MM-DD).")]
    = None,
    by: Annotated[Period, typer.Option(help="Period length.")] = Period.week,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Topic-periods that spike against the topic's own baseline (Kleinberg's burst model), strongest first."""
    with _open(ctx) as archive:
        found = archive_bursts(archive, by.value, since)[:limit]
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False))
        return
    table = Table("topic", "from", "to", "weight", "articles", "share (usual)", "keyword line / top articles",
                  header_style="bold")
    for b in found:
        titles = "\n".join(f"  {a['date']} {a['title'][:70]}" for a in b["top_articles"][:3])
        table.add_row(str(b["topic"]), b["start"], b["end"], f"{b['weight']:.1f}", str(b["articles"]),
                      f"{b['share']:.0%} ({b['baseline']:.0%})", f"{b['keyword_line']}\n{titles}")
    out.print(table)


topic_app = typer.Typer(help="Edit topics: rename, merge, split; see a topic's keyword-line history.",
                        no_args_is_help=True)
app.add_typer(topic_app, name="topic")


@topic_app.command("rename")
def topic_rename(ctx: typer.Context, topic: int, label: Annotated[str, typer.Argument(help="The new label.")]) -> None:
    """Give a topic your own label (kept through updates and refits; shown everywhere)."""
    with _open(ctx.parent) as archive:
        archive.rename_topic(topic, label)
    out.print(f"topic {topic} is now {label!r}", markup=False)


@topic_app.command("merge")
def topic_merge(ctx: typer.Context, topics: Annotated[list[int], typer.Argument(help="TARGET OTHER...")]) -> None:
    """Merge topics into the first one: their articles move to it, and so will future ones."""
    with _open(ctx.parent) as archive:
        archive.merge_topics(topics[0], topics[1:])
    out.print(f"merged {', '.join(map(str, topics[1:]))} into {topics[0]}", markup=False)


@topic_app.command("split")
def topic_split(ctx: typer.Context, topic: int,
                into: Annotated[int, typer.Option("--into", min=2, help="How many parts.")] = 2) -> None:
    """Split a topic into new topics (new ids); its old id is retired."""
    with _open(ctx.parent) as archive:
        ids = archive.split_topic(topic, into)
    out.print(f"split {topic} into {', '.join(map(str, ids))}", markup=False)


@topic_app.command("history")
def topic_history(ctx: typer.Context, topic: int, as_json: JsonOption = False) -> None:
    """Every version of a topic's keyword line, with the dates it covered."""
    with _open(ctx.parent) as archive:
        versions = archive.keyword_history(topic)
    if as_json:
        out.print_json(json.dumps(versions, ensure_ascii=False))
        return
    table = Table("version", "made", "articles from", "to", "keyword line", header_style="bold")
    for v in versions:
        table.add_row(str(v["version"]), time.strftime("%Y-%m-%d %H:%M", time.localtime(v["created"])),
                      v["first_date"] or "", v["last_date"] or "", " ".join(v["keywords"]))
    out.print(table)


@app.command()
def tree(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The hierarchy of topics: which merge first (average linkage of topic centres, cosine)."""
    with _open(ctx) as archive:
        root = archive.topic_tree()
    if as_json:
        out.print_json(json.dumps(root, ensure_ascii=False))
        return

    def grow(node: dict, branch: Tree) -> None:
        if "children" in node:
            sub = branch.add(f"[dim]{node['size']} articles, distance {node['distance']}[/dim]")
            for child in node["children"]:
                grow(child, sub)
        else:
            label = f" [{node['label']}]" if node.get("label") else ""
            branch.add(Text(f"{node['topic']}{label} ({node['size']}): {node['keyword_line']}"))

    top = Tree("topics")
    if root:
        grow(root, top)
    out.print(top)


USER_ERRORS = (ArchiveError, ClusterError, ValueError, KeyError, FileNotFoundError, PermissionError, IsADirectoryError)


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
