"""Persistent event groups: the reports of one real-world event across articles.

- ``event_groups``: one row per real-world event; ids are never given twice
  (AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
- ``events.group_id``: the group a report belongs to, assigned when it is stored (the
  store matches it against stored reports of its type family, country and dates, with
  the cross-article merge rule of ``conflictlens.stages.dedupe``), kept on re-extraction
  while the match holds.
- An index on (country_code, date_start): where a new report's candidates are.

Existing reports are grouped here, in the order their documents were stored, by the
same rule as new ones.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_groups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer, nullable=True))
        batch.create_index("ix_events_group_id", ["group_id"])
        batch.create_index("ix_events_country_code_date_start", ["country_code", "date_start"])
    _group_existing(op.get_bind())


def _group_existing(conn: sa.Connection) -> None:
    """Every stored report gets its group, in the order the documents were stored."""
    from conflictlens.store import _assign_group, articles_table, events_table

    ev, art = events_table, articles_table
    rows = conn.execute(
        sa.select(
            ev.c.id,
            ev.c.article_id,
            ev.c.data,
            ev.c.event_type,
            ev.c.country_code,
            ev.c.date_start,
            ev.c.date_end,
            ev.c.rejected,
        )
        .join(art, art.c.id == ev.c.article_id)
        .order_by(art.c.document_id, ev.c.id)
    ).all()
    for r in rows:
        group = _assign_group(conn, dict(r._mapping))
        conn.execute(sa.update(ev).where(ev.c.id == r.id).values(group_id=group))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_country_code_date_start")
        batch.drop_index("ix_events_group_id")
        batch.drop_column("group_id")
    op.drop_table("event_groups")
