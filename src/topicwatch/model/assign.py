"""Assign articles to their nearest topic centre (cosine), in chunks so memory stays bounded."""

from __future__ import annotations

import numpy as np


def assign_topics(
    vectors: np.ndarray, centroids: np.ndarray, usable: np.ndarray | None = None, chunk: int = 65_536
) -> tuple[np.ndarray, np.ndarray]:
    """(topic per article, cosine similarity to that topic's centre); ``usable`` masks topics that
    may take articles (retired ones may not)."""
    n = len(vectors)
    labels = np.empty(n, dtype=np.int64)
    scores = np.empty(n, dtype=np.float32)
    centres_t = np.ascontiguousarray(centroids.T, dtype=np.float32)
    for start in range(0, n, chunk):
        sims = np.asarray(vectors[start : start + chunk], dtype=np.float32) @ centres_t
        if usable is not None:
            sims[:, ~usable] = -np.inf
        best = sims.argmax(axis=1)
        labels[start : start + chunk] = best
        scores[start : start + chunk] = sims[np.arange(len(best)), best]
    return labels, scores
