"""extract: parsed article -> EventMentions, each argument with its evidence span.

An event mention is a trigger word from the trigger lexicon (data/triggers.json) that
survives the modality filters (negated, modal, infinitive, habitual, generic plural and
threatened events are not events), with the arguments the sentence gives it:

- date: the date expression nearest to the trigger in the dependency tree;
- place: the toponym nearest to the trigger (gazetteer-validated proper nouns and
  GPE/LOC entities), plus demonyms ("Pakistani") as country-level evidence;
- actors: subject / agent / possessor -> actor1, object / passive subject / "against"
  and "on" complements -> actor2, matched against the actor dictionary;
- toll: casualty numbers attached to death and injury words.

Nothing here knows a place, group or person name: those come from the gazetteer and
the actor dictionary. Mentions are merged into events by ``conflictlens.stages.merge``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

from spacy.tokens import Doc, Span, Token

from conflictlens.actors import ActorDictionary, ActorMatch
from conflictlens.dates import DateMention, find_dates, point_of_when_clause
from conflictlens.gazetteer import UNKNOWN_POPULATION, Gazetteer, Place, normalize
from conflictlens.kb.places import (
    RARE_NAMESAKE,
    SMALL_TOWN,
    AcledPlaces,
    admin_hints,
    to_place,
)
from conflictlens.models import Article, Fatalities
from conflictlens.roles import find_roles_many
from conflictlens.stages.analyse import model_language
from conflictlens.tolls import parse_toll


@functools.cache
def lexicon() -> dict:
    return json.loads(resources.files("conflictlens.data").joinpath("triggers.json").read_text())


CAPITAL_AFTER = re.compile(r"['\u2019]s\s+capital\b")
CAPITAL_BEFORE = re.compile(r"\bcapital(?:\s+city)?\s+of\s+$")

#: Only violence has victims and targets; a protest's "target" is a grievance.
VIOLENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")

#: Smallest towns accepted as places: named by the parser as a place / as a bare proper
#: noun / as one word of a longer name.
MIN_POP_ENTITY = 1_000
MIN_POP_PROPER_NOUN = 15_000
MIN_POP_NAME_PART = 100_000

#: A wire dateline at the start of a paragraph: "OUAGADOUGOU, Sept 6 (Reuters) - ".
DATELINE = re.compile(
    r"(?m)^[A-Z][A-Z.'\- ]{2,40}(?:,\s*[A-Z][A-Za-z.'\- ]{1,30})?(?:,\s*[^()\n]{1,30}?)?"
    r"\s*\([A-Za-z&.' ]{2,30}\)\s*[-\u2013\u2014]+\s*"
)


@dataclass
class TextSpan:
    """A piece of Article.body: [start, end) character offsets and the text."""

    start: int
    end: int
    text: str


@dataclass
class PlaceArg:
    span: TextSpan
    place: Place


@dataclass
class ActorArg:
    span: TextSpan
    match: ActorMatch | None  # None: a mention the dictionary does not know
    demonym: str | None = None  # ISO2 of "Israeli" in "an Israeli air strike"
    coded: bool = False  # marked by the learned coder (which outranks the parse rules)


@dataclass
class TollArg:
    span: TextSpan
    figures: Fatalities


@dataclass
class EventMention:
    """One textual mention of an event, before merging."""

    trigger: TextSpan
    lemma: str
    kind: str  # trigger family in the lexicon: attack, explosion, protest, ...
    event_type: str | None  # default ACLED type (None: decided from arguments)
    sub_event_type: str | None
    sentence: TextSpan
    sentence_index: int
    weak: bool = False  # may join an event but never starts one on its own
    anaphoric: bool = False  # "this attack": refers back to an earlier event
    temporal_anaphora: bool = False  # "at the time": takes the date of the event in focus
    toll_only: bool = False  # a casualty statement without its own trigger
    date: DateMention | None = None
    place: PlaceArg | None = None
    place_is_context_ref: bool = False  # "the city": the place in focus
    country_hint: str | None = None  # ISO2 from a demonym in the clause
    actor1: ActorArg | None = None
    actor2: ActorArg | None = None
    fatalities: TollArg | None = None
    injured: TollArg | None = None
    cues: set[str] = field(default_factory=set)  # weapon/explosive lemmas in the sentence
    pluperfect: bool = False
    attribution: TextSpan | None = None  # "police said", "according to residents"
    sentence_actors: list[ActorArg] = field(default_factory=list)  # everyone the sentence names
    perpetrators: list[TextSpan] = field(default_factory=list)  # "members of the X", "gunmen"
    perpetrator_groups: list[TextSpan] = field(default_factory=list)  # organisations named
    victims: list[TextSpan] = field(default_factory=list)  # people
    targets: list[TextSpan] = field(default_factory=list)  # things and places attacked
    weapons: list[TextSpan] = field(default_factory=list)
    coded: CodedType | None = None  # the learned coder's sub-type for this sentence


@dataclass
class CodedType:
    """The coder's decision for a mention's sentence: it overrides the rules' type."""

    event_type: str
    sub_event_type: str
    probability: float


@dataclass
class Context:
    """What the whole article tells the resolvers: reference date and focus country."""

    reference: dt.date | None  # None: the report has no publication date
    countries: list[str]  # ISO2 codes, most mentioned first
    toponyms: list[PlaceArg]  # every toponym in body order
    actors: list[ActorMatch] = field(default_factory=list)  # dictionary actors, body order


# --- small dependency-tree helpers --------------------------------------------


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens of one sentence through their lowest common ancestor."""
    up_a = {t.i: k for k, t in enumerate([a, *a.ancestors])}
    for k, t in enumerate([b, *b.ancestors]):
        if t.i in up_a:
            return up_a[t.i] + k
    return 99


def _span(doc: Doc, start: int, end: int) -> Span | None:
    return doc.char_span(start, end, alignment_mode="expand")


def _text_span(tokens: Span) -> TextSpan:
    return TextSpan(tokens.start_char, tokens.end_char, tokens.text)


#: "the village of X": words that make the name after them a place name.
PLACE_NOUNS = frozenset(
    [
        "village",
        "town",
        "city",
        "hamlet",
        "district",
        "province",
        "region",
        "department",
        "municipality",
        "settlement",
        "locality",
        "county",
        "commune",
    ]
)


#: Last words of a street's name: "Oxford Street" in Belfast is not Oxford.
STREET_WORDS = frozenset(
    ["street", "st", "road", "rd", "avenue", "ave", "lane", "boulevard", "blvd", "drive"]
    + ["highway", "square"]
)


def _is_street(span: Span) -> bool:
    return span[-1].lower_.rstrip(".") in STREET_WORDS


def _modifies_a_noun(span: Span) -> bool:
    """ "U.S. service members", "Pakistan army": the name says whose, not where."""
    root = span.root
    return root.dep_ in ("compound", "nmod", "amod") and root.head.pos_ in ("NOUN", "PROPN")


#: Prepositions after which a name is where something happened ("in", "near" Dakar).
LOCATIVE_PREPOSITIONS = frozenset(
    ["in", "at", "near", "outside", "inside", "across", "around", "into", "through", "throughout"]
)


def _after_locative_preposition(ent: Span) -> bool:
    root = ent.root
    return root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPOSITIONS


def _named_as_place(ent: Span) -> bool:
    if ent.start < 2:
        return False
    of, noun = ent.doc[ent.start - 1], ent.doc[ent.start - 2]
    return of.lower_ == "of" and noun.lower_ in PLACE_NOUNS


_SPACE_GAP = re.compile(r"[ \t]+")
_OR_GAP = re.compile(r"[ \t]+(?:and/)?or[ \t]+")
#: The longest gap ("  and/or  ") between a group and what it joins.
_MAX_GAP = 12


def named_before(
    text: str, matches: Sequence[ActorMatch], start: int
) -> tuple[int, ActorMatch] | None:
    """ "ISWAP or Boko Haram militants": the named groups right before a role noun at
    ``start`` are who the noun is. Returns where the phrase starts (two groups joined by
    "or" make one phrase, which names ACLED's pair actor) and the nearer group."""

    def ending_at(end: int, gap: re.Pattern[str]) -> ActorMatch | None:
        return next(
            (
                m
                for m in matches
                if 0 < end - m.end <= _MAX_GAP
                and not m.entry.generic
                and gap.fullmatch(text, m.end, end)
            ),
            None,
        )

    group = ending_at(start, _SPACE_GAP)
    if group is None:
        return None
    other = ending_at(group.start, _OR_GAP)
    return (other.start if other is not None else group.start), group


# What may stand between two members of a written list of names: commas, "and", "or",
# and a short parenthesis such as a transcriber's "(name indistinct)".
_LIST_GAP = re.compile(r"(?:\s*(?:,|;|&|\band\b|\bor\b|\([^()]{0,40}\)))+\s*", re.IGNORECASE)


def coordinated(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Group character spans (in text order) into written lists: neighbours joined only
    by commas, "and"/"or" or a short parenthesis. Returns groups of indexes into
    ``spans``; a span on its own is a group of one."""
    groups: list[list[int]] = []
    for i, (start, _) in enumerate(spans):
        if groups:
            gap = text[spans[i - 1][1] : start]
            if gap.strip() and _LIST_GAP.fullmatch(gap):
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


# --- triggers and modality -----------------------------------------------------


def _trigger_entry(tok: Token) -> dict | None:
    lex = lexicon()
    lemma = tok.lemma_.lower()
    if tok.pos_ == "VERB" and lemma in lex["verbs"]:
        entry = dict(lex["verbs"][lemma])
        objs = [c.lemma_.lower() for c in _children(tok, "dobj", "pobj", "attr")]
        particles = [c.lemma_.lower() for c in _children(tok, "prt")]
        for obj, sub in entry.pop("also", {}).items():
            if obj in objs and ("particle" not in sub or sub["particle"] in particles):
                return sub
        if "particle" in entry and entry["particle"] not in particles:
            return None
        if "subject_in" in entry and not set(_subject_lemmas(tok)) & set(entry["subject_in"]):
            return None
        if entry.get("weak") and "strong_object_in" in entry:
            things = objs + [c.lemma_.lower() for c in _children(tok, "nsubjpass")]
            if set(things) & set(entry["strong_object_in"]):
                entry["weak"] = False
        if "object_in" in entry:
            # The object may be a coordination or an apposition: "broke the talks, the truce".
            objs += [
                g.lemma_.lower()
                for c in tok.children
                for g in c.children
                if g.dep_ in ("conj", "appos")
            ]
            objs += [
                c.lemma_.lower()
                for c in tok.children
                if c.dep_ in ("dep", "appos", "conj") and c.pos_ == "NOUN"
            ]
            if entry.get("object_via_prep"):
                # "set the bus on fire": the object sits under a preposition
                objs += [
                    g.lemma_.lower() for c in _children(tok, "prep") for g in _children(c, "pobj")
                ]
            if not set(objs) & set(entry["object_in"]):
                return None
        return entry
    if tok.pos_ in ("NOUN", "PROPN") and lemma in lex["nouns"]:
        if tok.pos_ == "PROPN" and not tok.is_sent_start:
            return None  # "Operation Zarb-e-Azb" style names are not triggers by themselves
        entry = dict(lex["nouns"][lemma])
        if "modifier_in" in entry:
            mods = {c.lemma_.lower() for c in _children(tok, "compound", "amod", "nmod")}
            if not mods & set(entry["modifier_in"]):
                return None
        return entry
    return None


#: A crowd counted without saying of what: "thousands marched" means people.
QUANTITY_NOUNS = frozenset(["dozen", "score", "hundred", "thousand", "million"])


def _subject_lemmas(verb: Token) -> list[str]:
    """The verb's subjects, with what a quantity is of ("hundreds of protesters"; a bare
    "thousands" is people) and what is coordinated with them ("students and teachers")."""
    out: list[str] = []
    for subj in _children(verb, "nsubj"):
        for head in [subj, *_children(subj, "conj")]:
            of = [g for p in _children(head, "prep") if p.lower_ == "of" for g in p.children]
            out += [head.lemma_.lower(), *(g.lemma_.lower() for g in of if g.dep_ == "pobj")]
            if head.lemma_.lower() in QUANTITY_NOUNS and not of:
                out.append("people")
    return out


def _governor(tok: Token) -> Token:
    """The verb a noun trigger is an argument of (itself for verbs)."""
    if tok.pos_ == "VERB":
        return tok
    head = tok.head
    if tok.dep_ == "pobj" and head.dep_ == "prep":
        head = head.head
    return head if head.pos_ in ("VERB", "AUX") else tok


def _is_irrealis(tok: Token) -> bool:
    """Negated, modal, infinitival, threatened or habitual: not a reported event."""
    lex = lexicon()
    gov = _governor(tok)
    for t in {tok, gov}:
        if _children(t, "neg"):
            return True
        # French: "n'ont pas attaqué" ("ne", "pas" are adverbs of the verb in UD)
        if any(c.lower_ in lex["negation_adverbs"] for c in _children(t, "advmod")):
            return True
        if any(c.lemma_.lower() in lex["modal_auxiliaries"] for c in _children(t, "aux")):
            return True
    if tok.pos_ == "VERB":
        auxes = [c.lower_ for c in _children(tok, "aux")]
        if "to" in auxes and tok.dep_ in ("xcomp", "advcl", "acl", "ccomp", "relcl"):
            return True
        if tok.tag_ == "VBG" and "been" in auxes and {"have", "has", "had"} & set(auxes):
            return True  # "have been attacking": a campaign, not an event
    # "Fighting has intensified since the coup": a trend, not an event.
    head = tok.head
    if tok.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in lex["trend_heads"]:
        perfect = {c.lower_ for c in _children(head, "aux")} & {"has", "have", "had"}
        since = any(c.lower_ == "since" for c in _children(head, "prep"))
        if perfect or since:
            return True
    # Walk up a few heads: "threatening new attacks", "not used to demonstrating".
    node = tok
    for _ in range(3):
        head = node.head
        if head is node or node.dep_ in (
            "relcl",
            "advcl",
            "conj",
            "appos",
            "npadvmod",
            "nsubj",
            "nsubjpass",
            "acl",
        ):
            # Another clause, or an adjunct ("the day after the attack, they threatened"):
            # the verb above does not govern this event.
            break
        if head.lemma_.lower() in lex["irrealis_heads"] or (
            head.lemma_.lower() == "use" and node.dep_ in ("prep", "pcomp", "xcomp")
        ):
            return True
        if head.lemma_.lower() == "use" and any(c.dep_ == "neg" for c in head.children):
            return True
        node = head
    return False


#: A town smaller than this gives way to the place its qualifier names in another country.
QUALIFIED_TOWN = 20_000
#: "(Admin2, Admin1)" or ", Admin1" right after a place name.
QUALIFIER = re.compile(r"\s*(?:\(([^()]{2,80})\)|,\s*([A-Z][\w'.-]+(?:[ -][A-Z][\w'.-]+){0,3}))")


def _qualifiers(text: str, end: int) -> list[str]:
    """The region names written right after a place name, nearest first."""
    m = QUALIFIER.match(text, end)
    if m is None:
        return []
    return [q.strip() for q in (m.group(1) or m.group(2)).split(",")]


def _is_generic_plural(tok: Token) -> bool:
    """Bare plurals ("extrajudicial executions") name a practice, not an event, unless
    something causes them ("the attack provoked demonstrations") or counts them."""
    if tok.tag_ not in ("NNS", "NNPS"):
        return False
    if _children(tok, "det", "poss", "nummod"):
        return False
    # "the attack provoked demonstrations", "the army carried out air strikes"
    lex = lexicon()
    governed = tok.dep_ in ("dobj", "nsubj", "nsubjpass") and (
        tok.head.lemma_.lower() in lex["causal_verbs"]
        or tok.head.lemma_.lower() in lex["light_verbs"]
    )
    return not governed


def _is_anaphoric(tok: Token, own_args: bool) -> bool:
    if tok.pos_ == "VERB" or own_args:
        return False
    dets = [c.lower_ for c in _children(tok, "det", "poss")]
    return any(d in lexicon()["anaphoric_determiners"] for d in dets)


def _common_word(text: str) -> bool:
    """An English word common enough to be one piece of the coder's 30,000-piece
    vocabulary ("police", "union", "university"), which a small town's name rarely is
    ("Solhan", "Djibo", "Tiko"): capitalised in a name, it is that word, not the town."""
    from conflictlens.coder.pieces import tokenizer

    return tokenizer().token_to_id(text.lower()) is not None


def _has_prep_after(tok: Token, sent: Span, preps: list[str], window: int) -> bool:
    after = sent.doc[tok.i + 1 : min(sent.end, tok.i + 1 + window)]
    return any(t.lower_ in preps for t in after)


# --- arguments -------------------------------------------------------------------


class _ArgFinder:
    """Finds the arguments of triggers in one parsed article."""

    def __init__(self, doc: Doc, article: Article, reference: dt.date | None) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text rebuilds the string on every access
        self.sentences = list(doc.sents)
        self._sent_starts = [s.start for s in self.sentences]
        self.article = article
        self.reference = reference
        self.gazetteer = Gazetteer.default()
        self.actors = ActorDictionary.default()
        self.datelines = [(m.start(), m.end()) for m in DATELINE.finditer(self.text)]
        self.dates = [d for d in find_dates(self.text, reference) if not self.in_dateline(d.start)]
        self.actor_matches = self.actors.find(self.text)
        self.countries = self._focus_countries()
        self.toponyms = self._toponyms()

    def in_dateline(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.datelines)

    # -- places
    def _candidate_spans(self) -> list[Span]:
        doc = self.doc
        # Where the report was filed is not where the event happened.
        taken: set[int] = set()
        for start, end in self.datelines:
            span = _span(doc, start, end)
            if span is not None:
                taken.update(range(span.start, span.end))
        for m in self.actor_matches:
            span = _span(doc, m.start, m.end)
            if span is None:
                continue
            if m.entry.generic:
                taken.add(span.root.i)  # "Police" is a Polish town; "Karachi police" is not
            else:
                taken.update(range(span.start, span.end))
        for d in self.dates:
            span = _span(doc, d.start, d.end)
            if span is not None:
                taken.update(range(span.start, span.end))
        spans: list[Span] = []
        for ent in doc.ents:
            if _named_as_place(ent):
                # "the village of Tangaye-Kossodo": a place, whatever the NER label says.
                ent = Span(doc, ent.start, ent.end, label="GPE")
            elif ent.label_ == "NORP" and self.gazetteer.demonym(ent.text) is None:
                # Not a nationality the data knows ("Somotillo" in a list of towns): left
                # to the proper-noun rule below, which wants a town of some size.
                continue
            elif ent.label_ == "PERSON" and _after_locative_preposition(ent):
                # "protested in Dakar" with Dakar read as a person: kept as a candidate,
                # accepted only if it names a city of some size (see _toponyms).
                pass
            elif ent.label_ in ("PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "NORP"):
                taken.update(range(ent.start, ent.end))
                continue
            if ent.label_ in ("GPE", "LOC", "FAC", "PERSON") and not taken & set(
                range(ent.start, ent.end)
            ):
                spans.append(ent)
                taken.update(range(ent.start, ent.end))
        run: list[Token] = []
        for tok in [*doc, None]:
            if (
                tok is not None
                and tok.pos_ == "PROPN"
                and tok.i not in taken
                and tok.text[:1].isupper()
            ):
                run.append(tok)
                continue
            if run:
                spans.append(doc[run[0].i : run[-1].i + 1])
                run = []
        return sorted(spans, key=lambda s: s.start)

    def _resolve_place(
        self, text: str, min_population: int, fallback: bool = False, loose: bool = False
    ) -> Place | None:
        text = re.sub(r"^(?:the|The)\s+", "", text).strip()
        if len(text) < 3:
            return None
        place = self.gazetteer.resolve(text, self.countries, fallback=fallback, loose=loose)
        if place is None:
            return None
        # GeoNames' population 0 means "unknown", as the gazetteer reads it too.
        if place.kind == "city" and (place.population or UNKNOWN_POPULATION) < min_population:
            return None
        return place

    def _toponyms(self) -> list[PlaceArg]:
        """Place names in the body. The parser's GPE/LOC entities are trusted down to small
        towns; a bare capitalised word must be a town of some size ("Street", "Mama" and
        "Rue" are towns too), and a word picked out of a longer name ("Karachi" in
        "Karachi Police Center") must be a city under its own name."""
        out: list[PlaceArg] = []
        for span in self._candidate_spans():
            is_entity = span.label_ in ("GPE", "LOC", "FAC")
            min_population = MIN_POP_ENTITY if is_entity else MIN_POP_PROPER_NOUN
            if span.label_ == "PERSON":  # a "person" after "in": only a city under its name
                min_population = MIN_POP_NAME_PART
            place = self._resolve_place(span.text, min_population)
            if place is None and span.label_ in ("GPE", "LOC"):
                # The parser says it is a place: one conflict coders placed, or another
                # spelling of one the data knows ("Deir Ezzor"), before its words alone.
                place = self._coded_place(span.text, span.end_char) or self._resolve_place(
                    span.text, min_population, loose=True
                )
            if place is None and len(span) > 1:
                place = self._within_named_country(span)
            if place is None and len(span) > 1 and not _is_street(span):
                for tok in span:
                    found = self._resolve_place(tok.text, MIN_POP_NAME_PART)
                    # A word out of a longer name: a city under its own name, a country,
                    # or a region of a country the report is about -- "West" of "West
                    # Welega" is no region of Cameroon.
                    if found is not None and (
                        found.kind == "country"
                        or (found.kind == "city" and found.name.lower() == tok.text.lower())
                        or (found.kind == "region" and found.country_code in self.countries)
                    ):
                        place, span = found, span.doc[tok.i : tok.i + 1]
                        break
            if place is None and span.label_ in ("GPE", "LOC"):
                # A place name the data lacks is still in the story's country ("Ilobasco").
                place = self._resolve_place(span.text, min_population, fallback=True)
            if place is not None and place.kind == "city" and place.geonames_id is not None:
                # "Ely (Minnesota)", "Yeadon, Pennsylvania": the namesake there (a place
                # the coders placed is placed already).
                quals = _qualifiers(self.text, span.end_char)
                place = self.gazetteer.qualified(span.text, quals) or self._within(place, quals)
            if place is not None and place.geonames_id is not None and span.label_ != "PERSON":
                place = self._coded_instead(span.text, span.end_char, place)
            if (
                place is not None
                and not is_entity
                and len(span) == 1
                and place.kind == "city"
                and (place.population or UNKNOWN_POPULATION) < MIN_POP_NAME_PART
                and _common_word(span.text)
            ):
                continue  # "Military Police forces", "University staff": Police, Poland?
            if place is not None and place.kind == "country" and _modifies_a_noun(span):
                continue  # "U.S. service members", "Pakistan army": whose, not where
            if place is not None and place.kind == "country" and not place.inferred:
                place, span = self._capital_of(place, span)
            if place is not None:
                out.append(PlaceArg(_text_span(span), place))
        return self._as_lists(out)

    @functools.cached_property
    def _country_names(self) -> list[str]:
        """The report's countries as ACLED's rows name them (the coders' places' key)."""
        return [self.actors.acled_country_name(c) or c for c in self.countries]

    def _coded_instead(self, name: str, end: int, place: Place) -> Place:
        """The coders' namesake of a place GeoNames knows, where the words after the name
        give its admin units ("Solhan (Solhan, Yagha)": Burkina Faso's, not Turkey's) or
        GeoNames' lies outside the report's countries and the coders' inside them."""
        kb = AcledPlaces.default()
        if not kb.candidates(name):
            return place
        actors = self.actors
        hints = admin_hints(self.text, end)
        coded = kb.resolve(name, hints, self._country_names)
        if coded is None:
            return place
        code = actors.country_code(coded.country)
        if code == place.country_code:
            return place
        named = bool(coded.admin_keys() & set(normalize(hints).split()))
        abroad = bool(self.countries) and place.country_code not in self.countries
        # With no country to go on, the coders' place, unless GeoNames' is a town of some
        # size and the coders' a namesake they rarely placed ("Kossa": Niger's).
        big = (place.population or 0) >= SMALL_TOWN and coded.rows < RARE_NAMESAKE
        theirs = {actors.country_code(p.country) for p in kb.candidates(name)}
        unsure = (
            not self.countries
            and not big
            and place.kind == "city"
            and place.country_code not in theirs
            and self.gazetteer.capital(place.country_code) != place
        )
        if named or (abroad and code in self.countries) or unsure:
            return to_place(coded, code)
        return place

    def _coded_place(self, name: str, end: int) -> Place | None:
        """A place name GeoNames lacks that conflict coders placed ("Eastern Ghouta",
        "Jobar"), in any spelling of it: the namesake the admin names after it (up to
        ``end``'s bracket or sentence end) or the report's countries support, else the one
        they coded most."""
        kb = AcledPlaces.default()
        spelled = kb.spelled(name)
        if not kb.candidates(spelled):
            return None
        countries = self._country_names
        hints = admin_hints(self.text, end)
        found = kb.resolve(spelled, hints, countries)
        if found is None or (
            spelled != name
            and (
                (countries and found.country not in countries)
                or kb.admin_unit(hints, countries) is not None
            )
        ):
            # another spelling of a place abroad, or of one elsewhere than the admin
            # units the text gives ("Kilimba (Koro, Mopti)" is no Kilamba in Angola)
            return None
        return to_place(found, self.actors.country_code(found.country))

    def _within_named_country(self, span: Span) -> Place | None:
        """ "South-West Cameroon", "northern Mali": a unit or town of the country the span
        ends with, read inside that country."""
        country = self.gazetteer.resolve(span[-1].text)
        if country is None or country.kind != "country":
            return None
        head = span.doc[span.start : span.end - 1].text.strip(" -,")
        if not head:
            return None
        inner = self.gazetteer.resolve(head, [country.country_code])
        if inner is None or inner.kind == "country" or inner.country_code != country.country_code:
            return None
        return inner

    def _within(self, place: Place, qualifiers: list[str]) -> Place:
        """ "El Alto, La Paz" where the data knows only a hamlet "El Alto" in Peru: the
        place the qualifier names, in its own country, beats a small namesake abroad."""
        if not qualifiers or (place.population or 0) >= QUALIFIED_TOWN:
            return place
        named = self.gazetteer.resolve(qualifiers[0], self.countries)
        if named is None or named.kind == "country" or named.country_code == place.country_code:
            return place
        return named

    def _as_lists(self, places: list[PlaceArg]) -> list[PlaceArg]:
        """Re-resolve toponyms written as one list together: they are usually neighbours
        ("Villanueva, Somotillo, San Pedro and San Francisco")."""
        spans = [(p.span.start, p.span.end) for p in places]
        for group in coordinated(self.text, spans):
            if len(group) < 2:
                continue
            names = [places[i].span.text for i in group]
            alone = [places[i].place for i in group]
            resolved = self.gazetteer.refine_list(names, alone, self.countries, fallback=True)
            for i, place in zip(group, resolved, strict=True):
                if place is not None:
                    places[i] = PlaceArg(places[i].span, place)
        return places

    def _capital_of(self, country: Place, span: Span) -> tuple[Place, Span]:
        """ "Somalia's capital", "the capital of Somalia": the capital city, not the country."""
        after = CAPITAL_AFTER.match(self.text, span.end_char)
        before = CAPITAL_BEFORE.search(self.text[max(0, span.start_char - 20) : span.start_char])
        if not after and not before:
            return country, span
        capital = self.gazetteer.capital(country.country_code)
        if capital is None:
            return country, span
        start = span.start_char - (len(before.group(0)) if before else 0)
        end = after.end() if after else span.end_char
        wider = self.doc.char_span(start, end, alignment_mode="expand")
        return capital, wider if wider is not None else span

    def _focus_countries(self) -> list[str]:
        """Countries the article is about, by how often they are named (headline twice)."""
        counts: dict[str, int] = {}
        texts = [self.article.headline or "", self.article.headline or "", self.text]
        for text in texts:
            for word in re.findall(r"\b[A-Z][\w'-]+(?:\s[A-Z][\w'-]+)?", text):
                code = self.gazetteer.demonym(word)
                if code is None and len(word) > 2:
                    place = self.gazetteer.resolve(word)
                    code = place.country_code if place and place.kind == "country" else None
                if code:
                    counts[code] = counts.get(code, 0) + 1
        return [c for c, _ in sorted(counts.items(), key=lambda kv: -kv[1])]

    def demonym_tokens(self, sent: Span) -> list[tuple[Token, str]]:
        out = []
        for tok in sent:
            if tok.text[:1].isupper() and tok.pos_ in ("ADJ", "PROPN", "NOUN"):
                code = self.gazetteer.demonym(tok.text)
                if code:
                    out.append((tok, code))
        return out

    # -- actors
    def actor_at(self, tok: Token) -> ActorArg | None:
        """The dictionary actor inside the phrase headed by ``tok`` (nearest the head)."""
        lo = min(t.idx for t in tok.subtree)
        hi = max(t.idx + len(t) for t in tok.subtree)
        best: tuple[int, ActorMatch] | None = None
        for m in self.actor_matches:
            if m.start >= lo and m.end <= hi:
                span = _span(self.doc, m.start, m.end)
                if span is None:
                    continue
                dist = tree_distance(tok, span.root)
                if best is None or dist < best[0]:
                    best = (dist, m)
        if best is None:
            return None
        m = best[1]
        if m.entry.generic:
            named = self._named_before(m)
            if named is not None:
                return named
        return ActorArg(TextSpan(m.start, m.end, m.text), m)

    def _named_before(self, noun: ActorMatch) -> ActorArg | None:
        found = named_before(self.text, self.actor_matches, noun.start)
        if found is None:
            return None
        start, group = found
        return ActorArg(TextSpan(start, noun.end, self.text[start : noun.end]), group)

    def sentence_of(self, tok: Token) -> Span:
        """The sentence holding a token (spaCy's Token.sent rescans the document)."""
        return self.sentences[bisect.bisect_right(self._sent_starts, tok.i) - 1]

    def resolve_pronoun(self, tok: Token) -> ActorArg | None:
        """'they'/'who' -> an actor: relative clauses first, then a named group in the
        same sentence, then the last named group before it."""
        if tok.lower_ in ("who", "which", "that") and tok.head.dep_ == "relcl":
            return self.actor_at(tok.head.head)
        if tok.lower_ not in ("they", "them", "he", "she", "it", "we"):
            return None
        sent = self.sentence_of(tok)
        named = [m for m in self.actor_matches if not m.entry.generic]
        for m in named:
            if sent.start_char <= m.start < sent.end_char:
                return ActorArg(TextSpan(m.start, m.end, m.text), m)
        before = [m for m in named if m.end <= sent.start_char]
        if before:
            m = before[-1]
            return ActorArg(TextSpan(m.start, m.end, m.text), m)
        return None

    def actor_of(self, tok: Token | None) -> ActorArg | None:
        if tok is None:
            return None
        if tok.pos_ == "PRON":
            return self.resolve_pronoun(tok)
        return self.actor_at(tok)


def _subject(verb: Token) -> Token | None:
    subj = _children(verb, "nsubj")
    if subj:
        return subj[0]
    if verb.dep_ in ("conj", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)
    if verb.dep_ == "relcl":
        return verb.head
    return None


def _prep_object(tok: Token, preps: tuple[str, ...]) -> Token | None:
    for prep in _children(tok, "prep"):
        if prep.lower_ in preps:
            objs = _children(prep, "pobj")
            if objs:
                return objs[0]
    return None


def _actor_tokens(tok: Token) -> tuple[list[Token], Token | None]:
    """(actor1 candidate tokens, best first; actor2 token) for a trigger, from its role."""
    lex = lexicon()
    if tok.pos_ == "VERB":
        passive = bool(_children(tok, "nsubjpass", "auxpass"))
        if passive:
            agent = next((c for c in tok.children if c.dep_ == "agent"), None)
            a1 = _children(agent, "pobj") if agent is not None else []
            a2 = _children(tok, "nsubjpass")
            return a1[:1], a2[0] if a2 else None
        obj = _children(tok, "dobj")
        a2 = obj[0] if obj else _prep_object(tok, ("against", "on", "with"))
        subject = _subject(tok)
        return [subject] if subject is not None else [], a2
    # A noun trigger: "TTP's attack", "a Taliban offensive", "an attack by X", the subject
    # of "carried out an attack", the claimant of "claimed responsibility for the attack".
    candidates = [
        c
        for c in tok.children
        if c.dep_ in ("poss", "compound", "nmod") and c.pos_ in ("PROPN", "NOUN", "PRON")
    ][::-1]
    candidates.append(_prep_object(tok, ("by",)))
    head = tok.head
    if tok.dep_ in ("dobj", "attr") and head.lemma_.lower() in lex["light_verbs"]:
        candidates.append(_subject(head))
    if tok.dep_ == "nsubjpass" and head.lemma_.lower() in lex["claim_verbs"]:
        agent = next((c for c in head.children if c.dep_ == "agent"), None)
        candidates += _children(agent, "pobj")[:1] if agent is not None else []
    if tok.dep_ == "pobj" and head.head.lemma_.lower() in lex["claim_nouns"]:
        claim = head.head
        if claim.head.pos_ == "VERB":
            candidates.append(_subject(claim.head))
    a2 = _prep_object(tok, ("on", "against", "with"))
    return [c for c in candidates if c is not None], a2


# --- tolls -------------------------------------------------------------------------


def _number_phrase(num: Token) -> Span:
    """The number token with its hedges: "at least 30", "a hundred", "between 10 and 15"."""
    left = num.i
    for c in num.children:
        # "More than a hundred": the parse makes "More" an amod of the number
        if c.dep_ in ("quantmod", "advmod", "det", "amod") and c.i < num.i:
            left = min(left, min(t.i for t in c.subtree))
    right = num.i
    for c in num.children:
        if c.dep_ in ("quantmod", "cc", "conj") and c.i > num.i:
            right = max(right, max(t.i for t in c.subtree))
    return num.doc[left : right + 1]


@functools.cache
def french_count_nouns() -> frozenset[str]:
    """French nouns of a count ("une dizaine de morts", "des centaines de civils"):
    ``numbers.json``."""
    raw = json.loads(resources.files("conflictlens.data").joinpath("numbers.json").read_text())
    return frozenset(raw["fr"]["count_nouns"])


def _french_count(noun: Token) -> str:
    """The count a French count noun makes with its determiner ("une" / "des" / "plusieurs")."""
    dets = [c.lower_ for c in noun.children if c.dep_ == "det" and c.i < noun.i]
    return " ".join([*dets[-1:], noun.lower_])


def _count_of(noun: Token) -> TollArg | None:
    language = "fr" if noun.doc.lang_ == "fr" else "en"
    for c in noun.children:
        if c.dep_ in ("nummod", "quantmod") or (
            c.dep_ == "amod" and c.lower_ in ("dozens", "hundreds", "several", "many")
        ):
            phrase = _number_phrase(c)
            figures = parse_toll(phrase.text, language)
            if figures is not None:
                return TollArg(_text_span(phrase), figures)
    if language == "fr" and noun.lower_.removesuffix("s") in french_count_nouns():
        figures = parse_toll(_french_count(noun), "fr")  # "une dizaine d'assaillants"
        if figures is not None:
            return TollArg(_text_span(noun.doc[noun.i : noun.i + 1]), figures)
    head = noun.head
    if (
        language == "fr"
        and noun.dep_ == "nmod"
        and head.i < noun.i
        and head.lower_.removesuffix("s") in french_count_nouns()
    ):
        figures = parse_toll(_french_count(head), "fr")  # "une centaine de morts"
        if figures is not None:
            return TollArg(_text_span(noun.doc[head.i : head.i + 1]), figures)
    if _children(noun, "prep") and noun.lower_ in ("dozens", "hundreds", "thousands", "scores"):
        figures = parse_toll(noun.text)  # "dozens of people", "hundreds of civilians"
        if figures is not None:
            return TollArg(_text_span(noun.doc[noun.i : noun.i + 1]), figures)
    if noun.pos_ == "NUM" or noun.lower_ in ("dozens", "hundreds", "thousands"):
        phrase = _number_phrase(noun)
        figures = parse_toll(phrase.text, language)
        if figures is not None:
            return TollArg(_text_span(phrase), figures)
    return None


def find_tolls(sent: Span) -> tuple[list[tuple[Token, TollArg]], list[tuple[Token, TollArg]]]:
    """(deaths, injuries) in a sentence, each with the word that carries it."""
    lex = lexicon()
    deaths: list[tuple[Token, TollArg]] = []
    injuries: list[tuple[Token, TollArg]] = []
    for tok in sent:
        lemma = tok.lemma_.lower()
        is_death_verb = tok.pos_ == "VERB" and lemma in lex["death_verbs"]
        is_injury_verb = tok.pos_ == "VERB" and lemma in lex["injury_verbs"]
        if is_death_verb or is_injury_verb:
            # UD (the French model): nsubj:pass, obj
            target = _children(tok, "nsubjpass", "dobj", "nsubj:pass", "obj", "obl:arg") or (
                _children(tok, "nsubj")
                if lemma in lex["subject_death_verbs"] or tok.tag_ == "VBN"
                else []
            )
            for t in target:
                toll = _count_of(t)
                if toll:
                    (deaths if is_death_verb else injuries).append((tok, toll))
        elif (
            tok.pos_ == "ADJ"
            and lemma in lex["death_words"]
            and tok.dep_ in ("acomp", "oprd", "xcomp", "advcl")
            and tok.head.pos_ == "VERB"
        ):
            # "two protesters were shot dead"
            for t in _children(tok.head, "nsubjpass", "dobj"):
                toll = _count_of(t)
                if toll:
                    deaths.append((tok, toll))
        elif (tok.pos_ in ("NOUN", "ADJ") or (tok.pos_ == "PROPN" and tok.is_upper)) and (
            lemma in lex["death_words"] or lemma in lex["injury_words"]
        ):  # "30 people dead", "1 KIA, 2 WIA" (the parse makes the abbreviations names)
            toll = _count_of(tok)
            if toll is None and tok.dep_ in ("amod", "acomp") and tok.head.pos_ == "NOUN":
                toll = _count_of(tok.head)  # "30 people dead" / "five wounded soldiers"
            if toll:
                (deaths if lemma in lex["death_words"] else injuries).append((tok, toll))
    return deaths, injuries


# --- the stage ---------------------------------------------------------------------


@dataclass
class Extraction:
    """One article's mentions and what the later stages (the role tagger, the coder)
    need to add to them: the sentences, and every date and dictionary actor found."""

    mentions: list[EventMention]
    context: Context
    sentences: list[Span]
    text: str = ""
    dates: list[DateMention] = field(default_factory=list)
    actor_matches: list[ActorMatch] = field(default_factory=list)
    language: str = "en"  # of the parse (``analyse.model_language``): word lists follow it


def extract(
    article: Article, doc: Doc, reference: dt.date | None
) -> tuple[list[EventMention], Context]:
    """Every event mention in the article, in text order, with its arguments."""
    found = extract_mentions(article, doc, reference)
    add_model_roles([found])
    return found.mentions, found.context


def extract_mentions(article: Article, doc: Doc, reference: dt.date | None) -> Extraction:
    """:func:`extract` without the trained role tagger's fillers, which
    :func:`add_model_roles` adds to many articles at once (one tagger pass is cheaper
    than one per article)."""
    lex = lexicon()
    finder = _ArgFinder(doc, article, reference)
    mentions: list[EventMention] = []
    temporal_cues = [re.compile(rf"\b{re.escape(c)}\b", re.I) for c in lex["temporal_anaphora"]]
    explosive = lex["attack_refinement"]["explosive_cues"]

    sentences = finder.sentences  # spaCy recomputes doc.sents on every access
    for s_index, sent in enumerate(sentences):
        sent_span = _text_span(sent)
        triggers: list[tuple[Token, dict]] = []
        for tok in sent:
            entry = _trigger_entry(tok)
            if entry is None or _is_irrealis(tok):
                continue
            if tok.pos_ != "VERB" and _is_generic_plural(tok):
                continue
            if "prep_after" in entry and not _has_prep_after(
                tok, sent, entry["prep_after"], entry.get("window", 6)
            ):
                continue
            triggers.append((tok, entry))
        deaths, injuries = find_tolls(sent)
        if not triggers and not deaths and not injuries:
            continue

        sent_dates = [d for d in finder.dates if sent.start_char <= d.start < sent.end_char]
        sent_places = [
            p for p in finder.toponyms if sent.start_char <= p.span.start < sent.end_char
        ]
        cues = {t.lemma_.lower() for t in sent if t.lemma_.lower() in explosive}
        # Span.text is rebuilt token by token on every access: slice the body instead.
        head = finder.text[sent.start_char : min(sent.end_char, sent.start_char + 40)]
        temporal = any(c.search(head) for c in temporal_cues)

        # Each date and place belongs to the trigger nearest to it in the tree.
        live = [t for t, _ in triggers]
        date_owner: dict[Token | None, list[DateMention]] = {}
        for d in sent_dates:
            date_owner.setdefault(_owner(doc, live, d.start, d.end), []).append(d)
        place_owner: dict[Token | None, list[PlaceArg]] = {}
        for p in sent_places:
            place_owner.setdefault(_owner(doc, live, p.span.start, p.span.end), []).append(p)

        demonyms = finder.demonym_tokens(sent)
        sent_weapons = _weapons(sent)
        sent_actors = [
            ActorArg(TextSpan(a.start, a.end, a.text), a)
            for a in finder.actor_matches
            if sent.start_char <= a.start < sent.end_char
        ]
        for tok, entry in triggers:
            own_dates = date_owner.get(tok, [])
            own_places = place_owner.get(tok, [])
            subtree = {t.i for t in tok.subtree}
            own_args_in_subtree = any(
                (s := _span(doc, x.start, x.end)) is not None and s.root.i in subtree
                for x in own_dates
            ) or any(
                (s := _span(doc, p.span.start, p.span.end)) is not None and s.root.i in subtree
                for p in own_places
            )
            anaphoric = _is_anaphoric(tok, own_args_in_subtree)
            m = EventMention(
                trigger=_text_span(doc[tok.i : tok.i + 1]),
                lemma=tok.lemma_.lower(),
                kind=entry["kind"],
                event_type=entry.get("type"),
                sub_event_type=entry.get("sub"),
                sentence=sent_span,
                sentence_index=s_index,
                weak=bool(entry.get("weak")),
                anaphoric=anaphoric,
                temporal_anaphora=temporal and not own_dates,
                cues=set(cues),
                pluperfect=any(c.lower_ == "had" for c in _children(_governor(tok), "aux")),
            )
            if not anaphoric:
                if own_dates:
                    m.date = _pick_date(doc, finder.text, tok, own_dates)
                if own_places:
                    m.place = _pick_place(doc, tok, own_places)
                if m.place is None:
                    m.place_is_context_ref = any(
                        t.lemma_.lower() in lex["generic_place_nouns"]
                        and any(c.lower_ in lex["definite_articles"] for c in t.children)
                        for t in sent
                    )
                close = [(tree_distance(tok, t), code) for t, code in demonyms]
                if close:
                    m.country_hint = min(close)[1]
            m.attribution = _attribution(tok, sent)
            a1_candidates, a2_tok = _actor_tokens(tok)
            # The first candidate that names an actor ("air" in "air strikes" names none).
            a1_tok = next((c for c in a1_candidates if finder.actor_of(c) is not None), None)
            if a1_tok is None and a1_candidates:
                a1_tok = a1_candidates[0]
            if a1_tok is not None and _is_individual(a1_tok):
                m.perpetrators = [p for p in [_phrase(a1_tok)] if p]
            violent = entry.get("type") in (None, *VIOLENT_TYPES)
            for obj in _object_tokens(tok, a2_tok) if violent else []:
                phrase = _phrase(obj)
                if phrase is None or obj.ent_type_ in ("GPE", "LOC", "DATE", "TIME", "NORP"):
                    continue  # a place or a date is not what was attacked
                if obj.lemma_.lower() in ("police", "army", "government"):
                    continue  # an institution is an actor, not a victim or a target
                if _is_human(obj):
                    m.victims.append(_person_in(obj) or phrase)
                else:
                    m.targets.append(phrase)
            m.weapons = sent_weapons
            m.actor1 = finder.actor_of(a1_tok)
            if m.actor1 is None and tok.pos_ != "VERB" and m.kind in lex["demonym_actor"]["kinds"]:
                m.actor1 = _demonym_actor(tok, demonyms)
            m.actor2 = finder.actor_of(a2_tok)
            m.sentence_actors = sent_actors
            if m.actor2 is None:
                preps = lex["object_preps"].get(m.kind, lex["object_preps"]["default"])
                m.actor2 = _actor_after(finder, tok, sent, preps, entry.get("window", 10))
            if m.actor1 is not None and m.actor2 is not None and m.actor1.span == m.actor2.span:
                m.actor2 = None
            mentions.append(m)

        # Tolls go to the nearest trigger; without one they make a toll-only mention.
        here = [x for x in mentions if x.sentence_index == s_index and not x.toll_only]
        for found, attr in ((deaths, "fatalities"), (injuries, "injured")):
            for word, toll in found:
                if here:
                    target = min(here, key=lambda x, w=word: _distance_to(doc, w, x.trigger))
                    if getattr(target, attr) is None:
                        setattr(target, attr, toll)
                    continue
                m = EventMention(
                    trigger=_text_span(doc[word.i : word.i + 1]),
                    lemma=word.lemma_.lower(),
                    kind="toll",
                    event_type=None,
                    sub_event_type=None,
                    sentence=sent_span,
                    sentence_index=s_index,
                    weak=True,
                    toll_only=True,
                    cues=set(cues),
                )
                setattr(m, attr, toll)
                if attr == "fatalities":
                    # "une centaine de policiers avaient été tués": whom the toll counts
                    m.actor2 = _counted_actor(finder, doc, toll)
                mentions.append(m)
    return Extraction(
        mentions,
        Context(reference, finder.countries, finder.toponyms, finder.actor_matches),
        sentences,
        finder.text,
        finder.dates,
        finder.actor_matches,
        model_language(article.language),
    )


def _counted_actor(finder: _ArgFinder, doc: Doc, toll: TollArg) -> ActorArg | None:
    """The dictionary actor a toll counts ("two soldiers", "une centaine de policiers"):
    the phrase the count heads, or the noun the number modifies."""
    words = _span(doc, toll.span.start, toll.span.end)
    if words is None:
        return None
    noun = words.root.head if words.root.dep_ == "nummod" else words.root
    return finder.actor_at(noun)


def _demonym_actor(tok: Token, demonyms: list[tuple[Token, str]]) -> ActorArg | None:
    """'an Israeli air strike': a demonym modifying the trigger names that state's forces."""
    for dem, code in demonyms:
        if dem.head == tok or (dem.head.head == tok and dem.head.dep_ == "compound"):
            return ActorArg(TextSpan(dem.idx, dem.idx + len(dem), dem.text), None, code)
    return None


#: Trained role labels -> EventMention fields (PerpOrg goes to ``perpetrator_groups``).
MODEL_ROLE_FIELDS = {
    "PerpInd": "perpetrators",
    "PerpOrg": "perpetrator_groups",
    "Victim": "victims",
    "Target": "targets",
    "Weapon": "weapons",
}


def _role_mentions(mentions: list[EventMention]) -> dict[int, list[EventMention]]:
    """Sentence index -> the mentions there that may have victims and targets."""
    by_sentence: dict[int, list[EventMention]] = {}
    for m in mentions:
        if not m.toll_only and m.event_type in (None, *VIOLENT_TYPES):
            by_sentence.setdefault(m.sentence_index, []).append(m)
    return by_sentence


def add_model_roles(extractions: list[Extraction]) -> None:
    """Role fillers from the trained tagger (conflictlens.roles), run only on the sentences
    that hold an event: it finds victims and targets the dependency rules miss. The
    sentences of all the given articles go through the tagger together."""
    jobs = [
        (found.sentences[i], here)
        for found in extractions
        for i, here in sorted(_role_mentions(found.mentions).items())
    ]
    texts = [sent.text for sent, _ in jobs]
    for (sent, here), spans in zip(jobs, find_roles_many(texts), strict=True):
        for span in spans:
            field_name = MODEL_ROLE_FIELDS.get(span.label)
            if field_name is None:
                continue
            start = sent.start_char
            text_span = TextSpan(start + span.start, start + span.end, span.text)
            # One sentence, one set of participants: every mention in it shares them.
            for m in here:
                existing = getattr(m, field_name)
                if not any(_overlaps(text_span, e) for e in existing):
                    existing.append(text_span)


def _overlaps(a: TextSpan, b: TextSpan) -> bool:
    return a.start < b.end and b.start < a.end


def _owner(doc: Doc, triggers: list[Token], start: int, end: int) -> Token | None:
    """The trigger a date or place phrase belongs to: nearest in the tree, then in text."""
    span = _span(doc, start, end)
    if span is None or not triggers:
        return None
    root = span.root
    return min(triggers, key=lambda t: (tree_distance(t, root), abs(t.i - root.i)))


def _distance_to(doc: Doc, tok: Token, target: TextSpan) -> int:
    span = _span(doc, target.start, target.end)
    return tree_distance(tok, span.root) if span is not None else 99


@functools.cache
def role_lexicon() -> dict:
    return json.loads(resources.files("conflictlens.data").joinpath("roles.json").read_text())


def _phrase(tok: Token | None) -> TextSpan | None:
    """The noun phrase a token heads, without relative clauses: "members of the FMLN"."""
    if tok is None or tok.pos_ not in ("NOUN", "PROPN", "NUM"):
        return None
    doc = tok.doc
    left = tok.left_edge.i
    right = tok.i
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            right = max(right, child.right_edge.i)
        elif child.dep_ in ("compound", "amod", "nummod", "appos") and child.i == right + 1:
            right = child.right_edge.i
    while left < right and doc[left].is_punct:
        left += 1
    return _text_span(doc[left : right + 1])


def _is_human(tok: Token) -> bool:
    lex = role_lexicon()["human_nouns"]
    if tok.ent_type_ == "PERSON" or tok.lemma_.lower() in lex or tok.lower_ in lex:
        return True
    if tok.pos_ == "NUM" and any(c.lemma_.lower() in lex for c in tok.children):
        return True
    # "dozens of people", "hundreds of civilians"
    return any(
        o.lemma_.lower() in lex
        for prep in _children(tok, "prep")
        if prep.lower_ == "of"
        for o in _children(prep, "pobj")
    )


def _person_in(tok: Token) -> TextSpan | None:
    """The name inside a victim phrase: "the daughter of the ambassador, Nadine X" -> the name."""
    for ent in tok.doc.ents:
        if (
            ent.label_ == "PERSON"
            and tok.left_edge.i <= ent.start
            and ent.end <= tok.right_edge.i + 1
        ):
            return _text_span(ent)
    return None


def _is_individual(tok: Token) -> bool:
    """Perpetrators as people ("gunmen", "members of X"), as opposed to an organisation."""
    return tok.pos_ == "NOUN" and (
        tok.lemma_.lower() in role_lexicon()["individual_perpetrators"]
        or tok.lower_ in role_lexicon()["individual_perpetrators"]
    )


def _object_tokens(tok: Token, a2_tok: Token | None) -> list[Token]:
    """What an event is done to: its object, plus places attacked ("bomb at the embassy")."""
    out = [a2_tok] if a2_tok is not None and a2_tok.pos_ != "PRON" else []
    preps = role_lexicon()["target_preps"]
    for prep in _children(tok, "prep"):
        if prep.lower_ in preps:
            out += [
                o
                for o in _children(prep, "pobj")
                if o not in out and o.ent_type_ not in ("DATE", "TIME", "GPE")
            ]
    for conj in _children(out[0], "conj") if out else []:
        out.append(conj)
    return out


def _weapons(sent: Span) -> list[TextSpan]:
    lex = role_lexicon()["weapons"]
    found: list[TextSpan] = []
    for tok in sent:
        if tok.pos_ == "NOUN" and (tok.lemma_.lower() in lex or tok.lower_ in lex):
            if tok.dep_ == "compound" and tok.head.lemma_.lower() in lex:
                continue  # "car bomb": the head noun names the weapon
            phrase = _phrase(tok)
            if phrase is not None:
                found.append(phrase)
    return found


def _attribution(tok: Token, sent: Span) -> TextSpan | None:
    """Who the sentence says states the event: "..., officials said", "according to X"."""
    lex = lexicon()
    for t in sent:
        source = None
        if t.lemma_.lower() in lex["attribution_verbs"] and t.pos_ == "VERB":
            subj = _children(t, "nsubj")
            if (
                subj
                and subj[0].pos_ in ("NOUN", "PROPN")
                and tok in t.subtree
                and tok not in subj[0].subtree
            ):
                source = subj[0]
        elif t.lower_ == "according" and _children(t, "prep"):
            objs = _children(_children(t, "prep")[0], "pobj")
            if objs and tok.i < t.i or objs and tok not in objs[0].subtree:
                source = objs[0] if objs else None
        elif (
            t.lower_ in lex["source_prepositions"]
            and t.dep_ == "case"
            and tok not in t.head.subtree
        ):
            source = t.head  # French "selon des sources locales"
        if source is not None:
            words = [w for w in source.subtree if w.dep_ not in ("relcl", "punct", "cc")]
            words = [w for w in words if w.i <= source.i + 4][-6:]
            return TextSpan(
                words[0].idx,
                words[-1].idx + len(words[-1]),
                sent.doc[words[0].i : words[-1].i + 1].text,
            )
    return None


def _pick_date(doc: Doc, text: str, tok: Token, dates: list[DateMention]) -> DateMention:
    scored = []
    for d in dates:
        span = _span(doc, d.start, d.end)
        scored.append((tree_distance(tok, span.root) if span is not None else 99, d))
    date = min(scored, key=lambda x: x[0])[1]
    return point_of_when_clause(date, text, tok.idx)


def _pick_place(doc: Doc, tok: Token, places: list[PlaceArg]) -> PlaceArg:
    scored = []
    for p in places:
        span = _span(doc, p.span.start, p.span.end)
        dist = tree_distance(tok, span.root) if span is not None else 99
        if span is not None and span.root.dep_ in ("nsubj", "nsubjpass", "poss", "compound"):
            dist += 3  # "Turkey kills 3 militants in northern Syria": who, not where
        scored.append((dist, p))
    scored.sort(key=lambda x: x[0])
    best = scored[0][1]
    # A country never hides a city of that country named for the same event.
    for _, p in scored[1:]:
        if (
            best.place.kind == "country"
            and p.place.kind != "country"
            and p.place.country_code == best.place.country_code
        ):
            return p
    return best


def _actor_after(
    finder: _ArgFinder, tok: Token, sent: Span, preps: list[str], window: int
) -> ActorArg | None:
    """Surface fallback for mis-attached PPs: "operation on Friday, against the police"."""
    for t in sent.doc[tok.i + 1 : min(sent.end, tok.i + 1 + window)]:
        if t.lower_ in preps:
            objs = _children(t, "pobj")
            found = finder.actor_at(objs[0]) if objs else None
            if found is not None:
                return found  # "on Friday" names no one: keep looking
    return None
