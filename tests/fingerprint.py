"""A fingerprint of everything an archive holds, table by table, for the behaviour-unchanged test.

Every table (and the search index) is read row by row in a fixed order; columns that differ between
two identical runs by nature (wall-clock times, the list of inputs) are
left out, and the temporary folder is written as ``<folder>``. Each table's fingerprint is its row count and the SHA-256 of its rows, so a changed row
shows which table changed without committing the archive itself.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

VOLATILE = {("batches", "started"), ("batches", "inputs"), ("models", "created"), ("topics", "created"),
            ("topic_versions", "created"), ("feeds", "checked")}


def tables(conn: sqlite3.Connection) -> list[str]:
    """Every table but SQLite's own and the full-text index's shadow tables (their content is the
    index's, read through the index itself)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    virtual = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")}
    return [n for n in names if not n.startswith("sqlite_") and not any(n.startswith(v + "_") for v in virtual)]


def archive_fingerprint(db: Path) -> dict[str, dict[str, object]]:
    """Each table's kept columns, row count and rows' SHA-256; the folder the archive and its inputs
    lie in is written as ``<folder>`` (articles name the file they came from)."""
    folder = str(db.parent)
    conn = sqlite3.connect(db)
    try:
        out: dict[str, dict[str, object]] = {}
        for table in tables(conn):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = [c for c in columns if (table, c) not in VOLATILE]
            digest = hashlib.sha256()
            rows = 0
            select = ", ".join(f'"{c}"' for c in kept)
            for row in conn.execute(f'SELECT {select} FROM "{table}" ORDER BY {select}'):
                digest.update(repr(tuple(_portable(v, folder) for v in row)).encode())
                rows += 1
            out[table] = {"columns": kept, "rows": rows, "sha256": digest.hexdigest()}
        return out
    finally:
        conn.close()





def _portable(value: object, folder: str) -> object:
    if isinstance(value, memoryview):
        return bytes(value)
    return value.replace(folder, "<folder>") if isinstance(value, str) else value


def build_bbc_archive(rows: list[dict], folder: Path) -> Path:
    """What the fingerprint is taken of: the first 1,500 BBC articles ingested and fitted (fast
    backend, seed 0), the other 725 ingested and labelled by ``update``, the search index built by a
    search, and the archive exported."""
    from topicwatch import Archive
    from topicwatch.analyze.search import search

    (folder / "first.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:1500]), encoding="utf-8")
    (folder / "later.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[1500:]), encoding="utf-8")
    db = folder / "archive.db"
    with Archive(db) as archive:
        archive.ingest([folder / "first.jsonl"])
        archive.fit("fast", seed=0)
        archive.ingest([folder / "later.jsonl"])
        archive.update()
        hits = search(archive, "oil prices", limit=20)
        (folder / "search.json").write_text(json.dumps([h.as_dict() for h in hits], sort_keys=True))
        archive.export(folder / "export", "jsonl")
    return db


def outputs_fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of what the run handed back: the search hits and every exported file."""
    files = [folder / "search.json", *sorted((folder / "export").rglob("*"))]
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes().replace(str(folder).encode(), b"<folder>")).hexdigest()
            for f in files if f.is_file()}


if __name__ == "__main__":  # python tests/fingerprint.py: record the fingerprint the test compares with
    import gzip
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from conftest import DATA_DIR

    target = Path(__file__).resolve().parent / "fingerprints" / "bbc_ingest_fit_update.json"
    with gzip.open(DATA_DIR / "bbc_news.jsonl.gz", "rt", encoding="utf-8") as handle:
        corpus = [json.loads(line) for line in handle]
    with tempfile.TemporaryDirectory() as tmp:
        db = build_bbc_archive(corpus, Path(tmp))
        record = {"tables": archive_fingerprint(db), "outputs": outputs_fingerprint(Path(tmp))}
    target.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {target}")
