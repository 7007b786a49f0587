"""Grouping of knowledge gaps (pure)."""

import datetime as dt
import uuid

import pytest

from mnp_chatbot.insights import gaps
from mnp_chatbot.insights.gaps import GapRow

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
C1, C2 = uuid.UUID(int=1), uuid.UUID(int=2)


def row(
    question: str,
    mode: str | None = "no_answer",
    *,
    confidence: float | None = 0.0,
    rating: int | None = None,
    minutes: int = 0,
    conversation: uuid.UUID = C1,
) -> GapRow:
    return GapRow(
        uuid.uuid4(), conversation, question, mode, confidence, rating, T0 + dt.timedelta(minutes=minutes)
    )


class TestQuestionKey:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("ｅＳＩＭの再発行は？", "esimの再発行は"),
            ("予約番号の 有効期限は？", "予約番号の有効期限は。"),
            ("ＭＮＰ　手数料！", "mnp手数料"),
            ("「ahamo」って何?", "ahamoって何"),
        ],
    )
    def test_width_case_spaces_and_punctuation_do_not_matter(self, first: str, second: str) -> None:
        assert gaps.question_key(first) == gaps.question_key(second)

    @pytest.mark.parametrize(
        ("first", "second"), [("ドコモの手数料", "auの手数料"), ("予約番号", "予約番号2")]
    )
    def test_words_and_digits_do(self, first: str, second: str) -> None:
        assert gaps.question_key(first) != gaps.question_key(second)


class TestReasons:
    @pytest.mark.parametrize(
        ("gap", "reasons"),
        [
            (row("q", "no_answer"), ["no_answer"]),
            (row("q", "out_of_scope"), ["out_of_scope"]),
            (row("q", "clarify", confidence=0.15), ["clarify"]),
            (row("q", "faq", confidence=0.25), ["low_confidence"]),
            (row("q", "llm", confidence=0.29), ["low_confidence"]),
            (row("q", "faq", confidence=0.3), []),
            (row("q", "faq", confidence=None), []),
            (row("q", "faq", confidence=0.9, rating=-1), ["thumbs_down"]),
            (row("q", "clarify", rating=-1), ["clarify", "thumbs_down"]),
            (row("q", "faq", confidence=0.9, rating=1), []),
            (row("q", "smalltalk", confidence=0.1), []),
            (row("q", None), []),
        ],
    )
    def test_why_a_reply_is_a_gap(self, gap: GapRow, reasons: list[str]) -> None:
        assert gaps.reasons_of(gap, low_confidence=0.3) == reasons


class TestGroup:
    def test_groups_count_replies_and_conversations_most_frequent_first(self) -> None:
        groups = gaps.group(
            [
                row("ｅＳＩＭの再発行は？", minutes=1),
                row("esimの再発行は", "clarify", minutes=5, conversation=C2),
                row("esimの再発行は", "faq", confidence=0.2, minutes=3),
                row("povoの解約", minutes=9),
            ]
        )
        assert [(g.key, g.count, g.conversations) for g in groups] == [
            ("esimの再発行は", 3, 2),
            ("povoの解約", 1, 1),
        ]
        esim = groups[0]
        assert esim.question == "esimの再発行は"
        assert esim.variants == ("esimの再発行は", "ｅＳＩＭの再発行は？")
        assert esim.last_seen == T0 + dt.timedelta(minutes=5)
        assert esim.reasons == {"clarify": 1, "low_confidence": 1, "no_answer": 1}
        assert esim.candidate is None

    def test_equal_counts_put_the_most_recent_first(self) -> None:
        groups = gaps.group([row("古い質問", minutes=1), row("新しい質問", minutes=2)])
        assert [g.question for g in groups] == ["新しい質問", "古い質問"]

    def test_answered_replies_and_empty_questions_are_left_out(self) -> None:
        assert (
            gaps.group([row("よい回答", "faq", confidence=0.9), row("？！", "no_answer"), row(" 。")]) == []
        )

    def test_the_threshold_decides_what_is_low(self) -> None:
        replies = [row("手数料", "faq", confidence=0.4)]
        assert gaps.group(replies, low_confidence=0.3) == []
        assert gaps.group(replies, low_confidence=0.5)[0].reasons == {"low_confidence": 1}

    def test_variants_are_capped(self) -> None:
        replies = [row("手数料" + "？" * n) for n in range(gaps.MAX_VARIANTS + 3)]
        (group,) = gaps.group(replies)
        assert len(group.variants) == gaps.MAX_VARIANTS
        assert group.count == gaps.MAX_VARIANTS + 3


class TestNoise:
    def test_test_messages_and_syllabary_runs_are_not_gaps(self) -> None:
        rows = [
            row("テスト"),
            row("てすと。"),
            row("あいうえお"),
            row("ああああ"),
            row("か"),
            row("今日の天気は？", minutes=1),
            row("いつ来ますか？", minutes=2),
        ]
        assert [g.question for g in gaps.group(rows)] == ["いつ来ますか？", "今日の天気は？"]
