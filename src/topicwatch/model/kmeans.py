"""k-means in numpy: k-means++ seeding and Lloyd iterations, float32 matrix products throughout.

Written for topic discovery, where the data are a few hundred dense dimensions and at most a sample
of 60,000 articles: every step is one BLAS product (distances as |x|^2 - 2 x.c + |c|^2) or one sparse
product (the new centres), so the work runs on every core. No scikit-learn at run time: importing it
costs most of a second, more than fitting a 20,000-article archive's topics here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

CHUNK_ROWS = 8192  # distances are computed for this many rows at a time (bounded memory)


@dataclass
class KMeansResult:
    centres: np.ndarray  # k x dims
    labels: np.ndarray  # the nearest centre of each row
    inertia: float  # sum of squared distances to the nearest centre
    iterations: int


def kmeans(
    data: np.ndarray, k: int, seed: int = 0, n_init: int = 1, max_iter: int = 100, tol: float = 1e-4
) -> KMeansResult:
    """The best of ``n_init`` seeded runs (lowest inertia). Deterministic for a given ``seed``.

    A run stops when no row changes centre, or when the centres move less than ``tol`` times the
    data's mean per-dimension variance (squared distance, summed over centres).
    """
    data = np.ascontiguousarray(data, dtype=np.float32)
    n = len(data)
    if n == 0:
        raise ValueError("k-means needs at least one row")
    k = max(1, min(k, n))
    row_norms = np.einsum("ij,ij->i", data, data)
    tolerance = tol * float(np.mean(np.var(data, axis=0)))
    rng = np.random.default_rng(seed)
    best: KMeansResult | None = None
    for _ in range(max(1, n_init)):
        result = _lloyd(data, row_norms, _seed_centres(data, row_norms, k, rng), max_iter, tolerance)
        if best is None or result.inertia < best.inertia:
            best = result
    return best


def nearest_centres(data: np.ndarray, row_norms: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the nearest centre, squared distance to it) for every row."""
    centre_norms = np.einsum("ij,ij->i", centres, centres)
    labels = np.empty(len(data), dtype=np.int64)
    distances = np.empty(len(data), dtype=np.float32)
    for start in range(0, len(data), CHUNK_ROWS):
        block = data[start:start + CHUNK_ROWS]
        squared = centre_norms[None, :] - 2.0 * (block @ centres.T)
        best = np.argmin(squared, axis=1)
        labels[start:start + len(block)] = best
        distances[start:start + len(block)] = squared[np.arange(len(block)), best] + row_norms[start:start + len(block)]
    np.maximum(distances, 0.0, out=distances)
    return labels, distances


def _seed_centres(data: np.ndarray, row_norms: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++: each new centre is the best of a few candidates drawn in proportion to the
    squared distance to the nearest centre so far (the candidate that lowers the total most wins)."""
    n = len(data)
    trials = 2 + int(np.log(k))
    centres = np.empty((k, data.shape[1]), dtype=np.float32)
    centres[0] = data[rng.integers(n)]
    closest = np.maximum(row_norms - 2.0 * (data @ centres[0]) + float(centres[0] @ centres[0]), 0.0)
    for c in range(1, k):
        total = float(closest.sum())
        if total <= 0.0:  # fewer distinct rows than centres: repeat a row
            centres[c] = data[rng.integers(n)]
            continue
        picks = np.searchsorted(np.cumsum(closest, dtype=np.float64), rng.random(trials) * total)
        picks = np.minimum(picks, n - 1)
        candidates = data[picks]
        to_candidates = np.maximum(
            row_norms[:, None] - 2.0 * (data @ candidates.T) + np.einsum("ij,ij->i", candidates, candidates)[None, :],
            0.0,
        )
        improved = np.minimum(closest[:, None], to_candidates)
        best = int(np.argmin(improved.sum(axis=0)))
        centres[c] = candidates[best]
        closest = improved[:, best]
    return centres


def _lloyd(data: np.ndarray, row_norms: np.ndarray, centres: np.ndarray, max_iter: int, tolerance: float) -> KMeansResult:
    n, k = len(data), len(centres)
    labels = np.full(n, -1, dtype=np.int64)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        new_labels, distances = nearest_centres(data, row_norms, centres)
        if np.array_equal(new_labels, labels):  # settled: these labels and distances are the answer
            return KMeansResult(centres, new_labels, float(distances.sum(dtype=np.float64)), iterations)
        labels = new_labels
        moved = _centres_of(data, labels, k, distances)
        shift = float(((moved - centres) ** 2).sum())
        centres = moved
        if shift <= tolerance:
            break
    labels, distances = nearest_centres(data, row_norms, centres)
    return KMeansResult(centres, labels, float(distances.sum(dtype=np.float64)), iterations)


def _centres_of(data: np.ndarray, labels: np.ndarray, k: int, distances: np.ndarray) -> np.ndarray:
    """The mean of each centre's rows; an empty centre takes the row farthest from its own centre."""
    n = len(data)
    membership = sparse.csr_matrix((np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(k, n))
    sums = np.asarray(membership @ data, dtype=np.float32)
    counts = np.bincount(labels, minlength=k)
    empty = np.flatnonzero(counts == 0)
    centres = sums / np.maximum(counts, 1)[:, None].astype(np.float32)
    if len(empty):
        far = np.argsort(-distances, kind="stable")[: len(empty)]
        centres[empty] = data[far]
    return centres
