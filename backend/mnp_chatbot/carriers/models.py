import datetime as dt
from typing import Any

from sqlalchemy import Date, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base, TimestampMixin


class Carrier(TimestampMixin, Base):
    """One brand of the carrier table; `document` holds the whole validated CarrierDocument."""

    __tablename__ = "carriers"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    group_id: Mapped[str] = mapped_column(String(48), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    as_of: Mapped[dt.date] = mapped_column(Date)
