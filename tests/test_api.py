"""The Python API (``conflictlens.extract``, ``extract_many``, ``to_dict``,
``to_dataframe``) on real reports, through the same engine as the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import SEED_TXT

import conflictlens
from conflictlens.pipeline import CHUNK, PARALLEL_MIN_DOCUMENTS

QUETTA = "Gunmen shot dead two police officers at a checkpoint in Quetta on Friday."
LAGOS = "Hundreds of protesters marched in Lagos on Monday against fuel prices."
LAHORE = "Police fired tear gas at protesters in Lahore on Friday."


def test_extract_reads_a_text_a_path_and_a_path_string():
    from_text = conflictlens.extract(QUETTA, published="2024-03-08")
    (event,) = from_text.events
    assert event.location is not None and event.location.name == "Quetta"
    assert event.date is not None and event.date.start == "2024-03-08"
    assert from_text.source == "<text>"
    from_path = conflictlens.extract(SEED_TXT)
    assert len(from_path.events) == 6
    assert from_path.source == str(SEED_TXT)
    assert conflictlens.extract(str(SEED_TXT)).to_dict() == from_path.to_dict()


def test_extract_refuses_what_is_no_report_with_one_line():
    with pytest.raises(conflictlens.InputError, match="empty document"):
        conflictlens.extract("   ")
    with pytest.raises(conflictlens.InputError, match="unparseable publication date"):
        conflictlens.extract(QUETTA, published="2024-13-45")
    with pytest.raises(conflictlens.InputError, match="no such file"):
        conflictlens.extract(Path("no/such/report.txt"))


def test_result_to_dict_is_the_json_of_the_command_line():
    proc = subprocess.run(
        [sys.executable, "-m", "conflictlens.cli", "extract", str(SEED_TXT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = conflictlens.extract(SEED_TXT)
    assert json.loads(proc.stdout) == result.to_dict()
    event = result.events[0]
    assert event.to_dict() == result.to_dict()["events"][0]
    assert event.to_dict()["type"] == event.type_string
    json.dumps(event.to_dict())  # JSON-ready all the way down


def test_extract_many_keeps_order_and_lets_bad_items_fail_alone(tmp_path):
    report = tmp_path / "quetta.txt"
    report.write_text(QUETTA, encoding="utf-8")
    items = [
        LAGOS,
        "",  # empty
        {"text": LAHORE, "published": "2024-03-08", "id": "lahore-1"},
        {"headline": "no body"},
        b"\x89PNG\r\n\x1a\n....",
        report,
        tmp_path / "missing.txt",
        {"text": QUETTA, "published": "June 2024"},  # not a day
        LAGOS + " \ud800",  # a lone surrogate: kept as U+FFFD, not a crash of the batch
        {"text": LAHORE, "url": {"a": 1}},  # checked as a JSONL line is
    ]
    results = list(conflictlens.extract_many(items, published="2024-02-05"))
    assert [r.source for r in results] == [
        "<item 0>",
        "<item 1>",
        "lahore-1",
        "<item 3>",
        "<item 4>",
        str(report),
        str(tmp_path / "missing.txt"),
        "<item 7>",
        "<item 8>",
        "<item 9>",
    ]
    assert [r.ok for r in results] == [
        *(True, False, True, False, False, True, False, False),
        *(True, False),
    ]
    assert results[8].events and results[9].error == 'field "url" must be a string, not dict'
    assert results[1].error == "empty document"
    assert "PNG" in results[4].error and "no such file" in results[6].error
    assert "unparseable publication date" in results[7].error
    assert results[0].events[0].sub_event_type == "Peaceful protest"
    assert results[0].events[0].date.start == "2024-02-05"  # the batch's default date
    assert results[2].events[0].date.start == "2024-03-08"  # the item's own
    assert results[5].to_dict() == conflictlens.extract(report, "2024-02-05").to_dict()
    assert results[1].to_dict()["error"] == "empty document"


def test_extract_many_streams_its_input():
    pulled = 0

    def texts():
        nonlocal pulled
        for i in range(200):
            pulled += 1
            yield f"{LAHORE} ({i})"

    stream = conflictlens.extract_many(texts(), published="2024-03-08", n_process=1)
    first = next(stream)
    assert first.ok and first.events
    # the first result comes after one chunk, not after the whole input was read
    assert pulled <= PARALLEL_MIN_DOCUMENTS + CHUNK


def test_extract_many_in_two_processes_equals_one():
    items = [QUETTA, "", LAGOS, {"text": LAHORE}] * 13  # 52 items: enough to fork
    serial = [r.to_dict() for r in conflictlens.extract_many(items, n_process=1)]
    parallel = [r.to_dict() for r in conflictlens.extract_many(items, n_process=2)]
    assert parallel == serial
    assert sum("error" in r for r in serial) == 13


def test_to_dataframe_has_one_typed_row_per_event():
    pd = pytest.importorskip("pandas")
    results = list(conflictlens.extract_many([QUETTA, LAGOS], published="2024-03-08"))
    frame = conflictlens.to_dataframe(results)
    assert len(frame) == sum(len(r.events) for r in results) == 2
    from conflictlens.export import FLAT_COLUMNS

    assert list(frame.columns) == FLAT_COLUMNS
    assert frame.loc[0, "location"] == "Quetta"
    assert pd.api.types.is_integer_dtype(frame["fatalities_best"])
    assert pd.api.types.is_float_dtype(frame["latitude"])
    # the same rows from events, event dicts, or one result
    events = [e for r in results for e in r.events]
    assert conflictlens.to_dataframe(events).equals(frame)
    assert conflictlens.to_dataframe([e.to_dict() for e in events]).equals(frame)
    assert len(conflictlens.to_dataframe(results[0])) == 1
    with pytest.raises(TypeError):
        conflictlens.to_dataframe([42])
