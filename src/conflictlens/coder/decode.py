"""code: the learned coder over a report's event-bearing sentences -> typed mentions.

Extraction (the parse rules) -> Extraction with the coder's decisions applied.

The rules find candidate events and their arguments well where the parse is clean; what
they cannot do is judge a sentence the way a coder does -- is it a shelling or an armed
clash, a peaceful protest or one met with tear gas, political violence or a car crash.
The coder reads each event-bearing sentence and decides:

- the sub-type of every rule mention in it (the rules' own type is only a fallback for
  sentences the coder did not read);
- that a sentence reports no event ("none"): its rule mentions are dropped;
- that a sentence the rules found nothing in reports an event: a mention is added,
  anchored on the sentence's main verb;
- the arguments it points at -- actor 1, actor 2, associated actor, place, toll, date --
  which replace the rules' choice where it marks one, each still an offset into the text.

Only sentences that need it are encoded (speed): those holding a rule mention or a
violence cue, and at most ``BUDGET_PIECES`` word pieces a report, lead first -- news puts
the event first.

A language the parse rules do not read (French) has the trigger lexicon as the coder's
prior instead: its ``event_words`` say which kinds of event a sentence can tell, if any
(:func:`_read_words`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from conflictlens.actors import ARMED_GROUP_CATEGORIES, ActorDictionary
from conflictlens.coder.labels import NUMBER_FR
from conflictlens.coder.labels import lexicon as coder_lexicon
from conflictlens.coder.model import MAX_PIECES, CodedSpan, Coder, Coding, default_coder
from conflictlens.coder.pieces import encode
from conflictlens.coder.taxonomy import ACLED_TAXONOMY, NONE, SUBTYPES
from conflictlens.dates import point_of_when_clause
from conflictlens.gazetteer import Gazetteer, normalize
from conflictlens.kb.places import (
    RARE_NAMESAKE,
    SMALL_TOWN,
    AcledPlaces,
    admin_hints,
    to_place,
)
from conflictlens.models import Fatalities
from conflictlens.stages.extract import (
    ActorArg,
    CodedType,
    EventMention,
    Extraction,
    PlaceArg,
    TextSpan,
    TollArg,
    _attribution,
    _is_irrealis,
    lexicon,
    named_before,
)
from conflictlens.tolls import parse_number, parse_toll

#: Word pieces encoded per report at most (a piece is ~4.5 characters of English).
BUDGET_PIECES = 256
CHARS_PER_PIECE = 4.5
#: In a long article, where the coder only retypes, it reads the lead: this many pieces
#: (speed: 256 pieces cost 41 ms a report, the pipeline 1.6x the parse).
LONG_BUDGET = 96
#: In a report the parse rules cannot read (not English), the coder reads up to this
#: many pieces of its event-bearing sentences: it finds every event there.
FOREIGN_BUDGET = 1024
#: Below this probability of an event the sentence's rule mentions are dropped.
NONE_GATE = 0.5
#: Rule triggers the coder's "none" overrules: a death or an injury says nothing of who
#: or why (a crash, a murder, an epidemic).
WEAK_LEMMAS = frozenset({"kill", "die", "dead", "death", "murder", "wound", "injure"})
#: A sentence without a rule mention gets a coder mention from this probability on.
NEW_EVENT = 0.6
#: ... and when its most likely sub-type has at least this probability ("Commandos
#: surrounded the building": an event, 0.98, but of no clear sub-type, 0.39).
NEW_SUBTYPE = 0.5
#: The coder retypes a rule mention from this sub-type probability on.
RETYPE = 0.8
#: Below this the coder is unsure of the sub-type, and a French sentence's event words
#: ("attentat", "cessez-le-feu") choose among the sub-types they allow.
CUE_PRIOR = 0.6
#: ... and in a long article, from this one.
RETYPE_LONG = 0.95
#: Longest sentence read whole (in characters); longer ones are cut (the coder's window).
MAX_CHARS = 560


@functools.cache
def _cues(language: str = "en") -> re.Pattern[str]:
    """The violence cues of a report's language ("killed", "tués"), which choose the
    sentences worth encoding in a long report and anchor a coder mention."""
    return re.compile("|".join(coder_lexicon(language)["violence_cues"]), re.I)


def _split_type(subtype: str) -> tuple[str, str]:
    for event_type in ACLED_TAXONOMY:
        if subtype.startswith(event_type + "/"):
            return event_type, subtype[len(event_type) + 1 :]
    raise ValueError(subtype)


def select_sentences(found: Extraction, budget: int = BUDGET_PIECES) -> list[int]:
    """Indices of the sentences to encode, in text order, within the piece budget."""
    with_mentions = {m.sentence_index for m in found.mentions}
    cues = _cues(found.language)
    costs = [min(s.end_char - s.start_char, MAX_CHARS) / CHARS_PER_PIECE for s in found.sentences]
    if sum(costs) <= min(budget, BUDGET_PIECES):  # a coder's note, a brief: read it all
        return list(range(len(found.sentences)))
    chosen: list[int] = []
    spent = 0.0
    for i, sent in enumerate(found.sentences):
        text = found.text[sent.start_char : sent.end_char]
        if i not in with_mentions and not cues.search(text):
            continue
        if spent + costs[i] > budget and chosen:
            break
        chosen.append(i)
        spent += costs[i]
    return chosen


def code_extractions(extractions: list[Extraction], coder: Coder | None = None) -> None:
    """Apply the coder to the chosen sentences of every extraction: each report with the
    coder of its language (``coder`` for all of them when given)."""
    by_language: dict[str, list[Extraction]] = {}
    for found in extractions:
        by_language.setdefault(found.language, []).append(found)
    for language, group in by_language.items():
        chosen = coder or default_coder(language)
        if chosen is not None:  # no weights installed: the rules stand alone
            _code(group, chosen)


def _code(extractions: list[Extraction], coder: Coder) -> None:
    # The parse rules read English only: in a report in another language the coder
    # decides every sentence it reads, as in a short report.
    short = {id(f): _is_short(f) or f.language != "en" for f in extractions}
    jobs = [(found, window) for found in extractions for window in windows(found, short[id(found)])]
    texts = [_window_text(found, window) for found, window in jobs]
    for (found, window), coding in zip(jobs, coder.code(texts), strict=True):
        apply_coding(found, window, coding, full=short[id(found)])


def windows(found: Extraction, short: bool) -> list[list[int]]:
    """The sentence groups encoded together. A report that fits one coder window is read
    as one, the way the coder was trained (a note's event and its toll, date and actors
    are often in different sentences: "... clashed near Kopyliv. Casualties unknown."),
    unless the rules found events in more than one sentence; otherwise each chosen
    sentence is a window of its own."""
    told = {m.sentence_index for m in found.mentions if not m.toll_only and not m.weak}
    if short and found.sentences and len(told) <= 1:  # several events: sentence by sentence
        whole = list(range(len(found.sentences)))
        if len(encode([_window_text(found, whole)])[0][0]) <= MAX_PIECES:
            return [whole]
    budget = BUDGET_PIECES if short else LONG_BUDGET
    if found.language != "en":
        budget = FOREIGN_BUDGET
    return [[i] for i in select_sentences(found, budget)]


def _window_text(found: Extraction, window: list[int]) -> str:
    first, last = found.sentences[window[0]], found.sentences[window[-1]]
    end = last.end_char if len(window) > 1 else min(last.end_char, first.start_char + MAX_CHARS)
    return found.text[first.start_char : end]


def _is_short(found: Extraction) -> bool:
    """A report within the piece budget: a brief, a snippet, a coder's note -- the kind
    of text the coder was trained on, read whole."""
    chars = sum(min(s.end_char - s.start_char, MAX_CHARS) for s in found.sentences)
    return chars / CHARS_PER_PIECE <= BUDGET_PIECES


def apply_coding(
    found: Extraction, window: int | list[int], coding: Coding, full: bool = True
) -> None:
    """One window's coding (a sentence, or a short report's sentences) -> its mentions
    (see the module docstring). Not ``full`` (a long article: interviews, commentary,
    background, which the coder, trained on coders' notes, reads less well than the rules
    tuned on such reports): the coder only retypes a rule mention it is very sure of; it
    neither drops nor adds events."""
    indices = [window] if isinstance(window, int) else list(window)
    inside = set(indices)
    offset = found.sentences[indices[0]].start_char
    here = [m for m in found.mentions if m.sentence_index in inside]
    if not full:
        strong = [m for m in here if not m.toll_only]
        subtype, probability = coding.best_event_subtype()
        if strong and coding.p_event >= NONE_GATE and probability >= RETYPE_LONG:
            event_type, sub_type = _split_type(subtype)
            for m in strong:
                m.coded = CodedType(event_type, sub_type, probability)
                m.event_type, m.sub_event_type = event_type, sub_type
        return
    if coding.p_event < NONE_GATE:
        # "none": a killing alone is no political violence (a car crash, a murder); weak
        # cues and bare tolls only ever join an event, so they stay; a strong trigger
        # ("the attack on the police compound") stays, typed by
        # the rules -- the coder, trained on coders' notes, reads commentary and
        # interview sentences as "none" too often to overrule one.
        found.mentions[:] = [
            m
            for m in found.mentions
            if m.sentence_index not in inside or m.weak or m.toll_only or m.lemma not in WEAK_LEMMAS
        ]
        return
    subtype, probability = coding.best_event_subtype()
    coder_subtype = subtype  # the coder's own reading: whether there is an event at all
    worded = _read_words(found, indices, coding, subtype, probability)
    subtype, probability = worded.subtype, worded.probability
    event_type, sub_type = _split_type(subtype)
    # Weak cues ("injured", "died") only ever join an event: alone they are not one.
    strong = [m for m in here if not m.toll_only and not m.weak]
    if not strong:
        if worded.silent:
            return  # "L'impact a été très fort sur la police": no word for an event
        if coding.p_event < NEW_EVENT or (
            _family_share(coding, coder_subtype) < NEW_SUBTYPE and not worded.told
        ):
            return  # unsure what happened: no event of its own
        if found.language != "en" and _a_later_toll(found, indices, here):
            # "Une dizaine de blessés ont été évacués": the toll of the event told before,
            # which the merge joins to it, not an event of its own
            return
        index = _event_sentence(found, indices, coding, offset)
        sent = found.sentences[index]
        root = _anchor(sent, found.language)
        if _unreal(root) or _unreal(sent.root):
            return  # "threatened to attack", "did not bomb": the parse rules' judgement
        m = EventMention(
            trigger=TextSpan(root.idx, root.idx + len(root), root.text),
            lemma=root.lemma_.lower(),
            kind="coded",
            event_type=event_type,
            sub_event_type=sub_type,
            sentence=TextSpan(
                sent.start_char, sent.end_char, found.text[sent.start_char : sent.end_char]
            ),
            sentence_index=index,
        )
        if found.language != "en":  # the parse rules, which set it, read English only
            m.attribution = _attribution(root, sent)
        tolls = [t for t in here if t.toll_only]
        for t in tolls:  # a bare toll statement becomes this event's toll
            m.fatalities = m.fatalities or t.fatalities
            m.injured = m.injured or t.injured
        found.mentions[:] = [x for x in found.mentions if x not in tolls]
        _insert(found, m)
        strong = [m]
    if probability < RETYPE and strong[0].kind != "coded":
        # Unsure of the sub-type: the rules' type and arguments stand; the coder's spans
        # fill only what the rules left empty (a place the rules did not find).
        ruled = any(x.fatalities is not None for x in found.mentions if x.sentence_index in inside)
        _arguments(found, strong[0], offset, coding, ruled, fill_only=True)
        return
    coded = CodedType(event_type, sub_type, probability)
    for m in found.mentions:
        if m.sentence_index in inside and not m.toll_only:
            m.coded = coded
            m.event_type, m.sub_event_type = event_type, sub_type
    ruled_toll = any(x.fatalities is not None for x in found.mentions if x.sentence_index in inside)
    _arguments(found, strong[0], offset, coding, ruled_toll)
    if strong[0].kind == "coded" and strong[0].date is None:
        # the rules' own mentions keep the rules' reading of their dates
        strong[0].date = _sentence_date(found, strong[0], indices)


@dataclass
class _Worded:
    """A window's reading with its words' say: the sub-type and its probability, whether
    the window tells no event of its own (``silent``), and whether its words name one by
    themselves (``told``)."""

    subtype: str
    probability: float
    silent: bool = False
    told: bool = False


def _read_words(
    found: Extraction, indices: list[int], coding: Coding, subtype: str, probability: float
) -> _Worded:
    """The trigger lexicon as the coder's prior, for a language whose lexicon has event
    words (French; English has the parse rules). In a long report (an interview, a
    commentary: not the notes the coder learnt from) a sentence with none tells no event
    of its own, and where the coder is unsure of the sub-type the likeliest of those its
    words allow is taken ("un attentat" is no mob violence). In a brief or a note the
    coder's reading stands, but words that name an event keep one where it hesitates
    between kinds."""
    if not _event_words(found.language):
        return _Worded(subtype, probability)
    text = _window_text(found, indices)
    cued = _cued_types(text, found.language) or set()
    told = _told_types(text, found.language)
    unsure = probability < CUE_PRIOR
    if _is_short(found):
        if told and unsure and _family_share(coding, subtype) < NEW_SUBTYPE:
            return _Worded(*_best_cued(coding, told), told=True)
        return _Worded(subtype, probability)
    if not cued:
        return _Worded(subtype, probability, silent=True)
    if unsure and not _allowed(subtype, cued):
        best, p = _best_cued(coding, cued)
        return _Worded(best, p, told=_allowed(best, told))
    return _Worded(subtype, probability)


@functools.cache
def _event_words(language: str) -> tuple[tuple[re.Pattern[str], tuple[str, ...], bool], ...]:
    words = (coder_lexicon(language).get("event_words") or {}).get("words", [])
    return tuple(
        (re.compile(w["cue"], re.I), tuple(w["types"]), bool(w.get("tells"))) for w in words
    )


def _cued_types(text: str, language: str) -> set[str] | None:
    """The ACLED types and sub-types the event words of ``text`` allow (the language's
    ``event_words``); None where its lexicon lists none (English: the rules type)."""
    words = _event_words(language)
    if not words:
        return None
    return {t for pattern, types, _ in words if pattern.search(text) for t in types}


def _told_types(text: str, language: str) -> set[str]:
    """The types allowed by the event words of ``text`` that name an event by themselves
    ("un attentat", "ont repris le pouvoir")."""
    return {
        t
        for pattern, types, tells in _event_words(language)
        if tells and pattern.search(text)
        for t in types
    }


def _allowed(subtype: str, types: set[str]) -> bool:
    return any(subtype == t or subtype.startswith(t + "/") for t in types)


def _best_cued(coding: Coding, types: set[str]) -> tuple[str, float]:
    """The coder's likeliest sub-type among those ``types`` allow."""
    p, best = max(
        (float(p), s)
        for s, p in zip(SUBTYPES, coding.probs, strict=True)
        if s != NONE and _allowed(s, types)
    )
    return best, p


def _a_later_toll(found: Extraction, indices: list[int], here: list[EventMention]) -> bool:
    """A one-sentence window whose only mentions are tolls, with no date of its own,
    after a sentence that told an event."""
    if len(indices) != 1 or not here or not all(m.toll_only for m in here):
        return False
    sent = found.sentences[indices[0]]
    if any(sent.start_char <= d.start < sent.end_char for d in found.dates):
        return False
    return any(not m.toll_only and m.sentence_index < indices[0] for m in found.mentions)


def _sentence_date(found: Extraction, m: EventMention, indices: list[int]):
    """The date a coder mention's sentence states ("... in Nairobi on Tuesday"), else the
    first its window states; the coder marks dates the way notes write them ("On 9 July
    2025"), news puts them anywhere."""
    sent = found.sentences[m.sentence_index]
    first, last = found.sentences[indices[0]], found.sentences[indices[-1]]
    for lo, hi in ((sent.start_char, sent.end_char), (first.start_char, last.end_char)):
        inside = [d for d in found.dates if lo <= d.start < hi]
        if inside:
            date = min(inside, key=lambda d: (d.since, abs(d.start - m.trigger.start)))
            return point_of_when_clause(date, found.text, m.trigger.start)
    return None


#: Event types read as one family when the coder hesitates between them: a crowd that
#: blocked a road is a protest or a riot, an event either way.
FAMILIES = ({"Protests", "Riots"},)


def _family_share(coding: Coding, subtype: str) -> float:
    """The probability of the best sub-type's event type (or family of types): "blocked
    roads" split 0.49 / 0.46 between a violent demonstration and a peaceful protest is
    still surely a demonstration."""
    event_type = _split_type(subtype)[0]
    family = next((f for f in FAMILIES if event_type in f), {event_type})
    return float(
        sum(
            p
            for s, p in zip(SUBTYPES, coding.probs, strict=True)
            if _split_type_or_none(s) in family
        )
    )


def _split_type_or_none(subtype: str) -> str | None:
    try:
        return _split_type(subtype)[0]
    except ValueError:
        return None  # "none"


def _event_sentence(found: Extraction, indices: list[int], coding: Coding, offset: int) -> int:
    """Where in a window the event the coder read is told: the first sentence with a
    violence cue, else the one holding its surest actor or place, else the first."""
    cues = _cues(found.language)
    for i in indices:
        s = found.sentences[i]
        if cues.search(found.text[s.start_char : s.end_char]):
            return i
    marked = [s for s in coding.spans if s.role in ("ACTOR1", "ACTOR2", "LOC")]
    if marked:
        at = offset + max(marked, key=lambda s: s.score).start
        for i in indices:
            if found.sentences[i].start_char <= at < found.sentences[i].end_char:
                return i
    return indices[0]


def _unreal(tok) -> bool:
    """Irrealis as the parse rules judge it, except for attempts: ACLED codes an attack
    that was tried and repelled ("tried to break through the defence") as an event."""
    heads = {tok.lemma_.lower(), tok.head.lemma_.lower(), tok.head.head.lemma_.lower()}
    if heads & set(coder_lexicon()["attempt_heads"]):
        return False
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    if infinitive and tok.head is not tok and tok.head.lemma_.lower() not in _irrealis_heads():
        return _is_irrealis(tok.head)  # "gathered to protest": the purpose of a real act
    return _is_irrealis(tok)


def _irrealis_heads() -> frozenset[str]:
    return frozenset(lexicon()["irrealis_heads"])


def _anchor(sent, language: str = "en"):
    """The word a coder mention is anchored on (its evidence): the first verb that is a
    violence cue ("shelled"), else the first such noun ("clashes"), else the sentence's
    main verb -- "fired" in "Police fired tear gas", not "Police"."""
    cues = _cues(language)
    for pos in ("VERB", "NOUN"):
        for tok in sent:
            # Not a cue inside what someone wants or threatens: "held a march to demand
            # for defunding the police" is anchored on the march, not on "police".
            if tok.pos_ == pos and cues.match(tok.text) and not _unreal(tok):
                return tok
    return sent.root


def _insert(found: Extraction, m: EventMention) -> None:
    k = 0
    while k < len(found.mentions) and found.mentions[k].trigger.start <= m.trigger.start:
        k += 1
    found.mentions.insert(k, m)


def _absolute(span: CodedSpan, offset: int) -> TextSpan:
    return TextSpan(offset + span.start, offset + span.end, span.text)


def _overlapping(items, span: TextSpan, key):
    return [x for x in items if key(x)[0] < span.end and span.start < key(x)[1]]


def _actor(found: Extraction, span: TextSpan) -> ActorArg:
    """A coder actor span, with the dictionary's match inside it when there is one."""
    span = _with_named_groups(found, span)
    either = _with_alternative(found, span)
    span = _with_role_noun(found.text, either)
    hits = _overlapping(found.actor_matches, span, lambda a: (a.start, a.end))
    if len(hits) > 1 and either.end > hits[0].end:
        hits = []  # "JNIM and/or ISGS": the phrase names the actor, not its first group
    # A bare national adjective ("the Russian airstrike" -> "Russian"): that state's forces.
    demonym = Gazetteer.default().demonym(span.text) if " " not in span.text.strip() else None
    return ActorArg(span, hits[0] if hits else None, demonym=demonym, coded=True)


@functools.cache
def _role_nouns() -> frozenset[str]:
    """One-word nouns that say what kind of actor the word before them is."""
    lex = coder_lexicon()
    words = [*lex["militia_nouns"], *lex["state_force_nouns"]["military"]]
    words += lex["state_force_nouns"]["police"] + lex["class_nouns"]["Unidentified Armed Group"]
    return frozenset(w.lower() for w in words if " " not in w) | frozenset(lex["group_nouns"])


def _with_named_groups(found: Extraction, span: TextSpan) -> TextSpan:
    """ "militants" marked in "ISWAP or Boko Haram militants": the phrase with the groups
    named before the role noun, who the noun is."""
    if span.text.strip().lower() not in _role_nouns():
        return span
    named = named_before(found.text, found.actor_matches, span.start)
    if named is None:
        return span
    return TextSpan(named[0], span.end, found.text[named[0] : span.end])


def _with_alternative(found: Extraction, span: TextSpan) -> TextSpan:
    """ "JNIM" marked in "JNIM and/or ISGS militants": both, which ACLED codes as one
    actor ("JNIM: ... and/or Islamic State (Greater Sahara)")."""
    m = re.match(r"[ \t]+(?:and/or|or)[ \t]+", found.text[span.end :])
    if m is None:
        return span
    at = span.end + m.end()
    other = next((a for a in found.actor_matches if a.start == at), None)
    if other is None:
        return span
    return TextSpan(span.start, other.end, found.text[span.start : other.end])


@functools.cache
def _compound_nouns() -> tuple[tuple[str, ...], ...]:
    """Force nouns of several words ("air defense", "security forces"), to finish a span
    the tagger cut inside one ("Ukrainian air| defense")."""
    lex = coder_lexicon()
    words = [*lex["state_force_nouns"]["military"], *lex["state_force_nouns"]["police"]]
    return tuple(tuple(w.lower().split()) for w in words if " " in w)


def _with_role_noun(text: str, span: TextSpan) -> TextSpan:
    """ "Dogon" marked before "militiamen": the phrase with its noun ("Dogon militiamen"),
    which says what ACLED calls them (an ethnic militia, not the people); "Ukrainian air"
    before "defense": the whole force noun."""
    m = re.match(r"[ \t]+([\w'-]+)", text[span.end :])
    if m is None:
        return span
    nxt = m.group(1).lower()
    last = span.text.split()[-1].lower() if span.text.split() else ""
    if nxt not in _role_nouns() and not any(noun[-2:] == (last, nxt) for noun in _compound_nouns()):
        return span
    end = span.end + m.end()
    return TextSpan(span.start, end, text[span.start : end])


#: Dependency labels of a clause's subject (UD, the French model's labels).
_SUBJECTS = frozenset({"nsubj", "nsubj:pass"})


def _root_dep(found: Extraction, start: int, end: int) -> str | None:
    """The dependency label of the head word of the text at ``start:end``."""
    if not found.sentences:
        return None
    words = found.sentences[0].doc.char_span(start, end, alignment_mode="expand")
    return words.root.dep_ if words is not None else None


def _named_subject(found: Extraction, actor: ActorArg, offset: int, length: int) -> ActorArg | None:
    """A named armed group the window's parse makes a subject ("... les talibans
    pakistanais s'en prennent à la police ... des forces armées"), where the coder's actor
    1 is a role noun that is no subject: the group acts, not the noun's side."""
    if actor.match is None or not actor.match.entry.generic:
        return None
    if _root_dep(found, actor.span.start, actor.span.end) in (*_SUBJECTS, None):
        return None
    for match in found.actor_matches:
        if not offset <= match.start < offset + length or match.entry.generic:
            continue
        if match.entry.category not in ARMED_GROUP_CATEGORIES:
            continue
        if _root_dep(found, match.start, match.end) in _SUBJECTS:
            return ActorArg(TextSpan(match.start, match.end, match.text), match, coded=True)
    return None


def _arguments(
    found: Extraction,
    m: EventMention,
    offset: int,
    coding: Coding,
    ruled_toll: bool = False,
    fill_only: bool = False,
) -> None:
    """The coder's argument spans -> the mention's fields (where the coder marks one).
    ``fill_only``: only the fields the rules left empty (a place: or only a country)."""
    text = found.text[offset:]
    spans = _between_pair(_joined(coding.spans, text), text)
    best: dict[str, CodedSpan] = {}
    for s in spans:
        if s.role not in best or _rank(found, s, offset) > _rank(found, best[s.role], offset):
            best[s.role] = s
    if "ACTOR1" in best and not (fill_only and m.actor1 is not None):
        m.actor1 = _actor(found, _absolute(best["ACTOR1"], offset))
    if "ACTOR2" in best and not (fill_only and m.actor2 is not None):
        m.actor2 = _actor(found, _absolute(best["ACTOR2"], offset))
    if m.actor1 is not None and m.actor2 is not None and m.actor1.span == m.actor2.span:
        m.actor2 = None
    passive = m.actor1 is not None and _root_dep(found, m.actor1.span.start, m.actor1.span.end)
    if m.actor1 is not None and found.language != "en" and passive == "nsubj:pass":
        # "une centaine de policiers avaient été tués": who it was done to, not who did it
        # (the parse rules read this for English)
        m.actor1, m.actor2 = None, m.actor2 or m.actor1
    if m.actor1 is not None and found.language != "en":
        m.actor1 = _named_subject(found, m.actor1, offset, len(text)) or m.actor1
    if "ASSOC1" in best:
        m.perpetrator_groups.append(_absolute(best["ASSOC1"], offset))
    vague = m.place is None or m.place.place.kind == "country"
    if "LOC" in best and (vague or not fill_only):  # the coder's place beats the first
        place = _place(found, _absolute(best["LOC"], offset))  # toponym the rules saw
        if place is not None:
            m.place = place
            m.place_is_context_ref = False
            _one_place_per_name(found, place)
    if "DATE" in best and not (fill_only and m.date is not None):
        when = _absolute(best["DATE"], offset)
        dates = _overlapping(found.dates, when, lambda d: (d.start, d.end))
        if dates:
            m.date = point_of_when_clause(dates[0], found.text, m.trigger.start)
    # The rules' reading of a stated toll stands ("dozens ... at least 12" is 12, not a
    # sum); the coder's count fills in where they found none ("killed a farmer").
    toll = _toll(coding, offset, found.language, found.text[offset:])
    if toll is not None and not ruled_toll:
        m.fatalities = toll


#: Words between two pieces of one actor phrase the tagger split ("NAF [rebel] forces").
GAP = re.compile(r"^[ \t]*(?:[\w'-]+[ \t]+){0,2}$")


def _joined(spans: list[CodedSpan], text: str) -> list[CodedSpan]:
    """Actor spans of one role a word or two apart, joined into one phrase."""
    out: list[CodedSpan] = []
    for s in spans:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.role == s.role
            and s.role.startswith("ACTOR")
            and GAP.match(text[prev.end : s.start])
        ):
            out[-1] = CodedSpan(
                s.role, prev.start, s.end, text[prev.start : s.end], max(prev.score, s.score)
            )
        else:
            out.append(s)
    return out


_BETWEEN = re.compile(r"\bbetween[ \t]+(?:the[ \t]+)?$", re.I)


def _between_pair(spans: list[CodedSpan], text: str) -> list[CodedSpan]:
    """ "a clash between Ukrainian forces and Russian forces", both tagged as the other
    side: ACLED's actor 1 is the first named (the tagger cannot tell the sides apart)."""
    if any(s.role == "ACTOR1" for s in spans):
        return spans
    second = [s for s in spans if s.role == "ACTOR2"]
    if len(second) < 2 or not _BETWEEN.search(text[: second[0].start]):
        return spans
    first = second[0]
    return [
        CodedSpan("ACTOR1", s.start, s.end, s.text, s.score) if s is first else s for s in spans
    ]


def _rank(found: Extraction, s: CodedSpan, offset: int) -> tuple[bool, float]:
    """A phrase naming a known group beats a bare role noun, then the surer one."""
    span = _absolute(s, offset)
    hits = _overlapping(found.actor_matches, span, lambda a: (a.start, a.end))
    return any(not h.entry.generic for h in hits), s.score


#: A capitalised word (with its glued article: "al-", "Ma'") right before a span.
_WORD_BEFORE = re.compile(r"[A-Z][\w’'-]*[ \t]+$")


def _whole_name(text: str, loc: TextSpan) -> TextSpan:
    """A LOC span that is the tail of a longer name the coders' places know ("al-Nu’man"
    of "Maarrat al-Nu’man"): the whole name, up to two words more; else the span."""
    kb = AcledPlaces.default()
    if kb.candidates(kb.spelled(loc.text)):
        return loc
    start = loc.start
    for _ in range(2):
        m = _WORD_BEFORE.search(text, max(0, start - 40), start)
        if m is None:
            break
        start = m.start()
        if kb.candidates(kb.spelled(text[start : loc.end])):
            return TextSpan(start, loc.end, text[start : loc.end])
    return loc


def _place(found: Extraction, loc: TextSpan) -> PlaceArg | None:
    """The place a coder LOC span names. The gazetteer's reading of the toponym there,
    unless ACLED's own geocoding knows the name and the gazetteer's answer is only a
    country, or lies in a country none of ACLED's namesakes is in, or the words after
    the name give the admin units of one of them ("Kabougou (Tansarga, Tapoa)")."""
    loc = _whole_name(found.text, loc)
    toponyms = _overlapping(found.context.toponyms, loc, lambda p: (p.span.start, p.span.end))
    top = min(toponyms, key=lambda p: abs(p.span.start - loc.start)) if toponyms else None
    actors = ActorDictionary.default()
    countries = [actors.acled_country_name(c) or c for c in found.context.countries]
    hints = admin_hints(found.text, loc.end)
    kb = AcledPlaces.default()
    name = kb.spelled(loc.text)
    if name != loc.text and (
        kb.admin_unit(hints, countries) is not None
        or (countries and kb.candidates(name)[0].country not in countries)
    ):
        name = loc.text  # another spelling of a place elsewhere than the text says
    acled = kb.resolve(name, hints, countries)
    wanted = {normalize(c) for c in countries}
    # The rules' reading only counts against ACLED's where it found the place itself, not
    # the report's country put in for a name the gazetteer lacks.
    if top is not None and len(top.span.text) < len(loc.text):
        # The rules read part of the name ("Der" of "Der-Ezzor", "York" of "New
        # York-Brooklyn"): the whole name, where the gazetteer or ACLED knows it.
        whole = Gazetteer.default().resolve(loc.text, found.context.countries, loose=True)
        if whole is not None and whole.kind != "country":
            top = PlaceArg(loc, whole)
        elif kb.candidates(name):
            top = None
    found_place = top is not None and top.place.kind != "country" and not top.place.inferred
    if acled is None or (wanted and normalize(acled.country) not in wanted and found_place):
        return top  # a namesake in a country the report is not about
    if not kb.candidates(name):  # placed by its admin unit only
        town = top is not None and top.place.kind != "country" and not top.place.inferred
        if town and top.place.population >= SMALL_TOWN:  # type: ignore[union-attr]
            return top  # a town of some size beats a namesake admin unit
        within = {normalize(acled.location), normalize(acled.admin1)}
        if town and normalize(top.place.admin1 or "") in within:  # type: ignore[union-attr]
            return top  # "Ludington (Michigan)": the town in the unit the text names
        return PlaceArg(
            loc if top is None else top.span, to_place(acled, actors.country_code(acled.country))
        )
    admin_named = bool(acled.admin_keys() & set(normalize(hints).split()))
    if top is not None and not admin_named:
        namesake_countries = {normalize(p.country) for p in kb.candidates(name)}
        top_country = normalize(actors.acled_country_name(top.place.country_code) or "")
        # "Goma": the city, not the hamlet in Ethiopia that ACLED coded once.
        big = top.place.population >= SMALL_TOWN and acled.rows < RARE_NAMESAKE
        if (
            top.place.kind != "country"
            and not top.place.inferred
            and (top_country in namesake_countries or countries or big)
        ):
            return top
    place = to_place(acled, actors.country_code(acled.country))
    return PlaceArg(loc if top is None else top.span, place)


def _one_place_per_name(found: Extraction, chosen: PlaceArg) -> None:
    """A toponym names one place throughout a report: the other mentions that read the
    same name ("killed ... when gunmen attacked the village of Solhan") take the coder's
    place too, rather than a namesake abroad that would keep them from merging."""
    name = normalize(chosen.span.text)
    for other in found.mentions:
        if (
            other.place is not None
            and other.place.place != chosen.place
            and normalize(other.place.span.text) == name
        ):
            other.place = PlaceArg(other.place.span, chosen.place)


def _whole_count(text: str, span: CodedSpan) -> CodedSpan:
    """A French count the word-level tags cut short ("une" of "une centaine"): the whole
    number phrase that starts where the span does."""
    m = NUMBER_FR.match(text, span.start)
    if m is None or m.end() <= span.end:
        return span
    return CodedSpan(span.role, span.start, m.end(), text[span.start : m.end()], span.score)


def _of_the_wounded(text: str, span: CodedSpan, language: str) -> bool:
    """A count the coder marked that is of the wounded: the nearest cue around it is an
    injury's ("un gendarme tué et un autre blessé", "en blessant quatre, dont deux"). Only
    where the language's lexicon lists injury cues (French: its counts of the dead and
    of the wounded are written alike)."""
    lex = coder_lexicon(language)
    if "injury_cues" not in lex:
        return False
    before = text[max(0, span.start - 40) : span.start].lower()
    after = text[span.end : span.end + 25].lower()

    def last(window: str, cues: list[str]) -> int:
        return max((window.rfind(c) for c in cues), default=-1)

    def first(window: str, cues: list[str]) -> int:
        hits = [i for c in cues if (i := window.find(c)) >= 0]
        return min(hits) if hits else 10**6

    deaths, injuries = lex["death_cues"], lex["injury_cues"]
    if first(after, injuries) < first(after, deaths):
        return True
    return last(before, injuries) > last(before, deaths)


def _toll(coding: Coding, offset: int, language: str = "en", text: str = "") -> TollArg | None:
    """The dead the coder counts: the sum of its FATAL spans, or one."""
    spans = coding.role("FATAL")
    if text and language == "fr":
        spans = [_whole_count(text, s) for s in spans]
    if text and len(spans) > 1:  # a second count is often of the wounded
        spans = spans[:1] + [s for s in spans[1:] if not _of_the_wounded(text, s, language)]
    if coding.toll == "spans" and spans:
        figures = [parse_toll(s.text, language) or _count(s.text, language) for s in spans]
        if text:
            figures = _retold_dropped(text, spans, figures)
        figures = [f for f in figures if f is not None]
        if figures:
            first, last = spans[0], spans[-1]
            span = TextSpan(
                offset + first.start, offset + last.end, " ... ".join(s.text for s in spans)
            )
            return TollArg(
                span,
                Fatalities(
                    sum(f.best for f in figures),
                    sum(f.low for f in figures),
                    sum(f.high for f in figures),
                ),
            )
    if coding.toll == "one":
        s = spans[0] if spans else None
        span = _absolute(s, offset) if s else TextSpan(offset, offset, "")
        return TollArg(span, Fatalities(1, 1, 1))
    return None


#: Where one sentence or headline ends and the next begins ("...; Four feared killed").
_SENTENCE_BREAK = re.compile(r"[.;!?]\s|\n")


def _retold_dropped(
    text: str, spans: list[CodedSpan], figures: list[Fatalities | None]
) -> list[Fatalities | None]:
    """A figure a later sentence gives again is the same dead told twice ("4 feared dead
    ...; Four feared killed in Benue community attack"), not more of them: counted once.
    Within a sentence, figures add up ("two soldiers and three civilians")."""
    out = list(figures)
    for k in range(1, len(spans)):
        if out[k] is None:
            continue
        for j in range(k):
            told = out[j]
            if (
                told is not None
                and told.best == out[k].best  # type: ignore[union-attr]
                and _SENTENCE_BREAK.search(text, spans[j].end, spans[k].start)
            ):
                out[k] = None
                break
    return out


def _count(text: str, language: str = "en") -> Fatalities | None:
    n = parse_number(text, language)
    return Fatalities(n, n, n) if n is not None else None


__all__ = [
    "BUDGET_PIECES",
    "PlaceArg",
    "apply_coding",
    "code_extractions",
    "select_sentences",
    "windows",
]
