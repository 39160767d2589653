"""Near-duplicate detection on a planted set: precision and recall of the groups topicwatch finds.

Takes the BBC corpus, one article per group of its own reposts (the release holds exact and near
duplicates of its own: any two articles whose exact 5-word-shingle Jaccard similarity is 0.2 or more
keep only the first, so that the planted copies are the only duplicates), keeps 1,900 articles as
originals, and plants:

- 300 near-duplicates of 240 originals (60 get two): each word dropped, followed by an inserted
  word, or replaced, with a probability drawn from 5-15% per copy; a changed title; a byline.
- 100 hard negatives: held-out BBC articles, each the most similar article (TF-IDF cosine) of the
  same section to one of the originals: same subject and vocabulary, but different text.

Everything is ingested into a fresh archive (the ingest finds the groups), and the found groups
are scored pairwise against the planted ones; pairs found among the originals count as false
positives and are listed with their true Jaccard.

    .venv/bin/python bench/duplicates.py [--seed 0] [--threshold 0.25] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from topicwatch import Archive
from topicwatch.read import minhash
from topicwatch.store import duplicates
from topicwatch.store.duplicates import DuplicateIndex

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bbc_news.jsonl.gz"
ORIGINALS, SOURCES, SECOND_COPIES, NEGATIVES = 1_900, 240, 60, 100
AGENCIES = ("Reuters", "AP", "AFP", "PA", "Bloomberg")


def load_bbc() -> tuple[list[dict], int]:
    """BBC articles as {id, title, body, label}, one per group of the release's own reposts; and how
    many articles were left out as reposts."""
    rows = []
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows.append({"id": row["id"], "title": row["title"], "body": row["body"], "label": row["label"]})
    sets = [minhash.shingles(r["body"]) for r in rows]
    index = {v: i for i, v in enumerate(np.unique(np.concatenate(sets)))}
    incidence = sparse.csr_matrix(
        (np.ones(sum(len(x) for x in sets)), ([i for i, x in enumerate(sets) for _ in x],
                                               [index[v] for x in sets for v in x])),
        shape=(len(rows), len(index)),
    )
    shared = (incidence @ incidence.T).toarray()
    sizes = np.diag(shared)
    jaccard = shared / (sizes[:, None] + sizes[None, :] - shared)
    kept: list[int] = []
    for i in range(len(rows)):
        if not kept or jaccard[i, kept].max() < 0.2:
            kept.append(i)
    return [rows[i] for i in kept], len(rows) - len(kept)


def edit(body: str, rate: float, vocabulary: list[str], rng: random.Random) -> str:
    """Each word dropped, followed by an inserted word, or replaced, with probability ``rate``."""
    out = []
    for paragraph in body.split("\n"):
        words = []
        for word in paragraph.split():
            if rng.random() >= rate:
                words.append(word)
                continue
            operation = rng.choice(("drop", "insert", "replace"))
            if operation == "insert":
                words += [word, rng.choice(vocabulary)]
            elif operation == "replace":
                words.append(rng.choice(vocabulary))
        out.append(" ".join(words))
    return "\n".join(out)


def retitle(title: str, rng: random.Random) -> str:
    words = title.split()
    choice = rng.randrange(3)
    if choice == 0:
        return "UPDATE: " + title
    if choice == 1 and len(words) > 2:
        i = rng.randrange(len(words))
        return " ".join(words[:i] + words[i + 1 :])
    return f"{title} - {rng.choice(('report', 'analysis', 'latest'))}"


def plant(seed: int) -> tuple[list[dict], dict[str, list[str]], list[tuple[str, str]], dict[str, float], int]:
    """(rows to ingest, true groups source -> members, hard-negative pairs, edit rate of each copy,
    BBC articles left out as reposts of others)."""
    rng = random.Random(seed)
    bbc, reposts = load_bbc()
    rng.shuffle(bbc)
    originals, held_out = bbc[:ORIGINALS], bbc[ORIGINALS:]
    vocabulary = [w for row in originals[:300] for w in row["body"].split()]
    rows = [{"id": r["id"], "title": r["title"], "text": f"{r['title']}\n\n{r['body']}"} for r in originals]
    groups: dict[str, list[str]] = {}
    rates: dict[str, float] = {}
    sources = rng.sample(originals, SOURCES)
    for n, source in enumerate(sources + sources[:SECOND_COPIES]):
        rate = rng.uniform(0.05, 0.15)
        copy_id = f"copy-{n}-of-{source['id']}"
        title = retitle(source["title"], rng)
        byline = f"By a staff writer, {rng.choice(AGENCIES)}. Copyright 2005, all rights reserved."
        rows.append({"id": copy_id, "title": title,
                     "text": f"{title}\n\n{edit(source['body'], rate, vocabulary, rng)}\n\n{byline}"})
        groups.setdefault(source["id"], [source["id"]]).append(copy_id)
        rates[copy_id] = rate
    negatives = hard_negatives(originals, held_out, rng)
    rows += [{"id": r["id"], "title": r["title"], "text": f"{r['title']}\n\n{r['body']}"}
             for r in held_out if r["id"] in {b for _, b in negatives}]
    rng.shuffle(rows)
    return rows, groups, negatives, rates, reposts


def hard_negatives(originals: list[dict], held_out: list[dict], rng: random.Random) -> list[tuple[str, str]]:
    """(original, held-out article) pairs: for held-out articles, the original of the same section
    most similar to it by TF-IDF cosine; the NEGATIVES most similar pairs are kept."""
    vectorizer = TfidfVectorizer(stop_words="english", min_df=2).fit([r["body"] for r in originals])
    a = vectorizer.transform([r["body"] for r in originals])
    b = vectorizer.transform([r["body"] for r in held_out])
    similarity = (b @ a.T).toarray()
    labels = np.array([r["label"] for r in originals])
    pairs = []
    for i, row in enumerate(held_out):
        scores = np.where(labels == row["label"], similarity[i], -1.0)
        j = int(np.argmax(scores))
        pairs.append((float(scores[j]), originals[j]["id"], row["id"]))
    pairs.sort(reverse=True)
    return [(a_id, b_id) for _, a_id, b_id in pairs[:NEGATIVES]]


def pairs_of(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for members in groups for p in combinations(members, 2)}


def true_jaccard(a: str, b: str) -> float:
    sa, sb = set(minhash.shingles(a).tolist()), set(minhash.shingles(b).tolist())
    return len(sa & sb) / max(len(sa | sb), 1)


def run(seed: int, threshold: float) -> str:
    duplicates.THRESHOLD = threshold
    rows, groups, negatives, rates, reposts = plant(seed)
    text_of = {r["id"]: r["text"] for r in rows}
    timing = {"index": 0.0}
    original_add = DuplicateIndex.add

    def timed_add(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original_add(self, *args, **kwargs)
        finally:
            timing["index"] += time.perf_counter() - start

    DuplicateIndex.add = timed_add
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "planted.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        with Archive(Path(folder) / "a.db") as archive:
            start = time.perf_counter()
            report = archive.ingest([source])
            ingest_seconds = time.perf_counter() - start
            found = archive.duplicates()
    DuplicateIndex.add = original_add

    truth = pairs_of(list(groups.values()))
    predicted = pairs_of([[a["id"] for a in g["articles"]] for g in found])
    hits = truth & predicted
    precision = len(hits) / len(predicted) if predicted else 1.0
    recall = len(hits) / len(truth)
    copy_found = {c: frozenset((s, c)) in predicted for s, members in groups.items() for c in members[1:]}
    negatives_grouped = sum(frozenset(p) in predicted for p in negatives)
    planted_ids = {m for members in groups.values() for m in members[1:]}
    unplanted = sorted(p for p in predicted - truth if not p & planted_ids)
    wrong_copy = [p for p in predicted - truth if p & planted_ids]

    def bucket(low: float, high: float) -> str:
        inside = [c for c, r in rates.items() if low <= r < high]
        return f"{sum(copy_found[c] for c in inside)}/{len(inside)} ({sum(copy_found[c] for c in inside) / len(inside):.1%})"

    missed = [true_jaccard(text_of[s], text_of[c]) for s, ms in groups.items() for c in ms[1:] if not copy_found[c]]
    caught = [true_jaccard(text_of[s], text_of[c]) for s, ms in groups.items() for c in ms[1:] if copy_found[c]]
    lines = [
        (f"Near-duplicate detection, planted set (BBC, seed {seed}; MinHash {minhash.NUM_PERM} permutations,"
         f" {minhash.BANDS} bands x {minhash.ROWS} rows, 5-word shingles; similarity needed {threshold:.2f} for"
         f" texts of {duplicates.LONG_TEXT}+ shingles, up to {duplicates.SHORT_THRESHOLD:.2f} for"
         f" {duplicates.SHORT_TEXT} or fewer)"),
        "",
        "| measure | value |",
        "|---|---|",
        (f"| articles ingested | {report.counts.ingested:,} ({ORIGINALS:,} originals, {len(rates)} planted copies"
         f" of {len(groups)} originals, {len(negatives)} hard negatives) |"),
        f"| BBC articles left out as reposts of others (true Jaccard >= 0.2) | {reposts} |",
        f"| true duplicate pairs / pairs found | {len(truth)} / {len(predicted)} |",
        f"| **precision** (pairs) | **{precision:.3f}** |",
        f"| **recall** (pairs) | **{recall:.3f}** |",
        f"| copies found, edit rate 5-8% | {bucket(0.05, 0.08)} |",
        f"| copies found, edit rate 8-12% | {bucket(0.08, 0.12)} |",
        f"| copies found, edit rate 12-15% | {bucket(0.12, 0.1501)} |",
        (f"| true Jaccard of copies found / missed (median) | {np.median(caught):.2f} / "
         f"{np.median(missed) if missed else float('nan'):.2f} |"),
        f"| hard negatives grouped with their look-alike | {negatives_grouped} / {len(negatives)} |",
        f"| false pairs involving a planted copy | {len(wrong_copy)} |",
        f"| pairs found among the originals (unplanted) | {len(unplanted)} |",
        f"| ingest time (all of it / MinHash + LSH) | {ingest_seconds:.1f} s / {timing['index']:.1f} s |",
    ]
    if unplanted:
        lines += ["", "Pairs found among the originals (true Jaccard of 5-word shingles):", ""]
        lines += [f"- {a} ~ {b}: {true_jaccard(text_of[a], text_of[b]):.2f}" for a, b in (sorted(p) for p in unplanted)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=duplicates.THRESHOLD,
                        help="Similarity needed between long texts (default: topicwatch's).")
    parser.add_argument("--out", type=Path, help="Also write the Markdown here.")
    args = parser.parse_args(argv)
    if not DATA.exists():
        sys.exit(f"corpus {DATA} not present")
    markdown = run(args.seed, args.threshold)
    print(markdown)
    if args.out:
        args.out.write_text(markdown + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
