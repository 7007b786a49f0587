"""faq publish review

An operator's publication of FAQ text (or an edit of a published entry) waits in faq_reviews until an
admin approves it; the live faqs row keeps the last approved text meanwhile.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faq_reviews",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("faq_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(16), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("proposed", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("publish", sa.Boolean(), nullable=False),
        sa.Column("base_hash", sa.String(64), nullable=False),
        sa.Column("base_answer", sa.Text(), nullable=False),
        sa.Column("was_published", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column(
            "requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("decided_by", sa.UUID(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'superseded')", name=op.f("ck_faq_reviews_status")
        ),
        sa.ForeignKeyConstraint(
            ["faq_id"], ["faqs.id"], name=op.f("fk_faq_reviews_faq_id_faqs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_faq_reviews_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_faq_reviews_decided_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_reviews")),
    )
    op.create_index("idx_faq_reviews_faq_id", "faq_reviews", ["faq_id"])
    op.create_index("idx_faq_reviews_status", "faq_reviews", ["status", "requested_at"])
    op.create_index(
        "uq_faq_reviews_pending_per_faq",
        "faq_reviews",
        ["faq_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("faq_reviews")
