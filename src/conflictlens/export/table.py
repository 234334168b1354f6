"""The flat layout shared by Parquet columns, GeoJSON properties and DataFrames: ACLED's
columns first (typed as ACLED's are), then ConflictLens's own (the event id, the date
interval, actor mentions and categories, participants, the toll range, evidence, the
report's URL and speaker, how many reports were merged).

pyarrow is imported only by the Parquet writers: CSV, JSON, GeoJSON and JSON Lines
exports work without it.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from conflictlens.errors import ConflictLensError
from conflictlens.export import reference as ref
from conflictlens.export.acled import ACLED_COLUMNS, ACLED_TYPES, Numbering, acled_row

#: ConflictLens's columns after ACLED's, with their types (Arrow names).
EXTRA_TYPES: dict[str, str] = {
    "id": "string",
    "type": "string",
    "date_start": "date32",
    "date_end": "date32",
    "date_precision": "string",
    "country_code": "string",
    "geonames_id": "int64",
    "place_precision": "string",  # city / region / country, as the gazetteer resolved it
    "actor1_mention": "string",
    "actor1_category": "string",
    "actor2_mention": "string",
    "actor2_category": "string",
    # Participants as the text names them, "; "-separated: ACLED folds them into its
    # notes; kept apart here so that a table can be filtered on them.
    "perpetrators": "string",
    "victims": "string",
    "targets": "string",
    "weapons": "string",
    "fatalities_best": "int64",
    "fatalities_low": "int64",
    "fatalities_high": "int64",
    "injured": "int64",
    "background": "bool",
    "summary": "string",
    "evidence": "string",
    "publisher": "string",
    "url": "string",
    "speaker": "string",
    "article_id": "string",
    "source_count": "int64",
}
FLAT_TYPES: dict[str, str] = {c: ACLED_TYPES[c] for c in ACLED_COLUMNS} | EXTRA_TYPES
#: GeoJSON properties and Parquet columns, in order.
FLAT_COLUMNS: list[str] = list(FLAT_TYPES)
PARTICIPANT_FIELDS = ("perpetrators", "victims", "targets", "weapons")


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, or a one-line error naming the extra to install."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConflictLensError(
            "Parquet export needs pyarrow: pip install 'conflictlens[parquet]'"
        ) from None
    return pa, pq


def arrow_schema(geometry: bool = False) -> Any:
    """The Arrow schema of ``FLAT_COLUMNS`` (and a WKB ``geometry`` column)."""
    pa, _ = _pyarrow()

    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "date32": pa.date32(),
        "bool": pa.bool_(),
    }
    fields = [(name, types[kind]) for name, kind in FLAT_TYPES.items()]
    if geometry:
        fields.append(("geometry", pa.binary()))
    return pa.schema(fields)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _joined_texts(arguments: Any) -> str | None:
    """Distinct texts of a participant list ("; "-joined), None when there are none."""
    texts = dict.fromkeys(
        " ".join(str(a.get("text") or "").split())
        for a in arguments or []
        if isinstance(a, Mapping)
    )
    texts.pop("", None)
    return "; ".join(texts) or None


def _publishers(event: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for src in [event.get("source") or {}, *(event.get("sources") or [])]:
        name = (src or {}).get("publisher")
        if name and name not in out:
            out.append(name)
    return out


def extras(event: Mapping[str, Any]) -> dict[str, Any]:
    """ConflictLens's own columns of one event (``EXTRA_TYPES`` keys, None where unknown)."""
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
        "date_start": _date(date_span.get("start")),
        "date_end": _date(date_span.get("end")),
        "date_precision": date_span.get("precision"),
        "country_code": loc.get("country_code"),
        "geonames_id": loc.get("geonames_id"),
        "place_precision": loc.get("precision"),
        "actor1_mention": a1.get("mention"),
        "actor1_category": a1.get("category"),
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


def _empty_to_none(row: dict[str, Any]) -> dict[str, Any]:
    """ACLED writes '' for "none"; a typed table says null."""
    return {k: (None if v == "" else v) for k, v in row.items()}


def flat_rows(
    events: Iterable[Mapping[str, Any]],
    *,
    members: Mapping[str, Mapping[str, Any]] | None = None,
    timestamp: int | None = None,
) -> list[dict[str, Any]]:
    """Typed ``FLAT_COLUMNS`` rows, numbered as the ACLED export numbers them."""
    events = list(events)
    numbering = Numbering(events, members, timestamp)
    out = []
    for event in events:
        loc = event.get("location") or {}
        info = ref.country_info(loc) if loc else None
        number = numbering.number(event, info["iso3"] if info else ref.NO_COUNTRY)
        row = acled_row(event, number, numbering.stamp(event))
        out.append(_empty_to_none(row) | extras(event))
    return out


def flatten(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event dict -> a ``FLAT_COLUMNS`` row (None where unknown). ``event_id_cnty`` and
    ``timestamp`` come from the event's ``stored`` record only: use ``flat_rows`` to
    number events that have none."""
    stored = event.get("stored") or {}
    number = (stored["iso3"], int(stored["number"])) if stored.get("number") else None
    numbering = Numbering([event], timestamp=0)
    stamp = numbering.stamp(event) if stored.get("at") else None
    return _empty_to_none(acled_row(event, number, stamp)) | extras(event)


# --- writers ------------------------------------------------------------------------


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def write_geojson(
    events: Iterable[Mapping[str, Any]],
    fp: IO[str],
    *,
    timestamp: int | None = None,
    members: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """A GeoJSON FeatureCollection of points, properties = the flat row; returns how many
    events were skipped for having no place at all. A region or country stands at its
    point (the gazetteer's, or the country's centroid), ``geo_precision`` 2-3 saying so.

    GeoJSON orders coordinates longitude first (RFC 7946), unlike most gazetteers.
    """
    features = []
    skipped = 0
    for row in flat_rows(events, members=members, timestamp=timestamp):
        lat, lon = row["latitude"], row["longitude"]
        if lat is None or lon is None:
            skipped += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": _json_ready(row),
            }
        )
    json.dump({"type": "FeatureCollection", "features": features}, fp, ensure_ascii=False)
    fp.write("\n")
    return skipped


def write_jsonl(events: Iterable[Mapping[str, Any]], fp: IO[str], **_: Any) -> int:
    """One full event dict per line (UTF-8, not ASCII-escaped). Returns the line count."""
    n = 0
    for event in events:
        fp.write(json.dumps(event, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_parquet(
    events: Iterable[Mapping[str, Any]],
    path: str | Path | IO[bytes],
    *,
    timestamp: int | None = None,
    members: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """A Parquet file of the flat columns, typed (dates as date32, codes and counts int64,
    coordinates float64), so that even an empty export has its schema."""
    pa, pq = _pyarrow()

    rows = flat_rows(events, members=members, timestamp=timestamp)
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema()), path)
    return len(rows)


def wkb_point(lon: float, lat: float) -> bytes:
    """ISO WKB of a 2D point: byte order 1 (little-endian), type 1 (Point), x, y."""
    return struct.pack("<BIdd", 1, 1, lon, lat)


def write_geoparquet(
    events: Iterable[Mapping[str, Any]],
    path: str | Path | IO[bytes],
    *,
    timestamp: int | None = None,
    members: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """GeoParquet 1.1: the Parquet columns plus ``geometry`` (WKB points, null for events
    with no place) and the "geo" file metadata (WGS 84 longitude/latitude, the default
    CRS OGC:CRS84). The WKB is packed by hand: a point is 21 bytes, not worth shapely and
    GEOS (or geopandas) as dependencies."""
    pa, pq = _pyarrow()

    rows = flat_rows(events, members=members, timestamp=timestamp)
    points = [(r["longitude"], r["latitude"]) for r in rows]
    for row, (lon, lat) in zip(rows, points, strict=True):
        row["geometry"] = wkb_point(lon, lat) if lon is not None and lat is not None else None
    located = [p for p in points if p[0] is not None and p[1] is not None]
    column: dict[str, Any] = {"encoding": "WKB", "geometry_types": ["Point"]}
    if located:
        lons, lats = [p[0] for p in located], [p[1] for p in located]
        column["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
    schema = arrow_schema(geometry=True)
    schema = schema.with_metadata({b"geo": json.dumps(geo).encode("utf-8")})
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return len(rows)
