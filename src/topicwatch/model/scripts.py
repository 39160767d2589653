"""One meaning space for texts in different scripts: each script's mean direction taken out.

A multilingual embedding puts the same story in English and in Korean close together, but every
Korean text is closer still to every other Korean text: the vectors carry the language first. The
mean vector of each script's texts holds that part, so a model fitted on texts in more than one
script learns each script's mean and takes it out of every vector (fitted, labelled later, or a
query) before anything is compared. Measured on the parallel dev set (``bench/multilingual.py``,
BENCHMARKS.md): English and Korean versions of a story share a topic 0 % of the time on raw vectors,
far more often once each script's mean is out. An archive in one script is left as it is.
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
