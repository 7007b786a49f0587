"""faq embedding source hash

Remembers which text an entry's embedding was computed from, so that only new or edited entries are
embedded again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("faqs", sa.Column("embedding_source_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("faqs", "embedding_source_hash")
