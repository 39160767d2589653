"""The command line: a thin skin over ``topicwatch.Archive``; each command is one API call.

``app`` holds the typer app and what the commands share; each command module registers its commands on
it when imported, so they are imported here in the order ``topicwatch --help`` lists the commands.
"""

from __future__ import annotations

from .app import app, main

# isort: off
from . import ingest_fit  # noqa: F401  ingest, update, watch, fit, refit
from . import topics  # noqa: F401  topics (and the "topic" group, listed last)
from . import reading  # noqa: F401  show, export, label, eval, rejects, sample
from . import web_commands  # noqa: F401  serve, search, report
from . import analysis  # noqa: F401  trends, places, duplicates, tree
from . import events  # noqa: F401  bursts, events
# isort: on

__all__ = ["app", "main"]
