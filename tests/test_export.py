"""Export tests: each format written to a real file and read back with its usual reader."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conflictlens.export import (
    ACLED_COLUMNS,
    FLAT_COLUMNS,
    FORMATS,
    export,
    interaction_code,
    region_for,
    time_precision,
    write_acled_csv,
    write_geojson,
    write_jsonl,
    write_parquet,
)
from conflictlens.models import (
    Actor,
    Argument,
    Article,
    DateSpan,
    Event,
    Evidence,
    ExtractionResult,
    Fatalities,
    Location,
    Source,
)

SENTENCE = "The attack on a mosque in Peshawar killed about a hundred people."


def seed_events() -> list[dict]:
    """Event dicts as the pipeline produces them, via ExtractionResult.to_dict()."""
    ttp = Actor("Tehrik-i-Taliban Pakistan", "Pakistani Taliban", ["TTP"], "Rebel group")
    police = Actor("Police Forces of Pakistan", "police", [], "State forces", "Pakistan")
    rfi = Source(publisher="RFI", url="https://www.rfi.fr/en/x", article_id="abc")
    events = [
        Event(
            id="abc-E2",
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
            summary="Attack on a mosque in Peshawar frequented by police.",
            evidence=[Evidence("event", 10, 10 + len(SENTENCE), SENTENCE)],
            source=rfi,
            sources=[rfi, Source(publisher="Dawn")],
            # the same mosque named twice in the article
            targets=[Argument("a mosque", 24, 32), Argument("a mosque", 240, 248)],
            victims=[Argument("about a hundred people", 52, 74)],
        ),
        Event(
            id="abc-E3",
            event_type="Protests",
            sub_event_type="Peaceful protest",
            date=DateSpan("2023-01-30", "2023-02-18", "range"),
            location=Location(
                "Peshawar", "Khyber Pakhtunkhwa", "Pakistan", "PK", 34.008, 71.5785, "city"
            ),
            actor1=Actor("Protesters (Pakistan)", "police officers", category="protesters"),
            actor2=None,
            fatalities=Fatalities(0, 0, 0),
            summary="Police officers demonstrate in Peshawar.",
            source=rfi,
        ),
        Event(
            id="abc-E4",
            event_type="Strategic developments",
            sub_event_type="Agreement",
            date=DateSpan("2022-11-01", "2022-11-30", "month"),
            location=Location("Pakistan", None, "Pakistan", "PK", None, None, "country"),
            actor1=ttp,
            actor2=None,
            fatalities=None,
            summary="The TTP end the ceasefire — « fin » des négociations.",
            source=rfi,
        ),
        Event(
            id="xyz-E1",
            event_type="Violence against civilians",
            sub_event_type="Attack",
            date=DateSpan("2023-03-05", "2023-03-05", "day"),
            location=Location(
                "Bunia", "Ituri", "Democratic Republic of the Congo", "CD", 1.5667, 30.25, "region"
            ),
            actor1=Actor("Unidentified Armed Group", "gunmen", category="political militia"),
            actor2=Actor("Civilians (DRC)", "villagers", category="civilians"),
            fatalities=Fatalities(12, 12, 20),
            summary="Gunmen attack villagers.",
        ),
    ]
    result = ExtractionResult(Article(headline="h", publisher="RFI"), events)
    return result.to_dict()["events"]


def test_formats_registry() -> None:
    assert set(FORMATS) == {"acled-csv", "geojson", "jsonl", "parquet"}
    assert FORMATS["parquet"].binary and not FORMATS["jsonl"].binary


def test_acled_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with open(path, "w", encoding="utf-8", newline="") as fp:
        assert write_acled_csv(seed_events(), fp, timestamp=1700000000) == 4
    with open(path, encoding="utf-8", newline="") as fp:
        reader = csv.DictReader(fp)
        assert reader.fieldnames == ACLED_COLUMNS
        rows = {r["event_id_cnty"]: r for r in reader}
    bomb, protest, sd, vac = rows["abc-E2"], rows["abc-E3"], rows["abc-E4"], rows["xyz-E1"]
    assert bomb["event_date"] == "2023-01-30" and bomb["year"] == "2023"
    assert bomb["time_precision"] == "1"
    assert bomb["disorder_type"] == "Political violence"
    assert (bomb["inter1"], bomb["inter2"], bomb["interaction"]) == ("2", "1", "12")
    assert bomb["fatalities"] == "90"  # ACLED keeps the lowest reported toll
    assert bomb["iso"] == "586"
    assert bomb["region"] == "South Asia"
    assert bomb["geo_precision"] == "1"
    assert (bomb["latitude"], bomb["longitude"]) == ("34.008", "71.5785")
    assert bomb["source"] == "RFI; Dawn"
    assert bomb["notes"].startswith("Attack on a mosque") and SENTENCE in bomb["notes"]
    assert bomb["civilian_targeting"] == ""
    assert bomb["timestamp"] == "1700000000"
    assert protest["time_precision"] == "2"  # a range within a month
    assert protest["disorder_type"] == "Demonstrations"
    assert (protest["inter1"], protest["inter2"], protest["interaction"]) == ("6", "0", "60")
    assert sd["time_precision"] == "3"
    assert sd["disorder_type"] == "Strategic developments"
    assert sd["fatalities"] == "0" and sd["latitude"] == "" and sd["geo_precision"] == "3"
    assert "« fin »" in sd["notes"]
    assert vac["civilian_targeting"] == "Civilian targeting"
    assert vac["interaction"] == "37" and vac["region"] == "Middle Africa"
    assert vac["iso"] == "180" and vac["geo_precision"] == "2"


def test_geojson_lon_lat_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "out.geojson"
    with open(path, "w", encoding="utf-8") as fp:
        assert write_geojson(seed_events(), fp) == 1  # the country-level event has no point
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 3
    first = data["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [71.5785, 34.008]}
    assert set(first["properties"]) == set(FLAT_COLUMNS)
    assert first["properties"]["type"] == "Explosions/Remote violence/Suicide bomb"
    assert first["properties"]["fatalities_best"] == 100


def test_jsonl_round_trip(tmp_path: Path) -> None:
    events = seed_events()
    path = tmp_path / "out.jsonl"
    with open(path, "w", encoding="utf-8") as fp:
        assert write_jsonl(events, fp) == 4
    raw = path.read_text(encoding="utf-8")
    assert "« fin »" in raw  # not ASCII-escaped
    assert [json.loads(line) for line in raw.splitlines()] == events


def test_parquet_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    assert write_parquet(seed_events(), path) == 4
    table = pq.read_table(path)
    assert table.column_names == FLAT_COLUMNS
    rows = table.to_pylist()
    assert rows[0]["id"] == "abc-E2" and rows[0]["fatalities_low"] == 90
    assert rows[0]["source_count"] == 2
    assert rows[0]["targets"] == "a mosque" and rows[0]["victims"] == "about a hundred people"
    assert rows[0]["weapons"] is None and rows[1]["victims"] is None
    assert rows[2]["latitude"] is None and rows[2]["fatalities_best"] is None
    assert rows[3]["country_code"] == "CD"
    write_parquet([], tmp_path / "empty.parquet")
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


def test_export_helper_counts(tmp_path: Path) -> None:
    count = export(seed_events(), "geojson", tmp_path / "e.geojson")
    assert (count.written, count.skipped) == (3, 1)
    assert export(seed_events(), "parquet", tmp_path / "e.parquet").written == 4
    with pytest.raises(ValueError):
        export([], "kml", tmp_path / "x")


def test_codes() -> None:
    assert interaction_code(7, 1) == 17
    assert interaction_code(0, 0) == 0
    assert time_precision({"start": "2023-02-13", "end": "2023-02-19", "precision": "week"}) == 2
    assert time_precision({"start": "2023-01-01", "end": "2023-12-31", "precision": "year"}) == 3
    assert region_for("ua") == "Europe" and region_for(None) == ""


def test_csv_to_text_buffer() -> None:
    buf = io.StringIO()
    write_acled_csv([], buf)
    assert buf.getvalue().strip() == ",".join(ACLED_COLUMNS)
