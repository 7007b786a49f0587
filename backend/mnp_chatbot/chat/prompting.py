"""Assembles what the model sees for one answer (pure).

    system     the prompt file, and nothing else: the only instructions
    user       <reference_data> 参考情報 (numbered sources) and わかっていること (slots) </reference_data>
    user       an earlier customer message, inside <customer_message> … </customer_message>
    assistant  an earlier reply of ours
    …
    user       this message, inside <customer_message> … </customer_message>

Customer text arrives masked. Anything in it, or in the knowledge text, that could pass for a delimiter
(< and > in every width) is replaced by ‹ and ›, so neither a customer nor an FAQ entry can close its block
or open one of ours: knowledge text is data, like the customer's, never part of the instructions.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mnp_chatbot.llm.protocols import PromptMessage, Role

CUSTOMER_OPEN = "<customer_message>"
CUSTOMER_CLOSE = "</customer_message>"
REFERENCE_OPEN = "<reference_data>"
REFERENCE_CLOSE = "</reference_data>"
ANGLES = str.maketrans({"<": "‹", ">": "›", "＜": "‹", "＞": "›", "﹤": "‹", "﹥": "›", "〈": "‹", "〉": "›"})
SLOT_LABELS = {
    "from_brand": "現在ご契約中の会社",
    "to_brand": "乗り換え先の会社",
    "sim": "SIMの種類",
    "device": "端末",
    "channel": "手続きの方法",
}
SLOT_VALUES = {"esim": "eSIM", "card": "SIMカード", "shop": "店頭", "online": "オンライン"}
NO_FACTS = "（まだ伺っていません）"


@dataclass(frozen=True, slots=True)
class PromptSource:
    faq_id: str
    question: str
    text: str

    def render(self, number: int) -> str:
        question, text = neutralize(self.question), neutralize(self.text)
        return f"[{number}] (id: {self.faq_id})\n質問: {question}\n内容: {text}"


@dataclass(frozen=True, slots=True)
class Turn:
    role: Role
    text: str


def neutralize(text: str) -> str:
    return text.translate(ANGLES)


def delimit(text: str) -> str:
    return f"{CUSTOMER_OPEN}\n{neutralize(text)}\n{CUSTOMER_CLOSE}"


def source_block(sources: Sequence[PromptSource]) -> str:
    return "\n\n".join(source.render(number) for number, source in enumerate(sources, start=1))


def facts_block(slots: Mapping[str, object], names: Mapping[str, str]) -> str:
    """The slots the customer told us, as Japanese lines; brand ids become their display names."""
    lines = []
    for key, label in SLOT_LABELS.items():
        value = slots.get(key)
        if isinstance(value, str) and value:
            shown = names.get(value) or SLOT_VALUES.get(value, value)
            lines.append(f"- {label}: {neutralize(shown)}")
    return "\n".join(lines) or NO_FACTS


def build_messages(
    question: str,
    sources: Sequence[PromptSource],
    history: Sequence[Turn],
    slots: Mapping[str, object],
    *,
    system: str,
    names: Mapping[str, str] | None = None,
) -> list[PromptMessage]:
    """`question` and the history are masked by the caller; only user turns are customer text."""
    reference = (
        f"# 参考情報\n\n{source_block(sources)}\n\n# わかっていること\n\n{facts_block(slots, names or {})}"
    )
    messages = [
        PromptMessage("system", system),
        PromptMessage("user", f"{REFERENCE_OPEN}\n{reference}\n{REFERENCE_CLOSE}"),
    ]
    for turn in history:
        if turn.role == "user":
            messages.append(PromptMessage("user", delimit(turn.text)))
        elif turn.role == "assistant":
            messages.append(PromptMessage("assistant", turn.text))
    messages.append(PromptMessage("user", delimit(question)))
    return messages
