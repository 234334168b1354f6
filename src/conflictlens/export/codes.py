"""ACLED's codes: actor types and interactions, time and geo precision, the event date
of a period, disorder types and civilian targeting (ACLED's codebook, checked against
the real ACLED rows of the training data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

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
CIVILIANS = 7


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


def interval(date_span: Mapping[str, Any] | None) -> tuple[dt.date, dt.date] | None:
    """An event date's (start, end) as dates (end = start if missing or before); None."""
    if not date_span:
        return None
    try:
        start = dt.date.fromisoformat(str(date_span.get("start"))[:10])
        end = dt.date.fromisoformat(str(date_span.get("end") or date_span.get("start"))[:10])
    except ValueError:
        return None
    return (start, end) if end >= start else (start, start)


def time_precision(date_span: Mapping[str, Any] | None) -> int | None:
    """ACLED time precision: 1 a day, 2 a week or a range within a month, 3 longer (None:
    no date)."""
    span = interval(date_span)
    if span is None:
        return None
    precision = date_span.get("precision") if date_span else None
    days = (span[1] - span[0]).days
    if precision in ("month", "year") or days > 31:
        return 3
    if precision == "day" and days == 0:
        return 1
    return 2 if days > 0 or precision in ("week", "range") else 1


def event_date(date_span: Mapping[str, Any] | None) -> dt.date | None:
    """ACLED's ``event_date``: the day; for a period, its middle (a month: the 15th)."""
    span = interval(date_span)
    if span is None:
        return None
    start, end = span
    if start == end:
        return start
    if date_span and date_span.get("precision") == "month" and start.day == 1:
        return start.replace(day=15)
    return start + (end - start) // 2


def geo_precision(location: Mapping[str, Any] | None) -> int | None:
    """ACLED geo precision: 1 the place itself; 2 a part of a region (a district, a named
    area below its admin1); 3 a larger region or the country (its centroid)."""
    if not location:
        return None
    precision = location.get("precision") or "country"
    if precision == "city":
        return 1
    if precision == "region":
        name, admin1 = location.get("name"), location.get("admin1")
        return 2 if name and admin1 and name != admin1 else 3
    return 3


def civilian_targeting(event_type: str, sub_event_type: str, inter2: int) -> str:
    """``Civilian targeting`` as ACLED codes it: every violence against civilians event and
    excessive force against protesters, and explosions or mob violence whose target is
    civilians (Benin's rows); '' otherwise (not strategic developments on civilians)."""
    if event_type == "Violence against civilians" or sub_event_type == (
        "Excessive force against protesters"
    ):
        return "Civilian targeting"
    if inter2 == CIVILIANS and (
        event_type == "Explosions/Remote violence" or sub_event_type == "Mob violence"
    ):
        return "Civilian targeting"
    return ""


def disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type of an event type (with the codebook's sub-type exceptions)."""
    return _DISORDER_BY_SUB.get(sub_event_type) or _DISORDER_BY_TYPE.get(event_type, "")
