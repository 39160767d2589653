"""Runs topicwatch commands in one process and prints what each did, as JSON: [{args, code, out, err}].

The CLI state matrix (``test_cli_states.py``) runs every command against every archive state; one
process for all of them keeps that to seconds. It is also what runs as another user, where the tests
run as root (root may write any file, so a read-only archive is only read-only to someone else).
Usage: ``python tests/cli_driver.py < commands.json`` (a JSON list of argument lists).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys


def run(args: list[str]) -> dict:
    from topicwatch.present.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    sys.argv = ["topicwatch", *args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException as exc:  # noqa: BLE001  the matrix's point: record it, never stop the other commands
            import traceback

            err.write("Traceback (most recent call last):\n" + "".join(traceback.format_exception(exc)))
            code = -1
    return {"args": args, "code": code, "out": out.getvalue(), "err": err.getvalue()}


if __name__ == "__main__":
    print(json.dumps([run(args) for args in json.load(sys.stdin)]))
