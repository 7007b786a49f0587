"""Issue 18, customers: what the chat answers to what customers trip over.

Replayed on the shipped knowledge base without a database, as `tests/chat/test_conversation.py` does.
"""

import datetime as dt

import pytest

from mnp_chatbot.chat import replay
from mnp_chatbot.chat.reply import Mode
from mnp_chatbot.faq.index import KnowledgeSnapshot

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def snapshot() -> KnowledgeSnapshot:
    return replay.shipped_snapshot(TODAY)


@pytest.fixture
def session(snapshot: KnowledgeSnapshot) -> replay.Session:
    return replay.Session(snapshot, TODAY)


class TestOffTopic:
    @pytest.mark.parametrize(
        "chatter", [("あいうえお", "今日の天気は？"), ("今日の天気は？", "好きな食べ物は？", "あいうえお")]
    )
    def test_off_topic_chatter_gets_the_out_of_scope_reply_not_a_hand_off(
        self, session: replay.Session, chatter: tuple[str, ...]
    ) -> None:
        replies = [session.say(text) for text in chatter]
        assert [reply.mode for reply in replies] == [Mode.OUT_OF_SCOPE] * len(chatter)
        assert not any(reply.handoff for reply in replies)

    def test_a_real_question_after_chatter_is_still_answered(self, session: replay.Session) -> None:
        session.say("今日の天気は？")
        answer = session.say("auの予約番号はどこで取れますか？")
        assert answer.mode is not Mode.HANDOFF
        assert "0077-75470" in answer.text
