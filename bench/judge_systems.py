"""Run one topic system on a blind-judging corpus (``../shared/judge/prepare.py``) in the judge's format.

    .venv-bench/bin/python bench/judge_systems.py DIR SYSTEM [--k K] [--backend fast|quality]

SYSTEM is ``topicwatch`` (ingest ``DIR/a.jsonl`` into a fresh archive, fit at its automatic count,
export), ``bertopic`` (defaults, the bundled MiniLM) or ``keynmf`` (Turftopic's KeyNMF at ``--k``,
default: the count topicwatch found, read from ``DIR/topicwatch/topics.json``). Each writes
``DIR/SYSTEM/topics.json`` (``[{"topic", "keywords"}]``, outliers as -1) and
``DIR/SYSTEM/assignments.jsonl`` (``{"id", "topic"}``, topicwatch also ``article_line``), and prints
one JSON line with its wall time. The per-article keyphrase peers (KeyBERT, YAKE) run through
``../shared/judge/run_keyphrases.py``; ``bench/judge.sh`` runs the whole comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def load(corpus_dir: Path) -> list[dict]:
    return [json.loads(line) for line in open(corpus_dir / "a.jsonl", encoding="utf-8")]


def write(out: Path, topics: list[dict], assignments: list[dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "topics.json").write_text(json.dumps(topics, ensure_ascii=False, indent=1), encoding="utf-8")
    with open(out / "assignments.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in assignments)


def run_topicwatch(corpus_dir: Path, out: Path, backend: str) -> dict:
    from topicwatch import Archive

    with tempfile.TemporaryDirectory(prefix="tw-judge-") as tmp, Archive(Path(tmp) / "judge.db") as archive:
        archive.ingest([corpus_dir / "a.jsonl"])
        report = archive.fit(backend, seed=0)
        archive.export(out, "jsonl")
        # The second grain as a system of its own (topicwatch-stories): its lines are rated as topics, and
        # as the line each of its articles carries.
        stories = archive.stories()
        story_of = archive.store.story_of_articles(archive.store.current_model()["id"])
    with open(out / "assignments.jsonl", encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle]
    write(out.parent / f"{out.name}-stories", [{"topic": s["story"], "keywords": s["keywords"]} for s in stories],
          [{"id": i, "topic": story_of[i]} for i in ids])
    return {"topics": report.topics, "stories": len(stories), "backend": report.backend}


def run_bertopic(docs: list[dict], out: Path) -> dict:
    from bertopic import BERTopic
    from run_system import bertopic_topics, minilm

    model = BERTopic(embedding_model=minilm())
    assigned, _ = model.fit_transform([d["text"] for d in docs])
    ids = sorted(t for t in model.get_topics() if t != -1)
    topics = [{"topic": t, "keywords": words} for t, words in zip(ids, bertopic_topics(model))]
    write(out, topics, [{"id": d["id"], "topic": int(t)} for d, t in zip(docs, assigned)])
    return {"topics": len(topics), "outliers": int(sum(int(t) == -1 for t in assigned))}


def run_keynmf(docs: list[dict], out: Path, k: int) -> dict:
    import numpy as np
    from run_system import SEED, minilm
    from turftopic import KeyNMF

    texts = [d["text"] for d in docs]
    encoder = minilm()
    model = KeyNMF(n_components=k, encoder=encoder, random_state=SEED)
    doc_topic = np.asarray(model.fit_transform(texts))
    vectorizer = "default"
    if model.components_.shape[1] < 10:
        # Its default vectorizer keeps words of at least 10 documents: on a few hundred headlines that
        # leaves a handful of words and no 10-word topic; rerun with a vocabulary the corpus can give.
        from sklearn.feature_extraction.text import CountVectorizer

        vectorizer = "CountVectorizer(stop_words='english', min_df=2)"
        model = KeyNMF(n_components=k, encoder=encoder, random_state=SEED,
                       vectorizer=CountVectorizer(stop_words="english", min_df=2))
        doc_topic = np.asarray(model.fit_transform(texts))
    topics = [{"topic": t, "keywords": [str(w) for w, _ in words]} for t, words in model.get_topics(top_k=10)]
    write(out, topics, [{"id": d["id"], "topic": int(row.argmax())} for d, row in zip(docs, doc_topic)])
    return {"topics": len(topics), "vectorizer": vectorizer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", type=Path)
    parser.add_argument("system", choices=["topicwatch", "bertopic", "keynmf"])
    parser.add_argument("--k", type=int)
    parser.add_argument("--backend", default="fast", choices=["fast", "quality"])
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out = args.corpus_dir / args.system
    start = time.perf_counter()
    if args.system == "topicwatch":
        info = run_topicwatch(args.corpus_dir, out, args.backend)
    elif args.system == "bertopic":
        info = run_bertopic(load(args.corpus_dir), out)
    else:
        k = args.k or len(json.loads((args.corpus_dir / "topicwatch" / "topics.json").read_text()))
        info = run_keynmf(load(args.corpus_dir), out, k)
    print(json.dumps({"system": args.system, **info, "s": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
