"""What the topics show: ``trends``, ``places``, ``duplicates`` and the ``tree`` of topics."""

from __future__ import annotations

import csv
import sys
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ...analyze.over_time import keywords_by_period, sparkline
from .app import MAX_ID, JsonOption, PlaceOption, add_row, app, open_archive, out, print_json, say, shown


class Period(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


@app.command()
def trends(
    ctx: typer.Context,
    topic: Annotated[int | None, typer.Option(min=0, max=MAX_ID, help="One topic: its counts per period.")] = None,
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
    if keywords:
        keyword_trend(ctx, topic, by, as_json)
        return
    with open_archive(ctx) as archive:
        result = archive.trends(by.value, place=place, dedupe=dedupe, topic=topic)
    rows, lines = result.rows(), result.lines
    if as_json:
        print_json({"by": by.value, "undated": result.undated, "rows": rows})
    elif as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=["topic", "period", "count", "share"])
        writer.writeheader()
        writer.writerows(rows)
    elif topic is not None:
        table = Table("period", "articles", "share", header_style="bold",
                      title=lines.get(topic))
        for r in rows:
            add_row(table, r["period"], str(r["count"]), f"{r['share']:.1%}")
        out.print(table)
    else:
        span = f"{result.periods[0]} .. {result.periods[-1]}" if result.periods else "no dated articles"
        table = Table("topic", "articles", f"per {by.value} ({span})", "keyword line", header_style="bold")
        for t, counts in sorted(result.counts.items()):
            if t in lines:
                add_row(table, str(t), str(sum(counts)), sparkline(counts), lines[t])
        out.print(table)
    if result.undated and not (as_json or as_csv):
        say(f"{result.undated} articles without a date are left out")


def keyword_trend(ctx: typer.Context, topic: int | None, by: Period, as_json: bool) -> None:
    """``trends --topic ID --keywords``: the topic's keyword line in each period."""
    with open_archive(ctx) as archive:
        if topic is None:
            raise ValueError("--keywords needs --topic ID")
        lines = keywords_by_period(archive, topic, by.value)
    if as_json:
        print_json(lines)
        return
    table = Table("period", "articles", "keyword line", header_style="bold")
    for row in lines:
        add_row(table, row["period"], str(row["articles"]), " ".join(row["keywords"]))
    out.print(table)


@app.command()
def places(
    ctx: typer.Context,
    topic: Annotated[int | None, typer.Option(min=0, max=MAX_ID, help="Only this topic's articles.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many places.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """North Korean places the articles name: articles per place, and the topics that name it most."""
    with open_archive(ctx) as archive:
        rows = archive.places(topic)[:limit]
    if as_json:
        print_json(rows)
        return
    table = Table("place", "kind", "province", "articles", "top topics (articles)", header_style="bold")
    for row in rows:
        tops = ", ".join(f"{t}: {n}" for t, n in list(row["topics"].items())[:5])
        add_row(table, row["place"], row["kind"], row["province"] or "", str(row["articles"]), tops)
    out.print(table)


@app.command()
def duplicates(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many groups.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Groups of near-duplicate articles (reposts, lightly edited wire copies), largest first."""
    with open_archive(ctx) as archive:
        groups = archive.duplicates()
    if as_json:
        print_json(groups[:limit])
        return
    table = Table("group", "id", "date", "similarity", "title", header_style="bold")
    for n, group in enumerate(groups[:limit], 1):
        for i, a in enumerate(group["articles"]):
            add_row(table, str(n) if i == 0 else "", a["id"], a["date"] or "",
                          "first" if i == 0 else f"{a['similarity']:.2f}", (a["title"] or "")[:70])
    out.print(table)
    members = sum(g["size"] - 1 for g in groups)
    say(f"{len(groups)} groups; {members} articles repeat an earlier one")


@app.command()
def tree(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The hierarchy of topics: which merge first (average linkage of topic centres, cosine)."""
    with open_archive(ctx) as archive:
        root = archive.topic_tree()
    if as_json:
        print_json(root)
        return

    def grow(node: dict, branch: Tree) -> None:
        if "children" in node:
            sub = branch.add(f"[dim]{node['size']} articles, distance {node['distance']}[/dim]")
            for child in node["children"]:
                grow(child, sub)
        else:
            label = f" [{node['label']}]" if node.get("label") else ""
            branch.add(Text(shown(f"{node['topic']}{label} ({node['size']}): {node['keyword_line']}")))

    top = Tree("topics")
    if root:
        grow(root, top)
    out.print(top)
