"""review: what analysts do with the record -- the queue, who reviewed what, and their
corrections turned back into training data.

Plain functions over a :class:`~conflictlens.store.Store` (the store keeps corrections;
this module reads them), so the API and the CLI are thin shells over it:

- :func:`queue` -- the events nobody has reviewed, least sure first (the learned coder's
  probability for the sub-type it chose; rule-typed events, with no such number, first).
- :func:`reviewers` -- per analyst: actions, events reviewed, confirm/correct/reject
  counts, last action.
- :func:`training_rows` -- every reviewed event as a row in the shape of the ACLED rows
  the coder is trained on (``make train`` reads them with ``--reviewed FILE``): the
  sentences that report the event as ``notes``, the fields as the analysts left them,
  and the evidence spans that still support them. An event rejected as a whole is a
  negative: text the coder should read as no event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from conflictlens.store import Store, corrections_table

#: The fields a training row takes from the event, and the evidence that supports each.
RECORD_FIELDS = ("event_type", "date", "location", "actor1", "actor2", "fatalities")
#: Evidence this far (characters) from the event's trigger is in its window.
WINDOW_REACH = 300
#: Where a sentence ends: after . ! ? (and a closing quote), or at a line break.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u00bb)]*\s+|\n+")


def _sure(event: dict[str, Any]) -> float:
    confidence = event.get("confidence")
    return float(confidence) if isinstance(confidence, int | float) else 0.0


def queue(store: Store, limit: int = 50, **filters: Any) -> dict[str, Any]:
    """Unreviewed events matching ``filters`` (as :meth:`Store.events` takes them), least
    sure first, then oldest: ``{"total": n, "events": [...first limit]}``."""
    pending = [e for e in store.events(**filters) if not e.get("review")]
    pending.sort(key=lambda e: (_sure(e), (e.get("date") or {}).get("start") or "", e["id"]))
    return {"total": len(pending), "events": pending[:limit]}


def reviewers(store: Store) -> list[dict[str, Any]]:
    """Per analyst (token name), most active first: actions in all, distinct events (and
    groups) reviewed, how many confirms, corrections and rejections, and the last one."""
    cor = corrections_table
    counts = {
        action: sa.func.sum(sa.case((cor.c.action == action, 1), else_=0))
        for action in ("confirm", "correct", "reject")
    }
    query = (
        sa.select(
            cor.c.user,
            sa.func.count().label("actions"),
            sa.func.count(sa.distinct(cor.c.event_id)).label("events"),
            *(c.label(a) for a, c in counts.items()),
            sa.func.max(cor.c.created_at).label("last"),
        )
        .group_by(cor.c.user)
        .order_by(sa.func.count().desc(), cor.c.user)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "user": r.user,
            "actions": int(r.actions),
            "events": int(r.events),
            "confirm": int(r.confirm or 0),
            "correct": int(r.correct or 0),
            "reject": int(r.reject or 0),
            "last": _utc_iso(r.last),
        }
        for r in rows
    ]


def _utc_iso(value: Any) -> str | None:
    """A time as ISO 8601 in UTC (SQLite hands MAX() of a time column back as text)."""
    if value is None:
        return None
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat()


def _sentence_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    """The start of the sentence holding ``start`` and the end of the one holding ``end``."""
    left = 0
    for m in _SENTENCE_END.finditer(body, 0, start):
        left = m.end()
    m = _SENTENCE_END.search(body, end)
    right = m.start() + 1 if m and body[m.start()] in ".!?" else m.start() if m else len(body)
    return left, max(right, end)


def _window(body: str, event: dict[str, Any]) -> tuple[int, int]:
    """Where the event is reported: the sentences from its trigger to the record's
    evidence near it (a date in a dateline far above stays out)."""
    spans = [
        s
        for s in event.get("evidence") or []
        if isinstance(s.get("start"), int) and isinstance(s.get("end"), int)
    ]
    triggers = [s for s in spans if s["field"] == "event_type"] or [
        s for s in spans if s["field"] == "mention"
    ]
    if not triggers:
        summary = (event.get("summary") or "").strip()
        at = body.find(summary) if summary else -1
        return (at, at + len(summary)) if at >= 0 else (0, 0)
    t = triggers[0]
    near = [
        s
        for s in spans
        if s["field"] in RECORD_FIELDS
        and s["start"] >= t["start"] - WINDOW_REACH
        and s["end"] <= t["end"] + WINDOW_REACH
    ]
    start = min([t["start"], *(s["start"] for s in near)])
    end = max([t["end"], *(s["end"] for s in near)])
    return _sentence_bounds(body, start, end)


def _name(record: dict[str, Any] | None) -> str:
    return (record or {}).get("name") or ""


def training_row(event: dict[str, Any], article: dict[str, Any]) -> dict[str, Any] | None:
    """One reviewed event as an ACLED-shaped training row (None: no text to learn from)."""
    body = article.get("body") or ""
    start, end = _window(body, event)
    notes = body[start:end].strip()
    if not notes:
        return None
    start += len(body[start:end]) - len(body[start:end].lstrip())
    review = event.get("review") or {}
    corrected = {f for f, r in review.items() if (r or {}).get("action") in ("correct", "reject")}
    if "type" in corrected:
        corrected.add("event_type")
    evidence = [
        {
            "field": s["field"],
            "start": s["start"] - start,
            "end": s["end"] - start,
            "text": s.get("text") or body[s["start"] : s["end"]],
        }
        for s in event.get("evidence") or []
        if isinstance(s.get("start"), int)
        and start <= s["start"]
        and s["end"] <= start + len(notes)
        and s["field"] not in corrected  # the extractor's span no longer supports it
    ]
    location = event.get("location") or {}
    fatalities = event.get("fatalities") or {}
    rejected = (review.get("event") or {}).get("action") == "reject"
    return {
        "event_id_cnty": f"CL-{event['id']}",
        "notes": notes,
        "negative": rejected,
        "event_type": event.get("event_type") or "",
        "sub_event_type": event.get("sub_event_type") or "",
        "event_date": (event.get("date") or {}).get("start") or "",
        "actor1": _name(event.get("actor1")),
        "actor2": _name(event.get("actor2")),
        "assoc_actor_1": "; ".join(_name(a) for a in event.get("assoc_actor1") or []),
        "location": location.get("name") or "",
        "admin1": location.get("admin1") or "",
        "country": location.get("country") or "",
        "latitude": location.get("lat"),
        "longitude": location.get("lon"),
        "fatalities": fatalities.get("best") or 0,
        "language": article.get("language") or "en",
        "split": "train",
        "source": article.get("publisher") or article.get("source") or "",
        "review": {
            field: {"action": r.get("action"), "user": r.get("user"), "at": r.get("at")}
            for field, r in review.items()
        },
        "evidence": evidence,
    }


def training_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Every reviewed event of the store (confirmed, corrected or rejected) as a training
    row, in the store's order. Unreviewed events are left out: the coder's own output is
    no label."""
    articles: dict[str, dict[str, Any] | None] = {}
    for event in store.events(include_rejected=True):
        if not event.get("review"):
            continue
        article_id = (event.get("source") or {}).get("article_id") or event["id"].rsplit("-", 1)[0]
        if article_id not in articles:
            articles[article_id] = store.article(article_id)
        article = articles[article_id]
        if article is not None and (row := training_row(event, article)) is not None:
            yield row
