import datetime as dt
import uuid
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Boolean, Date, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base, TimestampMixin

EMBEDDING_DIMENSIONS = 1536


class FaqEntry(TimestampMixin, Base):
    __tablename__ = "faqs"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    slug: Mapped[str] = mapped_column(String(96), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    alternates: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    brands: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    fact_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    verification: Mapped[str] = mapped_column(String(16))
    verified: Mapped[bool] = mapped_column(Boolean)
    official_url: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    is_published: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Present only where the server has pgvector (see migration 0001): never loaded with the entry, read and
    # written only by the dense retrieval, which is off without it.
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS), deferred=True)
    embedding_source_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("idx_faqs_keywords_gin", "keywords", postgresql_using="gin"),
        Index(
            "idx_faqs_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )
