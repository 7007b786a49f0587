"""Issue 18, customers: what the chat answers to what customers trip over.

Replayed on the shipped knowledge base without a database, as `tests/chat/test_conversation.py` does.
"""

import datetime as dt

import pytest

from mnp_chatbot.chat import composer
from mnp_chatbot.chat.reply import Mode, states_check, states_date
from mnp_chatbot.faq.index import KnowledgeSnapshot
from scripts.evaluation import replay

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


class TestSaidOnce:
    """An answer says a thing once: one official link (its source), one date line, one disclaimer."""

    def test_a_faq_answer_has_no_second_link_date_or_disclaimer(self, snapshot: KnowledgeSnapshot) -> None:
        entries = [entry for entry in snapshot.entries.values() if entry.category != "smalltalk"]
        assert len(entries) > 100
        for entry in entries:
            text = composer.answer_text(entry, [])
            body = entry.answer.strip()
            assert "（公式:" not in text, entry.question
            assert text.count(composer.HEDGE) <= 1, entry.question
            if states_date(body):
                assert composer.as_of_line(entry) not in text, entry.question
            if states_check(body):
                assert composer.HEDGE not in text, entry.question

    @pytest.mark.parametrize(
        "question", ["楽天モバイルの事務手数料は？", "ドコモの解約金は？", "auの予約番号はどこで取れますか？"]
    )
    def test_a_carrier_answer_links_its_official_page_once(
        self, session: replay.Session, question: str
    ) -> None:
        reply = session.say(question)
        links = [source.url for source in reply.sources if source.url]
        assert links
        assert all(link not in reply.text for link in links)
        assert reply.text.count(composer.HEDGE) <= 1
        if states_check(reply.text.replace(composer.HEDGE, "")):
            assert composer.HEDGE not in reply.text  # the text already says where to check
