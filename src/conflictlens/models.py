"""The data classes that flow between pipeline stages.

Each stage takes one of these and returns the next: ingest -> Document,
structure -> Article, extract -> EventMention, resolve/merge -> Event.
They are plain dataclasses so that every stage can be read, tested and
serialised (``to_dict``) without the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

DatePrecision = Literal["day", "week", "month", "year", "range", "unknown"]
GeoPrecision = Literal["city", "region", "country"]


def to_dict(obj: Any) -> Any:
    """Recursively turn dataclasses (and dates) into JSON-ready values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


# --- ingest -----------------------------------------------------------------


@dataclass
class Document:
    """Raw input after decoding: what a user gave us, never altered."""

    content: str
    media_type: Literal["text", "html"]
    content_hash: str  # sha256 of the raw bytes: the idempotency key
    source: str  # file path, URL or "<jsonl>:line"
    url: str | None = None
    encoding: str = "utf-8"
    published: str | None = None  # ISO date given with the input, used if it states none
    title: str | None = None
    force_published: bool = False  # ``published`` over the date the document states


# --- structure --------------------------------------------------------------


@dataclass
class Caption:
    text: str
    credit: str | None = None


@dataclass
class Turn:
    """One question/answer exchange of an interview."""

    speaker: str | None  # who answers
    question: str
    answer: str
    asker: str | None = None  # who asks (often the outlet: "RFI")
    question_start: int = -1  # offsets into Article.body
    answer_start: int = -1
    answer_end: int = -1


@dataclass
class Article:
    """A news report with its parts told apart and its clean text in ``body``.

    Every offset elsewhere in the pipeline (evidence spans) points into ``body``.
    Nothing is thrown away: removed lines go to ``boilerplate``, sentences the scrape
    cut short are listed in ``truncated``.
    """

    headline: str | None = None
    kicker: str | None = None
    standfirst: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    published: str | None = None  # ISO date
    #: Where ``published`` comes from: "document", "given", "given (forced)"; None when
    #: the report has no date, and relative dates in it stay unresolved.
    published_from: str | None = None
    language: str | None = None
    reading_time_minutes: int | None = None
    captions: list[Caption] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    questions: int = 0
    turns: list[Turn] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    body: str = ""
    boilerplate: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    url: str | None = None


# --- extract / resolve / merge ----------------------------------------------


@dataclass
class Evidence:
    """Where in ``Article.body`` a field's value is stated."""

    field: str
    start: int
    end: int
    text: str


@dataclass
class DateSpan:
    start: str | None  # ISO date, inclusive; None when the precision is "unknown"
    end: str | None  # ISO date, inclusive
    precision: str  # DatePrecision: "unknown" when the report states no date and has
    # no publication date to read "on Friday" against


@dataclass
class Location:
    name: str
    admin1: str | None
    country: str | None
    country_code: str | None
    lat: float | None
    lon: float | None
    precision: str  # GeoPrecision
    geonames_id: int | None = None


@dataclass
class Actor:
    name: str  # normalised, e.g. "Tehrik-i-Taliban Pakistan"
    mention: str  # as found in the text
    aliases: list[str] = field(default_factory=list)
    category: str | None = None  # ACLED-style: state forces, rebel group, ...
    country: str | None = None


@dataclass
class Argument:
    """A participant or object named in the text: a victim, a target, a weapon."""

    text: str
    start: int  # offsets into Article.body
    end: int


@dataclass
class Fatalities:
    best: int
    low: int
    high: int


@dataclass
class Source:
    publisher: str | None = None
    url: str | None = None
    speaker: str | None = None
    article_id: str | None = None


@dataclass
class Event:
    id: str
    event_type: str  # ACLED type, e.g. "Battles"
    sub_event_type: str  # ACLED sub-event type, e.g. "Armed clash"
    date: DateSpan | None
    location: Location | None
    actor1: Actor | None
    actor2: Actor | None
    fatalities: Fatalities | None
    injured: int | None = None
    #: ACLED's associated actors: who acted with actor 1 / actor 2 without being it. The
    #: organisation behind a protest ("Black Lives Matter") is one: actor 1 is the crowd.
    assoc_actor1: list[Actor] = field(default_factory=list)
    assoc_actor2: list[Actor] = field(default_factory=list)
    background: bool = False
    summary: str = ""
    #: The learned coder's probability for the sub-type it chose (None: typed by the
    #: rules); the review queue shows the least sure events first.
    confidence: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    source: Source = field(default_factory=Source)
    sources: list[Source] = field(default_factory=list)  # after cross-article merge
    # MUC-4 style roles, kept structured (ACLED keeps them in notes):
    perpetrators: list[Argument] = field(default_factory=list)  # individuals: "gunmen"
    victims: list[Argument] = field(default_factory=list)  # people harmed or targeted
    targets: list[Argument] = field(default_factory=list)  # physical targets: "a checkpoint"
    weapons: list[Argument] = field(default_factory=list)

    @property
    def type_string(self) -> str:
        """The gold files' "Type/Sub-event type" form."""
        return f"{self.event_type}/{self.sub_event_type}"

    def to_dict(self) -> dict[str, Any]:
        """The event as ``extract --format json`` writes it (JSON-ready values)."""
        return to_dict(self) | {"type": self.type_string}


@dataclass
class ExtractionResult:
    article: Article
    events: list[Event]
    #: What the user should know about this result ("no publication date: ...").
    warnings: list[str] = field(default_factory=list)
    #: Where the document came from: a path, a URL, "<text>", "<item 3>".
    source: str | None = None
    #: Why the document gave no result (batch APIs only: one bad document fails alone,
    #: with ``events`` empty); None for a document that was read.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``extract --format json``: article, events, warnings (and
        ``error`` for a document that failed)."""
        out: dict[str, Any] = {
            "article": to_dict(self.article),
            "events": [e.to_dict() for e in self.events],
            "warnings": list(self.warnings),
        }
        if self.error is not None:
            out["error"] = self.error
        return out
