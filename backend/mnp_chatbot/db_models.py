"""Imports every domain's models so that Alembic sees the whole metadata."""

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.auth.models import AuthSession, RefreshToken, User
from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.channels.models import ChannelContact, ChannelEvent
from mnp_chatbot.chat.models import Conversation, Feedback, Message
from mnp_chatbot.core.db import Base
from mnp_chatbot.editorial.models import FaqReview
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.handoff.models import Handoff, HandoffNote, HandoffSetting, OperatorPresence

__all__ = [
    "AuditLog",
    "AuthSession",
    "Base",
    "Carrier",
    "ChannelContact",
    "ChannelEvent",
    "Conversation",
    "FaqEntry",
    "FaqReview",
    "Feedback",
    "Handoff",
    "HandoffNote",
    "HandoffSetting",
    "Message",
    "OperatorPresence",
    "RefreshToken",
    "User",
]
