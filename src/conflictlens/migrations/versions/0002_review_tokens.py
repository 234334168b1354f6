"""Review and access: API tokens, analysts' corrections, and corrected event rows.

- ``api_tokens``: who may write (only a SHA-256 of each token is kept).
- ``corrections``: an analyst's confirm/correct/reject of one field of one event. Keyed
  by event id with no foreign key on purpose: re-extracting a document deletes and
  re-inserts its events (same ids), and the corrections must outlive that.
- ``events.extracted``: the event as the pipeline produced it; ``events.data`` and the
  flat filter columns then hold the event with corrections applied, so filters, counts
  and pages agree with what an analyst sees. ``events.rejected`` hides rejected events.

Written out by hand, like 0001, so it keeps describing this step whatever the store
module becomes.

Revision ID: 0002
Revises: 0001
Create Date: 2024-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_name", "api_tokens", ["name"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.CheckConstraint(
            "action IN ('confirm', 'correct', 'reject')", name="ck_corrections_action"
        ),
    )
    op.create_index("ix_corrections_event_id", "corrections", ["event_id"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("extracted", sa.JSON, nullable=True))
        batch.add_column(
            sa.Column("rejected", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_events_rejected", ["rejected"])
        batch.create_index("ix_events_admin1", ["admin1"])


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_admin1")
        batch.drop_index("ix_events_rejected")
        batch.drop_column("rejected")
        batch.drop_column("extracted")
    op.drop_table("corrections")
    op.drop_table("api_tokens")
