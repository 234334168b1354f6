"""store: documents, articles and events in one SQL database (SQLite by default).

Why it looks like this:
- SQLAlchemy Core with portable types only (``sa.JSON``, ``sa.Date``...), so the same code
  runs on PostgreSQL when a team outgrows one SQLite file.
- The schema is owned by Alembic migrations shipped inside the package and applied by
  ``Store.open`` itself: a user never runs a migration tool, and opening an old database
  file brings it up to date.
- The document's content hash is the idempotency key: feeding the same input twice
  changes nothing, a document that failed before and now succeeds is updated in place,
  and every document is written in its own transaction so one bad input never costs
  the others.
- Each event row keeps the full event dict in ``data`` (what the API and exports
  return) next to a few flat, indexed columns that the filters use.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from conflictlens.models import Document, ExtractionResult, to_dict

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# --- schema (must match migrations/versions; Alembic's autogenerate compares the two) ---

metadata = sa.MetaData()

documents_table = sa.Table(
    "documents",
    metadata,
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
    sa.Index("ix_documents_status", "status"),
    sa.Index("ix_documents_source", "source"),
)

articles_table = sa.Table(
    "articles",
    metadata,
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
    sa.Index("ix_articles_document_id", "document_id"),
)

events_table = sa.Table(
    "events",
    metadata,
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
    sa.Index("ix_events_article_id", "article_id"),
    sa.Index("ix_events_country", "country"),
    sa.Index("ix_events_country_code", "country_code"),
    sa.Index("ix_events_date_start", "date_start"),
    sa.Index("ix_events_event_type", "event_type"),
)


class AddOutcome(StrEnum):
    """What ``Store.add_result`` did; a str, so ``outcome == "added"`` works."""

    ADDED = "added"
    UNCHANGED = "unchanged"  # same content already stored successfully: nothing written
    UPDATED = "updated"  # a previously failed (or replaced) document now has results


def article_id_for(document: Document) -> str:
    """The article id the store gives a document's article: a prefix of its content hash.

    Stable across runs (same bytes, same id) so event ids ``<article_id>-E1`` are too.
    The pipeline may use it for ``Source.article_id``; the store applies it either way.
    """
    return document.content_hash[:12]


def database_url(url_or_path: str | Path) -> str:
    """Accept a SQLAlchemy URL or a plain file path (turned into a SQLite URL)."""
    text = str(url_or_path)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the web UI) run while a batch writes; foreign keys are off by
    # default in SQLite and the schema relies on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    parsed = _iso_date(value)
    if parsed is None:
        raise ValueError(f"{name}: not an ISO date: {value!r}")
    return parsed


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """A ConflictLens database. Create with ``Store.open(url_or_path)``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- lifecycle ---------------------------------------------------------------

    @classmethod
    def open(cls, url: str | Path) -> Store:
        """Connect, and migrate the schema to the newest revision (a no-op when current)."""
        engine = sa.create_engine(database_url(url))
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return cls(engine)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    # --- writing -----------------------------------------------------------------

    def add_result(
        self, document: Document, result: ExtractionResult, *, replace: bool = False
    ) -> AddOutcome:
        """Store a document with its article and events, in one transaction.

        Already stored OK with the same content hash: nothing changes (``unchanged``),
        unless ``replace`` is true (re-extraction with a newer pipeline), in which case
        its article and events are swapped for the new ones (``updated``). A document
        that failed before is turned into a successful one (``updated``).
        """
        docs = documents_table
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(docs.c.id, docs.c.status).where(
                    docs.c.content_hash == document.content_hash
                )
            ).first()
            values = self._document_values(document) | {"status": "ok", "error": None}
            if row is None:
                doc_id = conn.execute(sa.insert(docs).values(**values)).inserted_primary_key[0]
                outcome = AddOutcome.ADDED
            elif row.status == "ok" and not replace:
                return AddOutcome.UNCHANGED
            else:
                doc_id = row.id
                conn.execute(sa.update(docs).where(docs.c.id == doc_id).values(**values))
                self._delete_results(conn, doc_id)
                outcome = AddOutcome.UPDATED
            # A failure recorded before the bytes could even be read (no hash) is
            # superseded once the same source yields a document.
            conn.execute(
                sa.delete(docs).where(
                    docs.c.source == document.source,
                    docs.c.content_hash.is_(None),
                    docs.c.status == "failed",
                )
            )
            self._insert_results(conn, doc_id, document, result)
        return outcome

    def add_failure(
        self, document_or_source: Document | str, content_hash: str | None, reason: str
    ) -> None:
        """Record that a document could not be processed, and why.

        Idempotent: the same failure (same hash, or same source when there is no hash)
        updates its one row. A document already stored OK is left as it is, so a
        transient failure on a rerun never destroys good results.
        """
        docs = documents_table
        if isinstance(document_or_source, Document):
            values = self._document_values(document_or_source)
            content_hash = content_hash or document_or_source.content_hash
        else:
            values = {"source": str(document_or_source), "ingested_at": _now()}
        values |= {"content_hash": content_hash, "status": "failed", "error": reason}
        with self._engine.begin() as conn:
            if content_hash is not None:
                where = docs.c.content_hash == content_hash
            else:
                where = sa.and_(docs.c.content_hash.is_(None), docs.c.source == values["source"])
            row = conn.execute(sa.select(docs.c.id, docs.c.status).where(where)).first()
            if row is None:
                conn.execute(sa.insert(docs).values(**values))
            elif row.status == "failed":
                conn.execute(sa.update(docs).where(docs.c.id == row.id).values(**values))

    @staticmethod
    def _document_values(document: Document) -> dict[str, Any]:
        return {
            "content_hash": document.content_hash,
            "source": document.source,
            "url": document.url,
            "media_type": document.media_type,
            "encoding": document.encoding,
            "title": document.title,
            "published": document.published,
            "content": document.content,
            "ingested_at": _now(),
        }

    @staticmethod
    def _delete_results(conn: Connection, doc_id: int) -> None:
        article_ids = sa.select(articles_table.c.id).where(articles_table.c.document_id == doc_id)
        conn.execute(sa.delete(events_table).where(events_table.c.article_id.in_(article_ids)))
        conn.execute(sa.delete(articles_table).where(articles_table.c.document_id == doc_id))

    @staticmethod
    def _insert_results(
        conn: Connection, doc_id: int, document: Document, result: ExtractionResult
    ) -> None:
        article_id = article_id_for(document)
        payload = result.to_dict()
        article = result.article
        conn.execute(
            sa.insert(articles_table).values(
                id=article_id,
                document_id=doc_id,
                headline=article.headline,
                publisher=article.publisher,
                published=article.published,
                url=article.url or document.url,
                language=article.language,
                data=payload["article"],
            )
        )
        rows = [_event_row(article_id, data) for data in payload["events"]]
        if rows:
            conn.execute(sa.insert(events_table), rows)

    # --- reading -----------------------------------------------------------------

    def events(
        self,
        country: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        event_type: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Event dicts, oldest first.

        ``country`` matches the country name or ISO2 code (case-insensitive);
        ``event_type`` the ACLED type, the sub-event type or the "Type/Sub" string;
        ``since``/``until`` keep events whose date interval overlaps the given one
        (an undated event never matches a date filter).
        """
        ev = events_table
        query = sa.select(ev.c.data)
        if country:
            key = country.strip().lower()
            query = query.where(
                sa.or_(sa.func.lower(ev.c.country) == key, sa.func.lower(ev.c.country_code) == key)
            )
        since_d, until_d = _as_date(since, "since"), _as_date(until, "until")
        if since_d is not None:
            query = query.where(sa.func.coalesce(ev.c.date_end, ev.c.date_start) >= since_d)
        if until_d is not None:
            query = query.where(ev.c.date_start <= until_d)
        if event_type:
            key = event_type.strip().lower()
            query = query.where(
                sa.or_(
                    sa.func.lower(ev.c.event_type) == key,
                    sa.func.lower(ev.c.sub_event_type) == key,
                    sa.func.lower(ev.c.event_type + "/" + ev.c.sub_event_type) == key,
                )
            )
        query = query.order_by(ev.c.date_start.asc().nulls_last(), ev.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [row.data for row in conn.execute(query)]

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event dict by id, or None."""
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(events_table.c.data).where(events_table.c.id == event_id)
            ).scalar_one_or_none()

    def documents(
        self, status: str | None = None, *, with_content: bool = False
    ) -> list[dict[str, Any]]:
        """Document records (content only on request: it can be large), in insertion order."""
        docs = documents_table
        columns = [c for c in docs.c if with_content or c.name != "content"]
        query = sa.select(*columns).order_by(docs.c.id)
        if status is not None:
            query = query.where(docs.c.status == status)
        with self._engine.connect() as conn:
            out = []
            for row in conn.execute(query):
                record = dict(row._mapping)
                if record["ingested_at"] is not None:
                    record["ingested_at"] = record["ingested_at"].isoformat()
                out.append(record)
            return out

    def stats(self) -> dict[str, int]:
        """Counts: documents (all, ok, failed), articles, events."""
        docs = documents_table
        with self._engine.connect() as conn:
            by_status = dict(
                conn.execute(
                    sa.select(docs.c.status, sa.func.count()).group_by(docs.c.status)
                ).all()
            )
            n_articles = conn.execute(sa.select(sa.func.count()).select_from(articles_table))
            n_articles = n_articles.scalar_one()
            n_events = conn.execute(sa.select(sa.func.count()).select_from(events_table))
            n_events = n_events.scalar_one()
        ok, failed = by_status.get("ok", 0), by_status.get("failed", 0)
        return {
            "documents": ok + failed,
            "documents_ok": ok,
            "documents_failed": failed,
            "articles": n_articles,
            "events": n_events,
        }


def _event_row(article_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Flat, indexed columns for one event dict (``data`` itself is stored alongside)."""
    data = to_dict(data)
    event_id = str(data.get("id") or "")
    if not event_id.startswith(f"{article_id}-"):
        # Event ids are primary keys across all articles: make them so.
        event_id = f"{article_id}-{event_id}"
        data["id"] = event_id
    source = data.get("source") or {}
    if not source.get("article_id"):
        data["source"] = source | {"article_id": article_id}
    date = data.get("date") or {}
    loc = data.get("location") or {}
    actor1 = data.get("actor1") or {}
    actor2 = data.get("actor2") or {}
    fat = data.get("fatalities") or {}
    return {
        "id": event_id,
        "article_id": article_id,
        "event_type": data.get("event_type") or "",
        "sub_event_type": data.get("sub_event_type") or "",
        "date_start": _iso_date(date.get("start")),
        "date_end": _iso_date(date.get("end")),
        "date_precision": date.get("precision"),
        "location_name": loc.get("name"),
        "admin1": loc.get("admin1"),
        "country": loc.get("country"),
        "country_code": loc.get("country_code"),
        "lat": loc.get("lat"),
        "lon": loc.get("lon"),
        "geo_precision": loc.get("precision"),
        "actor1": actor1.get("name"),
        "actor2": actor2.get("name"),
        "fatalities_best": fat.get("best"),
        "fatalities_low": fat.get("low"),
        "fatalities_high": fat.get("high"),
        "injured": data.get("injured"),
        "background": bool(data.get("background")),
        "summary": data.get("summary"),
        "data": data,
    }
