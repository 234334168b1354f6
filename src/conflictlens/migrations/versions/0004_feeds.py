"""Watched feeds, and an index on document URLs.

- ``feeds``: one row per RSS/Atom feed ``conflictlens watch`` polls: the validators the
  next poll sends (ETag, Last-Modified), when and how the last poll went, how many polls
  in a row failed and why the last one did, how many articles it brought.
- ``ix_documents_url``: a poll asks which of a feed's item URLs are stored already.

Written out by hand, like 0001-0003.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("last_fetch", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(32), nullable=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("items", sa.Integer, nullable=False, server_default="0"),
    )
    with op.batch_alter_table("documents") as batch:
        batch.create_index("ix_documents_url", ["url"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_url")
    op.drop_table("feeds")
