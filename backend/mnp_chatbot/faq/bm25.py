"""BM25 field indexes over a shared vocabulary, scored with weighted sparse queries.

`bm25s` computes the BM25 weight of every (term, document) pair once at build time; a query is then a
handful of posting-list slices. Fields of one view (e.g. word tokens of the question and of the answer)
share one `Vocabulary`, so that a term id means the same thing in every field and feedback terms found in
one field can be looked up in another.
"""

from collections.abc import Iterable, Mapping, Sequence

import bm25s
import numpy as np
import numpy.typing as npt
from scipy import sparse

Scores = npt.NDArray[np.float32]
Positions = npt.NDArray[np.intp]
TermWeights = Mapping[int, float]
# A field with at most this many (document, term) cells also keeps its weights as a dense matrix (16 MB at
# most): a curated FAQ base is that small, and dense row and column gathers cost microseconds where sparse
# fancy indexing costs tens of them. Large bases stay sparse only.
DENSE_CELLS = 4 * 1024 * 1024


class Vocabulary:
    """Term ids, assigned in order of first appearance while documents are indexed."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, terms: Iterable[str]) -> list[int]:
        return [self._ids.setdefault(term, len(self._ids)) for term in terms]

    def get(self, term: str) -> int | None:
        return self._ids.get(term)


def _bm25_matrix(
    documents: Sequence[Sequence[int]], shape: tuple[int, int], k1: float, b: float
) -> sparse.csc_matrix:
    """Documents x terms matrix of BM25 weights, each term's postings sorted by document."""
    if not any(documents):  # bm25s divides by the mean document length
        return sparse.csc_matrix(shape, dtype=np.float32)
    built = bm25s.BM25(k1=k1, b=b, method="lucene").build_index_from_ids(
        unique_token_ids=list(range(shape[1])),
        corpus_token_ids=[list(doc) for doc in documents],
        show_progress=False,
    )
    matrix = sparse.csc_matrix(
        (built["data"], built["indices"], built["indptr"]), shape=shape, dtype=np.float32
    )
    matrix.sort_indices()
    return matrix


class FieldIndex:
    """BM25 weights of one text field of every document, term-major (and document-major on request)."""

    def __init__(
        self,
        documents: Sequence[Sequence[int]],
        vocabulary_size: int,
        *,
        k1: float,
        b: float,
        rows: bool = False,
        dense_cells: int = DENSE_CELLS,
    ) -> None:
        self.document_count = len(documents)
        self.vocabulary_size = max(vocabulary_size, 1)
        matrix = _bm25_matrix(documents, (self.document_count, self.vocabulary_size), k1, b)
        self._weights: Scores = matrix.data.astype(np.float32, copy=False)
        self._documents = matrix.indices.astype(np.int32, copy=False)
        self._postings = matrix.indptr.astype(np.int64, copy=False)
        small = self.document_count * self.vocabulary_size <= dense_cells
        self._dense: npt.NDArray[np.float32] | None = matrix.toarray() if small else None
        self._rows = matrix.tocsr() if rows and not small else None

    def scores(self, query: TermWeights) -> Scores:
        """Weighted BM25 score of every document: sum over query terms of weight x BM25(term, document)."""
        if self._dense is not None:
            terms = [term for term in query if 0 <= term < self.vocabulary_size]
            weights = np.array([query[term] for term in terms], dtype=np.float32)
            return self._dense[:, np.array(terms, dtype=np.intp)] @ weights
        out = np.zeros(self.document_count, dtype=np.float32)
        for term, weight in query.items():
            if 0 <= term < self.vocabulary_size:
                start, end = self._postings[term], self._postings[term + 1]
                out[self._documents[start:end]] += np.float32(weight) * self._weights[start:end]
        return out

    @property
    def nbytes(self) -> int:
        rows = self._rows
        extra = rows.data.nbytes + rows.indices.nbytes + rows.indptr.nbytes if rows is not None else 0
        extra += self._dense.nbytes if self._dense is not None else 0
        return int(self._weights.nbytes + self._documents.nbytes + self._postings.nbytes + extra)

    def rows(self, documents: Positions) -> sparse.csr_matrix | npt.NDArray[np.float32]:
        """BM25 weights of the given documents' terms, one (dense or sparse) row per document."""
        if self._dense is not None:
            return self._dense[documents]
        if self._rows is None:
            raise ValueError("this field was built without document rows")
        return self._rows[documents]

    def rescore(self, documents: Positions, query: npt.NDArray[np.float32]) -> Scores:
        """Scores of `documents` only, for a dense query vector over the whole vocabulary."""
        if self._dense is not None:
            terms = np.flatnonzero(query)
            return self._dense[np.ix_(documents, terms)] @ query[terms]
        return np.asarray(self.rows(documents) @ query, dtype=np.float32)

    def presence(self, documents: Positions, terms: Sequence[int | None]) -> npt.NDArray[np.bool_]:
        """found[i, j] is whether terms[i] occurs in documents[j]."""
        found = np.zeros((len(terms), len(documents)), dtype=bool)
        if self._dense is not None:
            size = self.vocabulary_size
            rows = [i for i, term in enumerate(terms) if term is not None and 0 <= term < size]
            if rows:
                known = np.array([terms[i] for i in rows], dtype=np.intp)
                found[rows] = (self._dense[np.ix_(documents, known)] > 0).T
            return found
        for i, term in enumerate(terms):
            if term is not None and 0 <= term < self.vocabulary_size:
                postings = self._documents[self._postings[term] : self._postings[term + 1]]
                if len(postings):
                    at = np.minimum(np.searchsorted(postings, documents), len(postings) - 1)
                    found[i] = postings[at] == documents
        return found


class FieldedIndex:
    """Several BM25 fields of the same documents (e.g. question and answer) over one vocabulary.

    A document's score is the weighted sum of its field scores, so a match in the question can count
    more than the same match in a long answer.
    """

    def __init__(
        self,
        fields: Sequence[Iterable[Sequence[str]]],
        weights: Sequence[float],
        *,
        k1: float,
        b: float,
        rows: bool = False,
        dense_cells: int = DENSE_CELLS,
    ) -> None:
        self.vocabulary = Vocabulary()
        ids = [[self.vocabulary.add(tokens) for tokens in field] for field in fields]
        size = len(self.vocabulary)
        self.fields = [
            FieldIndex(field, size, k1=k1, b=b, rows=rows, dense_cells=dense_cells) for field in ids
        ]
        self.weights = [float(weight) for weight in weights]
        self.document_count = len(ids[0]) if ids else 0
        frequency = np.zeros(max(size, 1), dtype=np.float64)
        for document in range(self.document_count):
            frequency[list({term for field in ids for term in field[document]})] += 1.0
        n = float(self.document_count)
        self._idf = np.log1p((n - frequency + 0.5) / (frequency + 0.5))
        # A term that no document contains is as rare as a term can be.
        self.unseen_idf = float(np.log1p((n + 0.5) / 0.5))

    @property
    def nbytes(self) -> int:
        """Memory held by the BM25 arrays (not counting the vocabulary's Python objects)."""
        return int(self._idf.nbytes) + sum(field.nbytes for field in self.fields)

    def term_ids(self, tokens: Iterable[str]) -> list[int | None]:
        return [self.vocabulary.get(token) for token in tokens]

    def idf(self, terms: Sequence[int | None]) -> list[float]:
        """Rarity of each term over all fields; unknown terms get the idf of a term no document has."""
        return [self.unseen_idf if term is None else float(self._idf[term]) for term in terms]

    def scores(self, query: TermWeights) -> Scores:
        total = np.zeros(self.document_count, dtype=np.float32)
        for field, weight in self._weighted():
            total += np.float32(weight) * field.scores(query)
        return total

    def rescore(self, documents: Positions, query: npt.NDArray[np.float32]) -> Scores:
        """Scores of `documents` only, for a dense query vector over the whole vocabulary."""
        total = np.zeros(len(documents), dtype=np.float32)
        for field, weight in self._weighted():
            total += np.float32(weight) * field.rescore(documents, query)
        return total

    def feedback(self, documents: Positions, relevance: npt.NDArray[np.float32]) -> Scores:
        """Relevance-weighted sum of the documents' BM25 term weights: what these documents are about."""
        total = np.zeros(len(self.vocabulary), dtype=np.float32)
        for field, weight in self._weighted():
            total += (
                np.float32(weight) * np.asarray(field.rows(documents).T @ relevance, dtype=np.float32).ravel()
            )
        return total

    def presence(
        self, documents: Positions, terms: Sequence[int | None], *, fields: slice = slice(None)
    ) -> npt.NDArray[np.bool_]:
        """found[i, j] is whether terms[i] occurs in documents[j] in any of the selected fields."""
        found = np.zeros((len(terms), len(documents)), dtype=bool)
        for field in self.fields[fields]:
            found |= field.presence(documents, terms)
        return found

    def _weighted(self) -> list[tuple[FieldIndex, float]]:
        return [(field, weight) for field, weight in zip(self.fields, self.weights, strict=True) if weight]
