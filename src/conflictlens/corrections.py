"""corrections: what an analyst's review may say, and how it changes an event.

Pure functions over event dicts, no database: the store records each review (who, when,
what) and calls :func:`apply_corrections` to rebuild the event analysts see from the
event as extracted; the merged listing applies a group's reviews the same way.

- :func:`checked_review` checks a request (field, action, value, user) and gives a
  correction's value the shape the event dict uses (:func:`normalise_value`: an ISO date
  string for ``date``, a number for ``fatalities``, a bare name for an actor or place
  are accepted as shorthands).
- A corrected actor takes what the actor dictionary knows of its name (its class and
  country), so the codes derived from it follow the correction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

from conflictlens.errors import ConflictLensError

DATA_DIR = Path(__file__).parent / "data"


class ReviewError(ConflictLensError, ValueError):
    """A review request that cannot be accepted as given (unknown field, bad value)."""


REVIEW_FIELDS: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    "type",
    "date",
    "location",
    "actor1",
    "actor2",
    "fatalities",
    "injured",
    "background",
    "summary",
    "event",
)
REVIEW_ACTIONS: tuple[str, ...] = ("confirm", "correct", "reject")
DATE_PRECISIONS = ("day", "week", "month", "year", "range")
LOCATION_KEYS = (
    "name",
    "admin1",
    "country",
    "country_code",
    "lat",
    "lon",
    "precision",
    "geonames_id",
)
ACTOR_KEYS = ("name", "mention", "aliases", "category", "country")
MAX_NAME = 100


def iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def checked_review(
    field: str, action: str, value: Any, user: str | None, note: str | None
) -> tuple[str, Any]:
    """A review request's (user, value) once checked; ReviewError for a bad one."""
    if field not in REVIEW_FIELDS:
        raise ReviewError(f"field must be one of {', '.join(REVIEW_FIELDS)}; got {field!r}")
    if action not in REVIEW_ACTIONS:
        raise ReviewError(f"action must be one of {', '.join(REVIEW_ACTIONS)}; got {action!r}")
    user = check_name(user, "user")
    if note is not None and not isinstance(note, str):
        raise ReviewError("note must be a string")
    return user, normalise_value(field, value) if action == "correct" else None


def check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ReviewError(f"{what} must be a non-empty string")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise ReviewError(f"{what} is longer than {MAX_NAME} characters")
    return name


def without_review(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "review"}


def apply_corrections(
    extracted: dict[str, Any], history: list[dict[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """The event as analysts see it, and whether it is rejected as a whole.

    The latest correction of each field wins; the winners are applied oldest first, so
    that of ``type`` and ``event_type`` corrected one after the other, the later holds.
    """
    event = json.loads(json.dumps(without_review(extracted)))  # deep copy, JSON types
    latest: dict[str, dict[str, Any]] = {}
    for item in sorted(history, key=lambda c: c["id"]):
        latest[item["field"]] = item
    review: dict[str, dict[str, Any]] = {}
    rejected = False
    for item in sorted(latest.values(), key=lambda c: c["id"]):
        field, action = item["field"], item["action"]
        review[field] = {
            "action": action,
            "user": item["user"],
            "at": item["at"],
            "value": item["value"],
            "note": item["note"],
        }
        if field == "event":
            rejected = action == "reject"
        else:
            set_field(event, field, None if action == "reject" else item["value"])
    event["review"] = review
    return event, rejected


@functools.cache
def _event_types() -> tuple[str, ...]:
    """The ACLED event types (the trigger lexicon's families), longest first: some hold a
    "/" themselves, so a "Type/Sub-event type" string is split after a known type."""
    families = json.loads((DATA_DIR / "triggers.json").read_text(encoding="utf-8"))["families"]
    return tuple(sorted(families, key=len, reverse=True))


def _split_type(value: str) -> tuple[str, str]:
    for event_type in _event_types():
        if value.lower().startswith(event_type.lower() + "/"):
            sub = value[len(event_type) + 1 :].strip()
            if sub:
                return event_type, sub
    head, sep, tail = value.partition("/")
    if not sep or not head.strip() or not tail.strip():
        raise ReviewError(f"type must read 'Event type/Sub-event type', got {value!r}")
    return head.strip(), tail.strip()


def field_value(event: dict[str, Any], field: str) -> Any:
    if field == "type":
        if event.get("event_type") and event.get("sub_event_type"):
            return f"{event['event_type']}/{event['sub_event_type']}"
        return None
    return event.get(field)


def set_field(event: dict[str, Any], field: str, value: Any) -> None:
    if field == "type":
        if value is None:
            event["event_type"] = event["sub_event_type"] = None
        else:
            event["event_type"], event["sub_event_type"] = _split_type(value)
    else:
        event[field] = value
    if event.get("event_type") and event.get("sub_event_type"):
        event["type"] = f"{event['event_type']}/{event['sub_event_type']}"
    else:
        event["type"] = None


#: No event has more dead than this (the largest single events ACLED or UCDP code are
#: in the tens of thousands); larger values are typing errors, and past 2**63 they would
#: not fit the database's integer column.
MAX_COUNT = 10_000_000


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        shown = repr(value) if len(repr(value)) < 40 else f"{repr(value)[:30]}..."
        raise ReviewError(f"{what} must be a whole number from 0 to {MAX_COUNT:,}, got {shown}")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReviewError(f"{what} must be a non-empty string")
    return value.strip()


def normalise_value(field: str, value: Any) -> Any:
    """Check a correction's value and give it the shape the event dict uses."""
    if field == "event":
        raise ReviewError("a whole event cannot be corrected: correct its fields, or reject it")
    if value is None:
        raise ReviewError(f"correcting {field} needs a value (to clear it, reject the field)")
    if field in ("event_type", "sub_event_type"):
        return _text(value, field)
    if field == "summary":
        if not isinstance(value, str):
            raise ReviewError("summary must be a string")
        return value.strip()
    if field == "type":
        if isinstance(value, dict):
            value = f"{_text(value.get('event_type'), 'event_type')}/" + _text(
                value.get("sub_event_type"), "sub_event_type"
            )
        event_type, sub = _split_type(_text(value, "type"))
        return f"{event_type}/{sub}"
    if field == "date":
        return _normalise_date(value)
    if field == "location":
        return _normalise_record(value, LOCATION_KEYS, "location")
    if field in ("actor1", "actor2"):
        if isinstance(value, dict):  # "new" is ours to set (_dictionary_actor)
            value = {k: v for k, v in value.items() if k != "new"}
        actor = _normalise_record(value, ACTOR_KEYS, field)
        if actor["mention"] is None:
            actor["mention"] = actor["name"]
        if actor["aliases"] is None:
            actor["aliases"] = []
        if not isinstance(actor["aliases"], list) or not all(
            isinstance(a, str) for a in actor["aliases"]
        ):
            raise ReviewError(f"{field}.aliases must be a list of strings")
        return _dictionary_actor(actor)
    if field == "fatalities":
        return _normalise_fatalities(value)
    if field == "injured":
        return _int(value, "injured")
    if field == "background":
        if not isinstance(value, bool):
            raise ReviewError(f"background must be true or false, got {value!r}")
        return value
    raise ReviewError(f"unknown field {field!r}")  # pragma: no cover - REVIEW_FIELDS checked


def _dictionary_actor(actor: dict[str, Any]) -> dict[str, Any]:
    """A corrected actor takes what the actor dictionary knows of its name (its class and
    country), so that the codes derived from them (inter1/2, interaction, civilian
    targeting) follow the correction: "Civilians (Ukraine)" is inter 7, not the residual
    8. A name the dictionary does not hold is kept as given and marked ``new``."""
    from conflictlens.actors import ActorDictionary

    dictionary = ActorDictionary.default()
    entry = dictionary.get(actor["name"])
    if entry is None:
        return actor | {"new": True}
    return actor | {
        "name": entry.name,
        "category": actor["category"] or entry.category,
        "country": actor["country"] or entry.country,
        "aliases": actor["aliases"] or list(entry.aliases),
    }


def _normalise_date(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"start": value}
    if not isinstance(value, dict) or set(value) - {"start", "end", "precision"}:
        raise ReviewError("date must be an ISO date or {start, end, precision}")
    start = iso_date(value.get("start"))
    end = iso_date(value.get("end") or value.get("start"))
    if start is None or end is None:
        raise ReviewError(f"date start/end must be ISO dates (YYYY-MM-DD), got {value!r}")
    if end < start:
        raise ReviewError("date end is before its start")
    precision = value.get("precision") or ("day" if start == end else "range")
    if precision not in DATE_PRECISIONS:
        raise ReviewError(f"date precision must be one of {', '.join(DATE_PRECISIONS)}")
    return {"start": start.isoformat(), "end": end.isoformat(), "precision": precision}


def _normalise_record(value: Any, keys: tuple[str, ...], what: str) -> dict[str, Any]:
    """A location or actor: a dict with the model's keys (missing ones null), or a bare
    name as shorthand for a record that holds only that name."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ReviewError(f"{what} must be a name or an object")
    unknown = set(value) - set(keys)
    if unknown:
        raise ReviewError(f"{what}: unknown keys {', '.join(sorted(unknown))}")
    record = {key: value.get(key) for key in keys}
    record["name"] = _text(record["name"], f"{what}.name")
    for key in ("lat", "lon"):
        if key in record and record[key] is not None:
            if isinstance(record[key], bool) or not isinstance(record[key], int | float):
                raise ReviewError(f"{what}.{key} must be a number")
            record[key] = float(record[key])
    if record.get("lat") is not None and not -90 <= record["lat"] <= 90:
        raise ReviewError(f"{what}.lat must be within -90..90")
    if record.get("lon") is not None and not -180 <= record["lon"] <= 180:
        raise ReviewError(f"{what}.lon must be within -180..180")
    if record.get("geonames_id") is not None:
        record["geonames_id"] = _int(record["geonames_id"], f"{what}.geonames_id")
    for key, item in record.items():
        numeric = key in ("lat", "lon", "geonames_id", "aliases")
        if not numeric and item is not None and not isinstance(item, str):
            raise ReviewError(f"{what}.{key} must be a string")
    return record


def _normalise_fatalities(value: Any) -> dict[str, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = {"best": value}
    if not isinstance(value, dict) or set(value) - {"best", "low", "high"}:
        raise ReviewError("fatalities must be a number or {best, low, high}")
    best = _int(value.get("best"), "fatalities.best")
    low = _int(value.get("low", best), "fatalities.low")
    high = _int(value.get("high", best), "fatalities.high")
    if not low <= best <= high:
        raise ReviewError("fatalities must satisfy low <= best <= high")
    return {"best": best, "low": low, "high": high}
