"""The ACLED layout: event dicts -> rows with ACLED's columns, codes and value forms.

ACLED's codebook conventions, checked against the real ACLED rows of the training data:
``event_id_cnty`` is a country code and a number ("BFO3937"); ``event_date`` is the day,
or the middle of the period for a week, range or month (``time_precision`` 2 or 3,
"Around 15 March 2022 (month of)" in the notes); ``inter1``/``inter2`` are actor type
codes (1 state forces .. 8 external/other, 0 none) and ``interaction`` the two codes,
lower first (a lone actor: code * 10); ``fatalities`` is the lowest figure reported;
``source`` lists outlets "; "-separated, ``source_scale`` their levels; ``tags`` holds
"crowd size=..." for demonstrations; ``timestamp`` is when the record last changed.

``acled_rows`` gives typed values (int, float, ``datetime.date``, str, None for unknown)
so that Parquet gets typed columns; the CSV and JSON writers turn them into ACLED's text.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Iterable, Mapping
from typing import IO, Any

from conflictlens.export import reference as ref
from conflictlens.export.codes import (
    civilian_targeting,
    disorder_type,
    event_date,
    geo_precision,
    inter_code,
    interaction_code,
    time_precision,
)
from conflictlens.export.notes import notes, sources, tags

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

#: Each ACLED column's type (Arrow names: what Parquet stores, what pandas reads).
ACLED_TYPES: dict[str, str] = {column: "string" for column in ACLED_COLUMNS} | {
    "event_date": "date32",
    "year": "int64",
    "time_precision": "int64",
    "inter1": "int64",
    "inter2": "int64",
    "interaction": "int64",
    "iso": "int64",
    "latitude": "float64",
    "longitude": "float64",
    "geo_precision": "int64",
    "fatalities": "int64",
    "timestamp": "int64",
}


# --- numbers and timestamps ---------------------------------------------------------


def _unix(at: Any) -> int | None:
    if not at:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(at))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


class Numbering:
    """Who gets which ``event_id_cnty`` number and ``timestamp`` in one export.

    A stored event carries its number (``stored``: the store's per-country number) and
    the time it was stored; an event merged from several reports takes the lowest
    number of its members (found in ``members``, the unmerged event dicts by id) and
    the latest time. Events that carry none (``extract`` output, no store) are numbered
    in output order, after the highest stored number of their country in the export.
    """

    def __init__(
        self,
        events: list[Mapping[str, Any]],
        members: Mapping[str, Mapping[str, Any]] | None = None,
        timestamp: int | None = None,
    ) -> None:
        self.members = members or {}
        self.timestamp = int(time.time()) if timestamp is None else timestamp
        self.last: dict[str, int] = {}
        for event in events:
            for stored in self._stored(event):
                if stored.get("iso3") and stored.get("number"):
                    key = stored["iso3"]
                    self.last[key] = max(self.last.get(key, 0), int(stored["number"]))

    def _stored(self, event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        found = [event.get("stored") or {}]
        for src in event.get("sources") or []:
            member = self.members.get(str((src or {}).get("event_id") or ""))
            if member is not None:
                found.append(member.get("stored") or {})
        return [s for s in found if s]

    def number(self, event: Mapping[str, Any], iso3: str) -> tuple[str, int]:
        """(ISO3, number): the lowest stored number of the event in its country, else in
        any country, else a new one."""
        numbered = [s for s in self._stored(event) if s.get("iso3") and s.get("number")]
        same = [s for s in numbered if s["iso3"] == iso3]
        if same or numbered:
            best = min(same or numbered, key=lambda s: int(s["number"]))
            return best["iso3"], int(best["number"])
        self.last[iso3] = self.last.get(iso3, 0) + 1
        return iso3, self.last[iso3]

    def stamp(self, event: Mapping[str, Any]) -> int:
        times = [t for t in (_unix(s.get("at")) for s in self._stored(event)) if t is not None]
        return max(times) if times else self.timestamp


# --- rows ---------------------------------------------------------------------------


def _associated(actors: Any) -> str:
    """ACLED's associated-actor cell: the names joined by "; "."""
    names = [a.get("name") for a in actors or [] if isinstance(a, Mapping) and a.get("name")]
    return "; ".join(dict.fromkeys(names))


def _actor2(event: Mapping[str, Any], event_type: str, iso2: str | None) -> Mapping | None:
    """Actor 2 as coded; on violence against civilians with none named, "Civilians
    (Country)" as ACLED always codes the victims (the pipeline gives it already)."""
    actor2 = event.get("actor2") or None
    if actor2 or event_type != "Violence against civilians":
        return actor2
    from conflictlens.actors import ActorDictionary

    civilians = ActorDictionary.default().civilians_of(iso2)
    return {"name": civilians.name, "category": civilians.category}


def acled_row(
    event: Mapping[str, Any], number: tuple[str, int] | None, timestamp: int | None
) -> dict[str, Any]:
    """One event dict -> typed values of ``ACLED_COLUMNS`` (None where unknown).
    ``number`` is (ISO3, n) for ``event_id_cnty`` (None: left empty)."""
    loc = event.get("location") or {}
    info = ref.country_info(loc) if loc else None
    iso2 = info["iso"] if info else (loc.get("country_code") or None)
    event_type = event.get("event_type") or ""
    sub = event.get("sub_event_type") or ""
    a1 = event.get("actor1") or None
    a2 = _actor2(event, event_type, iso2)
    inter1, inter2 = inter_code(a1), inter_code(a2)
    country = ref.acled_country_name(info, loc.get("country"))
    admin1, admin2, admin3 = loc.get("admin1") or "", "", ""
    place = ref.acled_place(loc, country) if loc else None
    if place is not None:
        admin1, admin2, admin3 = place.admin1, place.admin2, place.admin3
    point = ref.area_point(loc) if loc else None
    own_point = point is not None and point[2] == "place"
    if place is None and own_point and loc.get("precision") == "city" and country:
        admin1 = ref.acled_admin1_near(point[0], point[1], country) or admin1
    day = event_date(event.get("date"))
    fat = event.get("fatalities") or {}
    low = fat.get("low", fat.get("best"))
    names = sources(event)
    row = {
        "event_id_cnty": f"{ref.id_prefix(number[0])}{number[1]}" if number else None,
        "event_date": day,
        "year": day.year if day else None,
        "time_precision": time_precision(event.get("date")),
        "disorder_type": disorder_type(event_type, sub),
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": (a1 or {}).get("name") or "",
        "assoc_actor_1": _associated(event.get("assoc_actor1")),
        "inter1": inter1,
        "actor2": (a2 or {}).get("name") or "",
        "assoc_actor_2": _associated(event.get("assoc_actor2")),
        "inter2": inter2,
        "interaction": interaction_code(inter1, inter2),
        "civilian_targeting": civilian_targeting(event_type, sub, inter2),
        "iso": int(info["isonumeric"]) if info else None,
        "region": ref.region_for(iso2),
        "country": country,
        "admin1": admin1,
        "admin2": admin2,
        "admin3": admin3,
        "location": loc.get("name") or "",
        "latitude": round(point[0], 4) if point else None,
        "longitude": round(point[1], 4) if point else None,
        # A place standing at its region's or country's point is coded as that region.
        "geo_precision": (geo_precision(loc) if own_point else 3) if point else None,
        "source": "; ".join(names),
        "source_scale": ref.combined_scale([ref.source_scale_of(n) for n in names]),
        "notes": "",
        # ACLED records the lowest reported toll, 0 when none is reported.
        "fatalities": int(low) if low is not None else 0,
        "tags": tags(event, event_type),
        "timestamp": timestamp,
    }
    row["notes"] = notes(event, row)
    return row


def acled_rows(
    events: Iterable[Mapping[str, Any]],
    *,
    members: Mapping[str, Mapping[str, Any]] | None = None,
    timestamp: int | None = None,
) -> list[dict[str, Any]]:
    """Typed ACLED rows, numbered (see ``Numbering``); ``timestamp`` stands in for the
    stored time of events that carry none (default: now)."""
    events = list(events)
    numbering = Numbering(events, members, timestamp)
    out = []
    for event in events:
        loc = event.get("location") or {}
        info = ref.country_info(loc) if loc else None
        iso3 = info["iso3"] if info else ref.NO_COUNTRY
        out.append(acled_row(event, numbering.number(event, iso3), numbering.stamp(event)))
    return out


# --- text forms and writers ---------------------------------------------------------


def cell(column: str, value: Any) -> str:
    """A typed value as ACLED writes it: '' for unknown, integers without ".0", 4-decimal
    coordinates ("12.1580"), ISO dates."""
    if value is None:
        return ""
    if column in ("latitude", "longitude"):
        return f"{float(value):.4f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(row: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """A CSV row whose text cells cannot run as spreadsheet formulas: a text cell that
    starts like one (a reviewed actor "=HYPERLINK(...)", a summary "@...") gets a leading
    apostrophe, as OWASP advises. Numeric columns are left alone (a longitude of -12.5 is
    a number), and so are JSON and Parquet exports, where no formula can run."""
    out = dict(row)
    for column, value in row.items():
        if (
            types.get(column) == "string"
            and isinstance(value, str)
            and value.startswith(_FORMULA_START)
        ):
            out[column] = "'" + value
    return out


def text_row(row: Mapping[str, Any]) -> dict[str, str]:
    return {column: cell(column, row.get(column)) for column in ACLED_COLUMNS}


def write_acled_csv(
    events: Iterable[Mapping[str, Any]],
    fp: IO[str],
    *,
    timestamp: int | None = None,
    members: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """ACLED CSV (open ``fp`` with ``newline=""``). Returns the number of rows."""
    writer = csv.DictWriter(fp, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    rows = acled_rows(events, members=members, timestamp=timestamp)
    for row in rows:
        writer.writerow(csv_safe(text_row(row), ACLED_TYPES))
    return len(rows)


def write_acled_json(
    events: Iterable[Mapping[str, Any]],
    fp: IO[str],
    *,
    timestamp: int | None = None,
    members: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """The ACLED API's answer: ``{"status": 200, "success": true, "count": N, "data":
    [...]}``, rows with the CSV's keys and, as the API gives them, text values."""
    rows = [text_row(r) for r in acled_rows(events, members=members, timestamp=timestamp)]
    body = {"status": 200, "success": True, "count": len(rows), "data": rows}
    json.dump(body, fp, ensure_ascii=False)
    fp.write("\n")
    return len(rows)
