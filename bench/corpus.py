"""The benchmark corpora: loading, subsetting, and the exact texts every system is given.

Every system sees the same documents: ``document_text(title, text)`` after topicwatch's own reader
normalization (Unicode NFC, collapsed spaces, trimmed lines), so the archive's stored text and the
peers' input strings are identical and the scorer's reference corpus is the same for all.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from topicwatch.embed import document_text
from topicwatch.read.common import one_line
from topicwatch.read.records import normalize_text

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR.parent.parent / "shared" / "data"
CACHE_DIR = BENCH_DIR / ".cache"
RESULTS_DIR = BENCH_DIR / "results"
SAMPLE_SEED = 0


@dataclass(frozen=True)
class CorpusSpec:
    """Where a corpus lives and which fields hold its text, title and label."""

    file: str
    text_field: str
    use_title: bool  # 20 Newsgroups: the subject line is a header, stripped like the rest


CORPORA: dict[str, CorpusSpec] = {
    "bbc": CorpusSpec("bbc_news.jsonl.gz", "text", use_title=True),
    "20ng": CorpusSpec("20newsgroups.jsonl.gz", "text_clean", use_title=False),
}


@dataclass(frozen=True)
class Document:
    """One benchmark document: id, title, normalized text and gold label."""

    id: str
    title: str
    text: str
    label: str

    @property
    def full_text(self) -> str:
        """What every system is given and what the scorer reads."""
        return document_text(self.title, self.text)


def load_corpus(name: str, limit: int | None = None, data_dir: Path = DATA_DIR) -> list[Document]:
    """The documents of corpus ``name`` (empty texts dropped), or a seeded random ``limit`` of them.

    The subset keeps corpus order; BBC is sorted by label, so a plain head would be one class.
    """
    spec = CORPORA[name]
    docs: list[Document] = []
    with gzip.open(data_dir / spec.file, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text = normalize_text(record.get(spec.text_field) or "")
            if not text:
                continue
            title = one_line(record.get("title") or "") if spec.use_title else ""
            docs.append(Document(str(record["id"]), title, text, str(record["label"])))
    if limit is not None and limit < len(docs):
        keep = sorted(random.Random(SAMPLE_SEED).sample(range(len(docs)), limit))
        docs = [docs[i] for i in keep]
    return docs


def write_jsonl(docs: list[Document], path: Path) -> Path:
    """The documents as the JSON Lines file topicwatch ingests (``id``, ``title``, ``text``, ``label``)."""
    with open(path, "w", encoding="utf-8") as handle:
        for doc in docs:
            record = {"id": doc.id, "title": doc.title, "text": doc.text, "label": doc.label}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def corpus_key(corpus: str, docs: list[Document]) -> str:
    """A cache key naming exactly these texts: corpus, count and a digest of the texts."""
    digest = hashlib.sha1()
    for doc in docs:
        digest.update(doc.full_text.encode("utf-8"))
        digest.update(b"\0")
    return f"{corpus}-{len(docs)}-{digest.hexdigest()[:12]}"


def embedding_cache_paths(key: str) -> tuple[Path, Path]:
    """The ``.npy`` of the shared MiniLM embeddings for ``key`` and its ``.json`` timing record."""
    stem = CACHE_DIR / f"minilm-l6-v2-256-{key}"
    return stem.with_suffix(".npy"), stem.with_suffix(".json")
