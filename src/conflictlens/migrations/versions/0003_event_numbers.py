"""ACLED-style event numbers and the time each event row was stored.

- ``event_numbers``: the number each event has in its country, the number of an ACLED
  ``event_id_cnty`` ("PAK12"), given once per (event id, ISO3 code). Keyed by event id
  without a foreign key, like ``corrections``: re-extracting a document deletes and
  re-inserts its events under the same ids, and they keep their numbers. A number is
  never given twice in one country (unique on iso3 + number), so an id that an analyst
  has quoted keeps meaning one event.
- ``events.iso3``: the ISO3 code of the event's country (``XXX`` when it has none), the
  key its number is looked up by; ``events.stored_at``: when the row was last written
  with different content (ACLED's ``timestamp``).

Existing rows are filled in: ``stored_at`` from their document's ``ingested_at``,
``iso3`` from their country code (or name) column, and numbers per country in the
order the documents were stored (and E1, E2, ... within one).

Written out by hand, like 0001 and 0002, so it keeps describing this step whatever the
store module becomes.

Revision ID: 0003
Revises: 0002
Create Date: 2025-07-09
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_COUNTRY = "XXX"


def _iso3_table() -> tuple[dict[str, str], dict[str, str]]:
    from conflictlens.kb.countries import countries

    table = countries()
    return (
        {iso2: row["iso3"] for iso2, row in table.items()},
        {row["name"].casefold(): row["iso3"] for row in table.values()},
    )


def _iso3(code: str | None, name: str | None, tables: tuple[dict, dict]) -> str:
    """By ISO2 code, else by GeoNames name (the store's ``country_iso3`` rule)."""
    by_code, by_name = tables
    code = str(code or "").upper()
    if code in by_code:
        return by_code[code]
    return by_name.get(str(name or "").strip().casefold(), NO_COUNTRY)


def _natural(event_id: str) -> tuple[str, int]:
    match = re.match(r"^(.*?)(\d+)$", event_id)
    return (event_id, -1) if match is None else (match.group(1), int(match.group(2)))


def upgrade() -> None:
    op.create_table(
        "event_numbers",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("iso3", sa.String(3), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "iso3", name="pk_event_numbers"),
        sa.UniqueConstraint("iso3", "number", name="uq_event_numbers_iso3_number"),
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("iso3", sa.String(3), nullable=True))
        batch.add_column(sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True))

    conn = op.get_bind()
    meta = sa.MetaData()
    events = sa.Table("events", meta, autoload_with=conn)
    articles = sa.Table("articles", meta, autoload_with=conn)
    documents = sa.Table("documents", meta, autoload_with=conn)
    numbers = sa.Table("event_numbers", meta, autoload_with=conn)
    rows = conn.execute(
        sa.select(
            events.c.id,
            events.c.country_code,
            events.c.country,
            documents.c.id.label("doc"),
            documents.c.ingested_at,
        )
        .join(articles, articles.c.id == events.c.article_id)
        .join(documents, documents.c.id == articles.c.document_id)
    ).all()
    if not rows:
        return
    tables = _iso3_table()
    rows.sort(key=lambda r: (r.doc, _natural(r.id)))
    last: dict[str, int] = {}
    assigned = []
    for r in rows:
        iso3 = _iso3(r.country_code, r.country, tables)
        conn.execute(
            sa.update(events).where(events.c.id == r.id).values(iso3=iso3, stored_at=r.ingested_at)
        )
        last[iso3] = last.get(iso3, 0) + 1
        assigned.append(
            {"event_id": r.id, "iso3": iso3, "number": last[iso3], "created_at": r.ingested_at}
        )
    conn.execute(sa.insert(numbers), assigned)


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("stored_at")
        batch.drop_column("iso3")
    op.drop_table("event_numbers")
