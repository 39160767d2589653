"""What happened when: ``bursts`` (the strongest bursts of the whole archive) and ``events`` (what
was under way on a day, in a week or a range, with the shifts of level that began in it)."""

from __future__ import annotations

import csv
import sys
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from ...analyze.bursts import archive_bursts, burst_headline
from ...analyze.events import archive_events
from .analysis import Period
from .app import JsonOption, add_row, app, open_archive, out, print_json, say, singular_grain

SinceOption = Annotated[str | None, typer.Option(help="Only bursts ending on or after this date (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option(help="Only bursts starting on or before this date (YYYY-MM-DD).")]
CSV_FIELDS = ["level", "topic", "story", "start", "end", "weight", "articles", "share", "baseline", "keyword_line"]


class Level(str, Enum):
    """What bursts; the plural spellings of ``topics --level`` are taken as well."""

    event = "event"
    topic = "topic"
    story = "story"
    both = "both"
    topics = "topics"
    stories = "stories"

    @property
    def grain(self) -> str:
        return singular_grain(self.value)


def _burst_table(found: list[dict]) -> Table:
    table = Table("topic", "from", "to", "weight", "articles", "share (usual)", "keyword line / top articles",
                  header_style="bold")
    for b in found:
        titles = "\n".join(f"  {a['date']} {(a['title'] or '')[:70]}" for a in b["top_articles"][:3])
        line = burst_headline(b)
        if b.get("story_line"):  # the other line, beside it: an event's story, a topic burst's topic
            line += (f"\n  (story: {b['story_line']})" if b["level"] == "event" else f"\n  (topic: {b['keyword_line']})")
        where = str(b["topic"]) if b.get("story") is None else f"{b['topic']}/{b['story']}"
        add_row(table, where, b["start"], b["end"], f"{b['weight']:.1f}", str(b["articles"]),
                f"{b['share']:.1%} ({b['baseline']:.1%})", f"{line}\n{titles}")
    return table


def _print_csv(rows: list[dict]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


@app.command()
def bursts(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    by: Annotated[Period, typer.Option(help="Period length.")] = Period.week,
    level: Annotated[Level, typer.Option(
        help="Bursts of events (words that burst together), of topics, of their stories, or of both.")] = Level.event,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 20,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV rows.")] = False,
) -> None:
    """What spiked against its local baseline (Kleinberg's burst model), strongest first: events (the
    words that burst together, with the articles that carry them) or, with --level, topics and stories."""
    with open_archive(ctx) as archive:
        found = archive_bursts(archive, by.value, since, level=level.grain, until=until, limit=limit)
    if as_json:
        print_json(found)
    elif as_csv:
        _print_csv(found)
    elif not found:
        say(f"no {level.grain} bursts" + (f" from {since}" if since else "") + (f" to {until}" if until else ""))
    else:
        out.print(_burst_table(found))


@app.command()
def events(
    ctx: typer.Context,
    on: Annotated[str | None, typer.Option(help="What was under way on this day (YYYY-MM-DD).")] = None,
    week: Annotated[str | None, typer.Option(help="... in this ISO week (2011-W51).")] = None,
    since: Annotated[str | None, typer.Option(help="... from this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="... to this day (YYYY-MM-DD).")] = None,
    by: Annotated[Period, typer.Option(help="Period length.")] = Period.week,
    level: Annotated[Level, typer.Option(
        help="Bursts of events (words that burst together), of topics, of their stories, or of both.")] = Level.event,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many bursts.")] = 20,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the bursts as CSV rows.")] = False,
) -> None:
    """What spiked in a period: each burst with its story's line, its size against the baseline and its
    top articles; and the topics whose level shifted for good then."""
    with open_archive(ctx) as archive:
        found = archive_events(archive, by.value, on, week, since, until, limit, level=level.grain)
    if as_json:
        print_json(found)
        return
    if as_csv:
        _print_csv(found["bursts"])
        return
    span = f"{found['from'] or 'the start'} to {found['to'] or 'the end'}"
    if not found["bursts"]:
        say(f"no bursts from {span}")
    else:
        out.print(_burst_table(found["bursts"]))
    if found["undated"]:
        say(f"{found['undated']} articles without a date are left out")
    for shift in found["shifts"]:
        say(f"shift: topic {shift['topic']} from {shift['period']}: {shift['before']:.1%} -> {shift['after']:.1%}"
            f" of the archive ({shift['keyword_line'][:70]})")
