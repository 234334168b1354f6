"""Training examples for the coder from coded events: ACLED rows -> (text, labels).

ACLED's coders write a note per event and code its sub-type, actors, place and toll.
The coding names the actors the ACLED way ("Unidentified Armed Group (Burkina Faso)")
while the note says "unknown gunmen"; the labels here find the words of the note that
each coded field refers to, so that the coder learns to point at them:

- ``DATE``: the date phrase ("On 1 August 2020", "Between 3 and 5 May 2021");
- ``LOC``: the coded ``location`` where the note names it;
- ``ACTOR1`` / ``ACTOR2`` / ``ASSOC1``: the first phrase of the note that names the coded
  actor: its own name or acronym ("JNIM"), a demonym with a force noun for state forces
  ("Russian forces"), or a role noun of its class ("gunmen", "demonstrators");
- ``FATAL``: the numbers of dead whose sum is the coded toll.

Nothing here needs PyTorch: tests and the dictionary builder use it too.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conflictlens.coder.taxonomy import NONE, SPAN_ROLES, SUBTYPES
from conflictlens.tolls import parse_number, parse_toll

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass
class Example:
    """One text with its labels: character spans per role and the event's class."""

    text: str
    subtype: str  # "Type/Sub-event type" or NONE
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, role)
    toll: int | None = None  # 0: no dead; 1 with no number: "one"; None: unknown
    toll_from_spans: bool = False  # the toll is the sum of the FATAL spans
    group: str = ""  # country (or corpus) the example comes from, for held-out splits
    #: A partial label: the sub-types the text may have (UCDP's "one-sided violence",
    #: RAMS's "bombing"), when the source does not give ACLED's; ``subtype`` is then "".
    allowed: tuple[str, ...] | None = None
    spans_known: bool = True  # False: no argument labels (the tag loss skips the text)


@functools.cache
def lexicon(language: str = "en") -> dict:
    """The coder's word lists: English's, or a language's own (``coder_lexicon_fr.json``)."""
    name = "coder_lexicon.json" if language == "en" else f"coder_lexicon_{language}.json"
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@functools.cache
def _french_demonyms() -> dict[str, list[str]]:
    """Country name -> its French demonyms, all genders and numbers ("Mali" ->
    ["malien", "malienne", "maliens", "maliennes"])."""
    from conflictlens.kb.countries import countries

    raw = json.loads((DATA / "demonyms_fr.json").read_text(encoding="utf-8"))
    names = {c["iso"]: c["name"] for c in countries().values()}
    out = {names[iso]: forms for iso, forms in raw.items() if iso in names}
    for alias, name in lexicon()["country_aliases"].items():
        out.setdefault(alias, out.get(name, []))
    return out


@functools.cache
def _demonyms() -> dict[str, list[str]]:
    """Country name -> its demonyms ("Russia" -> ["Russian", "Russians"])."""
    from conflictlens.kb.countries import countries

    raw = json.loads((DATA / "demonyms.json").read_text())
    names = {c["iso"]: c["name"] for c in countries().values()}
    out: dict[str, list[str]] = {}
    for iso, forms in raw.items():
        if iso.startswith("_") or iso not in names:
            continue
        out[names[iso]] = [*forms, *(f + "s" for f in forms if not f.endswith("s"))]
    for alias, name in lexicon()["country_aliases"].items():
        out.setdefault(alias, out.get(name, []))
    return out


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_PHRASE = re.compile(
    rf"\b(?:(?:On|on|Between|between|From|from|Around|around|Since|since|During|during|"
    rf"Overnight on|overnight on|As of|as of)\s+(?:or around\s+|the night of\s+|the week of\s+)?)?"
    rf"(?:\d{{1,2}}(?:\s*(?:-|and|to|&)\s*\d{{1,2}})?\s+)?(?:{_MONTHS})"
    rf"(?:\s+\d{{1,2}}(?!\d))?(?:,?\s+\d{{4}})?"
)
_MONTHS_FR = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
_DAY_FR = r"\d{1,2}(?:er)?"
DATE_PHRASE_FR = re.compile(
    rf"\b(?:(?:[Ll]e|[Vv]ers le|[Aa]utour du|[Ee]ntre le|[Dd]u|[Dd]epuis le|[Dd]ans la nuit du|"
    rf"[Aa]ux alentours du|[Ll]a nuit du|[Àà] partir du|[Pp]endant la semaine du)\s+)?"
    rf"(?:{_DAY_FR}(?:\s*(?:-|et le|et|au|à)\s*{_DAY_FR})?\s+)?(?:{_MONTHS_FR})(?:\s+\d{{4}})?",
    re.I,
)
NUMBER_FR = re.compile(
    r"(?<!\w)(?:\d{1,3}(?:[ .\u202f\xa0]\d{3})+|\d+|"
    r"(?:(?:une|des|plusieurs) )?(?:dizaines?|douzaines?|quinzaines?|vingtaines?|trentaines?|"
    r"quarantaines?|cinquantaines?|soixantaines?|centaines?|milliers?)|"
    r"(?:(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
    r"quinze|seize|dix-sept|dix-huit|dix-neuf|vingt|trente|quarante|cinquante|soixante|"
    r"soixante-dix|quatre-vingts?|quatre-vingt-dix|cents?|mille)(?:[- ](?:et[- ])?"
    r"(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
    r"quinze|seize|vingt|cents?|mille))*)|plusieurs)(?!\w)",
    re.I,
)
_NUMBER = re.compile(
    r"\b(?:\d{1,3}(?:,\d{3})+|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|a dozen|dozens|several)\b",
    re.I,
)


def _find(text: str, phrase: str, start: int = 0) -> tuple[int, int] | None:
    """First whole-word, case-insensitive occurrence of ``phrase``."""
    if not phrase.strip():
        return None
    m = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.I).search(text, start)
    return (m.start(), m.end()) if m else None


#: "Military Forces of Russia (2000-) Air Force": the kind and the state, without period
#: or unit.
STATE_FORCES = re.compile(r"(Military|Police) Forces of (?:the )?(.+?)(?: \([\d\-]+\).*)?$")


def _own_names(name: str) -> tuple[str, str | None, list[str]]:
    """An ACLED actor name without its qualifier ("(2000-)", "(Mali)"), the country the
    qualifier names, and the actor's own names ("JNIM: Group for Support of Islam and
    Muslims" -> the long name, then the acronym)."""
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", name).strip()
    qualifier = re.search(r"\(([^()]*)\)\s*$", name)
    if ":" in bare:
        acronym, long = (p.strip() for p in bare.split(":", 1))
        return bare, qualifier.group(1) if qualifier else None, [long, acronym]
    return bare, qualifier.group(1) if qualifier else None, [bare]


def actor_forms(name: str, language: str = "en") -> list[str]:
    """The phrases a note may use for an ACLED actor name, most specific first."""
    if language == "fr":
        return _french_actor_forms(name)
    lex = lexicon()
    bare, country, forms = _own_names(name)
    m = STATE_FORCES.match(name)
    if m:
        kind, state = m.group(1).lower(), m.group(2)
        nouns = lex["state_force_nouns"][kind]
        for dem in _demonyms().get(state, []):
            if not dem.endswith("s") or dem[:-1] not in _demonyms().get(state, []):
                forms += [f"{dem} {n}" for n in nouns]  # "Russian forces", not "Russians"
        forms += [f"{state} {n}" for n in nouns] + [f"{state}'s {n}" for n in nouns]
        # "shelled the Russian positions", "clashes between Russian and Ukrainian forces":
        # what the state's forces are called when no force noun follows the demonym.
        for dem in _demonyms().get(state, []):
            forms += [f"{dem} {n}" for n in lex["state_target_nouns"]]
        forms += [dem for dem in _demonyms().get(state, []) if not dem.endswith("s")]
        forms += nouns
    for cls, nouns in lex["class_nouns"].items():
        if bare == cls or (bare.startswith(cls) and country):
            forms += nouns
    m = re.match(r"(.+?) (Ethnic|Communal) Militia$", bare)
    if m:  # "Karamojong Ethnic Militia", "Kaduna Communal Militia"
        people = m.group(1)
        if people != "Unidentified":
            forms += [f"{people} {n}" for n in lex["militia_nouns"][:4]]
            if m.group(2) == "Ethnic":  # "Fulani" names the people; "Kaduna" only a place
                forms += [people + "s", people]
        forms += lex["militia_nouns"]
    for group_alias in lex["group_aliases"].get(name, lex["group_aliases"].get(bare, [])):
        forms.append(group_alias)
    seen: set[str] = set()
    return [f for f in forms if f and not (f.lower() in seen or seen.add(f.lower()))]


def _french_actor_forms(name: str) -> list[str]:
    """:func:`actor_forms` for French notes: the group's own names and acronyms, then
    French force nouns with the state's demonym after them ("l'armée malienne", "les
    forces burkinabè") or its name ("l'armée du Mali"), French role nouns of its class."""
    lex, english = lexicon("fr"), lexicon()
    bare, country, forms = _own_names(name)
    m = STATE_FORCES.match(name)
    if m:
        kind, state = m.group(1).lower(), m.group(2)
        nouns = lex["state_force_nouns"][kind]
        dems = _french_demonyms().get(state, [])
        forms += [f"{n} {d}" for n in nouns for d in dems]
        forms += [f"{n} {link}{state}" for n in nouns for link in ("du ", "de ", "de l'", "d'")]
        forms += [f"{n} {d}" for n in lex["state_target_nouns"] for d in dems]
        forms += [d for d in dems if not d.endswith("s")]
        forms += nouns
    for cls, nouns in lex["class_nouns"].items():
        if bare == cls or (bare.startswith(cls) and country):
            forms += nouns
    m = re.match(r"(.+?) (Ethnic|Communal) Militia$", bare)
    if m:
        people = m.group(1)
        if people != "Unidentified":
            forms += [f"{n} {people}" for n in lex["militia_nouns"][:4]]
            forms += [f"{n} de {people}" for n in lex["militia_nouns"][:3]]
            if m.group(2) == "Ethnic":
                forms += [people + "s", people]
        forms += lex["militia_nouns"]
    for table in (lex, english):
        forms += table["group_aliases"].get(name, table["group_aliases"].get(bare, []))
    seen: set[str] = set()
    return [f for f in forms if f and not (f.lower() in seen or seen.add(f.lower()))]


def actor_span(
    text: str, name: str, taken: list[tuple[int, int]], language: str = "en"
) -> tuple[int, int] | None:
    """Where the note first names ``name`` (a span not already taken by another role);
    specific forms beat generic ones, then the earliest occurrence wins."""
    if not name:
        return None
    for form in actor_forms(name, language):
        pos = 0
        while (hit := _find(text, form, pos)) is not None:
            if not any(hit[0] < e and s < hit[1] for s, e in taken):
                return hit
            pos = hit[1]
    return None


def _toll_spans(text: str, fatalities: int, language: str = "en") -> list[tuple[int, int]] | None:
    """Numbers of dead that add up to the coded toll, or None if none do."""
    french = language == "fr"
    cues = lexicon(language)["death_cues"]
    date_re, number_re = (DATE_PHRASE_FR, NUMBER_FR) if french else (DATE_PHRASE, _NUMBER)
    dates = [(d.start(), d.end()) for d in date_re.finditer(text)]
    near: list[tuple[int, int, int]] = []
    for m in number_re.finditer(text):
        if any(s <= m.start() < e for s, e in dates):
            continue  # "On 2 May 2021": a day, not a toll
        if french:
            figures = parse_toll(m.group(0), "fr")
            value = figures.low if figures else None
        else:
            value = parse_number(m.group(0))
        if value is None or value == 0:
            continue
        window = text[max(0, m.start() - 60) : m.end() + 60].lower()
        if any(re.search(rf"\b{c}", window) for c in cues):
            near.append((m.start(), m.end(), value))
    # The fewest figures that add up to the toll ("killing one member and 3 miners,
    # injuring one other, stealing 6 motorcycles": 1 + 3), earliest first.
    for size in range(1, min(4, len(near)) + 1):
        for combo in itertools.combinations(near[:8], size):
            if sum(v for _, _, v in combo) == fatalities:
                return [(s, e) for s, e, _ in combo]
    return None


_LEAD_DATE = {
    "en": r"^(?:On|Between|From|Around|Overnight on)\s[^,]{3,40}\d{4},\s*",
    "fr": r"^(?:Le|Vers le|Entre le|Du|Dans la nuit du|Autour du)\s[^,]{3,40}\d{4},\s*",
}


def _augment(text: str, rng: random.Random, language: str = "en") -> str:
    """News text rarely reads like a coder's note: sometimes drop the leading date
    clause and the "(admin2, admin1)" parentheses the notes add after place names."""
    if rng.random() < 0.3:
        text = re.sub(_LEAD_DATE[language], "", text)
        text = text[:1].upper() + text[1:]
    if rng.random() < 0.3:
        text = re.sub(r"\s\((?:[A-Z][^()]{0,60})\)", "", text)
    return text


def from_acled(row: dict, rng: random.Random | None = None, language: str = "en") -> Example:
    """An ACLED row -> an Example (labels found in the note, see the module doc); a
    French note (``language="fr"``) with the French word lists."""
    text = row["notes"].strip()
    if rng is not None:
        text = _augment(text, rng, language)
    sub = f"{row['event_type']}/{row['sub_event_type']}"
    ex = Example(text=text, subtype=sub, group=row.get("country", ""))
    taken: list[tuple[int, int]] = []

    def add(span: tuple[int, int] | None, role: str) -> None:
        if span and not any(span[0] < e and s < span[1] for s, e in taken):
            ex.spans.append((span[0], span[1], role))
            taken.append(span)

    m = (DATE_PHRASE_FR if language == "fr" else DATE_PHRASE).search(text)
    if m and re.search(r"\d", m.group(0)):
        add((m.start(), m.end()), "DATE")
    add(_find(text, row.get("location", "")), "LOC")
    add(actor_span(text, row.get("actor1", ""), taken, language), "ACTOR1")
    add(actor_span(text, row.get("actor2", ""), taken, language), "ACTOR2")
    for assoc in (row.get("assoc_actor_1") or "").split(";")[:2]:
        add(actor_span(text, assoc.strip(), taken, language), "ASSOC1")
    deaths = int(row.get("fatalities") or 0)
    if deaths == 0:
        ex.toll = 0
    else:
        spans = _toll_spans(text, deaths, language)
        if spans:
            for s in spans:
                add(s, "FATAL")
            ex.toll, ex.toll_from_spans = deaths, True
        elif deaths == 1:
            ex.toll = 1
    ex.spans.sort()
    return ex


#: UCDP's type of violence -> the ACLED sub-types it may be (1 state-based, 2 non-state
#: conflict: fighting between armed groups; 3 one-sided: violence against civilians).
_VIOLENT = tuple(
    s for s in SUBTYPES if s.startswith(("Battles/", "Explosions/", "Violence against"))
)
UCDP_ALLOWED = {
    "1": tuple(s for s in _VIOLENT if not s.startswith("Violence against")),
    "2": tuple(s for s in _VIOLENT if not s.startswith("Violence against")),
    "3": tuple(s for s in _VIOLENT if not s.startswith("Battles/")),
}


def from_ucdp(row: dict) -> Example | None:
    """A UCDP GED event -> its first report headline, labelled with the sub-types its
    type of violence allows: news-style text, which ACLED's notes are not."""
    heads = [h.strip() for h in (row.get("source_headline") or "").split(";") if h.strip()]
    heads = [h for h in heads if 25 <= len(h) <= 300]
    kind = (row.get("type_of_violence") or "").split(".")[0]
    if not heads or kind not in UCDP_ALLOWED:
        return None
    return Example(
        text=heads[0],
        subtype="",
        allowed=UCDP_ALLOWED[kind],
        spans_known=False,
        group="ucdp:" + row.get("country", ""),
    )


#: RAMS event types -> the ACLED sub-types they may be.
RAMS_ALLOWED = {
    "conflict.attack.airstrikemissilestrike": (
        "Explosions/Remote violence/Air/drone strike",
        "Explosions/Remote violence/Shelling/artillery/missile attack",
    ),
    "conflict.attack.bombing": tuple(s for s in _VIOLENT if s.startswith("Explosions/")),
    "conflict.attack.selfdirectedbattle": tuple(s for s in _VIOLENT if s.startswith("Battles/")),
    "conflict.attack.invade": tuple(s for s in _VIOLENT if s.startswith("Battles/")),
    "conflict.attack.setfire": (
        "Strategic developments/Looting/property destruction",
        "Violence against civilians/Attack",
        "Riots/Violent demonstration",
        "Riots/Mob violence",
    ),
    "conflict.attack": _VIOLENT,
    "conflict.demonstrate": tuple(s for s in SUBTYPES if s.startswith(("Protests/", "Riots/"))),
}
RAMS_ROLES = {"attacker": "ACTOR1", "target": "ACTOR2", "victim": "ACTOR2", "place": "LOC"}


def _detok(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Tokens -> text with ordinary spacing, and each token's character span."""
    text, spans = "", []
    for tok in tokens:
        glue = tok in (",", ".", ";", ":", "!", "?", ")", "'s", "n't", "%") or text.endswith("(")
        if text and not glue:
            text += " "
        spans.append((len(text), len(text) + len(tok)))
        text += tok
    return text, spans


def from_rams(doc: dict) -> Example | None:
    """A RAMS conflict event -> the sentence of its trigger, with its attacker, target,
    victim and place marked where they lie in that sentence."""
    label = doc["evt_triggers"][0][2][0][0]
    allowed = next((v for k, v in RAMS_ALLOWED.items() if label.startswith(k)), None)
    if allowed is None:
        return None
    trigger = doc["evt_triggers"][0][0]
    offset = 0
    for sent in doc["sentences"]:
        if offset <= trigger < offset + len(sent):
            break
        offset += len(sent)
    else:
        return None
    text, spans = _detok(sent)
    ex = Example(text=text, subtype="", allowed=allowed, group="rams")
    for _, (a, b), role in doc["gold_evt_links"]:
        name = RAMS_ROLES.get(re.sub(r"^evt\d+arg\d+", "", role))
        if name and offset <= a and b < offset + len(sent):
            ex.spans.append((spans[a - offset][0], spans[b - offset][1], name))
    ex.spans.sort()
    return ex


def negative(text: str, group: str) -> Example:
    """Text with no political-violence or demonstration event in it."""
    return Example(text=text, subtype=NONE, toll=0, group=group)


def from_reviewed(row: dict, rng: random.Random | None = None) -> Example:
    """A row of ``conflictlens export --format training`` (review.py) -> an Example: an
    event an analyst rejected is a negative; any other is labelled as an ACLED row is,
    from the fields as the analysts left them."""
    if row.get("negative"):
        return negative(row["notes"].strip(), "review")
    language = "fr" if row.get("language") == "fr" else "en"
    return from_acled(row, rng, language)


def reviewed_examples(path: Path, rng: random.Random | None = None) -> list[Example]:
    """Every row of an exported training file as an Example (rows without a type or a
    text are skipped: nothing to learn from them)."""
    return [
        from_reviewed(row, rng)
        for row in read_jsonl(path)
        if (row.get("notes") or "").strip()
        and (row.get("negative") or (row.get("event_type") and row.get("sub_event_type")))
    ]


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def acled_rows(training: Path, split: str | None = None) -> Iterator[dict]:
    for row in read_jsonl(training / "acled" / "events.jsonl"):
        if split is None or row.get("split") == split:
            yield row


def muc_negatives(muc_train: Path, max_chars: int = 600) -> list[Example]:
    """Passages of MUC-4 train reports with no template that contain no violence cue:
    political news of the same era and style. Irrelevant reports that describe combat
    (MUC leaves military clashes out, ACLED codes them) are skipped by the cue test."""
    cues = re.compile("|".join(lexicon()["violence_cues"]), re.I)
    out = []
    for doc in read_jsonl(muc_train):
        if doc.get("templates"):
            continue
        for para in re.split(r"(?<=\.)\s+(?=\S)", doc["doctext"]):
            para = para.strip()
            if 40 <= len(para) <= max_chars and not cues.search(para):
                out.append(negative(para, "muc4"))
    return out


def rams_negatives(rams_dir: Path) -> list[Example]:
    """RAMS passages around events outside conflict, crime and justice, whose sentences
    carry no violence cue."""
    cues = re.compile("|".join(lexicon()["violence_cues"]), re.I)
    keep = tuple(lexicon()["rams_non_conflict"])
    out = []
    for name in ("dev.jsonlines", "test.jsonlines"):
        for doc in read_jsonl(rams_dir / name):
            label = doc["evt_triggers"][0][2][0][0]
            if not label.startswith(keep):
                continue
            for sent in doc["sentences"]:
                text = " ".join(sent)
                text = re.sub(r"\s+([,.;:!?')])", r"\1", text).replace("( ", "(")
                if len(text) >= 40 and not cues.search(text):
                    out.append(negative(text, "rams"))
    return out


def balanced(examples: Iterable[Example], cap: int, rng: random.Random) -> list[Example]:
    """At most ``cap`` examples of each (sub-type, country): US peaceful protests alone
    are a third of the rows and teach little after the first thousand."""
    by: dict[tuple[str, str], list[Example]] = {}
    for ex in examples:
        by.setdefault((ex.subtype, ex.group), []).append(ex)
    out: list[Example] = []
    for items in by.values():
        rng.shuffle(items)
        out += items[:cap]
    rng.shuffle(out)
    return out


__all__ = ["SPAN_ROLES", "SUBTYPES", "Example", "from_acled", "actor_forms", "balanced"]
