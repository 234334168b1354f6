"""Store tests on real databases: a SQLite file, and a PostgreSQL server when one is given.

Every test that takes ``store_url`` (or ``store``) runs on both backends. The PostgreSQL
variant needs CONFLICTLENS_TEST_PG_URL (CI sets it after scripts/ci-setup-postgres.sh);
without it that variant is skipped, saying so. Each PostgreSQL test starts from an empty
database: every table, alembic_version included, is dropped first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from corpus import SEED_TXT

from conflictlens.models import (
    Actor,
    Article,
    DateSpan,
    Document,
    Event,
    Evidence,
    ExtractionResult,
    Fatalities,
    Location,
    Source,
)
from conflictlens.store import (
    MIGRATIONS_DIR,
    AddOutcome,
    NotFoundError,
    ReviewError,
    Store,
    StoreError,
    article_id_for,
    database_url,
)

PG_URL = os.environ.get("CONFLICTLENS_TEST_PG_URL")
PG_SKIP = (
    "CONFLICTLENS_TEST_PG_URL is not set: PostgreSQL variant skipped "
    "(run scripts/ci-setup-postgres.sh and export the URL it prints)"
)

SEED = SEED_TXT
BODY = (
    "Militants stormed the police headquarters in Karachi on Friday. "
    "The attack on a mosque in Peshawar killed about a hundred people."
)


def make_document(text: str, source: str) -> Document:
    return Document(
        content=text,
        media_type="text",
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=source,
    )


def karachi_result() -> ExtractionResult:
    """Two events as the seed's gold describes them (E1 Karachi, E2 Peshawar)."""
    ttp = Actor("Tehrik-i-Taliban Pakistan", "Pakistani Taliban", ["TTP"], "rebel group")
    police = Actor("Police Forces of Pakistan", "police", [], "state forces", "Pakistan")
    src = Source(publisher="RFI", url="https://www.rfi.fr/en/x", speaker="Laurent Gayer")
    e1 = Event(
        id="E1",
        event_type="Battles",
        sub_event_type="Armed clash",
        date=DateSpan("2023-02-17", "2023-02-17", "day"),
        location=Location("Karachi", "Sindh", "Pakistan", "PK", 24.8607, 67.0011, "city", 1174872),
        actor1=ttp,
        actor2=police,
        fatalities=None,
        summary="TTP militants storm the Karachi police headquarters.",
        evidence=[Evidence("event", 0, 62, BODY[:62])],
        source=src,
    )
    e2 = Event(
        id="E2",
        event_type="Explosions/Remote violence",
        sub_event_type="Suicide bomb",
        date=DateSpan("2023-01-30", "2023-01-30", "day"),
        location=Location(
            "Peshawar", "Khyber Pakhtunkhwa", "Pakistan", "PK", 34.008, 71.5785, "city"
        ),
        actor1=ttp,
        actor2=police,
        fatalities=Fatalities(100, 90, 110),
        background=True,
        summary="Attack on a mosque in Peshawar; about a hundred deaths.",
        source=src,
    )
    article = Article(headline="Karachi: the Pakistani Taliban", publisher="RFI", language="en")
    return ExtractionResult(article=article, events=[e1, e2])


def lagos_result() -> ExtractionResult:
    """A second article in another country, with a month-long protest and no actor2."""
    event = Event(
        id="E1",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        date=DateSpan("2022-11-01", "2022-11-30", "month"),
        location=Location("Lagos", "Lagos", "Nigeria", "NG", 6.4541, 3.3947, "city"),
        actor1=Actor("Protesters (Nigeria)", "demonstrators", category="protesters"),
        actor2=None,
        fatalities=None,
        summary="Demonstrators march in Lagos.",
    )
    return ExtractionResult(Article(headline="Lagos march", publisher="Punch"), [event])


def _reset_postgres(url: str) -> None:
    """Drop every table (alembic_version included) so the test starts from nothing."""
    engine = sa.create_engine(database_url(url))
    try:
        with engine.begin() as conn:
            existing = sa.MetaData()
            existing.reflect(conn)
            existing.drop_all(conn)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database for one test: a fresh SQLite file path, or the emptied PostgreSQL DB."""
    if request.param == "sqlite":
        return str(tmp_path / "sub" / "conflictlens.db")
    if not PG_URL:
        pytest.skip(PG_SKIP)
    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def store(store_url: str):
    s = Store.open(store_url)
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "conflictlens.db"


def _ingest_karachi(store: Store) -> str:
    doc = make_document(BODY, "seed.txt")
    assert store.add_result(doc, karachi_result()) == "added"
    return article_id_for(doc)


def _version(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]


# --- opening and migrations ----------------------------------------------------------


def test_database_url_forms(tmp_path: Path) -> None:
    assert database_url("postgresql://u:p@127.0.0.1:5432/db") == (
        "postgresql+psycopg://u:p@127.0.0.1:5432/db"
    )
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    path = tmp_path / "new" / "a.db"
    assert database_url(path) == f"sqlite:///{path}"
    assert path.parent.is_dir()


def test_open_creates_schema_and_reopen_is_a_no_op(store_url: str) -> None:
    with Store.open(store_url) as s:
        inspector = sa.inspect(s.engine)
        tables = set(inspector.get_table_names())
        event_indexes = {ix["name"] for ix in inspector.get_indexes("events")}
        event_columns = {c["name"] for c in inspector.get_columns("events")}
        correction_columns = {c["name"] for c in inspector.get_columns("corrections")}
        assert _version(s) == ["0005"]
        assert s.add_result(make_document(BODY, "a.txt"), karachi_result()) == "added"
    assert {"documents", "articles", "events", "alembic_version"} <= tables
    assert {"api_tokens", "corrections", "feeds"} <= tables
    assert {"ix_events_country", "ix_events_date_start", "ix_events_rejected"} <= event_indexes
    assert {"extracted", "rejected", "admin1"} <= event_columns
    assert {"event_id", "field", "action", "value", "user", "created_at", "note"} == (
        correction_columns - {"id"}
    )
    # Opening again (schema at head) must neither fail, nor migrate, nor lose data.
    with Store.open(store_url) as s:
        assert _version(s) == ["0005"]
        assert s.stats()["events"] == 2
        assert s.dialect in ("sqlite", "postgresql")


def test_sqlite_connection_settings(db_path: Path) -> None:
    with Store.open(db_path) as s, s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _migrate(store: Store, revision: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if down:
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)


def test_open_migrates_an_older_database(store_url: str) -> None:
    """A database at an older revision (here: base) is brought to head by open()."""
    with Store.open(store_url) as s:
        _migrate(s, "base", down=True)
        assert "events" not in sa.inspect(s.engine).get_table_names()
    with Store.open(store_url) as s:
        assert s.stats()["events"] == 0
        assert s.add_result(make_document(BODY, "a.txt"), karachi_result()) == "added"


def test_rows_written_before_0002_are_readable_and_reviewable(store_url: str) -> None:
    """Events stored at revision 0001 (no extracted/rejected) survive the upgrade."""
    with Store.open(store_url) as s:
        _migrate(s, "base", down=True)
        _migrate(s, "0001")
        assert _version(s) == ["0001"]
        doc = make_document(BODY, "old.txt")
        aid = article_id_for(doc)
        # Write the rows the way the 0001-era store did, with plain SQL on that schema.
        with s.engine.begin() as conn:
            old = sa.MetaData()
            old.reflect(conn)
            documents, articles, events = (
                old.tables[n] for n in ("documents", "articles", "events")
            )
            doc_id = conn.execute(
                sa.insert(documents).values(
                    content_hash=doc.content_hash,
                    source="old.txt",
                    status="ok",
                    ingested_at=dt.datetime.now(dt.UTC),
                )
            ).inserted_primary_key[0]
            conn.execute(sa.insert(articles).values(id=aid, document_id=doc_id, data={}))
            conn.execute(
                sa.insert(events).values(
                    id=f"{aid}-E1",
                    article_id=aid,
                    event_type="Battles",
                    sub_event_type="Armed clash",
                    country="Pakistan",
                    background=False,
                    data={"id": f"{aid}-E1", "event_type": "Battles", "fatalities": None},
                )
            )
    with Store.open(store_url) as s:
        assert _version(s) == ["0005"]
        [event] = s.events(country="pakistan")
        assert event["review"] == {}
        # 0003 numbered the old row in its country and dated it by its document.
        assert event["stored"]["iso3"] == "PAK" and event["stored"]["number"] == 1
        assert event["stored"]["at"] is not None
        s.review(f"{aid}-E1", "fatalities", "correct", 3, user="analyst")
        assert s.event(f"{aid}-E1")["fatalities"] == {"best": 3, "low": 3, "high": 3}


def test_open_errors_are_one_line_without_password(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store.open("postgresql://someone:s3cret@127.0.0.1:1/nothing")
    message = str(info.value)
    assert "s3cret" not in message and "\n" not in message
    assert "cannot open database" in message
    with pytest.raises(StoreError, match="not a usable database URL"):
        Store.open("nosuchdb://x/y")


def test_foreign_keys_enforced(store: Store) -> None:
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO events (id, article_id, event_type, sub_event_type, background,"
                " data, rejected) VALUES ('x-E1', 'no-such-article', 'Battles', 'Armed clash',"
                " false, '{}', false)"
            )
        )


# --- writing ---------------------------------------------------------------------------


def test_add_is_idempotent(store: Store) -> None:
    doc = make_document(BODY, "seed.txt")
    assert store.add_result(doc, karachi_result()) == "added"
    before = store.stats()
    assert before == {
        "documents": 1,
        "documents_ok": 1,
        "documents_failed": 0,
        "articles": 1,
        "events": 2,
    }
    again = make_document(BODY, "copy-of-seed.txt")  # same bytes, other path
    assert store.add_result(again, karachi_result()) == AddOutcome.UNCHANGED
    assert store.stats() == before
    assert [d["source"] for d in store.documents()] == ["seed.txt"]


def test_event_ids_are_prefixed_and_data_is_the_full_dict(store: Store) -> None:
    aid = _ingest_karachi(store)
    events = store.events()
    assert [e["id"] for e in events] == [f"{aid}-E2", f"{aid}-E1"]  # ordered by date
    e1 = store.event(f"{aid}-E1")
    assert e1 is not None
    assert e1["type"] == "Battles/Armed clash"
    assert e1["location"]["geonames_id"] == 1174872
    assert e1["location"]["lat"] == pytest.approx(24.8607)
    assert e1["actor1"]["aliases"] == ["TTP"]
    assert e1["evidence"][0]["text"] == BODY[:62]
    assert e1["source"] == {
        "publisher": "RFI",
        "url": "https://www.rfi.fr/en/x",
        "speaker": "Laurent Gayer",
        "article_id": aid,
    }
    assert e1["review"] == {}
    assert events[0]["fatalities"] == {"best": 100, "low": 90, "high": 110}
    assert events[0]["background"] is True
    assert store.event("nope") is None


def test_raw_content_is_kept(store: Store) -> None:
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else BODY
    doc = make_document(text, str(SEED))
    store.add_result(doc, karachi_result())
    [record] = store.documents(with_content=True)
    assert record["content"] == text
    assert record["status"] == "ok"
    assert record["content_hash"] == doc.content_hash
    assert "content" not in store.documents()[0]


def test_failure_does_not_block_next_document(store: Store) -> None:
    bad = make_document("\\x00\\x01 not an article", "bad.txt")
    store.add_failure(bad, None, "no article text")
    store.add_failure(bad, None, "no article text")  # idempotent
    store.add_failure("unreadable.pdf", None, "a PDF file")
    store.add_failure("unreadable.pdf", None, "a PDF file")
    assert store.add_result(make_document(BODY, "good.txt"), karachi_result()) == "added"
    stats = store.stats()
    assert stats["documents_failed"] == 2
    assert stats["documents_ok"] == 1
    failed = store.documents(status="failed")
    assert {d["source"]: d["error"] for d in failed} == {
        "bad.txt": "no article text",
        "unreadable.pdf": "a PDF file",
    }


def test_failed_then_succeeded_is_updated(store: Store) -> None:
    doc = make_document(BODY, "seed.txt")
    store.add_failure(doc, doc.content_hash, "model not loaded")
    assert store.stats()["documents_failed"] == 1
    assert store.add_result(doc, karachi_result()) == AddOutcome.UPDATED
    stats = store.stats()
    assert (stats["documents_ok"], stats["documents_failed"], stats["events"]) == (1, 0, 2)
    [record] = store.documents()
    assert record["error"] is None
    # A later failure of the same bytes must not destroy the good results.
    store.add_failure(doc, doc.content_hash, "transient")
    assert store.stats() == stats


def test_replace_swaps_results(store: Store) -> None:
    doc = make_document(BODY, "seed.txt")
    store.add_result(doc, karachi_result())
    newer = karachi_result()
    newer.events = newer.events[:1]
    assert store.add_result(doc, newer, replace=True) == AddOutcome.UPDATED
    assert store.stats()["events"] == 1


def test_hashless_failure_is_superseded_by_success(store: Store) -> None:
    store.add_failure("seed.txt", None, "permission denied")
    store.add_result(make_document(BODY, "seed.txt"), karachi_result())
    assert store.stats()["documents_failed"] == 0


# --- reading and searching ---------------------------------------------------------------


def _ingest_both(store: Store) -> None:
    store.add_result(make_document(BODY, "seed.txt"), karachi_result())
    store.add_result(make_document("Lagos march text.", "lagos.txt"), lagos_result())


def test_filters(store: Store) -> None:
    _ingest_both(store)
    assert len(store.events()) == 3
    assert len(store.events(country="pakistan")) == 2
    assert len(store.events(country="PK")) == 2
    assert len(store.events(country="ng")) == 1
    assert store.events(country="France") == []
    # since/until select overlapping intervals: the month-long November protest overlaps.
    assert [
        e["location"]["name"] for e in store.events(since="2022-11-15", until="2022-11-15")
    ] == ["Lagos"]
    feb = store.events(since=dt.date(2023, 2, 1))
    assert [e["location"]["name"] for e in feb] == ["Karachi"]
    assert len(store.events(until=dt.date(2023, 1, 30))) == 2
    assert store.events(since="2023-03-01") == []
    assert len(store.events(event_type="battles")) == 1
    assert len(store.events(event_type="Suicide bomb")) == 1
    assert len(store.events(event_type="Explosions/Remote violence/Suicide bomb")) == 1
    assert len(store.events(event_type="Protests")) == 1
    assert len(store.events(country="PK", event_type="Protests")) == 0
    assert len(store.events(limit=2)) == 2
    with pytest.raises(ValueError):
        store.events(since="last week")


def test_search_filters_count_and_pages(store: Store) -> None:
    _ingest_both(store)
    names = lambda events: [e["location"]["name"] for e in events]  # noqa: E731
    assert names(store.events(admin1="sindh")) == ["Karachi"]
    assert names(store.events(admin1="KHYBER PAKHTUNKHWA")) == ["Peshawar"]
    assert store.events(admin1="Khyber") == []  # admin1 is a whole-value match
    assert len(store.events(actor="taliban")) == 2  # actor1 substring
    assert len(store.events(actor="POLICE forces")) == 2  # actor2 substring
    assert names(store.events(actor="protesters")) == ["Lagos"]
    assert names(store.events(text="mosque")) == ["Peshawar"]  # summary
    assert names(store.events(text="karach")) == ["Karachi"]  # place name and summary
    assert len(store.events(text="tehrik")) == 2  # actor name
    assert store.events(text="%") == [] and store.events(text="_") == []  # no wildcards
    assert names(store.events(text="taliban", country="pk", since="2023-02-01")) == ["Karachi"]
    assert store.count_events() == 3
    assert store.count_events(actor="taliban") == 2
    assert store.count_events(text="nothing like it") == 0
    assert store.count_events(country="PK", event_type="battles") == 1
    # Pages: oldest first by default, newest first on request, offset past the end.
    everything = names(store.events())
    assert everything == ["Lagos", "Peshawar", "Karachi"]
    assert names(store.events(limit=2, offset=1)) == ["Peshawar", "Karachi"]
    assert names(store.events(limit=1, offset=2)) == ["Karachi"]
    assert store.events(offset=3) == []
    assert names(store.events(descending=True, limit=2)) == ["Karachi", "Peshawar"]
    with pytest.raises(ValueError):
        store.events(offset=-1)


def test_case_insensitive_match_beyond_ascii(store: Store) -> None:
    aid = _ingest_karachi(store)
    store.review(f"{aid}-E1", "location", "correct", {"name": "Île-Rousse", "admin1": "ÉTAT"}, "a")
    assert [e["id"] for e in store.events(text="ÎLE-ROUSSE")] == [f"{aid}-E1"]
    assert [e["id"] for e in store.events(admin1="état")] == [f"{aid}-E1"]


def test_article_and_its_events(store: Store) -> None:
    doc = make_document(BODY, "seed.txt")
    doc.url = "https://www.rfi.fr/en/x"
    result = karachi_result()
    result.article.body = BODY
    result.article.published = "2023-02-18"
    store.add_result(doc, result)
    aid = article_id_for(doc)
    article = store.article(aid)
    assert article is not None
    assert article["body"] == BODY
    assert article["id"] == aid
    assert article["url"] == "https://www.rfi.fr/en/x"
    assert (article["publisher"], article["published"]) == ("RFI", "2023-02-18")
    assert article["headline"] == "Karachi: the Pakistani Taliban"
    assert article["source"] == "seed.txt"
    assert store.article("nope") is None
    assert [e["id"] for e in store.article_events(aid)] == [f"{aid}-E1", f"{aid}-E2"]
    store.review(f"{aid}-E1", "event", "reject", user="a")
    assert [e["id"] for e in store.article_events(aid)] == [f"{aid}-E2"]
    assert len(store.article_events(aid, include_rejected=True)) == 2
    assert store.article_events("nope") == []


# --- API tokens -------------------------------------------------------------------------


def test_tokens(store: Store) -> None:
    token = store.create_token("alice")
    assert isinstance(token, str) and len(token) >= 40
    other = store.create_token("alice")  # a second machine
    bob = store.create_token(" bob ")
    assert len({token, other, bob}) == 3
    assert store.check_token(token) == "alice"
    assert store.check_token(other) == "alice"
    assert store.check_token(bob) == "bob"
    assert store.check_token(token + "x") is None
    assert store.check_token("") is None and store.check_token(None) is None
    listed = store.tokens()
    assert [t["name"] for t in listed] == ["alice", "alice", "bob"]
    assert all(set(t) == {"id", "name", "created_at", "revoked"} for t in listed)
    assert dt.datetime.fromisoformat(listed[0]["created_at"]).tzinfo is not None
    # Only a hash is stored: the token itself appears nowhere in the table.
    with store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM api_tokens"))]
    assert token not in repr(stored)
    assert hashlib.sha256(token.encode()).hexdigest() in repr(stored)
    assert store.revoke_token("alice") == 2
    assert store.revoke_token("alice") == 0
    assert store.check_token(token) is None and store.check_token(other) is None
    assert store.check_token(bob) == "bob"
    assert [t["revoked"] for t in store.tokens()] == [True, True, False]
    with pytest.raises(ValueError):
        store.create_token("  ")


# --- review and corrections -------------------------------------------------------------


def test_review_corrects_rejects_and_confirms(store: Store) -> None:
    aid = _ingest_karachi(store)
    e1, e2 = f"{aid}-E1", f"{aid}-E2"
    record = store.review(e1, "fatalities", "correct", 4, user="alice", note="police said 4")
    assert record["field"] == "fatalities" and record["user"] == "alice"
    assert record["value"] == {"best": 4, "low": 4, "high": 4}
    assert dt.datetime.fromisoformat(record["at"]).tzinfo is not None
    event = store.event(e1)
    assert event["fatalities"] == {"best": 4, "low": 4, "high": 4}
    assert event["review"]["fatalities"]["user"] == "alice"
    assert event["review"]["fatalities"]["action"] == "correct"
    assert event["review"]["fatalities"]["value"] == {"best": 4, "low": 4, "high": 4}
    # Latest correction of a field wins.
    store.review(e1, "fatalities", "correct", {"best": 5, "low": 4, "high": 7}, user="bob")
    assert store.event(e1)["fatalities"] == {"best": 5, "low": 4, "high": 7}
    assert store.event(e1)["review"]["fatalities"]["user"] == "bob"
    # Reject a field: null. Confirm a field: kept, recorded with its value.
    store.review(e1, "actor2", "reject", user="alice")
    assert store.event(e1)["actor2"] is None
    store.review(e2, "date", "confirm", user="carol")
    assert store.event(e2)["date"] == {
        "start": "2023-01-30",
        "end": "2023-01-30",
        "precision": "day",
    }
    assert store.event(e2)["review"]["date"]["value"]["start"] == "2023-01-30"
    # Type corrections keep event_type, sub_event_type and type in step.
    store.review(
        e2, "type", "correct", "Explosions/Remote violence/Remote explosive/landmine/IED", "a"
    )
    event = store.event(e2)
    assert (event["event_type"], event["sub_event_type"]) == (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
    )
    assert event["type"] == "Explosions/Remote violence/Remote explosive/landmine/IED"
    assert store.events(event_type="remote explosive/landmine/ied")[0]["id"] == e2
    store.review(e1, "sub_event_type", "correct", "Government regains territory", "a")
    assert store.event(e1)["type"] == "Battles/Government regains territory"
    # History is complete and ordered; other events are untouched.
    history = store.corrections(e1)
    assert [(c["field"], c["action"], c["user"]) for c in history] == [
        ("fatalities", "correct", "alice"),
        ("fatalities", "correct", "bob"),
        ("actor2", "reject", "alice"),
        ("sub_event_type", "correct", "a"),
    ]
    assert history[0]["note"] == "police said 4"
    assert store.corrections("nope") == []
    assert store.event(e2)["fatalities"] == {"best": 100, "low": 90, "high": 110}


def test_corrections_drive_the_filters(store: Store) -> None:
    _ingest_both(store)
    lagos = store.events(country="NG")[0]["id"]
    loc = {"name": "Abuja", "admin1": "FCT", "country": "Nigeria", "country_code": "NG"}
    store.review(lagos, "location", "correct", loc, user="alice")
    store.review(lagos, "date", "correct", "2023-03-05", user="alice")
    assert [e["id"] for e in store.events(text="abuja")] == [lagos]
    assert store.events(admin1="lagos") == []
    assert [e["id"] for e in store.events(admin1="fct", country="ng")] == [lagos]
    assert [e["id"] for e in store.events(since="2023-03-01")] == [lagos]
    assert store.event(lagos)["location"]["lat"] is None  # a replaced place, not a merge


def test_rejected_event_is_hidden_until_confirmed(store: Store) -> None:
    aid = _ingest_karachi(store)
    e1 = f"{aid}-E1"
    store.review(e1, "event", "reject", user="alice", note="not an event")
    assert [e["id"] for e in store.events()] == [f"{aid}-E2"]
    assert store.count_events() == 1
    assert store.count_events(include_rejected=True) == 2
    assert {e["id"] for e in store.events(include_rejected=True)} == {e1, f"{aid}-E2"}
    assert store.event(e1)["review"]["event"]["action"] == "reject"  # still readable by id
    store.review(e1, "event", "confirm", user="bob")
    assert store.count_events() == 2


def test_review_rejects_bad_requests(store: Store) -> None:
    aid = _ingest_karachi(store)
    e1 = f"{aid}-E1"
    bad = [
        ("colour", "correct", "red"),
        ("fatalities", "delete", None),
        ("fatalities", "correct", None),
        ("fatalities", "correct", -1),
        ("fatalities", "correct", {"best": 5, "low": 6}),
        ("fatalities", "correct", "many"),
        ("injured", "correct", True),
        ("date", "correct", "yesterday"),
        ("date", "correct", {"start": "2023-02-10", "end": "2023-02-01"}),
        ("date", "correct", {"start": "2023-02-10", "precision": "fortnight"}),
        ("location", "correct", {"name": "X", "lat": 200}),
        ("location", "correct", {"city": "X"}),
        ("actor1", "correct", {"mention": "no name"}),
        ("type", "correct", "Battles"),
        ("background", "correct", "yes"),
        ("event", "correct", {"anything": 1}),
    ]
    for field, action, value in bad:
        with pytest.raises(ReviewError):
            store.review(e1, field, action, value, user="alice")
    with pytest.raises(ValueError):
        store.review(e1, "summary", "confirm", user="")
    with pytest.raises(NotFoundError):
        store.review("no-such-E1", "summary", "confirm", user="alice")
    assert store.corrections(e1) == []


def test_corrections_survive_reextraction(store: Store) -> None:
    doc = make_document(BODY, "seed.txt")
    store.add_result(doc, karachi_result())
    aid = article_id_for(doc)
    store.review(f"{aid}-E1", "fatalities", "correct", 4, user="alice")
    store.review(f"{aid}-E2", "event", "reject", user="alice")
    store.review(f"{aid}-E2", "summary", "correct", "Mosque bombing.", user="bob")
    # A newer pipeline extracts the same document again: the same events, new rows.
    newer = karachi_result()
    newer.events[0].summary = "Re-extracted summary."
    assert store.add_result(doc, newer, replace=True) == AddOutcome.UPDATED
    e1 = store.event(f"{aid}-E1")
    assert e1["fatalities"] == {"best": 4, "low": 4, "high": 4}
    assert e1["summary"] == "Re-extracted summary."  # uncorrected fields follow the pipeline
    assert [e["id"] for e in store.events()] == [f"{aid}-E1"]
    assert store.event(f"{aid}-E2")["summary"] == "Mosque bombing."
    assert len(store.corrections(f"{aid}-E1")) == 1


# --- concurrency ------------------------------------------------------------------------


def test_fifty_clients_mixing_reads_and_ingests(store_url: str) -> None:
    """The server's load: 50 clients at once, half of them ingesting the same few
    documents, through two Store objects (two server workers). Every write succeeds,
    every document is added exactly once, the rest are "unchanged"."""
    stores = [Store.open(store_url), Store.open(store_url)]
    docs = [make_document(f"{BODY} Report {n}.", f"doc-{n}.txt") for n in range(5)]
    barrier = threading.Barrier(50)

    def client(n: int) -> str:
        store = stores[n % 2]
        barrier.wait()
        if n % 2:
            found = store.events(text="karachi", limit=10)
            assert store.count_events() >= len(found)
            return "read"
        outcome = store.add_result(docs[n % 5], karachi_result())
        if n % 10 == 0:
            store.review(f"{article_id_for(docs[0])}-E1", "summary", "confirm", user=f"u{n}")
        return str(outcome)

    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            outcomes = list(pool.map(client, range(50), timeout=120))
        assert outcomes.count("added") == 5
        assert outcomes.count("unchanged") == 20
        assert outcomes.count("read") == 25
        assert stores[0].stats()["events"] == 10
        assert len(stores[1].corrections(f"{article_id_for(docs[0])}-E1")) == 5
    finally:
        for s in stores:
            s.close()


# --- ACLED numbers and stored times ----------------------------------------------------


def _no_country_result() -> ExtractionResult:
    event = Event(
        id="E1",
        event_type="Strategic developments",
        sub_event_type="Other",
        date=DateSpan("2023-02-17", "2023-02-17", "day"),
        location=None,
        actor1=None,
        actor2=None,
        fatalities=None,
    )
    return ExtractionResult(Article(headline="Somewhere"), [event])


def _at(stored: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(stored["at"])


def test_events_are_numbered_per_country_once(store: Store) -> None:
    aid = _ingest_karachi(store)
    lagos = make_document("Demonstrators march in Lagos.", "lagos.txt")
    store.add_result(lagos, lagos_result())
    store.add_result(make_document("Somewhere.", "x.txt"), _no_country_result())
    stored = {e["id"]: e["stored"] for e in store.events()}
    assert {k: (v["iso3"], v["number"]) for k, v in stored.items()} == {
        f"{aid}-E1": ("PAK", 1),
        f"{aid}-E2": ("PAK", 2),
        f"{article_id_for(lagos)}-E1": ("NGA", 1),
        f"{article_id_for(make_document('Somewhere.', 'x.txt'))}-E1": ("XXX", 1),
    }
    at = dt.datetime.fromisoformat(stored[f"{aid}-E1"]["at"])
    assert at.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - at).total_seconds() < 60
    assert store.event(f"{aid}-E1")["stored"] == stored[f"{aid}-E1"]
    assert store.article_events(aid)[0]["stored"] == stored[f"{aid}-E1"]


def test_numbers_and_times_survive_reextraction(store: Store) -> None:
    doc = make_document(BODY, "seed.txt")
    store.add_result(doc, karachi_result())
    aid = article_id_for(doc)
    before = {e["id"]: e["stored"] for e in store.events()}
    # The same events again: numbers and stored times unchanged.
    assert store.add_result(doc, karachi_result(), replace=True) == AddOutcome.UPDATED
    assert {e["id"]: e["stored"] for e in store.events()} == before
    # A newer pipeline: E1 reworded, E2 gone, a new E3. E1 keeps its number with a new
    # time; E3 is numbered after E2, whose number is never given again.
    newer = karachi_result()
    newer.events[0].summary = "Re-extracted summary."
    newer.events[1].id = "E3"
    store.add_result(doc, newer, replace=True)
    after = {e["id"]: e["stored"] for e in store.events()}
    assert after[f"{aid}-E1"]["number"] == 1
    assert _at(after[f"{aid}-E1"]) > _at(before[f"{aid}-E1"])
    assert after[f"{aid}-E3"]["number"] == 3


def test_corrections_renumber_only_a_new_country(store: Store) -> None:
    aid = _ingest_karachi(store)
    store.add_result(make_document("Demonstrators march in Lagos.", "lagos.txt"), lagos_result())
    e1 = f"{aid}-E1"
    first = store.event(e1)["stored"]
    store.review(e1, "summary", "confirm", user="alice")  # nothing changes
    assert store.event(e1)["stored"] == first
    abuja = {"name": "Abuja", "country": "Nigeria", "country_code": "NG", "precision": "city"}
    store.review(e1, "location", "correct", abuja, user="alice")
    moved = store.event(e1)["stored"]
    assert (moved["iso3"], moved["number"]) == ("NGA", 2) and _at(moved) > _at(first)
    assert store.events(country="NG")[0]["stored"]["iso3"] == "NGA"
    karachi = {"name": "Karachi", "country": "Pakistan", "country_code": "PK"}
    store.review(e1, "location", "correct", karachi, user="alice")
    assert (store.event(e1)["stored"]["iso3"], store.event(e1)["stored"]["number"]) == ("PAK", 1)


def test_a_document_with_a_nul_byte_is_stored_on_every_backend(store: Store) -> None:
    """PostgreSQL refuses NUL in text (DataError, 0 of 2 stored before): ingest turns a
    NUL past the binary sniff into U+FFFD, and the document is stored on both backends."""
    from conflictlens.stages.ingest import document_from_bytes

    data = (BODY + " " * 5000).encode("utf-8") + b"\x00 and the rest"
    doc = document_from_bytes(data, "nul.txt")
    assert store.add_result(doc, karachi_result()) == "added"
    [record] = store.documents()
    assert record["status"] == "ok" and record["source"] == "nul.txt"


def test_two_files_with_the_same_bad_bytes_each_keep_a_failure(store: Store) -> None:
    from conflictlens.stages.ingest import content_hash

    empty = content_hash(b"")
    for _ in range(2):  # a rerun changes nothing
        store.add_failure("a/empty.txt", empty, "empty document")
        store.add_failure("b/empty.txt", empty, "empty document")
    failed = sorted(d["source"] for d in store.documents(status="failed"))
    assert failed == ["a/empty.txt", "b/empty.txt"]


def test_feed_state_and_stored_urls(store: Store) -> None:
    """What `conflictlens watch` keeps per feed (0004), on both backends."""
    from conflictlens.stages.ingest import document_from_bytes

    url = "https://wire.example/rss"
    assert store.feed(url) is None
    store.save_feed(url, title="Wire", etag='"v1"', last_status="200", items=2)
    store.save_feed(url, failures=3, last_error="HTTP 503", last_status="failed")
    (state,) = store.feeds()
    assert (state["title"], state["etag"], state["items"]) == ("Wire", '"v1"', 2)
    assert (state["failures"], state["last_error"], state["last_status"]) == (
        3,
        "HTTP 503",
        "failed",
    )
    doc = document_from_bytes(BODY.encode(), "page", url="https://wire.example/a1")
    store.add_result(doc, karachi_result())
    assert store.stored_urls(["https://wire.example/a1", "https://wire.example/a2"]) == {
        "https://wire.example/a1"
    }


# --- persistent event groups (0005) ---------------------------------------------------


def _groups(store: Store) -> dict[str, int]:
    """(location, date) of each stored report -> its group id."""
    return {
        f"{e['source']['article_id']}:{e['location']['name']}": e["stored"]["group"]
        for e in store.events(limit=None)
    }


def test_reports_of_one_event_share_a_stable_group(store: Store) -> None:
    """Two articles report the Karachi attack and the Peshawar bombing: each pair shares a
    group at store time; re-extraction keeps the groups; merged() reads them."""
    store.add_result(make_document(BODY, "rfi.txt"), karachi_result())
    store.add_result(make_document(BODY + " (AP)", "ap.txt"), karachi_result())
    groups = _groups(store)
    by_place: dict[str, set[int]] = {}
    for key, gid in groups.items():
        by_place.setdefault(key.split(":")[1], set()).add(gid)
    assert all(len(ids) == 1 for ids in by_place.values()), groups
    assert by_place["Karachi"] != by_place["Peshawar"]
    # re-extracting a document (a newer pipeline) keeps every report in its group
    store.add_result(make_document(BODY, "rfi.txt"), karachi_result(), replace=True)
    assert _groups(store) == groups
    merged = store.merged(store.events(limit=None))
    assert len(merged) == 2
    assert {len(m["sources"]) for m in merged} == {2}
    assert {m["group"] for m in merged} == {next(iter(v)) for v in by_place.values()}


def test_a_report_that_no_longer_matches_leaves_for_a_new_group(store: Store) -> None:
    from conflictlens.store import article_id_for

    doc_a, doc_b = make_document(BODY, "a.txt"), make_document(BODY + " (AP)", "b.txt")
    store.add_result(doc_a, karachi_result())
    store.add_result(doc_b, karachi_result())
    before = _groups(store)
    a_key, b_key = (f"{article_id_for(d)}:Karachi" for d in (doc_a, doc_b))
    assert before[a_key] == before[b_key]
    # b is re-extracted and now dates its Karachi event two years earlier: not the same
    # event any more, so it leaves the group for a new one, with an id never given before
    moved = karachi_result()
    moved.events[0].date = DateSpan("2021-02-17", "2021-02-17", "day")
    store.add_result(doc_b, moved, replace=True)
    after = _groups(store)
    assert after[b_key] > max(before.values())
    assert after[a_key] == before[a_key]  # the report that still matches stays


def test_a_review_of_a_group_survives_re_extraction(store: Store) -> None:
    """Corrections attach to the real-world event (its group), not only to one report,
    and keep applying to the merged event after its reports are extracted again."""
    store.add_result(make_document(BODY, "rfi.txt"), karachi_result())
    store.add_result(make_document(BODY + " (AP)", "ap.txt"), karachi_result())
    karachi = next(m for m in store.merged(store.events(limit=None)) if "Karachi" in str(m))
    store.review_group(karachi["group"], "fatalities", "correct", 7, user="alice")
    store.add_result(make_document(BODY, "rfi.txt"), karachi_result(), replace=True)
    again = {m["group"]: m for m in store.merged(store.events(limit=None))}
    assert again[karachi["group"]]["fatalities"]["best"] == 7
    store.review_group(karachi["group"], "event", "reject", user="alice")
    assert karachi["group"] not in {m["group"] for m in store.merged(store.events(limit=None))}
    with pytest.raises(LookupError):
        store.review_group(10**9, "fatalities", "correct", 1, user="alice")
