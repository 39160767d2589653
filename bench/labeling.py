"""Labelling new articles: articles per second through ``topicwatch update`` and ``TopicModel.assign``.

    .venv/bin/python bench/labeling.py

A fast-mode model is fitted on BBC News; then the 20 Newsgroups texts (18,331 unseen articles of
mixed length; the first 5,000 by default, or as many as the first argument says) are labelled (a) in memory with ``TopicModel.describe`` (embed + terms + nearest topic + each article's own keyword line)
and (b) end to end with ``Archive.update`` on a JSONL file (read + store + embed + label + commit).
(a) runs three times and the median is reported: one pass over 5,000 texts takes about two seconds,
short enough for a passing hiccup to move a single timing by a fifth.
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from topicwatch import Archive, TopicModel

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000  # unseen articles to label
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load(name: str, field: str) -> list[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [{"id": r["id"], "text": r[field]} for r in rows if (r.get(field) or "").strip()]


def main() -> None:
    bbc = load("bbc_news.jsonl.gz", "text")
    news = load("20newsgroups.jsonl.gz", "text_clean")[:LIMIT]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bbc.jsonl").write_text("".join(json.dumps(r) + "\n" for r in bbc))
        (folder / "new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in news))
        with Archive(folder / "a.db") as archive:
            archive.ingest([folder / "bbc.jsonl"])
            archive.fit("fast", seed=0)
            model = TopicModel.from_bytes(archive.store.current_model()["state"])
            texts = [r["text"] for r in news]
            model.describe(texts[:500])  # load the embedder and the term vectors outside the timing
            rates = []
            for _ in range(3):
                start = time.perf_counter()
                model.describe(texts)
                rates.append(len(texts) / (time.perf_counter() - start))
            in_memory = statistics.median(rates)
            start = time.perf_counter()
            report = archive.update([folder / "new.jsonl"])
            end_to_end = report.labelled / (time.perf_counter() - start)
    print("| path | articles | articles/s |")
    print("|---|---|---|")
    print(f"| TopicModel.describe (embed + terms + nearest topic + article line), median of 3 | {len(texts):,} "
          f"| {in_memory:,.0f} |")
    print(f"| topicwatch update (read + store + embed + label + commit) | {report.labelled:,} | {end_to_end:,.0f} |")


if __name__ == "__main__":
    main()
