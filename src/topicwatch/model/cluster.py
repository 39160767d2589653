"""Topic discovery in embedding space: spherical k-means, fitted on a sample, every article assigned.

No density step and no outlier bucket: every article belongs to its nearest topic centre. Fitting
on a bounded sample keeps memory and time flat as the archive grows; assignment of the rest is a
chunked matrix product (see ``assign.py``), which is also what labels new articles later.
"""

from __future__ import annotations

import numpy as np

from ..embed.normalize import l2_normalize
from .assign import assign_topics
from .kmeans import kmeans


def automatic_topic_count(n_articles: int) -> int:
    """1.2 x the cube root of the archive size, plus 2: 7 topics for 84 articles, 18 for 2,000,
    34 for 20,000, 122 for a million. Topics should grow with an archive, but far slower than it;
    never fewer than 5 articles a topic on average."""
    k = round(1.2 * n_articles ** (1 / 3)) + 2
    return int(max(1, min(k, n_articles // 5, 250)))


def fit_centroids(
    vectors: np.ndarray, n_topics: int, seed: int = 0, sample_size: int = 60_000, n_init: int | None = None
) -> np.ndarray:
    """Unit-length topic centres, ordered so that topic 0 takes the most of the sample's articles.

    ``n_init`` restarts (default: 3 on up to 20,000 articles, where restarts are cheap, else 1).
    """
    n = len(vectors)
    if n == 0:
        raise ValueError("no articles to fit")
    n_topics = max(1, min(n_topics, n))
    rng = np.random.default_rng(seed)
    sample = vectors if n <= sample_size else vectors[np.sort(rng.choice(n, sample_size, replace=False))]
    if n_init is None:
        n_init = 3 if len(sample) <= 20_000 else 1
    fitted = kmeans(sample, n_topics, seed=seed, n_init=n_init, max_iter=100)
    centroids = l2_normalize(fitted.centres)
    # Sized as articles will be assigned (nearest centre by cosine), so topic 0 is the largest.
    sizes = np.bincount(assign_topics(sample, centroids)[0], minlength=n_topics)
    # Largest first; ties by the centre's coordinates so the order never depends on dict luck.
    order = sorted(range(n_topics), key=lambda k: (-sizes[k], tuple(np.round(centroids[k, :4], 6))))
    return centroids[order]
