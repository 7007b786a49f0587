"""live hand-off

Operators take over conversations: hand-off lifecycle columns and statuses (queued → waiting, claimed →
active), one open hand-off per conversation, operators' presence, internal notes, admin-editable hand-off
settings, and the operator's display name on their messages.

Revision ID: 0004
Revises: 0006
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("channel", sa.String(16), server_default=sa.text("'web'"), nullable=False))
    op.add_column(
        "handoffs",
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.add_column("handoffs", sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handoffs", sa.Column("outcome", sa.String(32), nullable=True))
    op.add_column("handoffs", sa.Column("callback_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handoffs", sa.Column("callback_done_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handoffs", sa.Column("callback_done_by", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_handoffs_callback_done_by_users"), "handoffs", "users", ["callback_done_by"], ["id"],
        ondelete="SET NULL",
    )
    op.execute("UPDATE handoffs SET queued_at = created_at")
    op.execute("UPDATE handoffs SET status = 'waiting' WHERE status = 'queued'")
    op.execute("UPDATE handoffs SET status = 'active' WHERE status = 'claimed'")
    # Older rows could repeat a request of the same conversation: keep the newest open one.
    op.execute(
        "UPDATE handoffs AS h SET status = 'abandoned' WHERE status IN ('waiting', 'active') AND EXISTS ("
        "SELECT 1 FROM handoffs AS n WHERE n.session_id = h.session_id AND n.status IN ('waiting', 'active') "
        "AND (n.created_at, n.id) > (h.created_at, h.id))"
    )
    op.create_check_constraint(
        op.f("ck_handoffs_status"), "handoffs", "status IN ('waiting', 'active', 'resolved', 'abandoned', 'missed')"
    )
    op.create_index(
        "uq_handoffs_open_per_conversation", "handoffs", ["session_id"], unique=True,
        postgresql_where=sa.text("status IN ('waiting', 'active')"),
    )
    op.add_column("messages", sa.Column("author", sa.String(100), nullable=True))
    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("handoff_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=True),
        sa.Column("kind", sa.String(16), server_default=sa.text("'note'"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_notes_handoff_id_handoffs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_handoff_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_notes")),
    )
    op.create_index(op.f("ix_handoff_notes_handoff_id"), "handoff_notes", ["handoff_id"], unique=False)
    op.create_table(
        "operator_presence",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_operator_presence_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_operator_presence")),
    )
    op.create_table(
        "handoff_settings",
        sa.Column("key", sa.String(48), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_by", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_handoff_settings_updated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handoff_settings")),
    )


def downgrade() -> None:
    op.drop_table("handoff_settings")
    op.drop_table("operator_presence")
    op.drop_index(op.f("ix_handoff_notes_handoff_id"), table_name="handoff_notes")
    op.drop_table("handoff_notes")
    op.drop_column("messages", "author")
    op.drop_index("uq_handoffs_open_per_conversation", table_name="handoffs")
    op.drop_constraint(op.f("ck_handoffs_status"), "handoffs", type_="check")
    op.execute("UPDATE handoffs SET status = 'queued' WHERE status = 'waiting'")
    op.execute("UPDATE handoffs SET status = 'claimed' WHERE status = 'active'")
    op.execute("UPDATE handoffs SET status = 'resolved' WHERE status IN ('abandoned', 'missed')")
    op.drop_constraint(op.f("fk_handoffs_callback_done_by_users"), "handoffs", type_="foreignkey")
    for column in (
        "callback_done_by", "callback_done_at", "callback_requested_at", "outcome", "first_response_at",
        "queued_at", "channel",
    ):
        op.drop_column("handoffs", column)
