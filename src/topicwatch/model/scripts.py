"""One meaning space for texts in different scripts: each script's mean direction taken out.

A multilingual embedding puts the same story in English and in Korean close together, but every
Korean text is closer still to every other Korean text: the vectors carry the language first. The
mean vector of each script's texts holds that part, so a model fitted on texts in more than one
script learns each script's mean and takes it out of every vector (fitted, labelled later, or a
query) before anything is compared. Measured on the parallel dev set (``bench/multilingual.py``,
BENCHMARKS.md): English and Korean versions of a story share a topic 0 % of the time on raw vectors,
far more often once each script's mean is out. An archive in one script is left as it is.

What topics are found on goes one step further (``bridged``): a text and its counterpart in the other
script, when the two are reciprocal neighbours, are found on as one point. Centring brings a story's
versions near each other, but a cluster's edge still falls between them for many stories; summing the
two vectors puts them on the same side. On the dev set this takes the English/Korean versions that
share a topic from 68 % to 94 % (BENCHMARKS.md, "Ninth session").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed.multilingual import script_of
from ..embed.normalize import l2_normalize

MIN_SHARE = 0.01  # a script with fewer of the texts than this does not count as a second one
MIN_TEXTS = 10


def several_scripts(texts: Sequence[str]) -> bool:
    """True when at least two scripts each hold enough of the texts to count."""
    counts = np.bincount(_scripts(texts), minlength=2)
    return bool((counts >= max(MIN_TEXTS, MIN_SHARE * len(texts))).sum() >= 2)


def backend_for(texts: Sequence[str]) -> str:
    """The embedding backend ``fit`` uses by default: ``multilingual`` for texts in several scripts
    (the English-only models cannot put a Korean and an English story together), else ``fast``."""
    return "multilingual" if several_scripts(texts) else "fast"


def learn_script_means(texts: Sequence[str], vectors: np.ndarray) -> np.ndarray | None:
    """scripts x dims: each script's mean vector, when at least two scripts each hold enough of the
    texts (None: one script, nothing to take out)."""
    if not several_scripts(texts):
        return None
    scripts = _scripts(texts)
    return np.asarray([vectors[scripts == s].mean(axis=0) for s in range(2)], np.float32)


def comparable(texts: Sequence[str], vectors: np.ndarray, means: np.ndarray | None) -> np.ndarray:
    """``vectors`` with their texts' script means taken out (unchanged when ``means`` is None)."""
    if means is None or len(vectors) == 0:
        return vectors
    return l2_normalize(vectors - means[_scripts(texts)])


def _scripts(texts: Sequence[str]) -> np.ndarray:
    return np.fromiter((script_of(t) for t in texts), np.int64, len(texts))


# A text's counterpart must count it among its this many nearest of the text's script: room for a
# story's several versions there (South and North Korean usage, reposts). Dev set, 9 fits each
# (3 seeds x the whole set and its two halves): 3 -> English/Korean 92-98 %, South/North 94-98 %;
# 5 -> 94-98 % and 96-100 %; 8 -> the same as 5.
BRIDGE_NEIGHBOURS = 5
BRIDGE_ROWS = 1_024  # texts compared with the other script at once (memory: this x the other script)


def bridged(texts: Sequence[str], vectors: np.ndarray, means: np.ndarray | None) -> np.ndarray:
    """What topics are found on for texts in two scripts (``vectors``: made ``comparable``): each
    text's vector plus that of its nearest text in the other script, where that text counts it among
    its ``BRIDGE_NEIGHBOURS`` nearest in this script (reciprocal neighbours), renormalized.

    The versions of one story (an English report and its Korean one; South and North Korean usage)
    so become one point, while a text whose nearest other-script text has closer ones of its own is
    left alone. A model of one script (``means`` None: ``learn_script_means`` found one): returned
    unchanged. Costs two passes over texts x other-script texts, in blocks of ``BRIDGE_ROWS`` rows.
    """
    if means is None:
        return vectors
    scripts = _scripts(texts)
    out = vectors.astype(np.float32, copy=True)
    for script in (0, 1):
        own, other = np.flatnonzero(scripts == script), np.flatnonzero(scripts != script)
        if not len(own) or not len(other):
            continue
        nearest = _top(vectors[own], vectors[other], 1)[:, 0]
        back = _top(vectors[other], vectors[own], BRIDGE_NEIGHBOURS)  # each other-script text's nearest here
        reciprocal = (back[nearest] == np.arange(len(own))[:, None]).any(axis=1)
        out[own[reciprocal]] += vectors[other[nearest[reciprocal]]]
    return l2_normalize(out)


def _top(queries: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    """queries x k: the ``k`` pool rows most similar to each query, most similar first."""
    out = np.empty((len(queries), min(k, len(pool))), np.int64)
    for first in range(0, len(queries), BRIDGE_ROWS):
        block = queries[first: first + BRIDGE_ROWS] @ pool.T
        top = np.argpartition(-block, out.shape[1] - 1, axis=1)[:, : out.shape[1]]
        order = np.argsort(-np.take_along_axis(block, top, 1), axis=1, kind="stable")
        out[first: first + len(block)] = np.take_along_axis(top, order, 1)
    return out
