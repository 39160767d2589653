"""The topics: ``topics`` lists them (or their stories); ``topic rename|merge|split|history`` edits them."""

from __future__ import annotations

import time
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from .app import (
    MAX_ID,
    JsonOption,
    PlaceOption,
    TopicArgument,
    add_row,
    app,
    open_archive,
    out,
    print_json,
    say,
    singular_grain,
)


class Level(str, Enum):
    """The grain listed; singular as ``bursts --level`` spells it, the plural taken as well."""

    topic = "topic"
    story = "story"
    topics = "topics"
    stories = "stories"


@app.command("topics")
def list_topics(
    ctx: typer.Context, as_json: JsonOption = False,
    new: Annotated[bool, typer.Option("--new", help="Only topics that updates created, newest first.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Only topics with articles in this language (mostly, "
                                                            "or enough for a line in it): ko, en, es, fr, de; "
                                                            "their lines in it.")] = None,
    place: PlaceOption = None,
    level: Annotated[Level, typer.Option("--level", help="topic, or story: the stories inside the topics.")] = Level.topic,
    topic: Annotated[int | None, typer.Option("--topic", min=0, max=MAX_ID,
                                                      help="With --level story: one topic's stories.")] = None,
) -> None:
    """List topics: id, size, date range, language, keyword line (--place: most mentions first);
    --level story: the stories inside each topic, each with its own line."""
    if singular_grain(level.value) == "story" or topic is not None:
        list_stories(ctx, topic, as_json)
        return
    with open_archive(ctx) as archive:
        topics = archive.topics(lang=lang, place=place, new=new)
    if as_json:
        print_json(topics)
        return
    columns = ["topic", "size", *(["mentions"] if place else []), "from", "to", "lang", "keyword line"]
    table = Table(*columns, header_style="bold")
    for t in topics:
        add_row(table, str(t["topic"]), str(t["size"]), *([str(t["mentions"])] if place else []),
                      t["first_date"] or "", t["last_date"] or "", t["language"] or "",
                      (f"[{t['label']}] " if t["label"] else "") + shown_lines(t, lang))
    out.print(table)


def shown_lines(topic: dict, lang: str | None) -> str:
    """A topic's line as the table shows it: in ``lang`` where given and it has one; else its main
    line, then its line in each other language its articles use, one a row ("ko: ...")."""
    lines = topic["lines"]
    if lang is not None:
        return lines.get(lang, topic["keyword_line"])
    others = [f"{code}: {line}" for code, line in lines.items() if line != topic["keyword_line"]]
    return "\n".join([topic["keyword_line"], *others])


def list_stories(ctx: typer.Context, topic: int | None, as_json: bool) -> None:
    """``topics --level story``: the stories inside each topic (or inside ``topic``), each with its line."""
    with open_archive(ctx) as archive:
        stories = archive.stories(topic)
    if as_json:
        print_json(stories)
        return
    table = Table("story", "topic", "size", "from", "to", "keyword line", header_style="bold")
    for st in stories:
        add_row(table, str(st["story"]), str(st["topic"]), str(st["size"]), st["first_date"] or "",
                      st["last_date"] or "", st["keyword_line"])
    out.print(table)


topic_app = typer.Typer(help="Edit topics: rename, merge, split; see a topic's keyword-line history.",
                        no_args_is_help=True)
app.add_typer(topic_app, name="topic")


@topic_app.command("rename")
def topic_rename(ctx: typer.Context, topic: TopicArgument, label: Annotated[str, typer.Argument(help="The new label.")]) -> None:
    """Give a topic your own label (kept through updates and refits; shown everywhere)."""
    with open_archive(ctx.parent) as archive:
        archive.rename_topic(topic, label)
    say(f"topic {topic} is now {label!r}")


@topic_app.command("merge")
def topic_merge(ctx: typer.Context, topics: Annotated[list[int], typer.Argument(min=0, max=MAX_ID, help="TARGET OTHER...")]) -> None:
    """Merge topics into the first one: their articles move to it, and so will future ones."""
    with open_archive(ctx.parent) as archive:
        archive.merge_topics(topics[0], topics[1:])
    say(f"merged {', '.join(map(str, topics[1:]))} into {topics[0]}")


@topic_app.command("split")
def topic_split(ctx: typer.Context, topic: TopicArgument,
                into: Annotated[int, typer.Option("--into", min=2, help="How many parts.")] = 2) -> None:
    """Split a topic into new topics (new ids); its old id is retired."""
    with open_archive(ctx.parent) as archive:
        ids = archive.split_topic(topic, into)
    say(f"split {topic} into {', '.join(map(str, ids))}")


@topic_app.command("history")
def topic_history(ctx: typer.Context, topic: TopicArgument, as_json: JsonOption = False) -> None:
    """Every version of a topic's keyword line, with the dates it covered."""
    with open_archive(ctx.parent) as archive:
        versions = archive.keyword_history(topic)
    if as_json:
        print_json(versions)
        return
    table = Table("version", "made", "articles from", "to", "keyword line", header_style="bold")
    for v in versions:
        add_row(table, str(v["version"]), time.strftime("%Y-%m-%d %H:%M", time.localtime(v["created"])),
                      v["first_date"] or "", v["last_date"] or "", " ".join(v["keywords"]))
    out.print(table)
