"""The analyst's commands: ``serve`` (the web page), ``search`` and ``report``; thin over their modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ...analyze.search import MODES, search
from .app import MAX_ID, JsonOption, add_row, app, open_archive, out, print_json, say, shown, warn

ArchiveHere = Annotated[Path | None, typer.Option("--archive", "-a", help="The archive file (overrides the "
                                                  "global --archive).")]


def _archive_path(ctx: typer.Context, archive: Path | None) -> Path:
    if archive is not None:
        ctx.obj = archive
    return Path(ctx.obj)


@app.command()
def serve(
    ctx: typer.Context,
    archive: ArchiveHere = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8765,
    host: Annotated[str, typer.Option(help="Address to bind. Beyond 127.0.0.1, editing needs --token.")]
    = "127.0.0.1",
    token: Annotated[str | None, typer.Option(envvar="TOPICWATCH_TOKEN", show_envvar=True,
                                              help="Require 'Authorization: Bearer TOKEN' to edit.")] = None,
) -> None:
    """Serve the analyst's page (topics, map, trends, search, renaming) and its JSON API."""
    from ..web.server import serve as run_server
    from ..web.state import is_loopback

    path = _archive_path(ctx, archive)
    with open_archive(ctx):  # a missing or foreign file is a one-line error before the server starts
        pass
    shown = f"[{host}]" if ":" in host else host
    out.print(f"topicwatch: serving {path} on http://{shown}:{port}/ (API: /openapi.json; Ctrl-C stops)",
              markup=False, highlight=False)
    if not is_loopback(host) and not token:
        warn("topicwatch: bound beyond localhost without a token: editing is off (use --token)")
    run_server(path, host=host, port=port, token=token)


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to look for; any text.")],
    archive: ArchiveHere = None,
    topic: Annotated[int | None, typer.Option("--topic", min=0, max=MAX_ID, help="Only articles of this topic.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From date: YYYY, YYYY-MM or YYYY-MM-DD.")]
    = None,
    date_to: Annotated[str | None, typer.Option("--to", help="To date, inclusive.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only this language (e.g. en).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Show at most this many.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many (paging).")] = 0,
    mode: Annotated[str, typer.Option(help=f"How to match: {', '.join(MODES)}.")] = "combined",
    place: Annotated[str | None, typer.Option("--place", help="Only articles that mention this place "
                                                              "(a province includes its cities and counties).")]
    = None,
    as_json: JsonOption = False,
) -> None:
    """Search the archive by words (ranked full text) and meaning (embeddings), combined."""
    _archive_path(ctx, archive)
    with open_archive(ctx) as opened:
        hits = search(opened, query, topic=topic, date_from=date_from, date_to=date_to, language=lang,
                      source=source, limit=limit, offset=offset, mode=mode, place=place)
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    if not hits:
        say("no matches")
        return
    table = Table("#", "id", "date", "topic", "title / match", header_style="bold", show_lines=True)
    for rank, hit in enumerate(hits, start=offset + 1):
        match = Text(shown(hit.title) + "\n", style="bold")
        for piece, is_hit in hit.snippet_parts:
            match.append(shown(piece), style="reverse" if is_hit else "")
        topic = "" if hit.topic is None else str(hit.topic)
        add_row(table, str(rank), Text(shown(hit.id)), hit.date or "", topic, match)
    out.print(table)


@app.command()
def report(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")]
    = Path("report.html"),
    archive: ArchiveHere = None,
    top: Annotated[int, typer.Option(min=1, max=50, help="Top articles shown per topic.")] = 5,
    map_points: Annotated[int, typer.Option(min=10, max=5000, help="Most articles drawn on the map.")] = 2000,
) -> None:
    """Write one self-contained HTML report: topics, map, trends and top articles (no network needed)."""
    from ..report import write_report

    _archive_path(ctx, archive)
    with open_archive(ctx) as opened:
        written = write_report(opened, out_file, top=top, map_points=map_points)
    say(f"wrote {written}")
