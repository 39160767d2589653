"""The topic map: articles placed in 2-D by a PCA of their cached embeddings, coloured by topic."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.decomposition import PCA

from ...store import Store

MAX_POINTS = 5_000
TITLE_CHARS = 120


def topic_map(store: Store, model: dict[str, Any], max_points: int = MAX_POINTS,
              seed: int = 0) -> dict[str, Any]:
    """Columnar points of the model's articles: id, x, y, topic, title.

    Past ``max_points`` articles a seeded random sample is drawn (same archive + seed = same map).
    Articles whose embedding is not cached for the model's backend are left out.
    """
    rows = store.mapped_articles(model["id"])
    total = len(rows)
    if total > max_points:
        keep = np.sort(np.random.default_rng(seed).choice(total, max_points, replace=False))
        rows = [rows[i] for i in keep]
    cached = store.cached_embeddings(sorted({r[2] for r in rows}), model["backend"])
    rows = [r for r in rows if r[2] in cached]
    coords = _project([cached[r[2]] for r in rows], seed)
    return {
        "model": model["id"], "total": total, "shown": len(rows),
        "id": [r[0] for r in rows], "title": [r[1][:TITLE_CHARS] for r in rows],
        "topic": [r[3] for r in rows],
        "x": [round(float(v), 4) for v in coords[:, 0]], "y": [round(float(v), 4) for v in coords[:, 1]],
    }


def _project(vectors: list[np.ndarray], seed: int) -> np.ndarray:
    """2-D PCA coordinates scaled into [-1, 1] (zeros when there is too little to project)."""
    if len(vectors) < 3:
        return np.zeros((len(vectors), 2))
    matrix = np.stack(vectors).astype(np.float32)
    coords = PCA(n_components=2, random_state=seed).fit_transform(matrix)
    scale = np.abs(coords).max(axis=0)
    scale[scale == 0] = 1.0
    return coords / scale
