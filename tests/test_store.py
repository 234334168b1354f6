"""Store tests on a real SQLite file: migrations, idempotency, failures, filters."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
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
from conflictlens.store import AddOutcome, Store, article_id_for

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "conflictlens.db"


@pytest.fixture
def store(db_path: Path):
    s = Store.open(db_path)
    yield s
    s.close()


def test_open_creates_schema_and_reopen_is_fine(db_path: Path) -> None:
    Store.open(str(db_path)).close()
    with sqlite3.connect(db_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    assert {"documents", "articles", "events", "alembic_version"} <= tables
    assert {"ix_events_country", "ix_events_date_start", "ix_events_event_type"} <= indexes
    # Opening again (schema at head) must neither fail nor lose data.
    with Store.open(f"sqlite:///{db_path}") as s:
        doc = make_document(BODY, "a.txt")
        assert s.add_result(doc, karachi_result()) == AddOutcome.ADDED
    with Store.open(db_path) as s:
        assert s.stats()["events"] == 2


def test_open_migrates_an_older_database(db_path: Path) -> None:
    """A database at an older revision (here: base) is brought to head by open()."""
    from alembic import command
    from alembic.config import Config

    from conflictlens.store import MIGRATIONS_DIR

    with Store.open(db_path) as s:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with s.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
    with sqlite3.connect(db_path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "events" not in names
    with Store.open(db_path) as s:
        assert s.stats()["events"] == 0
        assert s.add_result(make_document(BODY, "a.txt"), karachi_result()) == "added"


def test_foreign_keys_enforced(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


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
    doc = make_document(BODY, "seed.txt")
    store.add_result(doc, karachi_result())
    aid = article_id_for(doc)
    events = store.events()
    assert [e["id"] for e in events] == [f"{aid}-E2", f"{aid}-E1"]  # ordered by date
    e1 = store.event(f"{aid}-E1")
    assert e1 is not None
    assert e1["type"] == "Battles/Armed clash"
    assert e1["location"]["geonames_id"] == 1174872
    assert e1["actor1"]["aliases"] == ["TTP"]
    assert e1["evidence"][0]["text"] == BODY[:62]
    assert e1["source"] == {
        "publisher": "RFI",
        "url": "https://www.rfi.fr/en/x",
        "speaker": "Laurent Gayer",
        "article_id": aid,
    }
    assert events[0]["fatalities"] == {"best": 100, "low": 90, "high": 110}
    assert events[0]["background"] is True


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
    bad = make_document("\x00\x01 not an article", "bad.txt")
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


def test_filters(store: Store) -> None:
    store.add_result(make_document(BODY, "seed.txt"), karachi_result())
    store.add_result(make_document("Lagos march text.", "lagos.txt"), lagos_result())
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
