"""Initial schema: documents, articles, events.

Written out by hand rather than imported from ``conflictlens.store`` so that this
revision keeps describing the schema as it was, whatever the store module becomes.

Revision ID: 0001
Revises:
Create Date: 2024-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("media_type", sa.String(16), nullable=True),
        sa.Column("encoding", sa.String(64), nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("published", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("content", sa.Text, nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("content_hash", name="uq_documents_content_hash"),
        sa.CheckConstraint("status IN ('ok', 'failed')", name="ck_documents_status"),
    )
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_index("ix_documents_source", "documents", ["source"])
    op.create_table(
        "articles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE", name="fk_articles_document"),
            nullable=False,
        ),
        sa.Column("headline", sa.Text, nullable=True),
        sa.Column("publisher", sa.Text, nullable=True),
        sa.Column("published", sa.String(40), nullable=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_articles_document_id", "articles", ["document_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column(
            "article_id",
            sa.String(64),
            sa.ForeignKey("articles.id", ondelete="CASCADE", name="fk_events_article"),
            nullable=False,
        ),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(128), nullable=False),
        sa.Column("date_start", sa.Date, nullable=True),
        sa.Column("date_end", sa.Date, nullable=True),
        sa.Column("date_precision", sa.String(16), nullable=True),
        sa.Column("location_name", sa.Text, nullable=True),
        sa.Column("admin1", sa.Text, nullable=True),
        sa.Column("country", sa.Text, nullable=True),
        sa.Column("country_code", sa.String(8), nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("geo_precision", sa.String(16), nullable=True),
        sa.Column("actor1", sa.Text, nullable=True),
        sa.Column("actor2", sa.Text, nullable=True),
        sa.Column("fatalities_best", sa.Integer, nullable=True),
        sa.Column("fatalities_low", sa.Integer, nullable=True),
        sa.Column("fatalities_high", sa.Integer, nullable=True),
        sa.Column("injured", sa.Integer, nullable=True),
        sa.Column("background", sa.Boolean, nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_article_id", "events", ["article_id"])
    op.create_index("ix_events_country", "events", ["country"])
    op.create_index("ix_events_country_code", "events", ["country_code"])
    op.create_index("ix_events_date_start", "events", ["date_start"])
    op.create_index("ix_events_event_type", "events", ["event_type"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("articles")
    op.drop_table("documents")
