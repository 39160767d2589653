"""Every command against every state an archive can be in: a correct answer, or one line and a non-zero exit.

The states: no archive file, an empty archive, articles but no topics, topics with articles the model
has not labelled yet, a fitted archive, the same read-only (file and folder), and a file that is not an
archive. Each command runs on its own copy of the state, so what one command writes is never what the
next one reads. Root may write any file whatever its mode, so where the tests run as root the read-only
copy is made immutable (``chattr +i``), which binds root too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from topicwatch import Archive

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "src" / "topicwatch" / "data" / "sample_articles.jsonl"

READS = [
    ["topics"], ["topics", "--level", "stories"], ["show", "sample-001"], ["export", "--out", "{out}/export"],
    ["label", "{extra}", "--out", "{out}/label"], ["eval"], ["rejects"], ["search", "rice prices"],
    ["report", "--out", "{out}/report.html"], ["trends"], ["trends", "--topic", "0", "--keywords"], ["places"],
    ["duplicates"], ["bursts"], ["events", "--week", "2024-W10"], ["tree"], ["topic", "history", "0"],
]
WRITES = [
    ["ingest", "{extra}"], ["update", "{extra}"], ["update"], ["fit", "--seed", "0"], ["refit"],
    ["topic", "rename", "0", "Rice"], ["topic", "merge", "0", "1"], ["topic", "split", "0"],
    ["watch", "--times", "1", "http://127.0.0.1:9/feed.xml"],
]
MISTAKES = [["topic", "history", "999"], ["bursts", "--since", "notadate"], ["events", "--on", "notadate"],
            ["show", "no-such-article"]]
COMMANDS = READS + WRITES + MISTAKES
EXTRA = [{"id": f"late-{i}", "title": f"Late report {i}", "date": f"2024-03-0{i}",
          "text": "Rice and maize prices rose again in Hyesan markets as border trade slowed. " * 3}
         for i in range(1, 4)]


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """state name -> a folder holding ``a.db`` in that state (absent for "missing")."""
    base = tmp_path_factory.mktemp("states")
    extra = base / "extra.jsonl"
    extra.write_text("".join(json.dumps(r) + "\n" for r in EXTRA))
    folders = {name: base / name for name in ("missing", "empty", "unfitted", "unlabelled", "fitted",
                                              "not_an_archive")}
    for folder in folders.values():
        folder.mkdir()
    Archive(folders["empty"] / "a.db").close()
    for name in ("unfitted", "unlabelled", "fitted"):
        with Archive(folders[name] / "a.db") as archive:
            archive.ingest([SAMPLE])
            if name != "unfitted":
                archive.fit("fast", seed=0)
            if name == "unlabelled":
                archive.ingest([extra])
    (folders["not_an_archive"] / "a.db").write_text("these are not the bytes of an archive\n" * 200)
    return base, folders, extra


def _commands_on(state: Path, scratch: Path, extra: Path, read_only: bool = False) -> list[list[str]]:
    """Each command with its own copy of the state (read-only when asked) and its own output folder."""
    runs = []
    for i, command in enumerate(COMMANDS):
        copy = scratch / f"c{i}"
        shutil.copytree(state, copy)
        out = scratch / f"out{i}"
        out.mkdir()
        if read_only:
            _set_read_only([*copy.iterdir(), copy], True)
        args = [part.format(out=out, extra=extra) for part in command]
        runs.append(["--archive", str(copy / "a.db"), *args])
    return runs


def _set_read_only(paths: list[Path], on: bool) -> None:
    if os.geteuid() != 0:
        for path in paths:
            path.chmod((0o555 if path.is_dir() else 0o444) if on else 0o755)
        return
    done = subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot make files immutable here ({done.stderr.strip()})")


def _drive(runs: list[list[str]]) -> list[dict]:
    home = Path(tempfile.mkdtemp(prefix="topicwatch-home-"))
    env = {**os.environ, "TOPICWATCH_LOCK_TIMEOUT": "2"}
    env.pop("TOPICWATCH_ARCHIVE", None)
    done = subprocess.run([sys.executable, str(HERE / "cli_driver.py")], input=json.dumps(runs), text=True,
                          capture_output=True, env=env, cwd=home, check=False, timeout=900)
    shutil.rmtree(home, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _check_one_line_or_answer(result: dict) -> None:
    said = result["err"].strip()
    where = " ".join(result["args"][2:])
    assert "Traceback" not in said and "internal error" not in said, f"{where}: {said[-2000:]}"
    if result["code"] != 0:
        last = said.splitlines()[-1] if said else ""
        assert last.startswith("topicwatch: error:"), f"{where}: exit {result['code']} with {said!r}"
        # Before the error only the rejects it found may stand, one line each.
        assert all(line.startswith("rejected ") for line in said.splitlines()[:-1]), f"{where}: {said!r}"


def _name(command: list[str]) -> str:
    return " ".join(command).split(" --out")[0]


def _results(state: Path, scratch: Path, extra: Path, read_only: bool = False) -> dict[str, dict]:
    runs = _commands_on(state, scratch, extra, read_only)
    try:
        results = _drive(runs)
    finally:
        if read_only:
            _set_read_only([p for run in runs for p in (Path(run[1]).parent, *Path(run[1]).parent.iterdir())], False)
    for result in results:
        _check_one_line_or_answer(result)
    return {_name(command): result for command, result in zip(COMMANDS, results)}


READ_NAMES = {_name(c) for c in READS}
WRITE_NAMES = {_name(c) for c in WRITES}
MISTAKE_NAMES = {_name(c) for c in MISTAKES}
NEEDS_TOPICS = READ_NAMES - {"rejects", "search rice prices", "places", "duplicates", "show sample-001"}


@pytest.mark.parametrize("name", ["missing", "empty", "unfitted", "unlabelled", "fitted", "not_an_archive"])
def test_every_command_on_every_archive_state(states, name, tmp_path):
    _base, folders, extra = states
    results = _results(folders[name], tmp_path, extra)
    failed = {command for command, r in results.items() if r["code"] != 0}
    assert MISTAKE_NAMES <= failed, f"{name}: mistakes that exited 0: {MISTAKE_NAMES - failed}"
    if name == "missing":
        assert READ_NAMES <= failed and all("no archive here" in results[c]["err"] for c in READ_NAMES)
        assert results["ingest {extra}"]["code"] == 0
    elif name == "not_an_archive":
        assert failed == set(results), f"commands that took a non-archive: {set(results) - failed}"
        assert all("not a topicwatch archive" in r["err"] for r in results.values())
    elif name in ("empty", "unfitted"):
        assert NEEDS_TOPICS <= failed and all("no topics yet" in results[c]["err"] for c in NEEDS_TOPICS)
        assert {"rejects", "search rice prices", "places", "duplicates"}.isdisjoint(failed)
    elif name == "unlabelled":
        for command in ("export", "eval"):
            assert "not labelled yet" in results[command]["err"], results[command]
        assert failed == MISTAKE_NAMES | {"export", "eval"}, failed
    else:
        assert failed == MISTAKE_NAMES, failed


def test_a_read_only_archive_answers_reads_and_refuses_writes_at_once(states, tmp_path):
    _base, folders, extra = states
    results = _results(folders["fitted"], tmp_path, extra, read_only=True)
    for command in READ_NAMES:
        assert results[command]["code"] == 0, f"read-only: {command}: {results[command]['err']}"
    for command in WRITE_NAMES - {"watch --times 1 http://127.0.0.1:9/feed.xml"}:
        assert results[command]["code"] == 1 and "read-only" in results[command]["err"], results[command]
