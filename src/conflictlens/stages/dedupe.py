"""dedupe: the same real-world event reported by several articles -> one event, many sources.

``merge.py`` already folds the mentions of one event *inside* one article. Across
articles the evidence is thinner: no shared text, different outlets, different wordings
of the place ("Karachi" vs. a neighbourhood of it), different tolls ("at least 4" vs.
"five"). Two reports describe the same event when, and only when,

- their types belong to one family (Battles, Explosions/Remote violence and Violence
  against civilians are all "violence": outlets disagree on "clash" vs. "bombing" for the
  same attack; Protests and Riots are "demonstration"; Strategic developments apart);
- their date intervals overlap, allowing ``date_slack_days`` (a night attack is "Friday"
  in one report and "Saturday" in another);
- their places agree: two cities within ``max_km`` (a suburb and its city), a region that
  contains the city, or - only when the actors agree strongly - the same country;
- their actors are compatible: named groups that resolve to different dictionary entries
  keep events apart, while generic or unidentified actors ("police", "gunmen") are
  compatible with anything.

Vague records are dangerous: "an attack in Pakistan in February" overlaps every city
event in the country that month. So a country-level place (or regions on both sides), or a
date coarser than a week, only merges when both events name the same (non-generic) actor,
and a record vague in both place and date never merges.

Grouping is complete-link: an event joins a group only if it is the same event as *every*
member, so A~B and B~C never chain A with a distant C. Events from one article never
merge with each other (the in-article merge already decided they differ).

Everything here works on the plain event dicts of ``ExtractionResult.to_dict()`` (and of
the store), so it can run over stored events without re-running the pipeline.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from conflictlens.actors import ActorDictionary
from conflictlens.gazetteer import distance_km
from conflictlens.stages.extract import lexicon

Event = dict[str, Any]

_GEO_RANK = {"city": 0, "region": 1, "country": 2}
_DATE_RANK = {"day": 0, "week": 1, "range": 2, "month": 3, "year": 4}


@dataclass(frozen=True)
class MergeConfig:
    """The thresholds of :func:`same_event`.

    ``max_km``: how far apart two city-precision places may be (a city and its suburbs,
    a district named in one report and the city in another). ``date_slack_days``: how far
    apart two date intervals may be (time zones, night attacks, "yesterday" read against
    the wrong reference date). ``vague_date_days``: an interval longer than this is too
    vague to merge on place alone. ``use_actor_dictionary``: resolve actor names against
    the actor dictionary to tell named groups from generic role nouns (off: every actor
    whose category is not "Civilians"/"Protesters"/"Rioters" and whose name does not say
    "Unidentified" counts as named).
    """

    max_km: float = 50.0
    date_slack_days: int = 1
    vague_date_days: int = 7
    use_actor_dictionary: bool = True


DEFAULT_CONFIG = MergeConfig()


# --- the pairwise decision -----------------------------------------------------------


def _families() -> dict[str, str]:
    """Type -> family, from the trigger lexicon (the in-article merge uses the same table)."""
    return lexicon()["families"]


def family(event: Event) -> str:
    """The type family of an event ("violence", "demonstration", "development")."""
    etype = event.get("event_type") or str(event.get("type") or "").split("/")[0]
    return _families().get(etype, "violence")


def _interval(event: Event) -> tuple[dt.date, dt.date] | None:
    date = event.get("date")
    if not date or not date.get("start"):
        return None
    try:
        start = dt.date.fromisoformat(date["start"])
        end = dt.date.fromisoformat(date.get("end") or date["start"])
    except (TypeError, ValueError):
        return None
    return (start, end) if start <= end else (end, start)


def _date_vague(event: Event, config: MergeConfig) -> bool:
    span = _interval(event)
    return span is None or (span[1] - span[0]).days > config.vague_date_days


def _dates_agree(a: Event, b: Event, config: MergeConfig) -> bool:
    sa, sb = _interval(a), _interval(b)
    if sa is None or sb is None:
        return True  # undated: left to the vagueness rule
    slack = dt.timedelta(days=config.date_slack_days)
    return sa[0] - slack <= sb[1] and sb[0] - slack <= sa[1]


def _geo_rank(event: Event) -> int:
    loc = event.get("location")
    if not loc:
        return 3
    return _GEO_RANK.get(loc.get("precision") or "country", 2)


def _norm(text: Any) -> str:
    return " ".join(str(text or "").casefold().split())


def _places_agree(a: Event, b: Event, config: MergeConfig) -> bool:
    """Whether the two places can be the scene of one event (vagueness is judged apart)."""
    la, lb = a.get("location"), b.get("location")
    if not la or not lb:
        return True  # no place: only the vagueness rule can allow it
    ca, cb = la.get("country_code"), lb.get("country_code")
    if ca and cb and ca != cb:
        return False
    ra, rb = _geo_rank(a), _geo_rank(b)
    if ra == 2 or rb == 2:
        return bool(ca and cb)  # same country, checked above
    if ra == 0 and rb == 0:
        if None not in (la.get("lat"), la.get("lon"), lb.get("lat"), lb.get("lon")):
            km = distance_km((la["lat"], la["lon"]), (lb["lat"], lb["lon"]))
            return km <= config.max_km
        return _norm(la.get("name")) == _norm(lb.get("name"))
    # a region on at least one side: the same first-level division
    aa = _norm(la.get("admin1") or (la.get("name") if ra == 1 else ""))
    ab = _norm(lb.get("admin1") or (lb.get("name") if rb == 1 else ""))
    return bool(aa) and aa == ab


@lru_cache(maxsize=4096)
def _is_generic_name(name: str, category: str | None, use_dictionary: bool) -> bool:
    """Role nouns ("Police Forces of Pakistan") and unidentified actors, not named groups."""
    if "unidentified" in name.casefold():
        return True
    if use_dictionary:
        entry = ActorDictionary.default().get(name)
        if entry is not None:
            return entry.generic
    return (category or "") in ("Civilians", "Protesters", "Rioters")


def named_actors(event: Event, config: MergeConfig = DEFAULT_CONFIG) -> set[str]:
    """The normalised names of the event's named (non-generic) actors, either role.

    Roles are pooled because outlets and the extractor swap them ("police clashed with
    militants" vs. "militants attacked police").
    """
    out: set[str] = set()
    for role in ("actor1", "actor2"):
        actor = event.get(role)
        if not actor or not actor.get("name"):
            continue
        if not _is_generic_name(actor["name"], actor.get("category"), config.use_actor_dictionary):
            out.add(_norm(actor["name"]))
    return out


def _actors(a: Event, b: Event, config: MergeConfig) -> tuple[bool, bool]:
    """(compatible, strongly agreeing): different named groups conflict; a shared one agrees."""
    na, nb = named_actors(a, config), named_actors(b, config)
    if not na or not nb:
        return True, False
    shared = bool(na & nb)
    return shared, shared


def article_key(event: Event) -> str | None:
    """Which report an event comes from (article id, else URL); None when unknown."""
    source = event.get("source") or {}
    return source.get("article_id") or source.get("url") or None


def _articles(event: Event) -> set[str]:
    """Every article an event (possibly already merged) stands for."""
    keys = {article_key(event)}
    for s in event.get("sources") or []:
        keys.add(s.get("article_id") or s.get("url") or None)
    keys.discard(None)
    return keys  # type: ignore[return-value]


def _score(a: Event, b: Event, config: MergeConfig) -> float | None:
    """How alike two reports are, or None when they cannot be one event."""
    if family(a) != family(b):
        return None
    if not _dates_agree(a, b, config) or not _places_agree(a, b, config):
        return None
    compatible, strong = _actors(a, b, config)
    if not compatible:
        return None
    # a country (or no place) on either side, or a region on both: the place proves little
    vague_place = max(_geo_rank(a), _geo_rank(b)) >= 2 or min(_geo_rank(a), _geo_rank(b)) >= 1
    vague_date = _date_vague(a, config) or _date_vague(b, config)
    if vague_place and vague_date:
        return None
    if (vague_place or vague_date) and not strong:
        return None
    score = 1.0 + (1.0 if strong else 0.0)
    if a.get("event_type") == b.get("event_type"):
        score += 0.5
        if a.get("sub_event_type") == b.get("sub_event_type"):
            score += 0.25
    la, lb = a.get("location") or {}, b.get("location") or {}
    if la and lb and _norm(la.get("name")) == _norm(lb.get("name")):
        score += 0.5
    sa, sb = _interval(a), _interval(b)
    if sa and sb and sa == sb:
        score += 0.5
    return score


def same_event(a: Event, b: Event, config: MergeConfig = DEFAULT_CONFIG) -> bool:
    """Whether two event records (from different reports) describe one real-world event.

    Does not look at the articles they come from: :func:`group_events` adds the rule that
    two events of one article stay apart.
    """
    return _score(a, b, config) is not None


# --- grouping ------------------------------------------------------------------------


def _block(event: Event) -> tuple[str, str]:
    """Events can only match inside one (family, country) block: keeps grouping cheap."""
    loc = event.get("location") or {}
    return family(event), loc.get("country_code") or ""


def group_events(events: list[Event], config: MergeConfig = DEFAULT_CONFIG) -> list[list[int]]:
    """Cluster events into real-world events; returns lists of indexes into ``events``.

    Agglomerative with complete linkage: repeatedly join the two clusters whose *least*
    alike cross pair is the most alike, as long as every cross pair is the same event and
    the clusters share no article. Clusters come out ordered by their first index, each
    sorted. Events without a country are compared with every event of their family.
    """
    blocks: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(events):
        blocks.setdefault(_block(e), []).append(i)
    countryless = {fam: idx for (fam, cc), idx in blocks.items() if cc == ""}
    groups: list[list[int]] = []
    assigned: set[int] = set()
    for (fam, cc), idx in sorted(blocks.items()):
        if cc == "":
            continue
        extra = [i for i in countryless.get(fam, []) if i not in assigned]
        for g in _complete_link(events, sorted(idx + extra), config):
            if len(g) == 1 and g[0] in extra:
                continue  # a countryless event may still join another country's block
            groups.append(g)
            assigned.update(g)
    for idx in countryless.values():
        rest = [i for i in idx if i not in assigned]
        for g in _complete_link(events, rest, config):
            groups.append(g)
            assigned.update(g)
    return sorted(groups, key=lambda g: g[0])


def _complete_link(events: list[Event], idx: list[int], config: MergeConfig) -> list[list[int]]:
    scores: dict[tuple[int, int], float] = {}
    for x, i in enumerate(idx):
        for j in idx[x + 1 :]:
            if _articles(events[i]) & _articles(events[j]):
                continue
            s = _score(events[i], events[j], config)
            if s is not None:
                scores[(i, j)] = s
    clusters: list[list[int]] = [[i] for i in idx]
    while True:
        best: tuple[float, int, int] | None = None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                link = _linkage(clusters[x], clusters[y], scores)
                if link is not None and (best is None or link > best[0]):
                    best = (link, x, y)
        if best is None:
            break
        _, x, y = best
        clusters[x] = sorted(clusters[x] + clusters[y])
        del clusters[y]
    return clusters


def _linkage(a: list[int], b: list[int], scores: dict[tuple[int, int], float]) -> float | None:
    """The least alike cross pair's score, or None if any cross pair cannot merge."""
    worst: float | None = None
    for i in a:
        for j in b:
            s = scores.get((i, j) if i < j else (j, i))
            if s is None:
                return None
            worst = s if worst is None else min(worst, s)
    return worst


def best_group(
    event: Event,
    groups: dict[int, list[Event]],
    prefer: int | None = None,
    config: MergeConfig = DEFAULT_CONFIG,
) -> int | None:
    """The stored group a new event joins, incrementally (the store's persistent
    groups): one whose every member is the same event as it and from another article
    (complete link, as in :func:`group_events`), the group it was in before first (a
    re-extracted event keeps its group while the match holds), then the most alike by its
    least alike member. None: it starts a group of its own."""
    best: tuple[tuple[bool, float], int] | None = None
    mine = _articles(event)
    for gid, members in groups.items():
        worst: float | None = None
        for member in members:
            s = None if mine & _articles(member) else _score(event, member, config)
            if s is None:
                worst = None
                break
            worst = s if worst is None else min(worst, s)
        if worst is None:
            continue
        key = (gid == prefer, worst)
        if best is None or key > best[0]:
            best = (key, gid)
    return best[1] if best else None


def family_types(event_type: str) -> list[str]:
    """The event types of ``event_type``'s family (candidates for the same event)."""
    fam = _families().get(event_type, "violence")
    types = [t for t, f in _families().items() if f == fam]
    return types if event_type in types else [*types, event_type]


# --- merging a group -----------------------------------------------------------------


def _source_entries(event: Event) -> list[dict[str, Any]]:
    """The per-source records an event stands for (itself, or those of an earlier merge)."""
    if event.get("sources"):
        return [copy.deepcopy(s) for s in event["sources"]]
    source = dict(event.get("source") or {})
    for key in ("publisher", "url", "speaker", "article_id"):
        source.setdefault(key, None)
    return [
        source
        | {
            "event_id": event.get("id"),
            "fatalities": copy.deepcopy(event.get("fatalities")),
            "injured": event.get("injured"),
            "date": copy.deepcopy(event.get("date")),
            "location": (event.get("location") or {}).get("name"),
            "evidence": copy.deepcopy(event.get("evidence") or []),
        }
    ]


def _majority(values: Iterable[Any]) -> Any:
    """The most frequent value, ties going to the earliest."""
    vals = list(values)
    counts = Counter(repr(v) for v in vals)
    return max(vals, key=lambda v: (counts[repr(v)], -vals.index(v)))


def _best_date(events: list[Event]) -> dict[str, Any] | None:
    """The narrowest interval, preferring one inside every other interval (the overlap)."""
    dated = [(e["date"], _interval(e)) for e in events if _interval(e) is not None]
    if not dated:
        return None
    inside = [
        (d, s)
        for d, s in dated
        if all(
            o[0] - dt.timedelta(days=1) <= s[0] and s[1] <= o[1] + dt.timedelta(days=1)
            for _, o in dated
        )
    ]
    pool = inside or dated
    width = min((s[1] - s[0]).days for _, s in pool)
    narrow = [d for d, s in pool if (s[1] - s[0]).days == width]
    narrow.sort(key=lambda d: _DATE_RANK.get(d.get("precision") or "", 9))
    return copy.deepcopy(_majority(narrow))


def _best_location(events: list[Event]) -> dict[str, Any] | None:
    located = [e["location"] for e in events if e.get("location")]
    if not located:
        return None
    rank = min(_GEO_RANK.get(loc.get("precision") or "country", 2) for loc in located)
    precise = [loc for loc in located if _GEO_RANK.get(loc.get("precision") or "", 2) == rank]
    names = _majority(_norm(loc.get("name")) for loc in precise)
    return copy.deepcopy(next(loc for loc in precise if _norm(loc.get("name")) == names))


def _best_actor(events: list[Event], role: str, config: MergeConfig) -> dict[str, Any] | None:
    """Named actors over generic ones over unidentified ones; the most reported wins."""
    found = [e[role] for e in events if e.get(role) and e[role].get("name")]
    if not found:
        return None

    def rank(actor: dict[str, Any]) -> int:
        if "unidentified" in actor["name"].casefold():
            return 2
        generic = _is_generic_name(
            actor["name"], actor.get("category"), config.use_actor_dictionary
        )
        return 1 if generic else 0

    top = min(rank(a) for a in found)
    pool = [a for a in found if rank(a) == top]
    name = _majority(_norm(a["name"]) for a in pool)
    return copy.deepcopy(next(a for a in pool if _norm(a["name"]) == name))


def _fatalities(events: list[Event]) -> dict[str, int] | None:
    """Conflicting tolls kept as a range: best = max of bests, low = min, high = max."""
    tolls = [e["fatalities"] for e in events if e.get("fatalities")]
    if not tolls:
        return None
    return {
        "best": max(t["best"] for t in tolls),
        "low": min(t.get("low", t["best"]) for t in tolls),
        "high": max(t.get("high", t["best"]) for t in tolls),
    }


def merge_group(events: list[Event], config: MergeConfig = DEFAULT_CONFIG) -> Event:
    """One canonical event for a group of reports of it (the inputs are not modified).

    The first event (input order: the store passes them in ingest order, so the id stays
    stable as later reports join) gives ``id``, ``source``, ``summary`` and the top-level
    ``evidence``, whose offsets point into its own article. Each field takes the most
    precise value any report gives; ``sources`` lists every report with its own toll,
    date, place and evidence so conflicting figures stay attributable.
    """
    if not events:
        raise ValueError("merge_group needs at least one event")
    first = events[0]
    out = copy.deepcopy(first)
    etype = _majority((e.get("event_type"), e.get("sub_event_type")) for e in events)
    out["event_type"], out["sub_event_type"] = etype
    out["type"] = f"{etype[0]}/{etype[1]}"
    out["date"] = _best_date(events)
    out["location"] = _best_location(events)
    out["actor1"] = _best_actor(events, "actor1", config)
    out["actor2"] = _best_actor(events, "actor2", config)
    out["fatalities"] = _fatalities(events)
    injured = [e["injured"] for e in events if e.get("injured") is not None]
    out["injured"] = max(injured) if injured else None
    out["background"] = all(bool(e.get("background")) for e in events)
    _reviewed_fields(out, events)
    sources: list[dict[str, Any]] = []
    for e in events:
        sources.extend(_source_entries(e))
    out["sources"] = sources
    return out


#: The fields an analyst's review of one report decides for the merged event.
_REVIEWED = {
    "type": ("event_type", "sub_event_type", "type"),
    "event_type": ("event_type", "sub_event_type", "type"),
    "sub_event_type": ("event_type", "sub_event_type", "type"),
    "date": ("date",),
    "location": ("location",),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "fatalities": ("fatalities",),
    "injured": ("injured",),
}


def _reviewed_fields(out: Event, events: list[Event]) -> None:
    """An analyst's word on any report beats the reports' votes: a field reviewed on a
    member (the latest review wins) takes that member's value, so a correction made on a
    report's page shows in the merged listing and its exports."""
    latest: dict[str, tuple[str, Event]] = {}
    for e in events:
        for field, review in (e.get("review") or {}).items():
            if field in _REVIEWED and isinstance(review, dict):
                at = str(review.get("at") or "")
                if field not in latest or at > latest[field][0]:
                    latest[field] = (at, e)
    for field, (_, member) in sorted(latest.items(), key=lambda kv: kv[1][0]):
        for key in _REVIEWED[field]:
            out[key] = copy.deepcopy(member.get(key))


def merge_across(events: list[Event], config: MergeConfig = DEFAULT_CONFIG) -> list[Event]:
    """Group events from many articles and merge each group (singletons get one source).

    Output order follows the first report of each group.
    """
    return [merge_group([events[i] for i in g], config) for g in group_events(events, config)]


# --- measurement ---------------------------------------------------------------------


def pair_scores(
    predicted: list[list[int]], gold: list[list[int]], articles: list[str | None]
) -> dict[str, float]:
    """Pairwise merge precision/recall/F1 over pairs of events from different articles.

    ``predicted`` and ``gold`` are partitions (lists of index groups) of the same events;
    ``articles[i]`` is event i's article (pairs within one article are not counted).
    """

    def pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
        out = set()
        for g in groups:
            for x, i in enumerate(sorted(g)):
                for j in sorted(g)[x + 1 :]:
                    if articles[i] is None or articles[i] != articles[j]:
                        out.add((i, j))
        return out

    p, g = pairs(predicted), pairs(gold)
    tp = len(p & g)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(g) if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted_pairs": len(p),
        "gold_pairs": len(g),
        "true_pairs": tp,
    }
