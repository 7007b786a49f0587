"""Shared helpers of the LLM tests."""

import datetime as dt

from prometheus_client import REGISTRY

from mnp_chatbot.chat import context, engine
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.llm.openai import Limits

FAST = Limits(
    first_token_timeout=0.5, total_timeout=3.0, max_attempts=3, backoff_initial=0.01, backoff_max=0.02
)
TODAY = dt.date(2026, 1, 15)


def decide(snapshot: KnowledgeSnapshot, text: str, slots: context.Slots | None = None) -> engine.Decision:
    conversation = engine.Conversation(slots or context.Slots(), None)
    return engine.decide(text, text, conversation, snapshot, today=TODAY)


def failures(reason: str) -> float:
    return REGISTRY.get_sample_value("llm_failures_total", {"reason": reason}) or 0.0
