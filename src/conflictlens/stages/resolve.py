"""resolve: an event cluster -> an Event with normalised fields and evidence.

Dates come resolved against the reference date from ``conflictlens.dates``; here we
choose among them, place the event through the gazetteer (own toponym, then the event
it depends on, then "the city" in focus, then a demonym, then the article's country),
name the actors through the actor dictionary in that country, pick the ACLED
sub-event type from the arguments, and record the words behind every field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from conflictlens.actors import ARMED_GROUP_CATEGORIES, ActorDictionary, ActorMatch
from conflictlens.gazetteer import Gazetteer, normalize, to_location
from conflictlens.kb.places import AcledPlace, AcledPlaces, to_place
from conflictlens.models import (
    Actor,
    Argument,
    Article,
    DateSpan,
    Event,
    Evidence,
    Fatalities,
    Location,
    Source,
)
from conflictlens.stages.extract import (
    VIOLENT_TYPES,
    ActorArg,
    Context,
    EventMention,
    PlaceArg,
    lexicon,
)
from conflictlens.stages.merge import Cluster, family_of
from conflictlens.tolls import combine

#: Events whose dates start this long before the report are context, not news.
BACKGROUND_DAYS = 7
#: A report gives no date: the event happened at most this long before it. In UCDP's
#: events (ged.jsonl, all but every fifth row) the report is dated the day the event
#: ended 65% of the time and the day after 21%: the day before the report, or its day.
UNDATED_WINDOW_DAYS = 1
#: How far back (characters) a city named earlier still places an event with no place.
CONTEXT_PLACE_CHARS = 400
#: Crowd sub-types whose actor 1 is not always the crowd: excessive force against
#: protesters is coded with the force as actor 1 about half of the time.
CROWD_AS_VICTIM = frozenset({"Excessive force against protesters"})
#: The class ACLED's actor 2 takes in events of a type ("Dogon Ethnic Group (Mali)" is
#: associated with "Civilians (Mali)" when it is the victim).
VICTIM_CLASS = {"Violence against civilians": "Civilians"}


#: Compass words that name regions in several countries' admin lists ("Central",
#: "Nord"): never enough, alone, to place an event.
_COMPASS = frozenset(
    {"north", "south", "east", "west", "central", "centre", "center", "northern", "southern"}
    | {"eastern", "western", "nord", "sud", "est", "ouest", "northeast", "northwest"}
    | {"southeast", "southwest"}
)
#: Words that begin names of natural features ("Lake Chad", "Mount Elgon"): alone, the
#: first word of a longer name is not the place (Lake is a county in six US states).
_FEATURE_WORDS = frozenset({"lake", "river", "mount", "mountain", "mountains", "valley"})
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+){0,2}")


@functools.lru_cache(maxsize=16)  # once per report, not once per unplaced event
def _admin_unit_named(text: str) -> tuple[AcledPlace, tuple[int, int, str]] | None:
    """The first admin unit of ACLED's geography the text names as written (capitalised,
    whole words, the longest name first), when ACLED knows a unit of that name in one
    country only; with the span that names it."""
    kb = AcledPlaces.default()
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group().split()
        for n in range(len(words), 0, -1):
            name = " ".join(words[:n])
            if n == 1 and name.casefold() in _COMPASS:
                continue
            if n == 1 < len(words) and name.casefold() in _FEATURE_WORDS:
                continue
            start = run.start()
            units = kb.admins.get(normalize(name), [])
            if units and len({u.country for u, _level in units}) == 1:
                return units[0][0], (start, start + len(name), name)
            towns = kb.candidates(name)
            if towns and len({t.country for t in towns}) == 1 and sum(t.rows for t in towns) >= 2:
                return towns[0], (start, start + len(name), name)
    return None


def _unplaced(
    text: str,
    actor1: Actor | None,
    actor2: Actor | None,
    matches: Sequence[ActorMatch] = (),
) -> tuple[Location, Evidence | None] | None:
    """Where an event nothing placed happened, and the words that say so: the admin unit
    of ACLED's geography the text names ("protested in Gabate, Horo Guduru"), else the
    country its named actors are from ("Karamojong raid cattle from civilians"), else
    the one country of every named group the report mentions ("The CMA claims that the
    victim was targeted"), as a country-level place; the actors are then named for it."""
    unit = _admin_unit_named(text)
    if unit is not None:
        place, span = unit
        code = ActorDictionary.default().country_code(place.country)
        return to_location(to_place(place, code)), Evidence("location", *span)
    home = next((a.country for a in (actor1, actor2) if a is not None and a.country), None)
    if home is None:
        named = {m.entry.country for m in matches if not m.entry.generic and m.entry.country}
        home = next(iter(named)) if len(named) == 1 else None
    place = Gazetteer.default().country(home) if home else None
    return (to_location(place), None) if place is not None else None


def _evidence(field: str, span) -> Evidence:
    return Evidence(field, span.start, span.end, span.text)


def resolve_date(
    cluster: Cluster, ctx: Context, resolved: dict[int, DateSpan]
) -> tuple[DateSpan, Evidence | None]:
    dated = [m for m in cluster.mentions if m.date is not None]
    if dated:

        def width(m) -> int:
            s = m.date.span
            return (dt.date.fromisoformat(s.end) - dt.date.fromisoformat(s.start)).days

        m = min(dated, key=lambda m: (m.date.since, width(m)))
        d = m.date
        span = d.span
        if d.since and ctx.reference is not None:
            span = DateSpan(span.start, ctx.reference.isoformat(), "range")
        return span, _evidence("date", d)
    linked = resolved.get(id(cluster.linked)) if cluster.linked is not None else None
    if ctx.reference is None:
        # No stated date and no publication date to read the report against: unknown,
        # never the day the machine ran (the caller is warned).
        if linked is not None and linked.start is not None:
            return DateSpan(linked.start, None, "range"), None
        return DateSpan(None, None, "unknown"), None
    ref = ctx.reference.isoformat()
    if linked is not None and linked.start is not None:
        # "The attack provoked demonstrations": on or after the attack, by the report.
        return DateSpan(linked.start, max(linked.start, ref), "range"), None
    start = (ctx.reference - dt.timedelta(days=UNDATED_WINDOW_DAYS)).isoformat()
    return DateSpan(start, ref, "range"), None


def resolve_place(
    cluster: Cluster, ctx: Context, resolved: dict[int, Location]
) -> tuple[Location | None, Evidence | None]:
    own = cluster.places()
    linked = resolved.get(id(cluster.linked)) if cluster.linked is not None else None
    if own:
        # A named place the data lacks (country inferred) says more than the country name.
        order = {"city": 0, "region": 1, "inferred": 2, "country": 3}
        best: PlaceArg = min(
            own, key=lambda p: order.get("inferred" if p.place.inferred else p.place.kind, 4)
        )
        if (
            best.place.kind == "country"
            and linked is not None
            and linked.precision != "country"
            and linked.country_code == best.place.country_code
        ):
            return linked, None
        return to_location(best.place), _evidence("location", best.span)
    if linked is not None:
        return linked, None
    first = cluster.first
    ref = next((m for m in cluster.mentions if m.place_is_context_ref), None)
    if ref is not None:
        # "the city": the last city named before the sentence that says so
        before = [
            p for p in ctx.toponyms if p.span.end <= ref.sentence.start and p.place.kind == "city"
        ]
        if before:
            return to_location(before[-1].place), _evidence("location", before[-1].span)
    gaz = Gazetteer.default()
    for m in cluster.mentions:
        if m.country_hint:
            place = gaz.country(m.country_hint)
            if place is not None:
                return to_location(place), None
    # A place named in the event's own sentence that no mention took ("clashes in Aleppo
    # countryside", coded by the coder with no place span): the one nearest the trigger.
    inside = [
        p
        for p in ctx.toponyms
        if first.sentence.start <= p.span.start < first.sentence.end
        and p.place.kind in ("city", "region")
        # a mention whose trigger is the place name itself (a dateline "KARACHI") says
        # nothing of where anything happened
        and not (p.span.start < first.trigger.end and first.trigger.start < p.span.end)
    ]
    if inside:
        near = min(inside, key=lambda p: abs(p.span.start - first.trigger.start))
        return to_location(near.place), _evidence("location", near.span)
    # The report just named a city and says nothing new: the event is there.
    recent = [
        p
        for p in ctx.toponyms
        if first.sentence.start - CONTEXT_PLACE_CHARS <= p.span.start < first.sentence.start
        and p.place.kind == "city"
    ]
    if recent:
        return to_location(recent[-1].place), _evidence("location", recent[-1].span)
    if ctx.countries:
        place = gaz.country(ctx.countries[0])
        if place is not None:
            return to_location(place), None
    return None, None


def _acled_admin1(location: Location) -> Location:
    """A town's first-level region as ACLED names it (its coders' region of the nearest
    place they coded): GeoNames says "Oromiya" and "Central Region", ACLED "Oromia" and
    the district "Wakiso"."""
    if location.precision != "city" or location.lat is None or location.lon is None:
        return location
    code = location.country_code
    country = (ActorDictionary.default().acled_country_name(code) if code else None) or ""
    admin1 = AcledPlaces.default().admin1_near(
        location.lat, location.lon, country or location.country or ""
    )
    if admin1 is None or admin1 == location.admin1:
        return location
    return dataclasses.replace(location, admin1=admin1)


def _pick_actor(cluster: Cluster, role: str) -> ActorArg | None:
    args = [getattr(m, role) for m in cluster.mentions if getattr(m, role) is not None]
    known = [a for a in args if a.match is not None or a.demonym is not None]
    named = [a for a in known if a.match is not None and not a.match.entry.generic]
    coded = [a for a in args if a.coded]
    # The learned coder's choice, which the dictionary then names -- unless it is a role
    # noun ("the gunmen") and the report names the group elsewhere in the event.
    coded_named = [a for a in coded if a in named]
    coded_generic = [a for a in coded if a not in named]
    return (coded_named or named or coded_generic or known or [None])[0]


def resolve_actor(
    arg: ActorArg | None,
    country: str | None,
    date: str | None = None,
    event_type: str | None = None,
    role: str = "actor1",
) -> Actor | None:
    """The ACLED actor an argument names, in an event in ``country`` on ``date`` of
    ``event_type`` (which gives people nouns their class: "students" protesting are
    "Protesters (X)"); the dictionary's generic reading when ACLED's names say nothing."""
    if arg is None:
        return None
    actors = ActorDictionary.default()
    # A demonym argument is read as the phrase ("Russian drones"): foreign forces.
    mention = arg.match if arg.match is not None and arg.demonym is None else arg.span.text
    if re.search(r"\s(?:and/)?or\s", arg.span.text):
        mention = arg.span.text  # "ISWAP or Boko Haram militants": the pair, not one group
    actor = actors.acled_actor(mention, country, date, event_type, role)
    if actor is not None:
        actor.mention = arg.span.text
        return actor
    if arg.match is None:
        if arg.demonym is None:
            # A phrase the coder marked that the dictionary scan did not match as a whole.
            return actors.resolve(arg.span.text, country)
        # "the Russian airstrike": that state's forces, named the ACLED way.
        forces = f"{arg.span.text} {lexicon()['demonym_actor']['role']}"
        actor = actors.acled_actor(forces, country, date, event_type, role) or actors.resolve(
            forces, arg.demonym
        )
        if actor is not None:
            actor.mention = arg.span.text
        return actor
    if mention is not arg.match:
        # The phrase ("Ukrainian") named no one: the dictionary match in it ("Ukrainian
        # soldier"), by ACLED's name for the date.
        actor = actors.acled_actor(arg.match, country, date, event_type, role)
        if actor is not None:
            actor.mention = arg.span.text
            return actor
    return actors.resolve(arg.match, country)


#: ACLED's demonstration sub-types, mildest first.
DEMONSTRATION_SEVERITY = {
    "Peaceful protest": 0,
    "Protest with intervention": 1,
    "Excessive force against protesters": 2,
    "Violent demonstration": 2,
    "Mob violence": 2,
}


def resolve_type(cluster: Cluster, actor2: Actor | None) -> tuple[str, str, EventMention]:
    """The ACLED type and sub-event type, and the mention that decided it: the learned
    coder's most confident reading of the cluster's sentences, else the rules'."""
    coded = [m for m in cluster.mentions if m.coded is not None]
    if coded:
        # A demonstration is coded by the worst that happened at it, as ACLED does: a
        # protest that police dispersed, or that turned violent, is not a peaceful one.
        m = max(
            coded,
            key=lambda m: (
                DEMONSTRATION_SEVERITY.get(m.coded.sub_event_type, -1),  # type: ignore[union-attr]
                m.coded.probability,  # type: ignore[union-attr]
            ),
        )
        event_type, sub_type = m.coded.event_type, m.coded.sub_event_type  # type: ignore[union-attr]
        if event_type == "Protests" and _deadly(cluster):
            # ACLED's codebook: protesters killed by the force that met them is excessive
            # force, whatever the sentence-level reading says.
            event_type, sub_type = lexicon()["protest_refinement"]["excessive_force"]
        return event_type, sub_type, m
    lex = lexicon()
    refinement = lex["attack_refinement"]
    strong = [m for m in cluster.mentions if not m.weak and not m.toll_only] or cluster.mentions
    typed = [m for m in strong if m.event_type]
    if cluster.family == "demonstration":
        return _protest_type(cluster, typed or strong)
    if cluster.family != "violence":
        m = (typed or strong)[0]
        return m.event_type or "Strategic developments", m.sub_event_type or "Other", m
    cues = set().union(*(m.cues for m in cluster.mentions))
    explosion = next((m for m in typed if m.kind == "explosion"), None)
    if cues:  # the weapon decides: a suicide bomber over a bomb over a grenade
        cue = min(cues, key=lambda c: (refinement["explosive_cues"][c][1] != "Suicide bomb", c))
        event_type, sub_type = refinement["explosive_cues"][cue]
        return event_type, sub_type, explosion or strong[0]
    for m in [explosion] + [m for m in typed if m.event_type == "Battles" or m.kind != "attack"]:
        if m is not None:
            return m.event_type, m.sub_event_type, m  # type: ignore[return-value]
    if actor2 is not None and actor2.category in refinement["armed_target_categories"]:
        event_type, sub_type = refinement["armed_target"]
    else:
        event_type, sub_type = refinement["default"]
    return event_type, sub_type, strong[0]


def _protest_type(
    cluster: Cluster, candidates: list[EventMention]
) -> tuple[str, str, EventMention]:
    """Peaceful, met with intervention (tear gas, dispersal), or met with lethal force."""
    rules = lexicon()["protest_refinement"]
    base = candidates[0]
    if base.event_type != "Protests":
        return base.event_type or "Riots", base.sub_event_type or "Violent demonstration", base
    if _deadly(cluster):
        return *rules["excessive_force"], base
    violent = any(family_of(m) == "violence" for m in cluster.mentions)
    text = " ".join(m.sentence.text.lower() for m in cluster.mentions)
    if violent or any(cue in text for cue in rules["intervention_cues"]):
        return *rules["with_intervention"], base
    return base.event_type, base.sub_event_type or "Peaceful protest", base


def _deadly(cluster: Cluster) -> bool:
    return any(m.fatalities and m.fatalities.figures.best > 0 for m in cluster.mentions)


def _intervening_force(cluster: Cluster, country: str | None, day: str | None) -> Actor | None:
    """Who met the protest with force: the state forces its sentences name."""
    for m in cluster.mentions:
        for arg in m.sentence_actors:
            actor = resolve_actor(arg, country, day, "Protests", "actor2")
            if actor is not None and actor.category == "State forces":
                return actor
    return None


def _named_group(cluster: Cluster, country: str | None) -> Actor | None:
    """A perpetrating organisation the role tagger found near the event but the parse did
    not attach: the dictionary's name for it, or the name as written (an unknown group is
    kept as mentioned, never dropped)."""
    actors = ActorDictionary.default()
    for m in cluster.mentions:
        for span in m.perpetrator_groups:
            actor = actors.resolve(span.text, country)
            if actor is not None and actor.category == "State forces":
                continue
            return actor or Actor(name=span.text, mention=span.text)
    return None


def _sentence_group(
    cluster: Cluster,
    country: str | None,
    other: Actor | None,
    matches: list[ActorMatch],
    day: str | None = None,
) -> Actor | None:
    """The one named armed group the event's sentences name (``matches``: the article's
    dictionary actors, found once by the extractor), when neither the parse nor the tagger
    tied a perpetrator to it ("Pourquoi les talibans pakistanais, qui ont mené une vaste
    opération ... contre la police"): sentences that name two groups say nothing of
    which one acted."""
    spans = {(m.sentence.start, m.sentence.end) for m in cluster.mentions}
    first_trigger = min(m.trigger.start for m in cluster.mentions)
    actors = ActorDictionary.default()
    found: dict[str, Actor] = {}
    forces: dict[str, Actor] = {}
    for match in matches:
        acting = match.entry.category in ARMED_GROUP_CATEGORIES
        if match.entry.generic or not (acting or match.entry.category == "State forces"):
            continue
        if not any(start <= match.start < end for start, end in spans):
            continue
        if match.entry.category == "State forces":
            # No armed group named: a state's forces named by their own name before what
            # happened ("UPDF pursues LRA", "FAA burns villages"), not a force that came
            # after it ("... was rescued by the Amotekun Corps").
            actor = None
            if match.start < first_trigger:
                actor = actors.acled_actor(match, country, day) or actors.resolve(match, country)
            if actor is not None and (other is None or actor.name != other.name):
                forces[actor.name] = actor
            continue
        actor = actors.resolve(match, country)
        if actor is not None and (other is None or actor.name != other.name):
            found[actor.name] = actor
    if found:
        return next(iter(found.values())) if len(found) == 1 else None
    if len(forces) == 1 and (other is None or other.category != "State forces"):
        return next(iter(forces.values()))
    return None


@functools.cache
def _partner_before() -> re.Pattern[str]:
    """The words before the other party of an agreement, a word (an article) or none
    between ("a truce with the authorities", "le cessez-le-feu avec les autorités")."""
    words = "|".join(re.escape(w) for w in lexicon()["agreement_partner_words"])
    return re.compile(rf"\b(?:{words})\s+(?:\w+\s+|\w['’])?$", re.IGNORECASE)


def _agreement_partner(
    cluster: Cluster,
    matches: Sequence[ActorMatch],
    country: str | None,
    day: str | None,
    actor1: Actor | None,
) -> Actor | None:
    """The party an agreement's sentences say it was made "with" (a dictionary actor)."""
    actors = ActorDictionary.default()
    for m in cluster.mentions:
        sent = m.sentence
        for match in matches:
            if not sent.start <= match.start < sent.end:
                continue
            before = sent.text[max(0, match.start - sent.start - 16) : match.start - sent.start]
            if not _partner_before().search(before):
                continue
            actor = actors.acled_actor(match, country, day) or actors.resolve(match, country)
            if actor is not None and (actor1 is None or actor.name != actor1.name):
                return actor
    return None


def _acled_actor1(
    actor1: Actor | None, event_type: str, country: str | None, day: str | None = None
) -> Actor | None:
    """ACLED's naming conventions: whoever protests is "Protesters (Country)"; an unstated
    perpetrator is an unidentified armed group. Both live in the trigger lexicon."""
    lex = lexicon()
    actors = ActorDictionary.default()
    if actor1 is not None:
        role = lex["role_by_type"].get(event_type, {}).get(actor1.category or "")
        if role:
            renamed = actors.resolve(role, country)
            if renamed is not None:
                renamed.mention = actor1.mention
                return renamed
        return actor1
    default = lex["default_actor1"].get(event_type)
    if default is None:
        return None
    actor = actors.acled_actor(default, country, day, event_type) or actors.resolve(
        default, country
    )
    if actor is not None:
        actor.mention = ""  # not stated in the report
    return actor


def _counter_protesters(cluster: Cluster, country: str | None, day: str | None) -> Actor | None:
    cues = lexicon()["protest_refinement"]["counter_protest_cues"]
    said = " ".join(m.sentence.text for m in cluster.mentions).casefold()
    if not any(cue in said for cue in cues):
        return None
    return _acled_actor1(None, "Protests", country, day)  # the crowd, unnamed


def _speaker(cluster: Cluster, article: Article, rich) -> str | None:
    """An attribution in the sentence ("police said") beats the interview turn, which
    beats the report's own voice (the publisher)."""
    for m in [rich, *cluster.mentions]:
        if m.attribution is not None:
            return m.attribution.text
    return speaker_at(article, rich.sentence.start)


def speaker_at(article: Article, offset: int) -> str | None:
    """Who says the words at ``offset``: the interviewee, the interviewer, or the outlet."""
    for turn in article.turns:
        if turn.answer_start <= offset < turn.answer_end:
            return turn.speaker
        if turn.question_start <= offset < turn.answer_start:
            return turn.asker
    return article.publisher


def _type_and_actors(
    cluster: Cluster,
    a1_arg: ActorArg | None,
    a2_arg: ActorArg | None,
    country: str | None,
    day: str | None,
    matches: list[ActorMatch],
) -> _Coded:
    """The event's type, its two actors named the ACLED way for ``country``, and their
    associated actors."""
    actor2 = resolve_actor(a2_arg, country, day, role="actor2")
    event_type, sub_type, typed_by = resolve_type(cluster, actor2)
    # Now that the type is known, people nouns take the class it gives them.
    actor1 = resolve_actor(a1_arg, country, day, event_type, "actor1")
    actor2 = resolve_actor(a2_arg, country, day, event_type, "actor2") or actor2
    if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
        actor2 = None
    unnamed = a1_arg is None or a1_arg.match is None or a1_arg.match.entry.generic
    default = _acled_actor1(None, event_type, country, day)  # the unstated perpetrator
    # Whoever protests or riots is the crowd, not the organisation behind it (ACLED makes
    # that an associated actor): only an unnamed perpetrator of violence is replaced.
    crowd = event_type in lexicon()["role_by_type"]
    anonymous = unnamed and not crowd and default is not None and actor1 is not None

    def named(other: Actor | None) -> Actor | None:
        # "gunmen" stormed it, "the TTP claimed it": the group the report names.
        found = _named_group(cluster, country)
        if found or crowd:
            return found
        return _sentence_group(cluster, country, other, matches, day)

    if actor1 is None or actor1.category is None or (anonymous and actor1.name == default.name):
        actor1 = named(actor2) or actor1
    if event_type in VIOLENT_TYPES and actor1 is not None and actor1.category == "Civilians":
        # ACLED's codebook: civilians are never the side that fights or attacks; an actor 1
        # of that class is the victims ("Au moins trente civils ont été tués ...").
        actor2 = actor2 or actor1
        actor1 = _named_group(cluster, country) or default
    actor1 = _acled_actor1(actor1, event_type, country, day)
    if sub_type == "Air/drone strike" and actor1 is not None:
        # An air strike by "Russian forces" is the air force's, where ACLED names one.
        actor1 = ActorDictionary.default().unit(actor1, "Air Force")
    assoc1: list[Actor] = []
    counter: Actor | None = None
    if crowd and sub_type not in CROWD_AS_VICTIM and actor1 is not None:
        # Whoever demonstrates -- policemen, teachers, a party -- is "Protesters
        # (Country)" for ACLED and the group its associated actor (100% of the training
        # rows' peaceful protests, 92-95% of the other crowd sub-types).
        crowd_actor = default  # computed above for the same type and country
        if crowd_actor is not None and actor1.category != crowd_actor.category:
            assoc1 = [actor1]
            crowd_actor.mention = actor1.mention
            actor1 = crowd_actor
    force_first = actor1 is not None and actor1.category in (
        "State forces",
        "External/Other forces",
    )
    if event_type == "Protests" and sub_type in CROWD_AS_VICTIM and force_first:
        # The force that fired on a crowd as actor 1: the crowd is actor 2, "Protesters
        # (X)" (every such training row of excessive force).
        crowd_actor = _acled_actor1(None, "Protests", country, day)
        if crowd_actor is not None and (actor2 is None or actor2.category != "Protesters"):
            crowd_actor.mention = actor2.mention if actor2 is not None else ""
            actor2 = crowd_actor
    elif event_type == "Protests":
        # The other side of a protest is whoever intervened, never the protesters.
        if actor2 is not None and actor2.category in ("Protesters", "Civilians"):
            actor2 = None
        if sub_type != "Peaceful protest" and actor2 is None:
            actor2 = _intervening_force(cluster, country, day)
        if sub_type == "Peaceful protest":
            # Nobody intervened: what the crowd protests against (the government) is no
            # actor 2 (none in 96% of the training rows' peaceful protests); counter-
            # protesters are ("Protesters (X)" in 95% of those whose note says so).
            actor2 = counter = _counter_protesters(cluster, country, day)
    if sub_type == "Agreement" and actor2 is None:
        # "the ceasefire with the Pakistani authorities": the other party, named as such
        actor2 = _agreement_partner(cluster, matches, country, day, actor1)
    if actor2 is None:
        # Where the report names no one, ACLED's usual actor 2 for the sub-type: the
        # victims of violence against civilians are "Civilians (Country)", the force that
        # met a protest its police, a group's opponent in a clash the country's military.
        actor2 = ActorDictionary.default().default_actor2(sub_type, country, day, actor1)
    assoc2: list[Actor] = []
    # Civilians never fight or attack in ACLED's codebook: as actor 1 of violence, a side
    # of that class is no reading.
    never = "Civilians" if event_type in VIOLENT_TYPES else None
    actor1, assoc1 = _main_side(actor1, assoc1, country, day, None, never)
    actor2, assoc2 = _main_side(actor2, assoc2, country, day, VICTIM_CLASS.get(event_type))
    if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
        actor2 = counter  # protesters against protesters: ACLED names both sides so
    if actor2 is not None:
        assoc1 = [a for a in assoc1 if a.name != actor2.name]
    return _Coded(event_type, sub_type, typed_by, actor1, actor2, assoc1, assoc2)


def _main_side(
    actor: Actor | None,
    assoc: list[Actor],
    country: str | None,
    day: str | None,
    cls: str | None,
    never: str | None = None,
) -> tuple[Actor | None, list[Actor]]:
    """A name ACLED only codes as an associated actor ("Luhansk People's Militia") stands
    for the side it is associated with ("NAF: United Armed Forces of Novorossiya"), and
    stays on as the associated actor; not where that side is of class ``never``."""
    if actor is None:
        return actor, assoc
    main = ActorDictionary.default().main_side(actor, country, day, cls)
    if main is None or (never is not None and main.category == never):
        return actor, assoc
    return main, [actor, *(a for a in assoc if a.name != actor.name)]


@dataclass
class _Coded:
    """An event's type and actors, the ACLED way."""

    event_type: str
    sub_type: str
    typed_by: EventMention
    actor1: Actor | None
    actor2: Actor | None
    assoc1: list[Actor]
    assoc2: list[Actor]


def resolve_cluster(
    cluster: Cluster,
    article: Article,
    ctx: Context,
    dates: dict[int, DateSpan],
    places: dict[int, Location],
) -> Event:
    date, date_ev = resolve_date(cluster, ctx, dates)
    location, place_ev = resolve_place(cluster, ctx, places)
    if location is not None:
        location = _acled_admin1(location)
    dates[id(cluster)] = date
    if location is not None:
        places[id(cluster)] = location
    country = location.country_code if location else (ctx.countries[0] if ctx.countries else None)
    a1_arg, a2_arg = _pick_actor(cluster, "actor1"), _pick_actor(cluster, "actor2")
    day = date.start if date else None
    coded = _type_and_actors(cluster, a1_arg, a2_arg, country, day, ctx.actors)
    if (
        country is None
        and (found := _unplaced(article.body, coded.actor1, coded.actor2, ctx.actors)) is not None
    ):
        location, place_ev = found
        country = location.country_code
        places[id(cluster)] = location
        coded = _type_and_actors(cluster, a1_arg, a2_arg, country, day, ctx.actors)
    event_type, sub_type, typed_by = coded.event_type, coded.sub_type, coded.typed_by
    actor1, actor2 = coded.actor1, coded.actor2
    tolls = [m.fatalities.figures for m in cluster.mentions if m.fatalities]
    fatalities = combine(tolls)
    if fatalities is None and event_type in lexicon()["nonviolent_types"]:
        fatalities = Fatalities(0, 0, 0)  # nothing violent happened: nobody was killed
    injured_figs = [m.injured.figures.best for m in cluster.mentions if m.injured]

    evidence: list[Evidence] = []
    for m in cluster.mentions:
        if not m.toll_only:
            evidence.append(_evidence("event_type" if m is typed_by else "mention", m.trigger))
    if date_ev:
        evidence.append(date_ev)
    if place_ev:
        evidence.append(place_ev)
    for role, arg in (("actor1", a1_arg), ("actor2", a2_arg)):
        if arg is not None and (role == "actor1" and actor1 or role == "actor2" and actor2):
            evidence.append(_evidence(role, arg.span))
    for m in cluster.mentions:
        if m.fatalities:
            evidence.append(_evidence("fatalities", m.fatalities.span))
        if m.injured:
            evidence.append(_evidence("injured", m.injured.span))

    rich = max(
        (m for m in cluster.mentions if not m.toll_only),
        key=lambda m: (
            (m.date is not None)
            + (m.place is not None)
            + (m.actor1 is not None)
            + (m.actor2 is not None)
        ),
        default=cluster.first,
    )
    background = (
        ctx.reference is not None
        and date.start is not None
        and dt.date.fromisoformat(date.start) < ctx.reference - dt.timedelta(days=BACKGROUND_DAYS)
    )
    roles = {
        role: _arguments(getattr(m, role) for m in cluster.mentions)
        for role in ("perpetrators", "victims", "targets", "weapons")
    }
    for role, args in roles.items():
        evidence.extend(Evidence(role, a.start, a.end, a.text) for a in args)
    return Event(
        id=event_id(cluster),
        event_type=event_type,
        sub_event_type=sub_type,
        date=date,
        location=location,
        actor1=actor1,
        actor2=actor2,
        fatalities=fatalities,
        injured=max(injured_figs) if injured_figs else None,
        assoc_actor1=coded.assoc1,
        assoc_actor2=coded.assoc2,
        background=background,
        summary=rich.sentence.text.strip(),
        confidence=round(typed_by.coded.probability, 4) if typed_by.coded else None,
        evidence=evidence,
        source=Source(
            publisher=article.publisher,
            url=article.url,
            speaker=_speaker(cluster, article, rich),
        ),
        **roles,
    )


def _arguments(spans_per_mention) -> list[Argument]:
    """Distinct phrases (by text, case-insensitive), first mention first."""
    seen: set[str] = set()
    out: list[Argument] = []
    for spans in spans_per_mention:
        for span in spans:
            key = span.text.lower()
            if key not in seen:
                seen.add(key)
                out.append(Argument(span.text, span.start, span.end))
    return out


def event_id(cluster: Cluster) -> str:
    """ "E" + where the event is first mentioned in the body. Unlike a running number it
    does not shift when a better engine finds one more event earlier in the article, so
    an analyst's corrections (keyed by event id) can never land on another event: at
    worst, if the event's first mention itself moves, they are left unattached."""
    return f"E{min(m.trigger.start for m in cluster.mentions)}"


def resolve_all(clusters: list[Cluster], article: Article, ctx: Context) -> list[Event]:
    dates: dict[int, DateSpan] = {}
    places: dict[int, Location] = {}
    return [resolve_cluster(c, article, ctx, dates, places) for c in clusters]
