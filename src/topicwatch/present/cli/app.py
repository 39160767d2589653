"""The typer app, its global ``--archive`` option, the options commands share, and the output helpers.

The command modules register on ``app``; ``main`` runs it and turns user mistakes into one line on stderr.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
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

from ...archive.archive import DEFAULT_ARCHIVE, Archive
from ...archive.edits import MAX_ID
from ...model.article_lines import STORED_TERMS
from ...read import ReaderOptions
from ...run import ClusterError, make_runner
from ...store import ArchiveError, DatabaseError

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


def singular_grain(level: str) -> str:
    """A ``--level`` as the API spells it: "topics" and "stories" are taken for "topic" and "story"."""
    return {"topics": "topic", "stories": "story"}.get(level, level)


# Topic ids are SQLite integers: a larger number is a usage error, not a traceback from the store.
TopicArgument = Annotated[int, typer.Argument(min=0, max=MAX_ID, help="A topic id.")]
TermsOption = Annotated[int, typer.Option("--terms", min=1, max=STORED_TERMS,
                                          help="Terms in each article's own keyword line.")]
ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", help="Run the partitioned stages on Dask: 'local' or 'local:N' (N worker processes here) or a "
                      "scheduler address such as tcp://host:8786. Default: this process, no Dask.")]
PlaceOption = Annotated[str | None, typer.Option("--place", help="A North Korean province, city or county, "
                                                 "any spelling (a province includes its cities and counties).")]


# The readers' options, shared by ingest, update and label.


class Header(str, Enum):
    auto = "auto"
    keywords = "keywords"
    none = "none"


TextField = Annotated[str, typer.Option(help="JSON/CSV field holding the article text.")]
IdField = Annotated[str, typer.Option(help="JSON/CSV field holding the article id.")]
DateField = Annotated[str, typer.Option(help="JSON/CSV field holding the date.")]
TitleField = Annotated[str, typer.Option(help="JSON/CSV field holding the title.")]
HeaderOption = Annotated[Header, typer.Option(help="Text files: 'keywords' = first line is a keyword line (seed "
                                                   "format), 'none' = never, 'auto' = detect.")]
SourceOption = Annotated[str | None, typer.Option(help="Source name stored with every article.")]


def reader_options(text_field: str = "text", id_field: str = "id", date_field: str = "date",
                   title_field: str = "title", header: Header = Header.auto,
                   source: str | None = None) -> ReaderOptions:
    """The readers' options from the command line's field, header and source options."""
    return ReaderOptions(text_field=text_field, id_field=id_field, date_field=date_field,
                         title_field=title_field, header=header.value, source=source)


@app.callback()
def main_options(ctx: typer.Context, archive: ArchiveOption = Path(DEFAULT_ARCHIVE)) -> None:
    """Find and follow the topics in a news archive. The archive is ./topicwatch.db unless --archive says."""
    ctx.obj = archive


@contextmanager
def open_archive(ctx: typer.Context, create: bool = False, cluster: str | None = None) -> Iterator[Archive]:
    """The archive, with its partitioned stages on a Dask cluster when ``cluster`` is given."""
    runner = make_runner(cluster)
    try:
        with Archive(ctx.obj, create=create, runner=runner) as archive:
            yield archive
    finally:
        runner.close()


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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """Archive text as it may reach a terminal: without control characters, so an escape sequence in a
    title (clear screen, window title, a hidden link) is inert text, never an instruction."""
    return _CONTROL.sub("", text)


def add_row(table: Table, *cells: str | Text) -> None:
    """A table row whose text cells are shown as they are: never read as rich markup ("[red]", "[/]")."""
    table.add_row(*(cell if isinstance(cell, Text) else Text(shown(str(cell))) for cell in cells))


def say(text: str) -> None:
    """One line of plain text on stdout (no rich markup)."""
    out.print(shown(text), markup=False, highlight=False)


def warn(text: str) -> None:
    """One line of plain text on stderr (no rich markup, no highlighting)."""
    err.print(shown(text), markup=False, highlight=False)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout, non-ASCII text as it is."""
    out.print_json(json.dumps(data, ensure_ascii=False))


def print_reject(reject: Any) -> None:
    """One record ingest could not take, with where it was and why, on stderr."""
    warn(f"rejected {reject.message()}")


# OSError covers the file system's answers (no such file, permission denied, disk full), each naming its file.
USER_ERRORS = (ArchiveError, ClusterError, ValueError, KeyError, OSError)


def main() -> None:
    """Console entry point: user mistakes become one line on stderr and exit status 1."""
    try:
        app()
    except USER_ERRORS as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        warn(f"topicwatch: error: {message}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("topicwatch: interrupted; the archive is as it was before this command", markup=False)
        sys.exit(130)
    except DatabaseError as exc:  # the database engine itself (an I/O error, a corrupt page): every
        # write ran in a transaction, so the archive is as it was before this command
        warn(f"topicwatch: error: the archive could not be read or written ({exc})")
        sys.exit(1)
    except Exception as exc:  # a defect of topicwatch: still one line, with a way to see more
        if os.environ.get("TOPICWATCH_DEBUG"):
            raise
        warn(f"topicwatch: internal error: {type(exc).__name__}: {exc} (please report it; TOPICWATCH_DEBUG=1"
             " shows the traceback)")
        sys.exit(1)
