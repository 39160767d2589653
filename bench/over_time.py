"""Topics that stay stable as the archive grows: update month by month vs one refit, and update cost.

    .venv/bin/python bench/over_time.py stability     # KCNA 2011-2012: half fitted, then monthly updates
    .venv/bin/python bench/over_time.py speed         # 1,000 new articles into a 20,000-article archive

Stability: the KCNA stories are sorted by date; the first half is ingested and fitted (fast backend,
seed 0), the rest is added with one ``update`` per month. Reported: the share of old articles whose
topic never changed (must be 100 %), NPMI / diversity of the updated model against one fit on
everything, and the new topics each month with their keyword lines.

Speed: a 20,000-article archive (KCNA stories, first 20,000 by date) is fitted; then 1,000 later
articles are added with ``update`` (which embeds them), against a ``refit`` of the 21,000 (whose
embeddings are all cached by then: the refit is timed at its cheapest).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from topicwatch import Archive

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "kcna_stories_2011_2012.jsonl.gz"


def kcna_by_date() -> list[dict]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return sorted((r for r in rows if r.get("date")), key=lambda r: (r["date"], r["id"]))


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def assignments(archive: Archive) -> dict[str, int]:
    return {a: t for a, t, _ in archive.store.assignments(archive.store.current_model()["id"])}


def stability(folder: Path) -> None:
    rows = kcna_by_date()
    half = len(rows) // 2
    months: dict[str, list[dict]] = defaultdict(list)
    for r in rows[half:]:
        months[r["date"][:7]].append(r)
    with Archive(folder / "updated.db") as archive:
        archive.ingest([write(folder / "first_half.jsonl", rows[:half])])
        start = time.perf_counter()
        fit = archive.fit("fast", seed=0)
        print(f"fit on the first {half:,} articles ({rows[0]['date']} .. {rows[half - 1]['date']}): "
              f"{fit.topics} topics in {time.perf_counter() - start:.1f} s")
        first = assignments(archive)
        print("\n| month | articles | update s | new topics | keyword lines of new topics |")
        print("|---|---|---|---|---|")
        for month, batch in sorted(months.items()):
            start = time.perf_counter()
            report = archive.update([write(folder / f"{month}.jsonl", batch)])
            took = time.perf_counter() - start
            lines = {t["topic"]: t["keyword_line"] for t in archive.topics()}
            new = "; ".join(f"{t}: {lines[t]}" for t in report.new_topics) or ""
            print(f"| {month} | {len(batch):,} | {took:.1f} | {len(report.new_topics)} | {new} |")
        now = assignments(archive)
        unchanged = sum(now[a] == t for a, t in first.items()) / len(first)
        updated = archive.evaluate()
        topics_after = len(archive.topics())
    with Archive(folder / "refit.db") as archive:
        archive.ingest([write(folder / "all.jsonl", rows)])
        archive.fit("fast", seed=0)
        refit = archive.evaluate()
        refit_topics = len(archive.topics())
    print(f"\nold articles whose topic never changed: {unchanged:.2%} of {len(first):,}")
    print("\n| model | topics | NPMI | C_V | diversity |")
    print("|---|---|---|---|---|")
    print(f"| fit on half + monthly updates | {topics_after} | {updated.npmi:.3f} | {updated.c_v:.3f} | "
          f"{updated.diversity:.3f} |")
    print(f"| one fit on everything | {refit_topics} | {refit.npmi:.3f} | {refit.c_v:.3f} | {refit.diversity:.3f} |")


def speed(folder: Path) -> None:
    rows = kcna_by_date()
    with Archive(folder / "a.db") as archive:
        archive.ingest([write(folder / "base.jsonl", rows[:20_000])])
        archive.fit("fast", seed=0)
        start = time.perf_counter()
        report = archive.update([write(folder / "new.jsonl", rows[20_000:21_000])])
        update_s = time.perf_counter() - start
        start = time.perf_counter()
        archive.refit()
        refit_s = time.perf_counter() - start
    print("| step | articles | seconds |")
    print("|---|---|---|")
    print(f"| update (ingest + embed + label 1,000 new; new topics: {len(report.new_topics)}) | 1,000 | {update_s:.1f} |")
    print(f"| refit of the whole archive (embeddings cached) | 21,000 | {refit_s:.1f} |")
    print(f"\nupdate is {refit_s / update_s:.1f}x faster than a refit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["stability", "speed"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        {"stability": stability, "speed": speed}[args.what](Path(tmp))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
