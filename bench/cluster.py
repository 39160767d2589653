"""The pipeline on Dask: throughput per stage with no cluster, 1 and 2 workers; the serial share; projections.

Stages, each on the same N short articles (bench/scale.py builds them from the shared corpora):
  ingest   read + normalize + near-duplicate fingerprint + places on the workers; the archive file is
           written by the client alone (one SQLite writer);
  fit      embedding (fast) and term counting + assignment on the workers; discovery (phrases,
           vocabulary, lexical view, k-means on a sample of at most 60,000) on the client;
  label    a fitted model labels the corpus as a dataset: read, embed, assign, write Parquet, all on
           the workers (nothing but planning and a summary on the client);
  export   labelled rows read from the archive by the client, Parquet parts written by the workers.

With one worker, the seconds a stage's Dask tasks computed (P, from Dask's task stream) and the rest of
its wall time (S: the client, the scheduler, moving data) give T(N, W) = (S + P / W) x N / n, which
projects 10 M and 100 M articles on 10 and 100 workers (S assumed to grow with N: conservative for fit,
whose discovery runs on a fixed-size sample).

    .venv/bin/python bench/cluster.py stages --size 100000            # CPU, here
    python3 bench/cluster.py gpu-embed --root .device --articles 200000  # a GPU worker (device machine)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))


def time_stages(path: Path, cluster: str | None) -> dict:
    """Wall seconds of each stage, and with a cluster the seconds its tasks computed (Dask's task stream)."""
    from topicwatch import Archive
    from topicwatch.run import make_runner

    times: dict[str, float] = {}
    start = time.perf_counter()
    runner = make_runner(cluster)
    times["start"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "a.db", runner=runner) as archive:
        for stage, action in [
            ("ingest", lambda: archive.ingest([path])),
            ("fit", lambda: archive.fit("fast", seed=0)),
            ("label", lambda: archive.label_dataset([path], str(Path(tmp) / "labelled"))),
            ("export", lambda: archive.export(Path(tmp) / "export", "parquet")),
        ]:
            start = time.perf_counter()
            if cluster:
                from distributed import get_task_stream

                with get_task_stream(runner.client) as stream:
                    action()
                times[f"{stage}.tasks"] = sum(s["stop"] - s["start"] for task in stream.data
                                              for s in task["startstops"] if s["action"] == "compute")
            else:
                action()
            times[stage] = time.perf_counter() - start
            print(f"  {cluster or 'no cluster'}: {stage} {times[stage]:.1f} s", flush=True)
    runner.close()
    return times


STAGES = ["ingest", "fit", "label", "export"]


def stages(args) -> None:
    from scale import corpus_file

    path = corpus_file(args.size)
    runs = {name: time_stages(path, spec) for name, spec in
            [("no cluster", None), ("1 worker", "local:1"), ("2 workers", "local:2")]}
    table = [("| stage | no cluster | 1 worker | 2 workers | articles/s, 2 workers | in tasks (1 worker) | "
             "outside tasks (1 worker) |"), "|---|---|---|---|---|---|---|"]
    model = {}
    for stage in STAGES:
        t0, t1, t2 = (runs[k][stage] for k in ("no cluster", "1 worker", "2 workers"))
        parallel = min(runs["1 worker"][f"{stage}.tasks"], t1)
        serial = t1 - parallel
        model[stage] = {"serial_s": serial, "parallel_s": parallel}
        table.append(f"| {stage} | {t0:.1f} s | {t1:.1f} s | {t2:.1f} s | {args.size / t2:,.0f} | "
                     f"{parallel:.1f} s | {serial:.1f} s ({serial / t1:.0%}) |")
    print("\n".join(table))
    print(f"cluster start: {runs['2 workers']['start']:.1f} s (2 workers)")
    print(projection(model, args.size))
    if args.out:
        args.out.write_text(json.dumps({"size": args.size, "runs": runs, "model": model}, indent=1))


def projection(model: dict, size: int) -> str:
    """Projected hours, T = (S + P / workers) x N / n: the work outside tasks (client, scheduler, data
    transfer) grows with N but does not divide by workers; the task work does."""
    rows = ["| articles | workers | ingest into the archive | fit | label (dataset) | export |",
            "|---|---|---|---|---|---|"]
    for n in (10_000_000, 100_000_000):
        for workers in (10, 100):
            cells = []
            for stage in STAGES:
                s, p = model[stage]["serial_s"], model[stage]["parallel_s"]
                cells.append(f"{(s + p / workers) * n / size / 3600:.1f} h")
            rows.append(f"| {n:,} | {workers} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def gpu_embed(args) -> None:
    """The embedding stage as Dask tasks on one GPU worker, text in and vectors out, against in-process."""
    import gzip

    import torch

    os.environ["TOPICWATCH_QUALITY_MODEL"] = str(args.root / "minilm")  # inherited by the worker process
    from topicwatch.embed import QualityEmbedder, document_text
    from topicwatch.model.work import encode_in_parts
    from topicwatch.run import make_runner

    with gzip.open(args.root / "bbc_news.jsonl.gz", "rt", encoding="utf-8") as handle:
        base = [document_text(r.get("title") or "", r.get("text") or "") for r in map(json.loads, handle)]
    texts = [base[i % len(base)] for i in range(args.articles)]
    result = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
              "articles": len(texts), "partition": args.partition}
    embedder = QualityEmbedder()
    embedder.encode(texts[:2048])
    start = time.perf_counter()
    embedder.encode(texts)
    result["in_process_per_s"] = round(len(texts) / (time.perf_counter() - start))
    del embedder
    torch.cuda.empty_cache()
    runner = make_runner(f"local:{args.workers}")
    try:
        list(encode_in_parts(runner, QualityEmbedder(), "quality", texts[:4096], args.partition))  # worker warm-up
        start = time.perf_counter()
        rows = sum(stop - begin for begin, stop, _ in encode_in_parts(runner, QualityEmbedder(), "quality", texts,
                                                                      args.partition))
        result["dask_worker_per_s"] = round(rows / (time.perf_counter() - start))
    finally:
        runner.close()
    print(json.dumps(result), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("stages")
    s.add_argument("--size", type=int, default=100_000)
    s.add_argument("--out", type=Path)
    g = sub.add_parser("gpu-embed")
    g.add_argument("--root", type=Path, required=True)
    g.add_argument("--articles", type=int, default=200_000)
    g.add_argument("--partition", type=int, default=16_384)
    g.add_argument("--workers", type=int, default=1)
    g.add_argument("--out", type=Path)
    args = parser.parse_args()
    stages(args) if args.command == "stages" else gpu_embed(args)


if __name__ == "__main__":
    main()
