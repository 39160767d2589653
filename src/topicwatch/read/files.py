"""Which reader a file needs (by extension), reading one file, and walking a folder."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from topicwatch.read.common import ReaderOptions
from topicwatch.read.csv_files import read_csv
from topicwatch.read.feeds import read_feed
from topicwatch.read.html_pages import read_html_page
from topicwatch.read.json_lines import read_json_file, read_json_lines
from topicwatch.read.parquet_files import read_parquet
from topicwatch.read.records import Article, Reject
from topicwatch.read.text_files import read_text_file

_Reader = Callable[[Path, ReaderOptions], Iterator[Article | Reject]]
_KINDS: dict[str, tuple[str, ...]] = {
    "text": (".txt",),
    "jsonl": (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"),
    "json": (".json", ".json.gz"),
    "csv": (".csv", ".tsv", ".csv.gz", ".tsv.gz"),
    "feed": (".xml", ".rss", ".atom"),
    "html": (".html", ".htm"),
    "parquet": (".parquet",),
}
_READERS: dict[str, _Reader] = {
    "jsonl": read_json_lines,
    "json": read_json_file,
    "csv": read_csv,
    "feed": read_feed,
    "html": read_html_page,
    "parquet": read_parquet,
}


def file_kind(path: str | Path) -> str | None:
    """The input kind of a file by its extension ("text", "jsonl", "json", "csv", "feed", "html")."""
    name = Path(path).name.lower()
    for kind, endings in _KINDS.items():
        if name.endswith(endings):
            return kind
    return None


def _unsupported(path: Path) -> str:
    name = path.name.lower()
    suffix = "".join(path.suffixes[-2:]).lower() if name.endswith(".gz") else path.suffix.lower()
    return f"unsupported file type '{suffix}'" if suffix else "unsupported file type (no extension)"


def read_file(
    path: str | Path, options: ReaderOptions | None = None, *, article_id: str | None = None
) -> Iterator[Article | Reject]:
    """Articles and rejects of one file, by its extension.

    ``article_id`` is the id of a ``.txt`` article (default: the file stem). An unknown extension
    gives one Reject; so does a file that cannot be read.
    """
    options = options or ReaderOptions()
    path = Path(path)
    kind = file_kind(path)
    if kind is None:
        yield Reject(where=str(path), reason=_unsupported(path))
        return
    try:
        if kind == "text":
            yield from read_text_file(path, options, article_id=article_id or path.stem)
        else:
            yield from _READERS[kind](path, options)
    except (OSError, EOFError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        yield Reject(where=str(path), reason=f"cannot read file: {reason}")


def walk(root: Path) -> tuple[list[Path], list[Reject]]:
    """Supported, non-hidden files under ``root`` in sorted order, and rejects for unreadable folders."""
    files: list[Path] = []
    problems: list[Reject] = []

    def on_error(error: OSError) -> None:
        problems.append(Reject(where=str(error.filename), reason=f"cannot read folder: {error.strerror}"))

    for folder, subfolders, names in os.walk(root, onerror=on_error):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        files.extend(Path(folder) / name for name in names if not name.startswith(".") and file_kind(name))
    files.sort(key=lambda path: path.relative_to(root).parts)
    return files, problems
