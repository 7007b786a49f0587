"""BM25 field indexes over a shared vocabulary, scored with weighted sparse queries.

`bm25s` computes the per-(term, document) BM25 weights once at build time; a query is then a handful of
posting-list slices. Fields of one view (e.g. word tokens of the question and of the answer) share one
`Vocabulary`, so that a term id means the same thing in every field and feedback terms move between fields.
"""

from collections.abc import Iterable, Mapping, Sequence

import bm25s
import numpy as np
import numpy.typing as npt
from scipy import sparse

Scores = npt.NDArray[np.float32]
TermWeights = Mapping[int, float]


class Vocabulary:
    """Grows while documents are indexed; frozen lookups (`ids`) ignore unknown terms."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, terms: Iterable[str]) -> list[int]:
        return [self._ids.setdefault(term, len(self._ids)) for term in terms]

    def get(self, term: str) -> int | None:
        return self._ids.get(term)

    def term_list(self) -> list[str]:
        return list(self._ids)


class FieldIndex:
    """BM25 weights of one text field of every document, as a term-major (CSC) and a document-major matrix."""

    def __init__(
        self, documents: Sequence[Sequence[int]], vocabulary_size: int, *, k1: float, b: float
    ) -> None:
        self.document_count = len(documents)
        self.vocabulary_size = max(vocabulary_size, 1)
        built = bm25s.BM25(k1=k1, b=b, method="lucene").build_index_from_ids(
            unique_token_ids=list(range(self.vocabulary_size)),
            corpus_token_ids=[list(doc) for doc in documents],
            show_progress=False,
        )
        self._weights: Scores = np.asarray(built["data"], dtype=np.float32)
        self._documents = np.asarray(built["indices"], dtype=np.int32)
        self._postings = np.asarray(built["indptr"], dtype=np.int64)
        shape = (self.document_count, self.vocabulary_size)
        term_major = sparse.csc_matrix((self._weights, self._documents, self._postings), shape=shape)
        self._rows = term_major.tocsr()
        document_frequency = np.diff(self._postings).astype(np.float64)
        n = float(self.document_count)
        self.idf = np.log1p((n - document_frequency + 0.5) / (document_frequency + 0.5))
        # An unseen term is as rare as a term can be: the idf of a term that no document contains.
        self.unseen_idf = float(np.log1p((n + 0.5) / 0.5))
        self.upper_bound = (k1 + 1.0) * self.idf  # BM25 weight of a term as its frequency grows without bound

    def scores(self, query: TermWeights) -> Scores:
        """Weighted BM25 score of every document: sum over query terms of weight x BM25(term, document)."""
        out = np.zeros(self.document_count, dtype=np.float32)
        for term, weight in query.items():
            if 0 <= term < self.vocabulary_size:
                start, end = self._postings[term], self._postings[term + 1]
                out[self._documents[start:end]] += np.float32(weight) * self._weights[start:end]
        return out

    def rescore(self, documents: npt.NDArray[np.intp], query: npt.NDArray[np.float32]) -> Scores:
        """Scores of `documents` only, for a dense query vector over the whole vocabulary."""
        return np.asarray(self._rows[documents] @ query, dtype=np.float32)

    def rows(self, documents: npt.NDArray[np.intp]) -> sparse.csr_matrix:
        """BM25 weights of the given documents' terms (one sparse row per document)."""
        return self._rows[documents]

    def contains(self, document: int, terms: Sequence[int]) -> npt.NDArray[np.bool_]:
        """Which of `terms` occur in `document` (terms outside the vocabulary never do)."""
        start, end = self._rows.indptr[document], self._rows.indptr[document + 1]
        return np.isin(np.asarray(terms, dtype=np.int64), self._rows.indices[start:end])


class FieldedIndex:
    """Several BM25 fields of the same documents (e.g. question and answer) over one vocabulary.

    A document's score is the weighted sum of its field scores, so a match in the question can count
    more than the same match in a long answer.
    """

    def __init__(
        self, fields: Sequence[Sequence[Sequence[str]]], weights: Sequence[float], *, k1: float, b: float
    ) -> None:
        self.vocabulary = Vocabulary()
        ids = [[self.vocabulary.add(tokens) for tokens in field] for field in fields]
        size = len(self.vocabulary)
        self.fields = [FieldIndex(field, size, k1=k1, b=b) for field in ids]
        self.weights = [float(weight) for weight in weights]
        self.document_count = len(ids[0]) if ids else 0
        frequency = np.zeros(max(size, 1), dtype=np.float64)
        for document in range(self.document_count):
            terms = {term for field in ids for term in field[document]}
            frequency[list(terms)] += 1.0
        n = float(self.document_count)
        self._idf = np.log1p((n - frequency + 0.5) / (frequency + 0.5))
        self.unseen_idf = float(np.log1p((n + 0.5) / 0.5))

    def term_ids(self, tokens: Iterable[str]) -> list[int | None]:
        return [self.vocabulary.get(token) for token in tokens]

    def idf(self, terms: Sequence[int | None]) -> list[float]:
        """Rarity of each term over all fields; unknown terms get the idf of a term no document has."""
        return [self.unseen_idf if term is None else float(self._idf[term]) for term in terms]

    def scores(self, query: TermWeights) -> Scores:
        total = np.zeros(self.document_count, dtype=np.float32)
        for field, weight in zip(self.fields, self.weights, strict=True):
            if weight:
                total += np.float32(weight) * field.scores(query)
        return total

    def rescore(self, documents: npt.NDArray[np.intp], query: npt.NDArray[np.float32]) -> Scores:
        total = np.zeros(len(documents), dtype=np.float32)
        for field, weight in zip(self.fields, self.weights, strict=True):
            if weight:
                total += np.float32(weight) * field.rescore(documents, query)
        return total

    def feedback(self, documents: npt.NDArray[np.intp], relevance: npt.NDArray[np.float32]) -> Scores:
        """Relevance-weighted sum of the documents' BM25 term weights: what these documents are about."""
        total = np.zeros(len(self.vocabulary), dtype=np.float32)
        for field, weight in zip(self.fields, self.weights, strict=True):
            if weight:
                total += np.float32(weight) * np.asarray(field.rows(documents).T @ relevance).ravel()
        return total

    def present(
        self, document: int, terms: Sequence[int | None], *, fields: slice = slice(None)
    ) -> list[bool]:
        """Whether each term occurs in the document, in any of the selected fields."""
        known = [term for term in terms if term is not None]
        found: set[int] = set()
        for field in self.fields[fields]:
            found.update(t for t, hit in zip(known, field.contains(document, known), strict=True) if hit)
        return [term is not None and term in found for term in terms]
