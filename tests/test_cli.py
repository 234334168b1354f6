"""The command line, run as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "conflictlens.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CONFLICTLENS_DEBUG", None)
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def assert_clean_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]


def test_extract_json(seed_path):
    proc = run("extract", str(seed_path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"article", "events", "warnings"}
    assert data["warnings"] == []  # the seed states its date
    assert data["article"]["headline"].startswith("Karachi")
    required = {
        "id",
        "event_type",
        "sub_event_type",
        "date",
        "location",
        "actor1",
        "actor2",
        "fatalities",
        "injured",
        "background",
        "summary",
        "evidence",
        "source",
    }
    assert data["events"] and all(required <= set(e) for e in data["events"])


def test_extract_table(seed_path):
    proc = run("extract", str(seed_path), "--format", "table")
    assert proc.returncode == 0, proc.stderr
    assert "Karachi" in proc.stdout and "Peshawar" in proc.stdout
    assert "Armed clash" in proc.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty document"),
        (b"\x89PNG\r\n\x1a\n" + bytes(300), "PNG image"),
        (bytes(range(256)) * 20, "binary"),
        (
            b"<html><body><nav>Home | About</nav><footer>(c) 2024</footer></body></html>",
            "no article text",
        ),
    ],
    ids=["empty", "image", "binary", "html-without-article"],
)
def test_extract_bad_input(tmp_path, content, needle):
    path = tmp_path / ("doc.html" if b"<html" in content else "doc.txt")
    path.write_bytes(content)
    assert_clean_error(run("extract", str(path)), needle)


def test_extract_missing_file(tmp_path):
    assert_clean_error(run("extract", str(tmp_path / "nope.txt")), "no such file")


def test_extract_huge_file(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * (1_200_000))
    assert_clean_error(run("extract", str(path)), "too large")


def test_extract_latin1(tmp_path):
    path = tmp_path / "latin1.txt"
    text = (
        "Gunmen attacked a police station in Quetta on Tuesday, killing three officers, "
        "officials said. Le café était fermé à cause de l'attaque.\n"
    )
    path.write_bytes(text.encode("latin-1"))
    proc = run("extract", str(path), "--published", "2024-03-06")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert "café" in data["article"]["body"]


def test_ingest_is_idempotent_and_batches_go_on(tmp_path, seed_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_bytes(seed_path.read_bytes())
    (docs / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    db = str(tmp_path / "cl.db")
    first = run("ingest", str(docs), "--db", db)
    assert first.returncode == 1, first.stderr  # 1: some documents failed
    assert "1 added" in first.stdout and "1 failed" in first.stdout
    assert "broken.txt" in first.stderr and "Traceback" not in first.stderr
    events_before = json.loads(run("events", "--db", db, "--format", "json").stdout)
    second = run("ingest", str(docs), "--db", db)
    assert "0 added" in second.stdout and "1 unchanged" in second.stdout
    events_after = json.loads(run("events", "--db", db, "--format", "json").stdout)
    assert events_after == events_before
    assert len(events_before) >= 5


def test_events_filters_and_exports(tmp_path, seed_path):
    db = str(tmp_path / "cl.db")
    assert run("ingest", str(seed_path), "--db", db).returncode == 0
    afg = json.loads(run("events", "--db", db, "--country", "AF", "--format", "json").stdout)
    assert afg and all(e["location"]["country_code"] == "AF" for e in afg)
    recent = json.loads(
        run("events", "--db", db, "--since", "2023-01-01", "--format", "json").stdout
    )
    assert recent and all(e["date"]["end"] >= "2023-01-01" for e in recent)
    protests = json.loads(
        run("events", "--db", db, "--type", "Protests", "--format", "json").stdout
    )
    assert protests and all(e["event_type"] == "Protests" for e in protests)

    table = run("events", "--db", db)
    assert table.returncode == 0 and "Karachi" in table.stdout

    acled = run("export", "--format", "acled-csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(acled.stdout)))
    assert rows and list(rows[0])[:3] == ["event_id_cnty", "event_date", "year"]
    assert {r["country"] for r in rows} >= {"Pakistan", "Afghanistan"}

    geo = json.loads(run("export", "--format", "geojson", "--db", db).stdout)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    lon, lat = geo["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90

    out = tmp_path / "events.parquet"
    proc = run("export", "--format", "parquet", "--db", db, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == len(rows)


def test_query_errors(tmp_path):
    assert_clean_error(run("events", "--db", str(tmp_path / "none.db")), "no database")
    db = tmp_path / "cl.db"
    db.touch()
    assert_clean_error(run("events", "--db", str(db), "--since", "last tuesday"), "ISO date")
    assert_clean_error(run("export", "--format", "xml", "--db", str(db)), "unknown format")


def test_events_merge_reports_across_articles(tmp_path):
    """Three outlets report the Karachi attack: one row, three sources (--no-merge: three)."""
    folder = Path(__file__).parent / "data" / "dedupe"
    meta = {a["file"]: a for a in json.loads((folder / "articles.json").read_text())["articles"]}
    batch = tmp_path / "karachi.jsonl"
    with batch.open("w") as fh:
        for name in ("k1-dawn.txt", "k2-wire.txt", "k3-radio.txt"):
            text = (folder / "articles" / name).read_text()
            fh.write(json.dumps({"text": text, "published": meta[name]["published"]}) + "\n")
    db = str(tmp_path / "cl.db")
    assert run("ingest", str(batch), "--db", db).returncode == 0
    args = ("events", "--db", db, "--since", "2023-02-17", "--until", "2023-02-17", "-f", "json")
    merged = json.loads(run(*args).stdout)
    separate = json.loads(run(*args, "--no-merge").stdout)
    karachi = [e for e in merged if (e["location"] or {}).get("name") == "Karachi"]
    assert len(karachi) == 1
    assert len(karachi[0]["sources"]) == 3
    assert len([e for e in separate if (e["location"] or {}).get("name") == "Karachi"]) == 3


def test_large_batch_runs_in_parallel_and_isolates_failures(tmp_path):
    """60 reports (enough to use every core) with one HTML page that has no article."""
    batch = tmp_path / "wire.jsonl"
    lines = [
        json.dumps(
            {
                "text": f"Gunmen attacked a police post in Quetta on Monday, killing {n} officers, "
                f"officials said. Report number {n}.",
                "published": "2024-03-06",
            }
        )
        for n in range(2, 61)
    ]
    lines.insert(30, json.dumps({"html": "<html><body><nav>Home | About</nav></body></html>"}))
    batch.write_text("\n".join(lines) + "\n")
    db = str(tmp_path / "cl.db")
    first = run("ingest", str(batch), "--db", db)
    assert first.returncode == 1, first.stderr  # 1: one document failed
    assert "59 added" in first.stdout and "1 failed" in first.stdout
    assert "no article text" in first.stderr and "Traceback" not in first.stderr
    rows = json.loads(run("events", "--db", db, "--no-merge", "-f", "json").stdout)
    assert sorted(e["fatalities"]["best"] for e in rows) == list(range(2, 61))
    again = run("ingest", str(batch), "--db", db)
    assert "0 added" in again.stdout and "59 unchanged" in again.stdout


NAIROBI = "Police fired tear gas at protesters in Nairobi on Tuesday, witnesses said.\n"


def test_published_is_the_fallback_and_force_published_overrides(tmp_path, seed_path):
    report = tmp_path / "nairobi.txt"
    report.write_text(NAIROBI)
    given = run("extract", str(report), "--published", "Feb 7, 2024")
    assert given.returncode == 0, given.stderr
    data = json.loads(given.stdout)
    assert data["article"]["published"] == "2024-02-07" and data["warnings"] == []
    assert data["events"][0]["date"]["start"] == "2024-02-06"  # the Tuesday before
    stated = json.loads(run("extract", str(seed_path)).stdout)["article"]["published"]
    kept = json.loads(run("extract", str(seed_path), "--published", "2020-01-01").stdout)
    assert kept["article"]["published"] == stated  # the document's own date stands
    forced = run("extract", str(seed_path), "--published", "2020-01-01", "--force-published")
    assert json.loads(forced.stdout)["article"]["published"] == "2020-01-01"
    undated = run("extract", str(report))
    assert undated.returncode == 0
    assert "warning: no publication date" in undated.stderr
    assert json.loads(undated.stdout)["events"][0]["date"]["precision"] == "unknown"


def test_an_unparseable_published_is_a_clean_error(tmp_path):
    report = tmp_path / "nairobi.txt"
    report.write_text(NAIROBI)
    assert_clean_error(
        run("extract", str(report), "--published", "2024-13-45"), "unparseable publication date"
    )
    db = str(tmp_path / "cl.db")
    assert_clean_error(
        run("ingest", str(report), "--db", db, "--published", "someday"), "unparseable"
    )


def test_reingesting_with_another_published_date_redates(tmp_path):
    report = tmp_path / "nairobi.txt"
    report.write_text(NAIROBI)
    db = str(tmp_path / "cl.db")
    assert "1 added" in run("ingest", str(report), "--db", db, "--published", "2024-02-07").stdout
    assert "1 unchanged" in run("ingest", str(report), "--db", db).stdout
    again = run("ingest", str(report), "--db", db, "--published", "2024-03-07")
    assert "1 updated" in again.stdout, again.stdout
    events = json.loads(run("events", "--db", db, "--format", "json").stdout)
    assert [e["date"]["start"] for e in events] == ["2024-03-05"]


# --- hardening (issue 17): a batch never stops for one document, exits tell the truth ----

GOOD = "Gunmen shot dead two police officers at a checkpoint in Quetta on Friday, 8 March 2024."


def _documents(db: str, status: str) -> dict[str, str | None]:
    """Source -> error of the stored documents with ``status`` ("ok" or "failed")."""
    from conflictlens.store import Store

    store = Store.open(db)
    try:
        return {d["source"]: d["error"] for d in store.documents(status=status)}
    finally:
        store.close()


def test_a_batch_goes_on_past_every_kind_of_bad_document(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a-good.txt").write_text(GOOD)
    (docs / "b-too-long.txt").write_text(("Gunmen attacked the town. " * 9000) + GOOD)
    (docs / "c-[").mkdir()  # the path reads "c-[/bold]markup.txt": Rich markup
    (docs / "c-[" / "bold]markup.txt").write_text(GOOD.replace("Quetta", "Peshawar"))
    (docs / os.fsdecode(b"d-bad\xff_name.txt")).write_text(GOOD.replace("Quetta", "Lahore"))
    (docs / "e-nul.txt").write_bytes(
        (GOOD.replace("Quetta", "Kabul") + " " * 5000).encode() + b"\x00 end"
    )
    (docs / "f-empty.txt").write_text("")
    (docs / "g-image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    lines = [
        json.dumps({"text": GOOD.replace("Quetta", "Karachi") + " \ud800"}),
        json.dumps({"text": GOOD, "url": {"a": 1}}),
        json.dumps({"text": GOOD, "published": ["2023"]}),
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"text": GOOD.replace("Quetta", "Multan")}),
    ]
    (docs / "h-feed.jsonl").write_text("\n".join(lines) + "\n")
    db = str(tmp_path / "cl.db")
    proc = run("ingest", str(docs), str(tmp_path / "missing.txt"), "--db", db)
    assert proc.returncode == 1, proc.stderr  # some failed
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "6 added" in proc.stdout and "7 failed" in proc.stdout, proc.stdout
    stored = _documents(db, "ok")
    assert str(docs / "c-[/bold]markup.txt") in stored
    assert str(docs / "d-bad\\xff_name.txt") in stored  # the byte, escaped
    failed = _documents(db, "failed")
    assert "too long to read as one report" in failed[str(docs / "b-too-long.txt")]
    assert failed[str(docs / "f-empty.txt")] == "empty document"
    assert "no such file" in failed[str(tmp_path / "missing.txt")]
    assert sum("must be a string" in e for e in failed.values()) == 2
    assert any("nested too deeply" in e for e in failed.values())
    for reason in failed.values():
        assert "\n" not in reason and len(reason) < 400
    again = run("ingest", str(docs), "--db", db)  # a rerun adds nothing, loses nothing
    assert "0 added" in again.stdout and "6 unchanged" in again.stdout, again.stdout


def test_exit_status_of_ingest_tells_whether_all_was_stored(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    db = str(tmp_path / "cl.db")
    assert run("ingest", str(tmp_path / "good.txt"), "--db", db).returncode == 0
    bad = run("ingest", str(tmp_path / "empty.txt"), str(tmp_path / "image.png"), "--db", db)
    assert bad.returncode == 1 and "2 failed" in bad.stdout
    usage = run("ingest", "--db", db, "--no-such-option")
    assert usage.returncode == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("serve", "--port", "99999"), "--port"),
        (("events", "--limit", "-1"), "--limit"),
        (("extract",), "Missing argument"),
        (("no-such-command",), "No such command"),
    ],
)
def test_usage_errors_are_one_line_and_status_2(args, needle):
    proc = run(*args)
    assert proc.returncode == 2
    assert_clean_error(proc, needle)


def test_markup_in_a_headline_prints_as_written(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("Clashes in [bold]Quetta[/] leave [red two dead\n\n" + GOOD)
    proc = run("extract", str(report), "--format", "table")
    assert proc.returncode == 0, proc.stderr
    assert "Clashes in [bold]Quetta[/] leave [red two dead" in proc.stdout


def test_a_1gb_file_is_refused_in_bounded_memory(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(1024**3)  # sparse: 1 GiB on paper
    code = (
        "import resource, subprocess, sys;"
        f"p = subprocess.run([sys.executable, '-m', 'conflictlens.cli', 'extract', {str(huge)!r}],"
        " capture_output=True, text=True);"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    status, max_rss_kib, message = out.stdout.split(" ", 2)
    assert status == "2" and "too large" in message
    # the peak RSS of the command, read by its parent: the file is never read
    assert int(max_rss_kib) < 300 * 1024


def test_workers_die_with_a_killed_ingest(tmp_path):
    import signal
    import time

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(80):  # enough for worker processes
        (docs / f"{i:03}.txt").write_text(f"{GOOD} ({i})\n\n" + "Gunmen attacked a town. " * 40)
    proc = subprocess.Popen(
        [*CLI, "ingest", str(docs), "--db", str(tmp_path / "cl.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def children() -> list[int]:
        path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = children()
        time.sleep(0.2)
    if len(workers) < 2:
        proc.kill()
        pytest.skip("the ingest finished before its workers could be seen")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(2)
    alive = [
        w
        for w in workers
        if Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text().split()[2]
    ]
    assert alive == []
