"""``python -m topicwatch.present.cli``: the same as the ``topicwatch`` command."""

from __future__ import annotations

from . import main

main()
