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
    assert first.returncode == 0, first.stderr
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
    assert first.returncode == 0, first.stderr
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
