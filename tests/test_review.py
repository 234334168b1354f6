"""review.py on a real SQLite store holding the seed: the queue's order, per-analyst
counts, and corrections exported as training rows that the coder's training reads."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from corpus import SEED_TXT
from typer.testing import CliRunner

from conflictlens import review
from conflictlens.cli import app
from conflictlens.coder import labels
from conflictlens.coder.taxonomy import NONE
from conflictlens.pipeline import process
from conflictlens.stages.ingest import document_from_bytes
from conflictlens.store import Store

QUETTA = (
    "QUETTA, Pakistan - A roadside bomb hit a police van in Quetta on Monday, March 6, "
    "2023, killing three officers, police said. The attackers fled."
)
KURIGA = (
    "Gunmen attacked the village of Kuriga in Kaduna State, Nigeria, on Thursday, March 7, "
    "2024, killing two residents and abducting dozens of pupils, police said."
)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "review.db")
    for text, name, published in (
        (SEED_TXT.read_bytes(), "seed", None),
        (QUETTA.encode(), "quetta", "2023-03-07"),
        (KURIGA.encode(), "kuriga", "2024-03-08"),
    ):
        document = document_from_bytes(text, name, published=published)
        s.add_result(document, process(document))
    yield s
    s.close()


def test_queue_is_unreviewed_least_sure_first(store: Store) -> None:
    first = review.queue(store, limit=100)
    events = store.events()
    assert first["total"] == len(events) and len(first["events"]) == len(events)
    sure = [e.get("confidence") or 0.0 for e in first["events"]]
    assert sure == sorted(sure)
    # The coder's probability is in the record for the events it typed.
    assert any(isinstance(e.get("confidence"), float) for e in events)
    target = first["events"][0]["id"]
    store.review(target, "event", "confirm", user="ana")
    after = review.queue(store, limit=100)
    assert after["total"] == first["total"] - 1
    assert target not in {e["id"] for e in after["events"]}
    assert review.queue(store, limit=1)["events"] == after["events"][:1]
    pk = review.queue(store, country="PK", background=False)
    assert pk["events"] and all(e["location"]["country_code"] == "PK" for e in pk["events"])


def test_reviewers_count_each_analysts_actions(store: Store) -> None:
    assert review.reviewers(store) == []
    a, b = (e["id"] for e in store.events()[:2])
    store.review(a, "date", "confirm", user="ana")
    store.review(a, "fatalities", "correct", value=4, user="ana")
    store.review(b, "event", "reject", user="ana")
    store.review(b, "event", "confirm", user="bo")
    rows = review.reviewers(store)
    assert [r["user"] for r in rows] == ["ana", "bo"]
    ana = rows[0]
    assert (ana["actions"], ana["events"], ana["confirm"], ana["correct"], ana["reject"]) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert ana["last"].endswith("+00:00")


def test_corrected_actor_takes_the_dictionarys_class_and_country(store: Store) -> None:
    event = next(e for e in store.events() if e["location"]["name"] == "Quetta")
    store.review(event["id"], "actor2", "correct", value="Civilians (Pakistan)", user="ana")
    actor2 = store.event(event["id"])["actor2"]
    assert (actor2["category"], actor2["country"]) == ("Civilians", "PK")
    store.review(event["id"], "actor1", "correct", value={"name": "Nobody Brigade"}, user="ana")
    assert store.event(event["id"])["actor1"] == {
        "name": "Nobody Brigade",
        "mention": "Nobody Brigade",
        "aliases": [],
        "category": None,
        "country": None,
        "new": True,
    }


def test_export_training_is_read_by_the_training_code(store: Store, tmp_path: Path) -> None:
    quetta = next(e for e in store.events() if e["location"]["name"] == "Quetta")
    karachi = next(e for e in store.events() if e["date"]["start"] == "2023-02-17")
    background = next(e for e in store.events() if e["background"])
    store.review(
        quetta["id"],
        "type",
        "correct",
        value="Explosions/Remote violence/Remote explosive/landmine/IED",
        user="ana",
    )
    store.review(quetta["id"], "actor2", "correct", value="Police Forces of Pakistan", user="ana")
    store.review(karachi["id"], "event", "confirm", user="ana")
    store.review(background["id"], "event", "reject", user="bo")
    db = store.engine.url.database
    out = tmp_path / "reviewed.jsonl"
    result = CliRunner().invoke(app, ["export", "--format", "training", "--db", db, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 3 reviewed events" in result.output and "1 rejected" in result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["event_id_cnty"] for r in rows} == {
        f"CL-{e['id']}" for e in (quetta, karachi, background)
    }
    row = next(r for r in rows if r["event_id_cnty"] == f"CL-{quetta['id']}")
    assert row["notes"].startswith("QUETTA, Pakistan - A roadside bomb")
    assert row["sub_event_type"] == "Remote explosive/landmine/IED"
    assert row["actor2"] == "Police Forces of Pakistan" and row["fatalities"] == 3
    assert row["review"]["type"]["user"] == "ana"
    for span in row["evidence"]:  # offsets into the notes, and none for corrected fields
        assert row["notes"][span["start"] : span["end"]] == span["text"]
        assert span["field"] not in ("event_type", "actor2")

    examples = labels.reviewed_examples(out, random.Random(0))
    assert len(examples) == 3
    by_text = {ex.text: ex for ex in labels.reviewed_examples(out)}
    coded = by_text[row["notes"]]
    assert coded.subtype == "Explosions/Remote violence/Remote explosive/landmine/IED"
    roles = {role: row["notes"][s:e] for s, e, role in coded.spans}
    assert roles["LOC"].lower() == "quetta" and "police" in roles["ACTOR2"].lower()
    negative = next(ex for ex in examples if ex.group == "review")
    assert negative.subtype == NONE and negative.toll == 0
    train_source = (Path(labels.__file__).parent / "train.py").read_text()
    assert "L.reviewed_examples" in train_source and "--reviewed" in train_source


def test_export_training_of_an_unreviewed_store_is_empty(store: Store) -> None:
    assert list(review.training_rows(store)) == []
