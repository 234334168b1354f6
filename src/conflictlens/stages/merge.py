"""merge: mentions of one event in one article -> one cluster per real-world event.

Reports mention the same event many times ("Friday's attack", "the siege", "this
attack"), often without repeating its date or place. We read the mentions in text
order keeping an event *in focus*, the way a human coder does:

- an anaphoric mention ("this attack", "at the time ...") joins the latest event of its
  family (violence, demonstration, development);
- an undated mention joins the event in focus when family and place agree;
- a dated mention joins an event of its family whose dates overlap and whose place and
  actors agree; otherwise it starts a new event;
- a mention of another family in the same sentence as an event it depends on ("the
  attack provoked demonstrations") starts a new event *linked* to it, which later
  lends it a place and an earliest date.
Weak triggers ("targeted", "wounded") and bare casualty statements only ever join.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from conflictlens.actors import ActorDictionary
from conflictlens.stages.extract import EventMention, PlaceArg, lexicon


@dataclass
class Cluster:
    """The mentions that make up one event, before its fields are resolved."""

    mentions: list[EventMention] = field(default_factory=list)
    family: str = "violence"
    linked: Cluster | None = None

    @property
    def first(self) -> EventMention:
        return self.mentions[0]

    def dated(self) -> list[EventMention]:
        return [m for m in self.mentions if m.date is not None]

    def interval(self) -> tuple[str, str] | None:
        """The narrowest date any mention gives."""
        spans = [m.date.span for m in self.dated()]  # type: ignore[union-attr]
        if not spans:
            return None
        narrowest = min(spans, key=lambda s: _days(s.start, s.end))
        return narrowest.start, narrowest.end

    def places(self) -> list[PlaceArg]:
        return [m.place for m in self.mentions if m.place is not None]

    def country(self) -> str | None:
        for p in self.places():
            return p.place.country_code
        for m in self.mentions:
            if m.country_hint:
                return m.country_hint
        return None


def _days(start: str, end: str) -> int:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def family_of(m: EventMention) -> str:
    families = lexicon()["families"]
    if m.event_type:
        return families[m.event_type]
    return {"protest": "demonstration", "riot": "demonstration", "mob": "demonstration"}.get(
        m.kind, "violence"
    )


def _overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _place_compatible(cluster: Cluster, m: EventMention) -> bool:
    if m.place is None:
        return True
    places = cluster.places()
    if not places:
        return True
    for p in places:
        a, b = p.place, m.place.place
        if a.country_code != b.country_code:
            continue
        if a.kind == "country" or b.kind == "country":
            return True
        if a.name == b.name or a.admin1 == b.admin1 and (a.kind == "region" or b.kind == "region"):
            return True
    return False


def _actors_compatible(cluster: Cluster, m: EventMention, actors: ActorDictionary) -> bool:
    """Only named actors that resolve to different groups keep two mentions apart."""
    country = cluster.country() or m.country_hint
    for role in ("actor1", "actor2"):
        mine = getattr(m, role)
        if mine is None or mine.match is None or mine.match.entry.generic:
            continue
        mine_name = actors.resolve(mine.match, country)
        for other in cluster.mentions:
            theirs = getattr(other, role)
            if theirs is None or theirs.match is None or theirs.match.entry.generic:
                continue
            their_name = actors.resolve(theirs.match, country)
            if mine_name and their_name and mine_name.name != their_name.name:
                return False
    return True


def _violence_in_protest(focus: Cluster | None, family: str) -> bool:
    return focus is not None and focus.family == "demonstration" and family == "violence"


def _anaphors_first(mentions: list[EventMention]) -> list[EventMention]:
    """Within a sentence, settle what "the clashes" refers to before the other mentions,
    so that they can join the event it picks out."""

    def key(item: tuple[int, EventMention]) -> tuple[int, int, int]:
        i, m = item
        anaphor = m.anaphoric or (m.temporal_anaphora and m.date is None)
        return (m.sentence_index, 0 if anaphor else 1, i)

    return [m for _, m in sorted(enumerate(mentions), key=key)]


def merge_mentions(mentions: list[EventMention]) -> list[Cluster]:
    """Group one article's mentions into event clusters (text order of first mention)."""
    actors = ActorDictionary.default()
    clusters: list[Cluster] = []
    recent: list[Cluster] = []  # most recently touched last
    touched_in_sentence: dict[int, list[Cluster]] = {}

    def latest(family: str) -> Cluster | None:
        for c in reversed(recent):
            if c.family == family:
                return c
        return None

    for m in _anaphors_first(mentions):
        family = family_of(m)
        focus = recent[-1] if recent else None
        target: Cluster | None = None
        if m.toll_only:
            target = focus if focus is not None and focus.family == "violence" else None
            if target is None:
                continue
        elif (m.anaphoric or (m.temporal_anaphora and m.date is None)) and (
            latest(family) is not None or _violence_in_protest(focus, family)
        ):
            # "this attack": the latest event of its family. "The clashes" after a
            # protest, with no earlier violence: the protest's. An anaphor with no
            # antecedent at all ("since the 2021 coup") is read as a mention of its own.
            target = latest(family) or focus
        elif m.date is None:
            if focus is not None and focus.family == family and _place_compatible(focus, m):
                target = focus
            elif (
                _violence_in_protest(focus, family)
                and m.place is None
                and focus in touched_in_sentence.get(m.sentence_index, [])
            ):
                target = focus  # "protesters were shot dead in the clashes": the protest's toll
            elif m.weak:
                target = (
                    latest(family)
                    if latest(family) and _place_compatible(latest(family), m)
                    else None
                )
        else:
            span = (m.date.span.start, m.date.span.end)
            for c in reversed(recent):
                if c.family != family:
                    continue
                interval = c.interval()
                if interval is not None and not _overlap(interval, span):
                    continue
                same_sentence = any(x.sentence_index == m.sentence_index for x in c.mentions)
                if interval is None and not (
                    same_sentence or c is focus or (c.places() and m.place is not None)
                ):
                    continue  # an undated event far back joins a dated mention only by place
                if _place_compatible(c, m) and _actors_compatible(c, m, actors):
                    target = c
                    break
        if target is None:
            if m.weak:
                continue
            target = Cluster(family=family)
            for other in touched_in_sentence.get(m.sentence_index, []):
                if other.family != family:
                    target.linked = other
                    break
            clusters.append(target)
        target.mentions.append(m)
        if target in recent:
            recent.remove(target)
        recent.append(target)
        touched_in_sentence.setdefault(m.sentence_index, []).append(target)
    return clusters
