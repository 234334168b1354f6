"""ACLED's text fields: ``source`` (outlets and the wire agencies they credit), ``notes``
(one sentence: "On 9 July 2025, <what happened>.") and ``tags`` ("crowd size=...")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from conflictlens.export import reference as ref
from conflictlens.export.codes import event_date, interval

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


# --- sources ------------------------------------------------------------------------


def sources(event: Mapping[str, Any]) -> list[str]:
    """The outlets of an event's reports, then the wire agencies they credit (in a
    publisher string, a dateline "(Reuters) -" of the summary or evidence, or an
    ``agency`` key of a source), in ACLED's spelling for agencies, without repeats."""
    names: list[str] = []
    texts = [str(event.get("summary") or "")]
    texts += [str(e.get("text") or "") for e in event.get("evidence") or []]
    agencies: list[str] = []
    for src in [event.get("source") or {}, *(event.get("sources") or [])]:
        publisher = str((src or {}).get("publisher") or "").strip()
        if publisher:
            names.append(ref.agency_name(publisher) or publisher)
            agencies += ref.agencies_in(publisher)
        if (src or {}).get("agency"):
            agencies.append(ref.agency_name(str(src["agency"])) or str(src["agency"]))
        texts += [str(e.get("text") or "") for e in (src or {}).get("evidence") or []]
    for text in texts:
        agencies += ref.dateline_agencies(text)
    seen: dict[str, str] = {}
    for name in [*names, *agencies]:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


# --- notes and tags -----------------------------------------------------------------

_DATE_CUE = re.compile(
    r"\b(?:\d{4}|yesterday|today|tonight|overnight|morning|afternoon|evening|night|week|"
    r"weekend|month|year|since|ago|" + "|".join(m.lower() for m in _MONTHS) + r"|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
#: Summaries that do not state the event: a question ("Why did the Taliban ...?") or a
#: subordinate clause first ("When the Taliban regained power, the army ...").
_NOT_A_STATEMENT = re.compile(
    r"^(?:why|how|what|who|whom|when|where|which|did|do|does|is|are|was|were)\b", re.I
)
#: A wire dateline opening a text: "KARACHI, Pakistan (AP) — ", "OUAGADOUGOU, Sept 6 (Reuters) - ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\- ]{2,40}(?:,\s*[A-Z][\w.'\- ]{1,30})?(?:,\s*[^()]{1,30}?)?"
    r"\s*\([\w&.' ]{2,30}\)\s*[-\u2013\u2014]+\s*"
)
_FILLER = re.compile(
    r"^(?:it (?:should|must) be (?:noted|remembered|recalled) that|note that|"
    r"remember that|reportedly,)\s+",
    re.IGNORECASE,
)
_LOWER_FIRST = frozenset(
    ["a", "an", "the", "this", "these", "those", "that", "there", "it", "its", "their"]
    + ["some", "several", "many", "two", "three", "four", "five", "when", "while"]
    + ["after", "before", "during", "following", "unknown", "suspected", "armed"]
)
_VERBS = {
    "Battles": "clashed with",
    "Explosions/Remote violence": "attacked",
    "Violence against civilians": "attacked",
    "Abduction/forced disappearance": "abducted",
    "Sexual violence": "committed sexual violence against",
    "Protests": "demonstrated",
    "Riots": "rioted",
}
_CROWD = re.compile(
    r"\b((?:about|around|some|over|more than|at least|nearly|almost|up to|several|a few|"
    r"tens of|hundreds of)\s+)?(\d[\d,.]*|dozens|hundreds|thousands|scores)\s+(?:of\s+)?"
    r"(?:people|protesters|demonstrators|residents|students|supporters|women|men|workers|"
    r"rioters|youths|farmers|traders|teachers|marchers)\b",
    re.IGNORECASE,
)


def _day(d: dt.date, year: bool = True) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")


def _when(date_span: Mapping[str, Any] | None) -> str:
    """ACLED's opening of the notes: "On 9 July 2025", "Around 15 March 2022 (month of)",
    "Around 13 February 2022 (between 12 - 15 February)"; '' with no date."""
    span, day = interval(date_span), event_date(date_span)
    if span is None or day is None:
        return ""
    start, end = span
    if start == end:
        return f"On {_day(start)}"
    if date_span and date_span.get("precision") == "month":
        return f"Around {_day(day)} (month of)"
    if start.year != end.year:
        between = f"{_day(start)} - {_day(end)}"
    elif start.month == end.month:
        between = f"{start.day} - {_day(end, year=False)}"
    else:
        between = f"{_day(start, year=False)} - {_day(end, year=False)}"
    return f"Around {_day(day)} (between {between})"


def _keeps_capital(word: str, event: Mapping[str, Any]) -> bool:
    """Whether the first word of a summary is a name: an acronym, a word of how the text
    names an actor or of the place, or a demonym ("Russian forces")."""
    word = word.strip("\"'“‘(")
    if not word[:1].isupper() or word.isupper() or any(c.isupper() for c in word[1:]):
        return True
    loc = event.get("location") or {}
    names = [(event.get(role) or {}).get("mention") for role in ("actor1", "actor2")]
    names += [loc.get("name"), loc.get("admin1"), loc.get("country")]
    if any(word in str(name or "").split() for name in names):
        return True
    from conflictlens.gazetteer import Gazetteer

    return Gazetteer.default().demonym(word) is not None


def _clause(summary: str, event: Mapping[str, Any]) -> str:
    """The summary as the body of a sentence after "On <date>, ": a wire dateline and its
    own leading date clause ("On Friday, ...") dropped, a lower-case start unless the
    first word is a name, no closing stop."""
    text = _DATELINE.sub("", " ".join(summary.split()))
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    head, sep, rest = text.partition(", ")
    if sep and len(head.split()) <= 6 and _DATE_CUE.search(head) and rest:
        text = rest
    text = _FILLER.sub("", text)
    text = text.rstrip(" .;:,")
    first = text.split(" ", 1)[0]
    if first and (first.lower() in _LOWER_FIRST or not _keeps_capital(first, event)):
        text = text[0].lower() + text[1:]
    return text


def _coded_clause(event: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """What the coding says happened, for an event whose summary cannot serve: "Tehrik-i-
    Taliban Pakistan clashed with Police Forces of Pakistan in Karachi (Sindh)"."""
    event_type, sub = row["event_type"], row["sub_event_type"]
    a1 = row["actor1"] or "Unidentified actors"
    a2 = row["actor2"]
    place = ""
    if row["location"]:
        admins = [a for a in (row["admin3"], row["admin2"], row["admin1"]) if a]
        admins = [a for a in dict.fromkeys(admins) if a != row["location"]][:2]
        place = f" in {row['location']}" + (f" ({', '.join(admins)})" if admins else "")
    verb = _VERBS.get(sub) or _VERBS.get(event_type)
    if event_type == "Strategic developments" or verb is None:
        who = f"{a1} and {a2} were" if a2 else f"{a1} was" if row["actor1"] else f"{a1} were"
        what = f" ({sub.lower()})" if sub else ""
        return f"{who} involved in a strategic development{what}{place}"
    if event_type in ("Protests", "Riots"):
        return f"{a1} {verb}{place}"
    if not a2:
        return f"{a1} carried out {sub.lower() or 'an attack'}{place}" if sub else f"{a1}{place}"
    return f"{a1} {verb} {a2}{place}"


def notes(event: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """One ACLED-style sentence: "On 9 July 2025, <what happened>." -- the summary, or
    what the coding says where the summary is missing or a question."""
    summary = " ".join(str(event.get("summary") or "").split())
    what = _clause(summary, event) if summary and not summary.endswith("?") else ""
    if len(what.split()) < 3 or _NOT_A_STATEMENT.match(what):
        what = _coded_clause(event, row)
    when = _when(event.get("date"))
    if when:
        return f"{when}, {what}."
    return f"{what[:1].upper()}{what[1:]}."


def tags(event: Mapping[str, Any], event_type: str) -> str:
    """ACLED's tags: for a demonstration, "crowd size=<as stated>" (the event's
    ``crowd_size``, else a size its summary or evidence states, "about 300") or
    "crowd size=no report"."""
    if event_type not in ("Protests", "Riots"):
        return ""
    size = event.get("crowd_size")
    if not size:
        texts = [
            str(event.get("summary") or ""),
            str((event.get("actor1") or {}).get("mention") or ""),
        ]
        texts += [str(a.get("text") or "") for a in event.get("perpetrators") or []]
        texts += [str(e.get("text") or "") for e in event.get("evidence") or []]
        for text in texts:
            match = _CROWD.search(text)
            if match:
                size = f"{match.group(1) or ''}{match.group(2)}".lower()
                break
    return f"crowd size={size or 'no report'}"
