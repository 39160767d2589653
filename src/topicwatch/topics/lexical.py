"""The lexical view of an article: its terms' TF-IDF, reduced to a few dense dimensions (LSA).

Clustering on the embedding alone misses what the words say outright (names, places, jargon);
clustering on words alone misses paraphrase. Topics are found on both, side by side, each view
unit-length so neither drowns the other (measured in BENCHMARKS.md: NMI on BBC and 20 Newsgroups
rises by 0.05-0.12 over the embedding alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD

from ..embed.normalize import l2_normalize


@dataclass
class LexicalView:
    idf: np.ndarray  # per vocabulary term
    components: np.ndarray  # dims x vocabulary

    @classmethod
    def fit(cls, doc_term: sparse.csr_matrix, dims: int = 100, seed: int = 0) -> LexicalView:
        """Learn idf and the SVD basis from (a sample of) the archive's doc-term counts."""
        n = doc_term.shape[0]
        present = doc_term.copy()
        present.data[:] = 1.0
        doc_freq = np.asarray(present.sum(axis=0)).ravel()
        idf = (np.log((1.0 + n) / (1.0 + doc_freq)) + 1.0).astype(np.float32)
        view = cls(idf, np.zeros((0, doc_term.shape[1]), dtype=np.float32))
        weighted = view._tfidf(doc_term)
        dims = max(1, min(dims, weighted.shape[0] - 1, weighted.shape[1] - 1))
        svd = TruncatedSVD(n_components=dims, random_state=seed, algorithm="randomized", n_iter=5)
        svd.fit(weighted)
        view.components = svd.components_.astype(np.float32)
        return view

    def _tfidf(self, doc_term: sparse.csr_matrix) -> sparse.csr_matrix:
        weighted = doc_term.astype(np.float32, copy=True)
        weighted.data = 1.0 + np.log(weighted.data)  # sublinear term frequency
        weighted = weighted.multiply(self.idf[None, :]).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags((1.0 / norms).astype(np.float32)) @ weighted

    def transform(self, doc_term: sparse.csr_matrix) -> np.ndarray:
        """Unit-length dense lexical vectors, one per article."""
        return l2_normalize(np.asarray(self._tfidf(doc_term) @ self.components.T, dtype=np.float32))
