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
        view.components = top_right_singular_vectors(weighted, dims, seed)
        return view

    def widen(self, terms: int) -> None:
        """Room for ``terms`` more vocabulary terms, which take no part in the view (zero weight, so an
        article's lexical vector is the same with or without them)."""
        self.idf = np.concatenate([self.idf, np.zeros(terms, dtype=np.float32)])
        self.components = np.hstack([self.components, np.zeros((len(self.components), terms), np.float32)])

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


def top_right_singular_vectors(matrix: sparse.csr_matrix, dims: int, seed: int = 0, power_iterations: int = 5,
                               oversample: int = 10) -> np.ndarray:
    """The ``dims`` leading right singular vectors (dims x columns) of a sparse matrix, by randomized
    range finding (Halko, Martinsson and Tropp 2011): a Gaussian sketch of the column space sharpened
    by a few power iterations (kept well-conditioned by LU steps, cheaper than QR), then an exact SVD of
    the matrix projected onto that space."""
    from scipy.linalg import lu

    rng = np.random.default_rng(seed)
    width = min(dims + oversample, *matrix.shape)
    basis = np.asarray(matrix @ rng.standard_normal((matrix.shape[1], width), dtype=np.float32))
    for _ in range(power_iterations):
        basis = lu(basis, permute_l=True, check_finite=False)[0]
        basis = lu(np.asarray(matrix.T @ basis), permute_l=True, check_finite=False)[0]
        basis = np.asarray(matrix @ basis)
    basis = np.linalg.qr(basis)[0]
    # The projection's right singular vectors, from a QR of its (tall) transpose and an SVD of the small
    # triangle: several times faster than an SVD of the wide projection itself.
    q, r = np.linalg.qr(np.asarray(matrix.T @ basis, dtype=np.float32))
    left_of_r, _, _ = np.linalg.svd(r)
    return np.ascontiguousarray((q @ left_of_r[:, :dims]).T, dtype=np.float32)
