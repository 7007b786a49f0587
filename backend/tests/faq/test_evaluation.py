import math
from typing import ClassVar

import pytest

from scripts.evaluation import answers as ev
from scripts.evaluation.answers import EvalCase, normalize_for_match, passes


class TestNormalizeForMatch:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("３,８５０円", "3850円"),  # NFKC and thousands separator
            ("4,950円（税込）", "4950円(税込)"),
            ("0120-800-000", "0120800000"),  # hyphens next to digits
            ("０１２０－８００－０００", "0120800000"),
            ("151（ドコモ携帯から）", "151(ドコモ携帯から)"),
            ("My docomo", "mydocomo"),  # lower case, no white space
            ("Ｍｙ　ａｕ", "myau"),
            ("SIM-free", "sim-free"),  # a hyphen between letters stays
            ("1,2,3", "123"),
            ("2023/5/24", "2023/5/24"),
        ],
    )
    def test_normalises_like_the_eval_readme(self, raw: str, expected: str) -> None:
        assert normalize_for_match(raw) == expected


class TestPasses:
    CASE = EvalCase(id="c", q="?", all=(("15日",), ("延長できません", "延長はできません")), none=("14日間",))

    @pytest.mark.parametrize(
        ("reply", "expected"),
        [
            ("有効期限は15日です。延長はできません。", True),
            ("有効期限は１５日です。延長できません。", True),  # width variant in the reply
            ("有効期限は15日です。", False),  # second group missing
            ("有効期限は15日（14日間ではありません）。延長できません。", False),  # forbidden string
            ("", False),
        ],
    )
    def test_checks_all_groups_and_forbidden_strings(self, reply: str, expected: bool) -> None:
        assert passes(reply, self.CASE) is expected

    @pytest.mark.parametrize(
        ("reply", "expected"),
        [
            ("手数料は3,300円です。", False),
            ("手数料は3,300円です。最新は公式サイトでご確認ください。", True),
            ("手数料は3300円です。詳しくはお問い合わせください。", True),
        ],
    )
    def test_hedge_requires_a_pointer_to_official_confirmation(self, reply: str, expected: bool) -> None:
        case = EvalCase(id="h", q="?", all=(("3300円",),), hedge=True)
        assert passes(reply, case) is expected

    def test_hedge_check_can_be_skipped(self) -> None:
        case = EvalCase(id="h", q="?", all=(("3300円",),), hedge=True)
        assert passes("3,300円です。", case, check_hedge=False)

    def test_a_case_without_checks_passes_anything(self) -> None:
        assert passes("なんでも", EvalCase(id="x", q="?"))

    def test_cases_load_from_json_lines(self) -> None:
        case = EvalCase.from_json(
            {"id": "dev-x", "q": "質問", "all": [["a", "b"]], "none": ["c"], "hedge": True}
        )
        assert case == EvalCase(id="dev-x", q="質問", all=(("a", "b"),), none=("c",), hedge=True)
        assert EvalCase.from_json({"id": 1, "q": "質問"}) == EvalCase(id="1", q="質問")


class TestRankingMetrics:
    RANKED = ("d1", "d2", "d3", "d4", "d5")
    GRADES: ClassVar[dict[str, int]] = {"d2": 2, "d4": 1, "d9": 1}

    def test_first_relevant_rank(self) -> None:
        assert ev.first_relevant_rank(self.RANKED, self.GRADES.__contains__) == 2
        assert ev.first_relevant_rank(["x"], self.GRADES.__contains__) is None

    @pytest.mark.parametrize(("k", "expected"), [(1, 0.0), (2, 1.0), (5, 1.0)])
    def test_success_at(self, k: int, expected: float) -> None:
        assert ev.success_at(self.RANKED, self.GRADES, k=k) == expected

    @pytest.mark.parametrize(("k", "expected"), [(1, 0.0), (2, 0.5), (5, 0.4)])
    def test_precision_at(self, k: int, expected: float) -> None:
        assert ev.precision_at(self.RANKED, self.GRADES, k=k) == pytest.approx(expected)

    def test_recall_counts_all_listed_relevant_items(self) -> None:
        assert ev.recall_at(self.RANKED, self.GRADES, k=10) == pytest.approx(2 / 3)
        assert ev.recall_at(self.RANKED, {}, k=10) == 0.0

    def test_reciprocal_rank(self) -> None:
        assert ev.reciprocal_rank(self.RANKED, self.GRADES) == 0.5
        assert ev.reciprocal_rank(self.RANKED, self.GRADES, k=1) == 0.0

    def test_average_precision_is_normalised_by_what_was_found(self) -> None:
        assert ev.average_precision_found(self.RANKED, self.GRADES) == pytest.approx((1 / 2 + 2 / 4) / 2)
        assert ev.average_precision_found(["x"], self.GRADES) == 0.0

    def test_ndcg_with_graded_gains(self) -> None:
        dcg = 3 / math.log2(3) + 1 / math.log2(5)
        ideal = 3 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
        assert ev.ndcg(self.RANKED, self.GRADES) == pytest.approx(dcg / ideal)

    def test_ndcg_is_one_for_the_ideal_ranking(self) -> None:
        assert ev.ndcg(["d2", "d4", "d9"], self.GRADES) == pytest.approx(1.0)

    def test_ndcg_ideal_cutoff(self) -> None:
        cut = ev.ndcg(["d2"], self.GRADES, k=1, ideal_cutoff=1)
        uncut = ev.ndcg(["d2"], self.GRADES, k=1, ideal_cutoff=None)
        assert cut == pytest.approx(1.0)
        assert uncut < cut


class TestScoreRetrieval:
    def test_scores_hit_at_1_mrr_and_recall_at_5(self) -> None:
        case = EvalCase(id="c", q="?", all=(("15日",),))
        rankings = [
            (case, ["15日間です", "x"]),  # rank 1
            (case, ["x", "x", "15日"]),  # rank 3
            (case, ["x"] * 6 + ["15日"]),  # rank 7
            (case, ["x"]),  # not found
        ]
        score = ev.score_retrieval(rankings)
        assert score.cases == 4
        assert score.hit_at_1 == 0.25
        assert score.mrr == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
        assert score.recall_at_5 == 0.5

    def test_hedge_is_ignored_by_default_for_retrieval(self) -> None:
        case = EvalCase(id="h", q="?", all=(("3300円",),), hedge=True)
        assert ev.score_retrieval([(case, ["3300円"])]).hit_at_1 == 1.0
        assert ev.score_retrieval([(case, ["3300円"])], check_hedge=True).hit_at_1 == 0.0

    def test_an_empty_set_scores_zero(self) -> None:
        assert ev.score_retrieval([]).cases == 0
