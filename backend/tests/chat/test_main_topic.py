"""A short question about a topic gets the entry about the topic itself, not a near-duplicate entry about a
side of it (延長, 再発行 …) that BM25 can rank first because its question is shorter.

Replayed on the shipped knowledge base without a database, as `tests/chat/test_conversation.py` does.
"""

import datetime as dt
from dataclasses import replace

import pytest

from mnp_chatbot.chat import composer
from mnp_chatbot.chat.reply import Mode, Reply
from mnp_chatbot.faq.confidence import Evidence
from mnp_chatbot.faq.retrieval import Hit
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.knowledge import loader
from scripts.evaluation import replay

TODAY = dt.date(2026, 12, 3)
VALIDITY = "MNP予約番号の有効期限は何日ですか？"


@pytest.fixture(scope="module")
def snapshot() -> KnowledgeSnapshot:
    return replay.shipped_snapshot(TODAY)


def ask(snapshot: KnowledgeSnapshot, question: str) -> Reply:
    return replay.Session(snapshot, TODAY).say(question)


@pytest.mark.parametrize(
    "question",
    ["予約番号の有効期限は？", "MNP予約番号の有効期限は？", "予約番号の有効期限って？", "予約番号の期限は？"],
)
def test_the_validity_question_gets_the_15_days(snapshot: KnowledgeSnapshot, question: str) -> None:
    reply = ask(snapshot, question)
    assert [source.question for source in reply.sources] == [VALIDITY]
    assert "15日" in reply.text
    assert "延長" not in reply.text


def test_the_side_topic_is_still_answered_when_asked(snapshot: KnowledgeSnapshot) -> None:
    reply = ask(snapshot, "予約番号の有効期限って延ばせる？")
    assert "延長できない" in reply.text


def test_every_entry_answers_its_own_question(snapshot: KnowledgeSnapshot) -> None:
    """Asked word for word, an entry's question gets that entry, or the carrier table's own answer."""
    wrong = []
    for document in loader.load_faqs():
        entry = next((e for e in snapshot.entries.values() if e.slug == document.slug), None)
        if entry is None or entry.category == "smalltalk":
            continue
        reply = ask(snapshot, document.question)
        ids = [source.faq_id for source in reply.sources]
        if not reply.extra.get("structured") and ids[:1] != [entry.id]:
            wrong.append(f"{document.slug}: {document.question} -> {ids}")
    assert not wrong, "\n".join(wrong)


def hit(entry_id: str, score: float, line_match: float, line_coverage: float = 1.0) -> Hit:
    evidence = Evidence(1.0, 1.0, 1.0, 1.0, 0.0)
    return Hit(entry_id, score, 0.5, score, None, 1.0, (), evidence, line_match, line_coverage)


class TestPlainest:
    def test_the_entry_asked_nearly_word_for_word_wins_a_close_race(self) -> None:
        side, main = hit("extend", 1.29, 0.46), hit("validity", 1.25, 0.85)
        assert composer.plainest([side, main]) is main

    def test_a_small_difference_in_line_match_keeps_the_ranking(self) -> None:
        assert composer.plainest([hit("a", 1.29, 0.50), hit("b", 1.25, 0.60)]) is None

    def test_a_line_that_misses_part_of_the_question_is_not_chosen(self) -> None:
        assert composer.plainest([hit("a", 1.29, 0.40), hit("b", 1.25, 0.71, line_coverage=0.6)]) is None

    def test_break_ties_promotes_it_with_the_best_confidence(self) -> None:
        side, main = hit("extend", 1.29, 0.46), replace(hit("validity", 1.25, 0.85), confidence=0.4)
        # brand_named: the rules that read the entries (definition, general over brand) do not apply
        ranked = composer.break_ties([side, main], {}, definition=False, brand_named=True)
        assert [h.entry_id for h in ranked] == ["validity", "extend"]
        assert ranked[0].confidence == 0.5


@pytest.mark.parametrize(
    "question",
    [
        "予約番号って何日有効？合言葉QX12345678",
        "予約番号の有効期限は？ 090-1234-5678",
        "予約番号の期限は？[電話番号]",
    ],
)
def test_a_code_in_the_question_does_not_turn_the_answer_into_a_clarification(
    snapshot: KnowledgeSnapshot, question: str
) -> None:
    reply = ask(snapshot, question)
    assert reply.mode is Mode.FAQ
    assert "15日" in reply.text
