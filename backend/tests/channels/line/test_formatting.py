from mnp_chatbot.channels.line import formatting
from mnp_chatbot.chat.reply import Mode, Reply, SourceRef


class TestPlain:
    def test_markdown_marks_are_removed(self) -> None:
        text = "## 手順\n**予約番号**を取得し、`My docomo`で\n- 申し込む\n* 確認する\n[公式](https://example.jp/a)"
        assert (
            formatting.plain(text)
            == "手順\n予約番号を取得し、My docomoで\n・申し込む\n・確認する\n公式（https://example.jp/a）"
        )

    def test_plain_text_is_kept(self) -> None:
        assert formatting.plain("予約番号は15日間有効です。") == "予約番号は15日間有効です。"


class TestSplitText:
    def test_long_text_is_cut_at_sentence_ends(self) -> None:
        text = "予約番号は15日間有効です。" * 200
        parts = formatting.split_text(text, size=100)
        assert all(len(part) <= 100 for part in parts)
        assert all(part.endswith("。") for part in parts)
        assert "".join(parts) == text


class TestMessagesFor:
    def test_at_most_five_messages_within_limits(self) -> None:
        sources = tuple(
            SourceRef(f"faq-{i}", f"質問{i}", url=f"https://example.jp/{i}?utm=x#top") for i in range(5)
        )
        reply = Reply(
            "長い回答です。" * 3000,
            Mode.LLM,
            sources=sources,
            quick_replies=tuple(f"選択肢その{i}は長いラベルになります" for i in range(20)),
        )
        messages = formatting.messages_for(reply)
        assert len(messages) == 5
        assert all(len(m["text"]) <= formatting.MAX_TEXT_CHARS for m in messages)
        assert "https://example.jp/0" in messages[-1]["text"]
        assert "utm" not in messages[-1]["text"]
        items = messages[-1]["quickReply"]["items"]
        assert len(items) == 13
        assert all(len(item["action"]["label"]) <= 20 for item in items)
        assert items[0]["action"]["text"] == "選択肢その0は長いラベルになります"

    def test_navigator_guide_is_a_flex_bubble(self) -> None:
        reply = Reply(
            "【ロードマップ】\n\n1. 予約番号を取る\n\n2. 申し込む", Mode.NAVIGATOR, quick_replies=("次へ",)
        )
        [message] = formatting.messages_for(reply)
        assert message["type"] == "flex"
        assert message["contents"]["type"] == "bubble"
        assert len(message["contents"]["body"]["contents"]) == 3
        assert message["quickReply"]["items"][0]["action"]["text"] == "次へ"

    def test_no_quick_reply_without_options(self) -> None:
        [message] = formatting.messages_for(Reply("はい。", Mode.SMALLTALK))
        assert "quickReply" not in message
