"""Conversations through the answer engine: follow-ups, statements of a switch, the navigator, memory.

Replayed on the shipped knowledge base without a database, the state of the session carried between turns as
the chat service carries it (see `scripts.evaluation.replay`). The messages are not those of the eval sets.
"""

import datetime as dt

import httpx
import pytest

from mnp_chatbot.chat.reply import Mode
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from scripts.evaluation import replay

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def snapshot() -> KnowledgeSnapshot:
    return replay.shipped_snapshot(TODAY)


@pytest.fixture
def session(snapshot: KnowledgeSnapshot) -> replay.Session:
    return replay.Session(snapshot, TODAY)


class TestFollowUps:
    def test_a_short_question_with_its_own_topic_is_not_the_previous_one_again(
        self, session: replay.Session
    ) -> None:
        first = session.say("auから乗り換えたらメアドはどうなる？")
        assert "持ち運び" in first.text
        fee = session.say("auの解約金は？")
        assert "持ち運び" not in fee.text
        assert "990円" in fee.text
        desks = session.say("auの予約番号は？")
        assert "0077-75470" in desks.text

    def test_a_brand_alone_repeats_the_last_attribute_for_that_brand(self, session: replay.Session) -> None:
        session.say("ソフトバンクの予約番号ってどこで取るの")
        other = session.say("じゃあワイモバは？")
        assert "116" in other.text
        assert "5533" not in other.text

    def test_a_channel_alone_narrows_the_last_attribute(self, session: replay.Session) -> None:
        session.say("LINEMOに変えようかなと思ってます")
        fee = session.say("事務手数料っていくら")
        assert "3,850円" in fee.text
        shop = session.say("店頭だとどう？")
        assert "オンライン専用" in shop.text

    def test_a_question_word_alone_is_not_an_answer(self, session: replay.Session) -> None:
        reply = session.say("いつ来ますか？")
        assert reply.mode is not Mode.FAQ


class TestStatements:
    def test_a_switch_is_acknowledged_answered_and_the_navigator_offered(
        self, session: replay.Session
    ) -> None:
        reply = session.say("楽天モバイルからauに乗り換えようと思ってます")
        assert reply.mode is Mode.FAQ
        assert reply.text.startswith("楽天モバイルからauへの乗り換えですね")
        assert "予約番号の取得は不要" in reply.text  # both take part in one-stop, online
        assert "3,850円" in reply.text  # au's fee
        assert "乗り換えナビ" in reply.quick_replies

    def test_a_concern_in_the_statement_is_answered_in_the_same_message(
        self, session: replay.Session
    ) -> None:
        reply = session.say("ドコモからワイモバイルに変えたいんだけど、キャリアメールはどうなる？")
        assert reply.text.startswith("ドコモからY!mobileへの乗り換えですね")
        assert "持ち運び" in reply.text

    def test_the_navigator_started_later_does_not_ask_what_was_told(self, session: replay.Session) -> None:
        session.say("povoからUQモバイルに移りたい")
        flow = session.say("乗り換えナビ")
        assert flow.mode is Mode.NAVIGATOR
        assert "今お使い" not in flow.text
        assert "乗り換え先はどちら" not in flow.text

    def test_an_unverified_one_stop_member_is_spoken_as_unverified(self, session: replay.Session) -> None:
        reply = session.say("IIJmioからドコモにネットで乗り換えるとき予約番号いる？")
        assert "未確認" in reply.text


class TestNavigator:
    def start(self, session: replay.Session) -> str:
        session.say("乗り換えナビ")
        session.say("ドコモ")
        return session.say("au").text

    def test_a_side_question_is_answered_and_the_step_asked_again_without_recording_it(
        self, session: replay.Session
    ) -> None:
        assert "オンラインと店頭" in self.start(session)
        side = session.say("ところでeSIMって何？")
        assert side.mode is Mode.FAQ
        assert "eSIM" in side.text
        assert side.text.rstrip().endswith("申し込みはオンラインと店頭のどちらでしますか？")
        assert "店頭" in side.quick_replies
        session.say("オンライン")
        device = session.say("今の端末を使う")
        assert "SIMの種類" in device.text  # eSIM was asked about, not chosen

    def test_a_fee_question_mid_flow_uses_the_flows_brands(self, session: replay.Session) -> None:
        self.start(session)
        side = session.say("お店でやったら事務手数料いくら？")
        assert "3,850円" in side.text  # au, the destination the flow knows
        assert side.text.rstrip().endswith("申し込みはオンラインと店頭のどちらでしますか？")

    def test_the_flow_can_be_left_at_any_step(self, session: replay.Session) -> None:
        self.start(session)
        closed = session.say("やめる")
        assert "終了" in closed.text
        assert session.say("予約番号の有効期限は？").mode is Mode.FAQ


async def test_only_answers_are_rateable(client: httpx.AsyncClient) -> None:
    answer = (await client.post("/api/chat", json={"message": "予約番号の有効期限は？"})).json()
    assert answer["reply"]["rateable"] is True
    question = (await client.post("/api/chat", json={"message": "乗り換えナビ"})).json()
    assert question["reply"]["mode"] == "navigator"
    assert question["reply"]["rateable"] is False
    history = await client.get(f"/api/sessions/{question['sessionId']}/messages")
    assert [m["rateable"] for m in history.json()["messages"]] == [False, False]
