"""line channel queue

The LINE webhook's durable queue: channel_events keeps each event (sealed) until a worker has processed it,
with a lease so that a crashed worker's events are taken up again; channel_contacts keeps how to reach a
conversation's customer on LINE (the user id, encrypted) and whether they unfollowed.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    op.add_column("channel_events", sa.Column("sender_hash", sa.String(length=64), nullable=True))
    op.add_column("channel_events", sa.Column("sealed", sa.LargeBinary(), nullable=True))
    op.add_column(
        "channel_events", sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.add_column(
        "channel_events",
        sa.Column("available_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.add_column("channel_events", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("channel_events", sa.Column("outcome", sa.String(length=32), nullable=True))
    op.create_index("idx_channel_events_pending", "channel_events", ["id"], postgresql_where=PENDING)
    op.create_index(
        "idx_channel_events_pending_sender",
        "channel_events",
        ["channel", "sender_hash", "id"],
        postgresql_where=PENDING,
    )
    op.create_table(
        "channel_contacts",
        sa.Column("conversation_id", sa.UUID(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("unfollowed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_channel_contacts_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_channel_contacts")),
    )


def downgrade() -> None:
    op.drop_table("channel_contacts")
    op.drop_index("idx_channel_events_pending_sender", table_name="channel_events")
    op.drop_index("idx_channel_events_pending", table_name="channel_events")
    for column in ("outcome", "locked_until", "available_at", "attempts", "sealed", "sender_hash"):
        op.drop_column("channel_events", column)
