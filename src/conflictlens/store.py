"""store: documents, articles, events, analysts' corrections and API tokens in one SQL
database: SQLite by default (one file, nothing to start), PostgreSQL for teams.

Why it looks like this:
- SQLAlchemy Core with portable types only (``sa.JSON``, ``sa.Date``...), so the same code
  and the same Alembic migrations run on SQLite and PostgreSQL (psycopg 3 driver).
- The schema is owned by Alembic migrations shipped inside the package and applied by
  ``Store.open`` itself: a user never runs a migration tool, and opening an old database
  brings it up to date.
- The document's content hash is the idempotency key: feeding the same input twice
  changes nothing, a document that failed before and now succeeds is updated in place,
  and every document is written in its own short transaction so one bad input never
  costs the others. Two writers racing on the same bytes end as one "added" and one
  "unchanged", never as an error.
- Each event row keeps the event as extracted (``extracted``) and the event with the
  analysts' corrections applied (``data``, plus the flat, indexed columns the filters
  use), so searches, counts and pages agree with what an analyst sees. Corrections live
  in their own table keyed by event id: re-extracting a document replaces its events
  (same ids) and the corrections are applied again to the new rows.
- Each event is numbered once in its country (``event_numbers``, the number of an ACLED
  ``event_id_cnty``), and its row records when it last changed (``stored_at``, ACLED's
  ``timestamp``); both outlive re-extraction, and readers get them as ``stored``.
- SQLite under a web server: WAL (readers never wait for the writer), a busy timeout,
  and ``BEGIN IMMEDIATE`` for write transactions, so concurrent writers queue up instead
  of failing with "database is locked" half-way through a read-then-write transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from conflictlens.corrections import (
    ACTOR_KEYS,
    DATE_PRECISIONS,
    LOCATION_KEYS,
    MAX_COUNT,
    MAX_NAME,
    REVIEW_ACTIONS,
    REVIEW_FIELDS,
    ReviewError,
    apply_corrections,
    check_name,
    checked_review,
    field_value,
    iso_date,
    without_review,
)
from conflictlens.errors import ConflictLensError
from conflictlens.models import Document, ExtractionResult, to_dict

__all__ = [  # the review vocabulary, re-exported: callers import it from here
    "ACTOR_KEYS",
    "DATE_PRECISIONS",
    "LOCATION_KEYS",
    "MAX_COUNT",
    "MAX_NAME",
    "REVIEW_ACTIONS",
    "REVIEW_FIELDS",
    "AddOutcome",
    "NotFoundError",
    "ReviewError",
    "Store",
    "StoreError",
    "article_id_for",
    "database_url",
    "redated",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
DATA_DIR = Path(__file__).parent / "data"

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
    sa.Index("ix_documents_url", "url"),  # 0004: a feed's items already stored
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
    sa.Column("extracted", sa.JSON, nullable=True),  # before corrections (0002)
    sa.Column("rejected", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("iso3", sa.String(3), nullable=True),  # the country its number is in (0003)
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True),  # last changed (0003)
    # The real-world event this report is of, across articles (0005; see event_groups).
    sa.Column("group_id", sa.Integer, nullable=True),
    sa.Index("ix_events_article_id", "article_id"),
    sa.Index("ix_events_country", "country"),
    sa.Index("ix_events_country_code", "country_code"),
    sa.Index("ix_events_date_start", "date_start"),
    sa.Index("ix_events_event_type", "event_type"),
    sa.Index("ix_events_rejected", "rejected"),
    sa.Index("ix_events_admin1", "admin1"),
    sa.Index("ix_events_group_id", "group_id"),  # 0005
    sa.Index("ix_events_country_code_date_start", "country_code", "date_start"),  # 0005
)

api_tokens_table = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    sa.Index("ix_api_tokens_name", "name"),
)

event_numbers_table = sa.Table(
    "event_numbers",
    metadata,
    # No FK to events: numbers outlive re-extraction, as corrections do (0003).
    sa.Column("event_id", sa.String(128), nullable=False),
    sa.Column("iso3", sa.String(3), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("event_id", "iso3", name="pk_event_numbers"),
    sa.UniqueConstraint("iso3", "number", name="uq_event_numbers_iso3_number"),
)

event_groups_table = sa.Table(
    "event_groups",
    metadata,
    # One row per real-world event: the reports of it (events.group_id) from every
    # article. Ids are never given twice (AUTOINCREMENT on SQLite, a sequence elsewhere),
    # so a group id an analyst quoted keeps meaning one event (0005).
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

feeds_table = sa.Table(
    "feeds",
    metadata,
    # One row per watched RSS/Atom feed (conflictlens watch, 0004): what the next poll
    # sends as validators, and how the last ones went.
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("last_fetch", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_status", sa.String(32), nullable=True),  # "200", "304", "failed"
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),  # in a row
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("items", sa.Integer, nullable=False, server_default="0"),  # articles stored
)

corrections_table = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(128), nullable=False),  # no FK: outlives re-extraction
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("value", sa.JSON, nullable=True),
    sa.Column("user", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.CheckConstraint("action IN ('confirm', 'correct', 'reject')", name="ck_corrections_action"),
    sa.Index("ix_corrections_event_id", "event_id"),
)


# --- errors ------------------------------------------------------------------------


def redated(stored_published: str | None, document: Document) -> bool:
    """A stored document posted again with another publication date: its relative dates
    ("on Friday") mean other days now, so it is extracted again (not "unchanged")."""
    return document.published is not None and document.published != stored_published


class StoreError(ConflictLensError):
    """The database cannot be opened or used (bad URL, server down, wrong password)."""


class NotFoundError(ConflictLensError, LookupError):
    """The event (or article) named does not exist."""


class AddOutcome(StrEnum):
    """What ``Store.add_result`` did; a str, so ``outcome == "added"`` works."""

    ADDED = "added"
    UNCHANGED = "unchanged"  # same content already stored successfully: nothing written
    UPDATED = "updated"  # a previously failed (or replaced) document now has results


_WRITE = "conflictlens_write"  # execution option: this transaction will write
_PG_MIGRATION_LOCK = 0x436C656E  # advisory lock id: one migrating process at a time
_PG_NUMBERING_LOCK = 0x436C4E6F  # advisory lock id: one writer numbering events at a time
#: The ISO3 stand-in of events with no country: they are numbered "XXX1", "XXX2", ...
NO_COUNTRY = "XXX"


def article_id_for(document: Document) -> str:
    """The article id the store gives a document's article: a prefix of its content hash.

    Stable across runs (same bytes, same id) so event ids ``<article_id>-E1`` are too,
    which is what lets analysts' corrections survive re-extraction.
    """
    return document.content_hash[:12]


def database_url(url_or_path: str | Path) -> str:
    """Accept a SQLAlchemy URL or a plain file path (turned into a SQLite URL).

    ``postgresql://`` and ``postgres://`` (what libpq tools and hosting panels print) are
    pointed at the psycopg 3 driver, the one the package installs.
    """
    text = str(url_or_path)
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if scheme in ("postgresql", "postgres"):
            return f"postgresql+psycopg://{rest}"
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _safe_url(url: str) -> str:
    """The URL for messages: never print a password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return re.sub(r"://[^@/]*@", "://***@", url)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off (isolation_level None) so that
    # _sqlite_on_begin decides how each transaction starts. busy_timeout first: switching
    # to WAL needs a lock another connection may hold. WAL lets readers (the web UI) run
    # while a batch writes; foreign keys are off by default in SQLite and the schema
    # relies on them. SQLite's lower() only folds ASCII; Python's folds all of Unicode,
    # as PostgreSQL's does, so case-insensitive filters agree across backends.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _sqlite_on_begin(conn: Connection) -> None:
    # A deferred transaction that reads and then writes cannot wait for a lock held by
    # another writer (SQLite answers "database is locked" at once); IMMEDIATE takes the
    # write lock up front, so concurrent writers queue on busy_timeout instead.
    write = conn.get_execution_options().get(_WRITE)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _create_engine(url: str) -> Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        # A web server runs many threads: enough pooled connections that 50 clients do
        # not wait on the pool (SQLite connections are cheap; the lock is the limit).
        pool_args: dict[str, Any] = {} if in_memory else {"pool_size": 20, "max_overflow": 80}
        engine = sa.create_engine(url, **pool_args)
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)


def _as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    parsed = iso_date(value)
    if parsed is None:
        raise ValueError(f"{name}: not an ISO date: {value!r}")
    return parsed


#: Days either side of an event's dates in which stored reports of it are looked for
#: (the merge rule's own slack is one day; a wider window costs only candidates).
GROUP_WINDOW_DAYS = 2
#: Stored reports whose dates begin more than this before a new report's are not its
#: candidates: a report vaguer than a month merges with nothing on place alone, and the
#: bound keeps the candidate query a range scan of the index.
LONGEST_CANDIDATE = dt.timedelta(days=31)


def _assign_group(conn: Connection, row: dict[str, Any], prefer: int | None = None) -> int:
    """The group a new event row joins (``dedupe.best_group`` over the stored reports of
    its type family, country and dates), else a new group's id. Only candidates in that
    window are read, through the (country_code, date_start) index, so the time per event
    does not grow with the size of the store."""
    from conflictlens.stages.dedupe import best_group, family_types

    ev = events_table
    start, end = row.get("date_start"), row.get("date_end") or row.get("date_start")
    groups: dict[int, list[dict[str, Any]]] = {}
    if start is not None and row.get("country_code") and not row.get("rejected"):
        window = dt.timedelta(days=GROUP_WINDOW_DAYS)
        near = (
            sa.select(ev.c.group_id)
            .where(
                ev.c.country_code == row["country_code"],
                # a range in the index: reports that began up to a month before this one
                ev.c.date_start.between(start - window - LONGEST_CANDIDATE, end + window),
                sa.func.coalesce(ev.c.date_end, ev.c.date_start) >= start - window,
                ev.c.event_type.in_(family_types(row.get("event_type") or "")),
                ev.c.article_id != row["article_id"],
                ev.c.rejected.is_(sa.false()),
                ev.c.group_id.is_not(None),
            )
            .distinct()
        )
        members = sa.select(ev.c.group_id, ev.c.data).where(ev.c.group_id.in_(near))
        for gid, data in conn.execute(members.order_by(ev.c.group_id, ev.c.id)):
            groups.setdefault(gid, []).append(data)
    chosen = best_group(row["data"], groups, prefer=prefer)
    if chosen is not None:
        return chosen
    if prefer is not None and not _group_members(conn, prefer):
        return prefer  # its group holds nobody else: it stays its own group
    made = conn.execute(sa.insert(event_groups_table).values(created_at=_now()))
    return int(made.inserted_primary_key[0])


def _insert_correction(
    conn: Connection,
    key: str,
    field: str,
    action: str,
    value: Any,
    user: str,
    note: str | None,
    created_at: dt.datetime,
) -> int:
    """One review action on an event (its id) or a group (``_group_key``); its row id."""
    row = dict(field=field, action=action, value=value, user=user, note=note)
    made = conn.execute(
        sa.insert(corrections_table).values(event_id=key, created_at=created_at, **row)
    )
    return int(made.inserted_primary_key[0])


def _group_key(group_id: int) -> str:
    """Where a group's reviews are kept in ``corrections`` (keyed like an event id)."""
    return f"group:{group_id}"


def _group_members(conn: Connection, group_id: int) -> bool:
    ev = events_table
    return (
        conn.execute(sa.select(ev.c.id).where(ev.c.group_id == group_id).limit(1)).first()
        is not None
    )


def _feed_dict(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["last_fetch"] = _iso_time(out.get("last_fetch"))
    return out


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@functools.cache
def _iso3_tables() -> tuple[dict[str, str], dict[str, str]]:
    """GeoNames' countries: ISO2 -> ISO3, and lower-cased English name -> ISO3."""
    from conflictlens.kb.countries import countries

    table = countries()
    return (
        {iso2: row["iso3"] for iso2, row in table.items()},
        {row["name"].casefold(): row["iso3"] for row in table.values()},
    )


def country_iso3(location: dict[str, Any] | None) -> str:
    """The ISO3 code of an event location's country, by its ISO2 code, else its GeoNames
    name ("PAK"); ``NO_COUNTRY`` ("XXX") when it names none. Migration 0003 fills old
    rows by the same rule."""
    loc = location or {}
    by_code, by_name = _iso3_tables()
    code = str(loc.get("country_code") or "").upper()
    if code in by_code:
        return by_code[code]
    return by_name.get(str(loc.get("country") or "").strip().casefold(), NO_COUNTRY)


def _iso_time(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC. SQLite hands back naive datetimes (they were stored as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Store:
    """A ConflictLens database. Create with ``Store.open(url_or_path)``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- lifecycle ---------------------------------------------------------------

    @classmethod
    def open(cls, url: str | Path) -> Store:
        """Connect, and migrate the schema to the newest revision (a no-op when current).

        Accepts a file path, ``sqlite:///...``, ``postgresql://...`` or
        ``postgresql+psycopg://...``. Raises ``StoreError`` (one line, no password) when
        the database cannot be reached or the URL is not one.
        """
        target = database_url(url)
        try:
            engine = _create_engine(target)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"not a usable database URL: {_safe_url(target)} ({exc})") from exc
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        store = cls(engine)
        try:
            with store._write() as conn:
                if engine.dialect.name == "postgresql":
                    # Two servers starting at once must not both create the tables.
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc) else ""
            raise StoreError(f"cannot open database {_safe_url(target)}: {reason}") from exc
        return store

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A short write transaction (on SQLite: BEGIN IMMEDIATE, see _sqlite_on_begin)."""
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    # --- writing -----------------------------------------------------------------

    def add_result(
        self, document: Document, result: ExtractionResult, *, replace: bool = False
    ) -> AddOutcome:
        """Store a document with its article and events, in one transaction.

        Already stored OK with the same content hash: nothing changes (``unchanged``),
        unless ``replace`` is true (re-extraction with a newer pipeline), in which case
        its article and events are swapped for the new ones (``updated``), with the
        analysts' corrections applied again. A document that failed before is turned
        into a successful one (``updated``). When another writer inserts the same
        document at the same moment, the loser of the race retries and sees it
        (``unchanged``).
        """
        for attempt in range(3):
            try:
                return self._add_result_once(document, result, replace)
            except sa.exc.IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _add_result_once(
        self, document: Document, result: ExtractionResult, replace: bool
    ) -> AddOutcome:
        docs = documents_table
        previous: dict[str, tuple[dict[str, Any], dt.datetime | None, int | None]] = {}
        with self._write() as conn:
            row = conn.execute(
                sa.select(docs.c.id, docs.c.status, docs.c.published)
                .where(docs.c.content_hash == document.content_hash)
                .with_for_update()
            ).first()
            values = self._document_values(document) | {"status": "ok", "error": None}
            if row is None:
                doc_id = conn.execute(sa.insert(docs).values(**values)).inserted_primary_key[0]
                outcome = AddOutcome.ADDED
            elif row.status == "ok" and not replace and not redated(row.published, document):
                return AddOutcome.UNCHANGED
            else:
                doc_id = row.id
                conn.execute(sa.update(docs).where(docs.c.id == doc_id).values(**values))
                previous = self._stored_events(conn, doc_id)
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
            self._insert_results(conn, doc_id, document, result, previous)
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
        if content_hash is not None:
            where = docs.c.content_hash == content_hash
        else:
            where = sa.and_(docs.c.content_hash.is_(None), docs.c.source == values["source"])
        for attempt in range(3):
            try:
                with self._write() as conn:
                    row = conn.execute(
                        sa.select(docs.c.id, docs.c.status, docs.c.source)
                        .where(where)
                        .with_for_update()
                    ).first()
                    if (
                        row is not None
                        and row.status == "failed"
                        and content_hash is not None
                        and row.source != values["source"]
                    ):
                        # Another file with the same bad bytes (two empty files): each
                        # keeps its own record, this one keyed by its source.
                        values["content_hash"] = None
                        by_source = sa.and_(
                            docs.c.content_hash.is_(None), docs.c.source == values["source"]
                        )
                        row = conn.execute(
                            sa.select(docs.c.id, docs.c.status, docs.c.source)
                            .where(by_source)
                            .with_for_update()
                        ).first()
                    if row is None:
                        conn.execute(sa.insert(docs).values(**values))
                    elif row.status == "failed":
                        conn.execute(sa.update(docs).where(docs.c.id == row.id).values(**values))
                return
            except sa.exc.IntegrityError:  # the same bytes inserted meanwhile: look again
                if attempt == 2:
                    raise

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
    def _stored_events(
        conn: Connection, doc_id: int
    ) -> dict[str, tuple[dict[str, Any], dt.datetime | None, int | None]]:
        """A document's stored events (id -> content without review, stored_at, group),
        so that re-extraction keeps the time of events it leaves as they were, and their
        groups where the match holds."""
        ev, art = events_table, articles_table
        query = (
            sa.select(ev.c.id, ev.c.data, ev.c.stored_at, ev.c.group_id)
            .join(art, art.c.id == ev.c.article_id)
            .where(art.c.document_id == doc_id)
        )
        return {
            r.id: (without_review(r.data), r.stored_at, r.group_id) for r in conn.execute(query)
        }

    @staticmethod
    def _delete_results(conn: Connection, doc_id: int) -> None:
        article_ids = sa.select(articles_table.c.id).where(articles_table.c.document_id == doc_id)
        conn.execute(sa.delete(events_table).where(events_table.c.article_id.in_(article_ids)))
        conn.execute(sa.delete(articles_table).where(articles_table.c.document_id == doc_id))

    @staticmethod
    def _insert_results(
        conn: Connection,
        doc_id: int,
        document: Document,
        result: ExtractionResult,
        previous: dict[str, tuple[dict[str, Any], dt.datetime | None, int | None]],
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
        if not rows:
            return
        found = _corrections_by_event(conn, [r["id"] for r in rows])
        now = _now()
        for row in rows:
            extracted = row["data"]
            effective, rejected = apply_corrections(extracted, found.get(row["id"], []))
            before, stored_at, group = previous.get(row["id"], (None, None, None))
            if stored_at is None or before != without_review(effective):
                stored_at = now
            row |= _flat_columns(effective)
            row |= {
                "data": effective,
                "extracted": extracted,
                "rejected": rejected,
                "stored_at": stored_at,
            }
            row["group_id"] = _assign_group(conn, row, prefer=group)
        conn.execute(sa.insert(events_table), rows)
        _number_events(conn, [(r["id"], r["iso3"]) for r in rows])

    # --- review ------------------------------------------------------------------

    def review(
        self,
        event_id: str,
        field: str,
        action: str,
        value: Any = None,
        user: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Record an analyst's confirm / correct / reject of one field of one event.

        ``field`` is one of ``REVIEW_FIELDS``; ``"event"`` stands for the whole event
        (``reject`` hides it from ``events()``, a later ``confirm`` brings it back).
        ``correct`` needs a ``value`` of the field's shape (see ``normalise_value``:
        shorthands such as an ISO date string for ``date`` or a number for
        ``fatalities`` are accepted); ``reject`` sets the field to null; ``confirm``
        records the value shown at that moment, so that it is kept if a later
        re-extraction changes it. ``user`` (the token's name) is required.

        Returns the stored correction. Raises ``ReviewError`` (a ``ValueError``) for a
        bad request and ``NotFoundError`` (a ``LookupError``) for an unknown event.
        """
        user, value = checked_review(field, action, value, user, note)
        ev = events_table
        with self._write() as conn:
            row = conn.execute(
                sa.select(ev.c.data, ev.c.extracted, ev.c.stored_at)
                .where(ev.c.id == event_id)
                .with_for_update()
            ).first()
            if row is None:
                raise NotFoundError(f"no event {event_id!r}")
            if action == "confirm" and field != "event":
                value = field_value(row.data, field)
            created_at = _now()
            new_id = _insert_correction(
                conn, event_id, field, action, value, user, note, created_at
            )
            extracted = row.extracted or without_review(row.data)
            history = _corrections_by_event(conn, [event_id]).get(event_id, [])
            effective, rejected = apply_corrections(extracted, history)
            changed = without_review(effective) != without_review(row.data)
            flat = _flat_columns(effective)
            conn.execute(
                sa.update(ev)
                .where(ev.c.id == event_id)
                .values(
                    **flat,
                    data=effective,
                    extracted=extracted,
                    rejected=rejected,
                    stored_at=created_at if changed or row.stored_at is None else row.stored_at,
                )
            )
            _number_events(conn, [(event_id, flat["iso3"])])
        return {
            "id": new_id,
            "event_id": event_id,
            "field": field,
            "action": action,
            "value": value,
            "user": user,
            "at": _iso_time(created_at),
            "note": note,
        }

    def corrections(self, event_id: str) -> list[dict[str, Any]]:
        """The review history of one event, oldest first (empty for an unknown id)."""
        with self._engine.connect() as conn:
            return _corrections_by_event(conn, [event_id]).get(event_id, [])

    # --- API tokens --------------------------------------------------------------

    def create_token(self, name: str) -> str:
        """A new write token for ``name`` (who the writes are attributed to).

        The token is returned once and never stored: only its SHA-256 is. A name may
        hold several tokens (one per machine); ``revoke_token`` revokes them all.
        """
        name = check_name(name, "token name")
        token = secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(
                sa.insert(api_tokens_table).values(
                    name=name, token_hash=_token_hash(token), created_at=_now(), revoked=False
                )
            )
        return token

    def check_token(self, token: str | None) -> str | None:
        """The name a valid, unrevoked token belongs to, else None."""
        if not isinstance(token, str) or not token:
            return None
        tok = api_tokens_table
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(tok.c.name).where(
                    tok.c.token_hash == _token_hash(token), tok.c.revoked.is_(sa.false())
                )
            ).scalar_one_or_none()

    def revoke_token(self, name: str) -> int:
        """Revoke every active token of ``name``; returns how many were revoked."""
        tok = api_tokens_table
        with self._write() as conn:
            result = conn.execute(
                sa.update(tok)
                .where(tok.c.name == name, tok.c.revoked.is_(sa.false()))
                .values(revoked=True)
            )
            return result.rowcount

    def tokens(self) -> list[dict[str, Any]]:
        """Tokens as ``{"id", "name", "created_at", "revoked"}``, oldest first; no secrets."""
        tok = api_tokens_table
        query = sa.select(tok.c.id, tok.c.name, tok.c.created_at, tok.c.revoked).order_by(tok.c.id)
        with self._engine.connect() as conn:
            return [
                {
                    "id": r.id,
                    "name": r.name,
                    "created_at": _iso_time(r.created_at),
                    "revoked": bool(r.revoked),
                }
                for r in conn.execute(query)
            ]

    # --- reading -----------------------------------------------------------------

    def events(
        self,
        country: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        event_type: str | None = None,
        limit: int | None = None,
        admin1: str | None = None,
        actor: str | None = None,
        text: str | None = None,
        offset: int = 0,
        include_rejected: bool = False,
        descending: bool = False,
        background: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Event dicts with corrections applied, oldest first (newest with ``descending``).

        ``country`` matches the country name or ISO2 code and ``admin1`` the first-level
        region (both case-insensitive, whole value); ``event_type`` the ACLED type, the
        sub-event type or the "Type/Sub" string; ``since``/``until`` keep events whose
        date interval overlaps the given one (an undated event never matches a date
        filter); ``actor`` is a case-insensitive substring of actor1's or actor2's name,
        ``text`` of the summary, the place name or an actor's name. Rejected events are
        left out unless ``include_rejected``. ``background`` keeps only events mentioned
        as background (True) or only reported news (False); None keeps both.
        ``limit``/``offset`` page through the result (``count_events`` gives the total).
        """
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        if offset < 0:
            raise ValueError(f"offset must be >= 0, got {offset}")
        ev = events_table
        query = _filtered(
            _stored_select(ev.c.data),
            country=country,
            since=since,
            until=until,
            event_type=event_type,
            admin1=admin1,
            actor=actor,
            text=text,
            include_rejected=include_rejected,
            background=background,
        )
        date_order = ev.c.date_start.desc() if descending else ev.c.date_start.asc()
        id_order = ev.c.id.desc() if descending else ev.c.id.asc()
        query = query.order_by(date_order.nulls_last(), id_order)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [_event_out(row.data, row) for row in conn.execute(query)]

    def review_group(
        self,
        group_id: int,
        field: str,
        action: str,
        value: Any = None,
        user: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """An analyst's confirm / correct / reject of one field of a real-world event (a
        stored group), as :meth:`review` does for one report: kept under the group's id,
        which re-extraction never changes, and applied to the merged event that
        :meth:`merged` lists (``reject`` of ``"event"`` hides the group)."""
        user, value = checked_review(field, action, value, user, note)
        key = _group_key(group_id)
        with self._write() as conn:
            exists = conn.execute(
                sa.select(event_groups_table.c.id).where(event_groups_table.c.id == group_id)
            ).first()
            if exists is None:
                raise NotFoundError(f"no event group {group_id!r}")
            created_at = _now()
            new_id = _insert_correction(conn, key, field, action, value, user, note, created_at)
        return {
            "id": new_id,
            "group": group_id,
            "field": field,
            "action": action,
            "value": value,
            "user": user,
            "at": _iso_time(created_at),
            "note": note,
        }

    def merged(
        self, rows: list[dict[str, Any]], members: dict[str, dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """One merged event per real-world event among ``rows`` (reports from
        :meth:`events`): each report's stored group with every member, in the order
        :meth:`events` lists them (``dedupe.merge_group``: its id is the first report's;
        ``group`` is the group's own, stable id), each group once, in the order of
        ``rows``. Read from the table: nothing is re-clustered. ``members`` collects the
        reports merged (id -> report), which the export needs for numbers."""
        from conflictlens.stages.dedupe import merge_group

        ev = events_table
        wanted = sorted({g for r in rows if (g := (r.get("stored") or {}).get("group"))})
        by_group: dict[int, list[dict[str, Any]]] = {}
        with self._engine.connect() as conn:
            for i in range(0, len(wanted), 500):
                query = (
                    _stored_select(ev.c.data)
                    .where(ev.c.group_id.in_(wanted[i : i + 500]), ev.c.rejected.is_(sa.false()))
                    .order_by(ev.c.date_start.asc().nulls_last(), ev.c.id)
                )
                for row in conn.execute(query):
                    by_group.setdefault(row.group_id, []).append(_event_out(row.data, row))
            keys = [_group_key(g) for g in wanted]
            group_reviews = _corrections_by_event(conn, keys) if keys else {}
        out, seen = [], set()
        for r in rows:
            gid = (r.get("stored") or {}).get("group")
            if gid is not None and gid in seen:
                continue
            group = by_group.get(gid, [r]) if gid is not None else [r]
            if gid is not None:
                seen.add(gid)
            if members is not None:
                members.update({m["id"]: m for m in group})
            merged = merge_group(group)
            merged["group"] = gid
            reviews = group_reviews.get(_group_key(gid), []) if gid is not None else []
            if reviews:  # the analysts' word on the real-world event
                merged, rejected = apply_corrections(merged, reviews)
                if rejected:
                    continue
            out.append(merged)
        return out

    def count_events(
        self,
        country: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        event_type: str | None = None,
        admin1: str | None = None,
        actor: str | None = None,
        text: str | None = None,
        include_rejected: bool = False,
        background: bool | None = None,
    ) -> int:
        """How many events ``events()`` would return with the same filters and no limit."""
        query = _filtered(
            sa.select(sa.func.count()).select_from(events_table),
            country=country,
            since=since,
            until=until,
            event_type=event_type,
            admin1=admin1,
            actor=actor,
            text=text,
            include_rejected=include_rejected,
            background=background,
        )
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event dict by id (corrections applied, rejected or not), or None."""
        ev = events_table
        with self._engine.connect() as conn:
            row = conn.execute(_stored_select(ev.c.data).where(ev.c.id == event_id)).first()
        return None if row is None else _event_out(row.data, row)

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The stored article dict (with ``body``), its id, url, publisher, published and
        headline, and where it came from (``source``, ``ingested_at``), or None."""
        art, docs = articles_table, documents_table
        query = (
            sa.select(
                art.c.id,
                art.c.data,
                art.c.url,
                art.c.publisher,
                art.c.published,
                art.c.headline,
                art.c.language,
                docs.c.source,
                docs.c.url.label("document_url"),
                docs.c.ingested_at,
            )
            .join(docs, docs.c.id == art.c.document_id)
            .where(art.c.id == article_id)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return dict(row.data) | {
            "id": row.id,
            "url": row.url or row.document_url,
            "publisher": row.publisher,
            "published": row.published,
            "headline": row.headline,
            "language": row.language,
            "source": row.source,
            "ingested_at": _iso_time(row.ingested_at),
        }

    def article_events(
        self, article_id: str, *, include_rejected: bool = False
    ) -> list[dict[str, Any]]:
        """The events extracted from one article, in the article's order (E1, E2, ...)."""
        ev = events_table
        query = _stored_select(ev.c.id, ev.c.data).where(ev.c.article_id == article_id)
        if not include_rejected:
            query = query.where(ev.c.rejected.is_(sa.false()))
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        rows.sort(key=lambda r: _natural_key(r.id))
        return [_event_out(r.data, r) for r in rows]

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

    # --- feeds (conflictlens watch) -------------------------------------------------

    def feed(self, url: str) -> dict[str, Any] | None:
        """The stored state of one watched feed, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(feeds_table).where(feeds_table.c.url == url)).first()
        return _feed_dict(row) if row is not None else None

    def feeds(self) -> list[dict[str, Any]]:
        """Every watched feed's state, by URL."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(feeds_table).order_by(feeds_table.c.url)).all()
        return [_feed_dict(r) for r in rows]

    def save_feed(self, url: str, *, polled: bool = False, **values: Any) -> None:
        """Create or update a feed's state (any of the ``feeds`` columns); ``polled``
        stamps ``last_fetch`` with the time now (the store is what reads the clock)."""
        known = {c.name for c in feeds_table.columns} - {"url"}
        values = {k: v for k, v in values.items() if k in known}
        if polled:
            values["last_fetch"] = _now()
        with self._write() as conn:
            exists = conn.execute(
                sa.select(feeds_table.c.url).where(feeds_table.c.url == url)
            ).first()
            if exists is None:
                conn.execute(sa.insert(feeds_table).values(url=url, **values))
            elif values:
                conn.execute(
                    sa.update(feeds_table).where(feeds_table.c.url == url).values(**values)
                )

    def stored_urls(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` a stored document came from (the feed items seen before)."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._engine.connect() as conn:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                found.update(
                    conn.execute(
                        sa.select(documents_table.c.url).where(documents_table.c.url.in_(chunk))
                    ).scalars()
                )
        return found

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


# --- filters ---------------------------------------------------------------------


def _contains(column: Any, needle: str) -> Any:
    """Case-insensitive substring match, portable (lower + LIKE, wildcards escaped)."""
    return sa.func.lower(column).contains(needle.lower(), autoescape=True)


def _filtered(
    query: sa.Select,
    *,
    country: str | None,
    since: dt.date | str | None,
    until: dt.date | str | None,
    event_type: str | None,
    admin1: str | None,
    actor: str | None,
    text: str | None,
    include_rejected: bool,
    background: bool | None = None,
) -> sa.Select:
    ev = events_table
    if not include_rejected:
        query = query.where(ev.c.rejected.is_(sa.false()))
    if background is not None:
        query = query.where(ev.c.background.is_(sa.true() if background else sa.false()))
    if country and country.strip():
        key = country.strip().lower()
        query = query.where(
            sa.or_(sa.func.lower(ev.c.country) == key, sa.func.lower(ev.c.country_code) == key)
        )
    if admin1 and admin1.strip():
        query = query.where(sa.func.lower(ev.c.admin1) == admin1.strip().lower())
    since_d, until_d = _as_date(since, "since"), _as_date(until, "until")
    if since_d is not None:
        query = query.where(sa.func.coalesce(ev.c.date_end, ev.c.date_start) >= since_d)
    if until_d is not None:
        query = query.where(ev.c.date_start <= until_d)
    if event_type and event_type.strip():
        key = event_type.strip().lower()
        query = query.where(
            sa.or_(
                sa.func.lower(ev.c.event_type) == key,
                sa.func.lower(ev.c.sub_event_type) == key,
                sa.func.lower(ev.c.event_type + "/" + ev.c.sub_event_type) == key,
            )
        )
    if actor and actor.strip():
        key = actor.strip()
        query = query.where(sa.or_(_contains(ev.c.actor1, key), _contains(ev.c.actor2, key)))
    if text and text.strip():
        key = text.strip()
        query = query.where(
            sa.or_(
                _contains(ev.c.summary, key),
                _contains(ev.c.location_name, key),
                _contains(ev.c.actor1, key),
                _contains(ev.c.actor2, key),
            )
        )
    return query


def _natural_key(event_id: str) -> tuple[str, int, str]:
    """``abc-E2`` before ``abc-E10``."""
    match = re.match(r"^(.*?)(\d+)$", event_id)
    if match is None:
        return (event_id, -1, "")
    return (match.group(1), int(match.group(2)), event_id)


# --- events and their corrections --------------------------------------------------


def _stored_select(*columns: Any) -> sa.Select:
    """A query of event columns with what ``_event_out`` adds: when the row was stored,
    and its number in its country (from ``event_numbers``)."""
    ev, num = events_table, event_numbers_table
    joined = ev.outerjoin(num, sa.and_(num.c.event_id == ev.c.id, num.c.iso3 == ev.c.iso3))
    return sa.select(*columns, ev.c.iso3, ev.c.stored_at, num.c.number, ev.c.group_id).select_from(
        joined
    )


def _event_out(data: dict[str, Any], row: Any) -> dict[str, Any]:
    """What readers get: the event dict with ``stored`` ({iso3, number, at}: its number in
    its country, as in an ACLED ``event_id_cnty``, and when the row last changed, ISO
    8601 UTC). Rows written before migration 0002 lack the review key."""
    data = dict(data)
    data.setdefault("review", {})
    data["stored"] = {
        "iso3": row.iso3,
        "number": row.number,
        "at": _iso_time(row.stored_at),
        "group": row.group_id,
    }
    return data


def _number_events(conn: Connection, pairs: list[tuple[str, str]]) -> None:
    """Give each (event id, ISO3) that has no number yet the next one in its country, in
    the order given. Numbers are never reused: ``event_numbers`` keeps them after their
    event is gone, and an event that moves country keeps its old number for the day it
    moves back."""
    num = event_numbers_table
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return
    ids = sorted({event_id for event_id, _ in pairs})
    query = sa.select(num.c.event_id, num.c.iso3).where(num.c.event_id.in_(ids))
    have = {(r.event_id, r.iso3) for r in conn.execute(query)}
    todo = [p for p in pairs if p not in have]
    if not todo:
        return
    if conn.dialect.name == "postgresql":
        # SQLite writers are serialised by BEGIN IMMEDIATE; PostgreSQL ones by this lock,
        # so two of them never read the same highest number.
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_NUMBERING_LOCK)))
    countries = sorted({iso3 for _, iso3 in todo})
    query = (
        sa.select(num.c.iso3, sa.func.max(num.c.number).label("last"))
        .where(num.c.iso3.in_(countries))
        .group_by(num.c.iso3)
    )
    last: dict[str, int] = {r.iso3: r.last for r in conn.execute(query)}
    now = _now()
    values = []
    for event_id, iso3 in todo:
        last[iso3] = (last.get(iso3) or 0) + 1
        values.append({"event_id": event_id, "iso3": iso3, "number": last[iso3], "created_at": now})
    conn.execute(sa.insert(num), values)


def _event_row(article_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The row for one event dict: id made unique across articles, flat filter columns,
    and the dict itself in ``data`` (corrections are applied by the caller)."""
    data = to_dict(data)
    event_id = str(data.get("id") or "")
    if not event_id.startswith(f"{article_id}-"):
        # Event ids are primary keys across all articles: make them so.
        event_id = f"{article_id}-{event_id}"
        data["id"] = event_id
    source = data.get("source") or {}
    if not source.get("article_id"):
        data["source"] = source | {"article_id": article_id}
    return {"id": event_id, "article_id": article_id, **_flat_columns(data), "data": data}


def _flat_columns(data: dict[str, Any]) -> dict[str, Any]:
    """The indexed columns the filters use, taken from an event dict."""
    date = data.get("date") or {}
    loc = data.get("location") or {}
    actor1 = data.get("actor1") or {}
    actor2 = data.get("actor2") or {}
    fat = data.get("fatalities") or {}
    return {
        "event_type": data.get("event_type") or "",
        "sub_event_type": data.get("sub_event_type") or "",
        "date_start": iso_date(date.get("start")),
        "date_end": iso_date(date.get("end")),
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
        "iso3": country_iso3(loc),
    }


def _corrections_by_event(
    conn: Connection, event_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Review history per event id, oldest first."""
    cor = corrections_table
    out: dict[str, list[dict[str, Any]]] = {}
    if not event_ids:
        return out
    query = sa.select(cor).where(cor.c.event_id.in_(event_ids)).order_by(cor.c.id)
    for r in conn.execute(query):
        out.setdefault(r.event_id, []).append(
            {
                "id": r.id,
                "event_id": r.event_id,
                "field": r.field,
                "action": r.action,
                "value": r.value,
                "user": r.user,
                "at": _iso_time(r.created_at),
                "note": r.note,
            }
        )
    return out
