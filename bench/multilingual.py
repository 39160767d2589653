"""Issue 17: English and Korean in one topic, measured through topicwatch's own fit.

    .venv/bin/python bench/multilingual.py agree [BACKEND ...]   # the parallel dev set
    .venv/bin/python bench/multilingual.py bbc [BACKEND ...]     # BBC News NMI at K = 5
    .venv/bin/python bench/multilingual.py speed [BACKEND ...]   # articles a second on BBC-length texts

``agree`` fits ``TopicModel`` (automatic count, seed 0, the model's defaults) on the dev set
(``../shared/data/ko_en_news_parallel_dev.jsonl.gz``: 250 stories, each in English, in South Korean and
in North Korean usage; ``pair`` joins them) and prints how often the English and South Korean versions of
a story share a topic, and the two Korean versions. ``bbc`` fits 5 topics on BBC News and prints NMI
against its 5 sections. ``speed`` encodes the first 1,000 BBC articles twice (a cold start, then with
the words met), and prints articles a second. Backends default to fast, quality, multilingual and
multilingual-quality. Timings are on whatever else runs beside them: run one at a time.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np
from corpus import load_corpus
from sklearn.metrics import normalized_mutual_info_score

from topicwatch.embed import document_text, get_embedder
from topicwatch.model.estimator import TopicModel

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "ko_en_news_parallel_dev.jsonl.gz"
BACKENDS = ["fast", "quality", "multilingual", "multilingual-quality"]


def dev_rows() -> list[dict]:
    with gzip.open(DEV, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def agreement(rows: list[dict], labels: np.ndarray) -> tuple[float, float]:
    """(English/South Korean, South/North Korean): the share of stories whose two versions share a topic."""
    stories: dict[str, dict[str, int]] = {}
    for row, topic in zip(rows, labels):
        stories.setdefault(row["pair"], {})[row["lang"]] = int(topic)
    return (float(np.mean([s["en"] == s["ko"] for s in stories.values()])),
            float(np.mean([s["ko"] == s["ko-nk"] for s in stories.values()])))


def agree(backend: str) -> None:
    rows = dev_rows()
    start = time.perf_counter()
    model = TopicModel(embedding=backend, seed=0).fit([r["text"] for r in rows])
    en_ko, ko_nk = agreement(rows, model.labels_)
    print(f"{backend}: {len(model.topics_)} topics; English/Korean share a topic {en_ko:.1%}, South/North Korean"
          f" {ko_nk:.1%} ({time.perf_counter() - start:.0f} s)")


def bbc(backend: str) -> None:
    docs = load_corpus("bbc")
    model = TopicModel(n_topics=5, embedding=backend, seed=0).fit([document_text(d.title, d.text) for d in docs])
    print(f"{backend}: BBC News ({len(docs)} articles), K = 5: NMI"
          f" {normalized_mutual_info_score([d.label for d in docs], model.labels_):.3f}")


def speed(backend: str) -> None:
    texts = [document_text(d.title, d.text) for d in load_corpus("bbc")][:1000]
    embedder = get_embedder(backend)
    for run in ("first", "second"):
        start = time.perf_counter()
        embedder.encode(texts)
        seconds = time.perf_counter() - start
        print(f"{backend}: {len(texts)} BBC articles, {run} encode: {len(texts) / seconds:,.0f} articles/s")


if __name__ == "__main__":
    task = {"agree": agree, "bbc": bbc, "speed": speed}[sys.argv[1]]
    for name in sys.argv[2:] or BACKENDS:
        task(name)
