"""Prompt files: a versioned front matter, then the text."""

import pytest

from mnp_chatbot.llm import prompts


class TestParse:
    def test_reads_the_version_and_the_text(self) -> None:
        prompt = prompts.parse("x", "---\nversion: x-2\nowner: chat\n---\n本文です。\n")
        assert prompt == prompts.Prompt("x", "x-2", "本文です。")

    @pytest.mark.parametrize(
        "raw",
        [
            "本文だけです。",
            "---\nowner: chat\n---\n本文です。",
            "---\nversion: x-1\n本文です。",
            "---\nversion:\n---\n本文",
        ],
    )
    def test_a_file_without_a_versioned_front_matter_is_refused(self, raw: str) -> None:
        with pytest.raises(prompts.PromptFileInvalid):
            prompts.parse("x", raw)


class TestShippedAnswerPrompt:
    def test_its_version_fits_the_message_column(self) -> None:
        assert 0 < len(prompts.load("answer.ja").version) <= 32

    @pytest.mark.parametrize("rule", ["<customer_message>", "[1]", "参考情報", "数字", "です・ます"])
    def test_states_each_rule(self, rule: str) -> None:
        assert rule in prompts.load("answer.ja").text

    def test_is_loaded_once(self) -> None:
        assert prompts.load("answer.ja") is prompts.load("answer.ja")
