import numpy as np
import pytest

from mnp_chatbot.faq.confidence import DEFAULT_CALIBRATION, Calibration, Evidence, coverage


class TestCoverage:
    def test_weights_present_terms_by_idf(self) -> None:
        found = np.array([[True, False], [False, False], [True, True]])
        assert coverage(found, [1.0, 2.0, 1.0]).tolist() == pytest.approx([0.5, 0.25])

    def test_an_empty_query_covers_nothing(self) -> None:
        assert coverage(np.zeros((0, 3), dtype=bool), []).tolist() == [0.0, 0.0, 0.0]


class TestCalibration:
    STRONG = Evidence(
        word_coverage=1.0, title_coverage=1.0, char_coverage=1.0, relative_score=1.0, margin=0.6
    )
    WEAK = Evidence(word_coverage=0.2, title_coverage=0.0, char_coverage=0.1, relative_score=1.0, margin=0.1)

    def test_more_evidence_means_more_confidence(self) -> None:
        assert DEFAULT_CALIBRATION.confidence(self.STRONG) > 0.5 > DEFAULT_CALIBRATION.confidence(self.WEAK)

    @pytest.mark.parametrize(("intercept", "expected"), [(1000.0, 1.0), (-1000.0, 0.0), (0.0, 0.5)])
    def test_is_a_bounded_logistic(self, intercept: float, expected: float) -> None:
        flat = Calibration(intercept=intercept, weights=(0.0, 0.0, 0.0, 0.0, 0.0))
        assert flat.confidence(self.STRONG) == pytest.approx(expected, abs=1e-12)
