"""Compare topicwatch with BERTopic, Turftopic's KeyNMF and FASTopic on a labelled corpus.

    python bench/compare.py --corpus bbc|20ng [--limit N] [--systems a,b,...] [--k K]
                            [--out bench/results/NAME.json] [--markdown]

Each system runs in its own subprocess (bench/run_system.py) so its peak memory is its own; this
process then scores every system's topics and document assignments with
``topicwatch.evaluate.score_topics`` on the same texts and labels. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from corpus import (
    CORPORA,
    RESULTS_DIR,
    SAMPLE_SEED,
    Document,
    corpus_key,
    embedding_cache_paths,
    load_corpus,
    write_jsonl,
)
from report import environment, markdown

from topicwatch.model.evaluate import reference_tokens, score_topics, top_words

BENCH_DIR = Path(__file__).resolve().parent
RUNNER = BENCH_DIR / "run_system.py"
RESULT_PREFIX = "BENCH_RESULT "
DOCS_FILE, CORPUS_FILE = "docs.json", "corpus.jsonl"
SYSTEMS = ("topicwatch-fast", "topicwatch-quality", "bertopic", "keynmf", "fastopic")
NEED_K = {"keynmf", "fastopic"}
NEED_EMBEDDINGS = {"bertopic", "keynmf", "fastopic"}  # bertopic: only for its "embed s" column
# PYTHONHASHSEED: topmost (FASTopic) breaks vocabulary ties in set order, which varies per process.
CHILD_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error",
             "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}


class ChildFailed(RuntimeError):
    """A system subprocess exited with an error or without a result line."""


def log(message: str) -> None:
    """Progress on stderr (stdout is kept for the Markdown table)."""
    print(f"[compare {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- subprocesses -----------------------------------------------------------------------------


def run_child(system: str, args: list[str], workdir: Path, timeout: float | None = None) -> dict[str, Any]:
    """Run ``run_system.py SYSTEM ARGS`` in a fresh interpreter; its result line plus its output file."""
    out = workdir / f"{system}.out.json"
    cmd = [sys.executable, str(RUNNER), system, "--out", str(out), *args]
    env = {**os.environ, **CHILD_ENV}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=BENCH_DIR, check=False,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"{system} timed out after {timeout:.0f} s (--timeout)") from None
    (workdir / f"{system}.stderr.log").write_text(proc.stderr, encoding="utf-8")
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-30:])
        raise ChildFailed(f"{system} exited with {proc.returncode}\n{tail}")
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    result["variants"] = json.loads(out.read_text(encoding="utf-8"))["variants"]
    return result


def ensure_distilled(workdir: Path) -> float:
    """Seconds spent distilling topicwatch's fast model now (0 when it was already cached)."""
    from topicwatch.embed import FastEmbedder

    if (FastEmbedder().model_dir / "model.safetensors").exists():
        return 0.0
    log("distilling topicwatch's fast model (one time, not part of the timed run)")
    return float(run_child("distill", [], workdir)["timings"]["distill"])


def ensure_embeddings(corpus: str, docs: list[Document], docs_file: Path, workdir: Path) -> dict[str, Any]:
    """The shared MiniLM embeddings (.npy in bench/.cache), computed once per exact corpus, with timings."""
    npy, meta_path = embedding_cache_paths(corpus_key(corpus, docs))
    if npy.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return {**meta, "path": str(npy), "cached": True}
    log(f"computing the shared MiniLM embeddings of {len(docs)} documents")
    result = run_child("embed", ["--docs", str(docs_file), "--embeddings-out", str(npy)], workdir)
    env = environment()
    meta = {"encode_seconds": result["timings"]["encode"], "load_seconds": result["timings"]["load"],
            "peak_rss_kib": result["peak_rss_kib"], **result["info"],
            "measured": {k: env[k] for k in ("date", "nproc", "cpu")}}
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return {**meta, "path": str(npy), "cached": False}


# ---- scoring ------------------------------------------------------------------------------------


def variant_k(variant: dict[str, Any], k: int | None) -> int | None:
    """The topic count a variant was asked for (None: the system chose)."""
    if variant["name"] == "bertopic":
        return None
    return k


def embed_seconds(system: str, result: dict[str, Any], prep: dict[str, Any]) -> tuple[float | None, bool]:
    """(embedding seconds, whether they are the shared pass's) for a system's row."""
    if system.startswith("topicwatch"):
        return result["timings"].get("embed"), False
    return prep.get("embedding_seconds"), "embedding_seconds" in prep


def score_variant(variant: dict[str, Any], texts: list[str], labels: list[str],
                  vocabulary: set[str]) -> dict[str, Any]:
    """``score_topics`` on one variant's topics and assignments, checked for completeness.

    Adds what the coherence scores rest on: the scorer keeps a topic's top-10 words that are not stop
    words and occur in the texts, and scores only topics left with two or more (``scored_topics``).
    """
    assigned = np.asarray(variant["assignments"])
    if len(assigned) != len(texts):
        raise ValueError(f"{variant['name']}: {len(assigned)} assignments for {len(texts)} documents")
    scores = score_topics(variant["topics"], texts, assigned, labels, variant["outlier_topic"]).as_dict()
    kept = [[w for w in top_words(words) if w in vocabulary] for words in variant["topics"]]
    scores["scored_topics"] = sum(len(words) >= 2 for words in kept)
    scores["mean_scored_words"] = round(float(np.mean([len(w) for w in kept])), 2) if kept else 0.0
    return scores


def rows_for(system: str, result: dict[str, Any], args: argparse.Namespace, prep: dict[str, Any],
             texts: list[str], labels: list[str]) -> list[dict[str, Any]]:
    """One scored table row per variant a system produced."""
    embed, shared = embed_seconds(system, result, prep)
    vocabulary = {token for text in texts for token in reference_tokens(text)}
    rows = []
    for variant in result["variants"]:
        rows.append({
            "system": variant["name"], "k": variant_k(variant, args.k),
            "wall_seconds": round(variant["wall_seconds"], 2),
            "extra_seconds": None if variant["extra_seconds"] is None else round(variant["extra_seconds"], 2),
            "embed_seconds": None if embed is None else round(embed, 2), "embed_shared": shared,
            "peak_rss_kib": variant["peak_rss_kib"] or result["peak_rss_kib"],
            "peak_rss_kib_parts": {"own": result["peak_rss_kib"],
                                   "largest_child": result["info"].get("peak_rss_kib_largest_child")},
            "timings": {name: round(s, 2) for name, s in result["timings"].items()},
            "info": variant["info"], "scores": score_variant(variant, texts, labels, vocabulary),
            "topics": [words[:10] for words in variant["topics"]],
        })
    return rows


# ---- orchestration ------------------------------------------------------------------------------


def system_args(system: str, args: argparse.Namespace, workdir: Path, prep: dict[str, Any]) -> list[str]:
    """The run_system.py options for one system."""
    extra = ["--docs", str(workdir / DOCS_FILE), "--corpus-file", str(workdir / CORPUS_FILE)]
    if args.k is not None:
        extra += ["--k", str(args.k)]
    if system in NEED_K:
        extra += ["--embeddings", prep["embedding_path"]]
    return extra


def prepare(
    systems: list[str], args: argparse.Namespace, docs: list[Document], workdir: Path
) -> dict[str, Any]:
    """One-time steps outside the timed runs: the fast model's distillation, the shared embeddings."""
    prep: dict[str, Any] = {}
    if "topicwatch-fast" in systems:
        prep["distill_seconds"] = round(ensure_distilled(workdir), 2)
    if NEED_EMBEDDINGS & set(systems):
        meta = ensure_embeddings(args.corpus, docs, workdir / DOCS_FILE, workdir)
        prep.update(embedding_seconds=round(meta["encode_seconds"], 2), embedding_cached=meta["cached"],
                    embedding_path=meta["path"], embedding=meta)
    return prep


def run_all(systems: list[str], args: argparse.Namespace, docs: list[Document],
            workdir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Prepare, run every system in its own process and score it; failures become error rows."""
    write_inputs(docs, workdir)
    texts, labels = [d.full_text for d in docs], [d.label for d in docs]
    prep = prepare(systems, args, docs, workdir)
    rows: list[dict[str, Any]] = []
    for system in systems:
        log(f"running {system}")
        try:
            result = run_child(system, system_args(system, args, workdir, prep), workdir, args.timeout)
            rows += rows_for(system, result, args, prep, texts, labels)
        except (ChildFailed, ValueError) as exc:
            log(f"{system} FAILED: {exc}")
            rows.append({"system": system, "k": args.k, "error": str(exc).splitlines()[0]})
        else:
            log(f"{system} done: " + ", ".join(f"{r['system']} {r['wall_seconds']} s" for r in rows[-1:]))
    return prep, rows


def write_inputs(docs: list[Document], workdir: Path) -> None:
    """What the subprocesses read: the ids and exact texts, and the JSON Lines file topicwatch ingests."""
    payload = {"ids": [d.id for d in docs], "texts": [d.full_text for d in docs]}
    (workdir / DOCS_FILE).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    write_jsonl(docs, workdir / CORPUS_FILE)


def resolve_systems(names: str, k: int | None) -> list[str]:
    """The systems to run, in table order; those that need a K are dropped (with a note) without one."""
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in SYSTEMS]
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(unknown)} (choose from {', '.join(SYSTEMS)})")
    if k is None and NEED_K & set(wanted):
        log(f"skipping {', '.join(sorted(NEED_K & set(wanted)))}: they need --k")
        wanted = [name for name in wanted if name not in NEED_K]
    return wanted


def default_out(args: argparse.Namespace) -> Path:
    size = args.limit if args.limit is not None else "all"
    return RESULTS_DIR / (f"{args.corpus}-{size}" + (f"-k{args.k}" if args.k is not None else "") + ".json")


def write_results(results: dict[str, Any], out: Path) -> None:
    """Write the results file whole or not at all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA))
    parser.add_argument("--limit", type=int, help="a seeded random subset of N documents")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated, from: " + ", ".join(SYSTEMS))
    parser.add_argument("--k", type=int, help="number of topics (keynmf and fastopic run only with it)")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results/CORPUS-N[-kK].json)")
    parser.add_argument("--timeout", type=float, help="seconds a system may run before it is stopped")
    parser.add_argument("--markdown", action="store_true", help="print the Markdown table on stdout")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                        help="only print the Markdown of an existing results file")
    args = parser.parse_args(argv)
    if args.corpus is None and args.render is None:
        parser.error("--corpus is required (or --render RESULTS_JSON)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render is not None:
        print(markdown(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    command = shlex.join(["python", "bench/compare.py", *(sys.argv[1:] if argv is None else argv)])
    systems = resolve_systems(args.systems, args.k)
    docs = load_corpus(args.corpus, args.limit)
    log(f"{args.corpus}: {len(docs)} documents; systems: {', '.join(systems)}")
    with tempfile.TemporaryDirectory(prefix="tw-compare-") as tmp:
        prep, rows = run_all(systems, args, docs, Path(tmp))
    prep.pop("embedding_path", None)
    corpus = {"name": args.corpus, "documents": len(docs), "limit": args.limit, "sample_seed": SAMPLE_SEED,
              "labels": len({d.label for d in docs})}
    results = {"command": command, "environment": environment(), "corpus": corpus, "k": args.k,
               "preparation": prep, "rows": rows}
    out = args.out or default_out(args)
    write_results(results, out)
    log(f"wrote {out}")
    if args.markdown:
        print(markdown(results))
    return 1 if any(row.get("error") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
