import math

import numpy as np
import pytest

from mnp_chatbot.faq.bm25 import DENSE_CELLS, FieldedIndex, FieldIndex, Vocabulary


def lucene_bm25(
    tf: int, doc_len: int, avg_len: float, df: int, n: int, k1: float = 1.2, b: float = 0.75
) -> float:
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return idf * tf / (tf + k1 * (1 - b + b * doc_len / avg_len))


DOCS = [["予約", "番号", "期限"], ["予約", "番号", "番号", "桁"], ["解約", "金"]]


@pytest.fixture(scope="module", params=["sparse", "dense"])
def index(request: pytest.FixtureRequest) -> FieldedIndex:
    """Each behaviour holds for both representations: sparse only, and with the dense matrix."""
    dense_cells = 0 if request.param == "sparse" else DENSE_CELLS
    return FieldedIndex([DOCS], [1.0], k1=1.2, b=0.75, rows=True, dense_cells=dense_cells)


class TestVocabulary:
    def test_assigns_ids_in_order_of_first_appearance(self) -> None:
        vocabulary = Vocabulary()
        assert vocabulary.add(["a", "b", "a"]) == [0, 1, 0]
        assert vocabulary.get("b") == 1
        assert vocabulary.get("z") is None
        assert len(vocabulary) == 2


class TestFieldIndex:
    def test_scores_match_the_lucene_formula(self, index: FieldedIndex) -> None:
        term = index.vocabulary.get("番号")
        assert term is not None
        scores = index.scores({term: 1.0})
        avg = sum(map(len, DOCS)) / 3
        assert scores[0] == pytest.approx(lucene_bm25(1, 3, avg, 2, 3), rel=1e-5)
        assert scores[1] == pytest.approx(lucene_bm25(2, 4, avg, 2, 3), rel=1e-5)
        assert scores[2] == 0.0

    def test_query_weights_scale_scores(self, index: FieldedIndex) -> None:
        term = index.vocabulary.get("期限")
        assert term is not None
        assert index.scores({term: 2.0})[0] == pytest.approx(2 * index.scores({term: 1.0})[0])

    def test_presence(self, index: FieldedIndex) -> None:
        terms = index.term_ids(["番号", "金", "天気"])
        found = index.presence(np.array([0, 1, 2]), terms)
        assert found.tolist() == [[True, True, False], [False, False, True], [False, False, False]]

    def test_unknown_terms_get_the_highest_idf(self, index: FieldedIndex) -> None:
        idf = index.idf(index.term_ids(["番号", "天気"]))
        assert idf[1] == index.unseen_idf > idf[0]

    def test_rescore_equals_full_scores_for_the_same_query(self, index: FieldedIndex) -> None:
        vector = np.zeros(len(index.vocabulary), dtype=np.float32)
        weights = {term: 1.0 for term in index.term_ids(["予約", "桁"]) if term is not None}
        vector[list(weights)] = 1.0
        documents = np.array([1, 0])
        assert index.rescore(documents, vector) == pytest.approx(index.scores(weights)[documents])

    def test_feedback_weights_the_terms_of_the_given_documents(self, index: FieldedIndex) -> None:
        weights = index.feedback(np.array([1]), np.array([1.0], dtype=np.float32))
        about = {term for term in ("番号", "桁") if weights[index.vocabulary.get(term) or 0] > 0}
        assert about == {"番号", "桁"}
        assert weights[index.vocabulary.get("金") or 0] == 0.0

    def test_an_empty_field_scores_zero_without_warnings(self) -> None:
        field = FieldIndex([[], []], 3, k1=1.2, b=0.75)
        assert field.scores({0: 1.0}).tolist() == [0.0, 0.0]

    def test_rows_of_a_sparse_only_field_must_be_requested(self) -> None:
        with pytest.raises(ValueError, match="without document rows"):
            FieldIndex([[0]], 1, k1=1.2, b=0.75, dense_cells=0).rows(np.array([0]))

    def test_a_small_field_is_dense_and_a_large_one_sparse(self) -> None:
        small = FieldIndex([[0, 1], [1]], 2, k1=1.2, b=0.75)
        large = FieldIndex([[0, 1], [1]], 2, k1=1.2, b=0.75, dense_cells=3)
        assert isinstance(small.rows(np.array([0])), np.ndarray)
        with pytest.raises(ValueError, match="without document rows"):
            large.rows(np.array([0]))


def test_dense_and_sparse_fields_agree_on_random_documents() -> None:
    rng = np.random.default_rng(7)
    documents = [rng.integers(0, 50, size=rng.integers(0, 12)).tolist() for _ in range(40)]
    dense = FieldIndex(documents, 50, k1=1.2, b=0.75)
    sparse = FieldIndex(documents, 50, k1=1.2, b=0.75, rows=True, dense_cells=0)
    query = {
        int(term): float(weight) for term, weight in zip(rng.integers(0, 60, 8), rng.random(8), strict=True)
    }
    assert dense.scores(query) == pytest.approx(sparse.scores(query), rel=1e-5)
    picked = np.array([3, 0, 17, 39])
    vector = rng.random(50).astype(np.float32) * (rng.random(50) < 0.2)
    assert dense.rescore(picked, vector) == pytest.approx(sparse.rescore(picked, vector), rel=1e-5)
    terms: list[int | None] = [0, 5, None, 49, 70, -3]
    assert dense.presence(picked, terms).tolist() == sparse.presence(picked, terms).tolist()


class TestSizes:
    def test_index_reports_the_bytes_of_its_arrays(self) -> None:
        with_rows = FieldedIndex([DOCS], [1.0], k1=1.2, b=0.75, rows=True, dense_cells=0)
        without_rows = FieldedIndex([DOCS], [1.0], k1=1.2, b=0.75, dense_cells=0)
        dense = FieldedIndex([DOCS], [1.0], k1=1.2, b=0.75)
        assert with_rows.nbytes > without_rows.nbytes > 0
        assert dense.nbytes > without_rows.nbytes

    def test_terms_outside_the_vocabulary_score_nothing(self) -> None:
        field = FieldIndex([[0, 1]], 2, k1=1.2, b=0.75)
        assert field.scores({5: 1.0, -1: 1.0}).tolist() == [0.0]
